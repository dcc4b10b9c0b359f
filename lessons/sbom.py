"""An SBOM per image, made offline from what the image holds, in CycloneDX (JSON, 1.6).

BuildKit's own ``--sbom`` runs a scanner image (docker/buildkit-syft-scanner) that it pulls
from a registry; with no registry that cannot run. This module reads the image's filesystem
once (lessons.inventory, through the lab's one image reader, lessons.imagefs) and lists:

* Debian packages, from ``var/lib/dpkg/status`` and from ``var/lib/dpkg/status.d/`` (distroless
  images keep one record per package there and no ``status`` file);
* Python distributions, from each ``*.dist-info/METADATA``;
* the modules of a Java runtime, from its ``release`` file (jlink writes MODULES there);
* Go binaries, from the build information the Go linker writes into them (Go version, main
  module and the modules it depends on).

What it cannot see is said in the SBOM itself (metadata properties ``sizedrop:not-covered``)
and by :func:`not_covered`: anything copied into the image by hand, C libraries linked into a
static binary, native code bundled inside wheels, and versions of the app itself.
"""

from __future__ import annotations

import re

import pandas as pd
from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from . import inventory
from .inventory import Inventory

DEBIAN_RELEASE = "debian-13"


def dpkg_records(inv: Inventory) -> list[dict[str, str]]:
    """Installed Debian packages as {Package, Version, Architecture, ...} from both places
    dpkg records live (one entry per package name and architecture)."""
    texts = [inv.dpkg_status, *inv.distroless_records]
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for text in texts:
        for paragraph in re.split(r"\n\s*\n", text):
            fields = dict(re.findall(r"^([A-Za-z][\w-]*): (.*)$", paragraph, re.M))
            if "Package" not in fields:
                continue
            if "not-installed" in fields.get("Status", "") or \
                    "config-files" in fields.get("Status", ""):
                continue
            seen[(fields["Package"], fields.get("Architecture", ""))] = fields
    return [seen[key] for key in sorted(seen)]


def _java_version(inv: Inventory) -> str:
    m = re.search(r'^JAVA_VERSION="([^"]*)"', inv.java_release, re.M)
    return m.group(1) if m else ""


def components(inv: Inventory) -> list[dict[str, str]]:
    """One row per component: kind, name, version, purl, where it was read."""
    rows = []
    for rec in dpkg_records(inv):
        arch = rec.get("Architecture", "")
        purl = PackageURL("deb", "debian", rec["Package"], rec.get("Version") or None,
                          {"arch": arch, "distro": DEBIAN_RELEASE} if arch else
                          {"distro": DEBIAN_RELEASE})
        rows.append({"kind": "deb", "name": rec["Package"], "version": rec.get("Version", ""),
                     "purl": purl.to_string(), "found in": "dpkg records"})
    for dist in sorted(set(inv.python_dists)):
        name, _, version = dist.partition("==")
        purl = PackageURL("pypi", None, re.sub(r"[-_.]+", "-", name).lower(), version)
        rows.append({"kind": "pypi", "name": name, "version": version,
                     "purl": purl.to_string(), "found in": "dist-info METADATA"})
    java = _java_version(inv)
    for module in inv.java_modules:
        rows.append({"kind": "java-module", "name": module, "version": java,
                     "purl": "", "found in": "Java runtime release file"})
    for binary in inv.go_binaries:
        go = binary["go"].removeprefix("go")
        rows.append({"kind": "golang", "name": "stdlib", "version": go,
                     "purl": PackageURL("golang", None, "stdlib", go).to_string(),
                     "found in": f"Go build info of {binary['path']}"})
        if binary.get("module"):
            rows.append({"kind": "golang", "name": binary["module"], "version": "",
                         "purl": PackageURL("golang", None, binary["module"]).to_string(),
                         "found in": f"Go build info of {binary['path']}"})
        for path, version in binary.get("deps", []):
            rows.append({"kind": "golang", "name": path, "version": version,
                         "purl": PackageURL("golang", None, path, version).to_string(),
                         "found in": f"Go build info of {binary['path']}"})
    return rows


def not_covered(inv: Inventory) -> list[str]:
    """What this SBOM does not list, for this image (plain sentences)."""
    notes = ["files copied into the image by hand (COPY, curl) are not listed unless they are a "
             "Python distribution, a Go binary or a Java runtime",
             "the app's own code is listed only when it carries build info (Go) or dist-info "
             "(Python); its version is not known"]
    if not inv.os_packages:
        notes.append("no dpkg records: the operating-system files in this image (if any) are "
                     "invisible to this SBOM and to scanners that read package records")
    if inv.go_binaries:
        notes.append("C code linked into a Go binary (cgo) is not listed; a static binary "
                     "records only Go modules")
    if inv.java_modules:
        notes.append("a Java runtime is listed as its modules (its release file); a runtime "
                     "copied in (jlink, a tarball) has no dpkg record for its native libraries")
    if inv.python_dists:
        notes.append("native libraries bundled inside wheels (in a .libs folder) are not "
                     "listed separately")
    return notes


def document(inv: Inventory, image: str, digest: str = "") -> Bom:
    """The CycloneDX document for one image (``image``: its name; ``digest``: its ID)."""
    bom = Bom()
    root = Component(name=image, version=digest or None, type=ComponentType.CONTAINER,
                     bom_ref=image)
    bom.metadata.component = root
    bom.metadata.properties.update(Property(name="sizedrop:not-covered", value=note)
                                   for note in not_covered(inv))
    parts = []
    for i, row in enumerate(components(inv)):
        props = [Property(name="sizedrop:found-in", value=row["found in"])]
        parts.append(Component(
            name=row["name"], version=row["version"] or None, type=ComponentType.LIBRARY,
            purl=PackageURL.from_string(row["purl"]) if row["purl"] else None,
            bom_ref=row["purl"] or f"{row['kind']}:{row['name']}:{i}",
            group="java-module" if row["kind"] == "java-module" else None,
            properties=props))
    bom.components.update(parts)
    # Everything found is in the image; how the parts depend on each other is not read.
    bom.register_dependency(root, parts)
    return bom


def to_json(bom: Bom) -> str:
    """CycloneDX 1.6 JSON text."""
    return JsonV1Dot6(bom).output_as_string(indent=1)


def row(inv: Inventory, bom: Bom) -> dict:
    """The table row beside the sizes: packages, files and SBOM components."""
    return {"files": inv.files, "os packages": len(inv.os_packages),
            "python dists": len(set(inv.python_dists)), "java modules": len(inv.java_modules),
            "go binaries": len(inv.go_binaries), "sbom components": len(bom.components)}


def of_image(client, ref: str) -> tuple[Inventory, Bom]:
    """Read ``ref`` (a local image) once and make its SBOM."""
    inv = inventory.of_image(client, ref)
    return inv, document(inv, ref, client.images.get(ref).id)


def table(client, tags: dict) -> pd.DataFrame:
    """``tags``: {(language, variant): tag}; one row per image."""
    rows = []
    for (language, variant), tag in tags.items():
        inv, bom = of_image(client, tag)
        rows.append({"language": language, "variant": variant, **row(inv, bom)})
    return pd.DataFrame(rows)
