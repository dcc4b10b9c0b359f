#!/usr/bin/env bash
# Start a Docker engine on a Debian/Ubuntu machine that has none (CI, a fresh VM).
# Optional for learners: Docker Desktop, Codespaces and most laptops already run one.
#   sudo bash .ci/start-engine.sh
# Installs Debian's docker.io when dockerd is missing, starts dockerd in the background
# (log: /var/log/sizedrop-dockerd.log) and waits until `docker info` answers.
set -euo pipefail

if docker info >/dev/null 2>&1; then
  echo "engine: already running ($(docker info --format '{{.ServerVersion}}'))"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: no Docker engine answers, and starting one needs root." >&2
  echo "next step: sudo bash $0   (or start Docker Desktop / the docker service)" >&2
  exit 1
fi
if ! command -v dockerd >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: dockerd is not installed and this is not a Debian/Ubuntu machine." >&2
    echo "next step: install Docker Engine for your distribution, then run this again." >&2
    exit 1
  fi
  echo "engine: installing Debian's docker.io"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
fi
echo "engine: starting dockerd"
nohup dockerd >/var/log/sizedrop-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "engine: up ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
    exit 0
  fi
  sleep 1
done
echo "error: dockerd did not answer within 60 s; its log ends with:" >&2
tail -n 20 /var/log/sizedrop-dockerd.log >&2
exit 1
