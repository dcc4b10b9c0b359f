"""An interactive image explorer for notebook 05: pick a language and a variant, see its
Dockerfile, its layers, its size, its attack surface and a browsable list of its folders.

The logic is plain functions (``folders``, ``panel_data``...) that work live and in replay and
can be tested without a browser; ``explore(lab)`` only wires them to ipywidgets.
"""

from __future__ import annotations

import html
import io
import posixpath
import tarfile
from functools import lru_cache

import pandas as pd

from . import catalog
from . import labels as L

MAX_DEPTH = 3   # folders are summarised down to /usr/lib/x (deeper files count in their parent)


def folders_from_tar(stream) -> pd.DataFrame:
    """Files and bytes under every folder, down to MAX_DEPTH, from a filesystem tar."""
    files: dict[str, int] = {}
    sizes: dict[str, int] = {}
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for m in tar:
            name = m.name.lstrip("./").rstrip("/")
            if not name or not (m.isfile() or m.issym()):
                continue
            parts = name.split("/")[:-1]
            for depth in range(0, min(len(parts), MAX_DEPTH) + 1):
                folder = "/" + "/".join(parts[:depth])
                files[folder] = files.get(folder, 0) + 1
                sizes[folder] = sizes.get(folder, 0) + (m.size if m.isfile() else 0)
    rows = [{"folder": f, "depth": 0 if f == "/" else f.count("/"), "files": files[f],
             "mb": round(sizes[f] / 1e6, 3)} for f in sorted(files)]
    return pd.DataFrame(rows, columns=["folder", "depth", "files", "mb"])


def folders_live(client, tag: str) -> pd.DataFrame:
    """Export a created, never started container of ``tag`` and summarise its folders."""
    from .sizes import ChunkReader

    c = client.containers.create(tag, labels=L.container_labels("explorer"),
                                 entrypoint=["/nonexistent"], command=[])
    try:
        return folders_from_tar(io.BufferedReader(ChunkReader(c.export()), buffer_size=1 << 20))
    finally:
        c.remove(force=True)


def folders(lab, language: str, variant: str) -> pd.DataFrame:
    """The folder table of one image: measured live, or recorded in replay."""
    return _folders(lab.mode, lab.image_set, language, variant, id(lab.client))


_LABS: dict[int, object] = {}


@lru_cache(maxsize=32)
def _folders(mode, image_set, language, variant, client_id) -> pd.DataFrame:
    if mode == "live":
        client = _LABS[client_id]
        return folders_live(client, catalog.Variant(language, variant).tag(image_set))
    from . import recorded
    df = recorded.load("files")
    sub = df[(df["language"] == language) & (df["variant"] == variant)]
    return sub.drop(columns=["language", "variant", "source"]).reset_index(drop=True)


def children(table: pd.DataFrame, folder: str) -> pd.DataFrame:
    """The sub-folders of ``folder``, biggest first (what a file browser shows one level down)."""
    folder = "/" + folder.strip("/") if folder.strip("/") else "/"
    depth = 0 if folder == "/" else folder.count("/")
    prefix = folder.rstrip("/") + "/"
    sub = table[(table["depth"] == depth + 1) & table["folder"].str.startswith(prefix)]
    return sub.sort_values("mb", ascending=False).reset_index(drop=True)


def parent(folder: str) -> str:
    return posixpath.dirname(folder.rstrip("/")) or "/"


def panel_data(lab, language: str, variant: str) -> dict:
    """Everything the explorer shows for one image, as plain data."""
    sizes = lab.sizes(language, variant)
    surface = lab.attack_surface(language, variant)
    return {
        "dockerfile": lab.variant(language, variant).dockerfile.read_text(),
        "command": lab.command(language, variant),
        "sizes": sizes[[c for c in ("uncompressed_mb", "compressed_mb", "layers", "drop_pct")
                        if c in sizes.columns]],
        "surface": surface.drop(columns=[c for c in ("language", "variant", "source")
                                         if c in surface.columns]),
        "layers": lab.layers(language, variant),
        "folders": folders(lab, language, variant),
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


def explore(lab, language: str = "go", variant: str = "single-stage"):
    """The widget: two dropdowns, tabs for Dockerfile / layers / size and surface / folders."""
    import ipywidgets as w
    from IPython.display import display

    _LABS[id(lab.client)] = lab.client
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
    state: dict = {}

    def show_folder(folder: str) -> None:
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
        state["data"] = data = panel_data(lab, lang.value, var.value)
        out["dockerfile"].value = ("<code>$ " + html.escape(data["command"]) + "</code>"
                                   + highlight(data["dockerfile"]))
        out["layers"].value = _table_html(data["layers"])
        out["summary"].value = _table_html(data["sizes"]) + _table_html(data["surface"].T
                                                                        .reset_index())
        where.value = "/"
        show_folder("/")

    def on_pick(change):
        if change["new"]:
            where.value = change["new"]

    lang.observe(refresh, "value")
    var.observe(refresh, "value")
    where.observe(lambda c: show_folder(c["new"]), "value")
    up.on_click(lambda _: setattr(where, "value", parent(where.value)))
    pick.observe(on_pick, "value")
    refresh()
    box = w.VBox([w.HBox([lang, var]), tabs])
    display(box)
    return box
