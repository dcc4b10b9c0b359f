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


def test_registry_manifest_matches_our_compressed_size(client, image_set, build, registry):
    """Our 'compressed' figure (gzip -6 of the layer tars) against what the registry stores
    after a real push: they are different gzip implementations, so close, not identical."""
    v = catalog.Variant("go", "distroless")
    tag = build(v)
    ours = sum(x.gzip_size for x in sizes.layer_sizes(client, tag))
    target = f"{registry}/sizedrop/test/go-app:distroless"
    repo, t = target.rsplit(":", 1)
    client.images.get(tag).tag(repo, t)
    try:
        for item in client.images.push(repo, t, stream=True, decode=True):
            assert "error" not in item, item
        registry_bytes = sum(classroom.manifest_layer_sizes(registry,
                                                            "sizedrop/test/go-app:distroless"))
    finally:
        client.images.remove(target)
    ratio = registry_bytes / ours
    print(f"{v}: registry manifest {registry_bytes} B, lab's gzip -6 {ours} B, ratio {ratio:.3f}")
    assert 0.9 < ratio < 1.1
