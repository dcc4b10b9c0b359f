"""Connecting to the Docker engine, and describing it for provenance.

Everything goes through :func:`connect`, which negotiates the API version (engines 20.10 to 29)
and turns the usual failures into one-line messages with the next step.
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import time
from typing import Callable, TypeVar

import docker
import requests.exceptions

from . import platforms
from .errors import EXPECTED, EngineUnavailable, unreachable

T = TypeVar("T")

# How long an API call may take before we call the engine unresponsive. Builds and saves
# stream, so this only bounds the wait between chunks.
DEFAULT_TIMEOUT = 600


def connect(timeout: int = DEFAULT_TIMEOUT):
    """Return a ``docker.DockerClient`` talking to a live engine, or raise EngineUnavailable.
    Only the ways an engine can be missing are caught: a bug here is not "no engine"."""
    try:
        client = docker.from_env(version="auto", timeout=timeout)
        client.ping()
        return client
    except EXPECTED as exc:
        raise unreachable(exc) from None


# What a dying or restarting engine (or a dropped socket) does to an answer in transit.
TRANSIENT = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
             json.JSONDecodeError)


def retried(call: Callable[..., T], *args, attempts: int = 3, pause: float = 0.5,
            **kwargs) -> T:
    """``call(*args, **kwargs)``, tried again after a short pause when its answer was lost in
    transit (TRANSIENT). Only for reads (inspect, stats, info): asking twice changes nothing,
    and a blip (Docker Desktop's VM busy, the socket reset while another session removes a
    container) should not end a measurement. Builds, creates and starts are never retried:
    a second try could do the work twice."""
    attempt = 1
    while True:
        try:
            return call(*args, **kwargs)
        except TRANSIENT:
            if attempt >= attempts:
                raise
            time.sleep(pause * attempt)
            attempt += 1


def reachable() -> bool:
    """True when an engine answers; never raises."""
    try:
        connect(timeout=10).close()
        return True
    except EngineUnavailable:
        return False


def describe(client) -> dict:
    """Provenance of the engine: what every measurement row records beside its figures."""
    info = retried(client.info)
    version = retried(client.version)
    return {
        "engine_version": version.get("Version", "unknown"),
        "api_version": client.api.api_version,
        "storage_driver": _storage(info),
        "architecture": platforms.docker_arch(info.get("Architecture") or platform.machine()),
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


def today() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d")


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
