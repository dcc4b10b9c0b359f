"""The lab is safe next to a learner's own work, and fails with one clear message.

Each test provokes the situation for real on the engine (issue: never lose a learner's data,
never leave a mess, fail clearly).
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time

import pytest
from docker.errors import ImageNotFound

from lessons import build as B
from lessons import catalog, cleanup, engine, imagesets, run
from lessons import labels as L
from lessons.errors import (BuildFailed, EngineUnavailable, ImagesUnavailable, NeverHealthy,
                            NotEnoughDisk, PortInUse)

DEBIAN = "DEBIAN_IMAGE"


@pytest.fixture
def base(client, image_set):
    """A small image every engine in the lab has: the Debian base of the chosen set."""
    return imagesets.name_in(image_set, DEBIAN)


def _tiny_build(client, tmp_path, text: str, tag: str, **kw):
    (tmp_path / "Dockerfile").write_text(text)
    return B.build(client, tmp_path, tmp_path / "Dockerfile", tag, **kw)


@pytest.mark.destructive
def test_cleanup_touches_only_what_the_lab_created(client, base, tmp_path):
    # A learner's own image, built FROM one of ours (so it INHERITS our labels), their own
    # tag on one of our images, and a learner's container from their image.
    mine = "learner.invalid/my-app:1"
    tmp_path.joinpath("Dockerfile").write_text(f"FROM {base}\nRUN echo mine > /mine\n")
    client.images.build(path=str(tmp_path), tag=mine, rm=True, forcerm=True)
    alias = "learner.invalid/my-alias:1"
    client.images.get(base).tag(alias)
    theirs = client.containers.create(mine, ["sleep", "60"], name="learners-own-container")
    ours = run.start(client, base, purpose="test-cleanup", safe=False,
                     command=["sleep", "60"])
    app_tag = "sizedrop.invalid/cleanup-probe:test"
    _tiny_build(client, tmp_path, f"FROM {base}\nRUN echo ours > /ours\n", app_tag)
    try:
        report = cleanup.clean(client)
        assert ours.container.name in report["containers"]
        assert app_tag in report["images"]
        # the learner's things survive, whatever labels they inherited
        client.containers.get(theirs.id)
        client.images.get(mine)
        client.images.get(alias)
        client.images.get(base)  # base images stay unless --all
    finally:
        theirs.remove(force=True)
        for t in (mine, alias):
            try:
                client.images.remove(t)
            except Exception:
                pass


@pytest.mark.destructive
def test_cli_clean_also_spares_the_learner(client, base):
    import subprocess
    import sys

    theirs = client.containers.create(base, ["sleep", "60"])
    try:
        proc = subprocess.run([sys.executable, "-m", "lessons", "clean"], capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        client.containers.get(theirs.id)
    finally:
        theirs.remove(force=True)


def test_containers_are_removed_when_the_block_fails(client, base):
    with pytest.raises(ZeroDivisionError):
        with run.running(client, base, healthy=False, safe=False, command=["sleep", "60"],
                         purpose="test-fail") as app:
            cid = app.container.id
            1 / 0
    assert not client.containers.list(all=True, filters={"id": cid})


def test_an_interrupted_build_stops_and_leaves_nothing(client, base, tmp_path):
    """Ctrl-C in a notebook stops the CLI the way a terminal would (B._stop): BuildKit cancels
    the step that was running, and no image is made."""
    import subprocess

    marker = f"sizedrop-interrupt-{os.getpid()}"
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base}\nRUN sleep 30 && echo {marker} > /done\n")
    tag = "sizedrop.invalid/interrupted:test"
    argv = B.build_argv(tmp_path / "Dockerfile", tmp_path, tag, cwd=tmp_path)
    proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    for line in proc.stdout:
        if "RUN sleep 30" in line:          # the step has started
            break
    time.sleep(2)
    B._stop(proc)
    assert proc.returncode != 0, "the build was not interrupted"

    def step_still_running() -> bool:
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        return any(marker in line and "sleep 30" in line for line in ps.splitlines())

    deadline = time.monotonic() + 30
    while step_still_running() and time.monotonic() < deadline:
        time.sleep(1)
    assert not step_still_running(), "the cancelled RUN step is still running"
    with pytest.raises(ImageNotFound):
        client.images.get(tag)


def test_no_engine_is_one_clear_message(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(EngineUnavailable) as err:
        engine.connect(timeout=5)
    assert "no Docker engine answers" in err.value.message
    assert "start-engine" in err.value.hint or "Docker Desktop" in err.value.hint


def _connect_as_nobody(queue):
    os.setgid(65534)
    os.setuid(65534)
    try:
        engine.connect(timeout=5)
        queue.put("connected")
    except EngineUnavailable as err:
        queue.put(err.message + " | " + err.hint)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")
def test_permission_denied_on_the_socket_is_one_clear_message(client):
    sock = "/var/run/docker.sock"
    if os.environ.get("DOCKER_HOST", "unix://").startswith("unix://") and \
            os.path.exists(sock) and os.stat(sock).st_mode & 0o007:
        pytest.skip("the socket is world-accessible here")
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    p = ctx.Process(target=_connect_as_nobody, args=(q,))
    p.start()
    p.join(30)
    text = q.get(timeout=5)
    assert text.startswith("permission denied on the Docker socket"), text
    assert "docker' group" in text


def test_no_registry_points_to_the_local_set(client):
    if imagesets.registry_answers(client):
        pytest.skip("a registry answers this engine")
    if not imagesets.missing(client, "official"):
        pytest.skip("official images are present")
    with pytest.raises(ImagesUnavailable) as err:
        imagesets.choose(client, "official")
    assert "--build-local" in err.value.hint


def test_too_little_disk_is_refused_before_building(client):
    with pytest.raises(NotEnoughDisk) as err:
        B.check_disk(client, 10**18)
    assert "GB of disk" in err.value.message and "clean" in err.value.hint


def test_port_in_use_is_named(client, base):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(PortInUse) as err:
            run.start(client, base, port=port)
        assert str(port) in err.value.message


def test_failed_build_names_the_line_and_shows_the_log(client, base, tmp_path):
    text = f"FROM {base}\n\n# a step that fails\nRUN echo about to fail && false\n"
    with pytest.raises(BuildFailed) as err:
        _tiny_build(client, tmp_path, text, "sizedrop.invalid/failing:test")
    assert err.value.line == 4
    assert "Dockerfile:4" in err.value.message
    assert any("about to fail" in line for line in err.value.log_tail)
    assert "exit code: 1" in err.value.details     # BuildKit's words, on 20.10 and 26.1


def _purpose() -> str:
    """A purpose label only this test uses, so it checks its own containers and no other's."""
    return f"test-{os.getpid()}-{time.monotonic_ns()}"


def test_image_that_exits_shows_its_logs(client, base):
    purpose = _purpose()
    with pytest.raises(NeverHealthy) as err:
        with run.running(client, base, safe=False, timeout=20, purpose=purpose,
                         command=["sh", "-c", "echo cannot find my config >&2; exit 3"]):
            pass
    assert "exited with code 3" in err.value.message
    assert not client.containers.list(all=True, filters=L.container_filter(purpose))
    assert "cannot find my config" in err.value.details


def test_image_that_never_answers_times_out_with_logs(client, base):
    purpose = _purpose()
    with pytest.raises(NeverHealthy) as err:
        with run.running(client, base, safe=False, timeout=3, purpose=purpose,
                         command=["sh", "-c", "echo listening nowhere; sleep 60"]):
            pass
    assert "did not answer /healthz within 3 s" in err.value.message
    assert "listening nowhere" in err.value.details
    assert not client.containers.list(all=True, filters=L.container_filter(purpose))


def test_safe_defaults_are_applied(client, build, image_set):
    v = catalog.Variant("go", "distroless")
    with run.running(client, build(v), purpose="test-defaults") as app:
        host = app.container.attrs["HostConfig"]
        assert host["CapDrop"] == ["ALL"]
        assert "no-new-privileges" in host["SecurityOpt"]
        assert host["ReadonlyRootfs"] is True
        assert host["Memory"] > 0 and host["PidsLimit"] > 0
        bindings = host["PortBindings"]["8080/tcp"]
        assert all(b["HostIp"] == "127.0.0.1" for b in bindings)
        mounts = " ".join(m.get("Source", "") for m in app.container.attrs["Mounts"])
        assert "docker.sock" not in mounts
