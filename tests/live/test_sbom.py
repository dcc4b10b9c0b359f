"""SBOMs of real images: what the image holds, checked against what built it."""

from __future__ import annotations

import json
import re

import pytest

from lessons import catalog, sbom

pytestmark = pytest.mark.live


def test_python_distroless_sbom_lists_the_pinned_dists_and_the_debian_interpreter(client, build):
    tag = build(catalog.Variant("python", "distroless"))
    inv, bom = sbom.of_image(client, tag)
    rows = sbom.components(inv)
    pinned = dict(re.findall(r"^([\w.-]+)==(\S+)$",
                             (catalog.SAMPLE_APPS / "python/requirements.txt").read_text(), re.M))
    pypi = {r["name"].lower(): r["version"] for r in rows if r["kind"] == "pypi"}
    assert pypi == {name.lower(): version for name, version in pinned.items()}
    debs = {r["name"] for r in rows if r["kind"] == "deb"}
    assert "libpython3.13-minimal" in debs and "libc6" in debs
    doc = json.loads(sbom.to_json(bom))
    assert doc["metadata"]["component"]["version"] == client.images.get(tag).id
    assert len(doc["components"]) == sbom.row(inv, bom)["sbom components"] == len(rows)


def test_go_scratch_sbom_has_only_the_binary_and_says_what_it_misses(client, build):
    tag = build(catalog.Variant("go", "scratch"))
    inv, bom = sbom.of_image(client, tag)
    (binary,) = inv.go_binaries
    go_mod = (catalog.SAMPLE_APPS / "go/go.mod").read_text()
    module = re.search(r"^module (\S+)", go_mod, re.M).group(1)
    names = {(r["kind"], r["name"]) for r in sbom.components(inv)}
    assert names == {("golang", "stdlib"), ("golang", module)}
    assert binary["go"].startswith("go1.")
    assert any("no dpkg records" in note for note in sbom.not_covered(inv))
    assert sbom.row(inv, bom)["files"] > 1   # CA bundle, zoneinfo... copied by hand
