"""Every variant of every app, built for real, run for real, asked for real.

One container per variant answers the whole HTTP contract; then the hardening claims the
notebooks make are checked on the same images.
"""

from __future__ import annotations

import time

import pytest

from lessons import catalog, inventory, run
from lessons.errors import BuildFailed

from .contract_cases import CASES, RAW_CASES, answer_problems

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


def send_raw(port: int, payload: bytes, timeout: float = 10.0) -> bytes:
    """Send ``payload`` as it is, end the sending side, return all bytes until the app closes."""
    import socket

    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the app may answer and stop reading before a huge request is all sent
        try:
            while chunk := s.recv(65536):
                data += chunk
        except OSError:
            pass  # a reset after the answer; what arrived is judged below
    return data


def test_answers_raw_requests_byte_for_byte(app, client):
    """Broken, odd and oversized requests, sent byte for byte: the same answer from every app."""
    v, running = app
    wrong = []
    for case in RAW_CASES:
        wrong += answer_problems(v.language, case, send_raw(running.port, case[1]))
    assert running.get("/healthz").status == 200, f"{v} stopped answering"
    running.container.reload()
    assert running.container.status == "running"
    assert not wrong, f"{v} breaks the contract:\n" + "\n".join(wrong)
    print(f"{v}: {len(RAW_CASES)} raw requests answered byte for byte")


def listening_sockets(client, container) -> set[tuple[str, str, int]]:
    """(file, local address, port) of every listening TCP socket in the container's network.

    Shell-free images cannot run `cat`, so a sidecar from the lab's Debian image joins the
    container's network namespace and reads /proc/net/tcp and /proc/net/tcp6, which describe
    the sockets of the namespace of the process that reads them.
    """
    from lessons import labels as L
    from lessons import probes

    out = client.containers.run(
        probes.debug_image(client), ["sh", "-c", "for f in tcp tcp6; do sed \"s/^/$f /\" /proc/net/$f; done"],
        network_mode=f"container:{container.id}", remove=True,
        labels=L.container_labels("test"), cap_drop=["ALL"]).decode()
    found = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[4] != "0A":  # 0A: LISTEN
            continue
        address, port = fields[2].split(":")
        found.add((fields[0], address, int(port, 16)))
    return found


ANY_V4 = ("tcp", "00000000", run.APP_PORT)
ANY_V6 = ("tcp6", "0" * 32, run.APP_PORT)


@pytest.mark.parametrize("ipv6", [False, True], ids=["ipv6-disabled", "ipv6-enabled"])
def test_listens_on_all_addresses(app, client, image_set, ipv6):
    """0.0.0.0 when the container has no IPv6 (Docker's default), dual-stack [::] when it has.

    Both ways the app serves IPv4: the engine's published port reaches it over IPv4, and
    `running` waits for /healthz through that port before anything is read.
    """
    v, _ = app
    flag = "0" if ipv6 else "1"
    sysctls = {"net.ipv6.conf.all.disable_ipv6": flag, "net.ipv6.conf.default.disable_ipv6": flag,
               "net.ipv6.conf.lo.disable_ipv6": flag}
    with run.running(client, v.tag(image_set), purpose="test", sysctls=sysctls) as other:
        found = listening_sockets(client, other.container)
    want = {ANY_V6} if ipv6 else {ANY_V4}
    assert found == want, f"{v} with IPv6 {'on' if ipv6 else 'off'} listens on {found}, want {want}"
    print(f"{v}: IPv6 {'on' if ipv6 else 'off'}: listening on {sorted(found)}")


def test_stops_by_itself_within_two_seconds_of_sigterm(app, client):
    """`docker stop -t 2`: SIGTERM, then SIGKILL after 2 s. Exit code 137 would mean killed.

    Every app exits 0 on SIGTERM: a stop that was asked for is not a failure (the JVM's own
    answer would be 143).
    """
    v, running = app
    result = run.stop(running, timeout=2)
    print(f"{v}: stopped in {result['stop_seconds']:.2f} s, exit code {result['exit_code']}")
    assert not result["killed"], f"{v} ignored SIGTERM and was killed after 2 s"
    assert result["exit_code"] == 0, f"{v} exited {result['exit_code']} on SIGTERM, want 0"


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
