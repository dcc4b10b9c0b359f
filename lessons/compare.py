"""``python -m lessons compare``: build every variant, check it answers, and size it.

Without an engine the same table comes from the recorded run (``lessons/recorded``), and
says so in its ``source`` column. With an engine that reaches no registry and no local image
set yet, it builds the local set first (lessons.localset), with progress.
"""

from __future__ import annotations

import pandas as pd

from . import bake, build, engine, imagesets, lab, localset, platforms, sizes
from .catalog import variants
from .errors import ImagesUnavailable, LabError
from .sources import recorded as recorded_run
from .sources import select

COLUMNS = sizes.COLUMNS
tidy = sizes.tidy
add_drops = sizes.add_drops


def ready_image_set(client, image_set=None, log=print, target: platforms.Target | None = None) -> str:
    """The image set to build with; builds the local lookalikes first when the engine reaches
    no registry and they are missing (the step a new learner would otherwise have to find).
    For a ``target`` other than the engine's own platform, its lookalikes too."""
    try:
        return lab.ensure_ready(client, image_set, target)
    except ImagesUnavailable:
        wanted = image_set or imagesets.requested()
        if wanted == "official":
            raise
    log("no registry answers this engine and the local image set is not built yet: building "
        "it now from Debian packages (once; about 5 minutes"
        + (f", and under emulation for {target.platform}: much longer" if target is not None
           and target.foreign else "") + ")")

    def progress(i, n, name, state):
        log(f"  [{i}/{n}] {name}: {state}")

    localset.build_all(client, progress=progress)
    if target is not None and target.foreign:
        localset.build_all(client, progress=progress, target=target)
    return lab.ensure_ready(client, "local", target)


def live(languages=None, names=None, image_set=None, *, client=None, check=True,
         log=print, platform: str | platforms.Target | None = None,
         use_bake: bool = True) -> pd.DataFrame:
    """Build, check and measure on the engine. ``log`` gets one line per step. ``platform``
    (default ``$LESSONS_PLATFORM``, else the engine's own) builds and runs the images for
    another platform, under emulation. With ``use_bake`` (and buildx, for the engine's own
    platform) every image is built first in one ``docker buildx bake`` (lessons.bake), so
    shared stages build once and independent steps run side by side."""
    todo = variants(languages, names)   # bad names: one line, before any work
    client = client or engine.connect()
    target = lab.target(client, platform)
    if target.foreign:
        problem = localset.cross_problem(client, target)
        if problem:
            raise LabError(f"this engine cannot build and run {target.platform} images: "
                           f"{problem}", platforms.EMULATION_HINT if "binfmt" in problem or "entry"
                           in problem else localset._CROSS_HINT)
        log(f"target platform {target}: images are built and run under emulation")
    chosen = ready_image_set(client, image_set, log, target)
    prov = lab.provenance(client, chosen, target)
    rows = []
    # The drop is measured against the same language's single-stage image: build and measure
    # it too when it was not asked for, and say so.
    missing = sorted({v.language for v in todo} - {v.language for v in todo
                                                   if v.variant == "single-stage"})
    baseline = variants(missing, "single-stage") if missing else []
    baked = use_bake and not target.foreign and build.has_buildx()
    if baked:
        bake.bake(todo + baseline, bake.bake_env(client, chosen, todo + baseline), log)

    def one(v, shown=True):
        where = f"[{todo.index(v) + 1}/{len(todo)}]" if v in todo else "[baseline]"
        if baked:
            log(f"{where} {v}: built by the bake")
        else:
            log(f"{where} {v}: building\n    $ "
                f"{lab.command(v, chosen, client=client, target=target)}")
            result = lab.build_variant(client, v, chosen, target=target)
            log(f"{where} {v}: built in {result.seconds:.1f} s ({result.cached_steps} of "
                f"{len(result.steps)} steps from the cache)")
        row = {"language": v.language, "variant": v.variant}
        if check:
            answer = lab.check_answers(client, v.tag(chosen, target), v.language,
                                       platform=target.build_platform)
            row.update(answer)
            log(f"{where} {v}: started, "
                f"{'answered correctly' if answer['answered'] else 'WRONG ANSWER'} "
                f"after {answer['healthy_s']} s")
        row.update(sizes.measure(client, v.tag(chosen, target)))
        row.update(prov)
        return row

    for v in todo:
        rows.append(one(v))
    df = pd.DataFrame(rows)
    if baseline:
        log(f"measuring the single-stage image of {', '.join(missing)} too: the drop "
            "column compares against it")
        return tidy(df, pd.DataFrame([one(v) for v in baseline]))
    return tidy(df, None)


def table(languages=None, names=None, image_set=None, *, log=print,
          allow_recorded=True, platform: str | None = None, use_bake: bool = True) -> pd.DataFrame:
    """Live when an engine answers, otherwise the recorded run (labelled as such)."""
    if engine.reachable() or not allow_recorded:
        return live(languages, names, image_set, log=log, platform=platform, use_bake=use_bake)
    recorded = recorded_run()
    log(recorded.banner())
    return select(recorded.table("sizes"), languages, names)   # with its `answered` column


def render(df: pd.DataFrame) -> str:
    """The table as a learner reads it in a terminal."""
    shown = df[["language", "variant", "uncompressed_mb", "compressed_mb", "layers"]].copy()
    shown.columns = ["language", "variant", "size MB", "compressed MB", "layers"]
    shown["drop vs single-stage"] = [
        "-" if v == "single-stage" else ("n/a" if d != d else f"-{d:.1f}%")
        for v, d in zip(df["variant"], df["drop_pct"])]
    first = df.iloc[0]
    foot = (f"source: {first['source']} run, image set '{first['image_set']}', Docker "
            f"{first['engine_version']} ({first['storage_driver']}, {first['architecture']}), "
            f"{first['date']}. Sizes are layer tars from `docker save` "
            "(compressed: gzip -6), 1 MB = 10^6 bytes.")
    return shown.to_string(index=False) + "\n" + foot
