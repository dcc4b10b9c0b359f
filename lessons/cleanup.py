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

from docker.errors import DockerException

from . import labels
from .imagesets import BASE_IMAGES, LOCAL_PREFIX
from .platforms import unsuffixed

# Labels are inherited by every image built FROM ours, so "is a base image" goes by name.
_BASE_NAMES = {b.local for b in BASE_IMAGES}


def is_base_name(tag: str) -> bool:
    """A lookalike's name, for the engine's own platform or another (``...-arm64``, and the
    multi-platform ``...-amd64-arm64``, lessons.platforms)."""
    return tag in _BASE_NAMES or unsuffixed(tag) in _BASE_NAMES


def clean(client, *, base_images: bool = False) -> dict[str, list[str]]:
    """Remove the lab's containers, networks, volumes and app images; with ``base_images``
    also the local lookalike base images. Returns what was removed, by kind."""
    report: dict[str, list[str]] = {"containers": [], "images": [], "networks": [],
                                    "volumes": []}
    for c in client.containers.list(all=True, filters=labels.container_filter()):
        try:
            c.remove(force=True)
            report["containers"].append(c.name)
        except DockerException:
            pass
    flt = labels.managed_filter()
    for n in client.networks.list(filters=flt):
        try:
            n.remove()
            report["networks"].append(n.name)
        except DockerException:
            pass
    for v in client.volumes.list(filters=flt):
        try:
            v.remove(force=True)
            report["volumes"].append(v.name)
        except DockerException:
            pass
    images = client.images.list(filters=flt)
    # App images first (they sit on top of the base images), lookalikes last.
    images.sort(key=lambda im: any(is_base_name(t) for t in im.tags))
    for image in images:
        for tag in image.tags:
            if not tag.startswith(LOCAL_PREFIX):
                continue  # somebody else's name for it: leave it
            if is_base_name(tag) and not base_images:
                continue
            try:
                client.images.remove(tag, force=False)
                report["images"].append(tag)
            except DockerException:
                pass  # in use by a container that is not ours: leave it
    for image in client.images.list(filters={"dangling": True, **flt}):
        try:
            client.images.remove(image.id, force=False)
            report["images"].append(image.short_id + " (untagged)")
        except DockerException:
            pass  # a container still uses it: leave it
    return report


def remove_containers(client, purpose: str | None = None) -> int:
    """Remove the lab's containers (optionally only those started for ``purpose``)."""
    count = 0
    for c in client.containers.list(all=True, filters=labels.container_filter(purpose)):
        try:
            c.remove(force=True)
            count += 1
        except DockerException:
            pass
    return count
