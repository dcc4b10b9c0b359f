"""Removing what the lab created, and nothing else.

Only objects carrying the ``sizedrop.managed=true`` label are touched. An image is untagged
only from the lab's own names (``sizedrop.invalid/...``): if a learner tagged one of our images
with a name of their own, that name and the image stay. Untagged ("dangling") images that
carry the label are removed too: they are what a rebuild leaves behind when a lab name moves
to the new image, and nothing can refer to them by name any more. (Labels are inherited, so
an untagged image a learner built FROM one of the lab's images would be removed as well; a
tagged one never is.)
"""


from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from docker.errors import DockerException, NotFound

from . import labels, session
from .imagesets import BASE_IMAGES, LOCAL_PREFIX
from .platforms import unsuffixed

# Labels are inherited by every image built FROM ours, so "is a base image" goes by name.
_BASE_NAMES = {b.local for b in BASE_IMAGES}


def is_base_name(tag: str) -> bool:
    """A lookalike's name, for the engine's own platform or another (``...-arm64``, and the
    multi-platform ``...-amd64-arm64``, lessons.platforms)."""
    return tag in _BASE_NAMES or unsuffixed(tag) in _BASE_NAMES


def _report() -> dict[str, list[str]]:
    return {"containers": [], "images": [], "untagged images": [], "networks": [],
            "volumes": [], "folders": []}


def _remove(report: dict, kind: str, name: str, remove) -> None:
    """Remove one object; one that cannot go (in use, already going) is left and not listed."""
    try:
        remove()
        report[kind].append(name)
    except DockerException:
        pass


def _listed(call, tries: int = 5):
    """``call()`` (a docker-py ``list``), asked again when something it listed vanished
    before docker-py looked it up (``list`` inspects each object it lists, so another
    session's removal in between raises NotFound)."""
    for attempt in range(tries):
        try:
            return call()
        except NotFound:
            if attempt == tries - 1:
                raise
    return []


def _remove_folder(report: dict, folder: Path) -> None:
    if folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)
        report["folders"].append(str(folder))


def clean(client, *, base_images: bool = False) -> dict[str, list[str]]:
    """Remove what every lab session made: containers, networks, volumes, app and work
    images, the untagged images rebuilds left, temporary folders; with ``base_images`` also
    the local lookalike base images. Returns what was removed, by kind (``images`` are the
    names untagged, ``untagged images`` the ids of leftovers without a name)."""
    report = _report()
    for c in _listed(lambda: client.containers.list(all=True,
                                                   filters=labels.container_filter())):
        _remove(report, "containers", c.name, lambda c=c: c.remove(force=True))
    flt = labels.managed_filter()
    for n in client.networks.list(filters=flt):
        _remove(report, "networks", n.name, n.remove)
    for v in client.volumes.list(filters=flt):
        _remove(report, "volumes", v.name, lambda v=v: v.remove(force=True))
    images = _listed(lambda: client.images.list(filters=flt))
    # App images first (they sit on top of the base images), lookalikes last.
    images.sort(key=lambda im: any(is_base_name(t) for t in im.tags))
    for image in images:
        for tag in image.tags:
            if not tag.startswith(LOCAL_PREFIX):
                continue  # somebody else's name for it: leave it
            if is_base_name(tag) and not base_images:
                continue
            _remove(report, "images", tag, lambda tag=tag: client.images.remove(tag, force=False))
    for image in _listed(lambda: client.images.list(filters={"dangling": True, **flt})):
        _remove(report, "untagged images", image.short_id,
                lambda image=image: client.images.remove(image.id, force=False))
    for folder in sorted(Path(tempfile.gettempdir()).glob(session.TMP_PREFIX + "*")):
        _remove_folder(report, folder)
    return report


def clean_session(client, session_id: str) -> dict[str, list[str]]:
    """Remove what ONE session made (lessons.session): its containers (its label, or the
    lab's container label and a name ending in its id), its networks and volumes, the image
    names ending in its id, its temporary folder. Other sessions' things, the shared variant
    images and the base images stay; so do untagged leftovers, which carry no name to tell
    whose they are (``python -m lessons clean`` removes those)."""
    report = _report()
    for c in _listed(lambda: client.containers.list(all=True,
                                                   filters=labels.container_filter())):
        if c.labels.get(labels.SESSION) == session_id or session.owns_name(c.name, session_id):
            _remove(report, "containers", c.name, lambda c=c: c.remove(force=True))
    flt = {"label": [f"{labels.MANAGED}=true", f"{labels.SESSION}={session_id}"]}
    for n in client.networks.list(filters=flt):
        _remove(report, "networks", n.name, n.remove)
    for v in client.volumes.list(filters=flt):
        _remove(report, "volumes", v.name, lambda v=v: v.remove(force=True))
    for image in _listed(lambda: client.images.list(filters=labels.managed_filter())):
        for tag in image.tags:
            if tag.startswith(LOCAL_PREFIX) and session.owns_name(tag, session_id):
                _remove(report, "images", tag,
                        lambda tag=tag: client.images.remove(tag, force=False))
    _remove_folder(report, session.tmp_path(session_id))
    return report
