"""``python -m lessons record``: a full live run, saved for replay mode.

Everything the notebooks show when no engine answers comes from here, measured, never typed.
Writes ``lessons/recorded/*.csv``, the notebooks' command transcripts
(``lessons/recorded/transcripts/``) and ``provenance.json`` (date, image set, engine, builder,
storage driver, architecture, the command, and how long each part took).

Parts (``--only`` picks some): sizes, inventory, layers, runtime, buildcost, probes,
exercises, demos (layer tables of the demo images notebook 05 reads), transcripts.
"""


from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from docker.errors import DockerException

from . import (
    buildcost,
    catalog,
    compare,
    engine,
    exercises,
    inventory,
    lab,
    layers,
    probes,
    runtime,
    transcripts,
)
from .build import has_buildx
from .errors import LabError, explain
from .catalog import variants
from .sources import RECORDED, LiveSource

PARTS = ("sizes", "inventory", "layers", "runtime", "buildcost", "probes", "exercises",
         "demos", "transcripts")
# Demo images a notebook reads with lab.image_layers, and the command that builds each there
# (run in notebooks/, with the build arguments in the environment as in a notebook).
DEMO_LAYERS = {
    "sizedrop.invalid/demo:cache-deleted":
        "docker build -q --build-arg DEBIAN_IMAGE -f demos/cache-deleted-later.dockerfile "
        "--label sizedrop.managed=true -t sizedrop.invalid/demo:cache-deleted demos",
}
# Build costs recorded: the multi-stage image of each app (the layer order the series
# teaches) and the smallest image of each; plus Go without cache mounts, for notebook 02.
BUILDCOST = [("go", "multi-stage"), ("go", "scratch"), ("java", "multi-stage"),
             ("java", "jlink"), ("python", "multi-stage"), ("python", "distroless")]
NO_CACHE_MOUNT = catalog.REPO_ROOT / "notebooks" / "demos" / "go-without-cache-mounts.dockerfile"


def main(argv: list[str] | None = None, only=None, out: Path = RECORDED,
         notebooks: list[str] | None = None) -> None:
    unknown = sorted(set(only or ()) - set(PARTS))
    if unknown:   # before any work
        raise LabError(f"no part called {', '.join(unknown)} to record",
                       "parts: " + ", ".join(PARTS))
    client = engine.connect()
    image_set = lab.ensure_ready(client)
    # The exercises' `docker build --build-arg NAME` commands take their values from the
    # environment, as in a notebook (Lab.start sets them): base images and offline pip.
    lab.apply_build_env(lab.build_env(client, image_set))
    out.mkdir(exist_ok=True)
    todo = variants()
    tags = {(v.language, v.variant): v.tag() for v in todo}
    timings: dict = {}
    wanted = set(only or PARTS)
    prov_file = out / "provenance.json"
    prov = json.loads(prov_file.read_text()) if prov_file.exists() and only else {}

    command = " ".join(["python -m lessons record"] + (["--only", *only] if only else [])
                       + (["--notebooks", *notebooks] if notebooks else []))
    # How each part was taken, written here and nowhere else (a string there was by hand).
    parts = prov["parts"] if isinstance(prov.get("parts"), dict) else {}
    prov["parts"] = parts

    def part(name, fn):
        if name not in wanted:
            return
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        df = fn()
        timings[name] = round(time.monotonic() - t0, 1)
        parts[name] = {"commit": commit(), "date": engine.today(), "command": command,
                       "engine_version": engine.describe(client)["engine_version"]}
        if df is not None:
            df.to_csv(out / f"{name}.csv", index=False)
            print(df.to_string(index=False)[:4000], flush=True)

    part("sizes", lambda: compare.live(image_set=image_set, client=client))

    def surface():
        rows = []
        for (lang, var), tag in tags.items():
            rows.append({"language": lang, "variant": var,
                         **inventory.image_summary(client, tag)})
        return pd.DataFrame(rows)

    part("inventory", surface)

    def layer_tables():
        frames = []
        for (lang, var), tag in tags.items():
            t = layers.summary_table(client, tag)
            t.insert(0, "variant", var)
            t.insert(0, "language", lang)
            frames.append(t)
        return pd.concat(frames, ignore_index=True)

    part("layers", layer_tables)
    part("runtime", lambda: runtime.table(client, tags, runs=3))

    def build_costs():
        rows = [buildcost.measure(client, catalog.Variant(lang, var), image_set)
                for lang, var in BUILDCOST]
        rows.append(buildcost.measure(client, catalog.Variant("go", "multi-stage"), image_set,
                                      dockerfile=NO_CACHE_MOUNT))
        return pd.DataFrame(rows)

    part("buildcost", build_costs)

    def probe_tables():
        probe_rows, answer_rows, file_frames = [], [], []
        for v in todo:
            tag = v.tag()
            print(f"   probes: {v}", flush=True)
            for name, fn in probes.PROBES.items():
                if name in probes.ONLY and v.variant not in probes.ONLY[name]:
                    continue
                try:
                    result = fn(client, tag)
                except (LabError, DockerException) as err:  # an outcome too
                    result = f"probe failed: {explain(err).message[:200]}"
                probe_rows.append({"probe": name, "language": v.language,
                                   "variant": v.variant, "result": result})
            for row in probes.answers(client, tag):
                answer_rows.append({"language": v.language, "variant": v.variant, **row})
            f = inventory.folders_live(client, tag)
            f.insert(0, "variant", v.variant)
            f.insert(0, "language", v.language)
            file_frames.append(f)
        pd.DataFrame(probe_rows).to_csv(out / "probes.csv", index=False)
        pd.DataFrame(answer_rows).to_csv(out / "answers.csv", index=False)
        pd.concat(file_frames, ignore_index=True).to_csv(out / "files.csv", index=False)
        return None

    part("probes", probe_tables)

    def exercise_checks():
        source = LiveSource(client, image_set)
        rows = []
        with tempfile.TemporaryDirectory(prefix="sizedrop-record-work-") as root:
            for ex in exercises.EXERCISES:
                for which in ("mistake", "solution"):
                    print(f"   {ex}: {which}", flush=True)
                    res = exercises.simulate(ex, source, which, Path(root))
                    print("   " + res.headline().replace("\n", "\n   "), flush=True)
                    rows += exercises.rows(res, which)
        return pd.DataFrame(rows)

    part("exercises", exercise_checks)

    def demo_layers():
        frames = []
        for image, command in DEMO_LAYERS.items():
            print(f"   $ {command}", flush=True)
            subprocess.run(command.split(), check=True, cwd=catalog.REPO_ROOT / "notebooks",
                           stdout=subprocess.DEVNULL)
            t = layers.summary_table(client, image)
            t.insert(0, "image", image)
            frames.append(t)
        return pd.concat(frames, ignore_index=True)

    part("demos", demo_layers)

    def notebook_transcripts():
        work = exercises.work_root()
        if work.exists() and any(work.iterdir()):
            # The notebooks build the learner's work folders from their starting points:
            # record from those, and keep whatever was there.
            aside = work.with_name(f"{work.name}.before-record-{int(time.time())}")
            work.rename(aside)
            print(f"   moved the existing work folders to {aside}", flush=True)
        for nb in sorted((catalog.REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
            if notebooks and nb.stem not in notebooks and nb.stem[:2] not in notebooks:
                continue
            print(f"   {nb.name}", flush=True)
            run_notebook(nb)
        return None

    part("transcripts", notebook_transcripts)

    info = engine.describe(client)
    prov.update(lab.provenance(client, image_set))
    prov.pop("source", None)
    prov.update({"command": command, "builder":
                 "BuildKit (docker buildx build)" if has_buildx() else "classic",
                 "engine_os": info.get("os", ""), "cgroup_version": info.get("cgroup_version")})
    prov["note"] = ("Written by `python -m lessons record`; `parts` says when, from which "
                    "commit and by which command each part was taken.")
    # Times of parts that are no longer in the record (an older run's names) do not stay.
    seconds = {k: v for k, v in prov.get("seconds_per_part", {}).items()
               if k in prov.get("parts", {})}
    prov["seconds_per_part"] = {**seconds, **timings}
    prov_file.write_text(json.dumps(prov, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)


def commit() -> str:
    """The repository's commit, with ``-dirty`` when its files differ from it (the record's
    own output folder aside: an earlier part of the same run writes there); "unknown"
    outside a git checkout (a wheel)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=catalog.REPO_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    try:
        head = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                    ":(exclude)lessons/recorded")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def run_notebook(path: Path, timeout: int = 1800) -> None:
    """Execute one notebook live with its shell commands recorded (lessons.transcripts);
    the notebook file itself is not changed."""
    env = dict(os.environ, **{transcripts.ENV_MODE: "record"})
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                        "--execute", f"--ExecutePreprocessor.timeout={timeout}",
                        "--output-dir", tmp, str(path)], check=True, env=env,
                       cwd=path.parent)
