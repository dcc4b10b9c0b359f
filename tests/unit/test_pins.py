"""lessons.pins with a fake engine: which base images a build pins, and what the lock says."""

from __future__ import annotations

import json

from docker.errors import ImageNotFound

from lessons import catalog, pins

GO = catalog.Variant("go", "scratch").dockerfile
LOCAL_GO = "sizedrop.invalid/golang:1.27-trixie"
DIGEST = "sha256:" + "1" * 64


class Image:
    def __init__(self, repo_digests):
        self.attrs = {"RepoDigests": repo_digests}


class Client:
    def __init__(self, images):
        self._images = images

    @property
    def images(self):
        return self

    def get(self, name):
        if name not in self._images:
            raise ImageNotFound(name)
        return Image(self._images[name])


def _lock(tmp_path, monkeypatch, local=None, official=None):
    path = tmp_path / "images.lock"
    path.write_text(json.dumps({"written": {}, "local": local or {}, "official": official or {}}))
    monkeypatch.setattr(pins, "LOCK", path)


def test_a_lookalike_is_pinned_only_when_the_engine_has_that_exact_image(tmp_path, monkeypatch):
    _lock(tmp_path, monkeypatch, local={"GO_IMAGE": DIGEST})
    args = {"GO_IMAGE": LOCAL_GO, "PIP_NO_INDEX": "1"}
    same = Client({LOCAL_GO: [f"sizedrop.invalid/golang@{DIGEST}"]})
    assert pins.pinned(same, "local", args, GO) == {"GO_IMAGE": f"{LOCAL_GO}@{DIGEST}",
                                                    "PIP_NO_INDEX": "1"}
    rebuilt = Client({LOCAL_GO: ["sizedrop.invalid/golang@sha256:" + "2" * 64]})
    assert pins.pinned(rebuilt, "local", args, GO) == args
    classic = Client({LOCAL_GO: []})          # the classic store: no digest for local builds
    assert pins.pinned(classic, "local", args, GO) == args
    assert pins.matching(same) == (1, 1) and pins.matching(classic) == (0, 1)


def test_official_images_are_pinned_from_the_lock_and_left_alone_when_unknown(tmp_path, monkeypatch):
    _lock(tmp_path, monkeypatch, official={"GO_IMAGE": DIGEST})
    assert pins.pinned(Client({}), "official", {}, GO) == {"GO_IMAGE": f"golang:1.27-trixie@{DIGEST}"}
    _lock(tmp_path, monkeypatch, official={"GO_IMAGE": None})
    assert pins.pinned(Client({}), "official", {}, GO) == {}


def test_resolve_takes_official_digests_only_from_pulled_images():
    client = Client({"golang:1.27-trixie": [f"golang@{DIGEST}"],
                     "debian:trixie-slim": [],
                     LOCAL_GO: [f"sizedrop.invalid/golang@{DIGEST}"]})
    lock = pins.resolve(client)
    assert lock["official"]["GO_IMAGE"] == DIGEST
    assert lock["official"]["DEBIAN_IMAGE"] is None       # present, but never pulled
    assert lock["official"]["JDK_IMAGE"] is None          # absent
    assert lock["local"]["GO_IMAGE"] == DIGEST


def test_the_committed_lock_has_well_formed_digests_and_says_where_there_are_none():
    import re

    lock = json.loads(pins.LOCK.read_text())
    for image_set in ("local", "official"):
        digests = [d for d in lock[image_set].values() if d]
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", d) for d in digests), image_set
        if not digests:
            assert pins.NOT_RESOLVABLE in lock["written"][image_set]
