"""The toolkit's shape: imports point one way, helpers have no import-time side effects."""

from __future__ import annotations

import ast
import subprocess
import sys

from lessons import catalog, sources

PACKAGE = catalog.REPO_ROOT / "lessons"

# engine -> measurement -> teaching -> recording: a module may import its own layer or lower.
LAYERS = {
    "engine": {"errors", "session", "labels", "catalog", "dockerfile", "engine", "imagesets",
               "imagefs", "build", "run", "wheels", "lab", "localset", "cleanup", "classroom",
               "platforms", "bake", "pins"},
    "measurement": {"sizes", "layers", "inventory", "runtime", "buildcost", "floor", "probes",
                    "transfer", "behaviour", "reproducible", "sbom", "provenance", "modern"},
    "teaching": {"cells", "sources", "compare", "plots", "figures", "explorer", "challenge",
                 "exercises", "progress", "transcripts", "schedule", "display", "tables",
                 "kernelenv", "nb", "goals", "buildchecks"},
    "recording": {"record", "__main__"},
}
ORDER = ["engine", "measurement", "teaching", "recording"]


def _layer(module: str) -> str:
    for name, members in LAYERS.items():
        if module in members:
            return name
    raise AssertionError(f"lessons/{module}.py belongs to no layer: add it to LAYERS")


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lessons"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(a.name for a in node.names)
    return found


def test_no_module_imports_a_layer_above_it():
    wrong = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem == "__init__":
            continue
        mine = ORDER.index(_layer(path.stem))
        for imported in _imports(path):
            if imported in ("__init__",) or not (PACKAGE / f"{imported}.py").exists():
                continue
            if ORDER.index(_layer(imported)) > mine:
                wrong.append(f"{path.stem} ({_layer(path.stem)}) imports {imported} "
                             f"({_layer(imported)})")
    assert not wrong, "\n".join(wrong)


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
