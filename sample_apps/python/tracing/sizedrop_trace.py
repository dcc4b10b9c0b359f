"""The recorder of the trace stage (traced.dockerfile): which files does each process load?

tracer.py puts this module and a one-line .pth file that imports it into the venv's
site-packages for the length of the trace, so EVERY Python process the trace starts records
itself (gunicorn's master, the workers it forks, the health check, the gunicorn servers the
unit tests start), whatever it does with its stdout and stderr. It is inert unless
SIZEDROP_TRACE_LOG names the log file, and it never ships: the image is assembled from the
list of files this log leads to, and this module is not on it.

Every process appends lines to that one log (O_APPEND: each line is one write, so processes do
not interleave inside a line), fields separated by tabs:

    P  pid  parent-pid  argv...          a process started (sys.orig_argv: the real command)
    F  pid  parent-pid                   a process forked by a Python process (a gunicorn worker)
    O  pid  path                         a file opened for reading (the audit event "open":
                                         source and bytecode the import system reads, data files)
    M  pid  name  origin  cached  loader a module in sys.modules when the process exits
    X  pid  path                         a file mapped into the process when it exits
                                         (/proc/self/maps: the interpreter, the dynamic loader,
                                         every shared library and extension module)

It imports nothing that site.py has not already imported (os, sys; atexit and _thread are
built into the interpreter), so it does not change what it measures.
"""

import _thread
import os
import sys

_LOG = os.environ.get("SIZEDROP_TRACE_LOG")
_fd = -1
_busy = set()


def _write(*fields):
    line = "\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields) + "\n"
    try:
        os.write(_fd, line.encode("utf-8", "surrogateescape"))
    except OSError:
        pass


def _on_audit(event, args):
    # Only reads matter: a file the app writes (gunicorn's heartbeat in /dev/shm) is created at
    # run time, not shipped. The open that writes this log is a write, so it never recurses.
    if event != "open" or not args or not isinstance(args[0], (str, bytes)):
        return
    me = _thread.get_ident()
    if me in _busy:
        return
    _busy.add(me)
    try:
        path, mode = args[0], args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not writes:
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            _write("O", os.getpid(), os.path.abspath(path))
    finally:
        _busy.discard(me)


def _after_fork():
    _write("F", os.getpid(), os.getppid())


def _at_exit():
    pid = os.getpid()
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or getattr(module, "__file__", None) or ""
        cached = getattr(spec, "cached", None) or ""
        loader = type(getattr(spec, "loader", None)).__name__
        # The spec's name, not the key: "python -m x" runs x as "__main__".
        _write("M", pid, getattr(spec, "name", None) or name, origin, cached, loader)
    try:
        with open("/proc/self/maps", "rb") as maps:
            for line in maps.read().decode("utf-8", "surrogateescape").splitlines():
                fields = line.split(None, 5)
                if len(fields) == 6 and fields[5].startswith("/"):
                    _write("X", pid, fields[5])
    except OSError:
        pass


if _LOG:
    import atexit

    _fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    _write("P", os.getpid(), os.getppid(), *getattr(sys, "orig_argv", sys.argv))
    os.register_at_fork(after_in_child=_after_fork)
    sys.addaudithook(_on_audit)
    atexit.register(_at_exit)
