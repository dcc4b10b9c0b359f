"""The HTTP side: routes, JSON answers, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .store import BadInput, Store


class Handler(BaseHTTPRequestHandler):
    store: Store  # set on the subclass made by make_server

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            if url.path == "/healthz":
                self.store.stats()
                return self._send(200, {"status": "ok"})
            if url.path == "/notes/add":
                return self._send(200, self.store.add(query.get("text", ""),
                                                      query.get("at", ""),
                                                      query.get("zone", "")))
            if url.path == "/notes":
                return self._send(200, {"notes": self.store.all(query.get("zone", ""))})
            if url.path == "/notes/stats":
                return self._send(200, self.store.stats())
        except BadInput as err:
            return self._send(400, {"error": str(err)})
        return self._send(404, {"error": "not found"})

    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body, separators=(",", ":")).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("notes: " + (fmt % args) + "\n")


def make_server(port: int, folder: str) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"store": Store(folder)})
    server = ThreadingHTTPServer(("0.0.0.0", port), handler)
    server.daemon_threads = True
    return server


def main() -> int:
    server = make_server(int(os.environ.get("PORT", "8080")),
                         os.environ.get("NOTES_DIR", "/var/lib/notes"))

    def stop(signum, _frame):
        print(f"notes: got signal {signum}, stopping", flush=True)
        # shutdown() waits for serve_forever() to return: call it from another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"notes listening on port {server.server_address[1]}", flush=True)
    server.serve_forever()
    server.server_close()
    server.RequestHandlerClass.store.close()
    return 0
