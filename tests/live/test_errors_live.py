"""Live: what a learner sees when the engine goes away or a container vanishes mid-lesson
(issue 23, part 2). The cells run in a real IPython shell with the lab's handler, against the
real engine; the engine "goes away" behind a socket relay this test owns (the shared engine
itself is never stopped), and the only container removed is the one this test started."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import docker
import pytest

from lessons import catalog, nb, runtime
from lessons.sources import LiveSource

VARIANT = catalog.Variant("go", "scratch")


class Relay:
    """A Unix socket that forwards to the engine's; ``stop()`` is Docker Desktop quitting
    (every connection dropped, nothing listening), ``cut_after(n)`` an engine dying in the
    middle of an answer (each connection closed after ``n`` bytes of answer)."""

    def __init__(self, path: Path, upstream: str):
        self.path, self.upstream = str(path), upstream
        self.limit: int | None = None
        self.conns: list[socket.socket] = []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self.server.accept()
            except OSError:
                return
            up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            up.connect(self.upstream)
            self.conns += [down, up]
            threading.Thread(target=self._pump, args=(down, up, None), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, down, self.limit),
                             daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while limit is None or sent < limit:
                data = src.recv(65536 if limit is None else min(65536, limit - sent))
                if not data:
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut_after(self, limit: int) -> None:
        self.limit = limit

    def stop(self) -> None:
        self.server.close()
        os.unlink(self.path)
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def relay(client, tmp_path):
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        pytest.skip(f"the relay forwards a Unix socket; DOCKER_HOST is {host}")
    r = Relay(tmp_path / "engine.sock", host[len("unix://"):])
    yield r
    if os.path.exists(r.path):
        r.stop()


def _lab_through(relay, image_set) -> nb.Lab:
    c = docker.DockerClient(base_url=f"unix://{relay.path}", version="auto", timeout=60)
    return nb.Lab(LiveSource(c, image_set), "04-the-size-drop")


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


def test_engine_quitting_between_cells_is_one_line(relay, image_set, build, lab_shell,
                                                   capsys):
    build(VARIANT)
    lab_shell.user_ns["lab"] = _lab_through(relay, image_set)
    first = lab_shell.run_cell("who = lab.probe('user', 'go', 'scratch')")
    assert first.success, capsys.readouterr()
    assert "65532" in lab_shell.user_ns["who"]        # the real engine answered

    relay.stop()
    failed = lab_shell.run_cell("surface = lab.attack_surface('go', 'scratch')")
    out, err = capsys.readouterr()
    assert not failed.success
    (line,) = _error_lines(err)
    assert line.startswith("error: ") and "Docker engine" in line and "next step: " in line
    assert "Traceback" not in out + err and "a bug in the lab" not in line

    lab_shell.run_cell("show(surface)")
    (line,) = _error_lines(capsys.readouterr().err)
    assert line.startswith("error: no result in `surface`: the earlier cell that sets it "
                           "failed (")


def test_engine_dying_in_the_middle_of_an_answer_is_one_line(relay, image_set, build,
                                                             lab_shell, capsys):
    build(VARIANT)
    relay.cut_after(64 * 1024)   # the image's files (`docker export`) are more: cut mid-stream
    lab_shell.user_ns["lab"] = _lab_through(relay, image_set)
    failed = lab_shell.run_cell("df = lab.attack_surface('go', 'scratch')")
    out, err = capsys.readouterr()
    assert not failed.success, out
    (line,) = _error_lines(err)
    assert line.startswith("error: ") and "next step: " in line
    assert "a bug in the lab" not in line and "Traceback" not in out + err


def test_container_removed_mid_measure_says_it_vanished(client, image_set, build, lab_shell,
                                                        monkeypatch, capsys):
    build(VARIANT)
    burst = runtime.burst

    def removed_first(app, *args, **kwargs):
        app.container.remove(force=True)   # as another session's cleanup would
        return burst(app, *args, **kwargs)
    monkeypatch.setattr(runtime, "burst", removed_first)
    lab_shell.user_ns["lab"] = nb.Lab(LiveSource(client, image_set), "04-the-size-drop")
    failed = lab_shell.run_cell("rt = lab.runtime('go', 'scratch')")
    out, err = capsys.readouterr()
    assert not failed.success
    (line,) = _error_lines(err)
    assert "the container of sizedrop.invalid/go-app:scratch vanished while it was being " \
           "measured" in line
    assert "Traceback" not in out + err
