"""Connecting to the Docker engine, and describing it for provenance.

Everything goes through :func:`connect`, which negotiates the API version (engines 20.10 to 29)
and turns the usual failures into one-line messages with the next step.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import time
from typing import Callable, TypeVar

from .errors import EngineUnavailable, ImageMissing, LabError, hint_for

T = TypeVar("T")

# How long an API call may take before we call the engine unresponsive. Builds and saves
# stream, so this only bounds the wait between chunks.
DEFAULT_TIMEOUT = 600


def connect(timeout: int = DEFAULT_TIMEOUT):
    """Return a ``docker.DockerClient`` talking to a live engine, or raise EngineUnavailable."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as exc:  # pragma: no cover - requirements.txt installs it
        raise EngineUnavailable("the Docker SDK for Python is not installed",
                                "pip install -r requirements.txt") from exc
    try:
        client = docker.from_env(version="auto", timeout=timeout)
        client.ping()
        return client
    except DockerException as exc:
        raise _explain(exc) from None
    except Exception as exc:  # requests' errors surface here on some SDK versions
        raise _explain(exc) from None


def _explain(exc: Exception) -> EngineUnavailable:
    text = str(exc)
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if "Permission denied" in text or "PermissionError" in text:
        return EngineUnavailable(
            f"permission denied on the Docker socket ({host})",
            "add yourself to the 'docker' group (sudo usermod -aG docker $USER, then log in "
            "again) or use rootless Docker; never chmod the socket to 666")
    if any(s in text for s in ("No such file", "FileNotFoundError", "Connection refused",
                               "Connection aborted", "Failed to establish")):
        return EngineUnavailable(
            f"no Docker engine answers at {host}",
            "start Docker Desktop or the docker service; on a Debian/Ubuntu machine as root "
            "run `sudo bash .ci/start-engine.sh`; without any engine the notebooks replay "
            "a recorded run")
    return EngineUnavailable(f"the Docker engine at {host} did not answer: {text.splitlines()[0][:200]}",
                             "check `docker info` in a terminal")


def reachable() -> bool:
    """True when an engine answers; never raises."""
    try:
        connect(timeout=10).close()
        return True
    except EngineUnavailable:
        return False


def describe(client) -> dict:
    """Provenance of the engine: what every measurement row records beside its figures."""
    info = client.info()
    version = client.version()
    return {
        "engine_version": version.get("Version", "unknown"),
        "api_version": client.api.api_version,
        "storage_driver": _storage(info),
        "architecture": _arch(info.get("Architecture") or platform.machine()),
        "os": info.get("OperatingSystem", "unknown"),
        "cgroup_version": str(info.get("CgroupVersion", "")),
        "host_cpus": info.get("NCPU"),
        "host_memory_gb": round((info.get("MemTotal") or 0) / 2**30, 1),
    }


def _storage(info: dict) -> str:
    # Docker 24+ with the containerd image store reports the snapshotter in DriverStatus.
    for key, value in info.get("DriverStatus") or []:
        if key == "driver-type" and "containerd" in str(value):
            return f"containerd ({info.get('Driver', '?')})"
    return info.get("Driver", "unknown")


def _arch(name: str) -> str:
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(name, name)


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")


def translate(exc: Exception, doing: str = "") -> LabError:
    """A docker SDK error as one line and a next step (never a traceback for a learner)."""
    from docker.errors import APIError, ImageNotFound, NotFound

    what = f" while {doing}" if doing else ""
    if isinstance(exc, LabError):
        return exc
    if isinstance(exc, ImageNotFound):
        return ImageMissing(f"the engine has no such image{what}: {_explanation(exc)}",
                            "build it first (the cell that builds it, or "
                            "`python -m lessons compare`)")
    if isinstance(exc, NotFound):
        return LabError(f"not found{what}: {_explanation(exc)}",
                        "it may have been removed; re-run the cell that creates it")
    if isinstance(exc, APIError):
        text = _explanation(exc)
        hint = hint_for(text, "check `docker info` in a terminal; the engine's log says more")
        return LabError(f"the Docker engine refused{what} "
                        f"({exc.status_code or 'error'}): {text}", hint)
    if isinstance(exc, (ConnectionError, OSError)) or "Connection" in type(exc).__name__:
        return _explain(exc)
    return LabError(f"unexpected {type(exc).__name__}{what}: {str(exc).splitlines()[0][:200]}",
                    "re-run the cell; if it persists, `docker info` in a terminal tells more")


def _explanation(exc) -> str:
    text = getattr(exc, "explanation", None) or str(exc)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return " ".join(str(text).split())[:300]


def wait_until(check: Callable[[], T | None], timeout: float, interval: float = 0.2,
               what: str = "the condition") -> T:
    """Call ``check`` until it returns something truthy, and return that; raise TimeoutError
    naming ``what`` after ``timeout`` seconds. The one polling loop of the toolkit."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} did not happen within {timeout:g} s")
        time.sleep(interval)
