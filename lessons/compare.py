"""``python -m lessons compare``: build every variant, check it answers, and size it.

Without an engine the same table comes from the recorded run (``lessons/recorded``), and
says so in its ``source`` column.
"""

from __future__ import annotations

import pandas as pd

from . import engine as E
from . import lab
from . import recorded
from .catalog import variants

COLUMNS = ["language", "variant", "uncompressed_mb", "compressed_mb", "layers",
           "drop_pct", "compressed_drop_pct", "engine_mb", "answered", "image",
           "image_set", "engine_version", "storage_driver", "architecture", "date", "source"]


def add_drops(df: pd.DataFrame) -> pd.DataFrame:
    """Drop against the same language's single-stage image, in percent (positive = smaller)."""
    df = df.copy()
    for col, out in (("uncompressed_mb", "drop_pct"), ("compressed_mb", "compressed_drop_pct")):
        single = df[df["variant"] == "single-stage"].set_index("language")[col]
        base = df["language"].map(single)
        df[out] = ((1 - df[col] / base) * 100).round(1)
    return df


def live(languages=None, names=None, image_set=None, *, client=None, check=True,
         log=print) -> pd.DataFrame:
    """Build, check and measure on the engine. ``log`` gets one line per step."""
    client = client or E.connect()
    chosen = lab.ensure_ready(client, image_set)
    todo = variants(languages, names)
    prov = lab.provenance(client, chosen)
    rows = []
    for i, v in enumerate(todo, start=1):
        log(f"[{i}/{len(todo)}] {v}: building ({lab.command(v, chosen)})")
        result = lab.build_variant(client, v, chosen)
        log(f"[{i}/{len(todo)}] {v}: built in {result.seconds:.1f} s "
            f"({result.cached_steps}/{len(result.steps)} steps from cache)")
        row = {"language": v.language, "variant": v.variant}
        if check:
            answer = lab.check_answers(client, v.tag(chosen), v.language)
            row.update(answer)
            log(f"[{i}/{len(todo)}] {v}: started, "
                f"{'answered correctly' if answer['answered'] else 'WRONG ANSWER'} "
                f"after {answer['healthy_s']} s")
        row.update(lab.measure_image(client, v.tag(chosen), prov))
        rows.append(row)
    return tidy(pd.DataFrame(rows))


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = add_drops(df)
    return df[[c for c in COLUMNS if c in df.columns]].reset_index(drop=True)


def table(languages=None, names=None, image_set=None, *, log=print,
          allow_recorded=True) -> pd.DataFrame:
    """Live when an engine answers, otherwise the recorded run (labelled as such)."""
    if E.reachable() or not allow_recorded:
        return live(languages, names, image_set, log=log)
    df = recorded.sizes(languages, names)
    log(recorded.banner())
    return df


def render(df: pd.DataFrame) -> str:
    """The table as a learner reads it in a terminal."""
    shown = df[["language", "variant", "uncompressed_mb", "compressed_mb", "layers",
                "drop_pct"]].copy()
    shown.columns = ["language", "variant", "size MB", "compressed MB", "layers",
                     "drop vs single-stage"]
    shown["drop vs single-stage"] = df["drop_pct"].map(
        lambda x: "-" if x == 0 else f"-{x:.1f}%")
    first = df.iloc[0]
    foot = (f"source: {first['source']} run, image set '{first['image_set']}', Docker "
            f"{first['engine_version']} ({first['storage_driver']}, {first['architecture']}), "
            f"{first['date']}. Sizes are layer tars from `docker save` "
            "(compressed: gzip -6), 1 MB = 10^6 bytes.")
    return shown.to_string(index=False) + "\n" + foot
