"""lessons.provenance on synthetic archives (no engine): finding the attestation manifest
through the index, and reading both SLSA predicate versions BuildKit writes."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from lessons import imagefs, provenance
from lessons.errors import LabError

V02 = {"_type": "https://in-toto.io/Statement/v0.1",
       "predicateType": "https://slsa.dev/provenance/v0.2",
       "subject": [{"name": "pkg:docker/x/app@1", "digest": {"sha256": "a" * 64}}],
       "predicate": {"builder": {"id": ""}, "buildType": "https://mobyproject.org/buildkit@v1",
                     "materials": [{"uri": "pkg:docker/sizedrop.invalid/golang@1.27-trixie",
                                    "digest": {"sha256": "b" * 64}}],
                     "invocation": {"configSource": {"entryPoint": "scratch.dockerfile"},
                                    "parameters": {"frontend": "dockerfile.v0",
                                                   "args": {"build-arg:GO_IMAGE": "golang:x",
                                                            "label:sizedrop.managed": "true"}}},
                     "metadata": {"buildStartedOn": "2026-12-07T12:00:00Z",
                                  "buildFinishedOn": "2026-12-07T12:01:00Z"}}}


def _blob(docs: dict, doc) -> str:
    data = json.dumps(doc).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    docs["blobs/" + digest.replace(":", "/")] = data
    return digest


def _saved(statement: dict | None) -> io.BytesIO:
    """A docker-save-like OCI archive: index -> image index -> image + attestation."""
    docs: dict[str, bytes] = {}
    image = _blob(docs, {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "layers": []})
    entries = [{"digest": image}]
    if statement is not None:
        body = _blob(docs, statement)
        att = _blob(docs, {"layers": [{"mediaType": provenance.IN_TOTO, "digest": body}]})
        entries.append({"digest": att, "annotations": {
            "vnd.docker.reference.type": "attestation-manifest",
            "vnd.docker.reference.digest": image}})
    inner = _blob(docs, {"manifests": entries})
    docs["index.json"] = json.dumps({"manifests": [{"digest": inner}]}).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in {**docs, "blobs/sha256/" + "c" * 64: b"\0" * 1024}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def test_statement_is_found_through_the_index_and_summarised():
    (statement,) = provenance.statements(imagefs.json_documents(_saved(V02)))
    s = provenance.summary(statement)
    assert s["build args"] == {"GO_IMAGE": "golang:x"}
    assert s["materials"] == [("pkg:docker/sizedrop.invalid/golang@1.27-trixie", "sha256:" + "b" * 64)]
    assert s["dockerfile"] == "scratch.dockerfile" and s["frontend"] == "dockerfile.v0"
    assert s["builder id"].startswith("(empty")
    assert s["subject digest"] == "sha256:" + "a" * 64
    assert list(provenance.materials(statement).columns) == ["material", "digest"]


def test_slsa_v1_predicate_reads_the_same_fields():
    v1 = {"predicateType": "https://slsa.dev/provenance/v1", "subject": V02["subject"],
          "predicate": {"buildDefinition": {
              "externalParameters": {"configSource": {"path": "Dockerfile"},
                                     "request": {"frontend": "dockerfile.v0",
                                                 "args": {"build-arg:A": "1"}}},
              "resolvedDependencies": [{"uri": "pkg:docker/debian", "digest": {"sha256": "d"}}]},
              "runDetails": {"builder": {"id": "https://example/builder"},
                             "metadata": {"startedOn": "t0", "finishedOn": "t1"}}}}
    s = provenance.summary(v1)
    assert (s["builder id"], s["build args"], s["dockerfile"], s["started"]) == \
        ("https://example/builder", {"A": "1"}, "Dockerfile", "t0")
    assert s["materials"] == [("pkg:docker/debian", "sha256:d")]


def test_an_image_without_attestations_gets_one_clear_line():
    class Image:
        def save(self, named=False):
            yield _saved(None).getvalue()

    class Client:
        class images:
            @staticmethod
            def get(ref):
                return Image()

    assert provenance.statements(imagefs.json_documents(_saved(None))) == []
    with pytest.raises(LabError, match="carries no provenance attestation"):
        provenance.of_image(Client(), "sizedrop.invalid/x:y")
