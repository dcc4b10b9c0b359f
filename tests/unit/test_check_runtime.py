"""The run items of the exercise checks of 01-05 (issue 20, part 4), against a fake engine:
the engine's own health verdict and the stop on SIGTERM, read on the container the check
already runs, with the exercise's graded hints; 05's image is a job that must end by itself
with exit 0. And the second typical mistake of each exercise, kept beside the first."""

from __future__ import annotations

import contextlib
from types import SimpleNamespace

import pytest

from lessons import behaviour, exercises, session
from tests.unit.test_behaviour import FakeClient


@pytest.fixture(autouse=True)
def fake_time(monkeypatch):
    """One fake clock for every module (they share the time module): sleeping advances it."""
    clock = [100.0]
    monkeypatch.setattr(behaviour.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(behaviour.time, "sleep", lambda s: clock.__setitem__(0, clock[0] + s))
    return clock


def _checked(client, exercise: str, fake_time, job: bool = False) -> exercises.Result:
    client.clock = fake_time
    ws = SimpleNamespace(tag="learner:slim", exercise=exercises.get(exercise))
    source = SimpleNamespace(client=client)
    res = exercises.Result(exercise)
    if job:
        exercises._job(source, ws, res)
    else:
        container, _ = behaviour.start(client, ws.tag, exercises.JOB, session.current())
        exercises._runtime(source, ws, res, container)
    return res


def _items(res) -> dict[str, tuple[bool, str]]:
    return {name: (ok, detail) for name, ok, detail in res.items}


def test_a_healthy_service_that_stops_cleanly_passes_both_items(fake_time):
    res = _checked(FakeClient(), "04-strip-binary", fake_time)
    assert res.passed, res.report()
    assert list(_items(res)) == ["engine health verdict", "stops on SIGTERM"]
    assert _items(res)["stops on SIGTERM"][1] == "exit 0 after 0.20 s"


def test_an_app_that_ignores_sigterm_fails_with_that_reason(fake_time):
    res = _checked(FakeClient(stop_seconds=10.2, exit_code=137), "01-dockerignore", fake_time)
    assert res.reason.startswith("stops on SIGTERM: it ignored SIGTERM"), res.reason
    assert res.next_step == exercises.GUIDE["behaviour: stops on SIGTERM"][0]


@pytest.mark.parametrize("output, guide", [
    ('exec: "/bin/sh": stat /bin/sh: no such file or directory', "health-shell"),
    ('exec: "curl": executable file not found in $PATH', "health"),
])
def test_a_healthcheck_that_cannot_pass_fails_with_the_engines_output(fake_time, output, guide):
    client = FakeClient(health="unhealthy", health_output=output)
    res = _checked(client, "03-distroless-health", fake_time)
    assert "the engine says unhealthy" in res.reason and output in res.reason
    assert res.next_step == exercises.GUIDE[guide][0]
    assert "stops on SIGTERM" in _items(res), "the stop is checked even after a bad verdict"


def test_no_healthcheck_fails_only_where_the_start_file_had_one(fake_time):
    res = _checked(FakeClient(healthcheck=None, health=""), "02-layer-order", fake_time)
    assert "declares no health check" in res.reason
    assert res.next_step == exercises.GUIDE["health-none"][0]
    job = _checked(FakeClient(healthcheck=None, health="", stays_up=False), "05-wasted-bytes",
                   fake_time, job=True)
    assert job.passed, job.report()
    assert "neither does the exercise's starting Dockerfile" in \
        _items(job)["engine health verdict"][1]


def test_a_job_must_end_by_itself_with_exit_0(fake_time):
    client = FakeClient(healthcheck=None, health="", stays_up=False, exit_code=2)
    res = _checked(client, "05-wasted-bytes", fake_time, job=True)
    assert res.reason == "ends with exit 0: it ended by itself with exit code 2, not 0"
    assert res.next_step == exercises.GUIDE["job"][0]
    (made,) = client.made
    assert made.removed and made.stopped_with is None
    assert made.kwargs["read_only"] and made.kwargs["labels"]["sizedrop.session"]


def test_a_job_that_keeps_running_is_stopped_and_judged_like_a_service(fake_time):
    client = FakeClient(healthcheck=None, health="", stop_seconds=10.1, exit_code=137)
    res = _checked(client, "05-wasted-bytes", fake_time, job=True)
    assert fake_time[0] >= 100 + exercises.JOB_SECONDS
    assert "it ignored SIGTERM" in _items(res)["stops on SIGTERM"][1]
    assert client.made[0].removed


def test_a_service_that_dies_while_judged_is_not_stopped(fake_time):
    client = FakeClient(exits_after=1, exit_code=1)
    res = _checked(client, "04-strip-binary", fake_time)
    assert "exited before the engine gave a verdict" in res.reason
    assert not _items(res)["keeps running"][0] and "stops on SIGTERM" not in _items(res)
    assert client.made[0].stopped_with is None


def test_the_answers_probe_and_the_run_items_share_one_container(monkeypatch):
    container = object()
    seen = []

    class App:
        healthy_after = 0.4
        def get(self, path):
            body = b'{"language":"go"}' if path == "/" else b"ok"
            return exercises.run.Response(200, body)
    App.container = container

    @contextlib.contextmanager
    def running(client, tag, **kw):
        seen.append(("start", tag))
        yield App()

    monkeypatch.setattr(exercises.run, "running", running)
    monkeypatch.setattr(exercises, "_runtime", lambda s, w, r, c: seen.append(("run items", c)))
    ws = SimpleNamespace(tag="t", exercise=exercises.get("03-distroless-health"))
    res = exercises.Result("03-distroless-health")
    assert exercises._answers(SimpleNamespace(client=None), ws, res, "go")
    assert seen == [("start", "t"), ("run items", container)]


@pytest.mark.parametrize("exercise, wanted", [
    ("01-dockerignore", True), ("02-layer-order", True), ("03-distroless-health", True),
    ("04-strip-binary", True), ("05-wasted-bytes", False), ("06-scratch", True),
])
def test_which_starting_dockerfiles_have_a_healthcheck(exercise, wanted):
    assert exercises._start_declares_health(exercises.get(exercise)) is wanted


# ----------------------------------------------------------------------------- second mistakes

FIRST_SIX = [e for e in exercises.EXERCISES if not e.startswith("07-")]


def _texts(folder) -> dict[str, str]:
    if folder.is_file():
        return {"Dockerfile": folder.read_text()}
    return {f.relative_to(folder).as_posix(): f.read_text() for f in folder.rglob("*")
            if f.is_file() and f.relative_to(folder).parts[0] != exercises.SECOND}


@pytest.mark.parametrize("exercise", FIRST_SIX)
def test_every_exercise_has_a_second_mistake_unlike_the_first_and_the_reference(exercise):
    ex = exercises.get(exercise)
    second = _texts(ex.files("second"))
    assert second, f"no second mistake in {ex.files('second')}"
    for other in ("mistake", "solution"):
        theirs = _texts(ex.files(other))
        assert set(second) == set(theirs), (other, set(second), set(theirs))
        assert second != theirs, f"the second mistake of {exercise} is its {other}"


def test_applying_a_mistake_leaves_its_second_out(tmp_path):
    ws = exercises.workspace("01-dockerignore", tmp_path).reset()
    ws.apply(ws.exercise.files("mistake"))
    assert not (ws.path / exercises.SECOND).exists()
    assert "notes/" in (ws.path / ".dockerignore").read_text()
    ws.apply(ws.exercise.files("second"))
    assert (ws.path / ".dockerignore").read_text() == \
        (ws.exercise.files("second") / ".dockerignore").read_text()
