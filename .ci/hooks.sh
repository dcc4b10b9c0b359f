#!/usr/bin/env bash
# The repository's git hooks on every file: installs the pinned pre-commit into the active
# virtualenv, then runs every hook of .pre-commit-config.yaml (each installs its own tool from
# PyPI the first time, into pre-commit's cache) and shows the diff of any file a hook changed.
#
#   . .venv/bin/activate && bash .ci/hooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PRE_COMMIT=pre-commit==4.7.0

if ! python -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
  echo "error: no virtualenv is active; activate one first (. .venv/bin/activate)" >&2
  exit 2
fi
python -m pip install -q --disable-pip-version-check "$PRE_COMMIT"
python -m pre_commit run --all-files --show-diff-on-failure
