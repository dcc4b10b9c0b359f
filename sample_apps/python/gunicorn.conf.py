"""gunicorn settings, read with `gunicorn --config gunicorn.conf.py` (the images' CMD).

A config file rather than a shell wrapper keeps CMD in exec form: gunicorn itself is PID 1
and receives the engine's SIGTERM directly.
"""

import os

wsgi_app = "sizedrop_app.wsgi:app"

# All interfaces, port from $PORT as the contract says (8080 when unset or empty).
bind = [f"0.0.0.0:{os.environ.get('PORT') or '8080'}"]

# Two processes, each with a pool of threads: the gthread worker accepts many connections and
# hands them to its threads, so a burst of 200 concurrent clients is queued and served rather
# than refused. Processes are what use both cores; threads cover requests waiting on I/O.
workers = 2
worker_class = "gthread"
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

# The contract accepts n with any number of digits, and the Go and Java servers take request
# lines far longer than gunicorn's default 4094 bytes (which would answer 414 in HTML).
# 0 lifts that limit; the header count and size limits stay at their defaults.
limit_request_line = 0

# No access log (the benchmarks would mostly measure log writing); errors go to stderr.
accesslog = None
errorlog = "-"
loglevel = "info"
