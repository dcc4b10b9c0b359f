"""gunicorn's threaded worker, answering requests it refuses in the contract's JSON.

gunicorn parses every request before the application sees it. A request it refuses (a request
line longer than limit_request_line, a broken header, HTTP/2.0...) never reaches Flask: the
worker's handle_error writes an HTML page instead. This subclass keeps gunicorn's parser and its
rules, and only replaces that page with the JSON answers of sample_apps/README.md, which the Go
and Java servers give for the same requests:

* 414 {"error":"request line too long"} for LimitRequestLine;
* 431 {"error":"request headers too large"} for LimitRequestHeaders;
* 400 {"error":"bad request"} for every other request gunicorn refuses (where gunicorn itself
  would answer 417 for an unknown Expect or 501 for an unknown transfer coding: the contract
  has no 5xx for anything a client sends);
* 500 {"error":"internal error"} for a failure that is not the client's (a bug).

handle_error(req, client, addr, exc) is the worker method gunicorn calls for all of these; it
has kept that signature for many releases, and tests/test_server.py runs the real gunicorn to
check that it is still called.
"""

import socket
import time

from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

# How long, and how much, to read and drop after a refusal (see _linger).
LINGER_SECONDS = 2.0
LINGER_BYTES = 1 << 20

_REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large",
            500: "Internal Server Error"}

# Failures gunicorn raises that are not the client's: a response header the application set
# badly, or a SCRIPT_NAME that does not fit the path.
_SERVER_FAULTS = (errors.InvalidResponseHeader, errors.InvalidResponseHeaderName,
                  errors.ConfigurationProblem)


def classify(exc):
    """(status, message) of the contract for an exception gunicorn hands to handle_error."""
    if isinstance(exc, errors.LimitRequestLine):
        return 414, "request line too long"
    if isinstance(exc, errors.LimitRequestHeaders):
        return 431, "request headers too large"
    if isinstance(exc, errors.ParseException) and not isinstance(exc, _SERVER_FAULTS):
        return 400, "bad request"
    return 500, "internal error"


def error_response(status, message):
    """The bytes of a JSON error response that closes the connection."""
    body = '{"error":"%s"}\n' % message
    head = (f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    return (head + body).encode("ascii")


class JsonErrorWorker(ThreadWorker):
    """The gthread worker (workers x threads, as configured) with JSON error answers."""

    def handle_error(self, req, client, addr, exc):
        status, message = classify(exc)
        if status == 500:
            self.log.exception("Error handling request")
        else:
            self.log.warning("Refused request from %s: %s %s", (addr or ("",))[0], status, exc)
        try:
            client.sendall(error_response(status, message))
            _linger(client)
        except OSError:
            pass  # the client is gone; gunicorn closes the socket after this returns


def _linger(sock):
    """Stop sending, then read and drop what the client still sends, for a bounded time.

    Closing a socket with unread input (the rest of a 20 KB request line refused after 8 KB)
    makes the kernel reset the connection, which can destroy the answer before the client has
    read it. The Go and Java servers do the same ("lingering close").
    """
    sock.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + LINGER_SECONDS
    dropped = 0
    while dropped < LINGER_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        dropped += len(chunk)
