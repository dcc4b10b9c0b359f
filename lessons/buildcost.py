"""Build costs: a cold build against a warm rebuild after a source-only change.

* **cold**: ``--no-cache``. BuildKit then reuses no layer AND starts every cache mount empty
  (measured on Docker 20.10 and 26.1: a ``--no-cache`` build sees an empty
  ``--mount=type=cache`` and leaves its own content there for the next build), which is what a
  fresh machine (a new Codespace, a CI runner) gets. The base images are already present.
* **warm**: the same build after a one-line change to the app's main source file: the layer
  cache and the cache mounts are as the cold build left them.

The builds happen in a copy of the app's folder, so the learner's files are never touched.
A good stage layout keeps the warm rebuild a small fraction of the cold one; the ratio and the
steps that ran again are the figures to read.
"""


from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import uuid
from pathlib import Path

import pandas as pd
from docker.errors import DockerException

from . import build, lab, session
from .catalog import Variant
from .labels import managed

# The file a developer edits most: a one-line change here is "a source-only change".
SOURCE_FILE = {"go": "main.go", "java": "src/main/java/sizedrop/App.java",
               "python": "sizedrop_app/app.py"}
LABELS = {"sizedrop.built-for": "buildcost"}


def _tag(v: Variant) -> str:
    return f"sizedrop.invalid/buildcost-{v.language}:{session.named(v.variant)}"


def touch_source(context: Path, language: str) -> Path:
    """Append a comment line to the app's main source file. The line is new every time (it
    carries a random token): BuildKit's cache is keyed by content, so a line some earlier
    build already saw would be a cache hit, and the "warm rebuild" would rebuild nothing."""
    path = Path(context) / SOURCE_FILE[language]
    comment = "#" if language == "python" else "//"
    with path.open("a") as f:
        f.write(f"\n{comment} source-only change {uuid.uuid4().hex}, made by lessons.buildcost\n")
    return path


def commands(v: Variant, image_set: str, client=None, dockerfile: Path | None = None) -> list:
    """What ``measure`` does, as the commands a learner would type (argument lists), with
    the notes between them as strings starting with #."""
    args = lab.build_args(v, image_set, client)
    df = Path(dockerfile or v.dockerfile).name
    copy = session.tmp() / "buildcost" / v.language
    argv = build.build_argv(copy / df, copy, _tag(v), buildargs=args, cwd=copy,
                        labels=managed(**LABELS))
    comment = "#" if v.language == "python" else "//"
    return [["cp", "-r", f"sample_apps/{v.language}", str(copy)], ["cd", str(copy)],
            argv[:4] + ["--no-cache"] + argv[4:],
            "# cold: no layer from the cache, every cache mount empty",
            ["sh", "-c", f"echo '{comment} a one-line change' >> {SOURCE_FILE[v.language]}"],
            argv, "# warm: the same build after a source-only change"]


def measure(client, v: Variant, image_set: str, on_line=None,
            dockerfile: Path | None = None) -> dict:
    """Cold and warm build of ``v`` (or of ``dockerfile``, a variant of its Dockerfile
    placed in the same app folder) in a temporary copy of the app folder."""
    with tempfile.TemporaryDirectory(prefix="buildcost-", dir=session.tmp()) as tmp:
        ctx = Path(tmp) / v.language
        shutil.copytree(v.context, ctx)
        file = ctx / (Path(dockerfile).name if dockerfile else v.dockerfile.name)
        if dockerfile:
            shutil.copy(dockerfile, file)
        args = lab.build_args(v, image_set, client)
        cold = build.build(client, ctx, file, _tag(v), buildargs=args, nocache=True,
                       on_line=on_line, labels=LABELS)
        touch_source(ctx, v.language)
        warm = build.build(client, ctx, file, _tag(v), buildargs=args, on_line=on_line,
                       labels=LABELS)
    try:
        client.images.remove(_tag(v))
    except DockerException:
        pass
    ran = [s for s in warm.ran() if s.instruction.split()[0] in ("RUN", "COPY", "ADD")]
    return {
        "language": v.language, "variant": v.variant,
        "dockerfile": Path(dockerfile).name if dockerfile else v.dockerfile.name,
        "builder": warm.builder,
        "cold_s": round(cold.seconds, 1), "warm_s": round(warm.seconds, 1),
        "warm_over_cold": round(warm.seconds / cold.seconds, 3) if cold.seconds else None,
        "steps": len(warm.steps), "cached_steps": warm.cached_steps,
        "rebuilt_steps": "; ".join(f"[{s.stage} {s.index}] {s.instruction[:60]}"
                                   for s in ran),
    }


def table(client, variants: list[Variant], image_set: str) -> pd.DataFrame:
    return pd.DataFrame([measure(client, v, image_set) for v in variants])


def print_commands(v: Variant, image_set: str, client=None, dockerfile=None) -> None:
    """``commands`` as a learner types them in a notebook's folder: the copy made from there
    (and the demo Dockerfile with it), the source change as typed, not as ``sh -c '...'``."""
    here = os.getcwd()
    for i, line in enumerate(commands(v, image_set, client, dockerfile)):
        if i == 0 and not isinstance(line, str) and line[:2] == ["cp", "-r"]:
            copy = line[3]
            line = ["cp", "-r", build._shown_path(v.context, here), copy]
            if dockerfile:
                print("$ " + shlex.join(line))
                line = ["cp", build._shown_path(os.path.abspath(dockerfile), here), copy]
        if isinstance(line, str):
            print(line)
        elif line[:2] == ["sh", "-c"]:
            print(f"$ {line[2]}")
        else:
            print("$ " + shlex.join(line))
