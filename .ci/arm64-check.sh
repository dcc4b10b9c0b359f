#!/usr/bin/env bash
# arm64 under emulation: the short CI check, on the engine DOCKER_HOST names (.ci/run: engine B,
# Docker 28.5 with the containerd image store). As root, after `apt-get install qemu-user-static
# binfmt-support` (.ci/run installs both).
#
#   bash .ci/arm64-check.sh                  # what CI runs
#   ARM64_CHECK_NO_CACHE=1 bash .ci/arm64-check.sh   # as on a fresh machine: no build cache
#   bash .ci/arm64-check.sh --register-only  # step 1 alone (.ci/run, before the live tests)
#
# 1. QEMU's aarch64 emulator registered with the kernel (binfmt_misc mounted if it is not),
#    with the F flag, so programs inside containers find it.
# 2. python benchmarks/arm64.py --quick: the arm64 lookalikes Go scratch and Python distroless
#    need (Debian root by debootstrap --arch=arm64, distroless static and python3; Java jlink,
#    whose arm64 JDK is the slowest lookalike to build under emulation, is left to the full
#    run, python benchmarks/arm64.py), `uname -m` in the arm64 root, then each of the three images built with
#    `docker buildx build --platform linux/arm64`, run with `--platform linux/arm64`, asked
#    the whole contract of tests/live/contract_cases.py, its HEALTHCHECK and SIGTERM checked,
#    and its files read (image architecture, ELF machine and loader, usr/lib/aarch64-linux-gnu,
#    Go's GOARCH). Prints each step's wall time and the total; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
stamp() { echo "== arm64 [$(( $(date +%s) - started ))s] $*"; }
PYTHON=${PYTHON:-python}
ENTRY=/proc/sys/fs/binfmt_misc/qemu-aarch64

stamp "emulation: QEMU's aarch64 emulator in binfmt_misc"
if [ "$(uname -m)" != aarch64 ]; then
  if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  if [ ! -e "$ENTRY" ]; then
    command -v update-binfmts >/dev/null || { echo "error: binfmt-support is not installed" >&2; exit 1; }
    update-binfmts --enable qemu-aarch64
  fi
  [ "$(head -n 1 "$ENTRY")" = enabled ] || { echo "error: $ENTRY is disabled" >&2; exit 1; }
  grep -q '^flags: .*F' "$ENTRY" || { echo "error: $ENTRY lacks the F flag" >&2; exit 1; }
  echo "$(grep '^interpreter' "$ENTRY"), $(grep '^flags' "$ENTRY")"
fi
[ "${1:-}" = --register-only ] && exit 0

stamp "build, run and ask: go/scratch, python/distroless for linux/arm64"
args=(--quick)
[ "${ARM64_CHECK_NO_CACHE:-}" = 1 ] && args+=(--no-cache)
set +e
"$PYTHON" benchmarks/arm64.py "${args[@]}"
rc=$?
set -e
stamp "done: exit code $rc, wall time $(( $(date +%s) - started )) s"
exit "$rc"
