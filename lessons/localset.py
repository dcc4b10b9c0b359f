"""Building the ``local`` image set: lookalikes of the official images from Debian packages.

1. A Debian 13 root made with ``debootstrap --variant=minbase`` and trimmed like the official
   slim image, imported as ``sizedrop.invalid/debian:trixie-slim``.
2. Every other lookalike is a Dockerfile in ``sample_apps/local-images`` built on that root.

Each image carries ``sizedrop.lookalike-of`` (the official tag it stands in for) and a hash of
its recipe; a second run skips every image whose recipe and parent have not changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from . import build, imagesets
from .engine import today
from .errors import LabError
from .labels import IMAGE_SET, LOOKALIKE_OF, RECIPE_HASH, managed

SUITE = "trixie"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
SLIM_EXCLUDES = imagesets.RECIPES / "slim-excludes.cfg"
APT_CLEAN = imagesets.RECIPES / "apt-docker-clean.conf"
# Trimmed like debian:*-slim: caches, package lists, docs, manuals and translations.
_TRIM = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc", "usr/share/man",
         "usr/share/info", "usr/share/locale", "usr/share/lintian", "var/log")

Progress = Callable[[int, int, str, str], None]  # (index, total, image name, status)


def debian_mirror(sources_dir: Path = Path("/etc/apt")) -> str:
    """The Debian archive this machine's apt uses (both the one-line and deb822 formats)."""
    files = [sources_dir / "sources.list"] + sorted((sources_dir / "sources.list.d").glob("*"))
    for f in files:
        try:
            text = f.read_text()
        except OSError:
            continue
        for m in re.finditer(r"^\s*(?:deb\s+(?:\[[^\]]*\]\s+)?(\S+)|URIs:\s*(\S+))", text, re.M):
            uri = m.group(1) or m.group(2)
            if uri.rstrip("/").endswith("/debian"):
                return uri.rstrip("/")
    return DEFAULT_MIRROR


def recipe_hash(base: imagesets.BaseImage, parent_id: str = "") -> str:
    h = hashlib.sha256()
    if base.recipe_path:
        h.update(base.recipe_path.read_bytes())
    else:
        h.update(SLIM_EXCLUDES.read_bytes())
        h.update(APT_CLEAN.read_bytes())
        h.update(repr(_TRIM).encode())
    h.update(base.target.encode())
    h.update(parent_id.encode())
    return h.hexdigest()[:16]


def _labels(base: imagesets.BaseImage, digest: str) -> dict:
    return {IMAGE_SET: "local", LOOKALIKE_OF: base.official, RECIPE_HASH: digest,
            "sizedrop.built": today()}


def status(client) -> list[dict]:
    """One row per lookalike: its name, what it stands in for, and whether it is built."""
    from docker.errors import ImageNotFound

    rows = []
    for b in imagesets.BASE_IMAGES:
        try:
            img = client.images.get(b.local)
            built, size = img.labels.get("sizedrop.built", "yes"), img.attrs.get("Size", 0)
        except ImageNotFound:
            built, size = "", 0
        rows.append({"arg": b.arg, "local": b.local, "lookalike_of": b.official,
                     "built": built or "no", "engine_size_mb": round(size / 1e6, 1)})
    return rows


def build_all(client, *, force: bool = False, progress: Progress | None = None,
              on_line: Callable[[str], None] | None = None) -> list[dict]:
    """Build every missing or outdated lookalike, in dependency order. Returns what happened."""
    from docker.errors import ImageNotFound

    build.check_disk(client, 6_000_000_000, "the local image set")
    total = len(imagesets.BASE_IMAGES)
    results = []
    root_id = ""
    for index, base in enumerate(imagesets.BASE_IMAGES, start=1):
        digest = recipe_hash(base, "" if not base.recipe else root_id)
        try:
            existing = client.images.get(base.local)
        except ImageNotFound:
            existing = None
        if existing is not None and not force and \
                existing.labels.get(RECIPE_HASH) == digest:
            if progress:
                progress(index, total, base.local, "up to date")
            results.append({"image": base.local, "status": "up to date", "seconds": 0.0})
            if not base.recipe:
                root_id = existing.id
            continue
        if progress:
            progress(index, total, base.local, "building")
        t0 = time.monotonic()
        if not base.recipe:
            root_id = import_debian_root(client, base, digest, on_line=on_line)
        else:
            build.build(client, imagesets.RECIPES, base.recipe_path, base.local, target=base.target or None,
                    buildargs={"DEBIAN_IMAGE": imagesets.name_in("local", "DEBIAN_IMAGE")},
                    labels=_labels(base, digest), on_line=on_line)
        seconds = time.monotonic() - t0
        if progress:
            progress(index, total, base.local, f"built in {seconds:.0f} s")
        results.append({"image": base.local, "status": "built", "seconds": round(seconds, 1)})
    return results


def import_debian_root(client, base: imagesets.BaseImage, digest: str,
                       on_line: Callable[[str], None] | None = None) -> str:
    """debootstrap a minimal Debian 13, trim it like the slim image, import it."""
    if os.geteuid() != 0:
        raise LabError("building the Debian root needs root (debootstrap)",
                       "run `sudo python -m lessons images --build-local`, or use the "
                       "official image set on a machine with internet")
    if not shutil.which("debootstrap"):
        raise LabError("debootstrap is not installed",
                       "apt-get install -y debootstrap (Debian/Ubuntu), then run again")
    work = Path(tempfile.mkdtemp(prefix="sizedrop-root-", dir="/var/tmp"))
    rootfs = work / "rootfs"
    try:
        mirror = debian_mirror()
        cmd = ["debootstrap", "--variant=minbase", SUITE, str(rootfs), mirror]
        if on_line:
            on_line("$ " + " ".join(cmd))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            tail = "\n".join("    " + t for t in proc.stdout.splitlines()[-10:])
            raise LabError(f"debootstrap of Debian {SUITE} from {mirror} failed",
                           "check that the machine reaches the Debian archive", details=tail)
        for rel in _TRIM:
            target = rootfs / rel
            if target.is_dir():
                for child in target.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        # Java's maintainer scripts write a man-page link here: keep the folder.
        (rootfs / "usr/share/man/man1").mkdir(parents=True, exist_ok=True)
        shutil.copy(SLIM_EXCLUDES, rootfs / "etc/dpkg/dpkg.cfg.d/docker-slim")
        shutil.copy(APT_CLEAN, rootfs / "etc/apt/apt.conf.d/docker-clean")
        version = (rootfs / "etc/debian_version").read_text().strip()
        tarball = work / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."],
                       check=True)
        labels = managed(**_labels(base, digest), **{"sizedrop.debian-version": version})
        changes = ['CMD ["bash"]'] + [f'LABEL {k}="{v}"' for k, v in labels.items()]
        repo, tag = base.local.rsplit(":", 1)
        client.api.import_image_from_file(str(tarball), repository=repo, tag=tag,
                                          changes=changes)
        if on_line:
            on_line(f"imported Debian {version} as {base.local}")
        return client.images.get(base.local).id
    finally:
        shutil.rmtree(work, ignore_errors=True)
