"""Show a matplotlib figure with alt text that stays with it, in JupyterLab and on the site.

Why not ``plt.show()``: JupyterLab draws an ``image/png`` output as an ``<img>`` with no alt
text, and MyST-NB (the site) uses the image's file name as its alt text. Both, like VS Code and
nbconvert's HTML, show a ``text/html`` output as it is. So :func:`show` displays ONE output
carrying three versions of the figure:

* ``text/html``: ``<figure><img alt="..." src="data:image/png;base64,..."></figure>``, with an
  optional caption and a collapsed "Chart data" section listing the values drawn (read from the
  figure itself, so it is always the data of this run, live or recorded). JupyterLab, VS Code and
  the site show this one.
* ``image/png`` with ``{"alt": ...}`` in its metadata (IPython's own convention for alt text),
  for renderers that take only images (LaTeX/PDF).
* ``text/plain``: the alt text, for consoles.

In a notebook, instead of ``plt.show()``::

    from lessons.figures import show
    fig = lab.plot_sizes(sizes)
    show(fig, alt="Bar chart of image size per variant, one panel per language; every "
                  "language drops from single-stage to distroless.")

Write the alt text as one or two sentences saying what the chart shows and what to notice; the
exact values go in the "Chart data" section automatically (``data=False`` to leave it out). The
figure is closed afterwards, so the inline backend does not draw it a second time without alt.

This module imports nothing from the rest of ``lessons``.
"""

from __future__ import annotations

import base64
import html
import io
import math

__all__ = ["bundle", "describe", "show"]


def _png(fig, dpi) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels if t.get_text()]


def describe(fig) -> list[str]:
    """The values a figure draws, as plain sentences: one per panel, then one per series.

    Reads titles, axis labels, bar heights (or widths for horizontal bars) with their tick
    labels, and line points from the matplotlib objects, so it needs no access to the data frame
    the chart was made from.
    """
    lines = []
    if fig.get_suptitle():
        lines.append(f"Figure: {fig.get_suptitle()}.")
    for n, ax in enumerate(fig.get_axes(), start=1):
        if not ax.get_visible() or (not ax.containers and not ax.lines):
            continue
        head = f"Panel {n}"
        if ax.get_title():
            head += f" '{ax.get_title()}'"
        axes = [f"{name} axis '{label}'" for name, label in
                (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label]
        if ax.get_yscale() == "log" or ax.get_xscale() == "log":
            axes.append("logarithmic scale")
        lines.append(head + (": " + ", ".join(axes) if axes else "") + ".")
        for container in ax.containers:
            patches = [p for p in getattr(container, "patches", []) if p.get_visible()]
            if not patches:
                continue
            horizontal = getattr(container, "orientation", "vertical") == "horizontal"
            values = [p.get_width() if horizontal else p.get_height() for p in patches]
            names = _ticks(ax.get_yticklabels() if horizontal else ax.get_xticklabels())
            label = container.get_label()
            series = f"  {label}: " if label and not label.startswith("_") else "  bars: "
            if len(names) == len(values):
                series += ", ".join(f"{k} {_number(v)}" for k, v in zip(names, values))
            else:
                series += ", ".join(_number(v) for v in values)
            lines.append(series + ".")
        for line in ax.lines:
            label = line.get_label()
            if label.startswith("_"):
                continue
            xs, ys = line.get_xdata(), line.get_ydata()
            points = ", ".join(f"({_number(float(x))}, {_number(float(y))})"
                               for x, y in zip(xs, ys))
            lines.append(f"  {label}: {points}.")
    return lines


def bundle(fig, alt: str, *, caption: str | None = None, data: bool = True,
           dpi: int = 100) -> tuple[dict, dict]:
    """The (data, metadata) display bundle :func:`show` displays; testable without a kernel."""
    alt = " ".join(str(alt).split())
    if not alt:
        raise ValueError("alt text is empty: say what the chart shows")
    png = _png(fig, dpi)
    b64 = base64.b64encode(png).decode("ascii")
    width_px = int(round(fig.get_figwidth() * dpi))
    parts = [
        '<figure class="sizedrop-figure" style="margin: 0">',
        f'<img src="data:image/png;base64,{b64}" alt="{html.escape(alt, quote=True)}"'
        f' style="max-width: 100%; width: {width_px}px">',
    ]
    if caption:
        parts.append(f"<figcaption>{html.escape(caption)}</figcaption>")
    if data:
        described = describe(fig)
        if described:
            items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in described)
            parts.append(f"<details><summary>Chart data</summary><ul>{items}</ul></details>")
    parts.append("</figure>")
    data_out = {
        "text/html": "".join(parts),
        "image/png": b64,
        "text/plain": f"[figure] {alt}",
    }
    metadata = {"image/png": {"alt": alt}}
    return data_out, metadata


def show(fig, alt: str, *, caption: str | None = None, data: bool = True, dpi: int = 100,
         close: bool = True) -> None:
    """Display ``fig`` with ``alt`` text (and optional caption), then close it.

    Outside IPython (a plain script) it prints the alt text instead of drawing.
    """
    data_out, metadata = bundle(fig, alt, caption=caption, data=data, dpi=dpi)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(data_out, raw=True, metadata=metadata)
    else:  # plain Python: no front end to draw it
        print(data_out["text/plain"])
    if close:
        import matplotlib.pyplot as plt
        plt.close(fig)
