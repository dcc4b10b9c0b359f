"""Goals a learner reaches with a docker command of their own (issue 20, part 2).

A notebook states a goal in words ("run the Python distroless image read-only, with no
capabilities..."); the learner writes the command in an empty cell; :func:`check` then reads
what the ENGINE holds (the container's Config, HostConfig and State, or the image's config and
history) and says, requirement by requirement, what is met and what is missing, in words:
never the flag or the command. The reference commands live in
``instructor/solutions/<goal id>/``, not in the notebooks.

Every check run is appended to the learner's progress log (lessons.progress, the exercises'
log; the attempt is a hash of the state checked), so ``lab.solution(goal)`` can tell two
different failed attempts from one attempt checked twice, and ``lab.hint(goal)`` repeats
what was missing.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import docker.errors

from . import labels, progress, run, session
from .errors import EXPECTED, LabError, explain

MIB = 1024 * 1024
SECOND = 1_000_000_000               # the engine keeps durations in nanoseconds
NEVER = "0001-01-01T00:00:00Z"      # the engine's StartedAt for a container never started
HEALTH_WAIT_S = 45.0                 # how long a check waits for "starting" to end
JLINK_STEP = "jlink --add-modules"   # the step of the Java jlink Dockerfile that links a runtime
LIBS_STEP = "libnss_compat"        # the step of its next stage, which gathers C libraries


@dataclass(frozen=True)
class Requirement:
    met: str                                  # what is true when it is met
    missing: str | Callable[[dict], str]      # what is wrong, in words (never the flag)
    test: Callable[[dict], bool]              # on the gathered state (see gather)


@dataclass(frozen=True)
class Goal:
    id: str
    kind: str            # "container" or "image"
    name: str            # what the learner names it, before "-<session id>"
    image: str = ""      # the lab image a container goal runs
    port: int = 8080     # the port the app listens on in the container
    needs: tuple[str, ...] = ()   # what else a container check reads: answers, health, program
    writes: str = ""     # file under $SIZEDROP_TMP that the learner's command writes
    requirements: tuple[Requirement, ...] = field(default=())

    def full_name(self, session_id: str) -> str:
        return session.named(self.name, session_id)


@dataclass
class Verdict:
    goal: str
    passed: bool
    lines: list[str]
    config_hash: str = ""


# ----------------------------------------------------------------------------- reading state

def _cfg(s: dict) -> dict:
    return s["attrs"].get("Config") or {}


def _host(s: dict) -> dict:
    return s["attrs"].get("HostConfig") or {}


def _state(s: dict) -> dict:
    return s["attrs"].get("State") or {}


def _bindings(s: dict, port: int) -> list[dict]:
    return (_host(s).get("PortBindings") or {}).get(f"{port}/tcp") or []


def _published(port: int) -> Callable[[dict], bool]:
    return lambda s: bool(_bindings(s, port)) or bool(_host(s).get("PublishAllPorts"))


def _loopback_only(port: int) -> Callable[[dict], bool]:
    def test(s):
        ips = [b.get("HostIp") or "" for b in _bindings(s, port)]
        return bool(ips) and not _host(s).get("PublishAllPorts") and \
            all(ip in ("127.0.0.1", "::1") for ip in ips)
    return test


def _memory_is(mb: int) -> Callable[[dict], bool]:
    return lambda s: _host(s).get("Memory") in (mb * MIB, mb * 1000 * 1000)


def _memory_said(mb: int) -> Callable[[dict], str]:
    def said(s):
        have = _host(s).get("Memory") or 0
        return (f"its memory limit is {have / MIB:g} MB, not {mb} MB" if have
                else "it has no memory limit: it may take all of the machine's memory")
    return said


def _restart_is(name: str, tries: int) -> Callable[[dict], bool]:
    def test(s):
        policy = _host(s).get("RestartPolicy") or {}
        return policy.get("Name") == name and policy.get("MaximumRetryCount") == tries
    return test


def _restart_said(s: dict) -> str:
    policy = _host(s).get("RestartPolicy") or {}
    name, tries = policy.get("Name") or "no", policy.get("MaximumRetryCount") or 0
    if name == "no":
        return "if the app exits with an error, the engine leaves it stopped"
    if name != "on-failure":
        return ("the engine starts it again whenever it ends, with an error or not, and "
                "with no limit: not only after an error, at most 3 times")
    return (f"the engine starts it again after an error {tries} times, not at most 3" if tries
            else "the engine starts it again after an error with no limit, not at most 3 times")


def _half_a_cpu(s: dict) -> bool:
    host = _host(s)
    if host.get("NanoCpus"):
        return host["NanoCpus"] == SECOND // 2
    quota, period = host.get("CpuQuota") or 0, host.get("CpuPeriod") or 100_000
    return quota > 0 and quota * 2 == period


def _cpu_said(s: dict) -> str:
    host = _host(s)
    share = (host.get("NanoCpus") or 0) / SECOND or \
        (host.get("CpuQuota") or 0) / (host.get("CpuPeriod") or 100_000)
    return (f"it may use up to {share:g} CPUs, not half of one" if share > 0
            else "it may use every CPU of the machine")


def _health_interval(s: dict) -> int:
    """How often the engine runs the container's health check, in ns (0: no setting)."""
    return (_cfg(s).get("Healthcheck") or {}).get("Interval") or 0


def _nofile(s: dict) -> dict | None:
    return next((u for u in _host(s).get("Ulimits") or [] if u.get("Name") == "nofile"), None)


def _nofile_said(s: dict) -> str:
    limit = _nofile(s)
    if limit is None:
        return "its open-file limit is the engine's default, not 64"
    return (f"its open-file limit is {limit.get('Soft')}, and a process may raise it to "
            f"{limit.get('Hard')}: not at most 64")


def _if_written(s: dict, wrong: str) -> str:
    """What is wrong with the file the goal asked for, or that there is none to judge."""
    return wrong if s.get("program", {}).get("file") else "no file there to judge"


def _exit_said(s: dict) -> str:
    code = _state(s).get("ExitCode")
    if _state(s).get("OOMKilled"):
        return "it was killed for using more memory than its limit"
    if code == 137:
        return ("it ended with exit code 137 (SIGKILL): it was killed, not asked to stop "
                "and given its grace period")
    return f"it ended with exit code {code}, not 0"


def _not_running_said(s: dict) -> str:
    st = _state(s)
    if st.get("StartedAt", NEVER) == NEVER:
        return "it was created but never started"
    return (f"it is not running (it exited with code {st.get('ExitCode')}): "
            f"`docker logs {s['name']}` shows why")


def _label_req() -> Requirement:
    return Requirement(
        "it carries the lab's container label (the lab's cleanup finds it)",
        "it does not carry the lab's container label the goal names, so the lab's cleanup "
        "would leave it behind",
        lambda s: (_cfg(s).get("Labels") or {}).get(labels.CONTAINER) == "true")


def _image_req(what: str) -> Requirement:
    return Requirement(f"it was made from the {what} image",
                       f"it was not made from the {what} image",
                       lambda s: bool(s.get("image_id")) and s["attrs"].get("Image") == s["image_id"])


def _running_req() -> Requirement:
    return Requirement("it is running", _not_running_said,
                       lambda s: bool(_state(s).get("Running")))


def _readonly_req() -> Requirement:
    return Requirement("its root filesystem is read-only",
                       "the root filesystem is writable: the app, or an intruder, can change "
                       "the image's files in the running container",
                       lambda s: bool(_host(s).get("ReadonlyRootfs")))


def _loopback_reqs(port: int = 8080) -> tuple[Requirement, ...]:
    return (
        Requirement(f"port {port} is published", f"port {port} is not published to this "
                    "machine", _published(port)),
        Requirement("it is published on loopback only",
                    f"port {port} is reachable on every network interface of this machine, "
                    "not only on loopback", _loopback_only(port)),
    )


GOALS = {g.id: g for g in (
    Goal("01-publish", "container", "web", image="go-app:single-stage", port=9090,
         needs=("answers",), requirements=(
             _image_req("Go single-stage"),
             _running_req(),
             Requirement("it runs in the background (detached)",
                         "it was started in the foreground, attached to the cell: a cell "
                         "that starts a server should hand it to the engine and return",
                         lambda s: not _cfg(s).get("AttachStdout")
                         and not _cfg(s).get("AttachStderr")),
             Requirement("the app is told to listen on port 9090",
                         "the app is not told to listen on port 9090: it listens on its "
                         "default, 8080 (the apps read their port from the environment)",
                         lambda s: "PORT=9090" in (_cfg(s).get("Env") or [])),
             *_loopback_reqs(9090),
             Requirement("the engine starts it again if the app exits with an error, at "
                         "most 3 times", _restart_said, _restart_is("on-failure", 3)),
             Requirement("it answers on its published port",
                         "nothing answers on the published port from this machine",
                         lambda s: bool(s.get("answers"))),
             _label_req(),
         )),
    Goal("02-java-runtime", "image", "sizedrop.invalid/work:02-java-runtime", requirements=(
             Requirement("it carries the lab's image label (the lab's cleanup finds it)",
                         "it does not carry the lab's image label the goal names, so the "
                         "lab's cleanup would leave it behind",
                         lambda s: (_cfg(s).get("Labels") or {}).get(labels.MANAGED) == "true"),
             Requirement("it holds the Java runtime that the jlink Dockerfile links",
                         "no step of this image links a Java runtime: it is not the stage of "
                         "the Java jlink Dockerfile that makes one",
                         lambda s: any(JLINK_STEP in h for h in s.get("history", []))),
             Requirement("the build stopped at that stage",
                         "the build went on past the stage that links the runtime: this "
                         "image is a later stage (it gathers the C libraries, or it is the "
                         "app's runtime image)",
                         lambda s: not any(LIBS_STEP in h for h in s.get("history", []))
                         and not _cfg(s).get("Healthcheck")
                         and (_cfg(s).get("User") or "").split(":")[0] != "65532"),
         )),
    Goal("03-locked-down", "container", "locked", image="python-app:distroless",
         needs=("health",), requirements=(
             _image_req("Python distroless"),
             _running_req(),
             Requirement("the engine's own health check says healthy",
                         lambda s: "the engine does not call it healthy (its health: "
                         f"{(_state(s).get('Health') or {}).get('Status', 'none')})",
                         lambda s: (_state(s).get("Health") or {}).get("Status") == "healthy"),
             _readonly_req(),
             Requirement("it holds no capabilities",
                         "it keeps capabilities: its bounding set is Docker's default list, "
                         "or some were added back",
                         lambda s: "ALL" in [c.upper() for c in _host(s).get("CapDrop") or []]
                         and not _host(s).get("CapAdd")),
             Requirement("it runs as uid 65532",
                         lambda s: f"it runs as user {_cfg(s).get('User') or 'root'!r}, "
                         "not uid 65532",
                         lambda s: (_cfg(s).get("User") or "").split(":")[0] == "65532"),
             *_loopback_reqs(),
             Requirement("its memory limit is 128 MB", _memory_said(128), _memory_is(128)),
             Requirement("it may use at most half of one CPU", _cpu_said, _half_a_cpu),
             Requirement("the engine checks its health every 2 seconds",
                         lambda s: f"the engine checks its health every "
                         f"{_health_interval(s) / 1e9:g} s, not every 2 s"
                         + (" (the image's own setting)" if _health_interval(s) else ""),
                         lambda s: _health_interval(s) == 2 * SECOND),
             _label_req(),
         )),
    Goal("04-clean-stop", "container", "stopper", image="java-app:jlink", requirements=(
        _image_req("Java jlink"),
        Requirement("its memory limit is 256 MB", _memory_said(256), _memory_is(256)),
        Requirement("the container itself carries a grace period of 5 seconds",
                    lambda s: (f"the container's own grace period is {_cfg(s)['StopTimeout']} s,"
                               " not 5 s" if _cfg(s).get("StopTimeout") is not None else
                               "the container carries no grace period of its own, so a stop "
                               "that names none waits the default 10 s (a wait given to one "
                               "stop command is not part of the container)"),
                    lambda s: _cfg(s).get("StopTimeout") == 5),
        Requirement("it was started", "it was created but never started",
                    lambda s: _state(s).get("StartedAt", NEVER) != NEVER),
        Requirement("it has stopped", "it is still running",
                    lambda s: not _state(s).get("Running")),
        Requirement("it stopped cleanly (exit code 0)", _exit_said,
                    lambda s: not _state(s).get("Running") and _state(s).get("ExitCode") == 0
                    and not _state(s).get("OOMKilled")
                    and _state(s).get("StartedAt", NEVER) != NEVER),
        _label_req(),
    )),
    Goal("05-one-file", "container", "peek", image="go-app:distroless", needs=("program",),
         writes="entrypoint-program", requirements=(
             _image_req("Go distroless"),
             Requirement("it was created and never started",
                         "it has been started: the goal is to take the file out without "
                         "running anything", lambda s: _state(s).get("StartedAt", NEVER) == NEVER),
             Requirement("there is a file at $SIZEDROP_TMP/entrypoint-program",
                         "there is no file at $SIZEDROP_TMP/entrypoint-program",
                         lambda s: s.get("program", {}).get("file", False)),
             Requirement("that file is one program, not an archive",
                         lambda s: _if_written(s, "that file is a tar archive, not the "
                                               "program itself"),
                         lambda s: s.get("program", {}).get("file", False)
                         and not s.get("program", {}).get("tar", False)),
             Requirement("it is, byte for byte, the program this container's entrypoint runs",
                         lambda s: _if_written(s, "it is not the program this container's "
                                               "entrypoint runs (the image's configuration "
                                               "says which file that is)"),
                         lambda s: s.get("program", {}).get("same", False)),
             _label_req(),
         )),
    Goal("06-no-network", "container", "jail", image="go-app:scratch", requirements=(
        _image_req("Go scratch"),
        _running_req(),
        Requirement("it has no network but its own loopback",
                    lambda s: f"it is attached to a network ({_host(s).get('NetworkMode')}): "
                    "it can reach other hosts and be reached",
                    lambda s: _host(s).get("NetworkMode") == "none"),
        Requirement("no process in it may hold more than 64 open files", _nofile_said,
                    lambda s: _nofile(s) is not None and _nofile(s)["Hard"] == 64
                    and _nofile(s)["Soft"] <= 64),
        Requirement("it may run at most 32 processes",
                    lambda s: f"its process limit is {_host(s).get('PidsLimit') or 'none'}, "
                    "not 32", lambda s: _host(s).get("PidsLimit") == 32),
        Requirement("no process in it can gain privileges",
                    "a process in it may still gain privileges (a setuid program would run "
                    "with its owner's rights)",
                    lambda s: any(o.replace("=", ":") in ("no-new-privileges",
                                                          "no-new-privileges:true")
                                  for o in _host(s).get("SecurityOpt") or [])),
        _readonly_req(),
        _label_req(),
    )),
)}


def goal(goal_id: str) -> Goal:
    if goal_id not in GOALS:
        raise LabError(f"no goal called {goal_id!r}", "one of: " + ", ".join(GOALS))
    return GOALS[goal_id]


def judge(g: Goal, state: dict) -> tuple[bool, list[str]]:
    """Each requirement met or not, as lines; the missing ones say what is wrong in words."""
    lines, passed = [], True
    for r in g.requirements:
        ok = bool(r.test(state))
        passed &= ok
        text = r.met if ok else (r.missing(state) if callable(r.missing) else r.missing)
        lines.append(("  [x] " if ok else "  [ ] ") + text)
    return passed, lines


def config_hash(attrs: dict, written: dict | None = None) -> str:
    """A short hash of what was checked: the configuration, how the run ended and what the
    file it wrote holds, without what every new container gets anew (its host name), so one
    command run twice hashes the same and two different attempts do not."""
    config = {k: v for k, v in (attrs.get("Config") or {}).items() if k != "Hostname"}
    st = attrs.get("State") or {}
    keep = {"Image": attrs.get("Image"), "Config": config, "HostConfig": attrs.get("HostConfig"),
            "RootFS": attrs.get("RootFS"), "Running": st.get("Running"),
            "ExitCode": st.get("ExitCode"), "Started": st.get("StartedAt", NEVER) != NEVER,
            "written": written}
    text = json.dumps(keep, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# ----------------------------------------------------------------------------- the engine

def gather(client, g: Goal, session_id: str) -> dict | None:
    """What the engine holds for goal ``g`` in this session (None: nothing by that name)."""
    name = g.full_name(session_id)
    try:
        if g.kind == "image":
            image = client.images.get(name)
            return {"name": name, "attrs": image.attrs,
                    "history": [h.get("CreatedBy") or "" for h in image.history()]}
        container = client.containers.get(name)
    except docker.errors.NotFound:
        return None
    if "health" in g.needs:
        _wait_health(container)
    state = {"name": name, "attrs": container.attrs, "image_id": _image_id(client, g.image)}
    if "answers" in g.needs:
        state["answers"] = _answers(state, g.port)
    if "program" in g.needs:
        state["program"] = _read_program(container, session.tmp_path(session_id) / g.writes,
                                         state)
    return state


def _image_id(client, image: str) -> str | None:
    try:
        return client.images.get(f"sizedrop.invalid/{image}").id
    except docker.errors.ImageNotFound:
        return None


def _wait_health(container) -> None:
    """Wait while the engine's health verdict is still "starting" (a just-started app)."""
    deadline = time.monotonic() + HEALTH_WAIT_S
    while time.monotonic() < deadline:
        st = container.attrs.get("State") or {}
        if not st.get("Running") or (st.get("Health") or {}).get("Status") != "starting":
            return
        time.sleep(1)
        container.reload()


def _answers(state: dict, port: int, tries: int = 10) -> bool:
    """Does the app answer GET / on the host port the engine published for ``port``?"""
    ports = ((state["attrs"].get("NetworkSettings") or {}).get("Ports") or {}).get(f"{port}/tcp")
    if not ports or not _state(state).get("Running"):
        return False
    url = f"http://127.0.0.1:{ports[0]['HostPort']}/"
    for _ in range(tries):
        try:
            if run.get(url, timeout=2).status == 200:
                return True
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    return False


def _read_program(container, path: Path, state: dict) -> dict:
    """Is ``path`` a file, is it a tar archive, and has it the bytes of the program the
    container's entrypoint names (read from the container, as ``docker cp`` would)? Its
    sha256 goes into the attempt's hash: two different wrong files are two attempts."""
    if not path.is_file():
        return {"file": False, "tar": False, "same": False, "sha256": ""}
    digest = _sha256_file(path)
    entry = (_cfg(state).get("Entrypoint") or [""])[0]
    return {"file": True, "tar": tarfile.is_tarfile(path), "sha256": digest,
            "same": bool(entry) and digest == _entry_sha256(container, entry)}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry_sha256(container, entry: str) -> str | None:
    """The sha256 of the file ``entry`` in the container (None: not a regular file there)."""
    try:
        stream, _ = container.get_archive(entry)
    except docker.errors.NotFound:
        return None
    with tempfile.TemporaryFile() as buf:
        for chunk in stream:
            buf.write(chunk)
        buf.seek(0)
        with tarfile.open(fileobj=buf) as tar:
            member = next((m for m in tar if m.isfile()), None)
            data = tar.extractfile(member) if member else None
            return hashlib.sha256(data.read()).hexdigest() if data else None


# ----------------------------------------------------------------------------- the check

def check(goal_id: str, client, session_id: str | None = None) -> Verdict:
    """Judge what the engine holds for ``goal_id``, print it, and record the run.
    ``client`` None: replay mode, nothing of the learner's can be judged."""
    g = goal(goal_id)
    if client is None:
        print(f"NOT JUDGED: goal {g.id}: there is no Docker engine here, so no command of "
              "yours ran and nothing can be checked; with an engine this cell reads what "
              "your command made")
        return Verdict(g.id, False, [])
    sid = session_id or session.current()
    try:
        state = gather(client, g, sid)
    except EXPECTED as err:
        raise explain(err, f"reading the engine's state for goal {g.id}") from err
    if state is None:
        what = "image" if g.kind == "image" else "container"
        line = (f"FAIL: goal {g.id}: no {what} named {g.full_name(sid)} on this engine; next "
                "step: write your docker command in the empty cell above (the goal says what "
                "it must do and how to name it), run it, then run this cell again")
        print(line)
        record(g.id, False, "", sid, "nothing by the goal's name on the engine")
        return Verdict(g.id, False, [line])
    passed, lines = judge(g, state)
    digest = config_hash(state["attrs"], state.get("program"))
    missing = sum(line.startswith("  [ ]") for line in lines)
    lines.insert(0, f"goal {g.id}: {g.kind} {state['name']}")
    lines.append(f"PASS: goal {g.id} reached" if passed else
                 f"FAIL: goal {g.id}: {missing} of {len(g.requirements)} requirements not "
                 f"met; next step: change your command, remove what it made "
                 f"(`docker {'image ' if g.kind == 'image' else ''}rm"
                 f"{'' if g.kind == 'image' else ' -f'} {state['name']}`), run it again, "
                 "then this cell")
    print("\n".join(lines))
    unmet = [line.strip()[4:] for line in lines if line.startswith("  [ ]")]
    record(g.id, passed, digest, sid, "; ".join(unmet))
    return Verdict(g.id, passed, lines, digest)


# ----------------------------------------------------------------------------- progress log

def record(goal_id: str, passed: bool, digest: str, session_id: str, reason: str = "") -> None:
    """Append one check run to the learner's progress log (lessons.progress: the same log the
    exercises use, so ``lab.hint`` and ``lab.solution`` work for goals too). A failure to write
    it is not the learner's: the check's verdict stands."""
    try:
        progress.append(progress.work_root(), "check", goal_id, source="live", kind="goal",
                        passed=passed, attempt=digest, session=session_id, reason=reason)
    except OSError:
        pass


def attempts(goal_id: str, session_id: str | None = None) -> list[dict]:
    """The recorded check runs of a goal (of one session, if given), oldest first."""
    return [r for r in progress.records(progress.work_root(), goal_id)
            if r.get("event") == "check" and r.get("kind") == "goal"
            and (session_id is None or r.get("session") == session_id)]
