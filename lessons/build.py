"""Building images: BuildKit through the docker CLI, with progress, labels and clear failures.

Every build runs ``docker buildx build`` as a subprocess: the command the notebooks print is
the argument list that runs, so a learner can paste it into a terminal and get the same build,
with BuildKit's own ``--progress=plain`` log. Why the CLI and not a Python library: docker-py
only drives the classic builder (docker/docker-py#2230), and a wrapper such as python-on-whales
would run the same CLI behind one more layer while hiding the command we want learners to see.
docker-py stays for what the API does well (containers, images, save/export, events).

Where buildx is missing, the classic builder is used through the API, and one line says so and
how to get buildx.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import dockerfile as df
from . import platforms
from .errors import BuildFailed, EngineUnavailable, LabError, NotEnoughDisk, hint_for
from .labels import managed

BUILDX_HINT = ("install the buildx plugin (Docker Desktop and Docker Engine packages from "
               "docker.com include it; on Debian/Ubuntu as root `sudo bash .ci/start-engine.sh` "
               "installs it)")


@dataclass
class Step:
    """One step of a build, as BuildKit reports it: ``[build 3/5] RUN go test ./...``."""

    number: int                 # position among the build's steps, from 1, in start order
    instruction: str            # the instruction as the builder printed it
    stage: str = ""             # BuildKit's stage name ("build", "stage-2")
    index: int = 0              # position within the stage ("3" of "3/5")
    cached: bool = False
    seconds: float = 0.0
    line: int | None = None     # line of the Dockerfile it came from, when known
    error: str = ""
    log: list[str] = field(default_factory=list)


@dataclass
class BuildResult:
    tag: str
    image_id: str
    seconds: float
    steps: list[Step] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    command: str = ""           # what a learner types for the same build
    builder: str = "buildkit"   # or "classic"

    @property
    def cached_steps(self) -> int:
        return sum(1 for s in self.steps if s.cached)

    def ran(self) -> list[Step]:
        """The steps that ran (were not answered by the cache)."""
        return [s for s in self.steps if not s.cached]


# ----------------------------------------------------------------------------- which builder

_BUILDX: dict[str, bool] = {}


def has_buildx() -> bool:
    """Is the docker CLI here, with the buildx plugin? (Asked once per process.)"""
    if "ok" not in _BUILDX:
        exe = shutil.which("docker")
        ok = False
        if exe:
            try:
                ok = subprocess.run([exe, "buildx", "version"], capture_output=True,
                                    timeout=30).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
        _BUILDX["ok"] = ok
    return _BUILDX["ok"]


def buildx_version() -> str:
    """``buildx 0.29.1``: the buildx plugin of the docker CLI here (``none`` without one)."""
    try:
        out = subprocess.run([shutil.which("docker") or "docker", "buildx", "version"],
                             capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "none"
    return "buildx " + (out[1].split("+")[0] if len(out) > 1 else "?")


# ----------------------------------------------------------------------------- the command

def _shown_path(path: Path, cwd: Path) -> str:
    try:
        rel = os.path.relpath(Path(path).resolve(), cwd)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if not rel.startswith("../../../") else str(Path(path).resolve())


def build_argv(dockerfile: Path, context: Path, tag: str, *, buildargs: dict | None = None,
               labels: dict | None = None, nocache: bool = False, target: str | None = None,
               cwd: Path | None = None, progress: str = "plain",
               platform: str | None = None) -> list[str]:
    """The ``docker buildx build`` argument list for one build, paths relative to ``cwd``.
    ``platform`` (``linux/arm64``; several separated by commas) builds for that platform
    instead of the engine's own (lessons.platforms)."""
    cwd = Path(cwd or os.getcwd())
    argv = ["docker", "buildx", "build", f"--progress={progress}", "--load"]
    if platform:
        argv += ["--platform", platform]
    if nocache:
        argv.append("--no-cache")
    argv += ["-f", _shown_path(dockerfile, cwd)]
    if target:
        argv += ["--target", target]
    for key, value in (buildargs or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    for key, value in (labels or {}).items():
        argv += ["--label", f"{key}={value}"]
    argv += ["-t", tag, _shown_path(context, cwd)]
    return argv


def cli_command(dockerfile: Path, context: Path, tag: str, buildargs: dict | None = None,
                nocache: bool = False, target: str | None = None,
                labels: dict | None = None, cwd: Path | None = None,
                platform: str | None = None) -> str:
    """The command a learner types for the same build (run from ``cwd``, default: here)."""
    all_labels = managed(**(labels or {})) if labels is not None else None
    return shlex.join(build_argv(dockerfile, context, tag, buildargs=buildargs,
                                 labels=all_labels, nocache=nocache, target=target, cwd=cwd,
                                 platform=platform))


# ----------------------------------------------------------------------------- plain progress

_HEAD = re.compile(r"^#(\d+) \[([^\]]+)\] (.*)$")
# "build 3/5", or "3/5" in a one-stage file; BuildKit pads the number to the width of the
# total ("build  3/12", " 1/10").
_STAGE_STEP = re.compile(r"^(?:(\S+)\s+)?(\d+)/(\d+)$")
_DONE = re.compile(r"^#(\d+) DONE (\d+(?:\.\d+)?)s$")
_CACHED = re.compile(r"^#(\d+) CACHED$")
_ERROR = re.compile(r"^#(\d+) ERROR: (.*)$")
_LOG = re.compile(r"^#(\d+) (\d+\.\d+) (.*)$")
_WRITING = re.compile(r"writing image (sha256:[0-9a-f]{64})")


class PlainProgress:
    """Reads BuildKit's ``--progress=plain`` output line by line and keeps the steps.

    Vertices named ``[stage i/n]`` are the Dockerfile's steps; ``[internal] ...`` and
    ``exporting to image`` are BuildKit's own work and are not counted as steps.
    """

    def __init__(self, source: str = "", on_step: Callable[[Step, int], None] | None = None,
                 target: str | None = None):
        self.source = source
        self.on_step = on_step
        self.total = df.step_count(source, target) if source else 0
        self.by_vertex: dict[str, Step] = {}
        self.steps: list[Step] = []
        self.errors: list[str] = []
        self.started: dict[str, float] = {}
        self.image_id = ""

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        m = _HEAD.match(line)
        if m:
            vid, name, text = m.groups()
            if vid in self.by_vertex or name == "internal":
                return
            sm = _STAGE_STEP.match(name.strip())
            if not sm:
                return
            stage, index = sm.group(1), int(sm.group(2))
            if stage is None:   # a single-stage file: BuildKit prints no stage name
                stages = df.parse_stages(self.source) if self.source else []
                stage = stages[-1].name if stages else "stage-0"
            step = Step(len(self.steps) + 1, text.strip(), stage, index)
            ins = df.locate(self.source, stage, index) if self.source else None
            step.line = ins.line if ins else None
            self.by_vertex[vid] = step
            self.steps.append(step)
            self.started[vid] = time.monotonic()
            self.total = max(self.total, len(self.steps))
            if self.on_step:
                self.on_step(step, self.total)
            return
        for pattern, action in ((_CACHED, "cached"), (_DONE, "done"), (_ERROR, "error"),
                                (_LOG, "log")):
            m = pattern.match(line)
            if not m:
                continue
            step = self.by_vertex.get(m.group(1))
            if action == "error":
                self.errors.append(m.group(2))
            if step is None:
                return
            if action == "cached":
                step.cached = True
            elif action == "done":
                step.seconds = float(m.group(2))
            elif action == "error":
                step.error = m.group(2)
            else:
                step.log.append(m.group(3))
            return
        w = _WRITING.search(line)
        if w:
            self.image_id = w.group(1)
        if line.startswith("ERROR: "):
            self.errors.append(line[len("ERROR: "):])

    def failed_step(self) -> Step | None:
        for step in self.steps:
            if step.error:
                return step
        return None


# ----------------------------------------------------------------------------- building

def build(client, context: Path, dockerfile: Path, tag: str, *,
          buildargs: dict | None = None, labels: dict | None = None, nocache: bool = False,
          target: str | None = None, on_step: Callable[[Step, int], None] | None = None,
          on_line: Callable[[str], None] | None = None,
          platform: str | None = None) -> BuildResult:
    """Build ``dockerfile`` in ``context`` and tag it; every image gets the lab's labels.
    ``platform`` builds for another platform than the engine's own (``--platform``).

    ``on_step(step, total)`` is called as each step starts (for a progress bar) and
    ``on_line(text)`` for every line of the builder's log. A failed build raises BuildFailed
    naming the instruction, its line in the Dockerfile and the last lines of the log.
    """
    context = Path(context)
    dockerfile = Path(dockerfile)
    if not dockerfile.is_file():
        raise LabError(f"no Dockerfile at {dockerfile}", "check the path and file name")
    if not context.is_dir():
        raise LabError(f"no build context folder at {context}", "check the path")
    all_labels = managed(**(labels or {}))
    if not has_buildx():
        print("buildx is missing: building with the classic builder, which Docker has "
              f"deprecated (next step: {BUILDX_HINT})")
        return _classic(client, context, dockerfile, tag, buildargs=buildargs,
                        labels=all_labels, nocache=nocache, target=target, on_step=on_step,
                        on_line=on_line, platform=platform)
    cwd = Path(os.getcwd())
    argv = build_argv(dockerfile, context, tag, buildargs=buildargs, labels=all_labels,
                      nocache=nocache, target=target, cwd=cwd, platform=platform)
    return run_build(client, argv, dockerfile, tag, target=target, on_step=on_step,
                     on_line=on_line, cwd=cwd)


def run_build(client, argv: list[str], dockerfile: Path, tag: str, *, target: str | None = None,
              on_step: Callable[[Step, int], None] | None = None,
              on_line: Callable[[str], None] | None = None, cwd: Path | None = None,
              ) -> BuildResult:
    """Run a ``docker build`` / ``docker buildx build`` command line with plain progress and
    read BuildKit's log as it comes: steps for ``on_step``, every line for ``on_line``, the
    failed instruction's Dockerfile line when it fails. (``build`` makes the command line;
    the exercise checks run the one they showed the learner.)"""
    source = Path(dockerfile).read_text()
    shown = shlex.join(argv)
    progress = PlainProgress(source, on_step, target)
    log: list[str] = []
    started = time.monotonic()
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                start_new_session=True)
    except OSError as err:
        raise EngineUnavailable(f"could not run the docker CLI: {err}", BUILDX_HINT) from None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            log.append(line)
            progress.feed(line)
            if on_line:
                on_line(line)
        code = proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        raise LabError("build interrupted", "re-run the cell; finished steps are cached")
    finally:
        if proc.poll() is None:
            _stop(proc)
    seconds = time.monotonic() - started
    if code != 0:
        raise _failure(Path(dockerfile), source, progress, log, shown)
    image_id = _image_id(client, tag) or progress.image_id
    if not image_id:
        raise BuildFailed(f"building {Path(dockerfile).name} ended without an image",
                          "look at the log above", log_tail=log[-15:])
    return BuildResult(tag, image_id, seconds, _in_file_order(progress.steps, source), log,
                       shown, "buildkit")


def context_bytes(log: list[str]) -> int | None:
    """Bytes of build context the CLI sent, read from the builder's own log (BuildKit:
    "transferring context: 29.41MB"; classic: "Sending build context to Docker daemon")."""
    units = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9}
    vertex = None
    found = None
    for line in log:
        m = re.match(r"^#(\d+) \[internal\] load build context", line)
        if m:
            vertex = m.group(1)
            continue
        m = re.search(r"^(?:#(\d+) transferring context:|Sending build context to Docker "
                      r"daemon)\s+([\d.]+)\s*([kKMG]?B)", line)
        if m and (m.group(1) is None or m.group(1) == vertex):
            found = int(float(m.group(2)) * units[m.group(3)])
    return found


def _in_file_order(steps: list[Step], source: str) -> list[Step]:
    """Steps sorted as the Dockerfile lists them (BuildKit starts independent ones in any
    order), renumbered from 1."""
    order = {s.name: s.index for s in df.parse_stages(source)}
    ordered = sorted(steps, key=lambda s: (order.get(s.stage, 99), s.index))
    for number, step in enumerate(ordered, start=1):
        step.number = number
    return ordered


def _image_id(client, tag: str) -> str:
    from docker.errors import DockerException

    try:
        return client.images.get(tag).id
    except DockerException:
        return ""


def _stop(proc: subprocess.Popen) -> None:
    """Stop the CLI like Ctrl-C in a terminal would: BuildKit cancels the build with it."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(15)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()


def _failure(dockerfile: Path, source: str, progress: PlainProgress, log: list[str],
             command: str) -> BuildFailed:
    step = progress.failed_step()
    error = progress.errors[-1] if progress.errors else ""
    if step is not None:
        where = f"{dockerfile.name}:{step.line}" if step.line else dockerfile.name
        shown = step.instruction if len(step.instruction) < 120 else \
            step.instruction[:117] + "..."
        message = f"build failed at {where}: {shown}"
        tail = step.log[-12:] or log[-12:]
        line, text = step.line, step.instruction
        error = step.error or error
    else:
        message = f"build of {dockerfile.name} failed before its first step"
        tail, line, text = log[-12:], None, ""
    short_error = error.splitlines()[0][:300] if error else "unknown error"
    details = ("  error: " + short_error + "\n  last log lines:\n"
               + "\n".join("    " + t for t in tail) + "\n  command: " + command)
    return BuildFailed(message, _hint_for(error + "\n" + "\n".join(log[-5:])), details=details,
                       step=text, line=line, log_tail=tail)


def _hint_for(error: str) -> str:
    return hint_for(error, "fix the instruction above (its output is in the log lines), "
                           "then build again")


# ----------------------------------------------------------------------------- classic builder

_CLASSIC_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")


def _classic(client, context: Path, dockerfile: Path, tag: str, *, buildargs, labels, nocache,
             target, on_step, on_line, platform=None) -> BuildResult:
    """The deprecated classic builder through the API (docker-py), for engines or machines
    without buildx. Its steps are numbered over the whole file ("Step 3/17")."""
    parsed = df.read(dockerfile)
    buildargs = dict(buildargs or {})
    text = dockerfile.read_text()
    if any(name in text for name in ("BUILDPLATFORM", "TARGETOS", "TARGETARCH")):
        # BuildKit sets these by itself; the classic builder does not.
        arch = platforms.docker_arch(client.info().get("Architecture", ""), "amd64")
        goal = platform.split("/")[1] if platform else arch
        for key, value in (("BUILDPLATFORM", f"linux/{arch}"), ("TARGETPLATFORM", f"linux/{goal}"),
                           ("TARGETOS", "linux"), ("TARGETARCH", goal)):
            buildargs.setdefault(key, value)
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
        tag=tag, buildargs=buildargs or {}, labels=labels, rm=True, forcerm=True,
        nocache=nocache, pull=False, target=target, decode=True,
        **({"platform": platform} if platform else {}))
    try:
        for item in stream:
            if "error" in item:
                error = item.get("error", "").strip()
                break
            if "aux" in item and isinstance(item["aux"], dict) and "ID" in item["aux"]:
                image_id = item["aux"]["ID"]
            for line in item.get("stream", "").splitlines():
                line = line.rstrip()
                if not line:
                    continue
                log.append(line)
                if on_line:
                    on_line(line)
                m = _CLASSIC_STEP.match(line)
                if m:
                    now = time.monotonic()
                    if steps:
                        steps[-1].seconds = now - step_started
                    step_started = now
                    total = int(m.group(2))
                    number = int(m.group(1))
                    ins = parsed[number - 1] if number - 1 < len(parsed) else None
                    steps.append(Step(number, m.group(3), line=ins.line if ins else None))
                    if on_step:
                        on_step(steps[-1], total)
                elif line.strip() == "---> Using cache" and steps:
                    steps[-1].cached = True
                elif steps:
                    steps[-1].log.append(line)
    except KeyboardInterrupt:
        raise LabError("build interrupted", "re-run the cell; finished layers are cached")
    finally:
        if hasattr(stream, "close"):
            stream.close()
    if steps:
        steps[-1].seconds = time.monotonic() - step_started
    command = cli_command(dockerfile, context, tag, buildargs, nocache, target, platform=platform)
    if error:
        failed = steps[-1] if steps else None
        if failed is not None:
            failed.error = error
        progress = PlainProgress()
        progress.steps = steps
        progress.errors = [error]
        raise _failure(dockerfile, "", progress, log, command)
    if not image_id:
        raise BuildFailed(f"building {dockerfile.name} ended without an image",
                          "look at the log above", log_tail=log[-15:])
    return BuildResult(tag, image_id, time.monotonic() - started, steps, log, command, "classic")


# ----------------------------------------------------------------------------- disk

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
