"""Tables as the notebooks show them: the provenance every table carries (image set, engine,
date; live or recorded) kept through selections, shown in the caption; and the arithmetic on
measured sizes (pull times, fleets)."""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from . import catalog, plots
from .cells import need_table
from .errors import LabError


def pull_seconds(df: pd.DataFrame, mbit_per_s, nodes: int = 1,
                 registry_mbit: float | None = None) -> pd.DataFrame:
    """Seconds to download each image's compressed layers at ``mbit_per_s`` (a number or a
    list), for ``nodes`` nodes pulling at once through a registry link of ``registry_mbit``
    (shared; None = unlimited). Pure arithmetic on measured sizes: 1 MB = 8 Mbit."""
    need_table(df, "pull_seconds")
    speeds = [mbit_per_s] if isinstance(mbit_per_s, (int, float)) else list(mbit_per_s)
    _positive("pull_seconds", *speeds, nodes, *([registry_mbit] if registry_mbit else []))
    rows = []
    for _, r in df.iterrows():
        row = {"language": r["language"], "variant": r["variant"],
               "compressed_mb": r["compressed_mb"]}
        for s in speeds:
            per_node = s if registry_mbit is None else min(s, registry_mbit / nodes)
            row[f"{s:g} Mbit/s"] = round(r["compressed_mb"] * 8 / per_node, 1)
        rows.append(row)
    return keep_provenance(pd.DataFrame(rows), df)


# Columns that say where a table's figures come from; a table shows them in its caption.
PROVENANCE_COLUMNS = ("source", "image_set", "engine_version", "storage_driver",
                      "architecture", "date")


def provenance(df: pd.DataFrame) -> dict:
    """Where ``df``'s figures come from: what ``columns`` (and the other helpers here) kept in
    ``df.attrs``, or else the provenance columns of its first row. {} when it does not say."""
    kept = need_table(df, "provenance").attrs.get("provenance")
    if kept:
        return dict(kept)
    if "source" not in df.columns or not len(df):
        return {}
    row = df.iloc[0]
    return {k: str(row[k]) for k in PROVENANCE_COLUMNS
            if k in df.columns and pd.notna(row[k]) and str(row[k])}


def keep_provenance(out: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """``out``, a table made from ``df``, marked with ``df``'s provenance."""
    where = provenance(df)
    if where:
        out.attrs["provenance"] = where
    return out


def provenance_text(where: dict) -> str:
    """'local image set, Docker 26.1.5, measured live 2026-12-02', or '..., recorded
    2026-11-29 (replayed)'; "" when the source is unknown."""
    src = where.get("source", "")
    if not src:
        return ""
    parts = []
    if where.get("image_set"):
        parts.append(f"{where['image_set']} image set")
    if where.get("engine_version"):
        parts.append(f"Docker {where['engine_version']}")
    parts.append(f"measured live {where.get('date', '')}".strip() if src == "live"
                 else f"{src} (replayed)")
    return ", ".join(parts)


def _positive(what: str, *values) -> None:
    """Speeds and counts are positive numbers: one line if one is not."""
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0]
    if bad:
        raise LabError(f"{what}: {bad[0]!r} is not a positive number",
                       "speeds are Mbit/s and node counts whole numbers, all above 0")


def _decimals(values: pd.Series, most: int = 4) -> int:
    """How many decimals a float column needs to show what it holds (1 to ``most``)."""
    needed = 1
    for v in values.dropna():
        text = f"{float(v):.{most}f}".rstrip("0")
        needed = max(needed, len(text.split(".", 1)[1]) if "." in text else 0)
    return needed


def show(df: pd.DataFrame, caption: str = ""):
    """A table with its provenance in the caption (image set, engine and date; live, or
    recorded and replayed), whichever columns it kept. No index; each float column with as
    many decimals as its values have (at most 4)."""
    need_table(df, "show")
    where = provenance_text(provenance(df))
    if where and where not in caption:
        caption = f"{caption}; {where}" if caption else where
    if where:   # the caption says it; the columns would only repeat it on every row
        df = df.drop(columns=[c for c in PROVENANCE_COLUMNS
                              if c in df.columns and df[c].nunique(dropna=False) <= 1])
    formats = {c: f"{{:.{_decimals(df[c])}f}}" for c in df.columns
               if pd.api.types.is_float_dtype(df[c])}
    styled = df.style.format(formats, na_rep="").hide(axis="index")
    return styled.set_caption(caption) if caption else styled


def columns(df: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """The columns ``names`` of ``df``, in that order, keeping where the figures come from
    (for ``show``'s caption). A name the table does not have is an error, not a silent gap."""
    need_table(df, "columns")
    names = [names] if isinstance(names, str) else list(names)
    missing = [n for n in names if n not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns))
        if provenance(df).get("source", "").startswith("recorded"):
            hint = (f"the recorded run is older than this notebook (its table has: {have}); "
                    "re-record it with `python -m lessons record`")
        else:
            hint = f"this table has: {have}"
        raise LabError(f"no column {', '.join(missing)} in this table", hint)
    return keep_provenance(df[names].copy(), df)


def smallest(df: pd.DataFrame, column: str = "uncompressed_mb") -> pd.DataFrame:
    """Per language, the variant(s) with the smallest value; ties (equal after the table's
    rounding) are all kept, so a tie is reported as a tie."""
    columns(df, ["language", "variant", column])
    out = []
    for lang, sub in df.groupby("language", sort=False):
        best = sub[column].min()
        out.append({"language": lang, "smallest": " = ".join(sub[sub[column] == best]
                                                            ["variant"]), column: best})
    return keep_provenance(pd.DataFrame(out), df)


def plot_fleet(df: pd.DataFrame, nodes=(1, 5, 10, 25, 50, 100), node_mbit: float = 1000,
               registry_mbit: float = 10000, language: str | None = None):
    """Seconds until every node of a fleet has pulled the image (all nodes start together and
    share the registry's uplink), per variant; computed from measured compressed sizes."""
    import matplotlib.pyplot as plt   # when drawn: importing pyplot writes the font cache

    columns(df, ["language", "variant", "compressed_mb"])
    _positive("nodes", *nodes, node_mbit, registry_mbit)
    if language is not None:
        catalog.variants(language)
    sub = df if language is None else df[df["language"] == language]
    fig, ax = plt.subplots(figsize=(plots.WIDTH_IN, 4))
    for _, r in sub.iterrows():
        secs = [r["compressed_mb"] * 8 / min(node_mbit, registry_mbit / n) for n in nodes]
        ax.plot(nodes, secs, marker="o", color=plots.COLOURS[r["variant"]],
                linestyle="-" if language else {"go": "-", "java": "--", "python": ":"}[
                    r["language"]], label=f"{r['language']} {r['variant']}")
    ax.set_xlabel("nodes pulling at the same time")
    ax.set_ylabel("seconds until the last node has the image")
    ax.set_yscale("log")
    ax.set_title(f"Pull time for a fleet: {node_mbit:g} Mbit/s per node, registry uplink "
                 f"{registry_mbit:g} Mbit/s shared", fontsize=11)
    fig.text(0.5, -0.02, "computed from the compressed sizes: " + plots.source_line(df),
             ha="center", fontsize=8, color="#444444")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
