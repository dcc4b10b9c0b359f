#!/usr/bin/env bash
# A current Docker Engine beside Debian 12's: Debian 13's Docker 26.1 with BuildKit and the
# containerd image store (what Docker Desktop and new Docker Engine installs use), run from a
# Debian 13 root on this Debian 12 machine. For CI, which tests the lab on both engines.
#
#   sudo bash .ci/current-engine.sh start [--mirror http://127.0.0.1:5000] [--hosts FILE] [--ca FILE]
#   sudo bash .ci/current-engine.sh stop
#   bash .ci/current-engine.sh env        # prints: export DOCKER_HOST=unix://.../docker26.sock
#
# start: makes the root once (debootstrap, then apt installs docker.io, docker-buildx,
# containerd and runc inside it), mounts the kernel's file systems into it, gives it a
# bridge of its own (docker26, 172.31.250.1/24) and starts its dockerd. --mirror sets a
# registry mirror for Docker Hub names, --hosts appends lines to the engine's /etc/hosts and
# --ca trusts a CA for the registry named in --ca-for (the stand-in registries of .ci/run).
# stop: stops dockerd, unmounts, removes the bridge. The root stays for the next start.
set -euo pipefail

ROOT=${SIZEDROP_ENGINE_ROOT:-/var/lib/sizedrop/engine26}
SOCK="$ROOT/run/docker26.sock"
BRIDGE=docker26
BRIDGE_ADDR=172.31.250.1/24
LOG="$ROOT/var/log/dockerd26.log"

say() { echo "current engine: $*"; }
answers() { DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; }

mirror_uri() {
  local m
  m=$({ sed -n -E 's#^\s*(deb\s+(\[[^]]*\]\s+)?|URIs:\s*)(https?://[^ ]*/debian)/?(\s.*)?$#\3#p' \
         /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true; } | head -n 1)
  echo "${m:-http://deb.debian.org/debian}"
}

mount_root() {
  mountpoint -q "$ROOT" || mount --bind "$ROOT" "$ROOT"
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
  if ! mountpoint -q "$ROOT/dev"; then mount --rbind /dev "$ROOT/dev"; mount --make-rslave "$ROOT/dev"; fi
  if ! mountpoint -q "$ROOT/sys"; then mount --rbind /sys "$ROOT/sys"; mount --make-rslave "$ROOT/sys"; fi
  mountpoint -q "$ROOT/run" || mount -t tmpfs tmpfs "$ROOT/run"
}

unmount_root() {
  local m
  for m in run sys dev proc; do
    if mountpoint -q "$ROOT/$m"; then umount -R "$ROOT/$m" || umount -lR "$ROOT/$m"; fi
  done
  if mountpoint -q "$ROOT"; then umount "$ROOT" || umount -l "$ROOT"; fi
}

start() {
  local mirror="" hosts="" ca="" ca_for=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --mirror) mirror=$2; shift 2 ;;
      --hosts) hosts=$2; shift 2 ;;
      --ca) ca=$2; shift 2 ;;
      --ca-for) ca_for=$2; shift 2 ;;
      *) echo "error: unknown option $1" >&2; exit 2 ;;
    esac
  done
  if answers; then
    say "already running ($(DOCKER_HOST="unix://$SOCK" docker info --format '{{.ServerVersion}}'))"
    return 0
  fi
  [ "$(id -u)" = 0 ] || { echo "error: starting the engine needs root: sudo bash $0 start" >&2; exit 1; }
  command -v debootstrap >/dev/null 2>&1 || {
    say "installing debootstrap"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  }
  # procps: `docker top` runs the engine's own ps.
  if [ ! -x "$ROOT/usr/sbin/dockerd" ] || [ ! -x "$ROOT/usr/bin/ps" ]; then
    say "making a Debian 13 root in $ROOT"
    mkdir -p "$ROOT"
    [ -x "$ROOT/usr/bin/apt-get" ] || debootstrap --variant=minbase trixie "$ROOT" "$(mirror_uri)" >/dev/null
    mount_root
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    chroot "$ROOT" apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y -q --no-install-recommends \
      docker.io docker-cli docker-buildx containerd runc iptables ca-certificates procps >/dev/null
  fi
  mount_root
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  mkdir -p "$ROOT/etc/docker" "$(dirname "$LOG")"
  {
    printf '{\n  "features": {"containerd-snapshotter": true}'
    [ -n "$mirror" ] && printf ',\n  "registry-mirrors": ["%s"]' "$mirror"
    printf '\n}\n'
  } > "$ROOT/etc/docker/daemon.json"
  if [ -n "$hosts" ]; then
    grep -v ' sizedrop-standin$' "$ROOT/etc/hosts" > "$ROOT/etc/hosts.new" || true
    sed 's/$/ sizedrop-standin/' "$hosts" >> "$ROOT/etc/hosts.new"
    mv "$ROOT/etc/hosts.new" "$ROOT/etc/hosts"
  fi
  if [ -n "$ca" ]; then
    install -D -m 0644 "$ca" "$ROOT/etc/docker/certs.d/${ca_for:?--ca needs --ca-for NAME}/ca.crt"
  fi
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_ADDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  say "starting Docker $(chroot "$ROOT" dpkg-query -W -f '${Version}' docker.io) (log: $LOG)"
  # Not chroot: in a mount namespace of its own, the Debian 13 root becomes the namespace's
  # real root (pivot_root). Under a plain chroot, runc cannot make a container's file system
  # the root of the container's mount namespace, and `docker exec` (health checks too) then
  # starts processes that see the HOST's files instead of the container's.
  setsid unshare --mount --propagation private -- sh -c "
    cd '$ROOT' && mkdir -p .oldroot && pivot_root . .oldroot && cd / \
      && umount -l /.oldroot && rmdir /.oldroot \
      && exec dockerd -H unix:///run/docker26.sock --bridge=$BRIDGE \
           --exec-root=/run/docker26 --pidfile=/run/docker26.pid \
           --config-file=/etc/docker/daemon.json" > "$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 90); do
    if answers; then
      say "up: $(DOCKER_HOST="unix://$SOCK" docker info --format '{{.ServerVersion}}, {{.Driver}} {{.DriverStatus}}')"
      echo "export DOCKER_HOST=unix://$SOCK"
      return 0
    fi
    sleep 1
  done
  echo "error: the engine did not answer within 90 s; its log ends with:" >&2
  tail -n 20 "$LOG" >&2
  exit 1
}

stop() {
  local pid
  if [ -f "$ROOT/run/docker26.pid" ]; then
    pid=$(cat "$ROOT/run/docker26.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # whatever still runs inside the root (containerd, shims of running containers) goes too
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && kill "${p#/proc/}" 2>/dev/null || true
  done
  sleep 1
  unmount_root
  ip link del "$BRIDGE" 2>/dev/null || true
  say "stopped"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  env) echo "export DOCKER_HOST=unix://$SOCK" ;;
  status) if answers; then say "running"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start [--mirror URL] [--hosts FILE] [--ca FILE --ca-for NAME] | stop | env | status" >&2; exit 2 ;;
esac
