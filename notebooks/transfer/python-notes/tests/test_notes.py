import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

from notes.store import BadInput, Store

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.store = Store(self.folder.name)

    def tearDown(self):
        self.store.close()
        self.folder.cleanup()

    def test_add_stamps_in_the_named_zone(self):
        got = self.store.add("hi", "2026-12-07T12:00:00Z", "Asia/Kolkata")
        self.assertEqual(got, {"id": 1, "text": "hi", "local": "2026-12-07T17:30:00+05:30"})

    def test_listing_converts_to_another_zone(self):
        self.store.add("a", "2026-07-01T12:00:00Z", "UTC")
        self.store.add("b", "2026-07-02T12:00:00Z", "UTC")
        got = self.store.all("America/New_York")
        self.assertEqual([n["text"] for n in got], ["b", "a"])
        self.assertEqual(got[0]["local"], "2026-07-02T08:00:00-04:00")

    def test_bad_input(self):
        for text, at, zone in (("", "2026-12-07T12:00:00Z", "UTC"), ("x", "soon", "UTC"),
                               ("x", "2026-12-07T12:00:00", "UTC"),
                               ("x", "2026-12-07T12:00:00Z", "Mars/Olympus")):
            with self.assertRaises(BadInput):
                self.store.add(text, at, zone)

    def test_stats_counts_notes(self):
        self.store.add("x", "2026-12-07T12:00:00Z", "UTC")
        self.assertEqual(self.store.stats()["notes"], 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerTest(unittest.TestCase):
    """The real server in a child process: answers, health check, clean stop on SIGTERM."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.port = free_port()
        env = dict(os.environ, PORT=str(self.port), NOTES_DIR=self.folder.name)
        self.proc = subprocess.Popen([sys.executable, "-m", "notes"], env=env, cwd=PACKAGE_ROOT)
        self.env = env
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.05)
        self.fail("the server did not answer within 10 s")

    def tearDown(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.folder.cleanup()

    def get(self, path):
        url = f"http://127.0.0.1:{self.port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def test_routes(self):
        self.assertEqual(self.get("/healthz"), (200, {"status": "ok"}))
        status, body = self.get("/notes/add?text=hi&at=2026-12-07T12:00:00Z&zone=Asia/Tokyo")
        self.assertEqual((status, body["local"]), (200, "2026-12-07T21:00:00+09:00"))
        self.assertEqual(self.get("/notes/stats")[1]["notes"], 1)
        self.assertEqual(self.get("/notes/add?text=hi")[0], 400)
        self.assertEqual(self.get("/nope"), (404, {"error": "not found"}))

    def test_healthcheck_module(self):
        done = subprocess.run([sys.executable, "-m", "notes.healthcheck"], env=self.env,
                              cwd=PACKAGE_ROOT)
        self.assertEqual(done.returncode, 0)

    def test_sigterm_stops_cleanly(self):
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=5), 0)
        self.assertLess(time.monotonic() - t0, 2.0)


if __name__ == "__main__":
    unittest.main()
