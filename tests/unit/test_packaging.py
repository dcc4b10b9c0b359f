"""A wheel built from the repository carries every file of lessons/: the code and all the
replay data (lessons/recorded/ and its subfolders), which replay mode reads at run time.

Builds the wheel with pip from a clean copy of what the build reads (a build in the working tree
would reuse build/ and *.egg-info/ left by earlier builds, and ship their stale file lists):
about 10 s; pip fetches the build backend, setuptools, from the index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

from lessons import catalog

ROOT = catalog.REPO_ROOT


def test_the_wheel_carries_every_file_of_lessons(tmp_path):
    source, out = tmp_path / "source", tmp_path / "wheel"
    shutil.copytree(ROOT / "lessons", source / "lessons",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-CC-BY-4.0"):
        shutil.copy2(ROOT / name, source / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                           "--disable-pip-version-check", "-q", "-w", str(out)],
                          capture_output=True, text=True, timeout=600,
                          # pip's offline settings for the apps' image builds, which a lab test
                          # earlier in the run may have exported, are not for this pip
                          env={k: v for k, v in os.environ.items()
                               if k not in ("PIP_NO_INDEX", "PIP_FIND_LINKS")})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as z:
        shipped = set(z.namelist())
    package = ROOT / "lessons"
    files = {p.relative_to(ROOT).as_posix() for p in package.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert {f for f in files if f.startswith("lessons/recorded/transcripts/")}, "no transcripts?"
    assert {f for f in files if f.startswith("lessons/recorded/arm64/")}, "no arm64 tables?"
    missing = sorted(files - shipped)
    assert not missing, f"the wheel lacks: {missing}"
