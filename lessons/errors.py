"""One exception type for every failure a learner may meet, with the next step to take, and
the one handler (:func:`explain`, :func:`one_line`) that turns any exception into it."""

from __future__ import annotations

import json
import os
import subprocess
import traceback
from pathlib import Path

import docker.errors
import requests.exceptions
import urllib3.exceptions

ISSUES_URL = "https://github.com/size-drop/size-drop/issues"
DEBUG_ENV = "LESSONS_DEBUG"   # =1: show the full traceback (for reporting a bug in the lab)
PACKAGE = Path(__file__).resolve().parent


class LabError(Exception):
    """A failure explained in one line, plus what to do about it.

    ``str(err)`` gives both, so a notebook that lets it escape still shows a short message;
    the CLI prints it without a traceback.
    """

    def __init__(self, message: str, hint: str = "", *, details: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details  # longer context (build log tail, container logs), shown after

    def __str__(self) -> str:  # pragma: no cover - formatting only
        text = self.message
        if self.hint:
            text += f"\n  next step: {self.hint}"
        if self.details:
            text += "\n" + self.details
        return text


class LabBug(LabError):
    """An exception the lab did not expect: a bug in the lab, not the learner's doing."""


class EngineUnavailable(LabError):
    """No Docker engine answers (not installed, not started, or the socket is not ours)."""


class ImageMissing(LabError):
    """An image the cell needs is not on the engine (not built yet, or removed)."""


class ImagesUnavailable(LabError):
    """Neither the official images nor the local lookalikes can be used."""


class BuildFailed(LabError):
    """``docker build`` stopped at an instruction."""

    def __init__(self, message: str, hint: str = "", *, details: str = "",
                 step: str = "", line: int | None = None, log_tail: list[str] | None = None):
        super().__init__(message, hint, details=details)
        self.step = step
        self.line = line
        self.log_tail = log_tail or []


class NeverHealthy(LabError):
    """A container started but never answered its health endpoint."""


class NotEnoughDisk(LabError):
    """Too little free disk for the builds ahead."""


class PortInUse(LabError):
    """The port asked for is taken on 127.0.0.1."""


# One table of what an engine's or a builder's message means and what to do about it. Each
# entry: (every one of these lower-case fragments appears in the message, the next step).
# build, run and engine errors all look here first; the first matching entry wins.
HINTS: list[tuple[tuple[str, ...], str]] = [
    (("no space left",),
     "free disk space: `python -m lessons clean` (only the lab's images), then "
     "`docker builder prune`"),
    (("pull access denied",), "a base image could not be pulled: no registry here? use the "
     "local image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("no such host",), "a base image could not be pulled: no registry here? use the local "
     "image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("manifest unknown",), "that image tag does not exist in the registry: check the name, or "
     "use the local image set (LESSONS_IMAGES=local)"),
    (("no match for platform",), "that image has no build for the platform asked (an "
     "amd64-only image on an arm64 Mac, or the other way round): use an image published for "
     "this platform, or build for one it has with --platform (emulated, slower)"),
    (("failed to resolve",), "a base image could not be resolved: no registry here? use the "
     "local image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("failed to do request",), "the registry could not be reached: use the local image set "
     "(LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("unknown flag: link",), "this engine's built-in Dockerfile frontend is too old for "
     "COPY --link (Docker 20.10 has BuildKit 0.8): use a current engine or plain COPY"),
    (("unknown instruction", "<<"), "this engine's built-in Dockerfile frontend is too old for "
     "heredocs (Docker 20.10 has BuildKit 0.8): use a current engine or RUN lines"),
    (("exec", "no such file or directory"),
     "the entrypoint could not be started: the file, its interpreter or its dynamic loader is "
     "missing from the image (a cgo binary on scratch, a venv whose python points elsewhere, "
     "a shell-form command with no /bin/sh)"),
    (("executable file not found",), "that program is not in the image (distroless images "
     "have no shell): use exec form and a program the image has"),
    (("exec format error",), "the binary is for another CPU architecture (an amd64 image on "
     "an arm64 machine, or the other way round): build for this machine's platform"),
    (("port is already allocated",), "another container or program uses that port; stop it or "
     "let the engine pick one (-p 127.0.0.1::8080)"),
    (("address already in use",), "another container or program uses that port; stop it or "
     "let the engine pick one (-p 127.0.0.1::8080)"),
    (("is already in use by container",), "a container with that name exists: "
     "`docker rm -f NAME`, then run again"),
    (("permission denied", "docker.sock"), "add yourself to the 'docker' group (sudo usermod "
     "-aG docker $USER, then log in again) or use rootless Docker; never chmod the socket"),
    (("permission denied",), "a file the app needs is not readable or executable by its user"),
]


def hint_for(message: str, default: str = "") -> str:
    """The next step for an engine's or builder's message, from HINTS (or ``default``)."""
    text = message.lower()
    for fragments, hint in HINTS:
        if all(f in text for f in fragments):
            return hint
    return default


# What talking to an engine (or the system) can raise: a layer that knows what it was doing
# catches these and says so with ``explain(err, doing)``; anything else is a bug and travels
# to the top unchanged (the notebook's or the CLI's handler), traceback and all.
EXPECTED = (docker.errors.DockerException, requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError, json.JSONDecodeError, subprocess.SubprocessError,
            OSError)


def debugging() -> bool:
    """``LESSONS_DEBUG=1``: show full tracebacks instead of one line (to report a bug)."""
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def explain(exc: BaseException, doing: str = "") -> LabError:
    """Any exception as a LabError: one line and the next step. ``doing`` ("measuring X")
    says what the lab was doing. Engine and system errors get their meaning; an exception
    the lab does not expect is called what it is, a bug in the lab (LabBug)."""
    if isinstance(exc, LabError):
        return exc
    what = f" while {doing}" if doing else ""
    if isinstance(exc, docker.errors.ImageNotFound):
        return ImageMissing(f"the engine has no such image{what}: {_text(exc)}",
                            "build it first (the cell that builds it, or "
                            "`python -m lessons compare`)")
    if isinstance(exc, docker.errors.NotFound):
        return LabError(f"not found{what}: {_text(exc)}",
                        "it was removed (by another notebook's or test's cleanup on this "
                        "engine?); re-run the cell that creates it")
    if isinstance(exc, docker.errors.APIError):
        hint = hint_for(_text(exc), "check `docker info` in a terminal; the engine's log "
                        "says more")
        return LabError(f"the Docker engine refused{what} "
                        f"({exc.status_code or 'error'}): {_text(exc)}", hint)
    if isinstance(exc, json.JSONDecodeError):   # requests' own JSONDecodeError included
        return EngineUnavailable(
            f"an answer from the Docker engine was cut off{what} (it may be stopping or "
            "restarting)", "check that Docker is running (`docker info` in a terminal), "
            "then re-run the cell")
    if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError,
                        subprocess.TimeoutExpired, TimeoutError)):
        return LabError(f"no answer in time{what}: {_text(exc)}",
                        "the engine or this machine is busy: re-run the cell; `docker info` "
                        "in a terminal shows whether the engine answers")
    if isinstance(exc, (requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
                        ConnectionError)) or _connection_text(str(exc)):
        return unreachable(exc, doing)
    if isinstance(exc, docker.errors.DockerException):
        return LabError(f"the Docker SDK failed{what}: {_text(exc)}",
                        hint_for(_text(exc), "check `docker info` in a terminal"))
    if isinstance(exc, subprocess.CalledProcessError):
        cmd = exc.cmd.decode(errors="replace") if isinstance(exc.cmd, bytes) else \
            exc.cmd if isinstance(exc.cmd, str) else " ".join(map(str, exc.cmd))  # %%bash: bytes
        return LabError(f"`{' '.join(cmd.split())[:120]}` exited with status "
                        f"{exc.returncode}{what}", "its output above says why")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = exc.strerror or _text(exc)
        return LabError(f"{reason}{where}{what}",
                        hint_for(reason, "check that path or resource, then re-run the cell"))
    return LabBug(f"a bug in the lab{what}: {type(exc).__name__}: {_text(exc)[:200]} "
                  f"(at {_where(exc)})",
                  f"please report this line at {ISSUES_URL}; {DEBUG_ENV}=1 and re-running "
                  "shows the full traceback")


def unreachable(exc: BaseException, doing: str = "") -> EngineUnavailable:
    """No engine, or the connection to it lost, with the next step."""
    text = str(exc)
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if "Permission denied" in text or "PermissionError" in text:
        return EngineUnavailable(
            f"permission denied on the Docker socket ({host})",
            "add yourself to the 'docker' group (sudo usermod -aG docker $USER, then log in "
            "again) or use rootless Docker; never chmod the socket to 666")
    if doing:
        return EngineUnavailable(
            f"lost the connection to the Docker engine at {host} while {doing}: "
            f"{_text(exc)[:160]}", "check that Docker is still running (`docker info` in a "
            "terminal; Docker Desktop may have quit), then re-run the cell")
    if _connection_text(text) or "No such file" in text or "FileNotFoundError" in text:
        return EngineUnavailable(
            f"no Docker engine answers at {host}",
            "start Docker Desktop or the docker service; on a Debian/Ubuntu machine as root "
            "run `sudo bash .ci/start-engine.sh`; without any engine the notebooks replay "
            "a recorded run")
    return EngineUnavailable(f"the Docker engine at {host} did not answer: {_text(exc)[:200]}",
                             "check `docker info` in a terminal")


def one_line(err: LabError) -> str:
    """What a learner sees: ``error: MESSAGE; next step: HINT`` (details, such as a build
    log's tail, follow on their own lines)."""
    text = f"error: {err.message}" + (f"; next step: {err.hint}" if err.hint else "")
    return text + ("\n" + err.details if err.details else "")


def _connection_text(text: str) -> bool:
    return any(s in text for s in ("Connection aborted", "Connection refused",
                                   "Connection reset", "Failed to establish",
                                   "RemoteDisconnected"))


def _text(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc) or type(exc).__name__
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return " ".join(str(text).split())[:300]


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame in the lab's own code (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(PACKAGE)]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "an unknown place"
    name = Path(frame.filename)
    shown = name.resolve().relative_to(PACKAGE.parent) if ours else name.name
    return f"{shown}:{frame.lineno}"
