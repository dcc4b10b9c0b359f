"""lessons.sbom on small synthetic filesystems (no engine): what each source of truth gives,
and that the document is CycloneDX 1.6 JSON naming what it does not cover."""

from __future__ import annotations

import io
import json
import tarfile
import warnings

from lessons import inventory, sbom

STATUS = """Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.41-12

Package: old-thing
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
"""
DISTROLESS_RECORD = "Package: tzdata\nVersion: 2026f-0+deb13u1\nArchitecture: all\n"
METADATA = "Metadata-Version: 2.1\nName: Flask\nVersion: 3.1.3\n"
RELEASE = 'JAVA_VERSION="21.0.9"\nMODULES="java.base jdk.httpserver"\n'


def _fs(files: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def _inventory(**extra: bytes) -> inventory.Inventory:
    files = {"var/lib/dpkg/status": STATUS.encode(),
             "var/lib/dpkg/status.d/tzdata": DISTROLESS_RECORD.encode(),
             "opt/venv/lib/python3.13/site-packages/flask-3.1.3.dist-info/METADATA":
                 METADATA.encode(),
             "opt/jre/release": RELEASE.encode(),
             "app/copied-by-hand.txt": b"x"}
    files.update(extra)
    return inventory.read_filesystem(_fs(files))


def test_components_from_dpkg_both_places_dist_info_and_the_java_release():
    rows = {(r["kind"], r["name"]): r for r in sbom.components(_inventory())}
    assert set(rows) == {("deb", "libc6"), ("deb", "tzdata"), ("pypi", "Flask"),
                         ("java-module", "java.base"), ("java-module", "jdk.httpserver")}
    assert rows[("deb", "libc6")]["purl"] == \
        "pkg:deb/debian/libc6@2.41-12?arch=amd64&distro=debian-13"
    assert rows[("deb", "tzdata")]["version"] == "2026f-0+deb13u1"
    assert rows[("pypi", "Flask")]["purl"] == "pkg:pypi/flask@3.1.3"
    assert rows[("java-module", "java.base")]["version"] == "21.0.9"


def test_go_build_info_gives_the_toolchain_main_module_and_dependencies():
    inv = inventory.Inventory(go_binaries=[{"path": "/app/server", "go": "go1.27.3",
                                            "module": "sizedrop.example/app",
                                            "deps": [("golang.org/x/net", "v0.40.0")]}])
    purls = [r["purl"] for r in sbom.components(inv)]
    assert purls == ["pkg:golang/stdlib@1.27.3", "pkg:golang/sizedrop.example/app",
                     "pkg:golang/golang.org/x/net@v0.40.0"]
    assert any("cgo" in note for note in sbom.not_covered(inv))
    assert any("no dpkg records" in note for note in sbom.not_covered(inv))


def test_document_is_cyclonedx_json_with_its_limits_and_no_warning():
    inv = _inventory()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)   # cyclonedx warns on an incomplete graph
        bom = sbom.document(inv, "sizedrop.invalid/x:y", "sha256:" + "0" * 64)
        doc = json.loads(sbom.to_json(bom))
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    assert doc["metadata"]["component"]["type"] == "container"
    assert len(doc["components"]) == 5
    notes = [p["value"] for p in doc["metadata"]["properties"]
             if p["name"] == "sizedrop:not-covered"]
    assert any("copied into the image by hand" in n for n in notes)
    assert any("Java runtime" in n for n in notes)
    row = sbom.row(inv, bom)
    assert row == {"files": 5, "os packages": 3, "python dists": 1, "java modules": 2,
                   "go binaries": 0, "sbom components": 5}
