"""The floor: the bytes an app really loads when it runs, measured by tracing it.

The floor is a lower bound for any image of the app: the program, the runtime and every library
it loads, nothing else. It is measured, not listed: the image runs with the lab's safe defaults,
answers a set of requests (ordinary ones, errors, malformed ones the server refuses, a small
burst), runs its own HEALTHCHECK command once, and is stopped with SIGTERM. Counted, each file
once and at the size it has in the image (``docker export``), links followed:

* mapped: every file mapped into any of the app's processes, from ``/proc/<pid>/maps``: the
  program, the dynamic loader, shared libraries, Python's extension modules, the JVM's
  ``lib/modules`` and class-data archive, locale data. A sidecar from the lab's busybox image
  joins the app container's PID namespace, as the app's user, and reads them, once while the app
  idles and repeatedly while the health check runs (a short-lived process of its own).
* held open: every regular file a process keeps open without mapping it
  (``/proc/<pid>/fd``): the jar the JVM reads with plain reads.
* imported code (Python): every file a code object came from, in every process (the server, its
  workers, the health check), from ``PYTHONVERBOSE=1``: the ``.pyc`` it loaded, or the ``.py``
  it compiled when there was no bytecode. The import system reads these and closes them, so
  neither maps nor open files show them.

Not counted: folders, symbolic links, tar headers; small files that are read and closed by C
code, which none of the three sources sees (checked once with ``strace -f``: the JVM's
``jvm.cfg``, ``release``, ``conf/net.properties`` and ``conf/security/java.security``, 80 KB;
for Python ``nsswitch.conf``, ``localtime`` and OpenSSL's ``openssl.cnf``, 13 KB; ``/etc/passwd``);
the CA bundle, licences and package records (loaded by nothing); files outside the image
(``/tmp``, ``/dev/shm``). A ``.py`` the import system only checks the date of, next to the
``.pyc`` it loads, is not counted either: an image can do without it (see the traced variant).
A mapped file counts whole, however few of its pages are touched: the floor is in files, the
unit an image is made of (so a JVM's ``lib/modules`` counts whole, and a runtime with fewer
modules has a lower floor: measure Java on jlink, not on a full JDK).
So no image that runs this app with these files can be smaller; a Python floor counts code in
the form its image loads it (bytecode, or source compiled at each start).

:func:`artifact_floor_bytes` keeps the earlier definition (the artifacts' folders, whole) for
comparison: Go's binary, Java's jlink runtime plus jar, Python's interpreter, standard library,
venv and app.
"""

from __future__ import annotations

import ast
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from . import imagefs, imagesets, run
from .catalog import Variant
from .labels import container_labels

# The variant each language's floor is measured on: its smallest final image.
FINAL = {"go": "scratch", "java": "jlink", "python": "traced"}

# What the app is asked while it is traced (the contract's kinds of answer, sample_apps/README.md).
REQUESTS = ("/", "/?x=1", "/healthz", "/primes?n=30", "/primes?n=1000000", "/primes",
            "/primes?n=-5", "/primes?n=abc", "/primes?n=1000001", "/nope", "/healthz/")
RAW_REQUESTS = (
    b"POST /primes?n=5 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
    b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /%68ealthz HTTP/1.0\r\n\r\n",
    b"GARBAGE\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
    b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\nConnection: close\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: magic\r\nConnection: close\r\n\r\n",
)
BURST = 64
# Snapshots of every process's maps while the health check runs (about 20 a second).
WATCH_SECONDS = 0.2

# The sidecar: first every process's maps and open files, then "ready", then maps in a loop
# until it is killed. Its own shell ($$) is skipped; the cat it starts for a snapshot is not
# running yet when the list of processes is read.
SIDECAR_SCRIPT = r"""
snapshot() {
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    echo "== maps ${p#/proc/}"; cat "$p/maps" 2>/dev/null
    if [ "$1" = fds ]; then
      echo "== fd ${p#/proc/}"
      for f in "$p"/fd/*; do readlink "$f" 2>/dev/null; done
    fi
  done
}
snapshot fds
echo "== ready"
while :; do snapshot; usleep 50000; done
"""


# ------------------------------------------------------------------------ parsing (no engine)

def maps_paths(text: str) -> set[str]:
    """Paths of the files named in ``/proc/<pid>/maps`` lines (anonymous memory, ``[heap]``,
    ``[vdso]`` and files deleted since they were mapped are left out)."""
    out = set()
    for line in text.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and fields[5].startswith("/") and not fields[5].endswith(" (deleted)"):
            out.add(fields[5])
    return out


# Processes write their -v lines to the same stderr unbuffered, the message and its newline
# apart, so lines of two processes can run together ("...wsgi.py# /usr/lib/..."): the messages
# are found anywhere in the text, not only at the start of a line. Bytecode paths are quoted
# (repr); source paths are not, and end at ".py".
_QUOTED = r"('(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
_CODE_FROM = re.compile(r"# code object from (?:" + _QUOTED + r"|(/[^\s'\"]*?\.py)(?![\w.]))")
_EXTENSION = re.compile(r"# extension module '[^'\n]+' loaded from " + _QUOTED)


def _unquote(text: str) -> str:
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        return text.strip("'\"")


def verbose_files(text: str) -> dict[str, set[str]]:
    """Files named by Python's ``-v`` / ``PYTHONVERBOSE=1`` output (stderr of any process):
    ``code`` where code objects came from (``# code object from '/x/__pycache__/y.pyc'`` for
    bytecode, ``# code object from /x/y.py`` for source compiled on import), ``extensions`` the
    extension modules loaded. Everything else (log lines, ``import 'x' # ...``) is ignored."""
    code = {_unquote(q) if q else bare for q, bare in _CODE_FROM.findall(text)}
    extensions = {_unquote(q) for q in _EXTENSION.findall(text)}
    return {"code": {p for p in code if p.startswith("/")},
            "extensions": {p for p in extensions if p.startswith("/")}}


def sidecar_files(text: str) -> dict[str, set[str]]:
    """``mapped`` and ``open`` paths from the sidecar's output (see SIDECAR_SCRIPT); open
    files that are not paths (``socket:[123]``, ``pipe:[4]``, ``anon_inode:...``) are dropped."""
    mapped, held = set(), set()
    section = ""
    maps_lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("== "):
            section = line.split()[1]
            continue
        if section == "maps":
            maps_lines.append(line)
        elif section == "fd" and line.startswith("/"):
            if not line.endswith(" (deleted)"):
                held.add(line)
    mapped = maps_paths("\n".join(maps_lines))
    return {"mapped": mapped, "open": held}


def image_tree(members) -> dict[str, tuple]:
    """``{"/path": entry}`` (:func:`imagefs.tree_entry`) from tar members of an exported
    filesystem."""
    tree: dict[str, tuple] = {}
    for m in members:
        imagefs.add_to_tree(tree, m)
    return tree


def count(tree: dict, groups: dict[str, set[str]]) -> dict:
    """Bytes per group, each image file counted once, in the first group that names it (groups
    are given in order: mapped, held open, imported code). Paths that are not regular files of
    the image are returned under ``outside``."""
    seen: set[str] = set()
    parts, files, outside = {}, {}, set()
    for group, paths in groups.items():
        total = 0
        for path in sorted(paths):
            real = imagefs.resolve(tree, path)
            if real is None or tree.get(real, ("",))[0] != "file":
                outside.add(path)
                continue
            if real in seen:
                continue
            seen.add(real)
            size = tree[real][1]
            files[real] = (group, size)
            total += size
        parts[group] = total
    return {"parts": parts, "files": files, "outside": sorted(outside),
            "floor_bytes": sum(parts.values())}


# ---------------------------------------------------------------------------- live

def _raw(port: int, payload: bytes) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
    except OSError:
        pass


def _exercise(app) -> None:
    for path in REQUESTS:
        app.get(path, timeout=10)
    for payload in RAW_REQUESTS:
        _raw(app.port, payload)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda i: app.get(f"/primes?n={1000 + i}", timeout=15), range(BURST)))


def _app_user(client, container) -> str:
    """The user the app's processes run as, for the sidecar (procfs lets a process read the
    maps of another only when it runs as the same user, or holds CAP_SYS_PTRACE)."""
    top = client.api.top(container.id)
    uid = top["Processes"][0][top["Titles"].index("UID")]
    return "0" if uid == "root" else uid


def _health_command(image) -> list[str] | None:
    test = (image.attrs.get("Config", {}).get("Healthcheck") or {}).get("Test") or []
    if test[:1] == ["CMD"]:
        return test[1:]
    if test[:1] == ["CMD-SHELL"]:
        return ["/bin/sh", "-c", test[1]]
    return None


def trace(client, tag: str, image_set: str, python: bool, ask=None, **options) -> dict:
    """Run ``tag`` and return what its processes loaded: ``mapped``, ``open`` and (``python``)
    ``code`` paths as the processes named them, plus ``health_exit`` of the health check.
    ``ask(app)`` sends the requests (default: the sample apps' contract, REQUESTS); ``options``
    change how the container runs (lessons.run.start)."""
    env = {"PORT": str(run.APP_PORT)}
    if python:
        env["PYTHONVERBOSE"] = "1"
    image = client.images.get(tag)
    found = {"mapped": set(), "open": set(), "code": set()}
    with run.running(client, tag, purpose="floor", environment=env, **options) as app:
        (ask or _exercise)(app)
        side = client.containers.run(
            imagesets.name_in(image_set, "BUSYBOX_IMAGE"), ["sh", "-c", SIDECAR_SCRIPT],
            detach=True, pid_mode=f"container:{app.container.id}", network_mode="none",
            user=_app_user(client, app.container), cap_drop=["ALL"],
            labels=container_labels("floor"))
        try:
            deadline = time.monotonic() + 30
            while b"== ready" not in side.logs() and time.monotonic() < deadline:
                time.sleep(0.05)
            health = _health_command(image)
            code = None
            if health:
                code, (_out, err) = app.container.exec_run(health, environment=env, demux=True)
                if python:
                    found["code"] |= verbose_files((err or b"").decode(errors="replace"))["code"]
            time.sleep(WATCH_SECONDS)
            side.kill()
            side.wait(timeout=30)
            seen = sidecar_files(side.logs().decode(errors="replace"))
        finally:
            side.remove(force=True)
        found["mapped"] |= seen["mapped"]
        found["open"] |= seen["open"]
        run.stop(app, timeout=10)
        if python:
            logs = app.container.logs(stdout=False, stderr=True).decode(errors="replace")
            found["code"] |= verbose_files(logs)["code"]
    found["health_exit"] = code
    return found


def traced_floor(client, tag: str, image_set: str, python: bool, ask=None, **options) -> dict:
    """:func:`trace` ``tag``, then :func:`count` what it loaded against the image's own files
    (``docker export``); plus the health check's exit code."""
    found = trace(client, tag, image_set, python, ask=ask, **options)
    with imagefs.exported(client, tag, "floor") as fs:
        tree = image_tree(m for m, _ in imagefs.members(fs))
    counted = count(tree, {"mapped": found["mapped"], "held open": found["open"],
                           "imported code": found["code"]})
    return {**counted, "health_exit": found["health_exit"]}


def floor_bytes(client, language: str, image_set: str, variant: str | None = None) -> dict:
    """The traced floor of ``language``'s app, measured on its ``variant`` image (default: the
    language's final image, FINAL). ``parts`` are bytes by how a file was found."""
    tag = Variant(language, variant or FINAL[language]).tag(image_set)
    counted = traced_floor(client, tag, image_set, python=language == "python")
    return {"language": language, "from_image": tag, "definition": "traced",
            "parts": {k: v for k, v in counted["parts"].items() if v},
            "floor_bytes": counted["floor_bytes"], "files": counted["files"],
            "outside_image": counted["outside"], "health_exit": counted["health_exit"]}


# ----------------------------------------------------------------- the earlier definition

# (variant whose image holds the artifacts, paths inside it)
SOURCES = {
    "go": ("scratch", ["/app/server"]),
    "java": ("jlink", ["/opt/jre", "/app/app.jar"]),
    "python": ("distroless", ["/usr/bin/python3.13", "/usr/lib/python3.13", "/opt/venv",
                              "/app"]),
}


def tar_file_bytes(stream) -> int:
    """Sum of regular-file sizes in a tar stream (links and folders count zero)."""
    return sum(m.size for m, _ in imagefs.members(stream) if m.isfile())


def artifact_floor_bytes(client, language: str, image_set: str, target=None) -> dict:
    """The artifacts' folders, whole (the definition before the traced one): more than the app
    loads (the whole standard library and JVM runtime), and without the C libraries under it.
    For a ``target`` platform other than the engine's own, that platform's image."""
    variant, paths = SOURCES[language]
    tag = Variant(language, variant).tag(image_set, target)
    parts = {}
    with imagefs.created(client, tag, "floor") as container:
        for path in paths:
            parts[path] = tar_file_bytes(imagefs.copied(container, path))
    return {"language": language, "from_image": tag, "definition": "artifacts",
            "parts": parts, "floor_bytes": sum(parts.values())}
