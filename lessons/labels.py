"""The labels the lab puts on everything it creates, so cleanup can touch only its own objects."""

from __future__ import annotations

from . import session

MANAGED = "sizedrop.managed"          # "true" on every image, container, network, volume we make
IMAGE_SET = "sizedrop.image-set"      # "official" | "local"
LOOKALIKE_OF = "sizedrop.lookalike-of"  # on local base images: the official tag they stand in for
RECIPE_HASH = "sizedrop.recipe-hash"  # on local base images: hash of the recipe that built them
APP = "sizedrop.app"                  # on app images: go | java | python
VARIANT = "sizedrop.variant"          # on app images: single-stage | multi-stage | ...
PURPOSE = "sizedrop.purpose"          # on containers: what a cell started it for
# Containers inherit their image's labels, so a learner's container made from an image built
# FROM one of ours would carry MANAGED too. Only the lab's own run calls set CONTAINER, and no
# image ever does: cleanup of containers keys on it.
CONTAINER = "sizedrop.container"
SESSION = "sizedrop.session"          # on what one lab session made (lessons.session)


def managed(**extra: str) -> dict[str, str]:
    """The label set for a new object: the managed marker plus any extra labels."""
    labels = {MANAGED: "true"}
    labels.update({k: str(v) for k, v in extra.items()})
    return labels


def container_labels(purpose: str) -> dict[str, str]:
    """Labels for a container the lab starts (in this process's session)."""
    return managed(**{CONTAINER: "true", PURPOSE: purpose, SESSION: session.current()})


def managed_filter() -> dict:
    """Filter for the engine's list calls that returns only what the lab created."""
    return {"label": f"{MANAGED}=true"}


def container_filter(purpose: str | None = None) -> dict:
    """Filter for the lab's own containers (see CONTAINER)."""
    wanted = [f"{CONTAINER}=true"]
    if purpose:
        wanted.append(f"{PURPOSE}={purpose}")
    return {"label": wanted}
