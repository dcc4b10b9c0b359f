"""Running the lab's images: safe defaults, a free port on 127.0.0.1, health, clean stops.

Every container gets the lab's label and is removed when the ``running`` block ends, even if
the code inside fails or the learner interrupts the cell.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from . import labels as L
from .errors import LabError, NeverHealthy, PortInUse

APP_PORT = 8080

# The flags the lab uses for every app container, and why (the notebooks explain them):
SAFE_DEFAULTS = {
    "cap_drop": ["ALL"],                      # a web app on port 8080 needs no capability
    "security_opt": ["no-new-privileges"],    # setuid binaries cannot raise privileges
    "mem_limit": "512m",                      # a runaway app cannot eat the laptop
    "pids_limit": 256,                        # nor fork-bomb it
    "read_only": True,                        # nothing may change the image's files...
    "tmpfs": {"/tmp": "rw,noexec,nosuid,size=64m"},  # ...except a small scratch /tmp
}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)

    def json(self):
        return json.loads(self.body)


def http(method: str, url: str, timeout: float = 5.0, data: bytes | None = None) -> Response:
    """One HTTP request; 4xx/5xx come back as a Response, not an exception."""
    req = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, r.read(), _headers(r.headers))
    except urllib.error.HTTPError as e:
        return Response(e.code, e.read(), _headers(e.headers or {}))


def _headers(raw) -> dict:
    """Header names in one spelling (Java's server sends "Content-type")."""
    return {k.title(): v for k, v in dict(raw).items()}


def get(url: str, timeout: float = 5.0) -> Response:
    return http("GET", url, timeout)


@dataclass
class Running:
    container: object
    port: int
    started: float            # time.monotonic() when run was called
    healthy_after: float = float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, timeout: float = 5.0) -> Response:
        return get(self.url + path, timeout)

    def logs(self, tail: int = 30) -> str:
        try:
            return self.container.logs(tail=tail).decode(errors="replace")
        except Exception:
            return ""


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def start(client, image: str, *, port: int | None = None, purpose: str = "lesson",
          safe: bool = True, **overrides) -> Running:
    """Start ``image`` detached, published on 127.0.0.1 only.

    ``port=None`` lets the engine pick a free port (no race with other programs). Extra
    keyword arguments override the safe defaults (``read_only=False``...).
    """
    if port is not None and not port_free(port):
        raise PortInUse(f"port {port} on 127.0.0.1 is already in use",
                        "stop what uses it (`ss -ltnp | grep :%d`) or pass port=None to let "
                        "the engine pick a free one" % port)
    options = dict(SAFE_DEFAULTS) if safe else {}
    options.update(overrides)
    options.setdefault("environment", {"PORT": str(APP_PORT)})
    labels = L.container_labels(purpose)
    started = time.monotonic()
    container = client.containers.run(
        image, detach=True, labels=labels,
        ports={f"{APP_PORT}/tcp": ("127.0.0.1", port)}, **options)
    container.reload()
    if container.status in ("exited", "dead"):  # gone before its port was even published
        app = Running(container, 0, started)
        code = container.attrs["State"].get("ExitCode")
        details = _indent(app.logs())
        remove(container)
        raise NeverHealthy(f"{image} exited with code {code} as soon as it started",
                           "read its logs below", details=details)
    try:
        bound = container.attrs["NetworkSettings"]["Ports"][f"{APP_PORT}/tcp"][0]["HostPort"]
    except (KeyError, IndexError, TypeError):
        remove(container)
        raise LabError(f"{image} started but its port could not be read",
                       "check `docker ps` for the container and its ports") from None
    return Running(container, int(bound), started)


def wait_healthy(app: Running, timeout: float = 60.0, path: str = "/healthz") -> float:
    """Poll the app until it answers 200; return seconds from start to that answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if app.get(path, timeout=2).status == 200:
                app.healthy_after = time.monotonic() - app.started
                return app.healthy_after
        except (OSError, ValueError):
            pass
        app.container.reload()
        if app.container.status in ("exited", "dead"):
            code = app.container.attrs["State"].get("ExitCode")
            raise NeverHealthy(
                f"{_image_name(app)} exited with code {code} before it answered {path}",
                "read its logs below; a missing file or wrong interpreter path is the usual "
                "cause in distroless images", details=_indent(app.logs()))
        time.sleep(0.1)
    raise NeverHealthy(f"{_image_name(app)} did not answer {path} within {timeout:.0f} s",
                       "read its logs below", details=_indent(app.logs()))


def stop(app_or_container, timeout: int = 10) -> dict:
    """Stop with SIGTERM (SIGKILL after ``timeout`` s); report how long it took and how it
    ended. An exit code of 137 means the engine had to kill it."""
    c = getattr(app_or_container, "container", app_or_container)
    t0 = time.monotonic()
    c.stop(timeout=timeout)
    seconds = time.monotonic() - t0
    c.reload()
    state = c.attrs["State"]
    return {"stop_seconds": seconds, "exit_code": state.get("ExitCode"),
            "oom_killed": state.get("OOMKilled", False),
            "killed": state.get("ExitCode") == 137}


def remove(app_or_container) -> None:
    c = getattr(app_or_container, "container", app_or_container)
    with contextlib.suppress(Exception):
        c.remove(force=True)


@contextlib.contextmanager
def running(client, image: str, *, healthy: bool = True, timeout: float = 60.0, **kwargs):
    """``with running(client, tag) as app: app.get("/")`` — started, healthy, always removed."""
    app = start(client, image, **kwargs)
    try:
        if healthy:
            wait_healthy(app, timeout)
        yield app
    finally:
        remove(app)


def _image_name(app: Running) -> str:
    try:
        return app.container.attrs["Config"]["Image"]
    except Exception:
        return "the container"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-30:])
