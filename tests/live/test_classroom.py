"""Classroom mode for real: a registry on loopback, a push, a pull back, and the registry's
own manifests stating the compressed bytes a learner would download."""

from __future__ import annotations

import shutil
import socket

import pytest

from lessons import catalog, classroom, imagesets, sizes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    if not (shutil.which("docker-registry") or shutil.which("registry")):
        pytest.fail("docker-registry is not installed (apt-get install docker-registry)")
    addr = f"127.0.0.1:{_free_port()}"
    proc = classroom.serve(addr, tmp_path_factory.mktemp("registry"))
    yield addr
    proc.terminate()
    proc.wait(10)


def test_push_then_pull_gives_the_same_image(client, image_set, registry):
    only = ["DISTROLESS_STATIC_IMAGE"]
    pushed = classroom.push(client, registry, image_set, progress=print, only=only)
    assert len(pushed) == 1
    name = imagesets.name_in(image_set, "DISTROLESS_STATIC_IMAGE")
    original = client.images.get(name).id
    found = classroom.pull(client, registry, progress=print, only=only)
    assert found == image_set
    assert client.images.get(name).id == original, "the pulled image differs"


def test_registry_manifest_matches_our_sizes(client, image_set, build, registry):
    """Our figures against what the registry stores after a real push, layer by layer: a gzip
    layer against our gzip -6 (different gzip implementations: close, not identical), an
    uncompressed layer (the containerd image store pushes a loaded layer as it holds it)
    against our uncompressed tar, byte for byte."""
    v = catalog.Variant("go", "distroless")
    tag = build(v)
    ours = sizes.layer_sizes(client, tag)
    target = f"{registry}/sizedrop/test/go-app:distroless"
    repo, t = target.rsplit(":", 1)
    client.images.get(tag).tag(repo, t)
    try:
        for item in client.images.push(repo, t, stream=True, decode=True):
            assert "error" not in item, item
        pushed = classroom.manifest_layers(registry, "sizedrop/test/go-app:distroless")
    finally:
        client.images.remove(target)
    assert len(pushed) == len(ours)
    gz_registry = gz_ours = 0
    for (media, size), layer in zip(pushed, ours):
        print(f"{v}: {media}: registry {size} B; ours {layer.size} B, gzip -6 {layer.gzip_size} B")
        if "gzip" in media:
            gz_registry += size
            gz_ours += layer.gzip_size
        else:
            assert size == layer.size, f"an uncompressed layer of {size} B, our tar {layer.size} B"
    if gz_ours:
        ratio = gz_registry / gz_ours
        print(f"{v}: gzip layers: registry {gz_registry} B, lab's gzip -6 {gz_ours} B, "
              f"ratio {ratio:.3f}")
        assert 0.9 < ratio < 1.1
