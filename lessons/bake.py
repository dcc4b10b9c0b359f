"""Every variant in one BuildKit session: ``docker buildx bake`` with the repository's
``docker-bake.hcl``.

The bake file names each image the way :mod:`lessons.catalog` tags it and takes the base images
from variables whose defaults are the official tags; for the local set the lookalikes' names
come from the environment (``bake_env``), exactly the values a per-image ``docker buildx build``
gets from :func:`lessons.lab.build_args`. ``python -m lessons compare`` bakes first and then
checks and measures each image; a learner can run the printed command as it is.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from pathlib import Path

from . import build, imagesets, lab, session
from .catalog import REPO_ROOT, Variant
from .errors import BuildFailed, LabError

FILE = REPO_ROOT / "docker-bake.hcl"
TAIL = 15   # log lines shown when the bake fails
# The Python apps' in-build tests time gunicorn's start and stop; a dozen builds at once share
# the CPUs (one of 12 failed its 2 s stop limit on CI's 2 cores, Docker 20.10, 2026-12-07), so
# baked builds stretch those limits as emulated builds do (lessons.platforms).
PARALLEL_TEST_TIME_FACTOR = 3


def target_name(v: Variant) -> str:
    """The bake target that builds ``v``: ``go-scratch``."""
    return f"{v.language}-{v.variant}"


def bake_env(client, image_set: str, todo: list[Variant]) -> dict[str, str]:
    """The variables the bake file reads from the environment for ``image_set``: the set's
    name, the lookalikes' names (local set), and pip's offline settings when a Python image is
    built and builds cannot reach PyPI (the wheels are downloaded first, as for one build)."""
    env = {"IMAGE_SET": image_set}
    if image_set == "local":
        used = {b.arg for v in todo for b in imagesets.base_images_of(v.dockerfile)}
        env.update({b.arg: b.local for b in imagesets.BASE_IMAGES if b.arg in used})
    elif image_set != "official":
        raise LabError(f"unknown image set {image_set!r}", "use official or local")
    if any(v.language == "python" for v in todo):
        env["TEST_TIME_FACTOR"] = str(PARALLEL_TEST_TIME_FACTOR)
        if client is not None:
            env.update(lab.offline_wheels(client, image_set))
    return env


def argv(targets: list[str], *, print_only: bool = False) -> list[str]:
    out = ["docker", "buildx", "bake", "--progress=plain", "-f", FILE.name]
    if print_only:
        out.append("--print")
    return out + list(targets)


def command(targets: list[str], env: dict[str, str]) -> str:
    """The command as a learner types it, from the repository's root."""
    shown = [f"{k}={shlex.quote(v)}" for k, v in env.items()]
    return " ".join(shown + [shlex.join(argv(targets))])


def _run(args: list[str], env: dict[str, str], timeout: float, out=subprocess.PIPE):
    try:
        return subprocess.run(args, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=out,
                              stderr=subprocess.STDOUT if out is not subprocess.PIPE
                              else subprocess.PIPE, text=True, timeout=timeout)
    except FileNotFoundError as err:
        raise LabError("the docker CLI is not on PATH", "install Docker (the CLI and its buildx "
                       "plugin), or open a terminal where `docker version` works") from err
    except subprocess.TimeoutExpired as err:
        raise LabError(f"`docker buildx bake` did not finish within {timeout:.0f} s",
                       "its log in .lab/ shows how far it got") from err


def resolved(targets: list[str], env: dict[str, str]) -> dict:
    """What bake would build (``--print``): ``{"target": {name: {context, dockerfile, args,
    labels, tags}}, "group": ...}``."""
    done = _run(argv(targets, print_only=True), env, timeout=60)
    if done.returncode != 0:
        raise LabError("`docker buildx bake --print` failed: "
                       + (done.stderr.strip().splitlines() or ["no output"])[-1],
                       "check docker-bake.hcl, and that `docker buildx version` works")
    return json.loads(done.stdout)


def bake(todo: list[Variant], env: dict[str, str], log=print, timeout: float = 3600) -> float:
    """Build ``todo`` in one ``docker buildx bake``; returns the wall time in seconds. The
    full progress goes to ``.lab/bake-SESSION.log``; a failure raises BuildFailed with its last lines."""
    if not build.has_buildx():
        raise LabError("buildx is missing, so there is no `docker buildx bake`",
                       "install the buildx plugin (sudo bash .ci/start-engine.sh on Debian)")
    targets = [target_name(v) for v in todo]
    log_file = REPO_ROOT / ".lab" / f"{session.named('bake')}.log"   # one per session
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log(f"building {len(todo)} images in one BuildKit session (full log: {_shown(log_file)})\n"
        f"    $ {command(targets, env)}")
    started = time.monotonic()
    with open(log_file, "w") as out:
        done = _run(argv(targets), env, timeout, out=out)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        lines = log_file.read_text(errors="replace").splitlines()
        errors = [line for line in lines if "ERROR" in line or "error:" in line]
        raise BuildFailed(f"`docker buildx bake` failed after {seconds:.0f} s: "
                          + (errors[-1].strip() if errors else "see the log"),
                          f"the full log is {_shown(log_file)}; each image alone: "
                          "python -m lessons compare --no-bake",
                          details="\n".join("    " + line for line in lines[-TAIL:]),
                          log_tail=lines[-TAIL:])
    log(f"bake: {len(todo)} images built in {seconds:.1f} s")
    return seconds


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
