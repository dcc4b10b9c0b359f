"""Every variant of every app, built for real, run for real, asked for real.

One container per variant answers the whole HTTP contract; then the hardening claims the
notebooks make are checked on the same images.
"""

from __future__ import annotations

import time

import pytest

from lessons import catalog, inventory, run
from lessons.errors import BuildFailed

from .contract_cases import CASES

ALL = catalog.variants()


@pytest.fixture(scope="module", params=ALL, ids=str)
def app(request, client, build):
    v = request.param
    tag = build(v)
    print(f"built {tag}")
    with run.running(client, tag, purpose="test") as app:
        print(f"{v}: healthy after {app.healthy_after:.2f} s on {app.url}")
        yield v, app


def test_answers_the_whole_contract(app):
    v, running = app
    wrong = []
    for method, path, status, body in CASES:
        want = body.replace("{lang}", v.language).encode()
        got = run.http(method, running.url + path)
        if got.status != status or got.body != want:
            wrong.append(f"{method} {path}: got {got.status} {got.body!r}, "
                         f"want {status} {want!r}")
        elif not got.headers.get("Content-Type", "").startswith("application/json"):
            wrong.append(f"{method} {path}: Content-Type {got.headers.get('Content-Type')}")
    assert not wrong, f"{v} breaks the contract:\n" + "\n".join(wrong)
    print(f"{v}: {len(CASES)} contract requests answered byte for byte")


def test_health_check_built_into_the_image(app, client):
    """The Dockerfile's HEALTHCHECK (the app checking itself, no curl) reports healthy."""
    v, running = app
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline:
        running.container.reload()
        status = running.container.attrs["State"].get("Health", {}).get("Status")
        if status == "healthy":
            break
        time.sleep(0.5)
    assert status == "healthy", f"{v}: engine health status {status!r}"


def test_runs_as_the_user_it_claims(app, client):
    v, running = app
    top = client.api.top(running.container.id)
    uid_col = top["Titles"].index("UID")
    uids = {p[uid_col] for p in top["Processes"]}
    if v.hardened:
        assert uids == {"65532"}, f"{v} processes run as {uids}, not 65532"
    else:
        assert uids == {"root"}, f"{v} (the naive single-stage) runs as {uids}"


def test_no_shell_in_shell_free_images(app, client):
    v, running = app
    result = running.container.exec_run(["sh", "-c", "echo hello"])
    if v.shell_free:
        assert result.exit_code != 0 and b"hello" not in result.output, \
            f"{v} has a working shell"
    else:
        assert result.exit_code == 0


def test_filesystem_attack_surface(app, client):
    v, running = app
    inv = inventory.of_image(client, running.container.image.id)
    shells = inv.present(inventory.SHELLS)
    managers = inv.present(inventory.PACKAGE_MANAGERS)
    if v.shell_free:
        assert shells == [], f"{v} contains shells {shells}"
        assert managers == [], f"{v} contains package managers {managers}"
    if v.variant == "single-stage":
        assert "sh" in shells and managers, f"{v}: expected a shell and a package manager"


BURST_CLIENTS = 200
BURST_SECONDS = 5.0


def test_holds_a_bounded_burst_on_loopback(app, client):
    """200 concurrent clients for a few seconds on 127.0.0.1: no errors, no restarts."""
    import threading

    v, running = app
    statuses: dict = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + BURST_SECONDS

    def client_loop(i):
        while time.monotonic() < stop_at:
            try:
                code = running.get(f"/primes?n={1000 + i}", timeout=15).status
            except OSError as err:
                code = type(err).__name__
            with lock:
                statuses[code] = statuses.get(code, 0) + 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(BURST_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    running.container.reload()
    total = sum(statuses.values())
    print(f"{v}: {total} requests from {BURST_CLIENTS} clients in {BURST_SECONDS:.0f} s: "
          f"{statuses}")
    assert set(statuses) == {200}, f"{v}: {statuses}"
    assert running.container.status == "running"
    assert running.container.attrs["RestartCount"] == 0


# (request, must it be refused with a 4xx?). A huge but well-formed header may be accepted;
# what no request may do is get a 5xx or stop the server.
MALFORMED = [
    (b"GET /primes?n=%zz HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"GET /primes?n=" + b"9" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"PATCH /primes?n=5 HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"TRACE / HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"OPTIONS /healthz HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"GET /primes?n=1%00 HTTP/1.1\r\nHost: x\r\n\r\n", True),
    (b"POST /primes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", True),
    (b"GARBAGE\r\n\r\n", True),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 100000 + b"\r\n\r\n", False),
]


def _raw(port: int, payload: bytes) -> bytes:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close early on an oversized request: fine
        data = b""
        try:
            while len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
    return data


def test_malformed_requests_get_4xx_never_5xx(app, client):
    v, running = app
    seen = []
    for payload, refused in MALFORMED:
        reply = _raw(running.port, payload)
        status = reply.split(b" ", 2)[1].decode() if reply.startswith(b"HTTP/") else "closed"
        seen.append(status)
        ok = ("4",) if refused else ("2", "4")
        assert status == "closed" or status.startswith(ok), \
            f"{v}: {payload[:60]!r}... got {reply[:200]!r}"
    assert running.get("/healthz").status == 200, f"{v} stopped answering"
    running.container.reload()
    assert running.container.status == "running"
    print(f"{v}: malformed requests answered {seen}")


def test_stops_by_itself_within_two_seconds_of_sigterm(app, client):
    """`docker stop -t 2`: SIGTERM, then SIGKILL after 2 s. Exit code 137 would mean killed."""
    v, running = app
    result = run.stop(running, timeout=2)
    print(f"{v}: stopped in {result['stop_seconds']:.2f} s, exit code {result['exit_code']}")
    assert not result["killed"], f"{v} ignored SIGTERM and was killed after 2 s"


@pytest.mark.parametrize("language", catalog.LANGUAGES)
def test_a_failing_unit_test_fails_the_build(language, client, image_set, tmp_path):
    """Tests run inside the build stage: break one, and the build must stop there."""
    import shutil

    from lessons import build as B
    from lessons import lab

    v = catalog.Variant(language, "multi-stage")
    ctx = tmp_path / language
    shutil.copytree(v.context, ctx)
    broken = _break_a_test(ctx, language)
    with pytest.raises(BuildFailed) as info:
        B.build(client, ctx, ctx / "multi-stage.dockerfile",
                f"sizedrop.invalid/broken-{language}:test", buildargs=lab.build_args(v, image_set))
    err = info.value
    print(f"{language}: {err.message}")
    assert err.line is not None and "multi-stage.dockerfile:" in err.message
    assert "RUN" in err.step, err.step
    assert broken in "\n".join(err.log_tail) or err.log_tail


def _break_a_test(ctx, language) -> str:
    """Make one unit test fail; returns a marker expected in the failure log."""
    marker = "SIZEDROP_DELIBERATE_FAILURE"
    if language == "go":
        (ctx / "zz_broken_test.go").write_text(
            'package main\n\nimport "testing"\n\nfunc TestBroken(t *testing.T) '
            '{ t.Fatal("' + marker + '") }\n')
    elif language == "python":
        (ctx / "tests" / "test_zz_broken.py").write_text(
            "import unittest\n\n\nclass Broken(unittest.TestCase):\n"
            "    def test_broken(self):\n        self.fail('" + marker + "')\n")
    else:
        import re

        runner = next(p for p in (ctx / "src" / "test").rglob("*.java")
                      if "public static void main" in p.read_text())
        runner.write_text(re.sub(r"(public static void main\(String\[\] args\)[^{]*\{)",
                                 r'\1 if (true) throw new AssertionError("' + marker + '");',
                                 runner.read_text(), count=1))
    return marker
