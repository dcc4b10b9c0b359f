"""Check a learner's image by what it does, read from the engine's own state.

One run of the image, the way production would run it: read-only root, a tmpfs where the app
writes, no capabilities, published on loopback only. It checks:

* the image runs as a non-root user (``Config.User``), and so does its process (``docker top``);
* the image declares a HEALTHCHECK and the ENGINE reports the container healthy
  (``State.Health``; the lab's own probe does not count);
* the app-specific cases of lessons.transfer answer as they should (a learner sees a case only
  when it fails);
* with ``shell_free``, the image holds no shell at the usual paths (read from the container's
  file system, so it is checked even when the app fails);
* ``docker stop`` (SIGTERM) ends it with exit code 0 within the stop limit of the apps' process
  contract (sample_apps/README.md: gone within 2 s of SIGTERM, exit 0).

Each failed item gives one line saying what is wrong, never the instruction that fixes it.
The health and stop items are public (``check_declares_health``, ``check_engine_health``,
``check_running``, ``check_stop``, and ``start``), so an exercise check that already runs the
learner's image (lessons.exercises) reads the same verdicts on its own container instead of
starting another.
Everything the check creates carries the caller's session id in its name and in the
``sizedrop.session`` label, and the check removes exactly that, and nothing else.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from docker.errors import APIError, DockerException, ImageNotFound

from . import engine, run
from .errors import LabError
from .labels import container_labels
from .transfer import Service, get as get_service

STOP_LIMIT_S = 2.0        # the process contract's limit for stopping on SIGTERM
KILL_AFTER_S = 10         # what docker stop waits before it sends SIGKILL
HEALTH_TIMEOUT_S = 90.0   # longest wait for the engine's verdict (30 s default interval x 3)
SESSION_LABEL = "sizedrop.session"
PURPOSE = "behaviour"
SHELL_PATHS = ("/bin/sh", "/bin/bash", "/bin/dash", "/bin/ash", "/bin/busybox",
               "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/dash", "/usr/bin/busybox")
_SESSION = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,40}")


@dataclass
class Item:
    name: str
    passed: bool
    detail: str          # what was seen (for a failure: what is wrong, in one line)


@dataclass
class Behaviour:
    image: str
    service: str
    items: list[Item] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.items) and all(i.passed for i in self.items)

    @property
    def problems(self) -> list[str]:
        return [f"{i.name}: {i.detail}" for i in self.items if not i.passed]

    def add(self, name: str, passed: bool, detail: str) -> bool:
        self.items.append(Item(name, passed, detail))
        return passed

    def __str__(self) -> str:
        head = f"{'PASS' if self.passed else 'FAIL'}: {self.image} ({self.service})"
        lines = [f"  [{'x' if i.passed else ' '}] {i.name}: {i.detail}" for i in self.items]
        return "\n".join([head] + lines)


def check(client, image: str, service: Service | str, session: str, *,
          shell_free: bool = True, health_timeout: float = HEALTH_TIMEOUT_S) -> Behaviour:
    """Run ``image`` once as described above and return what it did (see :class:`Behaviour`).
    ``session`` names the lab session the check works for (letters, digits, ``_.-``)."""
    if not _SESSION.fullmatch(session or ""):
        raise LabError(f"session id {session!r} cannot name a container",
                       "pass letters, digits, '_', '.' or '-' (at most 41)")
    svc = get_service(service) if isinstance(service, str) else service
    try:
        attrs = client.images.get(image).attrs
    except ImageNotFound:
        raise LabError(f"no image called {image} on this engine",
                       "build it first, then check it again") from None
    result = Behaviour(image, svc.name)
    config = attrs.get("Config") or {}
    _check_user(result, config.get("User") or "")
    declared = check_declares_health(result, config.get("Healthcheck") or {})
    container, refused = start(client, image, svc, session)
    try:
        if shell_free:
            _check_no_shell(result, container)
        if refused:
            result.add("starts on a read-only root", False, f"the engine could not start it: "
                       f"{refused}")
            return result
        if not check_running(result, container, "starts on a read-only root", settle=0.5):
            return result
        _check_process_user(result, client, container)
        if declared:
            check_engine_health(result, container, health_timeout)
        if not check_running(result, container, "keeps running"):
            return result
        _check_cases(result, container, svc)
        check_stop(result, container, client)
    finally:
        _remove(container)
    return result


def container_name(session: str, service: str) -> str:
    return f"sizedrop-{session}-{PURPOSE}-{service}-{secrets.token_hex(3)}"


def labels(session: str) -> dict[str, str]:
    out = container_labels(PURPOSE)
    out[SESSION_LABEL] = session
    return out


def run_options(svc: Service) -> dict:
    """The lab's safe defaults, with the tmpfs the service writes to."""
    options = dict(run.SAFE_DEFAULTS)
    options["tmpfs"] = {**run.SAFE_DEFAULTS["tmpfs"],
                        svc.writable: "rw,noexec,nosuid,nodev,size=16m"}
    return options


def _check_user(result: Behaviour, user: str) -> None:
    root = user.split(":")[0].strip() in ("", "0", "root")
    result.add("image user", not root,
               "the image runs as root (no user set)" if not user else
               f"the image runs as root ({user})" if root else f"runs as {user}")


def check_declares_health(result: Behaviour, health: dict) -> bool:
    test = health.get("Test") or []
    ok = bool(test) and test[0] != "NONE"
    if not ok:
        result.add("engine health verdict", False,
                   "the image declares no health check, so the engine can never call it "
                   "healthy")
    return ok


def start(client, image: str, svc: Service, session: str):
    """Create and start the container; returns it and, when the engine could not start the
    process at all (a missing program or loader), the engine's message."""
    try:
        container = client.containers.create(
            image, detach=True, name=container_name(session, svc.name), labels=labels(session),
            ports={f"{run.APP_PORT}/tcp": ("127.0.0.1", None)},
            environment={"PORT": str(run.APP_PORT)}, **run_options(svc))
    except APIError as err:
        raise engine.translate(err, f"creating a container of {image}") from None
    try:
        container.start()
    except APIError as err:
        return container, " ".join(str(getattr(err, "explanation", None) or err).split())[:200]
    return container, ""


def _state(container) -> dict:
    return (container.attrs or {}).get("State") or {}


def check_running(result: Behaviour, container, item: str, settle: float = 0.0) -> bool:
    """Whether the process still runs (after ``settle`` s, time to fail at start-up); if not,
    a failed ``item`` with its exit code and last words."""
    time.sleep(settle)
    container.reload()
    state = _state(container)
    if state.get("Status") == "running":
        return True
    last = _last_line(container)
    result.add(item, False,
               f"it exited with code {state.get('ExitCode')}"
               + (" right after starting" if settle else "")
               + (f"; its last words: {last}" if last else "")
               + (f"; engine: {state['Error']}" if state.get("Error") else ""))
    return False


def _check_process_user(result: Behaviour, client, container) -> None:
    try:
        top = client.api.top(container.id, ps_args="-o pid,uid")
        column = [t.strip() for t in top["Titles"]].index("UID")
        uids = {str(p[column]).strip() for p in top.get("Processes") or []}
    except (DockerException, KeyError, ValueError) as err:
        result.add("process user", False, f"the engine could not list its processes: {err}")
        return
    root = "0" in uids or "root" in uids
    result.add("process user", bool(uids) and not root,
               "a process in the container runs as root (uid 0)" if root
               else f"uid {', '.join(sorted(uids))}")


def check_engine_health(result: Behaviour, container, timeout: float) -> None:
    t0 = time.monotonic()
    status, output = run.health_verdict(container, timeout)
    output = " ".join(output.split())[:200]
    if status == "healthy":
        result.add("engine health verdict", True,
                   f"healthy after {time.monotonic() - t0:.1f} s")
    elif status == "unhealthy":
        result.add("engine health verdict", False,
                   "the engine says unhealthy: its health check command fails"
                   + (f" ({output})" if output else " and prints nothing"))
    elif status == "exited":
        result.add("engine health verdict", False, "it exited before the engine gave a verdict")
    else:
        result.add("engine health verdict", False,
                   f"no verdict from the engine within {timeout:.0f} s")


def _check_cases(result: Behaviour, container, svc: Service) -> None:
    container.reload()
    try:
        port = container.attrs["NetworkSettings"]["Ports"][f"{run.APP_PORT}/tcp"][0]["HostPort"]
    except (KeyError, IndexError, TypeError):
        result.add("app cases", False, "its port 8080 is not published (did it stop?)")
        return
    failed = []
    for case in svc.cases:
        try:
            answer = run.get(f"http://127.0.0.1:{port}{case.path}", timeout=5)
            wrong = case.problem(answer.status, answer.body)
        except (OSError, ValueError) as err:
            wrong = f"no answer ({err})"
        if wrong:
            failed.append(f"{case.about} (GET {case.path}) {wrong}")
    if not failed:
        result.add("app cases", True, f"{len(svc.cases)} of {len(svc.cases)} answered right")
        return
    result.add("app cases", False,
               f"{len(failed)} of {len(svc.cases)} answered wrong: " + "; ".join(failed))


def _check_no_shell(result: Behaviour, container) -> None:
    found = []
    for path in SHELL_PATHS:
        try:
            chunks, _stat = container.get_archive(path)
        except DockerException:     # NotFound: not there
            continue
        for _ in chunks:      # drain, so the connection is released
            pass
        found.append(path)
    result.add("no shell", not found,
               f"the image holds a shell: {', '.join(found)}" if found else "none found")


def check_stop(result: Behaviour, container, client) -> None:
    t0 = time.monotonic()
    try:
        container.stop(timeout=KILL_AFTER_S)
    except DockerException as err:
        result.add("stops on SIGTERM", False, f"docker stop failed: {err}")
        return
    seconds = time.monotonic() - t0
    container.reload()
    code = _state(container).get("ExitCode")
    # The engine's own clock, SIGTERM sent to process gone, leaves out the API round trips
    # and container teardown that a loaded machine stretches; the wall time is the fallback.
    seconds = _engine_stop_seconds(client, container) or seconds
    if code == 137 or seconds > KILL_AFTER_S:
        detail = (f"it ignored SIGTERM: after {seconds:.1f} s the engine had to kill it "
                  f"(exit {code})")
    elif seconds > STOP_LIMIT_S:
        detail = f"it took {seconds:.1f} s to stop on SIGTERM (the limit is {STOP_LIMIT_S:g} s)"
    elif code != 0:
        detail = f"it stopped on SIGTERM with exit code {code}, not 0"
    else:
        detail = f"exit 0 after {seconds:.2f} s"
    result.add("stops on SIGTERM", code == 0 and seconds <= STOP_LIMIT_S, detail)


def _epoch(text: str | None) -> float | None:
    """Seconds since 1970 of an engine timestamp (RFC 3339, UTC, nanoseconds)."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", text or "")
    if not m or m.group(1).startswith("0001"):
        return None
    whole = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return whole.timestamp() + float("0" + (m.group(2) or ""))


def _engine_stop_seconds(client, container) -> float | None:
    """Seconds from the engine's SIGTERM ('kill' event, signal 15) to the process's exit
    ('die' event), from the engine's event log; None when that cannot be read."""
    start = _epoch((container.attrs or {}).get("Created"))
    end = _epoch(_state(container).get("FinishedAt"))
    if start is None or end is None:
        return None
    term = died = None
    try:
        for event in client.api.events(since=int(start), until=int(end) + 1, decode=True,
                                       filters={"type": "container", "container": container.id}):
            action = event.get("Action") or event.get("status")
            signal = ((event.get("Actor") or {}).get("Attributes") or {}).get("signal")
            if action == "kill" and signal == "15" and term is None:
                term = event.get("timeNano")
            elif action == "die":
                died = event.get("timeNano")
    except DockerException:
        return None
    if term is None or died is None or died < term:
        return None
    return (died - term) / 1e9


def _last_line(container) -> str:
    try:
        text = container.logs(tail=5).decode(errors="replace").strip()
    except DockerException:
        return ""
    return text.splitlines()[-1][:200] if text else ""


def _remove(container) -> None:
    try:
        container.remove(force=True)
    except DockerException:
        pass
