"""Build provenance: the SLSA statement BuildKit attaches to an image, and how to read it.

``docker buildx build --provenance=mode=max --load`` on the containerd image store keeps an
attestation manifest beside the image in its index (Docker 28.5.2 / buildx 0.29.1, checked
2026-12-07). Ways to read it there, none needing a registry:

* ``docker buildx history inspect attachment REF --type https://slsa.dev/provenance/v0.2``
  prints the predicate of a recent build (``docker buildx history ls`` lists them);
* ``docker save IMAGE`` writes the OCI index, the attestation manifest and the in-toto
  statement as blobs: :func:`of_image` reads them from that stream (lessons.imagefs);
* ``docker buildx imagetools inspect --format '{{json .Provenance}}'`` needs the image in a
  registry, so not here.

On Docker's classic image store (overlay2; Docker 20.10.24 with buildx 0.13.1, checked the
same day) buildx refuses: "Attestation is not supported for the docker driver".
"""

from __future__ import annotations

import json
import subprocess

import pandas as pd

from . import build, catalog, imagefs, lab
from .catalog import Variant
from .errors import BuildFailed, LabError
from .labels import managed

ATTESTATION = "attestation-manifest"
IN_TOTO = "application/vnd.in-toto+json"
SLSA = ("https://slsa.dev/provenance/v0.2", "https://slsa.dev/provenance/v1")


def argv(v: Variant, image_set: str, client, tag: str, mode: str = "max") -> list[str]:
    """The usual lab build of ``v`` with ``--provenance=mode=MODE``."""
    cmd = build.build_argv(v.dockerfile, v.context, tag,
                           buildargs=lab.build_args(v, image_set, client),
                           labels=managed(**lab.labels_for(v, image_set)),
                           cwd=catalog.REPO_ROOT)
    cmd.insert(cmd.index("--load"), f"--provenance=mode={mode}")
    return cmd


def build_with_provenance(client, v: Variant, image_set: str, tag: str) -> str:
    """Build ``v`` as ``tag`` with max-mode provenance; returns the command it ran."""
    cmd = argv(v, image_set, client, tag)
    print("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=catalog.REPO_ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildFailed(f"the build of {v} with provenance failed",
                          "build it once with the lab to see which step fails",
                          log_tail=proc.stderr.splitlines()[-15:])
    return " ".join(cmd)


def statements(docs: dict[str, bytes]) -> list[dict]:
    """The in-toto statements of every attestation manifest named by an index among
    ``docs`` (lessons.imagefs.json_documents of a ``docker save`` or OCI archive)."""
    def blob(digest: str) -> bytes | None:
        return docs.get("blobs/" + digest.replace(":", "/", 1))

    found: dict[str, dict] = {}
    for data in docs.values():
        try:
            doc = json.loads(data)
        except ValueError:
            continue
        if not isinstance(doc, dict):
            continue
        for entry in doc.get("manifests", []):
            if entry.get("annotations", {}).get("vnd.docker.reference.type") != ATTESTATION:
                continue
            manifest = blob(entry["digest"])
            for layer in json.loads(manifest).get("layers", []) if manifest else []:
                body = blob(layer["digest"])
                if layer.get("mediaType") == IN_TOTO and body:
                    found[layer["digest"]] = json.loads(body)
    return list(found.values())


def of_image(client, ref: str) -> dict:
    """The SLSA provenance statement attached to the local image ``ref``."""
    slsa = [s for s in statements(imagefs.json_documents(imagefs.saved(client, ref)))
            if s.get("predicateType") in SLSA]
    if not slsa:
        raise LabError(f"{ref} carries no provenance attestation",
                       "build it with --provenance=mode=max on an engine with the containerd "
                       "image store (Docker's classic store keeps no attestations)")
    return slsa[0]


def summary(statement: dict) -> dict:
    """What a learner reads first: who built it, from what, with which arguments."""
    pred = statement["predicate"]
    if statement["predicateType"].endswith("/v1"):
        definition, details = pred["buildDefinition"], pred["runDetails"]
        params = definition.get("externalParameters", {})
        request = params.get("request", {})
        materials = definition.get("resolvedDependencies", [])
        builder = details.get("builder", {}).get("id", "")
        meta = details.get("metadata", {})
        started, finished = meta.get("startedOn", ""), meta.get("finishedOn", "")
        entry = params.get("configSource", {}).get("path", "")
    else:
        request = pred["invocation"]["parameters"]
        materials = pred.get("materials", [])
        builder = pred.get("builder", {}).get("id", "")
        meta = pred.get("metadata", {})
        started, finished = meta.get("buildStartedOn", ""), meta.get("buildFinishedOn", "")
        entry = pred["invocation"].get("configSource", {}).get("entryPoint", "")
    args = {k.removeprefix("build-arg:"): v for k, v in request.get("args", {}).items()
            if k.startswith("build-arg:")}
    subject = statement.get("subject", [{}])[0]
    return {"predicate type": statement["predicateType"],
            "subject": subject.get("name", ""),
            "subject digest": "sha256:" + subject.get("digest", {}).get("sha256", ""),
            "builder id": builder or "(empty: the docker driver does not name its builder)",
            "frontend": request.get("frontend", ""), "dockerfile": entry,
            "build args": args,
            "materials": [(m.get("uri", ""), "sha256:" + m.get("digest", {}).get("sha256", ""))
                          for m in materials],
            "started": started, "finished": finished}


def materials(statement: dict) -> pd.DataFrame:
    """The base images (and other inputs) the build says it used, with their digests."""
    return pd.DataFrame(summary(statement)["materials"], columns=["material", "digest"])


def shown(client, v: Variant, image_set: str, tag: str) -> pd.DataFrame:
    """Build ``v`` as ``tag`` with provenance, print who built it from which Dockerfile with
    which build args, and return its materials (base images and their digests)."""
    build_with_provenance(client, v, image_set, tag)
    print("$ docker buildx history inspect attachment --type "
          "https://slsa.dev/provenance/v0.2   # the same statement, from the build record")
    statement = of_image(client, tag)
    s = summary(statement)
    for key in ("predicate type", "subject digest", "builder id", "frontend", "dockerfile",
                "build args", "started", "finished"):
        print(f"{key:>15}: {s[key]}")
    return materials(statement)
