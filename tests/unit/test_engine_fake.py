"""The engine-facing code of the toolkit, against FAKE Docker clients (no engine, no network).

What runs here: ``lessons.run`` (start, health, stop, the ``docker run`` command shown),
``lessons.cleanup`` (only the lab's own objects go), ``lessons.build`` (BuildKit's plain
progress log read into steps and Dockerfile lines, the failure message, the command line, and
``run_build`` with a fake ``docker`` CLI process) and ``lessons.engine`` (error translation,
the polling loop).

The fakes are strict: using an attribute a fake does not define fails the test at once (with
``pytest.fail``, which no ``except Exception`` in the toolkit can swallow). Time is a fake
clock, HTTP a script, and the ``docker`` CLI a canned log: the whole file runs in well under a
second. Nothing here may reach a real engine: ``run.http`` and ``subprocess.Popen`` fail the
test unless a test replaces them.
"""

from __future__ import annotations

import itertools
import shlex
import subprocess
import tempfile
from pathlib import Path

import docker.errors
import pytest
from docker.models.containers import _create_container_args

from lessons import build as B
from lessons import cleanup, engine, errors, session
from lessons import labels as L
from lessons import run as R
from lessons.errors import BuildFailed, ImageMissing, LabError, NeverHealthy, PortInUse

API_VERSION = "1.47"
SHA = "sha256:" + "0123456789abcdef" * 4


# =============================================================================== the fakes

def expect(condition, what: str) -> None:
    """A fake's own check: fails the test even where the toolkit catches every Exception."""
    if not condition:
        pytest.fail(what)


class Strict:
    """Any attribute a fake does not define fails the test (not an AttributeError that a
    ``contextlib.suppress(Exception)`` or ``getattr(x, name, default)`` could hide), except the
    names in ``_probes``: those the toolkit asks for on purpose, expecting them to be absent
    (``run.stop`` and ``run.remove`` take a Running or a container and look for
    ``.container``)."""

    _probes: frozenset = frozenset()

    def __getattr__(self, name):
        if name.startswith("__") or name in self._probes:
            raise AttributeError(name)
        pytest.fail(f"the toolkit used {type(self).__name__}.{name}, which the fake (and "
                    "this test) does not expect", pytrace=True)


class FakeResponse:
    """What docker-py's APIError reads from the HTTP response."""

    def __init__(self, status: int):
        self.status_code = status
        self.url = "http+docker://localhost/v1.47/containers/x/start"
        self.reason = "Server Error" if status >= 500 else "Client Error"


def api_error(cls, status: int, explanation: str):
    """An SDK error as docker-py raises it (the engine's JSON message is the explanation)."""
    return cls(f"{status} error", response=FakeResponse(status), explanation=explanation)


class FakeClock:
    """time.monotonic and time.sleep for lessons.engine and lessons.run: sleeping is instant."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        expect(seconds >= 0, "a negative sleep")
        self.sleeps.append(seconds)
        self.now += seconds


class Behaviour:
    """How a container of an image behaves once started (the script of the fake engine)."""

    def __init__(self, *, start_error: Exception | None = None, exit_code: int | None = None,
                 logs: bytes = b"", error: str = "", exits_after_reloads: int | None = None,
                 ignores_sigterm: bool = False, stop_seconds: float = 0.2,
                 publishes_port: bool = True):
        self.start_error = start_error          # container.start() raises this
        self.exit_code = exit_code              # exits with it (at once, or after N reloads)
        self.logs = logs
        self.error = error                      # State.Error, the engine's own message
        self.exits_after_reloads = exits_after_reloads
        self.ignores_sigterm = ignores_sigterm
        self.stop_seconds = stop_seconds
        self.publishes_port = publishes_port


class FakeContainer(Strict):
    _probes = frozenset({"container"})
    _ids = itertools.count(1)

    def __init__(self, client, *, image: str = "busybox", labels: dict | None = None,
                 name: str | None = None, status: str = "running",
                 behaviour: Behaviour | None = None, create_kwargs: dict | None = None,
                 host_config: dict | None = None, remove_error: Exception | None = None):
        n = next(self._ids)
        self.client = client
        self.id = f"{n:064x}"
        self.name = name or f"fake_{n}"
        self.image = image
        self.labels = dict(labels or {})
        self.status = status
        self.behaviour = behaviour or Behaviour()
        self.create_kwargs = create_kwargs or {}
        self.host_config = host_config or {}
        self.remove_error = remove_error
        self.exit_code = 0
        self.host_port = ""
        self.reloads = 0
        self.stop_timeouts: list[int] = []

    # -- what docker-py's Container offers and the toolkit uses
    @property
    def attrs(self) -> dict:
        ports = {}
        if self.status == "running" and self.host_port:
            ports = {f"{R.APP_PORT}/tcp": [{"HostIp": "127.0.0.1", "HostPort": self.host_port}]}
        return {"Id": self.id,
                "Config": {"Image": self.image, "Labels": self.labels},
                "State": {"Status": self.status, "ExitCode": self.exit_code,
                          "OOMKilled": False, "Error": self.behaviour.error
                          if self.status in ("exited", "dead") else ""},
                "NetworkSettings": {"Ports": ports}}

    def start(self) -> None:
        self.client.calls.append(("start", self.name))
        expect(self.status == "created", "start() on a container that is not just created")
        b = self.behaviour
        if b.start_error is not None:
            raise b.start_error
        self.status = "running"
        if b.publishes_port:
            binding = self.host_config.get("PortBindings", {}).get(f"{R.APP_PORT}/tcp")
            expect(binding, "started without publishing the app port")
            self.host_port = binding[0]["HostPort"] or str(32767 + next(self._ids))
        if b.exit_code is not None and b.exits_after_reloads in (None, 0):
            self._exit(b.exit_code)

    def reload(self) -> None:
        self.reloads += 1
        b = self.behaviour
        if (self.status == "running" and b.exits_after_reloads
                and self.reloads >= b.exits_after_reloads):
            self._exit(b.exit_code)

    def logs(self, *, tail="all") -> bytes:
        lines = self.behaviour.logs.splitlines(keepends=True)
        return b"".join(lines if tail == "all" else lines[-tail:])

    def stop(self, *, timeout: int = 10) -> None:
        self.stop_timeouts.append(timeout)
        clock = self.client.clock
        if self.behaviour.ignores_sigterm:
            clock.now += timeout        # the engine waits, then sends SIGKILL
            self._exit(137)
        else:
            clock.now += self.behaviour.stop_seconds
            self._exit(0)

    def remove(self, *, force: bool = False, v: bool = False) -> None:
        self.client.calls.append(("remove container", self.name))
        if self.remove_error is not None:
            raise self.remove_error
        expect(force or self.status != "running", "removing a running container needs force")
        self.client.container_store.remove(self)

    def _exit(self, code: int) -> None:
        self.status = "exited"
        self.exit_code = code


class FakeImage(Strict):
    _ids = itertools.count(1)

    def __init__(self, tags: list[str], labels: dict | None = None, *, image_id: str = "",
                 in_use: bool = False, behaviour: Behaviour | None = None):
        self.id = image_id or f"sha256:{next(self._ids):064x}"
        self.tags = list(tags)
        self.labels = dict(labels or {})
        self.in_use = in_use                  # a container that is not ours uses it
        self.behaviour = behaviour or Behaviour()

    @property
    def short_id(self) -> str:
        return self.id[:17]


class FakeNamed(Strict):
    """A network or a volume."""

    def __init__(self, client, kind: str, name: str, labels: dict | None = None):
        self.client, self.kind, self.name, self.labels = client, kind, name, dict(labels or {})

    def remove(self, force: bool = False) -> None:
        self.client.calls.append((f"remove {self.kind}", self.name))
        getattr(self.client, f"{self.kind}_store").remove(self)


def _matches(labels: dict, filters: dict | None, *, tags: list[str] | None = None) -> bool:
    """The engine's list filters, as far as the toolkit uses them (anything else fails)."""
    for key, value in (filters or {}).items():
        if key == "label":
            for want in [value] if isinstance(value, str) else value:
                k, _, v = want.partition("=")
                if k not in labels or ("=" in want and labels[k] != v):
                    return False
        elif key == "dangling":
            expect(tags is not None, "dangling filter on something that is not an image")
            if bool(value) != (not tags):
                return False
        else:
            pytest.fail(f"the fake engine does not know the list filter {key!r}")
    return True


class FakeContainers(Strict):
    def __init__(self, client):
        self.client = client

    def create(self, image, command=None, **kwargs):
        # docker-py's own translation of keyword options: an option that the SDK does not
        # know (or with a value it refuses) fails here as it would on a real engine.
        args = _create_container_args(dict(kwargs, image=image, command=command,
                                           version=API_VERSION))
        self.client.calls.append(("create", image))
        found = self.client.image(image)
        if found is None:
            raise api_error(docker.errors.ImageNotFound, 404, f"No such image: {image}")
        c = FakeContainer(self.client, image=image, labels={**found.labels,
                                                             **(kwargs.get("labels") or {})},
                          status="created", behaviour=found.behaviour, create_kwargs=kwargs,
                          host_config=args["host_config"])
        self.client.container_store.append(c)
        return c

    def list(self, all: bool = False, filters: dict | None = None):
        return [c for c in list(self.client.container_store)
                if (all or c.status == "running") and _matches(c.labels, filters)]


class FakeImages(Strict):
    def __init__(self, client):
        self.client = client

    def get(self, name: str):
        found = self.client.image(name)
        if found is None:
            raise api_error(docker.errors.ImageNotFound, 404, f"No such image: {name}")
        return found

    def list(self, name=None, all: bool = False, filters: dict | None = None):
        expect(name is None and not all, "images.list by name, or with intermediate layers")
        return [im for im in list(self.client.image_store)
                if _matches(im.labels, filters, tags=im.tags)]

    def remove(self, image: str, force: bool = False, noprune: bool = False) -> None:
        self.client.calls.append(("remove image", image))
        found = self.client.image(image)
        if found is None:
            raise api_error(docker.errors.ImageNotFound, 404, f"No such image: {image}")
        if found.in_use and not force:
            raise api_error(docker.errors.APIError, 409, "conflict: unable to remove "
                            f"repository reference {image!r} - container abc is using it")
        if image in found.tags:           # by name: untag; the last name takes the image
            found.tags.remove(image)
            if found.tags:
                return
        elif found.tags and not force:
            raise api_error(docker.errors.APIError, 409, "conflict: image is referenced in "
                            "multiple repositories")
        self.client.image_store.remove(found)


class FakeCollection(Strict):
    def __init__(self, client, kind: str):
        self.client, self.kind = client, kind

    def list(self, names=None, ids=None, filters: dict | None = None):
        return [x for x in list(getattr(self.client, f"{self.kind}_store"))
                if _matches(x.labels, filters)]


class FakeAPI(Strict):
    """client.api: the low-level client. Only its version is read; every call is unexpected."""

    api_version = API_VERSION


class FakeClient(Strict):
    """A docker.DockerClient with a little engine state behind it."""

    def __init__(self, clock: FakeClock | None = None):
        self.clock = clock or FakeClock()
        self.container_store: list[FakeContainer] = []
        self.image_store: list[FakeImage] = []
        self.network_store: list[FakeNamed] = []
        self.volume_store: list[FakeNamed] = []
        self.calls: list[tuple[str, str]] = []
        self.containers = FakeContainers(self)
        self.images = FakeImages(self)
        self.networks = FakeCollection(self, "network")
        self.volumes = FakeCollection(self, "volume")
        self.api = FakeAPI()

    # -- test helpers (not docker-py)
    def image(self, ref: str) -> FakeImage | None:
        return next((im for im in self.image_store if ref in im.tags or ref == im.id), None)

    def add_image(self, *tags: str, labels: dict | None = None, **kw) -> FakeImage:
        im = FakeImage(list(tags), labels, **kw)
        self.image_store.append(im)
        return im

    def add_container(self, **kw) -> FakeContainer:
        c = FakeContainer(self, **kw)
        self.container_store.append(c)
        return c

    def add(self, kind: str, name: str, labels: dict | None = None) -> FakeNamed:
        x = FakeNamed(self, kind, name, labels)
        getattr(self, f"{kind}_store").append(x)
        return x

    def names(self) -> set[str]:
        return {c.name for c in self.container_store}

    def tags(self) -> set[str]:
        return {t for im in self.image_store for t in im.tags}


class HttpScript:
    """Running.get, answered from a script; the last outcome repeats."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.paths: list[str] = []

    def __call__(self, app, path: str, timeout: float = 5.0):
        self.paths.append(path)
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return R.Response(outcome, b"ok" if outcome == 200 else b"")


REFUSED = ConnectionRefusedError(111, "Connection refused")


def serve(monkeypatch, *outcomes) -> HttpScript:
    """Answer Running.get from a script (status codes, or exceptions to raise)."""
    script = HttpScript(*outcomes)
    monkeypatch.setattr(R.Running, "get",
                        lambda app, path, timeout=5.0: script(app, path, timeout))
    return script


# ============================================================================= fixtures

@pytest.fixture(autouse=True)
def no_real_engine_or_network(monkeypatch):
    """Anything that would reach a real engine, port or process fails the test."""

    def forbidden(*a, **kw):
        pytest.fail("a unit test reached for a real HTTP server, socket or process")

    monkeypatch.setattr(R, "http", forbidden)
    monkeypatch.setattr(R, "port_free", forbidden)
    monkeypatch.setattr(engine, "connect", forbidden)
    monkeypatch.setattr(B.subprocess, "Popen", forbidden)
    monkeypatch.setattr(B.subprocess, "run", forbidden)
    monkeypatch.setattr(B, "_stop", forbidden)   # os.killpg on a fake pid: never


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    c = FakeClock()
    monkeypatch.setattr(engine, "time", c)
    monkeypatch.setattr(R, "time", c)
    return c


@pytest.fixture
def client(clock) -> FakeClient:
    return FakeClient(clock)


LAB = L.managed(**{L.APP: "go", L.VARIANT: "multi-stage"})
APP = "sizedrop.invalid/go:multi-stage"


# ============================================================================ lessons.engine

def test_wait_until_returns_the_first_truthy_value(clock):
    answers = iter([None, 0, "", {"port": 32768}, {"port": 1}])
    assert engine.wait_until(lambda: next(answers), timeout=10, interval=0.5) == {"port": 32768}
    assert clock.sleeps == [0.5, 0.5, 0.5]       # one pause between two tries, no more


def test_wait_until_gives_up_after_the_timeout_naming_what_it_waited_for(clock):
    tries = []
    with pytest.raises(TimeoutError, match=r"^an answer on /healthz did not happen within 2 s$"):
        engine.wait_until(lambda: tries.append(1), timeout=2, interval=0.25,
                          what="an answer on /healthz")
    assert len(tries) == 9                      # t = 0, 0.25, ... 2.0: then it gives up
    assert clock.now - 1000.0 == pytest.approx(2.0)


def test_wait_until_tries_once_even_with_no_time_left(clock):
    assert engine.wait_until(lambda: "done", timeout=0) == "done"
    assert clock.sleeps == []


def test_explain_missing_image_says_to_build_it():
    err = errors.explain(api_error(docker.errors.ImageNotFound, 404,
                                     f"No such image: {APP}"), "running it")
    assert isinstance(err, ImageMissing)
    assert err.message == f"the engine has no such image while running it: No such image: {APP}"
    assert "build it first" in err.hint


def test_explain_other_not_found_is_a_plain_lab_error():
    err = errors.explain(api_error(docker.errors.NotFound, 404, "No such container: abc"))
    assert type(err) is LabError
    assert err.message == "not found: No such container: abc"
    assert "re-run the cell" in err.hint


@pytest.mark.parametrize("explanation, status, hint", [
    ("driver failed programming external connectivity on endpoint app (3f2a): Bind for "
     "127.0.0.1:8080 failed: port is already allocated", 500, "-p 127.0.0.1::8080"),
    ("failed to register layer: write /usr/lib/jvm/lib/modules: no space left on device", 500,
     "python -m lessons clean"),
    ('Conflict. The container name "/app" is already in use by container "8d1c". You have '
     "to remove (or rename) that container to be able to reuse that name.", 409,
     "docker rm -f NAME"),
    ("client version 1.52 is too new. Maximum supported API version is 1.43", 400,
     "docker info"),
])
def test_explain_engine_refusals_come_with_the_right_next_step(explanation, status, hint):
    err = errors.explain(api_error(docker.errors.APIError, status, explanation),
                           "starting app")
    assert type(err) is LabError
    assert err.message.startswith(f"the Docker engine refused while starting app ({status}): ")
    assert explanation[:60] in err.message
    assert hint in err.hint


def test_explain_lets_a_lab_error_through_unchanged():
    original = PortInUse("port 8080 on 127.0.0.1 is already in use", "stop it")
    assert errors.explain(original, "starting app") is original


# =============================================================================== lessons.run

def test_start_creates_then_starts_with_the_lab_labels_and_safe_defaults(client):
    client.add_image(APP, labels=LAB)
    app = R.start(client, APP, purpose="check")

    assert [c for c in client.calls if c[0] in ("create", "start")] == [
        ("create", APP), ("start", app.container.name)]
    c = app.container
    assert c.create_kwargs["labels"] == {L.MANAGED: "true", L.CONTAINER: "true",
                                         L.PURPOSE: "check", L.SESSION: session.current()}
    assert c.create_kwargs["environment"] == {"PORT": "8080"}
    for key, value in R.SAFE_DEFAULTS.items():
        assert c.create_kwargs[key] == value, key
    # ... and as the engine receives them (docker-py's HostConfig):
    hc = c.host_config
    assert hc["CapDrop"] == ["ALL"] and hc["SecurityOpt"] == ["no-new-privileges"]
    assert hc["ReadonlyRootfs"] is True and hc["PidsLimit"] == 256
    assert hc["Memory"] == 512 * 2**20
    # published on the loopback address only, on a port the engine picks
    assert hc["PortBindings"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    assert app.port == int(c.host_port) and app.port > 0
    assert app.url == f"http://127.0.0.1:{app.port}"
    assert app.started == client.clock.now


def test_start_on_a_chosen_free_port(client, monkeypatch):
    monkeypatch.setattr(R, "port_free", lambda port: port == 18080)
    client.add_image(APP, labels=LAB)
    app = R.start(client, APP, port=18080)
    assert app.container.host_config["PortBindings"] == {
        "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}]}
    assert app.port == 18080


def test_start_on_a_taken_port_refuses_before_creating_anything(client, monkeypatch):
    monkeypatch.setattr(R, "port_free", lambda port: False)
    client.add_image(APP, labels=LAB)
    with pytest.raises(PortInUse, match="port 8080 on 127.0.0.1 is already in use") as exc:
        R.start(client, APP, port=8080)
    assert "port=None" in exc.value.hint and ":8080" in exc.value.hint
    assert client.calls == [] and client.container_store == []


def test_start_overrides_one_default_and_keeps_the_others(client):
    client.add_image(APP, labels=LAB)
    c = R.start(client, APP, read_only=False, user="65532").container
    assert c.create_kwargs["read_only"] is False and c.create_kwargs["user"] == "65532"
    assert c.create_kwargs["cap_drop"] == ["ALL"]
    bare = R.start(client, APP, safe=False).container
    assert not set(R.SAFE_DEFAULTS) & set(bare.create_kwargs)
    assert bare.create_kwargs["labels"][L.CONTAINER] == "true"     # still the lab's


def test_start_of_an_image_that_was_never_built_says_so(client):
    with pytest.raises(ImageMissing, match=f"while creating a container of {APP}"):
        R.start(client, APP)
    assert client.container_store == []


def test_start_when_the_app_exits_at_once_shows_its_output_and_removes_it(client):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(
        exit_code=255, logs=b"exec /app/server: no such file or directory\n"))
    with pytest.raises(NeverHealthy) as exc:
        R.start(client, APP)
    err = exc.value
    assert err.message == f"{APP} exited with code 255 as soon as it started"
    assert "exec /app/server: no such file or directory" in err.details
    assert "dynamic loader" in err.hint            # the cgo-binary-on-scratch explanation
    assert client.container_store == []            # removed


def test_start_when_the_engine_cannot_exec_the_entrypoint_names_it_and_removes_it(client):
    message = ("failed to create task for container: failed to create shim task: OCI runtime "
               "create failed: runc create failed: unable to start container process: error "
               'during container init: exec: "/opt/venv/bin/python": stat /opt/venv/bin/python: '
               "no such file or directory: unknown")
    tag = "sizedrop.invalid/python:distroless"
    client.add_image(tag, labels=LAB, behaviour=Behaviour(
        start_error=api_error(docker.errors.APIError, 400, message)))
    with pytest.raises(NeverHealthy) as exc:
        R.start(client, tag)
    err = exc.value
    assert err.message == (f'{tag} could not start: exec: "/opt/venv/bin/python": stat '
                           "/opt/venv/bin/python: no such file or directory")
    assert "a venv whose python points elsewhere" in err.hint
    assert "engine: the Docker engine refused (400)" in err.details
    assert client.container_store == []
    assert [k for k, _ in client.calls] == ["create", "start", "remove container"]


def test_start_names_a_missing_interpreter_with_a_long_path_too(client):
    java = "/usr/lib/jvm/java-21-openjdk-amd64/bin/java"
    message = ("failed to create task for container: failed to create shim task: OCI runtime "
               "create failed: runc create failed: unable to start container process: error "
               f'during container init: exec: "{java}": stat {java}: no such file or '
               "directory: unknown")
    tag = "sizedrop.invalid/java:distroless"
    client.add_image(tag, labels=LAB, behaviour=Behaviour(
        start_error=api_error(docker.errors.APIError, 400, message)))
    with pytest.raises(NeverHealthy) as exc:
        R.start(client, tag)
    assert exc.value.message.endswith(f"stat {java}: no such file or directory")
    assert "the entrypoint could not be started" in exc.value.hint


def test_start_when_the_port_cannot_be_read_removes_the_container(client):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(publishes_port=False))
    with pytest.raises(LabError, match="started but its port could not be read"):
        R.start(client, APP)
    assert client.container_store == []


def test_wait_healthy_polls_until_200_and_returns_seconds_since_start(client, monkeypatch):
    client.add_image(APP, labels=LAB)
    http = serve(monkeypatch, REFUSED, 503, 404, 200)   # only a 200 is an answer
    app = R.start(client, APP)
    client.clock.now += 0.05                        # start() itself took a moment
    seconds = R.wait_healthy(app, timeout=30)
    assert http.paths == ["/healthz"] * 4
    assert seconds == pytest.approx(0.35) == app.healthy_after


@pytest.mark.parametrize("logs, error, shown, hint", [
    (b"Traceback (most recent call last):\nModuleNotFoundError: No module named 'flask'\n", "",
     "ModuleNotFoundError: No module named 'flask'", "read its output below"),
    (b"", "exec /app/server: no such file or directory",
     "engine: exec /app/server: no such file or directory", "could not be started"),
])
def test_wait_healthy_when_the_app_dies_meanwhile_says_why(client, monkeypatch, logs, error,
                                                           shown, hint):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(
        exit_code=1, exits_after_reloads=3, logs=logs, error=error))
    serve(monkeypatch, REFUSED)
    app = R.start(client, APP)                     # reload 1: still running
    with pytest.raises(NeverHealthy) as exc:
        R.wait_healthy(app, timeout=30)
    err = exc.value
    assert err.message == f"{APP} exited with code 1 before it answered /healthz"
    assert shown in err.details and hint in err.hint
    assert client.clock.now - 1000.0 < 1          # it did not wait for the timeout


def test_wait_healthy_gives_up_after_the_timeout_with_the_logs(client, monkeypatch):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(logs=b"listening on :9090\n"))
    serve(monkeypatch, REFUSED)
    app = R.start(client, APP)
    with pytest.raises(NeverHealthy) as exc:
        R.wait_healthy(app, timeout=5)
    assert exc.value.message == f"{APP} did not answer /healthz within 5 s"
    assert "listening on :9090" in exc.value.details
    assert client.clock.now - 1000.0 == pytest.approx(5, abs=0.11)


def test_running_removes_the_container_when_the_block_raises(client, monkeypatch):
    client.add_image(APP, labels=LAB)
    serve(monkeypatch, 200)
    with pytest.raises(KeyError):
        with R.running(client, APP) as app:
            assert app.healthy_after >= 0
            assert client.names() == {app.container.name}
            raise KeyError("the learner's code failed")
    assert client.container_store == []


def test_running_removes_the_container_when_it_never_gets_healthy(client, monkeypatch):
    client.add_image(APP, labels=LAB)
    serve(monkeypatch, 500)
    with pytest.raises(NeverHealthy):
        with R.running(client, APP, timeout=1):
            pytest.fail("the block must not run for an app that never answered")
    assert client.container_store == []


def test_running_without_health_wait_still_removes(client):
    client.add_image(APP, labels=LAB)
    with R.running(client, APP, healthy=False) as app:
        assert app.container in client.container_store
    assert client.container_store == []


def test_stop_reports_a_clean_exit(client):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(stop_seconds=0.3))
    app = R.start(client, APP)
    report = R.stop(app, timeout=5)
    assert report == {"stop_seconds": pytest.approx(0.3), "exit_code": 0,
                      "oom_killed": False, "killed": False}
    assert app.container.stop_timeouts == [5]


def test_stop_reports_an_app_that_ignores_sigterm_as_killed(client):
    client.add_image(APP, labels=LAB, behaviour=Behaviour(ignores_sigterm=True))
    c = R.start(client, APP).container
    report = R.stop(c, timeout=2)                  # a bare container works too
    assert report["exit_code"] == 137 and report["killed"] is True
    assert report["stop_seconds"] == pytest.approx(2)


def test_run_flags_of_the_safe_defaults():
    assert R.run_flags() == ["--cap-drop=ALL", "--security-opt=no-new-privileges",
                             "--memory=512m", "--pids-limit=256", "--read-only",
                             "--tmpfs=/tmp:rw,noexec,nosuid,size=64m"]


@pytest.mark.parametrize("key", list(R.SAFE_DEFAULTS))
def test_every_safe_default_becomes_a_docker_run_flag(key):
    flags = R.run_flags({key: R.SAFE_DEFAULTS[key]})
    assert flags and all(f.startswith("--") for f in flags)


def test_run_flags_of_other_options():
    assert R.run_flags({"read_only": False}) == []
    assert R.run_flags({"cap_add": ["NET_BIND_SERVICE"], "user": "65532:65532",
                        "environment": {"PORT": "9090"}, "tmpfs": {"/run": ""},
                        "entrypoint": "/server"}) == [
        "--cap-add=NET_BIND_SERVICE", "--user=65532:65532", "--env=PORT=9090", "--tmpfs=/run",
        "--entrypoint=/server"]


def test_an_option_with_no_known_flag_is_refused():
    with pytest.raises(LabError, match="no docker run flag known for option 'privileged'"):
        R.run_flags({"cap_drop": ["ALL"], "privileged": True})


def test_run_command_is_the_docker_run_a_learner_can_paste():
    argv = R.run_command(APP, name="app", purpose="notebook", command=["-healthcheck"])
    assert argv[:5] == ["docker", "run", "-d", "--name", "app"]
    assert argv[5:9] == ["--label=sizedrop.managed=true", "--label=sizedrop.container=true",
                         "--label=sizedrop.purpose=notebook",
                         f"--label=sizedrop.session={session.current()}"]
    assert argv[9:15] == R.run_flags()
    assert argv[15:] == ["-p", "127.0.0.1::8080", APP, "-healthcheck"]

    argv = R.run_command(APP, port=18080, detach=False, safe=False, read_only=True)
    assert argv == ["docker", "run", "--rm", "--label=sizedrop.managed=true",
                    "--label=sizedrop.container=true", "--label=sizedrop.purpose=lesson",
                    f"--label=sizedrop.session={session.current()}",
                    "--read-only", "-p", "127.0.0.1:18080:8080", APP]


def test_run_command_shows_the_options_start_passes_to_the_engine(client):
    client.add_image(APP, labels=LAB)
    options = {"read_only": False, "user": "1000", "mem_limit": "256m"}
    c = R.start(client, APP, purpose="notebook", **options).container
    argv = R.run_command(APP, purpose="notebook", **options)
    sent = {k: v for k, v in c.create_kwargs.items()
            if k not in ("detach", "labels", "ports", "environment")}
    assert R.run_flags(sent) == argv[argv.index(f"--label=sizedrop.session={session.current()}")
                                     + 1:argv.index("-p")]
    assert [f"--label={k}={v}" for k, v in c.create_kwargs["labels"].items()] == [
        a for a in argv if a.startswith("--label=")]


def test_run_command_keeps_every_word_of_a_list_entrypoint():
    argv = R.run_command(APP, entrypoint=["sh", "-c", "echo hi"])
    assert "--entrypoint=sh" in argv
    assert argv[argv.index(APP) + 1:] == ["-c", "echo hi"]


# =========================================================================== lessons.cleanup

BASE_DEBIAN = "sizedrop.invalid/debian:trixie-slim"
BASE_GO = "sizedrop.invalid/golang:1.27-trixie"


@pytest.fixture
def lab_engine(client) -> FakeClient:
    """An engine holding the lab's objects beside a learner's and other programs' ones."""
    base = L.managed(**{L.LOOKALIKE_OF: "debian:trixie-slim", L.IMAGE_SET: "local"})
    client.add_image(BASE_DEBIAN, labels=base)
    client.add_image(BASE_GO, labels=L.managed(**{L.LOOKALIKE_OF: "golang:1.27-trixie"}))
    client.add_image(APP, labels=LAB)
    client.add_image("sizedrop.invalid/go:distroless", "my-go:v1", labels=LAB)  # learner's tag
    client.add_image("learner-app:latest", labels=LAB)       # built FROM ours: inherits labels
    client.add_image("python:3.13-slim")                     # not ours at all
    client.add_image(labels=LAB, image_id="sha256:" + "d" * 64)        # a rebuild left it
    client.add_image(image_id="sha256:" + "e" * 64)                    # somebody else's <none>
    client.add_container(name="lab_app", labels=L.managed(**{L.CONTAINER: "true",
                                                             L.PURPOSE: "lesson"}))
    client.add_container(name="lab_exited", status="exited",
                         labels=L.managed(**{L.CONTAINER: "true", L.PURPOSE: "check"}))
    client.add_container(name="learners_own", labels=LAB)    # from our image: MANAGED only
    client.add_container(name="postgres", labels={"com.docker.compose.project": "work"})
    client.add("network", "sizedrop-net", L.managed())
    client.add("network", "bridge")
    client.add("volume", "sizedrop-data", L.managed())
    client.add("volume", "pgdata")
    return client


def test_clean_removes_only_the_labs_own_containers(lab_engine):
    report = cleanup.clean(lab_engine)
    assert sorted(report["containers"]) == ["lab_app", "lab_exited"]
    assert lab_engine.names() == {"learners_own", "postgres"}
    assert report["networks"] == ["sizedrop-net"] and report["volumes"] == ["sizedrop-data"]
    assert [n.name for n in lab_engine.network_store] == ["bridge"]
    assert [v.name for v in lab_engine.volume_store] == ["pgdata"]


def test_clean_untags_only_lab_names_and_keeps_base_images(lab_engine):
    report = cleanup.clean(lab_engine)
    assert lab_engine.tags() == {BASE_DEBIAN, BASE_GO, "my-go:v1", "learner-app:latest",
                                 "python:3.13-slim"}
    assert lab_engine.image("my-go:v1").labels == LAB          # the learner's image stays
    assert not any(t in report["images"] for t in (BASE_DEBIAN, BASE_GO))
    assert ("remove image", "my-go:v1") not in lab_engine.calls


def test_clean_with_base_images_removes_them_last(lab_engine):
    report = cleanup.clean(lab_engine, base_images=True)
    assert lab_engine.tags() == {"my-go:v1", "learner-app:latest", "python:3.13-slim"}
    named = [t for t in report["images"] if not t.endswith("(untagged)")]
    assert sorted(named[:2]) == sorted([APP, "sizedrop.invalid/go:distroless"])
    assert sorted(named[2:]) == sorted([BASE_DEBIAN, BASE_GO])   # app images first


def test_clean_removes_untagged_images_only_when_they_carry_the_label(lab_engine):
    report = cleanup.clean(lab_engine)
    ids = {im.id for im in lab_engine.image_store}
    assert "sha256:" + "d" * 64 not in ids
    assert "sha256:" + "e" * 64 in ids
    assert report["untagged images"] == ["sha256:" + "d" * 10]
    assert not any("sha256:" in name for name in report["images"])


def test_clean_goes_on_past_what_it_cannot_remove(lab_engine):
    stuck = lab_engine.add_container(
        name="lab_stuck", labels=L.managed(**{L.CONTAINER: "true"}),
        remove_error=api_error(docker.errors.APIError, 409,
                               "removal of container lab_stuck is already in progress"))
    lab_engine.image(APP).in_use = True
    report = cleanup.clean(lab_engine)
    assert stuck in lab_engine.container_store and "lab_stuck" not in report["containers"]
    assert APP in lab_engine.tags() and APP not in report["images"]
    # ... and everything after those two went anyway:
    assert sorted(report["containers"]) == ["lab_app", "lab_exited"]
    assert "sizedrop.invalid/go:distroless" in report["images"]
    assert report["networks"] == ["sizedrop-net"]


MINE, THEIRS = "1a2b3c4d", "5e6f7a8b"


@pytest.fixture
def two_sessions(lab_engine, tmp_path, monkeypatch) -> FakeClient:
    """The lab engine plus what two sessions made: containers the toolkit started (session
    label), containers and work images a learner typed (the session id in the name), and
    each session's temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for sid in (MINE, THEIRS):
        lab_engine.add_container(name=f"runner_{sid}", labels=L.managed(**{
            L.CONTAINER: "true", L.PURPOSE: "check", L.SESSION: sid}))
        lab_engine.add_container(name=f"sizedrop-go-{sid}",
                                 labels=L.managed(**{L.CONTAINER: "true"}))
        lab_engine.add_image(f"sizedrop.invalid/work:01-dockerignore-{sid}", labels=LAB)
        lab_engine.add("network", f"net-{sid}", L.managed(**{L.SESSION: sid}))
        session.tmp_path(sid).mkdir()
    # a container of a learner's own that happens to end in the id, without the lab's label
    lab_engine.add_container(name=f"mine-too-{MINE}", labels={})
    return lab_engine


def test_clean_session_removes_only_that_sessions_things(two_sessions):
    report = cleanup.clean_session(two_sessions, MINE)
    assert sorted(report["containers"]) == [f"runner_{MINE}", f"sizedrop-go-{MINE}"]
    assert report["images"] == [f"sizedrop.invalid/work:01-dockerignore-{MINE}"]
    assert report["networks"] == [f"net-{MINE}"]
    assert report["folders"] == [str(session.tmp_path(MINE))]
    assert report["untagged images"] == []
    # the other session, the shared images, the learner's own things: all still there
    assert {f"runner_{THEIRS}", f"sizedrop-go-{THEIRS}", f"mine-too-{MINE}", "lab_app",
            "lab_exited", "learners_own", "postgres"} == two_sessions.names()
    assert {f"sizedrop.invalid/work:01-dockerignore-{THEIRS}", APP, BASE_DEBIAN,
            "sizedrop.invalid/go:distroless"} <= two_sessions.tags()
    assert f"sizedrop.invalid/work:01-dockerignore-{MINE}" not in two_sessions.tags()
    assert session.tmp_path(THEIRS).is_dir() and not session.tmp_path(MINE).exists()
    assert "sha256:" + "d" * 64 in {im.id for im in two_sessions.image_store}


def test_clean_of_every_session_lists_exactly_what_it_removed(two_sessions):
    before_containers = two_sessions.names()
    before_tags = two_sessions.tags()
    report = cleanup.clean(two_sessions)
    assert set(report["containers"]) == before_containers - two_sessions.names()
    assert set(report["images"]) == before_tags - two_sessions.tags()
    assert sorted(report["folders"]) == sorted(str(session.tmp_path(s)) for s in (MINE, THEIRS))
    assert report["untagged images"] == ["sha256:" + "d" * 10]


def test_cli_clean_names_everything_it_counts(two_sessions, monkeypatch, capsys):
    from lessons import __main__ as cli

    monkeypatch.setattr(engine, "connect", lambda: two_sessions)
    assert cli.main(["clean"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("removed ")]
    assert lines, "nothing printed"
    for line in lines:
        head, _, names = line.partition(": ")
        count = int(head.split()[1])
        assert count == (len(names.split(", ")) if names else 0), line
    assert any(ln.startswith("removed 1 untagged images: sha256:") for ln in lines)


def test_the_labs_containers_carry_the_session(monkeypatch):
    monkeypatch.setattr(session, "_current", MINE)
    assert L.container_labels("check")[L.SESSION] == MINE
    argv = R.run_command(APP, name=session.named("app"))
    assert argv[argv.index("--name") + 1] == f"app-{MINE}"
    assert f"--label={L.SESSION}={MINE}" in argv


# ============================================================================= lessons.build

SINGLE = """\
# One stage: the "before" image of the lessons.
FROM python:3.13-slim AS app
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir \\
        -r requirements.txt
COPY app.py .
USER 65532
CMD ["python", "app.py"]
"""
# BuildKit names no stage in a one-stage file, even one named "AS app".
SINGLE_FAILED_LOG = f"""\
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 262B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/python:3.13-slim
#2 DONE 0.6s

#3 [internal] load .dockerignore
#3 transferring context: 34B done
#3 DONE 0.0s

#4 [1/5] FROM docker.io/library/python:3.13-slim@{SHA}
#4 resolve docker.io/library/python:3.13-slim@{SHA} 0.0s done

#5 [internal] load build context
#5 transferring context: 1.62kB done
#5 DONE 0.0s

#4 [1/5] FROM docker.io/library/python:3.13-slim@{SHA}
#4 DONE 0.3s

#6 [2/5] WORKDIR /app
#6 CACHED

#7 [3/5] COPY requirements.txt .
#7 DONE 0.1s

#8 [4/5] RUN pip install --no-cache-dir         -r requirements.txt
#8 0.512 Collecting flask==9.9 (from -r requirements.txt (line 1))
#8 1.204 ERROR: Could not find a version that satisfies the requirement flask==9.9
#8 1.205 ERROR: No matching distribution found for flask==9.9
#8 ERROR: process "/bin/sh -c pip install --no-cache-dir         -r requirements.txt" did \
not complete successfully: exit code: 1
------
 > [4/5] RUN pip install --no-cache-dir         -r requirements.txt:
0.512 Collecting flask==9.9 (from -r requirements.txt (line 1))
1.204 ERROR: Could not find a version that satisfies the requirement flask==9.9
1.205 ERROR: No matching distribution found for flask==9.9
------
Dockerfile:5
--------------------
   4 |     COPY requirements.txt .
   5 | >>> RUN pip install --no-cache-dir \\
   6 | >>>         -r requirements.txt
   7 |     COPY app.py .
--------------------
ERROR: failed to solve: process "/bin/sh -c pip install --no-cache-dir         -r \
requirements.txt" did not complete successfully: exit code: 1
"""

MULTI = """\
ARG GO_IMAGE=golang:1.27-trixie

# build: the toolchain
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/server .

# test: the final stage copies from it, so it always runs
FROM build AS test
RUN go vet ./... && go test ./...

FROM scratch
COPY --from=test /out/server /server
USER 65532:65532
ENTRYPOINT ["/server"]
"""
MULTI_LOG = f"""\
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 402B done
#1 DONE 0.0s

#2 [auth] library/golang:pull token for registry-1.docker.io
#2 DONE 0.0s

#3 [internal] load metadata for docker.io/library/golang:1.27-trixie
#3 DONE 0.9s

#4 [internal] load .dockerignore
#4 transferring context: 2B done
#4 DONE 0.0s

#5 [build 1/4] FROM docker.io/library/golang:1.27-trixie@{SHA}
#5 resolve docker.io/library/golang:1.27-trixie@{SHA} 0.0s done
#5 DONE 0.0s

#6 [internal] load build context
#6 transferring context: 5.24MB 0.2s

#7 [build 2/4] WORKDIR /src
#7 CACHED

#6 [internal] load build context
#6 transferring context: 29.41MB 0.4s done
#6 DONE 0.5s

#8 [build 3/4] COPY . .
#8 DONE 0.3s

#9 [build 4/4] RUN CGO_ENABLED=0 go build -trimpath -o /out/server .
#9 0.402 go: downloading nothing, the module has no dependencies
#9 DONE 12.4s

#10 [test 1/1] RUN go vet ./... && go test ./...
#10 3.117 ok  \tsizedrop/server\t0.015s
#10 DONE 3.9s

#11 [stage-2 1/1] COPY --from=test /out/server /server
#11 DONE 0.1s

#12 exporting to image
#12 exporting layers 0.1s done
#12 writing image {SHA} done
#12 naming to docker.io/sizedrop.invalid/go:multi-stage done
#12 DONE 0.2s
"""


def feed(progress: B.PlainProgress, log: str) -> B.PlainProgress:
    for line in log.splitlines():
        progress.feed(line)
    return progress


def test_plain_progress_of_a_one_stage_build_that_fails():
    p = feed(B.PlainProgress(SINGLE), SINGLE_FAILED_LOG)
    assert [(s.number, s.stage, s.index, s.line) for s in p.steps] == [
        (1, "app", 1, 2), (2, "app", 2, 3), (3, "app", 3, 4), (4, "app", 4, 5)]
    assert [s.instruction.split()[0] for s in p.steps] == ["FROM", "WORKDIR", "COPY", "RUN"]
    assert [s.cached for s in p.steps] == [False, True, False, False]
    assert [s.seconds for s in p.steps] == [0.3, 0.0, 0.1, 0.0]
    failed = p.failed_step()
    assert failed is p.steps[3] and failed.line == 5
    assert failed.error.startswith('process "/bin/sh -c pip install')
    # pip's own "ERROR:" lines are the step's output, not BuildKit's error
    assert failed.log[-1] == "ERROR: No matching distribution found for flask==9.9"
    assert len(failed.log) == 3
    assert p.errors[-1].startswith("failed to solve: process")


def test_plain_progress_of_a_multi_stage_build_names_stages_and_lines():
    seen = []
    p = feed(B.PlainProgress(MULTI, lambda step, total: seen.append((step.number, total))),
             MULTI_LOG)
    assert [(s.stage, s.index, s.line, s.cached) for s in p.steps] == [
        ("build", 1, 4, False), ("build", 2, 5, True), ("build", 3, 6, False),
        ("build", 4, 7, False), ("test", 1, 11, False), ("stage-2", 1, 14, False)]
    assert p.steps[3].seconds == 12.4 and p.steps[4].seconds == 3.9
    assert p.steps[4].log == ["ok  \tsizedrop/server\t0.015s"]
    assert seen == [(n, 6) for n in range(1, 7)]     # a progress bar knows the end at once
    assert p.failed_step() is None and p.errors == []
    assert p.image_id == SHA


# Two stages BuildKit starts at once: the final stage's FROM may come first in the log.
PARALLEL = ("FROM golang:1.27-trixie AS build\nWORKDIR /src\nRUN go build -o /out/server .\n"
            "\nFROM gcr.io/distroless/static-debian13:nonroot\n"
            "COPY --from=build /out/server /server\n")
PARALLEL_LOG = "\n".join([
    f"#4 [stage-1 1/2] FROM gcr.io/distroless/static-debian13:nonroot@{SHA}",
    f"#5 [build 1/3] FROM docker.io/library/golang:1.27-trixie@{SHA}",
    "#4 DONE 1.1s", "#5 DONE 9.0s",
    "#6 [build 2/3] WORKDIR /src", "#6 CACHED",
    "#7 [build 3/3] RUN go build -o /out/server .", "#7 DONE 8.2s",
    "#8 [stage-1 2/2] COPY --from=build /out/server /server", "#8 DONE 0.1s",
    f"#9 writing image {SHA} done"])


def test_steps_come_back_in_file_order_whatever_order_buildkit_started_them():
    source = PARALLEL
    p = feed(B.PlainProgress(source), PARALLEL_LOG)
    assert p.steps[0].stage == "stage-1"                   # as BuildKit started them
    ordered = B._in_file_order(p.steps, source)
    assert [(s.number, s.stage, s.index, s.line) for s in ordered] == [
        (1, "build", 1, 1), (2, "build", 2, 2), (3, "build", 3, 3),
        (4, "stage-1", 1, 5), (5, "stage-1", 2, 6)]
    assert ordered[0].seconds == 9.0 and ordered[3].seconds == 1.1


@pytest.mark.parametrize("log, sent", [
    (MULTI_LOG, 29_410_000),                  # the last figure of the build-context vertex
    (SINGLE_FAILED_LOG, 1_620),
    ("#1 [internal] load .dockerignore\n#1 transferring context: 2B done\n", None),
    ("Sending build context to Docker daemon  12.41kB\nStep 1/5 : FROM golang", 12_410),
    ("#0 building with \"default\" instance using docker driver\n", None),
])
def test_context_bytes_reads_only_what_the_build_context_sent(log, sent):
    assert B.context_bytes(log.splitlines()) == sent


def test_a_failed_build_names_the_dockerfile_line_with_a_hint_and_the_log_tail():
    lines = SINGLE_FAILED_LOG.splitlines()
    p = feed(B.PlainProgress(SINGLE), SINGLE_FAILED_LOG)
    err = B._failure(Path("work/01/Dockerfile"), SINGLE, p, lines, "docker buildx build .")
    assert isinstance(err, BuildFailed)
    assert err.message == ("build failed at Dockerfile:5: RUN pip install --no-cache-dir"
                           "         -r requirements.txt")
    assert err.line == 5 and err.step.startswith("RUN pip install")
    assert err.log_tail[-1] == "ERROR: No matching distribution found for flask==9.9"
    assert "fix the instruction above" in err.hint
    assert "  error: process \"/bin/sh -c pip install" in err.details
    assert err.details.endswith("  command: docker buildx build .")


@pytest.mark.parametrize("why", [
    "dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host",
    "dial tcp 10.0.0.1:3128: connect: connection refused",          # a proxy that is down
    "pull access denied, repository does not exist or may require authorization",
])
def test_a_build_that_cannot_pull_its_base_fails_before_the_first_step(why):
    log = ["#1 [internal] load build definition from Dockerfile", "#1 DONE 0.0s",
           "#2 [internal] load metadata for docker.io/library/golang:1.27-trixie",
           '#2 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/library/'
           f'golang/manifests/1.27-trixie": {why}',
           "------", "ERROR: failed to solve: golang:1.27-trixie: failed to resolve source "
           f"metadata for docker.io/library/golang:1.27-trixie: {why}"]
    p = feed(B.PlainProgress(MULTI), "\n".join(log))
    err = B._failure(Path("Dockerfile"), MULTI, p, log, "docker buildx build .")
    assert err.message == "build of Dockerfile failed before its first step"
    assert err.line is None
    assert "LESSONS_IMAGES=local" in err.hint
    assert "failed to solve: golang:1.27-trixie" in err.details


def test_build_argv_paths_relative_to_cwd_and_flag_placement(tmp_path):
    app = tmp_path / "sample_apps" / "go"
    argv = B.build_argv(app / "multi-stage.dockerfile", app, APP, cwd=tmp_path,
                        buildargs={"GO_IMAGE": BASE_GO}, labels=L.managed(**{L.APP: "go"}),
                        nocache=True, target="test")
    assert argv == ["docker", "buildx", "build", "--progress=plain", "--load", "--no-cache",
                    "-f", "sample_apps/go/multi-stage.dockerfile", "--target", "test",
                    "--build-arg", f"GO_IMAGE={BASE_GO}",
                    "--label", "sizedrop.managed=true", "--label", "sizedrop.app=go",
                    "-t", APP, "sample_apps/go"]
    plain = B.build_argv(app / "Dockerfile", app, "t", cwd=app)
    assert plain == ["docker", "buildx", "build", "--progress=plain", "--load",
                     "-f", "Dockerfile", "-t", "t", "."]


def test_cli_command_is_one_pasteable_line_with_the_lab_label(tmp_path):
    app = tmp_path / "my folder"
    line = B.cli_command(app / "Dockerfile", app, APP, {"GO_IMAGE": BASE_GO},
                         labels={L.VARIANT: "multi-stage"}, cwd=tmp_path)
    argv = shlex.split(line)
    assert argv[:3] == ["docker", "buildx", "build"]
    assert argv[argv.index("-f") + 1] == "my folder/Dockerfile" and argv[-1] == "my folder"
    labels = [argv[i + 1] for i, a in enumerate(argv) if a == "--label"]
    assert labels == ["sizedrop.managed=true", "sizedrop.variant=multi-stage"]


# ------------------------------------------------------------------------ run_build, faked CLI

class FakeProcess(Strict):
    """subprocess.Popen of the docker CLI: a canned log, then an exit code."""

    def __init__(self, argv, *, cwd=None, stdout=None, stderr=None, text=False, errors=None,
                 start_new_session=False, lines=(), code=0):
        expect(stdout is subprocess.PIPE, "the CLI's output is not read")
        expect(stderr is subprocess.STDOUT, "BuildKit writes its progress on stderr")
        expect(text and start_new_session, "text lines, and a session of its own for Ctrl-C")
        self.argv, self.cwd, self.code, self.pid = argv, cwd, code, 2 ** 22 + 7
        self.stdout = iter([line + "\n" for line in lines])
        self.waited = False

    def wait(self, timeout=None) -> int:
        self.waited = True
        return self.code

    def poll(self):
        return self.code if self.waited else None


@pytest.fixture
def docker_cli(monkeypatch):
    """Install a fake docker CLI: docker_cli(log, code) -> the list of processes it started."""
    started: list[FakeProcess] = []

    def install(log: str, code: int = 0):
        def popen(argv, **kw):
            started.append(FakeProcess(argv, lines=log.splitlines(), code=code, **kw))
            return started[-1]

        monkeypatch.setattr(B.subprocess, "Popen", popen)
        return started

    return install


@pytest.fixture
def go_folder(tmp_path):
    (tmp_path / "Dockerfile").write_text(MULTI)
    return tmp_path


def test_run_build_reads_the_log_and_returns_the_image(go_folder, docker_cli, client):
    client.add_image(APP, labels=LAB, image_id="sha256:" + "a" * 64)
    started = docker_cli(MULTI_LOG, 0)
    argv = B.build_argv(go_folder / "Dockerfile", go_folder, APP, cwd=go_folder)
    lines, steps = [], []
    res = B.run_build(client, argv, go_folder / "Dockerfile", APP, cwd=go_folder,
                      on_line=lines.append, on_step=lambda s, total: steps.append(s.index))
    assert started[0].argv == argv and started[0].cwd == go_folder
    assert res.tag == APP and res.image_id == "sha256:" + "a" * 64   # the engine's word
    assert res.command == shlex.join(argv) and res.builder == "buildkit"
    assert lines == res.log == MULTI_LOG.splitlines()
    assert [(s.number, s.stage, s.line) for s in res.steps] == [
        (1, "build", 4), (2, "build", 5), (3, "build", 6), (4, "build", 7), (5, "test", 11),
        (6, "stage-2", 14)]
    assert res.cached_steps == 1 and [s.line for s in res.ran()] == [4, 6, 7, 11, 14]
    assert steps == [1, 2, 3, 4, 1, 1]


def test_run_build_lists_the_steps_in_file_order(tmp_path, docker_cli, client):
    (tmp_path / "Dockerfile").write_text(PARALLEL)
    docker_cli(PARALLEL_LOG, 0)
    res = B.run_build(client, ["docker", "build", "."], tmp_path / "Dockerfile", APP)
    assert [(s.number, s.stage, s.line) for s in res.steps] == [
        (1, "build", 1), (2, "build", 2), (3, "build", 3), (4, "stage-1", 5), (5, "stage-1", 6)]


def test_run_build_falls_back_on_the_id_buildkit_wrote(go_folder, docker_cli, client):
    docker_cli(MULTI_LOG, 0)                         # the engine cannot find the tag
    res = B.run_build(client, ["docker", "build", "."], go_folder / "Dockerfile", APP)
    assert res.image_id == SHA


def test_run_build_without_any_image_is_a_failure(go_folder, docker_cli, client):
    docker_cli("\n".join(MULTI_LOG.splitlines()[:-6]), 0)      # no "writing image" line
    with pytest.raises(BuildFailed, match="building Dockerfile ended without an image"):
        B.run_build(client, ["docker", "build", "."], go_folder / "Dockerfile", APP)


def test_run_build_that_fails_names_the_line(tmp_path, docker_cli, client):
    (tmp_path / "Dockerfile").write_text(SINGLE)
    docker_cli(SINGLE_FAILED_LOG, 1)
    argv = ["docker", "build", "--progress=plain", "-t", "mine", "."]
    with pytest.raises(BuildFailed) as exc:
        B.run_build(client, argv, tmp_path / "Dockerfile", "mine")
    err = exc.value
    assert err.message.startswith("build failed at Dockerfile:5: RUN pip install")
    assert err.line == 5
    assert "No matching distribution found for flask==9.9" in err.details
    assert err.details.endswith("command: docker build --progress=plain -t mine .")


def test_run_build_without_a_docker_cli_says_how_to_get_one(go_folder, monkeypatch, client):
    def popen(argv, **kw):
        raise FileNotFoundError(2, "No such file or directory", "docker")

    monkeypatch.setattr(B.subprocess, "Popen", popen)
    with pytest.raises(LabError, match="could not run the docker CLI") as exc:
        B.run_build(client, ["docker", "build", "."], go_folder / "Dockerfile", APP)
    assert exc.value.hint == B.BUILDX_HINT


def test_run_build_interrupted_stops_the_cli(go_folder, monkeypatch, client):
    stopped = []

    def lines():
        yield "#1 [internal] load build definition from Dockerfile\n"
        raise KeyboardInterrupt

    def popen(argv, **kw):
        proc = FakeProcess(argv, **kw)
        proc.stdout = lines()
        return proc

    def stop(proc):
        stopped.append(proc)
        proc.waited = True

    monkeypatch.setattr(B.subprocess, "Popen", popen)
    monkeypatch.setattr(B, "_stop", stop)
    with pytest.raises(LabError, match="build interrupted") as exc:
        B.run_build(client, ["docker", "build", "."], go_folder / "Dockerfile", APP)
    assert "cached" in exc.value.hint
    assert len(stopped) == 1


# BuildKit pads the step number to the width of the total: "[ 1/10]", "[build  3/12]"
# (dockerfile2llb formats it with "%*d/%d", the width being the total's digit count).
TEN = ("FROM python:3.13-slim\nWORKDIR /app\n"
       + "".join(f"RUN echo {n} > /tmp/{n}\n" for n in range(1, 8))
       + "COPY app.py .\n")
TEN_LOG = "\n".join(
    [f"#4 [ 1/10] FROM docker.io/library/python:3.13-slim@{SHA}", "#4 DONE 0.0s",
     "#5 [ 2/10] WORKDIR /app", "#5 CACHED"]
    + [f"#{5 + n} [{n + 2:>2}/10] RUN echo {n} > /tmp/{n}\n#{5 + n} DONE 0.1s"
       for n in range(1, 5)]
    + ["#10 [ 7/10] RUN echo 5 > /tmp/5",
       '#10 ERROR: process "/bin/sh -c echo 5 > /tmp/5" did not complete successfully: '
       "exit code: 1",
       'ERROR: failed to solve: process "/bin/sh -c echo 5 > /tmp/5" did not complete '
       "successfully: exit code: 1"])


def test_steps_of_a_stage_with_ten_or_more_steps_are_read():
    assert "[ 7/10] RUN echo 5" in TEN_LOG                  # the fixture is what BuildKit prints
    p = feed(B.PlainProgress(TEN), TEN_LOG)
    err = B._failure(Path("Dockerfile"), TEN, p, TEN_LOG.splitlines(), "docker build .")
    assert err.message == "build failed at Dockerfile:7: RUN echo 5 > /tmp/5"
    assert [s.index for s in p.steps] == [1, 2, 3, 4, 5, 6, 7]


def test_a_listing_that_meets_a_vanished_object_is_asked_again():
    import docker.errors

    answers = iter([docker.errors.NotFound("No such image: sha256:e0e8"), ["listed"]])

    def listing():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert cleanup._listed(listing) == ["listed"]
