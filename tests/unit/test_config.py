"""Binder, Codespaces, requirements and notebooks are configured as the README promises."""

from __future__ import annotations

import json
import re

from lessons import catalog

ROOT = catalog.REPO_ROOT


def test_requirements_are_pinned_and_install_the_toolkit():
    lines = [l.strip() for l in (ROOT / "requirements.txt").read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    for line in lines:
        assert line == "-e ." or re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line), line
    names = {l.split("==")[0].lower() for l in lines}
    assert {"jupyterlab", "docker", "pandas", "matplotlib", "nbval", "ipywidgets"} <= names
    assert "-e ." in lines


def test_binder_uses_its_own_folder_and_the_same_pins():
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "-r ../requirements.txt" in text
    assert re.fullmatch(r"python-3\.1[0-3]\s*", (ROOT / "binder" / "runtime.txt").read_text())


def test_readme_binder_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    first = sorted((ROOT / "notebooks").glob("00-*.ipynb"))[0].name
    assert f"urlpath=lab/tree/notebooks/{first}" in readme
    assert "mybinder.org" in readme and "codespaces" in readme.lower()


def test_devcontainer_has_docker_in_docker_and_jupyter():
    cfg = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    features = cfg["features"]
    dind = [k for k in features if "docker-in-docker" in k]
    assert dind and re.search(r":\d+$", dind[0]), "docker-in-docker feature, major pinned"
    assert "requirements.txt" in cfg["postCreateCommand"]
    assert 8888 in cfg["forwardPorts"]
    assert "ms-toolsai.jupyter" in cfg["customizations"]["vscode"]["extensions"]


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks"
    dirty = []
    for nb in notebooks:
        data = json.loads(nb.read_text())
        for cell in data["cells"]:
            if cell["cell_type"] == "code" and (cell.get("outputs") or
                                                cell.get("execution_count")):
                dirty.append(nb.name)
                break
    assert not dirty, f"strip outputs (nbstripout) from: {dirty}"


def test_notebook_names_are_ordered_kebab_case():
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", nb.name), nb.name
