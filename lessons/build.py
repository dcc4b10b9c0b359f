"""Building images on the engine: streamed logs, progress, labels, and clear failures."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import dockerfile as df
from . import labels as L
from .errors import BuildFailed, LabError, NotEnoughDisk

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


@dataclass
class Step:
    number: int
    instruction: str
    cached: bool = False
    seconds: float = 0.0


@dataclass
class BuildResult:
    tag: str
    image_id: str
    seconds: float
    steps: list[Step] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    @property
    def cached_steps(self) -> int:
        return sum(1 for s in self.steps if s.cached)


def cli_command(dockerfile: Path, context: Path, tag: str, buildargs: dict | None = None,
                nocache: bool = False, target: str | None = None) -> str:
    """The ``docker build`` command a learner would type for the same build."""
    parts = ["docker build"]
    if nocache:
        parts.append("--no-cache")
    parts.append(f"-f {Path(dockerfile).name}")
    if target:
        parts.append(f"--target {target}")
    for key, value in (buildargs or {}).items():
        parts.append(f"--build-arg {key}={value}")
    parts.append(f"-t {tag}")
    parts.append(".")
    return " ".join(parts) + f"    # in {_rel(context)}"


def _rel(path: Path) -> str:
    from .catalog import REPO_ROOT
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def build(client, context: Path, dockerfile: Path, tag: str, *,
          buildargs: dict | None = None, labels: dict | None = None, nocache: bool = False,
          target: str | None = None, on_step: Callable[[Step, int], None] | None = None,
          on_line: Callable[[str], None] | None = None) -> BuildResult:
    """Build ``dockerfile`` in ``context`` and tag it; every image gets the lab's labels.

    ``on_step(step, total)`` is called as each step starts (for a progress bar) and
    ``on_line(text)`` for every log line. A failed build raises BuildFailed naming the
    instruction, its line in the Dockerfile and the last lines of the log.
    """
    context = Path(context)
    dockerfile = Path(dockerfile)
    if not dockerfile.is_file():
        raise LabError(f"no Dockerfile at {dockerfile}", "check the path and file name")
    parsed = df.read(dockerfile)
    all_labels = L.managed(**(labels or {}))
    steps: list[Step] = []
    log: list[str] = []
    image_id = ""
    error = ""
    started = time.monotonic()
    step_started = started
    total = len(parsed)
    stream = client.api.build(
        path=str(context), dockerfile=str(dockerfile.relative_to(context)
                                          if dockerfile.is_relative_to(context) else dockerfile),
        tag=tag, buildargs=buildargs or {}, labels=all_labels, rm=True, forcerm=True,
        nocache=nocache, pull=False, target=target, decode=True)
    try:
        for item in stream:
            if "error" in item:
                error = item.get("error", "").strip()
                break
            if "aux" in item and isinstance(item["aux"], dict) and "ID" in item["aux"]:
                image_id = item["aux"]["ID"]
            text = item.get("stream", "")
            for line in text.splitlines():
                line = line.rstrip()
                if not line:
                    continue
                log.append(line)
                if on_line:
                    on_line(line)
                m = _STEP.match(line)
                if m:
                    now = time.monotonic()
                    if steps:
                        steps[-1].seconds = now - step_started
                    step_started = now
                    total = int(m.group(2))
                    steps.append(Step(int(m.group(1)), m.group(3)))
                    if on_step:
                        on_step(steps[-1], total)
                elif line.strip() == "---> Using cache" and steps:
                    steps[-1].cached = True
                elif line.startswith("Successfully built ") and not image_id:
                    image_id = "sha256:" + line.split()[-1]
    except KeyboardInterrupt:
        raise LabError("build interrupted", "re-run the cell; finished layers are cached")
    finally:
        if hasattr(stream, "close"):
            stream.close()
    if steps:
        steps[-1].seconds = time.monotonic() - step_started
    if error:
        raise _failure(dockerfile, parsed, steps, log, error)
    if not image_id:
        raise BuildFailed(f"building {dockerfile.name} ended without an image",
                          "look at the log above", log_tail=log[-15:])
    return BuildResult(tag, image_id, time.monotonic() - started, steps, log)


def _failure(dockerfile: Path, parsed, steps: list[Step], log: list[str], error: str):
    tail = log[-12:]
    if steps and steps[-1].number - 1 < len(parsed):
        ins = parsed[steps[-1].number - 1]
        where = f"{dockerfile.name}:{ins.line}"
        shown = ins.text if len(ins.text) < 120 else ins.text[:117] + "..."
        message = f"build failed at {where}: {shown}"
        line = ins.line
        step = ins.text
    else:
        message = f"build of {dockerfile.name} failed before its first step"
        line, step = None, ""
    short_error = error.splitlines()[0][:300] if error else "unknown error"
    hint = _hint_for(error)
    details = "  error: " + short_error + "\n  last log lines:\n" + "\n".join(
        "    " + t for t in tail)
    return BuildFailed(message, hint, details=details, step=step, line=line, log_tail=tail)


def _hint_for(error: str) -> str:
    e = error.lower()
    if "pull access denied" in e or "no such host" in e or "manifest unknown" in e or \
            "repository does not exist" in e or "failed to resolve" in e:
        return ("a base image could not be pulled: no registry here? use the local image set "
                "(LESSONS_IMAGES=local, after `python -m lessons images --build-local`)")
    if "no space left" in e:
        return "free disk space (`python -m lessons clean`, then `docker builder prune`)"
    return "fix the instruction above (its output is in the log lines), then build again"


def free_disk_bytes(client) -> int | None:
    """Free bytes where the engine keeps its images, when that folder is on this machine."""
    try:
        root = client.info().get("DockerRootDir") or "/var/lib/docker"
        st = os.statvfs(root)
        return st.f_bavail * st.f_frsize
    except (OSError, TypeError):
        return None


def check_disk(client, needed_bytes: int, what: str = "the builds ahead") -> None:
    """Refuse to start builds that would fill the disk (checked when the engine is local)."""
    free = free_disk_bytes(client)
    if free is not None and free < needed_bytes:
        raise NotEnoughDisk(
            f"{what} need about {needed_bytes / 1e9:.1f} GB of disk; only "
            f"{free / 1e9:.1f} GB is free where Docker keeps its images",
            "free some space (`python -m lessons clean` removes only the lab's images) "
            "or build fewer variants (--lang / --variant)")
