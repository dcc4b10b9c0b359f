"""Build costs: a cold build (no cache) against a warm rebuild after a source-only change.

The rebuild happens in a copy of the app's folder, so the learner's files are never touched.
A good layer order (dependencies before source) keeps the warm rebuild a small fraction of the
cold one; the ratio is the figure to read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import build as B
from . import lab
from .catalog import Variant

# The file a developer edits most: a one-line change here is "a source-only change".
SOURCE_FILE = {"go": "main.go", "java": "src/main/java/sizedrop/App.java",
               "python": "sizedrop_app/app.py"}


def touch_source(context: Path, language: str, n: int = 1) -> Path:
    path = Path(context) / SOURCE_FILE[language]
    comment = "#" if language == "python" else "//"
    with path.open("a") as f:
        f.write(f"\n{comment} source-only change number {n}, made by lessons.buildcost\n")
    return path


def measure(client, v: Variant, image_set: str, on_line=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="sizedrop-build-") as tmp:
        ctx = Path(tmp) / v.language
        shutil.copytree(v.context, ctx)
        args = lab.build_args(v, image_set)
        tag = f"sizedrop.invalid/buildcost-{v.language}:{v.variant}"
        dockerfile = ctx / v.dockerfile.name
        cold = B.build(client, ctx, dockerfile, tag, buildargs=args, nocache=True,
                       on_line=on_line, labels={"sizedrop.built-for": "buildcost"})
        touch_source(ctx, v.language)
        warm = B.build(client, ctx, dockerfile, tag, buildargs=args, on_line=on_line,
                       labels={"sizedrop.built-for": "buildcost"})
    try:
        client.images.remove(tag)
    except Exception:
        pass
    return {
        "language": v.language, "variant": v.variant,
        "cold_s": round(cold.seconds, 1), "warm_s": round(warm.seconds, 1),
        "warm_over_cold": round(warm.seconds / cold.seconds, 3) if cold.seconds else None,
        "steps": len(warm.steps), "cached_steps": warm.cached_steps,
        "rebuilt_steps": "; ".join(s.instruction[:60] for s in warm.steps
                                   if not s.cached and s.instruction.split()[0] in
                                   ("RUN", "COPY", "ADD")),
    }


def table(client, variants: list[Variant], image_set: str) -> pd.DataFrame:
    return pd.DataFrame([measure(client, v, image_set) for v in variants])
