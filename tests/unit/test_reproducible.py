"""lessons.reproducible on small synthetic image archives (no engine)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from lessons import imagefs, reproducible


def _tar(entries: dict[str, tuple[bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, (data, mtime) in entries.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), mtime
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _saved(path, layers: list[dict], created: str = "2026-01-01T00:00:00Z"):
    """A `docker save`-style archive with the given layers."""
    blobs = [_tar(layer) for layer in layers]
    config = {"created": created,
              "rootfs": {"type": "layers",
                         "diff_ids": ["sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]},
              "history": [{"created_by": f"COPY step {i}"} for i in range(len(blobs))]}
    files = {"config.json": json.dumps(config).encode()}
    files.update({f"layer{i}.tar": b for i, b in enumerate(blobs)})
    files["manifest.json"] = json.dumps([{"Config": "config.json", "RepoTags": [],
                                          "Layers": [f"layer{i}.tar" for i in range(len(blobs))]}]
                                        ).encode()
    path.write_bytes(_tar({name: (data, 0) for name, data in files.items()}))
    return imagefs.Archive(path)


def test_identical_builds_have_no_difference(tmp_path):
    layers = [{"app/server": (b"binary", 100)}]
    one, two = _saved(tmp_path / "1.tar", layers), _saved(tmp_path / "2.tar", layers)
    assert one.identity == two.identity
    assert reproducible.difference(one, two) == {"first differing layer": "", "made by": "",
                                                 "files that differ": ""}


def test_a_changed_file_is_named_with_its_layer_and_instruction(tmp_path):
    base = {"etc/passwd": (b"root", 0)}
    one = _saved(tmp_path / "1.tar", [base, {"a.pyc": (b"x", 1), "b.py": (b"same", 5)}])
    two = _saved(tmp_path / "2.tar", [base, {"a.pyc": (b"y", 2), "b.py": (b"same", 5)}])
    diff = reproducible.difference(one, two)
    assert one.identity != two.identity
    assert diff["first differing layer"] == "2 of 2"
    assert diff["made by"] == "COPY step 1"
    assert diff["files that differ"] == "1: a.pyc (mtime+content)"


def test_same_layers_different_config_says_which_keys(tmp_path):
    layers = [{"app/server": (b"binary", 100)}]
    one = _saved(tmp_path / "1.tar", layers)
    two = _saved(tmp_path / "2.tar", layers, created="2026-12-07T12:00:00Z")
    assert reproducible.difference(one, two)["files that differ"] == \
        "none; the configs differ in: created"


def test_oci_archive_identity_is_the_image_below_an_index_with_an_attestation(tmp_path):
    files: dict[str, tuple[bytes, int]] = {}

    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        files["blobs/" + digest.replace(":", "/")] = (data, 0)
        return digest

    layer = _tar({"app/server": (b"binary", 0)})
    config = blob(json.dumps({"rootfs": {"diff_ids": [
        "sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode())
    image = blob(json.dumps({"config": {"digest": config},
                             "layers": [{"digest": blob(layer)}]}).encode())
    attestation = blob(json.dumps({"config": {"digest": config}, "layers": []}).encode())
    inner = blob(json.dumps({"manifests": [
        {"digest": image, "platform": {"os": "linux", "architecture": "amd64"}},
        {"digest": attestation, "platform": {"os": "unknown", "architecture": "unknown"}},
    ]}).encode())
    files["index.json"] = (json.dumps({"manifests": [{"digest": inner}]}).encode(), 0)
    (tmp_path / "oci.tar").write_bytes(_tar(files))
    archive = imagefs.Archive(tmp_path / "oci.tar")
    assert archive.identity == image
    assert reproducible.layer_files(archive, 0)["app/server"][2] == len(b"binary")
