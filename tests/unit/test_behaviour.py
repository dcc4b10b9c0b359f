"""lessons.behaviour against a fake engine: what it asks the engine, what it concludes, and
that it says what is wrong without the instruction that fixes it."""

from __future__ import annotations

import docker.errors
import pytest

from lessons import behaviour, run, transfer
from lessons.errors import LabError

SERVICE = transfer.Service("demo", "go", "/var/lib/demo", (
    transfer.Case("a zone lookup", "/zone", 200, {"local": "12:00"}),
    transfer.Case("a version", "/version", 200, {"version": transfer.ANY}),
))
GOOD = {"/zone": (200, b'{"local":"12:00"}'), "/version": (200, b'{"version":"3.46"}')}


class FakeContainer:
    def __init__(self, client, image, kwargs):
        self.client, self.image, self.kwargs = client, image, kwargs
        self.id = "c0ffee"
        self.name = kwargs["name"]
        self.status = "created"
        self.health_polls = 0
        self.stopped_with = None
        self.removed = False
        self.attrs = {}

    def start(self):
        if self.client.start_error:
            raise docker.errors.APIError("500", explanation=self.client.start_error)
        self.status = "running" if self.client.stays_up else "exited"

    def reload(self):
        if self.client.exits_after and self.health_polls >= self.client.exits_after:
            self.status = "exited"
        state = {"Status": self.status, "ExitCode": self.client.exit_code
                 if self.status == "exited" else 0,
                 "FinishedAt": "2026-12-07T12:00:30.5Z" if self.status == "exited"
                 else "0001-01-01T00:00:00Z"}
        if self.status == "running" and self.client.health:
            self.health_polls += 1
            verdict = self.client.health if self.health_polls > 2 else "starting"
            state["Health"] = {"Status": verdict,
                               "Log": [{"Output": self.client.health_output}]}
        self.attrs = {"State": state, "Created": "2026-12-07T12:00:00.123456789Z",
                      "NetworkSettings": {
            "Ports": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "45678"}]}}}

    def logs(self, tail=5):
        return b"starting\nexec /app/clock: no such file or directory\n"

    def get_archive(self, path):
        if path in self.client.shells:
            return iter([b"x"]), {}
        raise docker.errors.NotFound("no such file")

    def stop(self, timeout):
        self.stopped_with = timeout
        self.client.clock[0] += self.client.stop_seconds + self.client.api_overhead
        self.status = "exited"

    def remove(self, force=False):
        self.removed = True


class FakeClient:
    def __init__(self, *, user="65532:65532", healthcheck=("CMD", "/app/clock", "-healthcheck"),
                 health="healthy", health_output="", uids=("65532",), shells=(),
                 stop_seconds=0.2, exit_code=0, stays_up=True, start_error="",
                 exits_after=0, engine_events=True, api_overhead=0.0):
        self.user, self.healthcheck = user, healthcheck
        self.health, self.health_output, self.uids = health, health_output, uids
        self.shells, self.stop_seconds, self.exit_code = shells, stop_seconds, exit_code
        self.stays_up, self.start_error = stays_up, start_error
        self.exits_after = exits_after   # health polls after which the process exits
        self.engine_events, self.api_overhead = engine_events, api_overhead
        self.clock = [100.0]
        self.made: list[FakeContainer] = []
        outer = self

        class Images:
            def get(self, ref):
                if ref != "learner:slim":
                    raise docker.errors.ImageNotFound(ref)
                hc = {"Test": list(outer.healthcheck)} if outer.healthcheck else None
                return type("Image", (), {"attrs": {"Config": {"User": outer.user,
                                                               "Healthcheck": hc}}})()

        class Containers:
            def create(self, image, **kwargs):
                c = FakeContainer(outer, image, kwargs)
                outer.made.append(c)
                return c

        class API:
            def top(self, cid, ps_args=""):
                assert "pid" in ps_args and "uid" in ps_args
                return {"Titles": ["PID", "UID"],
                        "Processes": [[str(i + 1), u] for i, u in enumerate(outer.uids)]}

            def events(self, since, until, decode, filters):
                assert (since, until) == (1796644800, 1796644831), (since, until)
                assert filters == {"type": "container", "container": "c0ffee"} and decode
                if not outer.engine_events:
                    raise docker.errors.APIError("events are not available")
                term = 1796644830_000_000_000
                return iter([
                    {"Action": "kill", "Actor": {"Attributes": {"signal": "15"}},
                     "timeNano": term},
                    {"Action": "kill", "Actor": {"Attributes": {"signal": "9"}},
                     "timeNano": term + 1},
                    {"Action": "die", "timeNano": term + int(outer.stop_seconds * 1e9)}])

        self.images, self.containers, self.api = Images(), Containers(), API()


@pytest.fixture
def answers(monkeypatch):
    table = dict(GOOD)

    def fake_get(url, timeout=5.0):
        status, body = table[url.split("45678", 1)[1]]
        return run.Response(status, body)

    monkeypatch.setattr(behaviour.run, "get", fake_get)
    return table


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(behaviour.time, "sleep", lambda s: None)


def check(client, monkeypatch, **kwargs):
    monkeypatch.setattr(behaviour.time, "monotonic", lambda: client.clock[0])
    return behaviour.check(client, "learner:slim", SERVICE, "s-42", **kwargs)


def failed(result) -> dict[str, str]:
    return {i.name: i.detail for i in result.items if not i.passed}


def test_a_good_image_passes_every_item(monkeypatch, answers):
    client = FakeClient()
    result = check(client, monkeypatch)
    assert result.passed, result.problems
    assert [i.name for i in result.items] == ["image user", "no shell", "process user",
                                              "engine health verdict", "app cases",
                                              "stops on SIGTERM"]


def test_container_is_safe_labelled_named_and_removed(monkeypatch, answers):
    client = FakeClient()
    check(client, monkeypatch)
    (made,) = client.made
    kw = made.kwargs
    assert kw["read_only"] is True and kw["cap_drop"] == ["ALL"]
    assert set(kw["tmpfs"]) == {"/tmp", "/var/lib/demo"}
    assert kw["labels"][behaviour.SESSION_LABEL] == "s-42"
    assert kw["labels"]["sizedrop.container"] == "true"
    assert made.name.startswith("sizedrop-s-42-behaviour-demo-")
    assert kw["ports"] == {"8080/tcp": ("127.0.0.1", None)}
    assert made.stopped_with == behaviour.KILL_AFTER_S and made.removed


def test_root_image_and_root_process_fail(monkeypatch, answers):
    result = check(FakeClient(user="", uids=("0",)), monkeypatch)
    problems = failed(result)
    assert problems["image user"] == "the image runs as root (no user set)"
    assert "uid 0" in problems["process user"]


def test_no_healthcheck_fails_with_its_reason(monkeypatch, answers):
    result = check(FakeClient(healthcheck=None, health=""), monkeypatch)
    assert "declares no health check" in failed(result)["engine health verdict"]
    assert not result.passed


def test_unhealthy_reports_the_engines_output_not_a_fix(monkeypatch, answers):
    client = FakeClient(health="unhealthy", health_output="/bin/sh: not found")
    detail = failed(check(client, monkeypatch))["engine health verdict"]
    assert "unhealthy" in detail and "/bin/sh: not found" in detail
    assert "HEALTHCHECK" not in detail and "CMD" not in detail


def test_wrong_app_answers_are_summarised(monkeypatch, answers):
    answers["/zone"] = (400, b'{"error":"unknown time zone"}')
    answers["/version"] = (200, b'{"other":1}')
    detail = failed(check(FakeClient(), monkeypatch))["app cases"]
    assert detail.startswith("2 of 2 answered wrong")
    assert "a zone lookup (GET /zone) answered 400" in detail and "unknown time zone" in detail


def test_a_shell_fails_only_where_claimed(monkeypatch, answers):
    client = FakeClient(shells=("/bin/sh", "/usr/bin/bash"))
    assert "/bin/sh, /usr/bin/bash" in failed(check(client, monkeypatch))["no shell"]
    result = check(FakeClient(shells=("/bin/sh",)), monkeypatch, shell_free=False)
    assert result.passed and "no shell" not in {i.name for i in result.items}


@pytest.mark.parametrize("seconds, code, words", [
    (10.2, 137, "ignored SIGTERM"),
    (3.0, 0, "took 3.0 s"),
    (0.3, 143, "exit code 143, not 0"),
])
def test_stop_must_be_quick_and_clean(monkeypatch, answers, seconds, code, words):
    client = FakeClient(stop_seconds=seconds, exit_code=code)
    assert words in failed(check(client, monkeypatch))["stops on SIGTERM"]


def test_stop_time_comes_from_the_engines_events(monkeypatch, answers):
    slow_api = FakeClient(stop_seconds=0.3, api_overhead=2.5)
    assert check(slow_api, monkeypatch).passed
    no_events = FakeClient(stop_seconds=0.3, api_overhead=2.5, engine_events=False)
    assert "took 2.8 s" in failed(check(no_events, monkeypatch))["stops on SIGTERM"]


def test_an_app_that_dies_at_start_fails_once_with_its_last_words(monkeypatch, answers):
    client = FakeClient(stays_up=False, exit_code=1)
    result = check(client, monkeypatch)
    assert [i.name for i in result.items] == ["image user", "no shell",
                                              "starts on a read-only root"]
    assert "exited with code 1" in result.problems[-1]
    assert "no such file or directory" in result.problems[-1]
    assert client.made[0].removed


def test_an_app_that_dies_later_is_not_asked_or_stopped(monkeypatch, answers):
    client = FakeClient(exits_after=3, exit_code=1)
    result = check(client, monkeypatch)
    assert [i.name for i in result.items] == ["image user", "no shell", "process user",
                                              "engine health verdict", "keeps running"]
    assert failed(result)["keeps running"].startswith("it exited with code 1; its last words")
    assert client.made[0].stopped_with is None and client.made[0].removed


def test_a_process_the_engine_cannot_start_is_a_failed_item(monkeypatch, answers):
    client = FakeClient(start_error="exec: \"/app/clock\": stat /app/clock: no such file")
    result = check(client, monkeypatch)
    assert "could not start it" in failed(result)["starts on a read-only root"]
    assert client.made[0].removed


def test_bad_session_or_missing_image_is_one_clear_error(monkeypatch):
    with pytest.raises(LabError, match="cannot name a container"):
        behaviour.check(FakeClient(), "learner:slim", SERVICE, "a b")
    with pytest.raises(LabError, match="no image called nope"):
        behaviour.check(FakeClient(), "nope", SERVICE, "s-42")


def test_every_service_has_cases_and_a_folder():
    for svc in transfer.SERVICES.values():
        assert svc.cases and svc.fat_dockerfile.is_file()
        assert svc.writable.startswith("/")
