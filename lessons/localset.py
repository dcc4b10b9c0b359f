"""Building the ``local`` image set: lookalikes of the official images from Debian packages.

1. A Debian 13 root made with ``debootstrap --variant=minbase`` and trimmed like the official
   slim image, imported as ``sizedrop.invalid/debian:trixie-slim``.
2. Every other lookalike is a Dockerfile in ``sample_apps/local-images`` built on that root.

Each image carries ``sizedrop.lookalike-of`` (the official tag it stands in for) and a hash of
its recipe; a second run skips every image whose recipe and parent have not changed.

For another platform than the engine's own (``--platform linux/arm64``, lessons.platforms) the
same steps run under emulation: ``debootstrap --arch=arm64``, ``docker import --platform``
(through the CLI: docker-py's import takes no platform) and ``docker buildx build --platform``,
and every name gets the architecture at the end of its tag.
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

from . import build, imagesets, platforms
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


def recipe_hash(base: imagesets.BaseImage, parent_id: str = "", target: platforms.Target | None = None) -> str:
    h = hashlib.sha256()
    if target is not None and target.foreign:
        h.update(target.platform.encode())
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


def status(client, target: platforms.Target | None = None) -> list[dict]:
    """One row per lookalike: its name, what it stands in for, and whether it is built."""
    from docker.errors import ImageNotFound

    rows = []
    for b in imagesets.BASE_IMAGES:
        name = b.local_for(target)
        try:
            img = client.images.get(name)
            built, size = img.labels.get("sizedrop.built", "yes"), img.attrs.get("Size", 0)
            arch = img.attrs.get("Architecture", "")
        except ImageNotFound:
            built, size, arch = "", 0, ""
        rows.append({"arg": b.arg, "local": name, "lookalike_of": b.official,
                     "built": built or "no", "architecture": arch,
                     "engine_size_mb": round(size / 1e6, 1)})
    return rows


def build_all(client, *, force: bool = False, progress: Progress | None = None,
              on_line: Callable[[str], None] | None = None, target: platforms.Target | None = None,
              only: list[str] | None = None, nocache: bool = False) -> list[dict]:
    """Build every missing or outdated lookalike, in dependency order. Returns what happened.

    ``target``: the platform to build for (default: the engine's own; another one is built
    under emulation, with suffixed names). ``only``: the ARG names of the lookalikes wanted
    (the imported Debian root, which every recipe starts from, comes with any of them).
    ``nocache``: rebuild without BuildKit's cache too (with ``force``: as on a fresh machine).
    """
    from docker.errors import ImageNotFound

    if target is not None and target.foreign:
        problem = cross_problem(client, target)
        if problem:
            raise LabError(f"this engine cannot build the local image set for "
                           f"{target.platform}: {problem}", _CROSS_HINT)
    build.check_disk(client, 6_000_000_000, "the local image set")
    wanted = [b for b in imagesets.BASE_IMAGES
              if only is None or b.arg in only or (not b.recipe and only)]
    total = len(wanted)
    results = []
    root_id = ""
    platform = target.build_platform if target is not None else None
    for index, base in enumerate(wanted, start=1):
        name = base.local_for(target)
        digest = recipe_hash(base, "" if not base.recipe else root_id, target)
        try:
            existing = client.images.get(name)
        except ImageNotFound:
            existing = None
        if existing is not None and not force and \
                existing.labels.get(RECIPE_HASH) == digest:
            if progress:
                progress(index, total, name, "up to date")
            results.append({"image": name, "status": "up to date", "seconds": 0.0})
            if not base.recipe:
                root_id = existing.id
            continue
        if progress:
            progress(index, total, name, "building" + (f" for {target}" if platform else ""))
        t0 = time.monotonic()
        if not base.recipe:
            root_id = import_debian_root(client, base, digest, on_line=on_line, target=target)
        else:
            build.build(client, imagesets.RECIPES, base.recipe_path, name, target=base.target or None,
                    buildargs={"DEBIAN_IMAGE": imagesets.name_in("local", "DEBIAN_IMAGE", target)},
                    labels=_labels(base, digest), on_line=on_line, platform=platform,
                    nocache=nocache)
        seconds = time.monotonic() - t0
        if progress:
            progress(index, total, name, f"built in {seconds:.0f} s")
        results.append({"image": name, "status": "built", "seconds": round(seconds, 1)})
    return results


_CROSS_HINT = ("use Docker 24 or later with the containerd image store (Docker Desktop's "
               "default; on Docker Engine set \"features\": {\"containerd-snapshotter\": true} "
               "in daemon.json) and QEMU registered for the platform")


def cross_problem(client, target: platforms.Target) -> str:
    """Why this engine cannot build and run ``target`` images beside its own, or "".

    The multi-platform images that cross builds need (:func:`multi_platform`) and images of
    one name for two platforms live only in the containerd image store; Docker 20.10's own
    store ignores ``docker import --platform`` and pulls on ``docker run --platform``."""
    if not target.foreign:
        return ""
    info = client.info()
    store = dict(info.get("DriverStatus") or [])
    if "containerd" not in str(store.get("driver-type", "")):
        return (f"it keeps images in {info.get('Driver', 'its own store')}, not in the "
                "containerd image store")
    return platforms.emulation_problem(target)


def multi_platform(client, base: imagesets.BaseImage, target: platforms.Target,
                   on_line: Callable[[str], None] | None = None) -> str:
    """One name for the engine's own lookalike and the target's, as a multi-platform image:
    ``FROM --platform=$BUILDPLATFORM`` stages get the first, the target's stages the second.
    Built as a two-platform build whose each platform only picks its image (nothing runs, no
    layer is copied); remade every time, which costs a second, so it follows both parts."""
    name = target.both(base.local)
    work = Path(tempfile.mkdtemp(prefix="sizedrop-multi-"))
    try:
        recipe = work / "multi-platform.dockerfile"
        recipe.write_text(
            "# Generated by lessons.localset.multi_platform: one name, two platforms.\n"
            "ARG NATIVE_IMAGE\nARG TARGET_IMAGE\n"
            f"FROM ${{NATIVE_IMAGE}} AS image-{target.native_arch}\n"
            f"FROM ${{TARGET_IMAGE}} AS image-{target.arch}\n"
            "FROM image-${TARGETARCH}\n")
        build.build(client, work, recipe, name,
                buildargs={"NATIVE_IMAGE": base.local, "TARGET_IMAGE": base.local_for(target)},
                labels={IMAGE_SET: "local", LOOKALIKE_OF: base.official},
                on_line=on_line, platform=f"{target.native},{target.platform}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return name


def import_debian_root(client, base: imagesets.BaseImage, digest: str,
                       on_line: Callable[[str], None] | None = None,
                       target: platforms.Target | None = None) -> str:
    """debootstrap a minimal Debian 13, trim it like the slim image, import it. For a foreign
    ``target``, debootstrap's second stage runs the target's programs under emulation."""
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
        foreign = target is not None and target.foreign
        cmd = ["debootstrap"] + ([f"--arch={target.arch}"] if foreign else []) + \
            ["--variant=minbase", SUITE, str(rootfs), mirror]
        if on_line:
            on_line("$ " + " ".join(cmd))
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            tail = "\n".join("    " + t for t in proc.stdout.splitlines()[-10:])
            raise LabError(f"debootstrap of Debian {SUITE} from {mirror} failed",
                           "check that the machine reaches the Debian archive", details=tail)
        for rel in _TRIM:
            trimmed = rootfs / rel
            if trimmed.is_dir():
                for child in trimmed.iterdir():
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
        name = base.local_for(target)
        if foreign:
            platforms.cli_import(tarball, name, target.platform, changes)
            arch = client.images.get(name).attrs.get("Architecture")
            if arch != target.arch:
                raise LabError(f"docker import --platform {target.platform} made an image for "
                               f"{arch!r}", _CROSS_HINT)
        else:
            repo, tag = name.rsplit(":", 1)
            client.api.import_image_from_file(str(tarball), repository=repo, tag=tag,
                                              changes=changes)
        if on_line:
            on_line(f"imported Debian {version} as {name}")
        return client.images.get(name).id
    finally:
        shutil.rmtree(work, ignore_errors=True)
