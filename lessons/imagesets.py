"""The two image sets: official tags from the registries, or local lookalikes built here.

The app Dockerfiles name their base images in ``ARG``s whose defaults are the official tags.
Building with the ``local`` set passes the lookalikes' names as build args instead, so the very
same Dockerfile works on a machine with no registry.

Choose with ``LESSONS_IMAGES=auto|official|local`` (default ``auto``).

For a platform other than the engine's own (``LESSONS_PLATFORM``, lessons.platforms), the
lookalikes carry the architecture in their tags, and a Dockerfile gets the engine's own
lookalike in its ``FROM --platform=$BUILDPLATFORM`` stages and the target's in the others.
"""


from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from docker.errors import DockerException, ImageNotFound

from . import platforms
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

    def local_for(self, target: platforms.Target | None = None) -> str:
        """The lookalike's name for ``target`` (its plain name for the engine's own platform,
        ``...-arm64`` for arm64 built on an amd64 engine)."""
        return target.name(self.local) if target is not None else self.local


# Build order matters: each recipe builds on images listed before it.
BASE_IMAGES = (
    BaseImage("DEBIAN_IMAGE", "debian:trixie-slim", "sizedrop.invalid/debian:trixie-slim", ""),
    BaseImage("GO_IMAGE", "golang:1.27-trixie", "sizedrop.invalid/golang:1.27-trixie",
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


def local_names(dockerfile: Path, target: platforms.Target | None = None) -> dict[str, str]:
    """The lookalike each base-image ARG of ``dockerfile`` gets when building for ``target``.

    For the engine's own platform, the plain names. For another one, per stage: the engine's
    own lookalike where the stage runs on the build machine (``FROM --platform=$BUILDPLATFORM``),
    the target's elsewhere, and the multi-platform image of the two when one ARG feeds both
    kinds of stage (see :func:`needs_both`)."""
    bases = base_images_of(dockerfile)
    if target is None or not target.foreign:
        return {b.arg: b.local for b in bases}
    roles = platforms.base_roles(Path(dockerfile).read_text())
    names = {}
    for b in bases:
        role = roles.get(b.arg, {platforms.TARGET})
        if role == {platforms.BUILD}:
            names[b.arg] = b.local
        elif role == {platforms.BUILD, platforms.TARGET}:
            names[b.arg] = target.both(b.local)
        else:
            names[b.arg] = target.name(b.local)
    return names


def needs_both(dockerfile: Path, target: platforms.Target | None) -> list[BaseImage]:
    """Lookalikes a cross-platform build of ``dockerfile`` needs as a multi-platform image:
    one ARG names the base of a build-machine stage and of a target stage (the jlink file's
    JDK_IMAGE builds the jar on the build machine and runs jlink for the target)."""
    if target is None or not target.foreign:
        return []
    roles = platforms.base_roles(Path(dockerfile).read_text())
    return [b for b in base_images_of(dockerfile)
            if roles.get(b.arg, set()) == {platforms.BUILD, platforms.TARGET}]


def needed_for(dockerfile: Path, target: platforms.Target | None = None) -> dict[str, list[BaseImage]]:
    """Which lookalikes a local-set build of ``dockerfile`` for ``target`` needs, by platform:
    ``{"native": [...], "target": [...]}`` (both lists name each lookalike once)."""
    bases = base_images_of(dockerfile)
    if target is None or not target.foreign:
        return {"native": bases, "target": []}
    roles = platforms.base_roles(Path(dockerfile).read_text())
    native = [b for b in bases if platforms.BUILD in roles.get(b.arg, set())]
    foreign = [b for b in bases if roles.get(b.arg, {platforms.TARGET}) != {platforms.BUILD}]
    return {"native": native, "target": foreign}


def build_args(dockerfile: Path, image_set: str, extra: dict | None = None,
               target: platforms.Target | None = None) -> dict[str, str]:
    """Build args for one Dockerfile and image set: nothing for ``official`` (the ARG defaults
    are the official tags, multi-platform), the lookalikes' names for ``local`` (for
    ``target``, see :func:`local_names`), plus ``extra`` args the file declares (for example
    the offline pip settings)."""
    declared = declared_args(dockerfile)
    args = {}
    if image_set == "local":
        args = local_names(dockerfile, target)
    elif image_set != "official":
        raise LabError(f"unknown image set {image_set!r}", "use official or local")
    for key, value in (extra or {}).items():
        if key in declared and value is not None:
            args[key] = value
    return args


def name_in(image_set: str, arg: str, target: platforms.Target | None = None) -> str:
    b = by_arg()[arg]
    return b.local_for(target) if image_set == "local" else b.official


def requested() -> str:
    value = os.environ.get("LESSONS_IMAGES", "auto").strip().lower() or "auto"
    if value not in ("auto", "official", "local"):
        raise LabError(f"LESSONS_IMAGES={value!r} is not understood",
                       "set it to auto, official or local")
    return value


def missing(client, image_set: str, needed: list[BaseImage] | None = None,
            target: platforms.Target | None = None) -> list[str]:
    """Names of the base images of ``image_set`` (for ``target``) that the engine does not
    have."""
    out = []
    for b in needed or BASE_IMAGES:
        name = b.local_for(target) if image_set == "local" else b.official
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


def choose(client, wanted: str | None = None, target: platforms.Target | None = None) -> str:
    """Resolve ``auto`` into ``official`` or ``local``, and check the chosen set is usable.

    official: the images are present, or the registry answers so builds can pull them.
    local: every lookalike is built (``python -m lessons images --build-local``); for a
    ``target`` that is not the engine's own platform, its lookalikes too (``--platform``).
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
    if not absent and target is not None and target.foreign:
        absent = missing(client, "local", target=target)
        if absent:
            raise ImagesUnavailable(
                f"the local image set for {target.platform} is not built "
                f"({len(absent)} of {len(BASE_IMAGES)} lookalikes missing, e.g. {absent[0]})",
                f"build it with `python -m lessons images --build-local --platform "
                f"{target.platform}` (under emulation: allow an hour on 2 cores)")
    if not absent:
        return "local"
    raise ImagesUnavailable(
        "no registry answers the engine and the local image set is not built "
        f"({len(absent)} of {len(BASE_IMAGES)} lookalikes missing, e.g. {absent[0]})",
        "build it once with `python -m lessons images --build-local` (about 10 minutes, "
        "needs root and Debian's debootstrap), or connect to the internet")
