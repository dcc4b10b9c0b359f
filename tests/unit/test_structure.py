"""The toolkit's shape: imports point one way, helpers have no import-time side effects."""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lessons import catalog, sources

PACKAGE = catalog.REPO_ROOT / "lessons"
CONTRACTS = catalog.REPO_ROOT / ".importlinter"


def _lint_imports(root, tmp_path) -> subprocess.CompletedProcess:
    """import-linter (PyPI) on the package found under ``root``, with the repository's
    contracts."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports")
    assert exe, "lint-imports is missing: pip install -r requirements.txt"
    env = {**os.environ, "PYTHONPATH": str(root), "HOME": str(tmp_path)}
    return subprocess.run([exe, "--config", str(CONTRACTS), "--no-cache"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)


def test_imports_keep_the_layers_and_have_no_cycles(tmp_path):
    proc = _lint_imports(catalog.REPO_ROOT, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout, proc.stdout


def test_the_contracts_catch_an_import_that_points_up(tmp_path):
    # The same package with one wrong import: the engine layer's errors module reaching up to
    # the recorder. The check must fail on it, or it proves nothing.
    copy = tmp_path / "copy"
    shutil.copytree(PACKAGE, copy / "lessons", ignore=shutil.ignore_patterns("__pycache__"))
    errors = copy / "lessons" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom . import record  # noqa: E402,F401\n")
    proc = _lint_imports(copy, tmp_path)
    assert proc.returncode != 0, proc.stdout
    assert "lessons.errors -> lessons.record" in proc.stdout, proc.stdout


def test_every_module_sits_in_one_layer():
    config = configparser.ConfigParser()
    config.read(CONTRACTS)
    layers = config["importlinter:contract:layers"]["layers"].split()
    named = [m.removeprefix("lessons.") for m in layers if m != ":"]
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert sorted(named) == modules, (
        f"in no layer: {sorted(set(modules) - set(named))}; "
        f"gone: {sorted(set(named) - set(modules))} (edit .importlinter)")


def test_importing_every_module_has_no_side_effects(tmp_path):
    """No engine, no network, no file written: importing the toolkit only defines things."""
    code = ("import importlib, pkgutil, lessons\n"
            "for m in pkgutil.iter_modules(lessons.__path__):\n"
            "    importlib.import_module('lessons.' + m.name)\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DOCKER_HOST": "unix:///nonexistent",
           "PYTHONPATH": str(catalog.REPO_ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and list(tmp_path.iterdir()) == [], "import wrote or printed"


def test_lab_never_asks_which_mode_it_is_in():
    """Live and replay differ in lessons/sources.py only: no test in ``Lab`` reads ``live``
    or ``mode`` (issue 23, part 3)."""
    tree = ast.parse((PACKAGE / "nb.py").read_text())
    lab = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Lab")
    asks = []
    for node in ast.walk(lab):
        if isinstance(node, (ast.If, ast.IfExp, ast.While, ast.Assert)):
            for inner in ast.walk(node.test):
                if isinstance(inner, ast.Attribute) and inner.attr in ("live", "mode"):
                    asks.append(f"nb.py:{node.lineno}")
    assert not asks, asks


def test_one_recorded_source_per_directory():
    assert sources.recorded() is sources.recorded()
    assert sources.recorded(sources.RECORDED / "arm64") is not sources.recorded()
