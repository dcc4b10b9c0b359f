"""Reproducible builds: build a variant twice from the same source and compare the digests.

Both builds run without cache and with ``--build-arg SOURCE_DATE_EPOCH=...`` (BuildKit 0.11+
dates the image config and history with it). Where the builder has an OCI exporter (BuildKit
on the containerd image store, or a docker-container builder), the image goes to an OCI
archive with ``rewrite-timestamp=true`` (BuildKit 0.13+ also clamps the time of every file
the build writes). Checked by hand on 2026-12-07:

* Docker 28.5.2 / buildx 0.29.1, containerd image store: ``--output type=oci,dest=...,
  rewrite-timestamp=true`` works. ``rewrite-timestamp`` into the engine's own store
  (``--load``, ``type=image`` or ``type=docker``, even with ``unpack=false``) fails with
  'exporter option "rewrite-timestamp" conflicts with "unpack"' (and still leaves an image
  behind). ``docker load -i`` of the OCI archive puts the image in the store, untagged, with
  the archive's manifest digest as its ID. ``--provenance=false``: buildx attaches a minimal
  provenance attestation by default, and it records when the build ran.
* Docker 20.10.24 (BuildKit v0.8, classic store) with buildx 0.13.1: "OCI exporter is not
  supported for the docker driver" (the docker exporter to a file neither), and BuildKit reads
  SOURCE_DATE_EPOCH only from 0.11 on. There the builds go through ``--load`` and ``docker
  save``, without rewriting, so any file a build step writes carries that build's time.

When two builds differ, :func:`compare` names the first layer that differs, the instruction
that made it and a few of the files that differ, and in what.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from . import build, catalog, imagefs, lab
from .catalog import Variant
from .errors import BuildFailed
from .labels import managed

# 2026-01-01 00:00 UTC, the time the Java Dockerfiles give jar entries by default.
SOURCE_DATE_EPOCH = "1767225600"
OCI = "OCI exporter, rewrite-timestamp"
LOADED = "--load and docker save (this builder cannot rewrite timestamps)"


def argv(v: Variant, image_set: str, client, output: str, tag: str | None = None) -> list[str]:
    """The ``docker buildx build`` command of one reproducibility build: no cache,
    SOURCE_DATE_EPOCH, no provenance, and ``--output OUTPUT`` instead of ``--load``."""
    args = dict(lab.build_args(v, image_set, client))
    args["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    cmd = build.build_argv(v.dockerfile, v.context, tag or "unused", buildargs=args,
                           labels=managed(**lab.labels_for(v, image_set)), nocache=True,
                           cwd=catalog.REPO_ROOT)
    at = cmd.index("--load")
    # No provenance attestation: even the minimal one records when the build ran.
    cmd[at:at + 1] = ["--provenance=false", "--output", output]
    if tag is None:
        at = cmd.index("-t")
        del cmd[at:at + 2]
    return cmd


def build_archive(client, v: Variant, image_set: str, archive: Path) -> str:
    """Build ``v`` without cache into the image archive ``archive``; returns how (OCI or
    LOADED). The classic-store path tags the image for a moment and removes that tag."""
    proc = subprocess.run(argv(v, image_set, client,
                               f"type=oci,dest={archive},rewrite-timestamp=true"),
                          cwd=catalog.REPO_ROOT, capture_output=True, text=True)
    if proc.returncode == 0:
        return OCI
    if "driver" not in proc.stderr and "exporter" not in proc.stderr:
        raise BuildFailed(f"the reproducibility build of {v} failed",
                          "build it once with the lab to see which step fails",
                          log_tail=proc.stderr.splitlines()[-15:])
    tag = f"sizedrop.invalid/repro-{v.language}:{v.variant}-{archive.stem}"
    proc = subprocess.run(argv(v, image_set, client, "type=docker", tag),
                          cwd=catalog.REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildFailed(f"the reproducibility build of {v} failed",
                          "build it once with the lab to see which step fails",
                          log_tail=proc.stderr.splitlines()[-15:])
    with archive.open("wb") as out:
        shutil.copyfileobj(imagefs.saved(client, tag), out)
    client.images.remove(tag)
    return LOADED


def layer_files(archive: imagefs.Archive, index: int) -> dict[str, tuple]:
    """{path: (type, mode, size, mtime, sha256)} of a layer's entries."""
    files = {}
    for m, tar in archive.layer(index):
        digest = hashlib.sha256(tar.extractfile(m).read()).hexdigest()[:12] if m.isfile() else ""
        files[imagefs.clean_name(m.name)] = (m.type, m.mode, m.size, m.mtime, digest)
    return files


def made_by(archive: imagefs.Archive, index: int) -> str:
    made = [h.get("created_by", "") for h in archive.config.get("history", [])
            if not h.get("empty_layer")]
    return made[index] if index < len(made) else ""


def _what_differs(a: tuple, b: tuple) -> str:
    names = ("type", "mode", "size", "mtime", "content")
    return "+".join(n for n, x, y in zip(names, a, b) if x != y)


def difference(one: imagefs.Archive, two: imagefs.Archive) -> dict:
    """Where two builds of the same image differ (empty strings when they do not)."""
    row = {"first differing layer": "", "made by": "", "files that differ": ""}
    if one.diff_ids != two.diff_ids:
        index = next((i for i, (x, y) in enumerate(zip(one.diff_ids, two.diff_ids)) if x != y),
                     min(len(one.diff_ids), len(two.diff_ids)) - 1)
        fa, fb = layer_files(one, index), layer_files(two, index)
        differ = sorted(p for p in fa.keys() | fb.keys() if fa.get(p) != fb.get(p))
        shown = [f"{p} ({_what_differs(fa[p], fb[p]) if p in fa and p in fb else 'in one only'})"
                 for p in differ[:4]]
        row.update({"first differing layer": f"{index + 1} of {len(one.diff_ids)}",
                    "made by": made_by(one, index).replace("|", "/")[:100],
                    "files that differ": f"{len(differ)}: " + "; ".join(shown)})
    elif one.identity != two.identity:
        keys = sorted(k for k in one.config.keys() | two.config.keys()
                      if one.config.get(k) != two.config.get(k))
        row["files that differ"] = "none; the configs differ in: " + ", ".join(keys)
    return row


def compare(client, v: Variant, image_set: str) -> dict:
    """Build ``v`` twice without cache, with SOURCE_DATE_EPOCH, and compare: one table row
    with both digests and, when they differ, where."""
    print("$ " + " ".join(argv(v, image_set, client,
                               "type=oci,dest=build-N.tar,rewrite-timestamp=true")))
    with tempfile.TemporaryDirectory(prefix="sizedrop-repro-") as tmp:
        paths = [Path(tmp) / f"build-{n}.tar" for n in (1, 2)]
        how = [build_archive(client, v, image_set, p) for p in paths][0]
        one, two = imagefs.Archive(paths[0]), imagefs.Archive(paths[1])
        try:
            return {"language": v.language, "variant": v.variant, "how": how,
                    "digest 1": one.identity, "digest 2": two.identity,
                    "same digest": one.identity == two.identity,
                    "same layers": one.diff_ids == two.diff_ids,
                    "layers": len(one.diff_ids), **difference(one, two)}
        finally:
            one.close()
            two.close()


def table(client, image_set: str, variants: list[Variant]) -> pd.DataFrame:
    """:func:`compare` for each variant, one row each."""
    return pd.DataFrame([compare(client, v, image_set) for v in variants])
