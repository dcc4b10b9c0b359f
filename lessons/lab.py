"""The lab's everyday verbs on the engine: build a variant with the right build arguments, and
check that an image answers. (Measuring is lessons.sizes; teaching is lessons.nb.)"""

from __future__ import annotations

import os

from . import build, engine, imagesets, pins, platforms, run, wheels
from .catalog import Variant
from .errors import explain
from .labels import APP, IMAGE_SET, VARIANT, container_labels

# Rough disk a full build of each language needs the first time (images + build cache).
DISK_PER_LANGUAGE = {"go": 1_500_000_000, "java": 1_200_000_000, "python": 1_500_000_000}

PYPI_PROBE_URL = "https://pypi.org/simple/flask/"
_PIP_OFFLINE: dict[tuple, bool] = {}


def pip_offline(client, image_set: str, say=print) -> bool:
    """Install the Python app's wheels from the host (see lessons.wheels)?

    Decided by whether a container on this engine can reach PyPI, which is what pip inside a
    build needs: no network, a firewall, or a proxy that intercepts TLS (the build's pip then
    cannot verify PyPI's certificate) all mean "offline". ``LESSONS_PIP_OFFLINE=1`` or ``0``
    overrides the probe. Asked once per engine and image set in a process.
    """
    flag = os.environ.get("LESSONS_PIP_OFFLINE", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    key = (client.api.base_url, image_set)
    if key not in _PIP_OFFLINE:
        image = imagesets.name_in(image_set, "PYTHON_SLIM_IMAGE")
        reached, why = _container_reaches(client, image, PYPI_PROBE_URL)
        _PIP_OFFLINE[key] = not reached
        if not reached:
            say(f"PyPI is not reachable from containers on this engine ({why}): Python builds "
                "install the pinned wheels the lab downloads on this machine "
                "(PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels)")
    return _PIP_OFFLINE[key]


def _container_reaches(client, image: str, url: str) -> tuple[bool, str]:
    """Can a container of ``image`` fetch ``url`` over verified TLS? (True, "") or (False, why)."""
    from docker.errors import APIError, ContainerError, ImageNotFound

    code = ("import sys, urllib.request\n"
            "try:\n"
            f"    urllib.request.urlopen({url!r}, timeout=10).read(1)\n"
            "except Exception as e:\n"
            "    r = getattr(e, 'reason', e)\n"          # URLError wraps the real cause
            "    v = getattr(r, 'verify_message', '')\n"  # a TLS certificate pip cannot verify
            "    what = 'TLS certificate not trusted: ' + v if v else type(r).__name__ + ': ' + str(r)\n"
            "    print(what[:160], file=sys.stderr); sys.exit(1)\n")
    try:
        client.containers.run(image, entrypoint=["python3", "-c", code], remove=True,
                              labels=container_labels("pypi-probe"))
        return True, ""
    except ContainerError as err:
        out = (err.stderr or b"").decode(errors="replace").strip()
        return False, (out.splitlines() or ["no answer"])[-1][:160]
    except (ImageNotFound, APIError) as err:
        return False, explain(err).message


def offline_wheels(client, image_set: str, say=print, arch: str | None = None) -> dict[str, str]:
    """The build args that make pip install from the host-downloaded wheels, after
    downloading them when needed (for ``arch``, default the engine's); {} when builds reach
    PyPI."""
    if not pip_offline(client, image_set, say):
        return {}
    wheels.prepare(arch or engine.describe(client)["architecture"])
    return wheels.offline_args()


def build_env(client, image_set: str, say=print) -> dict[str, str]:
    """The build args a ``docker build --build-arg NAME`` typed by a learner should receive
    from the environment: the lookalikes' names with the local set (with the official set
    none: the Dockerfiles' defaults are the official tags), plus pip's offline settings when
    builds cannot reach PyPI."""
    values = {b.arg: b.local for b in imagesets.BASE_IMAGES} if image_set == "local" else {}
    if client is not None:
        values.update(offline_wheels(client, image_set, say))
    return values


def exports(values: dict[str, str]) -> list[str]:
    """``build_env`` values as the ``export NAME=value`` lines a terminal needs, so that a
    ``docker build --build-arg NAME`` typed there gets the same values as in the notebooks."""
    import shlex
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def apply_build_env(values: dict[str, str]) -> None:
    """Put ``build_env`` values into this process's environment (and drop the base-image
    names it does not set, so an earlier choice of image set does not linger)."""
    for b in imagesets.BASE_IMAGES:
        if b.arg not in values:
            os.environ.pop(b.arg, None)
    os.environ.update(values)


def target(client, platform: str | platforms.Target | None = None) -> platforms.Target:
    """The platform to build and run for: ``platform``, else ``$LESSONS_PLATFORM``, else the
    engine's own (lessons.platforms)."""
    return platforms.of(client, platform)


def build_args(v: Variant, image_set: str, client=None,
               target: platforms.Target | None = None) -> dict[str, str]:
    """Build args for one variant: the base images of the set (for ``target``: see
    imagesets.local_names; pinned by digest where sample_apps/images.lock and ``client``
    agree, lessons.pins), plus the offline pip settings when builds cannot reach PyPI (asked
    of ``client``; without one, only the base images), plus the unit tests' time factor when
    ``target`` is emulated (for the Dockerfiles that declare TEST_TIME_FACTOR)."""
    arch = target.arch if target is not None else None
    extra = offline_wheels(client, image_set, arch=arch) \
        if v.language == "python" and client else {}
    if target is not None and target.foreign:
        extra = {**extra, "TEST_TIME_FACTOR": str(platforms.EMULATED_TEST_TIME_FACTOR)}
    args = imagesets.build_args(v.dockerfile, image_set, extra, target)
    return pins.pinned(client, image_set, args, v.dockerfile) if client is not None else args


def labels_for(v: Variant, image_set: str) -> dict[str, str]:
    return {APP: v.language, VARIANT: v.variant, IMAGE_SET: image_set}


def command(v: Variant, image_set: str, nocache: bool = False, client=None,
            target: platforms.Target | None = None) -> str:
    """The equivalent ``docker buildx build`` command, for the notebooks to show."""
    return build.cli_command(v.dockerfile, v.context, v.tag(image_set, target),
                         build_args(v, image_set, client, target), nocache=nocache,
                         labels=labels_for(v, image_set),
                         platform=target.build_platform if target is not None else None)


def build_variant(client, v: Variant, image_set: str, *, nocache: bool = False,
                  on_step=None, on_line=None, target: platforms.Target | None = None) -> build.BuildResult:
    """Build one variant with the given image set (wheels fetched first when needed), for
    ``target`` (default: the engine's own platform; another one under emulation)."""
    if image_set == "local" and target is not None:
        from . import localset
        for base in imagesets.needs_both(v.dockerfile, target):
            localset.multi_platform(client, base, target)
    return build.build(client, v.context, v.dockerfile, v.tag(image_set, target),
                   buildargs=build_args(v, image_set, client, target),
                   labels=labels_for(v, image_set), nocache=nocache, on_step=on_step,
                   on_line=on_line,
                   platform=target.build_platform if target is not None else None)


def check_answers(client, tag: str, language: str, platform: str | None = None) -> dict:
    """Run the image the lab's safe way and ask it two questions. Returns what it said."""
    with run.running(client, tag, purpose="check", platform=platform) as app:
        root = app.get("/")
        primes = app.get("/primes?n=100")
        said = _json(root)
        ok = (root.status == 200 and isinstance(said, dict) and said.get("language") == language
              and primes.status == 200 and _json(primes) == {"n": 100, "count": 25,
                                                             "largest": 97})
        return {"answered": ok, "healthy_s": round(app.healthy_after, 2)}


def _json(answer: run.Response):
    """An app's answer as JSON, or None when it is not JSON: a wrong answer of the app, not
    an engine's answer cut off (which is how lessons.errors reads a JSONDecodeError)."""
    try:
        return answer.json()
    except ValueError:
        return None


def provenance(client, image_set: str, target: platforms.Target | None = None) -> dict:
    """What every measured row records. ``architecture`` is the images' (the target's)."""
    info = engine.describe(client)
    return {"image_set": image_set, "engine_version": info["engine_version"],
            "storage_driver": info["storage_driver"],
            "architecture": target.arch if target is not None else info["architecture"],
            "date": engine.today(), "source": "live"}


def ensure_ready(client, image_set: str | None = None, target: platforms.Target | None = None) -> str:
    """Pick the image set (LESSONS_IMAGES) and check it can be used; returns its name."""
    return imagesets.choose(client, image_set, target)

