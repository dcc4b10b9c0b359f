"""A lab error in a real Jupyter kernel is a failed cell that nbval sees, shown as one line.

The one-line handler (lessons.cells) must not hide a failure from the test run: nbval fails a
cell only when the kernel sends an error output, so a handler that merely printed the line
would let a broken notebook pass CI. Runs a two-cell notebook under nbval in replay mode (no
engine needed): the failing cell must fail the run, with the lab's one line and no Python
traceback in what the learner would see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from lessons import catalog


def _notebook(path, cells):
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                     "metadata": {}, "outputs": [], "source": src}
                    for i, src in enumerate(cells)],
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                      "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))


def _nbval(path, tmp_path):
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/sizedrop-test.sock",
           "LESSONS_WORK": str(tmp_path / "work"), "PYTHONPATH": str(catalog.REPO_ROOT)}
    env.pop("LESSONS_REQUIRE_ENGINE", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", "--nbval-lax", "--nbval-current-env",
                           "--rootdir", str(tmp_path), str(path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_a_lab_error_fails_the_cell_under_nbval_with_one_line(tmp_path):
    path = tmp_path / "broken.ipynb"
    _notebook(path, ["from lessons.nb import Lab\nlab = Lab.start(quiet=True)",
                     "lab.dockerfile('go', 'jlink')"])
    done = _nbval(path, tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "1 failed, 1 passed" in out, out
    assert "go has no jlink variant; next step:" in out, out
    assert 'File "' not in out.split("go has no jlink variant")[0].rsplit("broken.ipynb", 1)[-1]


def test_a_notebook_without_errors_passes_under_nbval(tmp_path):
    path = tmp_path / "fine.ipynb"
    _notebook(path, ["from lessons.nb import Lab\nlab = Lab.start(quiet=True)",
                     "print(len(lab.tag('go', 'scratch')))"])
    done = _nbval(path, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
