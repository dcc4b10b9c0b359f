"""Layers, wasted bytes and efficiency, with the definitions dive uses.

For every path that ends up a leaf in some layer (a file, link, empty folder, or a deletion):

* its **cumulative size** is the sum of its sizes over every layer that touches it (a
  deletion is a version of size zero);
* its **smallest size** is the smallest of those.

An image's **efficiency** is (sum of smallest sizes) / (sum of cumulative sizes): 1.0 when no
path is ever written twice. A path touched by two or more layers is an *inefficiency*, and
**wasted bytes** is the sum of the cumulative sizes of the inefficiencies. So a 10 MB file added
in one layer and deleted in the next wastes 10 MB: the deletion hides it, the image still ships
it. (As in dive, when a file is overwritten, every copy counts, the last one included.)
One refinement: dive keys the deletion of a whole folder on the folder's own path, so the
files inside escape its waste figure; here a deleted folder is a deletion of each file it
held, so `RUN rm -rf /var/lib/apt/lists` in a later layer shows up as the waste it is.
**User wasted percent** is wasted bytes over the bytes of every layer but the first.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd

from . import sizes as Z


@dataclass
class Inefficiency:
    path: str
    layers: list[int]           # indexes of the layers that touch it
    cumulative_size: int
    smallest_size: int


@dataclass
class Analysis:
    efficiency: float
    wasted_bytes: int
    user_bytes: int
    total_bytes: int
    inefficiencies: list[Inefficiency] = field(default_factory=list)

    @property
    def user_wasted_percent(self) -> float:
        return 100.0 * self.wasted_bytes / self.user_bytes if self.user_bytes else 0.0


def _stack(layers: list[list[Z.Entry]]) -> list[dict[str, int]]:
    """Visible files (path -> size) after each layer, for sizing folder deletions."""
    visible: dict[str, int] = {}
    after = []
    for entries in layers:
        for e in entries:
            if e.kind == "whiteout":
                prefix = e.path + "/"
                for p in [p for p in visible if p == e.path or p.startswith(prefix)]:
                    del visible[p]
            elif e.kind == "opaque":
                prefix = e.path + "/"
                for p in [p for p in visible if p.startswith(prefix)]:
                    del visible[p]
            elif e.kind != "dir":
                visible[e.path] = e.size
            else:
                visible.setdefault(e.path, 0)
        after.append(dict(visible))
    return after


def _leaves(entries: list[Z.Entry]) -> list[Z.Entry]:
    """Entries with no child inside the same layer (dive visits only leaves)."""
    parents = set()
    for e in entries:
        head = e.path.rpartition("/")[0]
        while head:
            parents.add(head)
            head = head.rpartition("/")[0]
    return [e for e in entries if e.path not in parents and e.kind != "opaque"]


def efficiency(layers: list[list[Z.Entry]]) -> Analysis:
    """dive's efficiency and wasted bytes for layers given as lists of tar entries."""
    stacked = _stack(layers)
    cumulative: dict[str, int] = {}
    smallest: dict[str, int] = {}
    touched: dict[str, list[int]] = {}
    layer_bytes = []
    for index, entries in enumerate(layers):
        layer_bytes.append(sum(e.size for e in entries))
        for e in _leaves(entries):
            if e.kind == "whiteout" and index > 0:
                # A deletion is a zero-size version of each file it hides: one path for a
                # file, every file below it for a folder.
                before = stacked[index - 1]
                prefix = e.path + "/"
                hidden = [p for p in before if p == e.path or p.startswith(prefix)] or [e.path]
                versions = [(p, 0) for p in hidden]
            else:
                versions = [(e.path, e.size)]
            for path, size in versions:
                cumulative[path] = cumulative.get(path, 0) + size
                smallest[path] = min(smallest.get(path, size), size)
                touched.setdefault(path, []).append(index)
    total = sum(cumulative.values())
    score = sum(smallest.values()) / total if total else 1.0
    waste = [Inefficiency(p, idx, cumulative[p], smallest[p])
             for p, idx in touched.items() if len(idx) > 1]
    waste.sort(key=lambda w: w.cumulative_size, reverse=True)
    return Analysis(score, sum(w.cumulative_size for w in waste), sum(layer_bytes[1:]),
                    sum(layer_bytes), waste)


def created_by(config: dict) -> list[str]:
    """The instruction that made each (non-empty) layer, from the image history."""
    out = []
    for h in config.get("history", []):
        if h.get("empty_layer"):
            continue
        text = h.get("created_by", "")
        if not text and "import" in h.get("comment", "").lower():
            text = "(docker import of a root filesystem)"
        out.append(tidy_instruction(text))
    return out


def tidy_instruction(text: str) -> str:
    """'/bin/sh -c #(nop) COPY dir:ab12 in /app' -> 'COPY dir:ab12 in /app';
    '/bin/sh -c apt-get ...' -> 'RUN apt-get ...'."""
    text = text.strip()
    m = re.match(r"^/bin/sh -c #\(nop\)\s*(.*)$", text, re.S)
    if m:
        return m.group(1).strip()
    m = re.match(r"^(?:\|\d+ \S+=\S+(?: \S+=\S+)* )?/bin/sh -c (.*)$", text, re.S)
    if m:
        return "RUN " + m.group(1).strip()
    return text or "(unknown: imported or squashed)"


def per_layer(layers: list[Z.LayerSize], config: dict) -> pd.DataFrame:
    """One row per layer: sizes, the instruction, and files added/changed/removed."""
    instructions = created_by(config)
    seen: set[str] = set()
    rows = []
    for i, layer in enumerate(layers):
        entries = layer.entries or []
        added = changed = removed = 0
        for e in entries:
            if e.kind == "dir":
                continue
            if e.kind in ("whiteout", "opaque"):
                removed += 1
            elif e.path in seen:
                changed += 1
            else:
                added += 1
        for e in entries:
            if e.kind not in ("whiteout", "opaque", "dir"):
                seen.add(e.path)
        rows.append({
            "layer": i,
            "instruction": instructions[i] if i < len(instructions) else "",
            "size_mb": round(layer.size / Z.MB, 3),
            "compressed_mb": round(layer.gzip_size / Z.MB, 3),
            "files_added": added, "files_changed": changed, "files_removed": removed,
            "diff_id": layer.diff_id,
        })
    return pd.DataFrame(rows)


@dataclass
class ImageLayers:
    table: pd.DataFrame
    analysis: Analysis
    summary: Z.SaveSummary


def analyze(client, ref: str) -> ImageLayers:
    """Read ``docker save`` of ``ref`` once; return the layer table and dive's metrics."""
    image = client.images.get(ref)
    reader = io.BufferedReader(Z.ChunkReader(image.save(named=False)), buffer_size=1 << 20)
    summary = Z.summarize_save(reader, with_files=True)
    analysis = efficiency([layer.entries or [] for layer in summary.layers])
    return ImageLayers(per_layer(summary.layers, summary.config), analysis, summary)


def summary_table(client, ref: str) -> pd.DataFrame:
    """The layer table of ``ref`` with the image's dive efficiency and wasted MB repeated on
    every row: what the notebooks show and the recorded run stores."""
    res = analyze(client, ref)
    t = res.table.drop(columns=["diff_id"])
    t["efficiency"] = round(res.analysis.efficiency, 4)
    t["wasted_mb"] = round(res.analysis.wasted_bytes / 1e6, 3)
    return t


def engine_history(client, ref: str) -> pd.DataFrame:
    """The engine's own ``docker history`` (newest first, as the CLI shows it)."""
    rows = client.api.history(ref)
    return pd.DataFrame([{"created_by": tidy_instruction(r.get("CreatedBy", "")),
                          "size_mb": round(r.get("Size", 0) / Z.MB, 3)} for r in rows])
