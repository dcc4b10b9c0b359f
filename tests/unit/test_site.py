"""The rendered site (site/) and the notebooks' format: checked by parsing, without building.

The build itself (``python site/build.py``) executes every notebook; it belongs in CI, not here.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pytest

from lessons import catalog

ROOT = catalog.REPO_ROOT
SITE = ROOT / "site"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _toc():
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((SITE / "_toc.yml").read_text())


def _toc_files(toc) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def _assignments(path) -> dict:
    """Top-level ``name = literal`` assignments of a Python file, without running it (site/conf.py
    changes os.environ when it runs)."""
    values = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_valid_nbformat_4_5_with_unique_cell_ids(path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5"
    nbformat.validate(nb)
    ids = [cell.get("id") for cell in nb.cells]
    assert all(ids), "every cell needs an id"
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", i) for i in ids), ids
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate cell ids: {duplicates}"


def test_site_lists_every_notebook_in_teaching_order():
    files = _toc_files(_toc())
    listed = [f for f in files if f.startswith("notebooks/") and f[len("notebooks/"):][:2].isdigit()]
    expected = [f"notebooks/{p.stem}" for p in NOTEBOOKS]
    assert listed == expected, "site/_toc.yml must list every notebook, in order"


def test_site_pages_exist_and_include_the_readmes():
    toc = _toc()
    assert toc["format"] == "jb-book"
    files = _toc_files(toc)
    assert toc["root"] == "README" and "notebooks/README" in files
    for f in files:
        assert (ROOT / f"{f}.md").is_file() or (ROOT / f"{f}.ipynb").is_file(), f
    assert len(files) == len(set(files)), "a page listed twice"


def test_site_executes_notebooks_in_replay_mode_and_fails_on_errors():
    conf = (SITE / "conf.py").read_text()
    assert re.search(r'os\.environ\["DOCKER_HOST"\] = "unix:///nonexistent/[^"]+\.sock"', conf)
    values = _assignments(SITE / "conf.py")
    assert values["nb_execution_mode"] == "force"
    assert values["nb_execution_raise_on_error"] is True
    assert values["nb_execution_allow_errors"] is False
    assert "myst_nb" in values["extensions"] and "sphinx_external_toc" in values["extensions"]
    build = (SITE / "build.py").read_text()
    assert '"-W"' in build, "warnings must fail the build"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_lets_every_cell_fail_on_the_site(path):
    """MyST-NB reads `execution_allow_errors` from a notebook's metadata and then lets any of its
    cells raise unnoticed; a cell that may raise carries a `raises-exception` tag instead."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert "execution_allow_errors" not in nb.metadata.get("mystnb", {})
    assert "allow_errors" not in nb.metadata.get("execution", {})
