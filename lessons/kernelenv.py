"""The build args a notebook's kernel holds, so that a ``docker build --build-arg GO_IMAGE``
typed in a cell (or, after ``exports``, in a terminal) gets the chosen image set's values: a
build arg given without a value takes it from the environment, and is left out when the
variable is unset, so the Dockerfile's default (the official tag) applies."""

from __future__ import annotations

import os

import pandas as pd

from . import imagesets, session
from . import lab as verbs

PIP_SETTINGS = ["PIP_NO_INDEX", "PIP_FIND_LINKS"]


def set_up(client, image_set: str, say, announce: bool) -> None:
    """Put the base-image build args of ``image_set`` (and the offline pip settings, when
    builds cannot reach PyPI) into this kernel's environment, with this session's id."""
    session.begin()   # $SIZEDROP_SESSION and $SIZEDROP_TMP for this kernel's cells
    values = verbs.build_env(client, image_set, say if announce else (lambda _: None))
    verbs.apply_build_env(values)
    # A notebook's `!` runs commands in a pseudo-terminal, where BuildKit would draw its
    # interactive display; the plain log (one line per event) reads better in a notebook.
    os.environ["BUILDKIT_PROGRESS"] = "plain"
    if announce and values:
        print("This kernel's environment now has "
              + ", ".join(f"{k}={v}" for k, v in list(values.items())[:2])
              + f" and {len(values) - 2} more: `--build-arg NAME` without a value passes "
              "them to docker build (`lab.build_env()` lists them, `lab.exports()` prints "
              "them for a terminal).")


def teller(notebook: str | None):
    """How set-up messages are printed in ``notebook``: the PyPI probe's full reason only in
    notebook 00 (the other notebooks say what it means in one short line)."""
    def say(text: str) -> None:
        if text.startswith("PyPI is not reachable") and not (notebook or "").startswith("00"):
            text = ("PyPI is not reachable from containers here: Python builds install the "
                    "local wheels (notebook 00 shows why).")
        print(text)
    return say


def print_exports() -> None:
    """The ``export NAME=value`` lines that give a terminal the build args this kernel has."""
    names = [b.arg for b in imagesets.BASE_IMAGES] + PIP_SETTINGS + [session.ENV,
                                                                     session.TMP_ENV]
    values = {n: os.environ[n] for n in names if os.environ.get(n)}
    if not values:
        print("# nothing to export: no build arg is set in this kernel, so the "
              "Dockerfiles' defaults (the official images) apply in a terminal too")
        return
    print("\n".join(verbs.exports(values)))


def table() -> pd.DataFrame:
    """The build args this kernel's environment holds for ``docker build --build-arg``."""
    names = [b.arg for b in imagesets.BASE_IMAGES] + PIP_SETTINGS
    return pd.DataFrame([{"build arg": n, "value in this kernel": os.environ.get(n, "")
                          or "(unset: the Dockerfile's default applies)"} for n in names])
