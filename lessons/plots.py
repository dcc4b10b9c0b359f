"""Charts for the notebooks: one colour per variant everywhere, colour-blind safe
(the Okabe-Ito palette), titles that name the image set, the engine and the date."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .catalog import VARIANTS

COLOURS = {
    "single-stage": "#D55E00",   # vermillion
    "multi-stage": "#E69F00",    # orange
    "distroless": "#009E73",     # bluish green
    "scratch": "#0072B2",        # blue
    "jlink": "#56B4E9",          # sky blue
}
WIDTH_IN = 10  # fits a JupyterLab notebook column at 100% zoom


def source_line(df: pd.DataFrame) -> str:
    """'local image set · Docker 20.10.24 (overlay2, amd64) · live 2026-11-29'."""
    r = df.iloc[0]
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
    fig, axes = plt.subplots(1, len(languages), figsize=(WIDTH_IN, 4.2), squeeze=False,
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
