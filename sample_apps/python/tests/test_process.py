"""The process side: the self health check and the gunicorn settings."""

import os
import runpy
import socket
import threading
import unittest
from pathlib import Path
from unittest import mock
from wsgiref.simple_server import WSGIRequestHandler, make_server

from sizedrop_app import create_app, healthcheck

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve(app):
    """Serve app on a free loopback port in a background thread; return (server, port)."""
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


def free_port():
    """A loopback port nothing is listening on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestHealthcheck(unittest.TestCase):
    def run_check(self, port):
        # http_proxy set on purpose: the check must go straight to the loopback address.
        env = {"PORT": str(port), "http_proxy": "http://127.0.0.1:9"}
        with mock.patch.dict(os.environ, env):
            return healthcheck.main()

    def test_healthy_service(self):
        server, port = serve(create_app())
        try:
            self.assertEqual(self.run_check(port), 0)
        finally:
            server.shutdown()
            server.server_close()

    def test_nothing_listening(self):
        self.assertEqual(self.run_check(free_port()), 1)

    def test_non_200_answer(self):
        def failing(environ, start_response):
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"down\n"]

        server, port = serve(failing)
        try:
            self.assertEqual(self.run_check(port), 1)
        finally:
            server.shutdown()
            server.server_close()

    def test_bad_port_value(self):
        self.assertEqual(self.run_check("not-a-port"), 1)


class TestGunicornConfig(unittest.TestCase):
    def load(self, **env):
        with mock.patch.dict(os.environ, env):
            if "PORT" not in env:
                os.environ.pop("PORT", None)
            return runpy.run_path(str(CONFIG))

    @unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
    def test_port_from_environment(self):
        host = "[::]" if self.load()["ipv6_usable"]() else "0.0.0.0"
        self.assertEqual(self.load(PORT="9123")["bind"], [f"{host}:9123"])
        self.assertEqual(self.load()["bind"], [f"{host}:8080"])
        self.assertEqual(self.load(PORT="")["bind"], [f"{host}:8080"])

    @unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
    def test_all_addresses_dual_stack_only_with_ipv6(self):
        settings = self.load()
        with mock.patch("socket.socket.bind", side_effect=OSError("IPv6 disabled")):
            self.assertFalse(settings["ipv6_usable"]())

    @unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
    def test_stops_fast_and_writes_nothing_to_the_image(self):
        settings = self.load()
        self.assertLessEqual(settings["graceful_timeout"], 1)
        self.assertEqual(settings["worker_tmp_dir"], "/dev/shm")
        self.assertTrue(settings["control_socket_disable"])

    @unittest.skipUnless(CONFIG.exists(), "gunicorn.conf.py is not next to the tests")
    def test_request_limits_of_the_contract(self):
        # 8190 bytes of request line (8 KiB with CRLF), 8190-byte header lines, 100 fields:
        # the limits the Go and Java servers apply too. 0 would mean no limit at all.
        settings = self.load()
        self.assertEqual(settings["limit_request_line"], 8190)
        self.assertEqual(settings["limit_request_field_size"], 8190)
        self.assertEqual(settings["limit_request_fields"], 100)
        self.assertEqual(settings["http_parser"], "python")
        self.assertEqual(settings["worker_class"], "sizedrop_app.worker.JsonErrorWorker")


if __name__ == "__main__":
    unittest.main()
