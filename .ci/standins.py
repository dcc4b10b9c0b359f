"""Stand-in registries for the path most learners take: the OFFICIAL image set.

No real registry is reachable from CI, so two local registries serve the lab's lookalikes
under the official names, for tests only (nothing recorded from them is ever called official):

* Docker Hub names (debian, golang, eclipse-temurin, python, busybox): Debian's
  ``docker-registry`` on 127.0.0.1:5000, used by the engine as its Docker Hub mirror
  (``"registry-mirrors"``; .ci/current-engine.sh start --mirror http://127.0.0.1:5000).
* gcr.io names (distroless): a second registry with TLS on 127.0.0.2:443, with a certificate
  for ``gcr.io`` signed by a throw-away CA; the engine gets ``127.0.0.2 gcr.io`` in its
  /etc/hosts and the CA in /etc/docker/certs.d/gcr.io (--hosts/--ca/--ca-for).

    python .ci/standins.py start      # registries up; prints the files the engine needs
    python .ci/standins.py push       # lookalikes -> official names (DOCKER_HOST: that engine)
    python .ci/standins.py stop
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lessons import classroom, engine, imagesets  # noqa: E402

STATE = Path(os.environ.get("SIZEDROP_STANDINS", "/var/lib/sizedrop/standins"))
HUB = "127.0.0.1:5000"
GCR_ADDR = "127.0.0.2:443"
GCR_NAME = "gcr.io"


def _run(*cmd: str) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _certificates() -> None:
    """A CA, and a certificate for gcr.io (and 127.0.0.2) that it signs."""
    d = STATE / "tls"
    if (d / "gcr.crt").exists():
        return
    d.mkdir(parents=True, exist_ok=True)
    _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7",
         "-subj", "/CN=Size Drop stand-in CA (tests only)", "-keyout", str(d / "ca.key"),
         "-out", str(d / "ca.crt"))
    (d / "ext.cnf").write_text("subjectAltName=DNS:gcr.io,IP:127.0.0.2\n"
                               "extendedKeyUsage=serverAuth\n")
    _run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=gcr.io",
         "-keyout", str(d / "gcr.key"), "-out", str(d / "gcr.csr"))
    _run("openssl", "x509", "-req", "-in", str(d / "gcr.csr"), "-CA", str(d / "ca.crt"),
         "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "7",
         "-extfile", str(d / "ext.cnf"), "-out", str(d / "gcr.crt"))


def _serve(name: str, addr: str, tls: bool) -> None:
    exe = shutil.which("docker-registry") or shutil.which("registry")
    if not exe:
        sys.exit("error: docker-registry is not installed (apt-get install docker-registry)")
    root = STATE / name
    root.mkdir(parents=True, exist_ok=True)
    config = classroom.config_text(addr, root / "data")
    if tls:
        config += (f"  tls:\n    certificate: {STATE / 'tls' / 'gcr.crt'}\n"
                   f"    key: {STATE / 'tls' / 'gcr.key'}\n")
    (root / "config.yml").write_text(config)
    log = open(root / "registry.log", "w")
    proc = subprocess.Popen([exe, "serve", str(root / "config.yml")], stdout=log, stderr=log,
                            start_new_session=True)
    (root / "pid").write_text(str(proc.pid))


def _answers(url: str, ca: Path | None = None) -> bool:
    import ssl
    ctx = ssl.create_default_context(cafile=str(ca)) if ca else None
    try:
        with urllib.request.urlopen(url, timeout=2, context=ctx) as r:
            return r.status == 200
    except Exception:
        return False


def start() -> None:
    _certificates()
    if not _answers(f"http://{HUB}/v2/"):
        _serve("hub", HUB, tls=False)
    gcr_url = f"https://{GCR_ADDR.split(':')[0]}/v2/"
    if not _answers(gcr_url, STATE / "tls" / "ca.crt"):
        _serve("gcr", GCR_ADDR, tls=True)
    for _ in range(100):
        if _answers(f"http://{HUB}/v2/") and _answers(gcr_url, STATE / "tls" / "ca.crt"):
            break
        time.sleep(0.1)
    else:
        sys.exit(f"error: the stand-in registries did not answer; logs in {STATE}/*/registry.log")
    hosts = STATE / "hosts"
    hosts.write_text(f"{GCR_ADDR.split(':')[0]} {GCR_NAME}\n")
    print(f"stand-in registries up: Docker Hub mirror http://{HUB}, {GCR_NAME} at {GCR_ADDR}")
    print(f"engine options: --mirror http://{HUB} --hosts {hosts} "
          f"--ca {STATE / 'tls' / 'ca.crt'} --ca-for {GCR_NAME}")


def push() -> None:
    """Serve every local lookalike under its official name; then drop those names from the
    engine, so that the official path really pulls."""
    client = engine.connect()
    for b in imagesets.BASE_IMAGES:
        image = client.images.get(b.local)
        if b.official.startswith(GCR_NAME + "/"):
            target = b.official
        else:
            target = f"{HUB}/library/{b.official}"
        repo, tag = target.rsplit(":", 1)
        image.tag(repo, tag)
        for line in client.images.push(repo, tag, stream=True, decode=True):
            if "error" in line:
                sys.exit(f"error: pushing {target}: {line['error']}")
        client.images.remove(target)
        print(f"{b.local} -> {target} (stand-in for {b.official})")


def stop() -> None:
    for name in ("hub", "gcr"):
        pid_file = STATE / name / "pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass
            pid_file.unlink()
    print("stand-in registries stopped")


if __name__ == "__main__":
    {"start": start, "push": push, "stop": stop}[sys.argv[1] if len(sys.argv) > 1 else ""]()
