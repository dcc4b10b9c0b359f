"""Base images pinned by digest: ``sample_apps/images.lock`` and how builds use it.

The lock maps each base-image ARG to a digest, for both image sets:

* ``local``: the digests of the lookalikes as the engine that built them reports them
  (``python -m lessons images --lock`` writes them). Lookalikes are built on each machine, so
  these hold only where they were written: a build pins a lookalike only when the engine has
  exactly that image, and otherwise builds it by name (``python -m lessons images`` says how
  many lookalikes match the lock).
* ``official``: the registry digest of each official tag, recorded only where the engine has
  the image from its registry (a pulled image's RepoDigests). Where no registry answers, as
  on the project's machines, the entry stays empty and says why: a digest cannot be proven
  offline, and none is written by hand.

A pinned build passes ``NAME@sha256:...`` as the ARG, so the Dockerfile's ``FROM ${ARG}``
resolves to that exact image (BuildKit resolves a local ``NAME@DIGEST`` from the containerd
image store, checked on Docker 28.5.2; a digest the engine lacks is looked up in the
registry). Docker's classic store reports no digest for images built locally: there the
lookalikes are never pinned.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from .catalog import SAMPLE_APPS
from .imagesets import BASE_IMAGES, SETS, base_images_of

LOCK = SAMPLE_APPS / "images.lock"
NOT_RESOLVABLE = "not resolvable here: no registry answered this engine"


def digest_of(client, name: str) -> str | None:
    """The digest the engine records for ``name`` in its repository (RepoDigests), if any."""
    from docker.errors import NotFound

    repo = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    try:
        found = client.images.get(name).attrs.get("RepoDigests") or []
    except NotFound:
        return None   # not on this engine: nothing to pin (any other error is the engine's)
    for entry in found:
        entry_repo, _, digest = entry.partition("@")
        if entry_repo in (repo, f"docker.io/library/{repo}", f"docker.io/{repo}"):
            return digest
    return None


def read() -> dict:
    """The lock as written, or an empty one."""
    if not LOCK.is_file():
        return {"written": {}, **{s: {} for s in SETS}}
    return json.loads(LOCK.read_text())


def resolve(client) -> dict:
    """What the engine can prove today: a digest per ARG and set, or None."""
    lock = {"written": {}}
    for image_set in SETS:
        lock[image_set] = {b.arg: digest_of(client, b.local if image_set == "local"
                                            else b.official) for b in BASE_IMAGES}
    return lock


def write(client) -> dict:
    """Write the lock from this engine (``python -m lessons images --lock``)."""
    lock = resolve(client)
    version = client.version()
    engine = f"Docker {version.get('Version', '?')}, storage {client.info().get('Driver', '?')}"
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    for image_set in SETS:
        known = sum(1 for d in lock[image_set].values() if d)
        lock["written"][image_set] = (f"{today} on {engine}: {known} of {len(BASE_IMAGES)}"
                                      if known else f"{today}: {NOT_RESOLVABLE}")
    LOCK.write_text(json.dumps(lock, indent=1, sort_keys=False) + "\n")
    return lock


def pinned(client, image_set: str, args: dict[str, str], dockerfile: Path) -> dict[str, str]:
    """``args`` (a build of ``dockerfile``) with each base image the lock knows written as
    ``NAME@DIGEST``: official ones always (the registry checks the digest), local ones only
    when the engine has that exact image. Other arguments, and another platform's
    lookalikes, pass unchanged."""
    lock = read().get(image_set, {})
    out = dict(args)
    for b in base_images_of(dockerfile):
        expected = b.local if image_set == "local" else b.official
        name = out.get(b.arg, b.official if image_set == "official" else "")
        digest = lock.get(b.arg)
        if not digest or name != expected:
            continue
        if image_set == "local" and digest_of(client, name) != digest:
            continue   # rebuilt here, or a store that keeps no digest (see matching)
        out[b.arg] = f"{name}@{digest}"
    return out


def matching(client) -> tuple[int, int]:
    """How many lookalikes on this engine are the images the lock names (of how many locked)."""
    lock = read().get("local", {})
    locked = [b for b in BASE_IMAGES if lock.get(b.arg)]
    return sum(1 for b in locked if digest_of(client, b.local) == lock[b.arg]), len(locked)
