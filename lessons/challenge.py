"""The workshop challenge (notebook 07): slim a service the series never slimmed, below a
measured target.

One service per language from notebooks/transfer/ (``SERVICES``). The check itself is
lessons.exercises (exercise ``07-challenge-<language>``): it builds the learner's file with the
command it prints, compares the size with the target, rejects commands that cannot run without
a shell, and runs lessons.behaviour's check of the service (users, the engine's health verdict,
the service's own cases, no shell, the stop on SIGTERM). Its hints are graded (``GUIDE``).

Targets are not typed in: ``python -m lessons targets`` builds each service's reference slim
image (instructor/transfer/), measures it (uncompressed: the layers' tars, as the check
measures the learner's), traces its floor (lessons.floor, asking the service's own cases), and
writes ``TARGETS``: the target is ``TARGET_FACTOR`` times the reference, rounded up to two
significant figures (and to a whole MB at least), with the engine, buildx, image set, date and
command that measured it. tests/live/test_challenge_targets.py re-measures the references and
fails when a committed figure is off by more than ``TOLERANCE``. The learner's session never
builds a reference (its `docker history` would show the answer).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from . import build, catalog, transfer
from .errors import LabError

TARGET_FACTOR = 1.2
TOLERANCE = 0.05          # how far a re-measured reference may be from the committed figure
SERVICES = {"go": "go-shelf", "java": "java-labels", "python": "python-notes"}
TARGETS = catalog.REPO_ROOT / "notebooks" / "transfer" / "targets.csv"
REFERENCES = catalog.REPO_ROOT / "instructor" / "transfer"
COMMAND = "python -m lessons targets"
COLUMNS = ["language", "service", "target_mb", "reference_mb", "floor_mb", "engine", "buildx",
           "image_set", "measured", "command"]

# The size item's graded hint per language (lessons.exercises.GUIDE): what to look at, then
# which instruction; never a line of the reference.
GUIDE = {
    "go": ("the image ships the whole toolchain with one binary: look at what the final stage "
           "starts from, and at what the binary needs from the machine (read native.go and "
           "shelf.go; `ldd` in the build image tells what it links)",
           "a build stage, then the final FROM: the ARGs name smaller bases, and only some of "
           "them carry the C library this binary is linked against (notebook 06)"),
    "java": ("the image ships a whole JDK to run one jar: look at what the final stage starts "
             "from, and at which Java modules the service uses (some it loads by name)",
             "the final FROM and a stage that links a runtime of its own: even a JRE image is "
             "over the target (notebook 06); jdeps lists what the jar refers to, not what it "
             "loads by name"),
    "python": ("the image ships a full Python build environment to run a few modules of the "
               "standard library: look at what the final stage starts from",
               "the final FROM: the ARGs name a base with the same interpreter and no shell; "
               "keep what the service reads (its package) and the folder it writes"),
}


def service(language: str) -> transfer.Service:
    try:
        return transfer.get(SERVICES[language])
    except KeyError:
        raise LabError(f"no challenge in {language!r}",
                       f"choose one of {', '.join(SERVICES)}") from None


def reference_dockerfile(svc: transfer.Service) -> Path:
    return REFERENCES / f"{svc.name}.dockerfile"


def round_up(mb: float) -> float:
    """Up to two significant figures, and to a whole MB at least."""
    step = 10 ** max(0, math.floor(math.log10(mb)) - 1)
    return float(math.ceil(mb / step) * step)


def targets(path: Path = TARGETS) -> pd.DataFrame:
    """The committed targets (one row per language), as measured by ``COMMAND``."""
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as err:
        raise LabError(f"cannot read the challenge targets in {path.name}: {err}",
                       f"an instructor writes them with `{COMMAND}`") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise LabError(f"{path.name} lacks the column(s) {', '.join(missing)}",
                       f"write it again with `{COMMAND}`")
    return df[COLUMNS]


def target_mb(language: str, path: Path = TARGETS) -> float:
    """The committed target of ``language``'s service, in MB (uncompressed)."""
    df = targets(path)
    row = df[df["language"] == language]
    if not len(row):
        raise LabError(f"no measured target for {language} in {path.name}",
                       f"an instructor measures it with `{COMMAND}`")
    return float(row["target_mb"].iloc[0])


_buildx_version = build.buildx_version


def _floor_mb(client, tag: str, image_set: str, svc: transfer.Service) -> float:
    """The service's traced floor (lessons.floor), asked its own cases while traced."""
    from . import behaviour, floor

    def ask(app):
        for case in svc.cases:
            app.get(case.path, timeout=10)

    counted = floor.traced_floor(client, tag, image_set, python=svc.language == "python",
                                 ask=ask, **behaviour.run_options(svc))
    return counted["floor_bytes"] / 1e6


def measure(client, image_set: str, log=print, languages=None) -> pd.DataFrame:
    """Build each reference once (a tag of this session, removed afterwards), measure its size
    and floor, and return the rows of ``TARGETS``."""
    from . import build, engine, imagesets, session, sizes

    rows = []
    buildx = _buildx_version()
    described = engine.describe(client)
    for language in languages or SERVICES:
        svc = service(language)
        dockerfile = reference_dockerfile(svc)
        tag = f"sizedrop.invalid/reference:{session.named(svc.name)}"
        log(f"$ docker build -f {dockerfile.relative_to(catalog.REPO_ROOT)} -t {tag} "
            f"{svc.folder.relative_to(catalog.REPO_ROOT)}")
        build.build(client, svc.folder, dockerfile, tag,
                    buildargs=imagesets.build_args(dockerfile, image_set))
        try:
            ref = sum(x.size for x in sizes.layer_sizes(client, tag)) / sizes.MB
            log(f"{svc.name}: reference {ref:.1f} MB; tracing its floor")
            floor_mb = _floor_mb(client, tag, image_set, svc)
        finally:
            client.images.remove(tag)
        rows.append({"language": language, "service": svc.name,
                     "target_mb": round_up(ref * TARGET_FACTOR), "reference_mb": round(ref, 1),
                     "floor_mb": round(floor_mb, 1),
                     "engine": f"Docker {described['engine_version']} "
                               f"({described['storage_driver']})",
                     "buildx": buildx, "image_set": image_set, "measured": engine.today(),
                     "command": COMMAND})
    return pd.DataFrame(rows, columns=COLUMNS)


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
