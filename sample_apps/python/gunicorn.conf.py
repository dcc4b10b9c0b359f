"""gunicorn settings, read with `gunicorn --config gunicorn.conf.py` (the images' CMD).

A config file rather than a shell wrapper keeps CMD in exec form: gunicorn itself is PID 1
and receives the engine's SIGTERM directly.
"""

import os
import socket

wsgi_app = "sizedrop_app.wsgi:app"


def ipv6_usable():
    """Whether an IPv6 socket can bind ::1, the test every app of the project uses."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


# All addresses, port from $PORT as the contract says (8080 when unset or empty): the
# dual-stack [::] (IPv6, and IPv4 through mapped addresses; gunicorn leaves IPV6_V6ONLY off)
# when the container has IPv6, else 0.0.0.0. Docker disables IPv6 inside containers unless the
# network enables it; the Go and Java apps choose the same way.
_port = os.environ.get("PORT") or "8080"
bind = [f"[::]:{_port}" if ipv6_usable() else f"0.0.0.0:{_port}"]

# Two processes, each with a pool of threads: the gthread worker accepts many connections and
# hands them to its threads, so a burst of 200 concurrent clients is queued and served rather
# than refused. Processes are what use both cores; threads cover requests waiting on I/O.
workers = 2
# sizedrop_app.worker.JsonErrorWorker is gunicorn's gthread worker, except that a request
# gunicorn refuses gets the contract's JSON answer instead of an HTML page.
worker_class = "sizedrop_app.worker.JsonErrorWorker"
threads = 8

# On SIGTERM the arbiter asks the workers to finish in-flight requests and kills any still
# busy after graceful_timeout seconds, so the container stops well within `docker stop -t 2`.
graceful_timeout = 1
timeout = 30

# Worker heartbeat files go to tmpfs, not /tmp on the image's filesystem: the container also
# runs with --read-only, and a heartbeat on overlayfs can stall a worker.
worker_tmp_dir = "/dev/shm"

# gunicorn >= 25.1 opens a control socket under $XDG_RUNTIME_DIR or ~/.gunicorn by default;
# nothing here uses it, and with a read-only root filesystem there is nowhere to put it.
control_socket_disable = True

# The request limits of the contract, the same in the three apps: a request line of at most
# 8190 bytes before its CRLF (8 KiB with it; 8190 is also the most gunicorn allows, 0 would mean
# no limit at all), header lines of at most 8190 bytes with their CRLF, at most 100 fields.
# Beyond them the worker answers 414 or 431 in JSON.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 100
# The rules for the rest of the request are gunicorn's pure-Python parser's, which the Go and
# Java servers follow; "python" keeps an optional C parser, if one were ever installed, from
# changing them. Header names with "_" are dropped (and not counted), as by default.
http_parser = "python"
header_map = "drop"

# No access log (the benchmarks would mostly measure log writing); errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = "info"
