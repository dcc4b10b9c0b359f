"""One lab session in a process of its own, driven line by line on stdin (tests/live/
test_sessions.py): what a notebook kernel does, so two of them can run on one engine at once.

Commands: ``setup IMAGE`` (a container the toolkit starts, one a learner types with the
session's name, a work tag, a file in the session's folder), ``check EXERCISE`` (the
reference solution through the exercise's check, in a work folder under the session's
folder), ``cleanup`` (notebook 00's last cell), ``quit``. Each command first writes ``BEGUN`` when it
starts its work, and each answer is one line ``RESULT <json>`` that carries when the work began
and ended (``time.time()``, the same clock as the test's); anything else the lab prints goes to
stderr.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from lessons import exercises, run, session
from lessons.nb import Lab


def _answer(value) -> None:
    sys.__stdout__.write("RESULT " + json.dumps(value) + "\n")
    sys.__stdout__.flush()


def _setup(lab: Lab, image: str) -> dict:
    sid = session.current()
    started = run.start(lab.client, image, purpose="session-test")
    typed = f"sizedrop-go-{sid}"
    subprocess.run("docker run -d --name sizedrop-go-$SIZEDROP_SESSION "
                   f"--label sizedrop.container=true {image}",
                   shell=True, check=True, capture_output=True)
    work = f"sizedrop.invalid/work:session-test-{sid}"
    subprocess.run(f"docker tag {image} sizedrop.invalid/work:session-test-$SIZEDROP_SESSION",
                   shell=True, check=True, capture_output=True)
    note = Path(os.environ[session.TMP_ENV]) / "note.txt"
    note.write_text("mine\n")
    return {"id": sid, "containers": [started.container.name, typed], "tags": [work],
            "folder": str(note.parent)}


def _check(lab: Lab, exercise: str) -> dict:
    root = session.tmp() / "work"
    ws = exercises.Workspace(exercises.get(exercise), root)
    ws.reset().apply(ws.exercise.files("solution"))
    app = ws.path / "sizedrop_app" / "app.py"
    before = app.read_bytes() if app.exists() else b""
    result = exercises.check(exercise, lab.source, root=root, quiet=True)
    return {"passed": result.passed, "report": result.report(),
            "source_unchanged": (app.read_bytes() if app.exists() else b"") == before}


def main() -> None:
    with contextlib.redirect_stdout(sys.stderr):
        lab = Lab.start(quiet=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        sys.__stdout__.write("BEGUN\n")
        sys.__stdout__.flush()
        began = time.time()
        with contextlib.redirect_stdout(sys.stderr):
            if command == "setup":
                value = _setup(lab, arg)
            elif command == "check":
                value = _check(lab, arg)
            elif command == "cleanup":
                shown = io.StringIO()
                with contextlib.redirect_stdout(shown):
                    lab.cleanup()
                value = {"printed": shown.getvalue()}
            else:
                return
        _answer({**value, "began": began, "ended": time.time()})


if __name__ == "__main__":
    main()
