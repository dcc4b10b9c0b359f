"""An interactive image explorer for notebook 05: pick a language and a variant, see its
Dockerfile, its layers, its size, its attack surface and a browsable list of its folders.

The logic is plain functions (``children``, ``panel_data``...) that take a source (live or
recorded, lessons.sources) and can be tested without a browser; ``explore`` only wires them
to ipywidgets.
"""

from __future__ import annotations

import html
import posixpath
import traceback

import pandas as pd

from . import catalog
from .errors import debugging, explain, one_line


def folders(source, language: str, variant: str) -> pd.DataFrame:
    """The folder table of one image (see lessons.inventory.folders_from_tar), from the
    source: measured live, or recorded."""
    return source.folders(language, variant)


def children(table: pd.DataFrame, folder: str) -> pd.DataFrame:
    """The sub-folders of ``folder``, biggest first (what a file browser shows one level down)."""
    folder = "/" + folder.strip("/") if folder.strip("/") else "/"
    depth = 0 if folder == "/" else folder.count("/")
    prefix = folder.rstrip("/") + "/"
    sub = table[(table["depth"] == depth + 1) & table["folder"].str.startswith(prefix)]
    return sub.sort_values("mb", ascending=False).reset_index(drop=True)


def parent(folder: str) -> str:
    return posixpath.dirname(folder.rstrip("/")) or "/"


def panel_data(source, language: str, variant: str, command: str = "") -> dict:
    """Everything the explorer shows for one image, as plain data."""
    sizes = source.sizes(language, variant)
    surface = source.attack_surface(language, variant)
    return {
        "dockerfile": catalog.Variant(language, variant).dockerfile.read_text(),
        "command": command,
        "sizes": sizes[[c for c in ("uncompressed_mb", "compressed_mb", "layers")
                        if c in sizes.columns]],
        "surface": surface.drop(columns=[c for c in ("language", "variant", "source")
                                         if c in surface.columns]),
        "layers": source.layers(language, variant),
        "folders": folders(source, language, variant),
    }


def highlight(dockerfile: str) -> str:
    """The Dockerfile as syntax-highlighted HTML (pygments, which JupyterLab always has)."""
    try:
        from pygments import highlight as hl
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import DockerLexer
        fmt = HtmlFormatter(noclasses=True, style="default")
        return hl(dockerfile, DockerLexer(), fmt)
    except ImportError:
        return "<pre>" + html.escape(dockerfile) + "</pre>"


def _table_html(df: pd.DataFrame, max_rows: int = 40) -> str:
    return df.head(max_rows).to_html(index=False, border=0)


def guarded(callback, status):
    """``callback`` for a widget event, with any exception shown as the lab's one line in
    the ``status`` widget (ipywidgets would otherwise print a traceback into whatever output
    area is current, or only to the browser's console); LESSONS_DEBUG=1 adds the traceback."""
    def run(*args):
        status.value = ""
        try:
            callback(*args)
        except Exception as exc:   # the widget's top level: everything ends here, explained
            text = one_line(explain(exc))
            if debugging():
                text += "\n" + traceback.format_exc()
            status.value = ("<pre style='color:#b00020;white-space:pre-wrap'>"
                            + html.escape(text) + "</pre>")
    return run


def explore(source, language: str = "go", variant: str = "single-stage", command=None):
    """The widget: two dropdowns, tabs for Dockerfile / layers / size and surface / folders.
    ``command(language, variant)`` gives the build command shown above the Dockerfile.
    Returns the widget (Jupyter displays it once, as the cell's value)."""
    import ipywidgets as w
    lang = w.Dropdown(options=list(catalog.LANGUAGES), value=language, description="language")
    var = w.Dropdown(options=list(catalog.variants_of(language)), value=variant,
                     description="variant")
    out = {k: w.HTML() for k in ("dockerfile", "layers", "summary", "folders")}
    where = w.Text(value="/", description="folder")
    up = w.Button(description="up one level", layout=w.Layout(width="auto"))
    pick = w.Dropdown(options=[], description="open")
    tabs = w.Tab(children=[out["dockerfile"], out["layers"], out["summary"],
                           w.VBox([w.HBox([where, up, pick]), out["folders"]])])
    for i, title in enumerate(["Dockerfile", "Layers", "Size and surface", "Folders"]):
        tabs.set_title(i, title)
    status = w.HTML()
    state: dict = {}

    def show_folder(folder: str) -> None:
        if "data" not in state:
            return   # the image's data could not be read: the status line says why
        table = state["data"]["folders"]
        sub = children(table, folder)
        here = table[table["folder"] == folder]
        head = (f"<b>{html.escape(folder)}</b>: {int(here['files'].iloc[0])} files, "
                f"{here['mb'].iloc[0]:.1f} MB" if len(here) else f"<b>{html.escape(folder)}</b>")
        out["folders"].value = head + _table_html(sub.drop(columns=["depth"]))
        pick.options = [""] + list(sub["folder"])

    def refresh(*_):
        var.options = list(catalog.variants_of(lang.value))
        if var.value not in var.options:
            return  # setting options fires again with a valid variant
        state["data"] = data = panel_data(source, lang.value, var.value,
                                          command(lang.value, var.value) if command else "")
        out["dockerfile"].value = (("<code>$ " + html.escape(data["command"]) + "</code>"
                                    if data["command"] else "") + highlight(data["dockerfile"]))
        out["layers"].value = _table_html(data["layers"])
        out["summary"].value = _table_html(data["sizes"]) + _table_html(data["surface"].T
                                                                        .reset_index())
        where.value = "/"
        show_folder("/")

    def on_pick(change):
        if change["new"]:
            where.value = change["new"]

    lang.observe(guarded(refresh, status), "value")
    var.observe(guarded(refresh, status), "value")
    where.observe(guarded(lambda c: show_folder(c["new"]), status), "value")
    up.on_click(guarded(lambda _: setattr(where, "value", parent(where.value)), status))
    pick.observe(guarded(on_pick, status), "value")
    guarded(refresh, status)()
    return w.VBox([w.HBox([lang, var]), status, tabs])
