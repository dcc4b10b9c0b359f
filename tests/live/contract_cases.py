"""The HTTP contract of sample_apps/README.md as data: (method, path, status, body).

``{lang}`` in a body stands for the app's language. Every image of every language must give
exactly these bytes.
"""

CASES = [
    ("GET", "/", 200, '{"service":"size-drop","language":"{lang}"}\n'),
    ("GET", "/?x=1", 200, '{"service":"size-drop","language":"{lang}"}\n'),
    ("GET", "/healthz", 200, '{"status":"ok"}\n'),
    ("GET", "/primes?n=30", 200, '{"n":30,"count":10,"largest":29}\n'),
    ("GET", "/primes?n=1", 200, '{"n":1,"count":0,"largest":null}\n'),
    ("GET", "/primes?n=0", 200, '{"n":0,"count":0,"largest":null}\n'),
    ("GET", "/primes?n=2", 200, '{"n":2,"count":1,"largest":2}\n'),
    ("GET", "/primes?n=007", 200, '{"n":7,"count":4,"largest":7}\n'),
    ("GET", "/primes?n=%31%30", 200, '{"n":10,"count":4,"largest":7}\n'),
    ("GET", "/primes?n=10&n=abc", 200, '{"n":10,"count":4,"largest":7}\n'),
    ("GET", "/primes?x=y&n=100", 200, '{"n":100,"count":25,"largest":97}\n'),
    ("GET", "/primes?n=1000000", 200, '{"n":1000000,"count":78498,"largest":999983}\n'),
    ("GET", "/primes", 400, '{"error":"missing query parameter n"}\n'),
    ("GET", "/primes?n=", 400, '{"error":"missing query parameter n"}\n'),
    ("GET", "/primes?n=-5", 400, '{"error":"n must not be negative"}\n'),
    ("GET", "/primes?n=-0", 400, '{"error":"n must not be negative"}\n'),
    ("GET", "/primes?n=-abc", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=abc", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=+5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1.5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1e3", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=%20" + "5", 400, '{"error":"n must be an integer"}\n'),
    ("GET", "/primes?n=1000001", 400, '{"error":"n must be at most 1000000"}\n'),
    ("GET", "/primes?n=99999999999999999999999", 400, '{"error":"n must be at most 1000000"}\n'),
    ("GET", "/nope", 404, '{"error":"not found"}\n'),
    ("GET", "/healthz/", 404, '{"error":"not found"}\n'),
    ("GET", "/primes/", 404, '{"error":"not found"}\n'),
    ("POST", "/nope", 404, '{"error":"not found"}\n'),
    ("POST", "/primes?n=5", 405, '{"error":"method not allowed"}\n'),
    ("DELETE", "/", 405, '{"error":"method not allowed"}\n'),
    ("PUT", "/healthz", 405, '{"error":"method not allowed"}\n'),
]


# ---------------------------------------------------------------------------------------------
# Raw requests: the bytes go to the app's port exactly as written here, through a plain socket,
# because an HTTP client library would refuse, repair or re-encode most of them ("//", "%zz", a
# 20 KB request line, a bare LF...). The app must answer each with this status and exactly this
# body on the wire (nothing for HEAD), served as application/json, "Allow: GET" with every 405
# and only then. Every request says "Connection: close" (or is HTTP/1.0, or broken), so the
# answer ends when the app closes the connection, and every HTTP/1.1 request names a Host,
# as it must (except the one that checks it must).

NOT_FOUND = '{"error":"not found"}\n'
NOT_ALLOWED = '{"error":"method not allowed"}\n'
NOT_INTEGER = '{"error":"n must be an integer"}\n'
TOO_LARGE = '{"error":"n must be at most 1000000"}\n'
HEALTHY = '{"status":"ok"}\n'
ROOT = '{"service":"size-drop","language":"{lang}"}\n'
BAD_REQUEST = '{"error":"bad request"}\n'
LINE_TOO_LONG = '{"error":"request line too long"}\n'
HEADERS_TOO_LARGE = '{"error":"request headers too large"}\n'

# The limits of sample_apps/README.md.
MAX_REQUEST_LINE = 8190  # bytes before the CRLF
MAX_FIELD_LINE = 8188  # bytes of one header line before its CRLF
MAX_FIELDS = 100


def req(method: str, target: str, fields: str = "") -> bytes:
    """A request with "Host: x", the given header lines and "Connection: close"."""
    return (f"{method} {target} HTTP/1.1\r\nHost: x\r\n{fields}Connection: close\r\n\r\n"
            .encode("latin-1"))


def with_fields(fields: str) -> bytes:
    return req("GET", "/healthz", fields)


def many_fields(count: int, extra: str = "") -> bytes:
    return with_fields("".join(f"X-F{i}: 1\r\n" for i in range(count)) + extra)


def request_line_of(length: int) -> bytes:
    """A request line of exactly ``length`` bytes: /primes?n=7 with leading zeros."""
    fixed = len("GET /primes?n=") + len("7") + len(" HTTP/1.1")
    return (b"GET /primes?n=" + b"0" * (length - fixed)
            + b"7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


# (name, request bytes, status, body on the wire)
RAW_CASES = [
    # Paths: decoded once, then compared; nothing else is cleaned, redirected or refused.
    ("GET //", req("GET", "//"), 404, NOT_FOUND),
    ("GET //healthz", req("GET", "//healthz"), 404, NOT_FOUND),
    ("POST //healthz", req("POST", "//healthz"), 404, NOT_FOUND),
    ("GET /%68ealthz", req("GET", "/%68ealthz"), 200, HEALTHY),
    ("GET /%70rimes?n=10", req("GET", "/%70rimes?n=10"), 200, '{"n":10,"count":4,"largest":7}\n'),
    ("POST /%68ealthz", req("POST", "/%68ealthz"), 405, NOT_ALLOWED),
    ("GET /%2568ealthz", req("GET", "/%2568ealthz"), 404, NOT_FOUND),
    ("GET /healthz%2F", req("GET", "/healthz%2F"), 404, NOT_FOUND),
    ("GET /healthz+", req("GET", "/healthz+"), 404, NOT_FOUND),
    ("GET /nope%zz", req("GET", "/nope%zz"), 404, NOT_FOUND),
    ("GET /healthz%", req("GET", "/healthz%"), 404, NOT_FOUND),
    ("GET /primes?n=%zz", req("GET", "/primes?n=%zz"), 400, NOT_INTEGER),
    ("GET /primes?n=%", req("GET", "/primes?n=%"), 400, NOT_INTEGER),
    ("GET /primes?n=1%00", req("GET", "/primes?n=1%00"), 400, NOT_INTEGER),
    ("GET /primes?n=5#top", req("GET", "/primes?n=5#top"), 400, NOT_INTEGER),
    ("GET /healthz#top", req("GET", "/healthz#top"), 404, NOT_FOUND),
    ("GET /primes?n=9x5000", req("GET", "/primes?n=" + "9" * 5000), 400, TOO_LARGE),
    ("OPTIONS *", req("OPTIONS", "*"), 404, NOT_FOUND),
    ("GET http://x/healthz", req("GET", "http://x/healthz"), 404, NOT_FOUND),
    ("CONNECT x:443", req("CONNECT", "x:443"), 404, NOT_FOUND),
    # Methods: HEAD is not GET, and gets no body; others are 405 on known paths.
    ("HEAD /healthz", req("HEAD", "/healthz"), 405, ""),
    ("HEAD /", req("HEAD", "/"), 405, ""),
    ("HEAD /nope", req("HEAD", "/nope"), 404, ""),
    ("HEAD //healthz", req("HEAD", "//healthz"), 404, ""),
    ("PATCH /primes?n=5", req("PATCH", "/primes?n=5"), 405, NOT_ALLOWED),
    ("TRACE /", req("TRACE", "/"), 405, NOT_ALLOWED),
    ("OPTIONS /healthz", req("OPTIONS", "/healthz"), 405, NOT_ALLOWED),
    ("BREW /", req("BREW", "/"), 405, NOT_ALLOWED),
    # Versions and framing that are fine.
    ("HTTP/1.0", b"GET / HTTP/1.0\r\n\r\n", 200, ROOT),
    ("HTTP/1.2", b"GET /healthz HTTP/1.2\r\nHost: x\r\nConnection: close\r\n\r\n", 200, HEALTHY),
    ("HTTP/1.0 without Host", b"GET /healthz HTTP/1.0\r\n\r\n", 200, HEALTHY),
    ("empty line first", b"\r\n" + req("GET", "/healthz"), 200, HEALTHY),
    ("POST with a body", b"POST /primes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
     405, NOT_ALLOWED),
    ("chunked POST",
     b"POST /primes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nn=30\r\n0\r\n\r\n",
     405, NOT_ALLOWED),
    ("Expect: 100-continue",
     b"POST /nope HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
     404, NOT_FOUND),
    ("underscore field", with_fields("X_Under: 1\r\n"), 200, HEALTHY),
    # Limits: the largest accepted size, one byte more, and far more.
    ("request line 8190", request_line_of(MAX_REQUEST_LINE), 200, '{"n":7,"count":4,"largest":7}\n'),
    ("request line 8191", request_line_of(MAX_REQUEST_LINE + 1), 414, LINE_TOO_LONG),
    ("request line 20 KB", req("GET", "/" + "a" * 20000), 414, LINE_TOO_LONG),
    ("header line 8188", with_fields("X-Fill: " + "a" * (MAX_FIELD_LINE - 8) + "\r\n"), 200, HEALTHY),
    ("header line 8189", with_fields("X-Fill: " + "a" * (MAX_FIELD_LINE - 7) + "\r\n"),
     431, HEADERS_TOO_LARGE),
    ("header 100 KB", with_fields("X-Big: " + "b" * 100000 + "\r\n"), 431, HEADERS_TOO_LARGE),
    ("100 fields", many_fields(MAX_FIELDS - 2), 200, HEALTHY),  # + Host + Connection
    ("101 fields", many_fields(MAX_FIELDS - 1), 431, HEADERS_TOO_LARGE),
    ("'_' fields not counted", many_fields(MAX_FIELDS - 2, "X_A: 1\r\nX_B: 1\r\n"), 200, HEALTHY),
] + [(name, raw, 400, BAD_REQUEST) for name, raw in [
    # Not acceptable HTTP/1.x: one JSON 400 for all.
    ("garbage", b"GARBAGE\r\n\r\n"),
    ("HTTP/1.1 without Host", b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
    ("lower-case method", req("get", "/healthz")),
    ("21-letter method", req("A" * 21, "/healthz")),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\n\r\n"),
    ("HTTP/1", b"GET / HTTP/1\r\n\r\n"),
    ("two spaces", b"GET  / HTTP/1.1\r\n\r\n"),
    ("space in target", b"GET /a b HTTP/1.1\r\n\r\n"),
    ("target without /", req("GET", "healthz")),
    ("GET *", req("GET", "*")),
    ("NUL in target", req("GET", "/\x00")),
    ("non-ASCII target", req("GET", "/\xc3\xa9")),
    ("bare LF", b"GET /healthz HTTP/1.1\nHost: x\n\n"),
    ("bare LF in a field", b"GET /healthz HTTP/1.1\r\nHost: x\nA: b\r\n\r\n"),
    ("field without colon", with_fields("Host x\r\n")),
    ("space before colon", with_fields("Host : x\r\n")),
    ("folded field", with_fields("X-A: 1\r\n  2\r\n")),
    ("control char in value", with_fields("X-A: a\x01b\r\n")),
    ("two Hosts", with_fields("Host: b\r\n")),
    ("two Content-Types", with_fields("Content-Type: a\r\nContent-Type: a\r\n")),
    ("Expect: other", with_fields("Expect: something\r\n")),
    ("Content-Length: five", with_fields("Content-Length: five\r\n")),
    ("two Content-Lengths", with_fields("Content-Length: 0\r\nContent-Length: 0\r\n")),
    ("Transfer-Encoding: gzip", with_fields("Transfer-Encoding: gzip\r\n")),
    ("Transfer-Encoding: magic", with_fields("Transfer-Encoding: magic\r\n")),
    ("chunked and Content-Length",
     with_fields("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n")),
    ("chunked in HTTP/1.0", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
]]


def parse_reply(data: bytes) -> tuple[int | None, dict, bytes]:
    """(status, headers with lower-case names, body) of the final response in ``data``.

    An interim "100 Continue" is skipped. The body is everything after the head: the requests
    above all end with the connection, so it is exactly what the app sent. ``None`` as the
    status means no HTTP response came back at all.
    """
    while True:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not data.startswith(b"HTTP/") or not sep:
            return None, {}, data
        lines = head.decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ")[1])
        except (IndexError, ValueError):
            return None, {}, data
        if status != 100:
            break
        data = rest
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def answer_problems(language: str, case: tuple, reply: bytes) -> list[str]:
    """What is wrong with ``reply`` as the answer of a ``language`` app to a RAW_CASES case.

    An empty list means the answer is exactly the contract's: status, body byte for byte
    (``{lang}`` is the language), Content-Type, and Allow with 405s only.
    """
    name, _raw, status, body = case
    want = body.replace("{lang}", language).encode()
    got_status, headers, got_body = parse_reply(reply)
    problems = []
    if got_status != status or got_body != want:
        problems.append(f"{name}: got {got_status} {got_body[:120]!r}, want {status} {want!r}")
    if got_status is not None and headers.get("content-type") != "application/json":
        problems.append(f"{name}: Content-Type {headers.get('content-type')!r}")
    if got_status is not None and (headers.get("allow") == "GET") != (status == 405):
        problems.append(f"{name}: Allow {headers.get('allow')!r} with status {got_status}")
    return problems
