"""Trace the service, then build a root filesystem of only the files it loaded.

Used by traced.dockerfile, run by the build stage's own python3 with -I (isolated: it reads
no PYTHON* variables and no site-packages, so the recorder below never records this script):

    python3 -I tracer.py run --app /app --venv /opt/venv --out /trace
    python3 -I tracer.py assemble --manifest /trace/manifest.tsv --layout pyc --rootfs /rootfs

``run`` installs the recorder (sizedrop_trace.py, see there) into the venv, then, as the
runtime's user 65532, runs the app's unit tests and the service exactly as the image runs it
(``python -m gunicorn --config gunicorn.conf.py`` in /app, PORT=8080), asks it every path of
the contract, sends it malformed raw requests and a burst of concurrent clients, runs the
health check (healthy and unhealthy), kills a worker so gunicorn starts another, and stops it
with SIGTERM. It reads /proc/<pid>/maps of the master and of every worker while they run and
again when each process exits. The files loaded by the service's processes become
manifest.tsv; what only the unit-test runner loaded (unittest, wsgiref...) is listed in
runner-only.txt and left out: tests never run in production.

``assemble`` copies the manifest's files into an empty folder with the symbolic links that
lead to them, writes Python modules in the chosen layout (.pyc only, .py and __pycache__, or
.py only), and adds the few files a root filesystem needs: users, a world-writable /tmp, the CA
bundle, and the licences and package records of what it copied.

Standard library only; no file from a public project.
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

UID = GID = 65532
PORT = 8080
RECORDER = "sizedrop_trace"
SKIP_PREFIXES = ("/proc/", "/sys/", "/dev/", "/tmp/", "/trace/", "/run/")

# Files the service's processes read from C, which neither the audit hook (Python-level opens
# only) nor /proc/<pid>/maps (mapped files only) sees. Found by running this whole trace once
# under `strace -f -e trace=%file` and comparing: glibc reads the name-service order (workers)
# and the time zone (log time stamps); OpenSSL, once libcrypto is loaded, its configuration.
# /etc/ld.so.cache is read too, and left out on purpose: it is a cache of the build stage's
# libraries, and without it the loader looks in its default folders, where they are.
C_READS = ("/etc/nsswitch.conf", "/etc/localtime", "/usr/lib/ssl/openssl.cnf")

# Every (method, target) of the contract's table (tests/live/contract_cases.py CASES).
CONTRACT = [
    ("GET", "/"), ("GET", "/?x=1"), ("GET", "/healthz"), ("GET", "/primes?n=30"),
    ("GET", "/primes?n=1"), ("GET", "/primes?n=0"), ("GET", "/primes?n=2"),
    ("GET", "/primes?n=007"), ("GET", "/primes?n=%31%30"), ("GET", "/primes?n=10&n=abc"),
    ("GET", "/primes?x=y&n=100"), ("GET", "/primes?n=1000000"), ("GET", "/primes"),
    ("GET", "/primes?n="), ("GET", "/primes?n=-5"), ("GET", "/primes?n=-0"),
    ("GET", "/primes?n=-abc"), ("GET", "/primes?n=abc"), ("GET", "/primes?n=+5"),
    ("GET", "/primes?n=1.5"), ("GET", "/primes?n=1e3"), ("GET", "/primes?n=%205"),
    ("GET", "/primes?n=1000001"), ("GET", "/primes?n=99999999999999999999999"),
    ("GET", "/nope"), ("GET", "/healthz/"), ("GET", "/primes/"), ("POST", "/nope"),
    ("POST", "/primes?n=5"), ("DELETE", "/"), ("PUT", "/healthz"),
]

# Requests a real client sends that the contract does not list: fields the app never reads but
# the server still parses, a keep-alive pair, HTTP/1.0, and a body.
EXTRA_RAW = [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.14\r\nAccept: */*\r\n"
    b"Accept-Encoding: gzip, br\r\nAccept-Language: de-DE,de;q=0.9\r\nCookie: a=1; b=2\r\n"
    b"Authorization: Basic dXNlcjpwdw==\r\nIf-Modified-Since: Sat, 29 Nov 2026 10:00:00 GMT\r\n"
    b"Range: bytes=0-10\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n",
    b"GET /primes?n=%C3%A9&x=%E2%82%AC HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /primes?n=30 HTTP/1.1\r\nHost: x\r\n"
    b"Connection: close\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"POST /primes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    b"Content-Length: 9\r\nConnection: close\r\n\r\n{\"n\": 5}\n",
]


# ------------------------------------------------------------------------------------ run

def exchange(raw: bytes, port: int = PORT, timeout: float = 15.0) -> bytes:
    """Send ``raw`` as it is, end the sending side, read until the server closes."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except OSError:
            pass
    return data


def status_of(reply: bytes) -> int | None:
    """The final status of a reply (an interim "100 Continue" skipped), None if none."""
    while True:
        try:
            status = int(reply.split(b" ", 2)[1])
        except (IndexError, ValueError):
            return None
        if status != 100:
            return status
        reply = reply.partition(b"\r\n\r\n")[2]


def wait_healthy(proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode} before it answered")
        try:
            if status_of(exchange(b"GET /healthz HTTP/1.0\r\n\r\n", timeout=2)) == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn did not answer /healthz in time")


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return out


def sample_maps(pids, into: set) -> None:
    """Mapped files of running processes, as the kernel lists them in /proc/<pid>/maps."""
    for pid in pids:
        try:
            with open(f"/proc/{pid}/maps", "rb") as f:
                text = f.read().decode("utf-8", "surrogateescape")
        except OSError:
            continue
        into.update(maps_paths(text))


def maps_paths(text: str) -> set[str]:
    """Paths of the files named in /proc/<pid>/maps text (not [heap], not deleted files)."""
    out = set()
    for line in text.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and fields[5].startswith("/") and not fields[5].endswith(" (deleted)"):
            out.add(fields[5])
    return out


def burst(clients: int = 200, seconds: float = 3.0) -> dict:
    counts: dict = collections.Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def loop(i):
        while time.monotonic() < stop_at:
            try:
                code = status_of(exchange(
                    f"GET /primes?n={1000 + i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .encode()))
            except OSError as err:
                code = type(err).__name__
            with lock:
                counts[code] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return dict(counts)


def as_app_user():
    os.setgroups([])
    os.setgid(GID)
    os.setuid(UID)


def run(args) -> int:
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "events.log")
    open(log, "w").close()
    os.chmod(log, 0o666)
    site = glob.glob(os.path.join(args.venv, "lib", "python3*", "site-packages"))[0]
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copy(os.path.join(here, RECORDER + ".py"), site)
    with open(os.path.join(site, RECORDER + ".pth"), "w") as f:
        f.write(f"import {RECORDER}\n")
    python = os.path.join(args.venv, "bin", "python")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/home/nonroot", "PORT": str(PORT),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
           "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "SIZEDROP_TRACE_LOG": log,
           # the unit tests' time limits: stretched under emulation (traced.dockerfile)
           "TEST_TIME_FACTOR": os.environ.get("TEST_TIME_FACTOR") or "1"}
    sampled: set[str] = set()
    notes = []
    try:
        # 1. The unit tests (they also start real gunicorn servers over raw sockets).
        print("trace: unit tests", flush=True)
        tests = subprocess.run([python, "-m", "unittest", "discover", "-s", "tests"],
                               cwd=args.app, env=env, preexec_fn=as_app_user)
        if tests.returncode != 0:
            raise SystemExit("the unit tests failed under the trace")

        # 2. The service as the image runs it.
        print("trace: gunicorn --config gunicorn.conf.py", flush=True)
        proc = subprocess.Popen([python, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
                                cwd=args.app, env=env, preexec_fn=as_app_user)
        wait_healthy(proc)
        import importlib.util

        spec = importlib.util.spec_from_file_location(
            "test_server", os.path.join(args.app, "tests", "test_server.py"))
        test_server = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(test_server)
        wrong = []
        for method, target in CONTRACT:
            reply = exchange(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
            if status_of(reply) is None:
                wrong.append(f"{method} {target}")
        for name, raw, status, _body in test_server.RAW_CASES:
            if status_of(exchange(raw)) != status:
                wrong.append(name)
        for raw in EXTRA_RAW:
            if status_of(exchange(raw)) is None:
                wrong.append(raw[:40])
        if wrong:
            raise SystemExit(f"unexpected answers under the trace: {wrong}")
        counts = burst()
        notes.append(f"burst: {counts}")
        if set(counts) != {200}:
            raise SystemExit(f"burst answered {counts}")
        # The health check, as HEALTHCHECK runs it, against the healthy service.
        check = [python, "-m", "sizedrop_app.healthcheck"]
        if subprocess.run(check, cwd=args.app, env=env, preexec_fn=as_app_user).returncode:
            raise SystemExit("the health check failed against a healthy service")
        workers = children(proc.pid)
        sample_maps([proc.pid, *workers], sampled)
        # A worker dies (out of memory, say): the master starts another, which loads the app.
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (
                len(children(proc.pid)) < len(workers) or workers[0] in children(proc.pid)):
            time.sleep(0.1)
        wait_healthy(proc)
        for method, target in CONTRACT:
            exchange(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                     .encode())
        sample_maps([proc.pid, *children(proc.pid)], sampled)
        # `docker stop`: SIGTERM, and the contract wants exit status 0 within 2 s.
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
        notes.append(f"gunicorn exit status after SIGTERM: {code}")
        if code != 0:
            raise SystemExit(f"gunicorn exited {code} on SIGTERM")
        # The health check's other answer: nothing listens, exit status 1.
        if subprocess.run(check, cwd=args.app, env=env, preexec_fn=as_app_user).returncode != 1:
            raise SystemExit("the health check did not fail with the service stopped")
    finally:
        os.remove(os.path.join(site, RECORDER + ".py"))
        os.remove(os.path.join(site, RECORDER + ".pth"))
    with open(log, encoding="utf-8", errors="surrogateescape") as f:
        events = parse_events(f.read().splitlines())
    manifest, runner_only, summary = collect(events, sampled, args.venv, args.app)
    write_manifest(os.path.join(out, "manifest.tsv"), manifest)
    with open(os.path.join(out, "runner-only.txt"), "w") as f:
        f.write("\n".join(sorted(runner_only)) + "\n")
    summary["notes"] = notes
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    print(json.dumps(summary, indent=1, sort_keys=True))
    return 0


# ------------------------------------------------------------------------ collect

def parse_events(lines):
    """The recorder's log as {pid: {"argv", "parent", "forked", "opened", "modules", "maps"}}."""
    procs: dict[int, dict] = {}

    def proc(pid):
        return procs.setdefault(pid, {"argv": [], "parent": 0, "forked": False,
                                      "opened": set(), "modules": [], "maps": set()})

    for line in lines:
        fields = line.split("\t")
        kind, pid = fields[0], int(fields[1])
        p = proc(pid)
        if kind == "P":
            p["parent"], p["argv"] = int(fields[2]), fields[3:]
        elif kind == "F":
            p["parent"], p["forked"] = int(fields[2]), True
        elif kind == "O":
            p["opened"].add(fields[2])
        elif kind == "M":
            p["modules"].append(tuple(fields[2:6]))
        elif kind == "X":
            p["maps"].add(fields[2])
    return procs


def is_service(argv) -> bool:
    """A process the image runs: the server, or the health check."""
    for i, word in enumerate(argv[:-1]):
        if word == "-m" and argv[i + 1] in ("gunicorn", "sizedrop_app.healthcheck"):
            return True
    return False


def service_pids(procs) -> set[int]:
    """The server and health check processes, and the processes they forked (workers)."""
    chosen = {pid for pid, p in procs.items() if not p["forked"] and is_service(p["argv"])}
    changed = True
    while changed:
        changed = False
        for pid, p in procs.items():
            if p["forked"] and pid not in chosen and p["parent"] in chosen:
                p["argv"] = procs[p["parent"]]["argv"]
                chosen.add(pid)
                changed = True
    return chosen


def source_module(name: str, origin: str) -> bool:
    """Does ``origin`` hold module ``name`` where the import system looks for it? (The config
    file gunicorn loads as "__config__" by its path does not: it stays a .py file.)"""
    rel = name.replace(".", "/")
    return origin.endswith(("/" + rel + ".py", "/" + rel + "/__init__.py"))


def wanted(path: str) -> bool:
    return (path.startswith("/") and not path.startswith(SKIP_PREFIXES)
            and RECORDER not in path and os.path.isfile(path))


def collect(procs, sampled, venv, app):
    """(manifest entries, modules only the test runner loaded, summary) from the events."""
    service = service_pids(procs)
    files: set[str] = set()
    modules: set[str] = set()
    bytecode_of: dict[str, str] = {}
    for pid in service:
        p = procs[pid]
        for name, origin, cached, loader in p["modules"]:
            if name == RECORDER or not origin.startswith("/"):
                continue          # built into the interpreter, frozen, or the recorder
            if cached:
                bytecode_of[os.path.realpath(cached)] = origin
            if loader == "SourceFileLoader" and source_module(name, origin):
                modules.add(origin)
            elif wanted(origin):
                files.add(origin)
        files.update(x for x in p["maps"] if wanted(x))
        for path in p["opened"]:
            if path.endswith(".pyc"):
                continue          # bytecode: the layout decides (see assemble)
            if wanted(path) and path not in modules:
                files.add(path)
    files.update(x for x in sampled if wanted(x))
    # What the interpreter reads in C before any Python code runs, which no audit hook sees:
    # the venv's pyvenv.cfg (it makes /opt/venv the prefix) and the standard library's
    # landmark os.py (how it finds /usr/lib/python3.13; os itself comes frozen in the binary).
    files.add(os.path.join(venv, "pyvenv.cfg"))
    stdlib = os.path.dirname(os.__file__)
    modules.add(os.path.join(stdlib, "os.py"))
    # And what the C libraries read with plain open(2), no mapping and no audit event (found
    # once by running this trace under strace -f; see C_READS).
    files.update(p for p in C_READS if os.path.exists(p)
                 and (not p.endswith("openssl.cnf") or any("libcrypto" in f for f in files)))
    runner_only = set()
    for pid, p in procs.items():
        if pid not in service:
            for name, origin, _cached, _loader in p["modules"]:
                if origin.startswith("/") and name != RECORDER and origin not in modules \
                        and origin not in files:
                    runner_only.add(origin)
    # The programs as the processes were started (/opt/venv/bin/python, a chain of links to
    # /usr/bin/python3.13), and the merged-/usr links, so that /bin/x and /lib/x name the same
    # files as in Debian (the loader looks in /lib/<triplet> before /usr/lib/<triplet>).
    # A file reached through links is copied once, at its real path, and the links are kept;
    # a module keeps the path it was imported from (its name depends on it), so only the
    # folders on the way to it count (Debian's sitecustomize.py is a link into /etc).
    entrypoints = {procs[pid]["argv"][0] for pid in service if procs[pid]["argv"]}
    links = symlinks_for(files | entrypoints | {"/bin/", "/lib/"}
                         | {os.path.dirname(m) + "/" for m in modules})
    files = {os.path.realpath(f) for f in files}
    dirs = {os.path.join(stdlib, "lib-dynload"), os.path.join(app)}
    manifest = ([("file", f) for f in sorted(files)] + [("py", m) for m in sorted(modules)]
                + [("link", a, b) for a, b in sorted(links.items())]
                + [("dir", d) for d in sorted(dirs)])
    summary = {
        "service_processes": len(service),
        "runner_processes": len(procs) - len(service),
        "files": len(files), "file_bytes": sum(os.path.getsize(f) for f in files),
        "python_modules": len(modules),
        "python_source_bytes": sum(os.path.getsize(m) for m in modules),
        "links": len(links),
        "runner_only_modules": len(runner_only),
    }
    return manifest, runner_only, summary


def symlinks_for(paths) -> dict[str, str]:
    """Every symbolic link met on the way to ``paths`` (each component, recursively), plus the
    links in a library's folder that lead to it: the dynamic loader asks for libz.so.1, and
    /proc/<pid>/maps names the file it resolved to, libz.so.1.3.1."""
    links: dict[str, str] = {}

    def walk(path, depth=0):
        if depth > 40:
            return
        parts = path.strip("/").split("/")
        current = ""
        for i, part in enumerate(parts):
            current += "/" + part
            if os.path.islink(current):
                target = os.readlink(current)
                links[current] = target
                base = os.path.dirname(current)
                resolved = os.path.normpath(target if target.startswith("/")
                                            else os.path.join(base, target))
                walk("/".join([resolved] + parts[i + 1:]), depth + 1)
                return

    for p in paths:
        walk(p)
    real = {os.path.realpath(p) for p in paths}
    folders = {os.path.dirname(os.path.realpath(p)) for p in paths if ".so" in p}
    for folder in folders:
        for entry in os.scandir(folder):
            if entry.is_symlink() and os.path.realpath(entry.path) in real:
                links[entry.path] = os.readlink(entry.path)
                walk(entry.path)
    # The ELF programs' loader, as they name it (/lib64/ld-linux-x86-64.so.2).
    for p in list(real):
        interp = elf_interpreter(p)
        if interp:
            walk(interp)
    return links


def elf_interpreter(path: str) -> str:
    """PT_INTERP of a 64-bit little-endian ELF file, or ""."""
    import struct

    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2:
                return ""
            phoff = struct.unpack_from("<Q", head, 32)[0]
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            table = f.read(phentsize * phnum)
            for i in range(phnum):
                ptype, _flags, offset, _v, _p, filesz = struct.unpack_from(
                    "<IIQQQQ", table, i * phentsize)
                if ptype == 3:
                    f.seek(offset)
                    return f.read(filesz).rstrip(b"\0").decode()
    except (OSError, struct.error):
        pass
    return ""


def write_manifest(path, entries):
    with open(path, "w") as f:
        for entry in entries:
            f.write("\t".join(entry) + "\n")


def read_manifest(path):
    with open(path) as f:
        return [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]


# ----------------------------------------------------------------------- assemble

# pyc is the choice of traced.dockerfile; the others are there to be measured against it.
LAYOUTS = ("pyc", "pyc-full", "pyc-oo", "both", "py")


def copy_file(src: str, root: str) -> str:
    dst = root + src
    os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
    shutil.copy2(src, dst, follow_symlinks=True)
    return dst


def assemble(args) -> int:
    root = os.path.abspath(args.rootfs)
    os.makedirs(root, exist_ok=True)
    entries = read_manifest(args.manifest)
    sizes = collections.Counter()
    shipped, sources = [], []
    for entry in entries:
        kind, path = entry[0], entry[1]
        if kind == "file":
            copy_file(path, root)
            shipped.append(path)
            sizes["files"] += os.path.getsize(path)
        elif kind == "py":
            shipped.append(path)
            sources.append(path)
        elif kind == "dir":
            os.makedirs(root + path, mode=0o755, exist_ok=True)
        elif kind == "link":
            dst = root + path
            os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
            if not os.path.lexists(dst):
                os.symlink(entry[2], dst)
    sizes["python"] += write_modules(sources, root, args.layout)
    sizes["system"] += system_files(root)
    sizes["records"] += records(root, shipped, args.venv)
    # Owned by root, readable by all, writable by root only; /tmp and the home are set apart.
    for folder, _dirs, _files in os.walk(root):
        if folder not in (root + "/tmp", root + "/home/nonroot"):
            os.chmod(folder, 0o755)
    dangling = [p for p in walk_links(root) if not os.path.exists(resolve_in(root, p))]
    if dangling:
        raise SystemExit(f"dangling links in the root filesystem: {dangling}")
    print(json.dumps({"layout": args.layout, "bytes": dict(sizes),
                      "total_bytes": sum(sizes.values())}, sort_keys=True))
    return 0


def write_modules(sources, root: str, layout: str) -> int:
    """Write the modules in ``layout``; returns the bytes written.

    pyc:      bytecode only, at the module's own path with a "c" added (x.py -> x.pyc), the
              way `compileall -b` writes it: the import system loads it with no .py beside it.
              Compiled with -X no_debug_ranges: no column tables, which only serve the ^^^^
              marks under a quoted source line, and with no source there is no line to quote.
              Tracebacks still name the file (the .py path) and the line number.
    pyc-full: the same with the column tables (measured, not chosen).
    pyc-oo:   the same compiled with -OO: no docstrings, no asserts (measured, not chosen: it
              changes what the program does).
    both:     the .py plus __pycache__/x.cpython-313.pyc, as Debian and pip install them.
    py:       the source only: every process compiles what it imports, on every start (the
              root filesystem is read-only, so nothing is cached).
    Bytecode is "unchecked-hash": valid whatever the files' dates, never re-validated (the image
    is read-only anyway), the same bytes on every build.
    """
    import importlib.util

    written = 0
    jobs = []
    for src in sources:
        if layout in ("both", "py"):
            written += os.path.getsize(copy_file(src, root))
        if layout.startswith("pyc"):
            jobs.append((src, root + src + "c"))
        elif layout == "both":
            jobs.append((src, root + importlib.util.cache_from_source(src)))
    flags = {"pyc": ["-X", "no_debug_ranges"], "pyc-oo": ["-OO"]}.get(layout, [])
    # One compiler process with the flags the layout needs (they are interpreter settings).
    code = ("import py_compile, sys\n"
            "mode = py_compile.PycInvalidationMode.UNCHECKED_HASH\n"
            "for line in sys.stdin:\n"
            "    src, dst = line.rstrip('\\n').split('\\t')\n"
            "    py_compile.compile(src, cfile=dst, dfile=src, doraise=True,\n"
            "                       invalidation_mode=mode)\n")
    for _src, dst in jobs:
        os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
    subprocess.run([sys.executable, "-I", *flags, "-c", code], check=True, text=True,
                   input="".join(f"{src}\t{dst}\n" for src, dst in jobs))
    return written + sum(os.path.getsize(dst) for _src, dst in jobs)


def system_files(root: str) -> int:
    """Users (nonroot is 65532, as in distroless), /tmp, a home, the CA bundle."""
    os.makedirs(root + "/etc/ssl/certs", mode=0o755, exist_ok=True)
    with open(root + "/etc/passwd", "w") as f:
        f.write("root:x:0:0:root:/root:/sbin/nologin\n"
                "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
                "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
    with open(root + "/etc/group", "w") as f:
        f.write("root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n")
    os.makedirs(root + "/tmp", exist_ok=True)
    os.chmod(root + "/tmp", 0o1777)
    os.makedirs(root + "/home/nonroot", exist_ok=True)
    os.chmod(root + "/home/nonroot", 0o700)
    os.chown(root + "/home/nonroot", UID, GID)
    bundle = copy_file("/etc/ssl/certs/ca-certificates.crt", root)
    return sum(os.path.getsize(root + p) for p in ("/etc/passwd", "/etc/group")) + \
        os.path.getsize(bundle)


def records(root: str, shipped, venv: str) -> int:
    """What a scanner and a licence audit need, though nothing loads it: for each Debian package
    with a file in the image, its copyright file and its dpkg record (var/lib/dpkg/status.d, as
    distroless does: there is no dpkg database); for each Python distribution with a module in
    the image, its METADATA and licence files."""
    written = 0
    owners = subprocess.run(["dpkg", "-S", *sorted({os.path.realpath(p) for p in shipped})],
                            capture_output=True, text=True).stdout
    packages = sorted({name.split(":")[0]
                       for line in owners.splitlines()
                       if ": /" in line and not line.startswith("diversion by")
                       for name in line.split(": /")[0].split(", ")})
    os.makedirs(root + "/var/lib/dpkg/status.d", mode=0o755, exist_ok=True)
    # Packages built from one source share one copyright text (python3.13-minimal,
    # libpython3.13-minimal and -stdlib: 50 KB each): the copies become symbolic links to the
    # first (not hard links: COPY --from writes a hard-linked file out in full each time). (Debian's slim images keep every package's copyright file; a build
    # stage without one, like the lab's local Debian root for its preinstalled packages, ships
    # the dpkg record alone.)
    texts: dict[bytes, str] = {}
    for pkg in packages:
        record = subprocess.run(["dpkg-query", "-s", pkg], capture_output=True, text=True,
                                check=True).stdout
        dst = root + "/var/lib/dpkg/status.d/" + pkg
        with open(dst, "w") as f:
            f.write(record)
        written += os.path.getsize(dst)
        copyright_file = f"/usr/share/doc/{pkg}/copyright"
        if os.path.isfile(copyright_file):
            dst = root + copyright_file
            os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
            with open(copyright_file, "rb") as f:
                text = f.read()
            if text in texts:
                os.symlink(os.path.relpath(texts[text], os.path.dirname(dst)), dst)
            else:
                shutil.copyfile(copyright_file, dst)
                texts[text] = dst
                written += os.path.getsize(dst)
    site = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages"))[0]
    used = {p[len(site) + 1:].split("/")[0] for p in shipped if p.startswith(site + "/")}
    for info in glob.glob(os.path.join(site, "*.dist-info")):
        top = os.path.join(info, "top_level.txt")
        names = open(top).read().split() if os.path.exists(top) else \
            [os.path.basename(info).split("-")[0].lower()]
        if not used.intersection(names):
            continue
        for dirpath, _dirs, filenames in os.walk(info):
            for name in filenames:
                path = os.path.join(dirpath, name)
                if name == "METADATA" or "licen" in path.lower() or "copying" in name.lower():
                    written += os.path.getsize(copy_file(path, root))
    return written


def walk_links(root):
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                yield path


def resolve_in(root: str, link: str, depth: int = 0) -> str:
    """Where ``link`` (a path under ``root``) leads when ``root`` is "/"."""
    target = os.readlink(link)
    path = root + target if target.startswith("/") else os.path.join(os.path.dirname(link), target)
    path = os.path.normpath(path)
    parts = path[len(root):].strip("/").split("/")
    current = root
    for i, part in enumerate(parts):
        current = os.path.join(current, part)
        if os.path.islink(current) and depth < 40:
            current = resolve_in(root, current, depth + 1)
    return current


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--app", default="/app")
    r.add_argument("--venv", default="/opt/venv")
    r.add_argument("--out", default="/trace")
    a = sub.add_parser("assemble")
    a.add_argument("--manifest", default="/trace/manifest.tsv")
    a.add_argument("--layout", choices=LAYOUTS, default="pyc")
    a.add_argument("--rootfs", default="/rootfs")
    a.add_argument("--venv", default="/opt/venv")
    args = ap.parse_args(argv)
    return run(args) if args.command == "run" else assemble(args)


if __name__ == "__main__":
    sys.exit(main())
