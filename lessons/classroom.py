"""Classroom mode: one registry in the room instead of thirty pulls through one address.

Instructor, on one machine (with Debian's ``docker-registry`` package, or any registry)::

    python -m lessons classroom serve               # a registry on :5000, data in ~/.cache
    python -m lessons classroom push                # the prepared image set -> the registry

Learners, with one setting::

    LESSONS_REGISTRY=192.168.1.10:5000 python -m lessons classroom pull

``pull`` fetches the base images from the room's registry and tags them with the names the lab
uses, so nothing else changes. Engines talk plain HTTP to 127.0.0.0/8 by themselves; for a LAN
address each learner's engine needs ``"insecure-registries": ["192.168.1.10:5000"]`` in
``/etc/docker/daemon.json`` (or a TLS certificate on the registry).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from . import imagesets
from .errors import LabError

ENV = "LESSONS_REGISTRY"
NAMESPACE = "sizedrop"
MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    # engines with the containerd image store push an index (the image plus attestations)
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


def registry_from_env() -> str | None:
    value = os.environ.get(ENV, "").strip()
    return value.rstrip("/") or None


def remote_name(registry: str, image_set: str, local_or_official: str) -> str:
    """'sizedrop.invalid/jdk:21-trixie' -> 'HOST:5000/sizedrop/local/jdk:21-trixie'."""
    path = local_or_official
    for prefix in (imagesets.LOCAL_PREFIX, "gcr.io/", "docker.io/library/"):
        if path.startswith(prefix):
            path = path[len(prefix):]
    return f"{registry}/{NAMESPACE}/{image_set}/{path}"


def _split(ref: str) -> tuple[str, str]:
    repo, _, tag = ref.rpartition(":")
    if "/" in tag or not repo:
        return ref, "latest"
    return repo, tag


def config_text(addr: str, root: Path) -> str:
    """A minimal registry configuration: no auth (a classroom LAN), files on disk."""
    return (f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {root}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {addr}\n")


def serve(addr: str = "0.0.0.0:5000", root: Path | None = None) -> subprocess.Popen:
    """Start Debian's ``docker-registry`` in the background and wait until it answers."""
    exe = shutil.which("docker-registry") or shutil.which("registry")
    if not exe:
        raise LabError("no registry server is installed",
                       "apt-get install docker-registry (Debian/Ubuntu), or run the official "
                       "`registry:2` image on a machine with internet")
    root = Path(root or Path.home() / ".cache" / "sizedrop" / "registry")
    root.mkdir(parents=True, exist_ok=True)
    cfg = root / "config.yml"
    cfg.write_text(config_text(addr, root / "data"))
    # The registry logs every request: to a file, never to a pipe nobody reads (a full pipe
    # blocks the registry in the middle of a push, and the push waits for ever).
    log_path = root / "registry.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([exe, "serve", str(cfg)], stdout=log, stderr=log)
    host = addr.replace("0.0.0.0", "127.0.0.1")
    for _ in range(100):
        if proc.poll() is not None:
            tail = log_path.read_bytes().decode(errors="replace")[-300:]
            raise LabError(f"the registry stopped at once: {tail}",
                           f"is {addr} already in use?")
        if answers(host):
            return proc
        time.sleep(0.1)
    proc.terminate()
    raise LabError(f"the registry on {addr} did not answer within 10 s", "check its log")


def answers(registry: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{registry}/v2/", timeout=2) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _stream(lines, what: str) -> None:
    for item in lines:
        if "error" in item:
            raise LabError(f"{what} failed: {item['error']}",
                           "is the registry reachable, and allowed as insecure if it is "
                           "not on 127.0.0.1?")


def _selected(only):
    return [b for b in imagesets.BASE_IMAGES if not only or b.arg in only]


def push(client, registry: str, image_set: str, progress=print, only=None) -> list[str]:
    """Push every base image of ``image_set`` (or those whose ARG is in ``only``) to the
    classroom registry."""
    if not answers(registry):
        raise LabError(f"no registry answers at {registry}",
                       "start one: python -m lessons classroom serve")
    pushed = []
    for b in _selected(only):
        name = b.local if image_set == "local" else b.official
        target = remote_name(registry, image_set, name)
        repo, tag = _split(target)
        client.images.get(name).tag(repo, tag)
        progress(f"push {name} -> {target}")
        _stream(client.images.push(repo, tag, stream=True, decode=True), f"push of {target}")
        client.images.remove(target)  # keep only the lab's names locally
        pushed.append(target)
    return pushed


def pull(client, registry: str, progress=print, only=None) -> str:
    """Fetch the base images the instructor pushed and tag them as the lab expects.
    Returns the image set found in the registry."""
    if not answers(registry):
        raise LabError(f"no registry answers at {registry}",
                       f"check the address your instructor gave ({ENV}) and the network")
    catalog = _get_json(registry, "/v2/_catalog?n=1000").get("repositories", [])
    sets = [s for s in ("official", "local")
            if any(r.startswith(f"{NAMESPACE}/{s}/") for r in catalog)]
    if not sets:
        raise LabError(f"the registry at {registry} holds no lab images",
                       "ask the instructor to run: python -m lessons classroom push")
    image_set = sets[0]
    for b in _selected(only):
        name = b.local if image_set == "local" else b.official
        source = remote_name(registry, image_set, name)
        progress(f"pull {source} -> {name}")
        repo, tag = _split(source)
        image = client.images.pull(repo, tag=tag)
        local_repo, local_tag = _split(name)
        image.tag(local_repo, local_tag)
        client.images.remove(source)
    return image_set


def _get_json(registry: str, path: str, accept: str | None = None) -> dict:
    req = urllib.request.Request(f"http://{registry}{path}")
    if accept:
        req.add_header("Accept", accept)
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def manifest_layers(registry: str, ref_without_registry: str) -> list[tuple[str, int]]:
    """(media type, size) of each layer in the registry's manifest. Usually gzip; an engine
    with the containerd image store pushes a layer as its store holds it, so a layer that
    came in with `docker load` goes up uncompressed."""
    repo, tag = _split(ref_without_registry)
    manifest = _get_json(registry, f"/v2/{repo}/manifests/{tag}", MANIFEST_TYPES)
    if "manifests" in manifest:   # an index: take the image's own manifest, not attestations
        images = [m for m in manifest["manifests"]
                  if (m.get("platform") or {}).get("os") not in (None, "unknown")]
        if not images:
            raise LabError(f"the registry's index for {ref_without_registry} names no image",
                           "push the image again")
        manifest = _get_json(registry, f"/v2/{repo}/manifests/{images[0]['digest']}",
                             MANIFEST_TYPES)
    return [(layer.get("mediaType", ""), layer["size"]) for layer in manifest.get("layers", [])]
