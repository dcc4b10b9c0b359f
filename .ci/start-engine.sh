#!/usr/bin/env bash
# Start a Docker engine with BuildKit on a Debian/Ubuntu machine that has none (CI, a fresh VM),
# and install what the lab and its tests need there. Optional for learners: Docker Desktop,
# Codespaces and most laptops already run an engine with buildx.
#
#   sudo bash .ci/start-engine.sh
#
# When an engine already answers: checks for buildx and says what to do if it is missing.
# As root on Debian/Ubuntu, it installs
#   docker.io        Debian's Docker Engine (20.10 on Debian 12), started in the background
#                    (log: /var/log/sizedrop-dockerd.log)
#   docker-buildx    the BuildKit CLI plugin, taken from Debian 13's package when the
#                    machine's own release has none (Debian 12): its one binary is static
#   debootstrap      to build the local image set (lookalikes of the official base images)
#   docker-registry  the registry that classroom mode and its tests start
#   python3-venv     for the README's virtual environment
# Not root and no engine: says so and exits 0, so the README's first command goes on and
# the lab replays its recorded run.
set -euo pipefail

PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

say() { echo "engine: $*"; }

have_buildx() { docker buildx version >/dev/null 2>&1; }

install_buildx() {
  # Debian 13's docker-buildx .deb, fetched with an apt configuration of its own (nothing
  # changes in the machine's apt sources), unpacked, its binary installed as a CLI plugin.
  local work list mirror
  work=$(mktemp -d /tmp/sizedrop-buildx.XXXXXX)
  mirror=$({ sed -n -E 's#^\s*(deb\s+(\[[^]]*\]\s+)?|URIs:\s*)(https?://[^ ]*/debian)/?(\s.*)?$#\3#p' \
              /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true; } | sed -n 1p)
  mirror=${mirror:-http://deb.debian.org/debian}
  list="$work/sources.list"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$list"
  mkdir -p "$work/lists/partial" "$work/archives/partial"
  local opts=(-o "Dir::Etc::SourceList=$list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::archives=$work/archives"
              -o APT::Sandbox::User=root)
  apt-get -q "${opts[@]}" update >/dev/null
  (cd "$work" && apt-get -q "${opts[@]}" download docker-buildx >/dev/null)
  dpkg -x "$work"/docker-buildx_*.deb "$work/x"
  install -D -m 0755 "$work/x/usr/libexec/docker/cli-plugins/docker-buildx" "$PLUGIN_DIR/docker-buildx"
  rm -rf "$work"
}

if docker info >/dev/null 2>&1; then
  say "already running ($(docker info --format '{{.ServerVersion}}'))"
  if ! have_buildx; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing the buildx plugin"
      install_buildx
    else
      echo "warning: the docker CLI has no buildx plugin; the lab falls back to the classic builder." >&2
      echo "next step: install docker-buildx (Docker Desktop and docker.com's packages include it)." >&2
    fi
  fi
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "no Docker engine answers, and starting one needs root: the lab will replay its recorded run."
  echo "next step for live mode: start Docker Desktop or the docker service, or: sudo bash $0"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: no Docker engine answers and this is not a Debian/Ubuntu machine." >&2
  echo "next step: install Docker Engine for your distribution, then run this again." >&2
  exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
if ! have_buildx; then
  if apt-cache show docker-buildx >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-buildx >/dev/null || install_buildx
  else
    say "installing the buildx plugin from Debian 13's docker-buildx package"
    install_buildx
  fi
fi

say "starting dockerd"
nohup dockerd >/var/log/sizedrop-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    say "up ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'), $(docker buildx version | cut -d' ' -f1-2))"
    exit 0
  fi
  sleep 1
done
echo "error: dockerd did not answer within 60 s; its log ends with:" >&2
tail -n 20 /var/log/sizedrop-dockerd.log >&2
exit 1
