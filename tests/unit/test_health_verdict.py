"""run.health_verdict: the one poller of the engine's HEALTHCHECK verdict, on containers
whose state changes between polls as an engine's does."""

from __future__ import annotations

import pytest

from lessons import engine, run


class Polled:
    """A container whose ``attrs["State"]`` moves through ``states``, one per reload."""

    def __init__(self, *states):
        self.states = list(states)
        self.attrs = {"State": {}}
        self.reloads = 0

    def reload(self):
        self.reloads += 1
        self.attrs = {"State": self.states.pop(0) if len(self.states) > 1 else self.states[0]}


def _running(status=None, output=""):
    health = {"Status": status, "Log": [{"Output": output}]} if status else {"Status": "starting"}
    return {"Status": "running", "Health": health}


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(engine.time, "sleep", lambda s: None)


def test_waits_through_starting_for_the_verdict_and_its_last_output():
    c = Polled(_running(), _running(), _running("unhealthy", "  curl: not found\n"))
    assert run.health_verdict(c, timeout=30) == ("unhealthy", "curl: not found")
    assert c.reloads == 3


def test_an_image_without_a_healthcheck_says_none_at_once():
    c = Polled({"Status": "running"})
    assert run.health_verdict(c, timeout=30) == ("none", "")
    assert c.reloads == 1


def test_a_container_that_stopped_says_its_exit_code():
    c = Polled(_running(), {"Status": "exited", "ExitCode": 2, "Health": {"Status": "starting"}})
    assert run.health_verdict(c, timeout=30) == ("exited", "exited with code 2")


def test_no_verdict_in_time_is_starting(monkeypatch):
    now = iter(range(0, 1000, 10))
    monkeypatch.setattr(engine.time, "monotonic", lambda: next(now))
    assert run.health_verdict(Polled(_running()), timeout=25) == \
        ("starting", "no verdict within 25 s")
