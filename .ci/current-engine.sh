#!/usr/bin/env bash
# A current Docker Engine beside the host's: Debian unstable's Docker 28.5 with containerd 2.1,
# BuildKit and buildx 0.29, and the containerd image store (what Docker Desktop and new Docker
# Engine installs use), run from a Debian unstable (sid) root on this Debian 12 machine. For
# CI, which tests the lab on both engines.
#
#   sudo bash .ci/current-engine.sh start [--mirror http://127.0.0.1:5000] [--hosts FILE] [--ca FILE]
#   sudo bash .ci/current-engine.sh stop
#   bash .ci/current-engine.sh env        # prints the exports that select this engine AND its
#                                         # own client: docker 28.5 and buildx 0.29 (the host's
#                                         # client is older, and learners see the client's words)
#
# start: makes the root once (debootstrap, then apt installs docker.io, docker-cli,
# docker-buildx, containerd and runc inside it), mounts the kernel's file systems into it,
# gives it a bridge of its own (docker28, 172.31.251.1/24) and starts its dockerd. --mirror sets
# a registry mirror for Docker Hub names, --hosts appends lines to the engine's /etc/hosts and
# --ca trusts a CA for the registry named in --ca-for (the stand-in registries of .ci/run).
# stop: stops dockerd, unmounts, removes the bridge. The root stays for the next start.
#
# Versions are pinned by apt preferences in the root (PINS below: the upstream series, any
# Debian revision). sid moves: when it carries Docker 29, change PINS (and ENGINE_SERIES), delete
# the root (rm -rf $ROOT after `stop`) and start again; CI then re-measures on the new engine.
# Debian's mirror here can serve a sid Release file past its Valid-Until date (a snapshot), so
# apt in the root is told not to reject it; the packages are still checked against their
# signed Release file.
# cgroups: this machine's kernel mounts cgroup v1 (the hierarchy is a boot-time choice), so the
# engine runs with cgroup v1; on a cgroup v2 host the same script gives cgroup v2.
set -euo pipefail

SUITE=sid
ENGINE_SERIES=28.5
PINS="docker.io=28.5.* docker-cli=28.5.* docker-buildx=0.29.* containerd=2.1.*"
ROOT=${SIZEDROP_ENGINE_ROOT:-/var/lib/sizedrop/engine28}
SOCK="$ROOT/run/docker28.sock"
# A second instance (benchmarks/bare.py starts one from nothing beside CI's) needs a root, a
# bridge and a subnet of its own.
BRIDGE=${SIZEDROP_ENGINE_BRIDGE:-docker28}
BRIDGE_ADDR=${SIZEDROP_ENGINE_ADDR:-172.31.251.1/24}
LOG="$ROOT/var/log/dockerd28.log"
CLIENT="$ROOT/opt/sizedrop-client"

say() { echo "current engine: $*"; }
answers() { DOCKER_HOST="unix://$SOCK" docker info >/dev/null 2>&1; }

mirror_uri() {
  local m
  m=$({ sed -n -E 's#^\s*(deb\s+(\[[^]]*\]\s+)?|URIs:\s*)(https?://[^ ]*/debian)/?(\s.*)?$#\3#p' \
         /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true; } | sed -n 1p)
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

# The installed versions, one package a line; pinned_ok: each matches its pin.
versions() {
  chroot "$ROOT" dpkg-query -W docker.io docker-cli docker-buildx containerd runc 2>/dev/null || true
}
pinned_ok() {
  local pin have
  [ -x "$ROOT/usr/bin/dpkg-query" ] || return 1
  for pin in $PINS; do
    have=$(chroot "$ROOT" dpkg-query -W -f '${Version}' "${pin%%=*}" 2>/dev/null) || return 1
    # shellcheck disable=SC2053  # the pin is a glob on purpose
    [[ $have == ${pin#*=} ]] || return 1
  done
}

env_lines() {
  echo "export DOCKER_HOST=unix://$SOCK"
  echo "export PATH=$CLIENT/bin:\$PATH"
  echo "export DOCKER_CONFIG=$CLIENT/config"
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
  if [ ! -x "$ROOT/usr/sbin/dockerd" ] || [ ! -x "$ROOT/usr/bin/ps" ] || ! pinned_ok; then
    say "making a Debian $SUITE root in $ROOT"
    mkdir -p "$ROOT"
    [ -x "$ROOT/usr/bin/apt-get" ] || debootstrap --variant=minbase "$SUITE" "$ROOT" "$(mirror_uri)" >/dev/null
    mount_root
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    echo 'Acquire::Check-Valid-Until "false";' > "$ROOT/etc/apt/apt.conf.d/80sizedrop-snapshot"
    local pin
    : > "$ROOT/etc/apt/preferences.d/sizedrop-engine"
    for pin in $PINS; do
      printf 'Package: %s\nPin: version %s\nPin-Priority: 1001\n\n' "${pin%%=*}" "${pin#*=}" \
        >> "$ROOT/etc/apt/preferences.d/sizedrop-engine"
    done
    chroot "$ROOT" apt-get update -q >/dev/null
    # procps: `docker top` runs the engine's own ps.
    DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y -q --no-install-recommends \
      docker.io docker-cli docker-buildx containerd runc iptables ca-certificates procps >/dev/null
    pinned_ok || { echo "error: the root's packages do not match PINS ($PINS):" >&2; versions >&2; exit 1; }
  fi
  # The engine's own client, for the host: its docker CLI and buildx plugin are plain
  # executables linked against libc only.
  mkdir -p "$CLIENT/bin" "$CLIENT/config"
  ln -sf "$ROOT/usr/bin/docker" "$CLIENT/bin/docker"
  printf '{"cliPluginsExtraDirs": ["%s"]}\n' "$ROOT/usr/libexec/docker/cli-plugins" > "$CLIENT/config/config.json"
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
  say "starting Docker $(chroot "$ROOT" dpkg-query -W -f '${Version}' docker.io), containerd $(chroot "$ROOT" dpkg-query -W -f '${Version}' containerd), buildx $(chroot "$ROOT" dpkg-query -W -f '${Version}' docker-buildx) (log: $LOG)"
  # Not chroot: in a mount namespace of its own, the Debian root becomes the namespace's
  # real root (pivot_root). Under a plain chroot, runc cannot make a container's file system
  # the root of the container's mount namespace, and `docker exec` (health checks too) then
  # starts processes that see the HOST's files instead of the container's.
  setsid unshare --mount --propagation private -- sh -c "
    cd '$ROOT' && mkdir -p .oldroot && pivot_root . .oldroot && cd / \
      && umount -l /.oldroot && rmdir /.oldroot \
      && exec dockerd -H unix:///run/docker28.sock --bridge=$BRIDGE \
           --exec-root=/run/docker28 --pidfile=/run/docker28.pid \
           --config-file=/etc/docker/daemon.json" > "$LOG" 2>&1 < /dev/null &
  for _ in $(seq 1 90); do
    if answers; then
      say "up: $(DOCKER_HOST="unix://$SOCK" docker info --format '{{.ServerVersion}}, {{.Driver}} {{.DriverStatus}}')"
      env_lines
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
  if [ -f "$ROOT/run/docker28.pid" ]; then
    pid=$(cat "$ROOT/run/docker28.pid")
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
  env) env_lines ;;
  status) if answers; then say "running"; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start [--mirror URL] [--hosts FILE] [--ca FILE --ca-for NAME] | stop | env | status" >&2; exit 2 ;;
esac
