"""The workshop challenge (notebook 07): slim a fat Dockerfile below a measured target.

The check itself is lessons.exercises (exercise ``07-challenge-<language>``): it builds the
learner's file with the command it prints, runs the image under the lab's safe defaults, asks
it the contract basics, reads the engine's health verdict, rejects commands that cannot run
without a shell, and compares the size with the target.

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

HERE = catalog.REPO_ROOT / "notebooks" / "challenge"
TARGET_FACTOR = 1.2
REFERENCE_VARIANT = "distroless"

HINTS = {
    "go": "build a static binary (CGO_ENABLED=0, -ldflags=\"-s -w\") in a build stage and copy "
          "only it onto ${DISTROLESS_STATIC_IMAGE} or scratch",
    "java": "copy only the jar onto ${DISTROLESS_JAVA_IMAGE}, or a jlink runtime onto "
            "${DISTROLESS_JAVA_BASE_IMAGE}; a full JRE image is over the target",
    "python": "build the venv with Debian's python3 (same path and ABI as distroless), remove "
              "pip, and copy the venv and the app onto ${DISTROLESS_PYTHON_IMAGE}",
}


def starting_point(language: str):
    return HERE / f"{language}.dockerfile"


def solution(language: str):
    return HERE / "solutions" / f"{language}.dockerfile"


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
