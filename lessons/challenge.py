"""The workshop challenge (notebook 07): slim a fat Dockerfile below a measured target.

The check itself is lessons.exercises (exercise ``07-challenge-<language>``): it builds the
learner's file with the command it prints, compares the size with the target, rejects commands
that cannot run without a shell, and runs lessons.behaviour's check (users, the engine's health
verdict, the contract's answer, no shell, the stop on SIGTERM). Its hints are graded (``GUIDE``).

Targets are not typed in: they are ``TARGET_FACTOR`` times the measured size of our own
distroless variant of the same app, rounded up to two significant figures (and to a
whole MB at least). The factor leaves
room for a different but sound distroless-class answer and rules out the multi-stage images
(a full JRE, the slim Python image), which every language's measurements put above it.
"""

from __future__ import annotations

import math

import pandas as pd

from . import catalog
from .errors import LabError

TARGET_FACTOR = 1.2
REFERENCE_VARIANT = "distroless"

# The size item's graded hint per language (lessons.exercises.GUIDE): what to look at, then
# which instruction; never a line of the reference.
GUIDE = {
    "go": ("the image ships far more than the server: look at what the final stage starts from "
           "and what it copies in",
           "the final FROM (the ARGs name smaller bases) and the build's RUN: a binary that needs "
           "no C library lives on the smallest of them, and the linker can leave out what only a "
           "debugger reads (notebook 04)"),
    "java": ("the image ships far more than the jar: look at what the final stage starts from",
             "the final FROM: a full JRE image is over the target; the ARGs name a smaller "
             "Java base (and notebook 06 builds a runtime of its own)"),
    "python": ("the image ships far more than the app: look at what the final stage starts "
               "from and what it copies in",
               "the final FROM and the stage that makes the venv: the venv must come from the "
               "same interpreter, at the same path, as the runtime's (notebook 03)"),
}


def target_mb(sizes: pd.DataFrame, language: str) -> float:
    """TARGET_FACTOR x our distroless image of ``language`` (uncompressed), rounded up."""
    row = sizes[(sizes["language"] == language) & (sizes["variant"] == REFERENCE_VARIANT)]
    if not len(row):
        raise LabError(f"no measured size for {language}/{REFERENCE_VARIANT}",
                       f"build it first: lab.build({language!r}, 'distroless')")
    raw = float(row["uncompressed_mb"].iloc[0]) * TARGET_FACTOR
    step = 10 ** max(0, math.floor(math.log10(raw)) - 1)   # two significant figures
    return float(math.ceil(raw / step) * step)


def targets(sizes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for lang in catalog.LANGUAGES:
        target = target_mb(sizes, lang)   # first: it says which size is missing
        ref = sizes[(sizes["language"] == lang) & (sizes["variant"] == REFERENCE_VARIANT)]
        rows.append({"language": lang,
                     f"our {REFERENCE_VARIANT} MB": float(ref["uncompressed_mb"].iloc[0]),
                     "target MB": target})
    return pd.DataFrame(rows)


def shell_form_commands(config: dict) -> list[str]:
    """Which of ENTRYPOINT, CMD and HEALTHCHECK the engine would run through /bin/sh -c."""
    found = []
    if (config.get("Entrypoint") or [])[:2] == ["/bin/sh", "-c"]:
        found.append("ENTRYPOINT")
    if not config.get("Entrypoint") and (config.get("Cmd") or [])[:2] == ["/bin/sh", "-c"]:
        found.append("CMD")
    if ((config.get("Healthcheck") or {}).get("Test") or [""])[0] == "CMD-SHELL":
        found.append("HEALTHCHECK")
    return found
