"""The run items of the exercise checks, live (issue 20, part 4): a learner's image whose
HEALTHCHECK is gone although the starting Dockerfile had one, and whose PID 1 ignores SIGTERM,
fails the check with both reasons, read from the engine (its Config, and `docker stop` ending
in SIGKILL, exit 137). The typical mistakes and references of tests/live/test_learner.py cover
an unhealthy verdict, clean stops and 05's job."""

from __future__ import annotations

import pytest

from lessons import exercises, lab
from lessons.sources import LiveSource


@pytest.fixture(scope="module")
def source(client, image_set):
    lab.apply_build_env(lab.build_env(client, image_set))
    return LiveSource(client, image_set)


def test_no_healthcheck_and_an_ignored_sigterm_fail_the_check(source, tmp_path):
    ex = exercises.get("01-dockerignore")
    ws = exercises.Workspace(ex, tmp_path).reset().apply(ex.files("solution"))
    start = ws.dockerfile.read_text()
    # A shell as PID 1 that waits for the server: it has no SIGTERM handler, so the
    # kernel drops the signal and `docker stop` has to kill it after its 10 s.
    mine = "\n".join(line for line in start.splitlines() if not line.startswith(
        ("HEALTHCHECK", "ENTRYPOINT")))
    ws.dockerfile.write_text(mine + '\nENTRYPOINT ["/bin/sh", "-c", '
                             '"/usr/local/bin/server; echo the server ended"]\n')
    res = exercises.check(ex.id, source, root=tmp_path, quiet=True)
    print(res.report())
    items = {name: (ok, detail) for name, ok, detail in res.items}
    assert items["answers"][0], res.report()
    assert items["engine health verdict"] == (
        False, "the image declares no health check, so the engine can never call it healthy")
    ok, detail = items["stops on SIGTERM"]
    assert not ok and "it ignored SIGTERM" in detail and "exit 137" in detail, detail
    assert res.reason.startswith("engine health verdict: the image declares no health check")
    assert res.next_step == exercises.GUIDE["health-none"][0]
