"""Modern Dockerfile syntax: what each engine's built-in frontend accepts, and what
``COPY --link`` and heredocs change, measured (notebooks/demos/modern-syntax/).

Checked on 2026-12-07: Docker 28.5.2's built-in frontend (buildx 0.29.1) takes ``COPY
--link`` and ``RUN <<EOT`` heredocs; Docker 20.10.24's (BuildKit 0.8, buildx 0.13.1) stops at
"Unknown flag: link" and reads a heredoc's lines as instructions ("unknown instruction").
``# syntax=docker/dockerfile:1`` fails on both here: BuildKit asks a registry for that
frontend image, and this room has none. So the lab's Dockerfiles carry no ``# syntax=`` line
and use only what both built-in frontends take; a demo that needs more says which engine.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pandas as pd

from . import build, catalog, imagesets, labels, session
from .errors import EngineUnavailable, LabError

DEMOS = catalog.REPO_ROOT / "notebooks" / "demos" / "modern-syntax"
LINK = DEMOS / "copy-link.dockerfile"
HEREDOC = DEMOS / "heredoc.dockerfile"
CHAIN = DEMOS / "chain.dockerfile"
GO_CONTEXT = catalog.SAMPLE_APPS / "go"
# What benchmarks/modern_syntax.py recorded, for the notebook in replay.
RECORDED = {name: catalog.REPO_ROOT / "benchmarks" / f"{name}.csv"
            for name in ("modern-syntax", "copy-link", "heredoc-layers")}
# The two final-stage bases a rebuild switches between (both distroless, both nonroot).
BASES = ("DISTROLESS_STATIC_IMAGE", "DISTROLESS_BASE_IMAGE")

# One small Dockerfile per feature; the base image is the set's Debian slim.
FEATURES = {
    "COPY --link": "FROM {debian}\nCOPY --link probe.txt /probe.txt\n",
    "RUN heredoc": "FROM {debian}\nRUN <<EOT\nset -eu\necho one > /one\nEOT\n",
    "# syntax=docker/dockerfile:1": "# syntax=docker/dockerfile:1\nFROM {debian}\n"
                                   "COPY probe.txt /probe.txt\n",
}


def base(arg: str, image_set: str) -> str:
    """The image a base-image ARG names in ``image_set`` (official tag or local lookalike)."""
    b = next(b for b in imagesets.BASE_IMAGES if b.arg == arg)
    return b.local if image_set == "local" else b.official


def _run(argv: list[str], cwd: Path | None = None) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600)
    except OSError as err:
        raise EngineUnavailable(f"could not run the docker CLI: {err}",
                                "check the docker CLI with `docker version`") from None
    return done.returncode, done.stdout + done.stderr, time.monotonic() - started


def engine_words(log: str) -> str:
    """The line of a failed build that says why: the last ERROR line, else the last line."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR" in line or "error" in line]
    return (errors or lines or ["(no output)"])[-1][:300]


def accepts(image_set: str) -> pd.DataFrame:
    """Build each feature's one-line Dockerfile (no output kept: nothing to clean up) and
    say whether this engine's built-in frontend took it, in the engine's own words if not."""
    folder = session.tmp() / "modern-syntax"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "probe.txt").write_text("probe\n")
    debian = base("DEBIAN_IMAGE", image_set)
    rows = []
    for feature, text in FEATURES.items():
        name = "probe-" + "".join(c if c.isalnum() else "-" for c in feature) + ".dockerfile"
        (folder / name).write_text(text.format(debian=debian))
        code, log, _ = _run(["docker", "buildx", "build", "--progress=plain", "-f", name, "."],
                            cwd=folder)
        rows.append({"feature": feature, "accepted": code == 0,
                     "engine said": "" if code == 0 else engine_words(log)})
    return pd.DataFrame(rows)


def _link_variants(folder: Path) -> dict[str, Path]:
    """copy-link.dockerfile as it is, and the same file with ``--link`` taken out."""
    plain = folder / "copy-plain.dockerfile"
    plain.write_text(LINK.read_text().replace("COPY --link ", "COPY "))
    return {"COPY --link": LINK, "COPY": plain}


def link_rebuilds(image_set: str, rounds: int = 3) -> pd.DataFrame:
    """Rebuild copy-link.dockerfile, and the same without --link, on a new final-stage base
    each round (the set's distroless static plus a fresh one-file layer: what a base image
    update looks like to BuildKit): whole build seconds and the copy step as BuildKit
    reported it ('DONE 0.0s' when --link only stacked the cached layer on the new base)."""
    folder = session.tmp() / "modern-syntax"
    folder.mkdir(parents=True, exist_ok=True)
    variants = _link_variants(folder)
    stamp = f"sizedrop.invalid/work:{session.named('new-base')}"
    tag = f"sizedrop.invalid/work:{session.named('copy-link')}"
    args = {"GO_IMAGE": base("GO_IMAGE", image_set), "RUNTIME_IMAGE": stamp}
    rows = []
    try:
        for i in range(rounds + 1):   # round 0 only warms the cache
            (folder / "stamp.txt").write_text(f"{time.time_ns()}\n")
            (folder / "new-base.dockerfile").write_text(
                f"FROM {base(BASES[0], image_set)}\nCOPY stamp.txt /stamp.txt\n")
            _build(build.build_argv(folder / "new-base.dockerfile", folder, stamp,
                                    labels={labels.MANAGED: "true"}), "the new base")
            for variant, dockerfile in variants.items():
                argv = build.build_argv(dockerfile, GO_CONTEXT, tag, buildargs=args,
                                        labels={labels.MANAGED: "true"})
                log, seconds = _build(argv, dockerfile.name)
                if i:
                    rows.append({"copy": variant, "round": i, "seconds": round(seconds, 2),
                                 "copy step": _copy_step(log)})
    finally:
        _run(["docker", "image", "rm", tag, stamp])
    return pd.DataFrame(rows)


def _build(argv: list[str], what: str) -> tuple[str, float]:
    code, log, seconds = _run(argv)
    if code != 0:
        raise LabError(f"building {what} failed: {engine_words(log)}",
                       "COPY --link and heredocs need Docker 23+ (BuildKit 0.10+)")
    return log, seconds


def _copy_step(log: str) -> str:
    """How BuildKit reported the final stage's COPY --from=build: 'CACHED' or 'DONE 0.1s'."""
    step = ""
    for line in log.splitlines():
        head, _, rest = line.partition(" ")
        if "COPY" in rest and "--from=build" in rest:
            step = head
        elif step and head == step and rest.startswith(("DONE", "CACHED")):
            return rest.strip()
    return "?"


def layers_alike(image_set: str) -> pd.DataFrame:
    """heredoc.dockerfile and chain.dockerfile built side by side: layers and what the
    step wrote, so the learner sees the heredoc changes the reading, not the image."""
    rows = []
    args = {"DEBIAN_IMAGE": base("DEBIAN_IMAGE", image_set)}
    for name, dockerfile in (("RUN heredoc", HEREDOC), ("&& chain", CHAIN)):
        tag = f"sizedrop.invalid/work:{session.named(dockerfile.stem)}"
        argv = build.build_argv(dockerfile, DEMOS, tag, buildargs=args,
                                labels={labels.MANAGED: "true"})
        _build(argv, dockerfile.name)
        _, layers, _ = _run(["docker", "image", "inspect", "--format",
                             "{{len .RootFS.Layers}}", tag])
        _, listing, _ = _run(["docker", "run", "--rm", "--label", f"{labels.MANAGED}=true",
                              "--label", f"{labels.SESSION}={session.current()}",
                              "--user", "0", tag, "stat", "-c", "%u:%g %s %n",
                              "/srv/data/greeting"])
        _run(["docker", "image", "rm", tag])
        rows.append({"Dockerfile": name, "layers": int(layers.strip() or 0),
                     "/srv/data holds": listing.strip() or "?"})
    return pd.DataFrame(rows)
