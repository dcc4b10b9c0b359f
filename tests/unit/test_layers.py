"""Efficiency and wasted bytes by both rules of lessons.layers, with no engine.

* dive's own unit test case (dive/filetree/efficiency_test.go in wagoodman/dive), its file
  trees and expected numbers ported: the "dive" rule must give dive's numbers, the "lab" rule
  the numbers its documented folder-deletion rule predicts.
* Both rules against straightforward reference implementations on small random layer stacks
  (a fixed seed, so a failure is reproducible).
* A 30,000-file, 2,000-deletion stack, checked against numbers worked out from how it was made;
  its run time is printed, not asserted (run with -s to see it).
"""

from __future__ import annotations

import random
import time

import pytest

from lessons import layers
from lessons.sizes import Entry


def F(path, size):
    return Entry(path, size, "file")


def D(path):
    return Entry(path, 0, "dir")


def W(path):
    return Entry(path, 0, "whiteout")


def OPQ(path):  # an opaque-folder marker (.wh..wh..opq)
    return Entry(path, 0, "opaque")


def waste(a: layers.Analysis) -> dict[str, int]:
    return {w.path: w.cumulative_size for w in a.inefficiencies}


# --------------------------------------------------------------- dive's own test case, ported

# TestEfficiency: dive builds three trees with AddPath, which creates /etc and /etc/nginx as
# bare parents (no metadata, not marked as folders), then deletes /etc/nginx in the third.
DIVE_CASE = [
    [F("etc/nginx/nginx.conf", 2000), F("etc/nginx/public", 3000)],
    [F("etc/nginx/nginx.conf", 5000), F("etc/athing", 10000)],
    [W("etc/nginx")],
]


def test_dive_rule_gives_dives_numbers_on_dives_test_case():
    """dive expects 0.75 and one inefficiency, /etc/nginx/nginx.conf with 7,000 bytes.

    nginx.conf: 2,000 + 5,000 (smallest 2,000); public: 3,000 once; athing: 10,000 once. The
    deletion is one version of /etc/nginx itself, sized 0 because that folder never had an
    entry of its own. (15,000 + 0) / (20,000 + 0) = 0.75."""
    a = layers.efficiency(DIVE_CASE, rule="dive")
    assert a.efficiency == 0.75
    assert [(w.path, w.cumulative_size) for w in a.inefficiencies] == \
        [("etc/nginx/nginx.conf", 7000)]
    assert a.wasted_bytes == 7000
    assert (a.smallest_bytes, a.cumulative_bytes) == (15_000, 20_000)
    assert a.rule == "dive"


def test_lab_rule_on_dives_test_case_counts_what_the_folder_hid():
    """The lab's rule: deleting /etc/nginx is a zero-size version of nginx.conf and of public.
    nginx.conf: 2,000 + 5,000 + 0 (smallest 0); public: 3,000 + 0 (smallest 0); athing:
    10,000. Efficiency 10,000 / 20,000 = 0.5; wasted 7,000 + 3,000 = 10,000: the 3,000 bytes of
    public are shipped in layer 0 and hidden by layer 2, which dive does not count."""
    a = layers.efficiency(DIVE_CASE)   # the default rule is the lab's
    assert a.rule == "lab"
    assert a.efficiency == 0.5
    assert waste(a) == {"etc/nginx/nginx.conf": 7000, "etc/nginx/public": 3000}
    assert a.wasted_bytes == 10_000
    assert (a.smallest_bytes, a.cumulative_bytes) == (10_000, 20_000)
    assert {w.path: w.smallest_size for w in a.inefficiencies} == \
        {"etc/nginx/nginx.conf": 0, "etc/nginx/public": 0}


def test_dives_test_case_with_folder_entries_as_real_layers_have_them():
    """Real layer tars carry an entry for each folder. Then dive sizes the deletion of
    /etc/nginx by what it held (nginx.conf at 5,000 and public at 3,000): a lone 8,000-byte
    version of /etc/nginx, which raises the score to (15,000 + 8,000) / (20,000 + 8,000) and
    adds nothing to the waste. The lab's numbers do not move."""
    case = [[D("etc"), D("etc/nginx")] + DIVE_CASE[0],
            [D("etc"), D("etc/nginx")] + DIVE_CASE[1],
            [D("etc")] + DIVE_CASE[2]]
    dive = layers.efficiency(case, rule="dive")
    assert dive.efficiency == 23_000 / 28_000
    assert waste(dive) == {"etc/nginx/nginx.conf": 7000}
    lab = layers.efficiency(case, rule="lab")
    assert lab.efficiency == 0.5 and lab.wasted_bytes == 10_000


def test_dives_scratch_image_case():
    """TestEfficiency_ScratchImage: one empty file in the first of three layers: score 1.0."""
    case = [[F("nothing", 0)], [], []]
    for rule in layers.RULES:
        a = layers.efficiency(case, rule=rule)
        assert a.efficiency == 1.0 and a.inefficiencies == [] and a.wasted_bytes == 0


# ------------------------------------------------------------------- where the rules differ


def test_folder_deleted_in_a_later_layer():
    """`RUN rm -rf /cache` after the layer that filled it: the lab counts the 40 bytes as
    waste; dive counts one lone 40-byte version of /cache and calls the image 100% efficient."""
    case = [[D("cache"), F("cache/a", 10), F("cache/b", 30)], [W("cache")]]
    lab = layers.efficiency(case, "lab")
    assert lab.wasted_bytes == 40 and lab.efficiency == 0.0
    dive = layers.efficiency(case, "dive")
    assert dive.wasted_bytes == 0 and dive.efficiency == 1.0


def test_file_deleted_by_name_is_the_same_in_both_rules():
    case = [[D("etc"), F("etc/os", 100)], [F("big.bin", 5000)], [W("big.bin")]]
    for rule in layers.RULES:
        a = layers.efficiency(case, rule)
        assert a.wasted_bytes == 5000 and a.efficiency == 100 / 5100, rule


def test_opaque_folder_hides_what_it_held_in_the_lab_rule_only():
    """`RUN rm -rf /app && mkdir /app && echo > /app/new`: the layer marks /app opaque. The
    lab counts the old /app/old (50 bytes) as deleted; dive ignores opaque markers."""
    case = [[D("app"), F("app/old", 50), F("app/kept", 7)],
            [D("app"), OPQ("app"), F("app/new", 5), F("app/kept", 8)]]
    lab = layers.efficiency(case, "lab")
    assert waste(lab) == {"app/old": 50, "app/kept": 15}   # kept: overwritten, not deleted
    assert [w.smallest_size for w in lab.inefficiencies] == [0, 7]
    dive = layers.efficiency(case, "dive")
    assert waste(dive) == {"app/kept": 15}


def test_a_new_folder_marked_opaque_hides_nothing():
    """Overlay marks many folders a layer creates as opaque (147 of them in the Go base
    image's package layer): with nothing below them before, they change nothing."""
    case = [[D("usr"), F("usr/a", 1)], [D("usr"), D("usr/new"), OPQ("usr/new"), F("usr/new/x", 9)]]
    a = layers.efficiency(case, "lab")
    assert a.efficiency == 1.0 and a.wasted_bytes == 0


def test_dive_stops_reading_a_layer_at_a_deletion_of_nothing():
    """A reproduced dive quirk, not a recommendation: a deletion of a path that no lower layer
    has makes dive stop reading that layer (names in byte order: '.a' < '.wh.gone' < 'b'), and
    the path's empty record adds -1 to the smallest sizes. dive: (10 + 7 - 1) / 17; lab: every
    entry counted, nothing written twice."""
    case = [[F("a", 10)], [F("b", 5), W("gone"), F(".a", 7)]]
    dive = layers.efficiency(case, "dive")
    assert dive.efficiency == 16 / 17 and dive.wasted_bytes == 0
    lab = layers.efficiency(case, "lab")
    assert lab.efficiency == 1.0 and lab.wasted_bytes == 0


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="rule must be one of"):
        layers.efficiency([], rule="docker")


# ------------------------------------------------- straightforward reference implementations


def ref_lab(stack: list[list[Entry]]) -> dict:
    """The lab rule as the module used to compute it (rescans every visible path for every
    deletion, copies the visible set after every layer), plus opaque folders and duplicates."""
    visible: dict[str, int] = {}
    after = []
    for entries in stack:
        for e in entries:
            if not e.path:
                continue
            if e.kind == "whiteout":
                for p in [p for p in visible if p == e.path or p.startswith(e.path + "/")]:
                    del visible[p]
            elif e.kind == "opaque":
                for p in [p for p in visible if p.startswith(e.path + "/")]:
                    del visible[p]
            else:
                visible[e.path] = e.size
        after.append(dict(visible))
    versions: list[tuple[str, int, int]] = []
    for i, entries in enumerate(stack):
        last = {e.path: e for e in entries if e.path}
        parents = {p.rsplit("/", k)[0] for p in last for k in range(1, p.count("/") + 1)}
        written = {e.path for e in entries if e.kind not in ("whiteout", "opaque")}
        for p, e in last.items():
            if p in parents or e.kind == "opaque":
                continue
            if e.kind == "whiteout" and i > 0:
                hidden = [q for q in after[i - 1] if q == p or q.startswith(p + "/")] or [p]
                versions += [(q, 0, i) for q in hidden]
            else:
                versions.append((p, e.size, i))
        if i > 0:
            for e in entries:
                if e.kind == "opaque" and e.path:
                    versions += [(q, 0, i) for q in after[i - 1]
                                 if q.startswith(e.path + "/") and q not in written]
    return _summarize(versions, {})


def _ref_dive_tree(entries: list[Entry]) -> dict[str, tuple[int, bool]]:
    """A layer as dive sees it, flat: path -> (size, is a folder), bare parents included."""
    t: dict[str, tuple[int, bool]] = {}
    for e in entries:
        if not e.path:
            continue
        parts = e.path.split("/")
        if e.kind == "opaque" or (e.kind == "whiteout" and parts[-1].startswith(".wh.")):
            for k in range(1, len(parts) + 1):
                t.setdefault("/".join(parts[:k]), (0, False))
            continue
        if e.kind == "whiteout":
            parts[-1] = ".wh." + parts[-1]
        for k in range(1, len(parts)):
            t.setdefault("/".join(parts[:k]), (0, False))
        t["/".join(parts)] = (e.size, e.kind == "dir")
    return t


def _post_order(t: dict) -> list[str]:
    return sorted(t, key=lambda p: p.split("/") + ["\U0010ffff"])   # children, then folder


def _unwhite(p: str) -> str:
    head, _, name = p.rpartition("/")
    return (head + "/" if head else "") + name[4:]


def _ref_stack(lower: dict, upper: dict) -> None:
    for p in _post_order(upper):
        if p.rpartition("/")[2].startswith(".wh."):
            target = _unwhite(p)
            for q in [q for q in lower if q == target or q.startswith(target + "/")]:
                del lower[q]
        else:
            parts = p.split("/")
            for k in range(1, len(parts)):
                lower.setdefault("/".join(parts[:k]), (0, False))
            lower[p] = upper[p]


def ref_dive(stack: list[list[Entry]]) -> dict:
    """dive's Efficiency() as written in Go: for every deletion, stack layers 0..i-1 afresh
    on a copy of layer 0 and size the deleted path from that."""
    trees = [_ref_dive_tree(entries) for entries in stack]
    versions: list[tuple[str, int, int]] = []
    placeholders: dict[str, int] = {}
    for i, t in enumerate(trees):
        for p in _post_order(t):
            if any(q.startswith(p + "/") for q in t):
                continue
            if p.rpartition("/")[2].startswith(".wh."):
                path = _unwhite(p)
                placeholders.setdefault(path, len(versions))
                stacked = dict(trees[0])
                for k in range(i):
                    _ref_stack(stacked, trees[k])
                if path not in stacked:
                    break
                size, is_dir = stacked[path]
                size = sum(s for q, (s, _) in stacked.items()
                           if q == path or q.startswith(path + "/")) if is_dir else 0
            else:
                path, size = p, t[p][0]
            versions.append((path, size, i))
    return _summarize(versions, placeholders)


def _summarize(versions, placeholders) -> dict:
    cum: dict[str, int] = {}
    small: dict[str, int] = {}
    touched: dict[str, list[int]] = {}
    for path in placeholders:
        cum[path], small[path], touched[path] = 0, -1, []
    for path, size, i in versions:
        cum[path] = cum.get(path, 0) + size
        small[path] = size if small.get(path, -1) < 0 else min(small[path], size)
        touched.setdefault(path, []).append(i)
    total = sum(cum.values())
    ineff = {p: (sorted(ix), cum[p], small[p]) for p, ix in touched.items() if len(ix) > 1}
    return {"efficiency": sum(small.values()) / total if total else 1.0,
            "wasted": sum(c for _, c, _ in ineff.values()), "inefficiencies": ineff}


def _as_dict(a: layers.Analysis) -> dict:
    return {"efficiency": a.efficiency, "wasted": a.wasted_bytes,
            "inefficiencies": {w.path: (sorted(w.layers), w.cumulative_size, w.smallest_size)
                               for w in a.inefficiencies}}


NAMES = ["a", "b", ".c", "d-e"]   # '.c' and 'd-e' sort on either side of '.wh.'


def random_stack(rng: random.Random) -> list[list[Entry]]:
    """Anything goes: files, folders, links, deletions of files, folders and of nothing,
    opaque markers, folders with and without entries of their own, repeated paths."""
    stack = []
    for _ in range(rng.randint(1, 5)):
        entries = []
        for _ in range(rng.randint(0, 9)):
            parts = [rng.choice(NAMES) for _ in range(rng.randint(1, 3))]
            path = "/".join(parts)
            r = rng.random()
            if r < 0.5:
                e = F(path, rng.randint(0, 100))
            elif r < 0.62:
                e = D(path)
            elif r < 0.84:
                e = W(path)
            elif r < 0.92:
                e = OPQ(path)
            else:
                e = Entry(path, 0, rng.choice(["symlink", "hardlink"]))
            if rng.random() < 0.6:   # most of the time the folders above get entries, first
                entries += [D("/".join(parts[:k])) for k in range(1, len(parts))]
            entries.append(e)
        stack.append(entries)
    return stack


def plain_stack(rng: random.Random) -> list[list[Entry]]:
    """Layers as a build makes them, with no folder ever deleted: files written (each folder
    above them with an entry of its own), rewritten, and deleted by name."""
    visible: set[str] = set()
    stack = []
    for i in range(rng.randint(1, 5)):
        entries, seen = [], set()
        for _ in range(rng.randint(0, 8)):
            parts = [rng.choice(["a", ".c", "d-e"]) for _ in range(rng.randint(0, 2))]
            path = "/".join(parts + [rng.choice(["x", ".y", "z-1"])])
            if path in seen:
                continue
            seen.add(path)
            entries += [D("/".join(parts[:k])) for k in range(1, len(parts) + 1)]
            if i > 0 and path in visible and rng.random() < 0.4:
                entries.append(W(path))
                visible.discard(path)
            else:
                entries.append(F(path, rng.randint(0, 100)))
                visible.add(path)
        stack.append(entries)
    return stack


@pytest.mark.parametrize("rule,reference", [("lab", ref_lab), ("dive", ref_dive)])
def test_rules_match_their_references_on_random_stacks(rule, reference):
    rng = random.Random(20250516)
    for case in range(600):
        stack = random_stack(rng)
        assert _as_dict(layers.efficiency(stack, rule)) == reference(stack), (case, stack)


def test_rules_agree_when_no_folder_is_deleted():
    rng = random.Random(7)
    for case in range(400):
        stack = plain_stack(rng)
        lab, dive = layers.efficiency(stack, "lab"), layers.efficiency(stack, "dive")
        assert _as_dict(lab) == _as_dict(dive), (case, stack)


# --------------------------------------------------------------- 30,000 files, 2,000 deletions


def big_stack(n_dirs=300, per_dir=100, rewritten_dirs=10, deleted_dirs=100,
              files_deleted_per_dir=19, seed=11):
    """Layer 0: n_dirs folders of per_dir files. Layer 1: rewrites every file of some folders.
    Layer 2: deletes whole folders, and single files in other folders. Also returns, for every
    file, its versions (size per touching layer, 0 for a deletion by name) and the folders
    deleted whole."""
    rng = random.Random(seed)
    top = [D("usr"), D("usr/lib")]

    def name(d, f=None):
        return f"usr/lib/pkg{d:03d}" + ("" if f is None else f"/f{f:03d}.so")

    versions: dict[str, list[int]] = {}
    l0 = list(top)
    for d in range(n_dirs):
        l0.append(D(name(d)))
        for f in range(per_dir):
            size = rng.randrange(1, 50_000)
            l0.append(F(name(d, f), size))
            versions[name(d, f)] = [size]
    l1 = list(top)
    for d in rng.sample(range(n_dirs), rewritten_dirs):
        l1.append(D(name(d)))
        for f in range(per_dir):
            size = rng.randrange(1, 50_000)
            l1.append(F(name(d, f), size))
            versions[name(d, f)].append(size)
    l2 = list(top)
    chosen = rng.sample(range(n_dirs), deleted_dirs + deleted_dirs)
    for d in chosen[:deleted_dirs]:
        l2.append(W(name(d)))
    for d in chosen[deleted_dirs:]:
        l2.append(D(name(d)))
        for f in rng.sample(range(per_dir), files_deleted_per_dir):
            l2.append(W(name(d, f)))
            versions[name(d, f)].append(0)
    return [l0, l1, l2], versions, [name(d) for d in chosen[:deleted_dirs]]


def expected(versions, deleted_dirs, rule):
    """The two rules worked out from how big_stack made its layers."""
    per_path = {p: list(v) for p, v in versions.items()}
    extra = []   # (cumulative, smallest) of paths that only the folder deletions touch
    for folder in deleted_dirs:
        held = [p for p in per_path if p.startswith(folder + "/")]
        if rule == "lab":
            for p in held:
                per_path[p].append(0)
            extra.append((0, 0))   # the folder's own entry, hidden too: one zero version
        else:
            visible = sum(per_path[p][-1] for p in held)
            extra.append((visible, visible))
    cum = sum(sum(v) for v in per_path.values()) + sum(c for c, _ in extra)
    small = sum(min(v) for v in per_path.values()) + sum(s for _, s in extra)
    wasted = sum(sum(v) for v in per_path.values() if len(v) > 1)
    return small / cum, wasted


def test_thirty_thousand_files_and_two_thousand_deletions():
    stack, versions, deleted_dirs = big_stack()
    assert len(versions) == 30_000
    assert sum(e.kind == "whiteout" for layer in stack for e in layer) == 2_000
    for rule in layers.RULES:
        started = time.perf_counter()
        a = layers.efficiency(stack, rule)
        seconds = time.perf_counter() - started
        print(f"\n{rule:>4} rule: {sum(map(len, stack)):,} entries, 2,000 deletions, "
              f"{seconds:.2f} s: efficiency {a.efficiency:.4f}, wasted {a.wasted_bytes:,} B")
        score, wasted = expected(versions, deleted_dirs, rule)
        assert a.efficiency == pytest.approx(score, rel=1e-12)
        assert a.wasted_bytes == wasted


def test_a_small_big_stack_matches_the_references():
    stack, versions, deleted_dirs = big_stack(n_dirs=12, per_dir=6, rewritten_dirs=3,
                                              deleted_dirs=4, files_deleted_per_dir=2)
    assert _as_dict(layers.efficiency(stack, "lab")) == ref_lab(stack)
    assert _as_dict(layers.efficiency(stack, "dive")) == ref_dive(stack)
    for rule in layers.RULES:
        score, wasted = expected(versions, deleted_dirs, rule)
        a = layers.efficiency(stack, rule)
        assert a.efficiency == pytest.approx(score, rel=1e-12) and a.wasted_bytes == wasted
