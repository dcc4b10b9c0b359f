"""classroom.serve keeps the registry's log out of a pipe nobody reads.

Debian's registry logs every request; with its stderr on an unread pipe it blocked once the
pipe's 64 KiB buffer was full, in the middle of a push, and the push never finished (seen in a
benchmark run). A stand-in "registry" here writes 1 MiB of log, then starts answering."""

from __future__ import annotations

import sys
import time

from lessons import classroom

FAKE = """#!{python}
import sys, pathlib
sys.stderr.write("level=info msg=request\\n" * 50000)
sys.stderr.flush()
pathlib.Path(sys.argv[2]).with_name("answering").touch()
import time; time.sleep(30)
"""


def test_a_chatty_registry_is_not_blocked_by_its_log(tmp_path, monkeypatch):
    exe = tmp_path / "docker-registry"
    exe.write_text(FAKE.format(python=sys.executable))
    exe.chmod(0o755)
    root = tmp_path / "root"
    monkeypatch.setattr(classroom.shutil, "which", lambda name: str(exe))
    monkeypatch.setattr(classroom, "answers",
                        lambda host: (root / "answering").exists())
    started = time.monotonic()
    proc = classroom.serve("127.0.0.1:1", root)
    try:
        assert (root / "answering").exists()
        assert (root / "registry.log").stat().st_size > 1_000_000
        assert time.monotonic() - started < 10
    finally:
        proc.kill()
        proc.wait()
