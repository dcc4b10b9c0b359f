"""Running the lab's images: safe defaults, a free port on 127.0.0.1, health, clean stops.

Every container gets the lab's label and is removed when the ``running`` block ends, even if
the code inside fails or the learner interrupts the cell.
"""


from __future__ import annotations

import contextlib
import json
import re
import shlex
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from docker.errors import DockerException, NotFound

from . import engine
from .errors import LabError, NeverHealthy, PortInUse, explain, hint_for
from .labels import container_labels

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


def run_flags(options: dict | None = None) -> list[str]:
    """``docker run`` flags for docker-py keyword options (default: SAFE_DEFAULTS), generated
    from the same dictionary the toolkit passes to the engine, so the two never drift."""
    options = SAFE_DEFAULTS if options is None else options
    flags: list[str] = []
    for key, value in options.items():
        if key == "cap_drop":
            flags += [f"--cap-drop={v}" for v in value]
        elif key == "cap_add":
            flags += [f"--cap-add={v}" for v in value]
        elif key == "security_opt":
            flags += [f"--security-opt={v}" for v in value]
        elif key == "mem_limit":
            flags.append(f"--memory={value}")
        elif key == "pids_limit":
            flags.append(f"--pids-limit={value}")
        elif key == "read_only":
            flags += ["--read-only"] if value else []
        elif key == "tmpfs":
            flags += [f"--tmpfs={path}:{opts}" if opts else f"--tmpfs={path}"
                      for path, opts in value.items()]
        elif key == "user":
            flags.append(f"--user={value}")
        elif key == "environment":
            flags += [f"--env={k}={v}" for k, v in value.items()]
        elif key == "entrypoint":
            # The CLI takes only the program; run_command puts the rest after the image.
            flags.append(f"--entrypoint={value if isinstance(value, str) else value[0]}")
        else:
            raise LabError(f"no docker run flag known for option {key!r}",
                           "add it to lessons.run.run_flags")
    return flags


def run_command(image: str, *, name: str | None = None, purpose: str = "lesson",
                safe: bool = True, port: int | None = None, detach: bool = True,
                platform: str | None = None, **overrides) -> list[str]:
    """The ``docker run`` command that :func:`start` stands for, as an argument list."""
    options = dict(SAFE_DEFAULTS) if safe else {}
    options.update({k: v for k, v in overrides.items() if k not in ("command",)})
    argv = ["docker", "run"] + (["-d"] if detach else ["--rm"])
    if platform:
        argv += ["--platform", platform]
    if name:
        argv += ["--name", name]
    argv += [f"--label={k}={v}" for k, v in container_labels(purpose).items()]
    argv += run_flags(options)
    argv += ["-p", f"127.0.0.1:{port or ''}:{APP_PORT}", image]
    entrypoint = overrides.get("entrypoint")
    if entrypoint and not isinstance(entrypoint, str):
        argv += list(entrypoint[1:])        # `--entrypoint` holds only the program
    command = overrides.get("command")
    if command:
        argv += list(command) if not isinstance(command, str) else shlex.split(command)
    return argv


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
        except DockerException:
            return ""


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def start(client, image: str, *, port: int | None = None, purpose: str = "lesson",
          safe: bool = True, platform: str | None = None, **overrides) -> Running:
    """Start ``image`` detached, published on 127.0.0.1 only.

    ``port=None`` lets the engine pick a free port (no race with other programs). Extra
    keyword arguments override the safe defaults (``read_only=False``...). ``platform``
    (``linux/arm64``) runs an image built for another platform than the engine's own, under
    emulation (lessons.platforms).
    """
    if port is not None and not port_free(port):
        raise PortInUse(f"port {port} on 127.0.0.1 is already in use",
                        "stop what uses it (`ss -ltnp | grep :%d`) or pass port=None to let "
                        "the engine pick a free one" % port)
    options = dict(SAFE_DEFAULTS) if safe else {}
    options.update(overrides)
    options.setdefault("environment", {"PORT": str(APP_PORT)})
    if platform:
        options["platform"] = platform
    labels = container_labels(purpose)
    started = time.monotonic()
    from docker.errors import APIError, ImageNotFound

    try:
        container = client.containers.create(
            image, detach=True, labels=labels,
            ports={f"{APP_PORT}/tcp": ("127.0.0.1", port)}, **options)
    except (ImageNotFound, APIError) as err:
        raise explain(err, f"creating a container of {image}") from None
    try:
        container.start()
    except APIError as err:
        # The engine could not even start the process (older engines report a missing
        # entrypoint, interpreter or loader here instead of in the container's output).
        remove(container)
        raw = " ".join(str(getattr(err, "explanation", None) or err).split())
        text = explain(err).message
        core = re.search(r'(exec[: ].*?no such file or directory|exec[: ].*?permission denied|'
                         r'exec format error)', raw)
        raise NeverHealthy(f"{image} could not start" + (f": {core.group(1)}" if core else ""),
                           _exit_hint({"Error": raw}, ""),
                           details=_indent("engine: " + text)) from None
    container.reload()
    if container.status in ("exited", "dead"):  # gone before its port was even published
        app = Running(container, 0, started)
        state = container.attrs["State"]
        logs = app.logs()
        remove(container)
        raise NeverHealthy(f"{image} exited with code {state.get('ExitCode')} as soon as it "
                           "started", _exit_hint(state, logs), details=_indent(_why(state, logs)))
    try:
        bound = container.attrs["NetworkSettings"]["Ports"][f"{APP_PORT}/tcp"][0]["HostPort"]
    except (KeyError, IndexError, TypeError):
        remove(container)
        raise LabError(f"{image} started but its port could not be read",
                       "check `docker ps` for the container and its ports") from None
    return Running(container, int(bound), started)


def wait_healthy(app: Running, timeout: float = 60.0, path: str = "/healthz") -> float:
    """Poll the app until it answers 200; return seconds from start to that answer."""

    def answered() -> bool:
        try:
            if app.get(path, timeout=2).status == 200:
                return True
        except (OSError, ValueError):
            pass
        try:
            engine.retried(app.container.reload)
        except NotFound:
            raise vanished(_image_name(app), f"before it answered {path}") from None
        if app.container.status in ("exited", "dead"):
            state = app.container.attrs["State"]
            raise NeverHealthy(
                f"{_image_name(app)} exited with code {state.get('ExitCode')} before it "
                f"answered {path}", _exit_hint(state, app.logs()),
                details=_indent(_why(state, app.logs())))
        return False

    try:
        engine.wait_until(answered, timeout, 0.1, f"an answer on {path}")
    except TimeoutError:
        raise NeverHealthy(f"{_image_name(app)} did not answer {path} within {timeout:.0f} s",
                           "read its logs below", details=_indent(app.logs())) from None
    app.healthy_after = time.monotonic() - app.started
    return app.healthy_after


def health_verdict(container, timeout: float, poll: float = 0.5) -> tuple[str, str]:
    """Wait for the engine's own HEALTHCHECK verdict on a started container: ("healthy" or
    "unhealthy", the last check's output), ("none", "") for an image without a HEALTHCHECK,
    ("exited", "exited with code N") when it stopped, ("starting", "no verdict within N s")
    when the time ran out. The one poller of the engine's health verdict."""
    def verdict():
        engine.retried(container.reload)
        state = container.attrs["State"]
        health = state.get("Health") or {}
        if state.get("Status") in ("exited", "dead"):
            return ("exited", f"exited with code {state.get('ExitCode')}")
        if not health:
            return ("none", "")
        if health.get("Status") in ("healthy", "unhealthy"):
            log = health.get("Log") or [{}]
            return (health["Status"], (log[-1].get("Output") or "").strip())
        return None
    try:
        return engine.wait_until(verdict, timeout, poll, "a health verdict")
    except TimeoutError:
        return ("starting", f"no verdict within {timeout:.0f} s")


def vanished(image: str, when: str) -> LabError:
    """The one line for a container removed from outside while the lab was using it."""
    return LabError(f"the container of {image} vanished {when} (something removed it: "
                    "another notebook's or test's cleanup on this engine, or a `docker rm`)",
                    "re-run the cell; run one session at a time on this engine if it happens "
                    "again")


def _why(state: dict, logs: str) -> str:
    """The container's own output, or the engine's error when the process never ran (a
    missing interpreter or loader: "exec /app/server: no such file or directory")."""
    parts = [logs.strip()] if logs.strip() else []
    if state.get("Error"):
        parts.append(f"engine: {state['Error']}")
    return "\n".join(parts) or "(no output at all)"


def _exit_hint(state: dict, logs: str) -> str:
    return hint_for(logs + " " + (state.get("Error") or ""), "read its output below")


def stop(app_or_container, timeout: int = 10) -> dict:
    """Stop with SIGTERM (SIGKILL after ``timeout`` s); report how long it took and how it
    ended. An exit code of 137 means the engine had to kill it."""
    c = getattr(app_or_container, "container", app_or_container)
    t0 = time.monotonic()
    c.stop(timeout=timeout)
    seconds = time.monotonic() - t0
    engine.retried(c.reload)
    state = c.attrs["State"]
    return {"stop_seconds": seconds, "exit_code": state.get("ExitCode"),
            "oom_killed": state.get("OOMKilled", False),
            "killed": state.get("ExitCode") == 137}


def remove(app_or_container) -> None:
    c = getattr(app_or_container, "container", app_or_container)
    with contextlib.suppress(DockerException):
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
    except (KeyError, TypeError):
        return "the container"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines()[-30:])
