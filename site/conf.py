"""Sphinx configuration of the Size Drop site (Sphinx + MyST-NB + the book theme).

Build it with ``python site/build.py`` (see that file). The source directory is the repository
root, so the README and the notebooks are the pages as they are, with no copies; only the files
listed in ``site/_toc.yml`` are read. Every notebook is executed during the build, in replay
mode (no Docker engine), and any cell error fails the build.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent

# Replay mode: point the Docker SDK at a socket that cannot exist, so every notebook shows the
# recorded run (lessons/recorded/) whatever engine the machine building the site has. Kernels
# started by the build inherit this environment.
os.environ["DOCKER_HOST"] = "unix:///nonexistent/sizedrop-no-engine.sock"
os.environ.pop("DOCKER_CONTEXT", None)

project = "Size Drop"
author = "Size Drop developers"
copyright = "Size Drop developers. Code: Apache-2.0; text: CC BY 4.0"

extensions = ["myst_nb", "sphinx_external_toc"]

# --- what is read -----------------------------------------------------------------------------
external_toc_path = str((SITE / "_toc.yml").relative_to(ROOT))
external_toc_exclude_missing = True


def _toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return files


# Only the pages of the table of contents, so Sphinx never walks sample_apps/ or a venv.
include_patterns = [
    f"{name}{suffix}"
    for name in _toc_files(yaml.safe_load((SITE / "_toc.yml").read_text()))
    for suffix in (".md", ".ipynb")
]
exclude_patterns = ["site/_build", "**/.ipynb_checkpoints", ".venv", "**/.git"]

# --- notebooks (MyST-NB) ------------------------------------------------------------------------
nb_execution_mode = "force"          # run every notebook on every build: the site shows fresh output
nb_execution_raise_on_error = True   # a cell that raises fails the build
nb_execution_allow_errors = False    # no notebook allows errors as a whole; a cell that may
                                    # raise in replay says so with a `raises-exception` tag
nb_execution_timeout = 600           # seconds per cell; replay mode takes a few
nb_execution_in_temp = False         # run in notebooks/, as a learner does (relative paths work)
nb_execution_show_tb = True          # print the traceback of a failing cell in the build log
nb_merge_streams = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# --- HTML ---------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Size Drop: multi-stage and distroless images, built live"
html_theme_options = {
    "repository_url": "https://github.com/size-drop/size-drop",
    "repository_branch": "main",
    "use_repository_button": True,
    "use_issues_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "notebook_interface": "jupyterlab",
    },
    "show_navbar_depth": 1,
}
html_last_updated_fmt = "%Y-%m-%d"
