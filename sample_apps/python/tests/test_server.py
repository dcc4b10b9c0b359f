"""The service as the images run it: gunicorn with gunicorn.conf.py, asked over real sockets.

gunicorn parses each request before Flask sees it, so what it refuses (and how: the JSON of
sizedrop_app.worker), its limits, and how the process stops can only be tested on a running
gunicorn. Each request is written byte for byte, so the test decides exactly what arrives.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"

OK = b'{"status":"ok"}\n'
NOT_FOUND = b'{"error":"not found"}\n'
NOT_ALLOWED = b'{"error":"method not allowed"}\n'
NOT_INTEGER = b'{"error":"n must be an integer"}\n'
BAD_REQUEST = b'{"error":"bad request"}\n'
LINE_TOO_LONG = b'{"error":"request line too long"}\n'
HEADERS_TOO_LARGE = b'{"error":"request headers too large"}\n'
PRIMES_7 = b'{"n":7,"count":4,"largest":7}\n'


def time_factor():
    """How much longer than on a native CPU the time limits below may be. 1 unless the build
    says otherwise: an image built for another architecture under emulation (QEMU running
    arm64 code on an amd64 machine) runs Python several times slower, and the Dockerfiles then
    get --build-arg TEST_TIME_FACTOR=N."""
    raw = os.environ.get("TEST_TIME_FACTOR") or "1"
    try:
        factor = float(raw)
    except ValueError:
        factor = 0.0
    if not factor >= 1:
        raise SystemExit(f"TEST_TIME_FACTOR must be a number of at least 1, not {raw!r}")
    return factor


# How long the tests wait for gunicorn to answer after it starts, and the contract's limit for
# its exit after SIGTERM (status 0 within 2 s).
TIME_FACTOR = time_factor()
START_LIMIT_S = 30 * TIME_FACTOR
STOP_LIMIT_S = 2 * TIME_FACTOR


def request(method, target, fields=""):
    """A request with "Host: x", the given header lines and "Connection: close"."""
    return f"{method} {target} HTTP/1.1\r\nHost: x\r\n{fields}Connection: close\r\n\r\n".encode("latin-1")


def with_fields(fields):
    return request("GET", "/healthz", fields)


def many_fields(count, extra=""):
    return with_fields("".join(f"X-F{i}: 1\r\n" for i in range(count)) + extra)


def request_line_of(n):
    """A request line of exactly n bytes asking for /primes?n=7 with leading zeros."""
    fixed = len("GET /primes?n=") + len("7") + len(" HTTP/1.1")
    return b"GET /primes?n=" + b"0" * (n - fixed) + b"7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"


# (name, request bytes, status, body): the same cases as the Go and Java unit tests.
RAW_CASES = [
    ("double slash", request("GET", "//"), 404, NOT_FOUND),
    ("double slash healthz", request("GET", "//healthz"), 404, NOT_FOUND),
    ("encoded path", request("GET", "/%68ealthz"), 200, OK),
    ("broken escape in path", request("GET", "/nope%zz"), 404, NOT_FOUND),
    ("broken escape in query", request("GET", "/primes?n=%zz"), 400, NOT_INTEGER),
    ("NUL in query", request("GET", "/primes?n=1%00"), 400, NOT_INTEGER),
    ("HEAD", request("HEAD", "/healthz"), 405, NOT_ALLOWED),
    ("HEAD unknown", request("HEAD", "/nope"), 404, NOT_FOUND),
    ("OPTIONS *", request("OPTIONS", "*"), 404, NOT_FOUND),
    ("absolute form", request("GET", "http://x/healthz"), 404, NOT_FOUND),
    ("HTTP/1.0", b"GET /healthz HTTP/1.0\r\n\r\n", 200, OK),
    ("HTTP/1.2", b"GET /healthz HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n", 200, OK),
    ("empty line first", b"\r\n" + request("GET", "/healthz"), 200, OK),
    ("POST with a body", b"POST /primes HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nn=30",
     405, NOT_ALLOWED),
    ("chunked POST", b"POST /primes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"4\r\nn=30\r\n0\r\n\r\n", 405, NOT_ALLOWED),
    ("100-continue", b"POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
     404, NOT_FOUND),
    ("underscore field", with_fields("X_Under: 1\r\n"), 200, OK),
    # Limits: the largest accepted size, then one byte more.
    ("request line 8190", request_line_of(8190), 200, PRIMES_7),
    ("request line 8191", request_line_of(8191), 414, LINE_TOO_LONG),
    ("request line 20000", request("GET", "/" + "a" * 20000), 414, LINE_TOO_LONG),
    ("header line 8188", with_fields("X-Fill: " + "a" * 8180 + "\r\n"), 200, OK),
    ("header line 8189", with_fields("X-Fill: " + "a" * 8181 + "\r\n"), 431, HEADERS_TOO_LARGE),
    ("header 100000", with_fields("X-Big: " + "b" * 100000 + "\r\n"), 431, HEADERS_TOO_LARGE),
    ("100 fields", many_fields(98), 200, OK),  # + Host + Connection
    ("101 fields", many_fields(99), 431, HEADERS_TOO_LARGE),
    ("underscores not counted", many_fields(98, "X_A: 1\r\nX_B: 1\r\n"), 200, OK),
] + [(name, raw, 400, BAD_REQUEST) for name, raw in [
    ("garbage", b"GARBAGE\r\n\r\n"),
    ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
    ("HTTP/1.2 without Host", b"GET /healthz HTTP/1.2\r\n\r\n"),
    ("lower-case method", request("get", "/healthz")),
    ("method too long", request("A" * 21, "/healthz")),
    ("method too short", request("GE", "/healthz")),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\n\r\n"),
    ("HTTP/1", b"GET / HTTP/1\r\n\r\n"),
    ("two spaces", b"GET  / HTTP/1.1\r\n\r\n"),
    ("space in target", b"GET /a b HTTP/1.1\r\n\r\n"),
    ("no slash", request("GET", "healthz")),
    ("star with GET", request("GET", "*")),
    ("NUL in target", request("GET", "/\x00")),
    ("non-ASCII target", request("GET", "/\xc3\xa9")),
    ("bare LF", b"GET /healthz HTTP/1.1\nHost: x\n\n"),
    ("bare LF in fields", b"GET /healthz HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"),
    ("no colon", with_fields("Host x\r\n")),
    ("empty name", with_fields(": x\r\n")),
    ("space before colon", with_fields("Host : x\r\n")),
    ("folded line", with_fields("X-A: 1\r\n  2\r\n")),
    ("control in value", with_fields("X-A: a\x01b\r\n")),
    ("two Hosts", with_fields("Host: b\r\n")),
    ("two Content-Types", with_fields("Content-Type: a\r\ncontent-type: a\r\n")),
    ("Expect other", with_fields("Expect: something\r\n")),
    ("Content-Length word", with_fields("Content-Length: five\r\n")),
    ("Content-Length signed", with_fields("Content-Length: +5\r\n")),
    ("two Content-Lengths", with_fields("Content-Length: 0\r\nContent-Length: 0\r\n")),
    ("gzip alone", with_fields("Transfer-Encoding: gzip\r\n")),
    ("unknown coding", with_fields("Transfer-Encoding: magic\r\n")),
    ("chunked twice", with_fields("Transfer-Encoding: chunked, chunked\r\n")),
    ("chunked then gzip", with_fields("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n")),
    ("chunked and length", with_fields("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n")),
    ("chunked in 1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
]]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exchange(port, raw):
    """Send raw as it is, end the sending side, return every byte until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and stop reading before a huge request is all sent
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def parse(data, head=False):
    """(status, headers with lower-case names, body) of the one final response in data."""
    while True:
        top, _, rest = data.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        if status != 100:  # skip the interim answer to "Expect: 100-continue"
            break
        data = rest
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def start_gunicorn(port, log):
    env = dict(os.environ, PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", str(CONFIG)],
                            cwd=CONFIG.parent, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if parse(exchange(port, request("GET", "/healthz")))[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    log.seek(0)
    raise AssertionError("gunicorn did not come up:\n" + log.read().decode(errors="replace"))


@unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
class TestRunningService(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.log = tempfile.TemporaryFile()
        cls.port = free_port()
        cls.proc = start_gunicorn(cls.port, cls.log)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(10)
        cls.log.close()

    def test_raw_requests(self):
        for name, raw, status, body in RAW_CASES:
            with self.subTest(name):
                head = raw.startswith(b"HEAD ")
                got_status, headers, got_body = parse(exchange(self.port, raw))
                self.assertEqual((got_status, got_body), (status, b"" if head else body))
                self.assertEqual(headers.get("content-type"), "application/json")
                self.assertEqual(headers.get("content-length"), str(len(body)))
                self.assertEqual(headers.get("allow") == "GET", status == 405)
        self.assertEqual(parse(exchange(self.port, request("GET", "/healthz")))[0], 200)

    def test_keep_alive_serves_several_requests(self):
        data = exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                                   b"GET /primes?n=30 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data)
        self.assertTrue(data.endswith(b'{"n":30,"count":10,"largest":29}\n'), data)


@unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
class TestStopping(unittest.TestCase):
    def test_sigterm_stops_within_two_seconds_with_exit_status_zero(self):
        with tempfile.TemporaryFile() as log:
            proc = start_gunicorn(free_port(), log)
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(STOP_LIMIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                self.fail(f"gunicorn still running {STOP_LIMIT_S:g} s after SIGTERM"
                          f" (TEST_TIME_FACTOR {TIME_FACTOR:g})")
            self.assertEqual(code, 0, f"exit status after {time.monotonic() - started:.2f} s")


if __name__ == "__main__":
    unittest.main()
