"""Layers, wasted bytes and efficiency: dive's rule, and the lab's.

A layer is a list of what one instruction did to paths: it wrote a file (or a folder, or a link)
or it deleted one (a *whiteout* entry). We look only at each layer's *leaves*, the entries with
nothing below them in that layer, and call every time a layer touches a path a **version** of it:

* a write is a version of the size the layer stores for the path;
* a deletion is a version of size zero.

A path's **cumulative size** is the sum of its versions, its **smallest size** the smallest one.
An image's **efficiency** is (sum of smallest sizes) / (sum of cumulative sizes): 1.0 when no
path is ever written twice or deleted. A path with two or more versions is an *inefficiency*,
and **wasted bytes** is the sum of their cumulative sizes. So a 10 MB file added in one layer and
deleted in the next wastes 10 MB: the deletion hides it, the image still ships it. When a file
is overwritten, every copy counts, the last one included: wasted bytes are the bytes of paths
written more than once, not the bytes you could save. **User wasted percent** is wasted bytes
over the bytes of every layer but the first. All sizes are file sizes, not tar sizes.

There are two rules. They differ where a layer **deletes a whole folder**.

``rule="dive"`` is exactly what dive 0.13 (github.com/wagoodman/dive) computes. Deleting a
folder makes one version of *the folder's own path*, whose size is everything the folder held.
The files inside get no new version. So a file written once and later deleted together with its
folder is not an inefficiency, and the folder's path, usually touched by nothing but that
deletion, is not one either: ``RUN rm -rf /some/folder`` in a later layer adds nothing to dive's
wasted bytes and even *raises* its efficiency. Three smaller details of dive are reproduced too:
the folder's size counts only if the last layer that touched the folder had an entry for the
folder itself (a folder that only appears as the parent of files counts 0; layers made by a
build always have that entry, dive's own unit test does not); dive ignores *opaque* markers
(a folder deleted and re-made in one layer), so what such a folder hid stays visible to it; and
a deletion of a path that no lower layer has makes dive stop reading the rest of that layer
(in name order). tests/live/test_dive.py checks this rule against dive itself.

``rule="lab"``, the default and what the notebooks show, counts a deleted folder as a deletion
of each thing it held: every file, link and folder below it gets a version of size zero, just
as if each had been deleted by name. A folder marked opaque counts the same way for what it held
before (except what the same layer writes again). Why: deleting a folder and deleting each file
in it leave the same bytes in the image (``RUN rm -rf /root/.cache/go-build`` in a layer of its
own ships the whole build cache all the same), and the figure should not depend on which way the
deletion was typed. Everything else is dive's rule: where no folder is deleted and every deletion
hides something, the two rules give the same numbers.

An example, dive's own unit test: /etc/nginx/nginx.conf (2,000 bytes) and /etc/nginx/public
(3,000) in layer 0; nginx.conf rewritten (5,000) and /etc/athing (10,000) in layer 1; the folder
/etc/nginx deleted in layer 2. dive: 0.75 and 7,000 wasted bytes (both copies of nginx.conf; the
deletion of /etc/nginx counts 0, the test giving that folder no entry of its own). Lab: 0.5 and
10,000 (public too was shipped and then hidden, and no byte of /etc/nginx is visible at the end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import imagefs, sizes

RULES = ("lab", "dive")
_WH = ".wh."   # the prefix of a whiteout entry's name in a layer tar


@dataclass
class Inefficiency:
    path: str
    layers: list[int]           # indexes of the layers that touch it (one per version)
    cumulative_size: int
    smallest_size: int


@dataclass
class Analysis:
    efficiency: float
    wasted_bytes: int
    user_bytes: int
    total_bytes: int
    inefficiencies: list[Inefficiency] = field(default_factory=list)
    rule: str = "lab"
    cumulative_bytes: int = 0   # sum of every path's cumulative size
    smallest_bytes: int = 0     # sum of every path's smallest size (efficiency = this / that)


class _Node:
    """One path in a tree of paths: its children by name, and what the last entry for the path
    said (its size, whether it is a folder). ``listed``: the path had an entry of its own, not
    only entries below it."""

    __slots__ = ("children", "size", "is_dir", "listed")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.size = 0
        self.is_dir = False
        self.listed = False


def _find(root: _Node, parts: list[str]) -> _Node | None:
    node = root
    for name in parts:
        node = node.children.get(name)
        if node is None:
            return None
    return node


def _make(root: _Node, parts: list[str]) -> _Node:
    node = root
    for name in parts:
        child = node.children.get(name)
        if child is None:
            child = node.children[name] = _Node()
        node = child
    return node


def _detach(root: _Node, parts: list[str]) -> None:
    parent = _find(root, parts[:-1])
    if parent is not None:
        parent.children.pop(parts[-1], None)


class _Tally:
    """Versions per path: cumulative size, smallest size, the layers that made them."""

    def __init__(self) -> None:
        self.cumulative: dict[str, int] = {}
        self.smallest: dict[str, int] = {}
        self.touched: dict[str, list[int]] = {}

    def placeholder(self, path: str) -> None:
        # dive creates a path's record before it sizes the version; -1 means "no version yet"
        if path not in self.touched:
            self.cumulative[path], self.smallest[path], self.touched[path] = 0, -1, []

    def add(self, path: str, size: int, layer: int) -> None:
        self.placeholder(path)
        self.cumulative[path] += size
        if self.smallest[path] < 0 or size < self.smallest[path]:
            self.smallest[path] = size
        self.touched[path].append(layer)

    def analysis(self, layers: list[list[sizes.Entry]], rule: str) -> Analysis:
        total, least = sum(self.cumulative.values()), sum(self.smallest.values())
        score = least / total if total else 1.0
        waste = [Inefficiency(p, idx, self.cumulative[p], self.smallest[p])
                 for p, idx in self.touched.items() if len(idx) > 1]
        waste.sort(key=lambda w: w.cumulative_size, reverse=True)
        layer_bytes = [sum(e.size for e in entries) for entries in layers]
        return Analysis(score, sum(w.cumulative_size for w in waste), sum(layer_bytes[1:]),
                        sum(layer_bytes), waste, rule, total, least)


def efficiency(layers: list[list[sizes.Entry]], rule: str = "lab") -> Analysis:
    """Efficiency and wasted bytes of layers given as lists of tar entries (oldest first), by
    the lab's rule or dive's (see the module docstring)."""
    if rule == "lab":
        return _lab(layers)
    if rule == "dive":
        return _dive(layers)
    raise ValueError(f"rule must be one of {RULES}, not {rule!r}")


# ------------------------------------------------------------------------------ lab's rule


def _leaves(entries: list[sizes.Entry]) -> list[sizes.Entry]:
    """Entries with no other entry below them in the same layer, one per path (the last, as
    when the tar is unpacked); opaque markers are not leaves."""
    last = {e.path: e for e in entries if e.path}
    parents = set()
    for path in last:
        head = path.rpartition("/")[0]
        while head and head not in parents:
            parents.add(head)
            head = head.rpartition("/")[0]
    return [e for p, e in last.items() if p not in parents and e.kind != "opaque"]


def _listed_below(node: _Node, path: str, include_self: bool) -> list[str]:
    """Every listed path in the subtree of ``node`` (which is at ``path``)."""
    out = [path] if include_self and node.listed else []
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        for name, child in n.children.items():
            cp = p + "/" + name
            if child.listed:
                out.append(cp)
            if child.children:
                stack.append((child, cp))
    return out


def _lab(layers: list[list[sizes.Entry]]) -> Analysis:
    tally = _Tally()
    visible = _Node()   # what the layers so far leave visible
    for index, entries in enumerate(layers):
        # 1. versions, sized against what the layers below this one left visible
        for e in _leaves(entries):
            if e.kind == "whiteout" and index > 0:
                node = _find(visible, e.path.split("/"))
                hidden = _listed_below(node, e.path, True) if node is not None else []
                for path in hidden or [e.path]:
                    tally.add(path, 0, index)
            else:
                tally.add(e.path, e.size if e.kind != "whiteout" else 0, index)
        if index > 0:
            written = None
            for e in entries:
                if e.kind != "opaque" or not e.path:
                    continue
                node = _find(visible, e.path.split("/"))
                if node is None or not node.children:
                    continue
                if written is None:
                    written = {x.path for x in entries if x.kind not in ("whiteout", "opaque")}
                for path in _listed_below(node, e.path, False):
                    if path not in written:
                        tally.add(path, 0, index)
        # 2. then this layer's changes, in tar order
        for e in entries:
            if not e.path:
                continue
            parts = e.path.split("/")
            if e.kind == "whiteout":
                _detach(visible, parts)
            elif e.kind == "opaque":
                node = _find(visible, parts)
                if node is not None:
                    node.children.clear()
            else:
                _make(visible, parts).listed = True
    return tally.analysis(layers, "lab")


# ----------------------------------------------------------------------------- dive's rule


def _dive_tree(entries: list[sizes.Entry]) -> _Node:
    """One layer as dive's tree: folders that only appear as parents get empty metadata, a
    whiteout is a node named '.wh.NAME', an opaque marker leaves only its parent folders."""
    root = _Node()
    for e in entries:
        if not e.path:
            continue
        parts = e.path.split("/")
        if e.kind == "opaque" or (e.kind == "whiteout" and parts[-1].startswith(_WH)):
            _make(root, parts)   # '.wh..wh.*' names are dropped, their folders kept
            continue
        if e.kind == "whiteout":
            parts[-1] = _WH + parts[-1]
        node = _make(root, parts)
        node.size = e.size
        node.is_dir = e.kind == "dir"
    return root


def _in_order(node: _Node, parts: list[str]):
    """(path parts, node) below ``node``, children before their folder, names in byte order:
    the order in which dive visits a tree."""
    for name in sorted(node.children):
        child = node.children[name]
        here = parts + [name]
        if child.children:
            yield from _in_order(child, here)
        yield here, child


def _copy(node: _Node) -> _Node:
    new = _Node()
    new.size, new.is_dir = node.size, node.is_dir
    new.children = {name: _copy(child) for name, child in node.children.items()}
    return new


def _stack(lower: _Node, upper: _Node) -> None:
    """Lay ``upper`` over ``lower`` as dive does: a whiteout removes the path and all below
    it; every other node, including folders that only appear as parents, replaces the
    metadata of the same path below."""
    for parts, node in _in_order(upper, []):
        if parts[-1].startswith(_WH):
            _detach(lower, parts[:-1] + [parts[-1][len(_WH):]])
        else:
            target = _make(lower, parts)
            target.size, target.is_dir = node.size, node.is_dir


def _subtree_size(node: _Node) -> int:
    total, stack = 0, [node]
    while stack:
        n = stack.pop()
        total += n.size
        stack.extend(n.children.values())
    return total


def _dive(layers: list[list[sizes.Entry]]) -> Analysis:
    tally = _Tally()
    trees = [_dive_tree(entries) for entries in layers]
    below = _copy(trees[0]) if trees else _Node()   # dive stacks layers 0..i-1 on a copy of 0
    for index, tree in enumerate(trees):
        if index > 0:
            _stack(below, trees[index - 1])
        for parts, node in _in_order(tree, []):
            if node.children:
                continue   # dive visits leaves only
            if parts[-1].startswith(_WH):
                parts = parts[:-1] + [parts[-1][len(_WH):]]
                path = "/".join(parts)
                tally.placeholder(path)
                before = _find(below, parts)
                if before is None:
                    break   # dive logs the error and reads no more of this layer
                size = _subtree_size(before) if before.is_dir else 0
            else:
                path, size = "/".join(parts), node.size
            tally.add(path, size, index)
    return tally.analysis(layers, "dive")


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
    """The instruction as it was written, from the history's ``created_by``:
    classic builder: '/bin/sh -c #(nop) COPY dir:ab12 in /app' -> 'COPY dir:ab12 in /app',
    '|2 A=1 B=2 /bin/sh -c apt-get ...' -> 'RUN apt-get ...';
    BuildKit: 'COPY . . # buildkit' -> 'COPY . .',
    'RUN |2 A=1 B=2 /bin/sh -c pip install ... # buildkit' -> 'RUN pip install ...'."""
    text = text.strip()
    if text.endswith("# buildkit"):
        text = text[:-len("# buildkit")].rstrip()
    m = re.match(r"^/bin/sh -c #\(nop\)\s*(.*)$", text, re.S)
    if m:
        return m.group(1).strip()
    m = re.match(r"^(?:RUN )?(?:\|\d+ (?:\S+=\S*\s+)*)?/bin/sh -c (.*)$", text, re.S)
    if m:
        return "RUN " + m.group(1).strip()
    return text or "(unknown: imported or squashed)"


def per_layer(layers: list[sizes.LayerSize], config: dict) -> pd.DataFrame:
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
            "size_mb": round(layer.size / sizes.MB, 3),
            "compressed_mb": round(layer.gzip_size / sizes.MB, 3),
            "files_added": added, "files_changed": changed, "files_removed": removed,
            "diff_id": layer.diff_id,
        })
    return pd.DataFrame(rows)


@dataclass
class ImageLayers:
    table: pd.DataFrame
    analysis: Analysis            # the lab's rule (what the notebooks show)
    summary: sizes.SaveSummary
    dive: Analysis | None = None  # dive's rule, on the same layers


def analyze(client, ref: str) -> ImageLayers:
    """Read ``docker save`` of ``ref`` once; return the layer table and the efficiency and
    wasted bytes by both rules (``analysis``: the lab's, ``dive``: dive's)."""
    summary = sizes.summarize_save(imagefs.saved(client, ref), with_files=True)
    entries = [layer.entries or [] for layer in summary.layers]
    return ImageLayers(per_layer(summary.layers, summary.config), efficiency(entries, "lab"),
                       summary, efficiency(entries, "dive"))


def summary_table(client, ref: str) -> pd.DataFrame:
    """The layer table of ``ref`` with the image's efficiency and wasted MB repeated on every
    row: what the notebooks show and the recorded run stores. ``efficiency`` and
    ``wasted_mb`` are the lab's rule; ``dive_efficiency`` and ``dive_wasted_mb`` dive's."""
    res = analyze(client, ref)
    t = res.table.drop(columns=["diff_id"])
    t["efficiency"] = round(res.analysis.efficiency, 4)
    t["wasted_mb"] = round(res.analysis.wasted_bytes / 1e6, 3)
    t["dive_efficiency"] = round(res.dive.efficiency, 4)
    t["dive_wasted_mb"] = round(res.dive.wasted_bytes / 1e6, 3)
    return t


def engine_history(client, ref: str) -> pd.DataFrame:
    """The engine's own ``docker history`` (newest first, as the CLI shows it)."""
    rows = client.api.history(ref)
    return pd.DataFrame([{"created_by": tidy_instruction(r.get("CreatedBy", "")),
                          "size_mb": round(r.get("Size", 0) / sizes.MB, 3)} for r in rows])
