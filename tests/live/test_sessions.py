"""Two lab sessions on one engine at the same time never break each other (issue 23, part 1).

Two processes, each what a notebook kernel is (``Lab.start``, then its cells: tests/live/
session_worker.py), make their things, then one runs an exercise check (a build, a container,
a rebuild of a copy) while the other runs notebook 00's ``lab.cleanup()`` again and again; then
the other way round. Both checks must pass, each cleanup must remove its own things and leave
the other's (and this test run's) alone, and the check must leave the learner's source as it
was.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from docker.errors import ImageNotFound, NotFound

from lessons import catalog, run, session

WORKER = Path(__file__).with_name("session_worker.py")
EXERCISE = "02-layer-order"    # its check rebuilds after a source-only change


class Worker:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     cwd=catalog.REPO_ROOT)

    def ask(self, line: str, begun: threading.Event | None = None) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        for out in self.proc.stdout:
            if out.startswith("BEGUN") and begun is not None:
                begun.set()
            elif out.startswith("RESULT "):
                return json.loads(out[len("RESULT "):])
        raise AssertionError(f"the session process ended before answering {line!r}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=60)


def _exists(client, made: dict) -> dict[str, bool]:
    """Which of a session's things are still on the engine (and on disk)."""
    found = {}
    for name in made["containers"]:
        try:
            client.containers.get(name)
            found[name] = True
        except NotFound:
            found[name] = False
    for tag in made["tags"]:
        try:
            client.images.get(tag)
            found[tag] = True
        except ImageNotFound:
            found[tag] = False
    found[made["folder"]] = Path(made["folder"]).is_dir()
    return found


def _check_while_the_other_cleans(checker: Worker, cleaner: Worker) -> tuple[dict, list[str]]:
    """``checker`` runs the exercise check; once it has begun, ``cleaner`` runs
    ``lab.cleanup()`` again and again until the check ends. Returns the check's result and what
    each cleanup printed, after asserting (from the two processes' own clocks) that the first
    cleanup began before the check ended: the two really ran side by side."""
    result: dict = {}
    begun = threading.Event()
    thread = threading.Thread(
        target=lambda: result.update(checker.ask(f"check {EXERCISE}", begun)))
    thread.start()
    assert begun.wait(timeout=120), "the check did not begin"
    cleanups = []
    while thread.is_alive():
        cleanups.append(cleaner.ask("cleanup"))
        time.sleep(0.2)
    thread.join()
    assert cleanups and cleanups[0]["began"] < result["ended"], \
        "the cleanup did not run while the check ran"
    return result, [c["printed"] for c in cleanups]


def test_two_sessions_check_and_clean_up_side_by_side(client, build):
    image = build(catalog.Variant("go", "multi-stage"))
    # this test run's own container: neither session may touch it
    bystander = run.start(client, image, purpose="session-bystander")
    a, b = Worker(), Worker()
    try:
        made_a, made_b = a.ask(f"setup {image}"), b.ask(f"setup {image}")
        assert len({made_a["id"], made_b["id"], session.current()}) == 3
        assert all(_exists(client, made_a).values()) and all(_exists(client, made_b).values())

        checked_a, cleanups_b = _check_while_the_other_cleans(a, b)
        # the first cleanup named B's things, and none of A's
        assert all(name in cleanups_b[0] for name in made_b["containers"] + made_b["tags"])
        assert made_a["id"] not in cleanups_b[0]
        assert checked_a["passed"], checked_a["report"]
        assert checked_a["source_unchanged"], "the check edited the learner's app.py"
        assert all(_exists(client, made_a).values()), _exists(client, made_a)
        assert not any(_exists(client, made_b).values()), _exists(client, made_b)

        checked_b, _ = _check_while_the_other_cleans(b, a)
        assert checked_b["passed"], checked_b["report"]
        assert not any(_exists(client, made_a).values()), _exists(client, made_a)

        # B's check left its work image and folder; B's own cleanup takes them, and says so
        printed = b.ask("cleanup")["printed"]
        work_b = f"sizedrop.invalid/work:{EXERCISE}-{made_b['id']}"
        assert work_b in printed and made_a["id"] not in printed
        with pytest.raises(ImageNotFound):
            client.images.get(work_b)
        assert not Path(made_b["folder"]).exists()
        bystander.container.reload()
        assert bystander.container.status == "running"
    finally:
        a.close()
        b.close()
        run.remove(bystander)
