"""The two image sets: official tags from the registries, or local lookalikes built here.

The app Dockerfiles name their base images in ``ARG``s whose defaults are the official tags.
Building with the ``local`` set passes the lookalikes' names as build args instead, so the very
same Dockerfile works on a machine with no registry.

Choose with ``LESSONS_IMAGES=auto|official|local`` (default ``auto``).
"""


from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from docker.errors import DockerException

from .catalog import SAMPLE_APPS
from .errors import ImagesUnavailable, LabError

RECIPES = SAMPLE_APPS / "local-images"
LOCAL_PREFIX = "sizedrop.invalid/"


@dataclass(frozen=True)
class BaseImage:
    arg: str            # the Dockerfile ARG that names it
    official: str       # the official tag (the ARG's default)
    local: str          # the local lookalike's name
    recipe: str         # file in sample_apps/local-images ("" for the imported Debian root)
    target: str = ""    # build target inside the recipe, if it has several

    @property
    def recipe_path(self) -> Path | None:
        return RECIPES / self.recipe if self.recipe else None


# Build order matters: each recipe builds on images listed before it.
BASE_IMAGES = (
    BaseImage("DEBIAN_IMAGE", "debian:trixie-slim", "sizedrop.invalid/debian:trixie-slim", ""),
    BaseImage("GO_IMAGE", "golang:1.24-trixie", "sizedrop.invalid/golang:1.24-trixie",
              "golang.dockerfile"),
    BaseImage("JDK_IMAGE", "eclipse-temurin:21-jdk", "sizedrop.invalid/jdk:21-trixie",
              "jdk.dockerfile"),
    BaseImage("JRE_IMAGE", "eclipse-temurin:21-jre", "sizedrop.invalid/jre:21-trixie",
              "jre.dockerfile"),
    BaseImage("PYTHON_IMAGE", "python:3.13-trixie", "sizedrop.invalid/python:3.13-trixie",
              "python.dockerfile"),
    BaseImage("PYTHON_SLIM_IMAGE", "python:3.13-slim-trixie",
              "sizedrop.invalid/python:3.13-slim-trixie", "python-slim.dockerfile"),
    BaseImage("DISTROLESS_STATIC_IMAGE", "gcr.io/distroless/static-debian13:nonroot",
              "sizedrop.invalid/distroless/static:debian13-nonroot", "distroless.dockerfile",
              "static"),
    BaseImage("DISTROLESS_BASE_IMAGE", "gcr.io/distroless/base-debian13:nonroot",
              "sizedrop.invalid/distroless/base:debian13-nonroot", "distroless.dockerfile",
              "base"),
    BaseImage("DISTROLESS_JAVA_BASE_IMAGE", "gcr.io/distroless/java-base-debian13:nonroot",
              "sizedrop.invalid/distroless/java-base:debian13-nonroot", "distroless.dockerfile",
              "java-base"),
    BaseImage("DISTROLESS_JAVA_IMAGE", "gcr.io/distroless/java21-debian13:nonroot",
              "sizedrop.invalid/distroless/java21:debian13-nonroot", "distroless.dockerfile",
              "java21"),
    BaseImage("DISTROLESS_PYTHON_IMAGE", "gcr.io/distroless/python3-debian13:nonroot",
              "sizedrop.invalid/distroless/python3:debian13-nonroot", "distroless.dockerfile",
              "python3"),
    # For debugging images that have no shell (notebook 03).
    BaseImage("DISTROLESS_STATIC_DEBUG_IMAGE", "gcr.io/distroless/static-debian13:debug-nonroot",
              "sizedrop.invalid/distroless/static:debian13-debug-nonroot",
              "distroless.dockerfile", "static-debug"),
    BaseImage("BUSYBOX_IMAGE", "busybox:1.37", "sizedrop.invalid/busybox:1.37",
              "distroless.dockerfile", "busybox"),
)

SETS = ("official", "local")


def by_arg() -> dict[str, BaseImage]:
    return {b.arg: b for b in BASE_IMAGES}


def declared_args(dockerfile: Path) -> list[str]:
    """The ARG names a Dockerfile declares (so we pass only those: the classic builder warns
    about build args nobody consumes)."""
    names = []
    for line in Path(dockerfile).read_text().splitlines():
        m = re.match(r"\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)", line, re.IGNORECASE)
        if m and m.group(1) not in names:
            names.append(m.group(1))
    return names


def base_images_of(dockerfile: Path) -> list[BaseImage]:
    table = by_arg()
    return [table[a] for a in declared_args(dockerfile) if a in table]


def build_args(dockerfile: Path, image_set: str, extra: dict | None = None) -> dict[str, str]:
    """Build args for one Dockerfile and image set: nothing for ``official`` (the ARG defaults
    are the official tags), the lookalikes' names for ``local``, plus ``extra`` args the file
    declares (for example the offline pip settings)."""
    declared = declared_args(dockerfile)
    args = {}
    if image_set == "local":
        args = {b.arg: b.local for b in base_images_of(dockerfile)}
    elif image_set != "official":
        raise LabError(f"unknown image set {image_set!r}", "use official or local")
    for key, value in (extra or {}).items():
        if key in declared and value is not None:
            args[key] = value
    return args


def name_in(image_set: str, arg: str) -> str:
    b = by_arg()[arg]
    return b.local if image_set == "local" else b.official


def requested() -> str:
    value = os.environ.get("LESSONS_IMAGES", "auto").strip().lower() or "auto"
    if value not in ("auto", "official", "local"):
        raise LabError(f"LESSONS_IMAGES={value!r} is not understood",
                       "set it to auto, official or local")
    return value


def missing(client, image_set: str, needed: list[BaseImage] | None = None) -> list[str]:
    """Names of the base images of ``image_set`` that the engine does not have."""
    from docker.errors import ImageNotFound

    out = []
    for b in needed or BASE_IMAGES:
        name = b.local if image_set == "local" else b.official
        try:
            client.images.get(name)
        except ImageNotFound:
            out.append(name)
    return out


def registry_answers(client, probe: str = "debian:trixie-slim") -> bool:
    """Ask the ENGINE (not this Python process: their networks may differ) whether the
    registry serving ``probe`` answers. A manifest look-up costs no download."""
    try:
        client.api.inspect_distribution(probe)
        return True
    except DockerException:
        return False


def choose(client, wanted: str | None = None) -> str:
    """Resolve ``auto`` into ``official`` or ``local``, and check the chosen set is usable.

    official: the images are present, or the registry answers so builds can pull them.
    local: every lookalike is built (``python -m lessons images --build-local``).
    """
    wanted = wanted or requested()
    if wanted in ("official", "auto"):
        if not missing(client, "official") or registry_answers(client):
            return "official"
        if wanted == "official":
            raise ImagesUnavailable(
                "the official images are not here and no registry answers the engine",
                "use the local image set: LESSONS_IMAGES=local, after "
                "`python -m lessons images --build-local`")
    absent = missing(client, "local")
    if not absent:
        return "local"
    raise ImagesUnavailable(
        "no registry answers the engine and the local image set is not built "
        f"({len(absent)} of {len(BASE_IMAGES)} lookalikes missing, e.g. {absent[0]})",
        "build it once with `python -m lessons images --build-local` (about 10 minutes, "
        "needs root and Debian's debootstrap), or connect to the internet")
