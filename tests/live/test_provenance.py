"""Provenance on the live engine: a max-mode build's SLSA statement names the base image
it was built from, with the digest the engine has for it."""

from __future__ import annotations

import contextlib

import pytest
from docker.errors import DockerException

from lessons import catalog, imagesets, lab, provenance

pytestmark = pytest.mark.live


def test_max_mode_provenance_names_the_base_image_and_build_args(client, image_set):
    if "io.containerd.snapshotter" not in str(client.info().get("DriverStatus", "")):
        pytest.skip("attestations need the containerd image store (this engine uses "
                    f"{client.info().get('Driver')})")
    v = catalog.Variant("go", "scratch")
    tag = "sizedrop.invalid/provenance-test:go-scratch"
    try:
        provenance.build_with_provenance(client, v, image_set, tag)
        statement = provenance.of_image(client, tag)
        s = provenance.summary(statement)
        go = imagesets.name_in(image_set, "GO_IMAGE")
        # what the lab passed: the lookalike's name, pinned by digest where the lock agrees
        assert s["build args"].get("GO_IMAGE") == \
            lab.build_args(v, image_set, client).get("GO_IMAGE")
        assert s["dockerfile"] == "scratch.dockerfile"
        repo = go.rsplit(":", 1)[0]
        (material,) = [m for m in s["materials"] if repo in m[0]]
        assert material[1] == client.images.get(go).id
        assert statement["predicate"]["metadata"]["completeness"]["parameters"] is True
    finally:
        with contextlib.suppress(DockerException):
            client.images.remove(tag)
