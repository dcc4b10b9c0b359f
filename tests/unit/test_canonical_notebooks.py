"""tools/canonical_notebooks.py: the check fails on a notebook out of nbformat's canonical form,
--fix rewrites it, and a notebook already in the form is left byte for byte as it was."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

from lessons import catalog

SCRIPT = catalog.REPO_ROOT / "tools" / "canonical_notebooks.py"


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title", id="title"),
                nbformat.v4.new_code_cell("print('hi')", id="code")]
    return nb


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True,
                          text=True, timeout=120)


def test_a_notebook_in_another_layout_fails_the_check_and_fix_rewrites_it(tmp_path):
    path = tmp_path / "scrambled.ipynb"
    data = json.loads(nbformat.writes(_notebook()))
    # the same notebook, keys in reverse order and indent 2: valid, but not canonical
    reordered = {k: data[k] for k in reversed(list(data))}
    path.write_text(json.dumps(reordered, indent=2), encoding="utf-8")

    check = _run(path)
    assert check.returncode == 1
    assert f"{path}: not in nbformat's canonical form" in check.stdout
    assert f"--fix {path}" in check.stdout

    assert _run("--fix", path).returncode == 0
    fixed = path.read_text(encoding="utf-8")
    assert fixed == nbformat.writes(_notebook()) + "\n"
    assert json.loads(fixed) == data, "only the layout changed"
    assert _run(path).returncode == 0


def test_a_canonical_notebook_passes_and_is_not_rewritten(tmp_path):
    path = tmp_path / "canonical.ipynb"
    nbformat.write(_notebook(), path)
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    assert _run(path).returncode == 0
    assert _run("--fix", path).returncode == 0
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
