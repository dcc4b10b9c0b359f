"""Charts for the notebooks: one colour per variant everywhere, colour-blind safe
(the Okabe-Ito palette), titles that name the image set, the engine and the date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalog import VARIANTS


def _pyplot():
    # Imported when a chart is drawn, not when this module is: importing pyplot writes
    # matplotlib's font cache and picks a display backend.
    import matplotlib.pyplot as plt
    return plt

COLOURS = {
    "single-stage": "#D55E00",   # vermillion
    "multi-stage": "#E69F00",    # orange
    "distroless": "#009E73",     # bluish green
    "scratch": "#0072B2",        # blue
    "jlink": "#56B4E9",          # sky blue
    "traced": "#CC79A7",         # reddish purple
}
WIDTH_IN = 10  # fits a JupyterLab notebook column at 100% zoom


def source_line(df: pd.DataFrame) -> str:
    """The ``caption`` of a table's first row."""
    return caption(df.iloc[0])


def caption(r) -> str:
    """'local image set · Docker 20.10.24 (overlay2, amd64) · live 2026-11-29' from a table
    row or a source's provenance (image_set, engine_version, storage_driver, architecture,
    date, source); the one wording of where figures come from in charts and captions."""
    src = r.get("source", "live")
    when = r.get("date", "")
    src_text = f"live {when}" if src == "live" else f"{src} (replayed, not live)"
    return (f"{r.get('image_set', '?')} image set · Docker {r.get('engine_version', '?')} "
            f"({r.get('storage_driver', '?')}, {r.get('architecture', '?')}) · {src_text}")


def _order(variants) -> list[str]:
    return [v for v in VARIANTS if v in set(variants)]


def size_drop(df: pd.DataFrame, *, log: bool = False, compressed: bool = True):
    """One panel per language, one bar per variant: uncompressed (solid) with compressed
    (hatched) beside it, the drop against single-stage written on each bar."""
    languages = list(dict.fromkeys(df["language"]))
    fig, axes = _pyplot().subplots(1, len(languages), figsize=(WIDTH_IN, 4.2), squeeze=False,
                             sharey=log)
    for ax, lang in zip(axes[0], languages):
        sub = df[df["language"] == lang].set_index("variant")
        order = _order(sub.index)
        x = np.arange(len(order))
        w = 0.4 if compressed else 0.7
        sizes = [sub.loc[v, "uncompressed_mb"] for v in order]
        bars = ax.bar(x - (w / 2 if compressed else 0), sizes, w,
                      color=[COLOURS[v] for v in order], edgecolor="black", linewidth=0.5,
                      label="uncompressed")
        if compressed:
            ax.bar(x + w / 2, [sub.loc[v, "compressed_mb"] for v in order], w,
                   color=[COLOURS[v] for v in order], alpha=0.45, hatch="//",
                   edgecolor="black", linewidth=0.5, label="compressed (gzip)")
        top = max(sizes)
        for bar, v in zip(bars, order):
            drop = sub.loc[v, "drop_pct"] if "drop_pct" in sub else 0
            text = f"{bar.get_height():.0f} MB" if bar.get_height() >= 10 else \
                f"{bar.get_height():.1f} MB"
            if v != "single-stage" and drop == drop:
                text += f"\n-{drop:.0f}%" if drop < 95 else f"\n-{drop:.1f}%"
            y = bar.get_height()
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, y), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
        ax.set_xticks(x, order, rotation=20, ha="right")
        ax.set_title(lang.capitalize(), fontsize=11)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(1, max(df["uncompressed_mb"]) * 6)
        else:
            ax.set_ylim(0, top * 1.22)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("MB (10^6 bytes)" + (", log scale" if log else ""))
    if compressed:
        from matplotlib.patches import Patch
        handles = [Patch(facecolor="#888888", edgecolor="black", label="uncompressed"),
                   Patch(facecolor="#888888", alpha=0.45, hatch="//", edgecolor="black",
                         label="compressed (gzip -6)")]
        axes[0][-1].legend(handles=handles, fontsize=8, loc="upper right", frameon=False)
    fig.suptitle("Image size by variant, and the drop from single-stage", fontsize=12,
                 fontweight="bold", y=1.02)
    fig.text(0.5, 0.955, source_line(df), ha="center", fontsize=8.5, color="#444444")
    fig.tight_layout()
    return fig


def layers_stacked(df: pd.DataFrame, title_source: str = ""):
    """Per-layer sizes stacked into one horizontal bar per image (``df`` as recorded in
    layers.csv: language, variant, layer, size_mb, wasted_mb). Darker = earlier layers."""
    images = list(dict.fromkeys(zip(df["language"], df["variant"])))
    fig, ax = _pyplot().subplots(figsize=(WIDTH_IN, 0.45 * len(images) + 1.4))
    for y, (lang, var) in enumerate(images):
        sub = df[(df["language"] == lang) & (df["variant"] == var)].sort_values("layer")
        left = 0.0
        n = len(sub)
        for i, size in enumerate(sub["size_mb"]):
            shade = 1.0 - 0.65 * i / max(n - 1, 1)   # layer 0, the first built, darkest
            ax.barh(y, size, left=left, color=COLOURS[var], alpha=shade, edgecolor="white",
                    linewidth=0.8)
            left += size
        waste = sub["wasted_mb"].iloc[0] if "wasted_mb" in sub else 0
        ax.annotate(f"{left:.0f} MB, {n} layers" + (f", {waste:.1f} MB wasted" if waste else ""),
                    (left, y), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.set_yticks(range(len(images)), [f"{a} {b}" for a, b in images], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("MB (layer tars, 10^6 bytes); each segment is one layer, in build order")
    ax.set_xlim(0, df.groupby(["language", "variant"])["size_mb"].sum().max() * 1.35)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title("Layers of every image" + (f"\n{title_source}" if title_source else ""),
                 fontsize=11)
    fig.tight_layout()
    return fig


def runtime(df: pd.DataFrame, title_source: str = ""):
    """Time to healthy, memory and stop time, one bar per image (runtime.csv)."""
    panels = [("healthy_s", "time to healthy (s)"), ("idle_mb", "memory idle (MB)"),
              ("after_burst_mb", "memory after burst (MB)"), ("stop_s", "stop on SIGTERM (s)")]
    fig, axes = _pyplot().subplots(1, len(panels), figsize=(WIDTH_IN, 3.8), sharey=True)
    labels = [f"{a} {b}" for a, b in zip(df["language"], df["variant"])]
    y = np.arange(len(df))
    for ax, (col, name) in zip(axes, panels):
        ax.barh(y, df[col], color=[COLOURS[v] for v in df["variant"]], edgecolor="black",
                linewidth=0.4)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(y, labels)
    axes[0].invert_yaxis()
    fig.suptitle("Runtime costs (median of several runs)" +
                 (f"\n{title_source}" if title_source else ""), fontsize=11)
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int) -> str:
    """A caption broken into lines at its " · " separators, none much longer than ``width``
    (a narrow figure cuts a long title off at both edges)."""
    lines, line = [], ""
    for part in text.split(" · "):
        if line and len(line) + 3 + len(part) > width:
            lines.append(line)
            line = part
        else:
            line = f"{line} · {part}" if line else part
    return "\n".join(lines + [line])


def builds(df: pd.DataFrame, title_source: str = ""):
    """Cold build against warm rebuild after a source-only change (buildcost.csv)."""
    fig, ax = _pyplot().subplots(figsize=(WIDTH_IN * 0.7, 3.6))
    x = np.arange(len(df))
    ax.bar(x - 0.2, df["cold_s"], 0.4, label="cold (no cache)", color="#999999",
           edgecolor="black", linewidth=0.5)
    ax.bar(x + 0.2, df["warm_s"], 0.4, label="warm, after a source-only change",
           color=[COLOURS[v] for v in df["variant"]], edgecolor="black", linewidth=0.5)
    for i, r in enumerate(df.itertuples()):
        ax.annotate(f"{100 * r.warm_s / r.cold_s:.0f}%", (i + 0.2, r.warm_s), ha="center",
                    va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(x, [f"{a}\n{b}" for a, b in zip(df["language"], df["variant"])], fontsize=8)
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title("Build time: cold against warm rebuild" +
                 (f"\n{_wrap(title_source, 70)}" if title_source else ""), fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
