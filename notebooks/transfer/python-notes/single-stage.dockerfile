# notes - single stage: it works, and it is the learner's starting point.
#
# It behaves: it answers, reports healthy, stops cleanly on SIGTERM, runs as uid 65532 on a
# read-only root with a tmpfs where it writes. But a full Python image (compilers, headers,
# package tools) ships to run a few hundred lines of the standard library. Slim it, and keep
# everything the service needs at run time (read notes/store.py and notes/server.py: what
# does it load, and where does it write?).
#
#   docker build -f single-stage.dockerfile -t notes:single-stage .
ARG PYTHON_IMAGE=python:3.13-trixie

# runtime: tests and runs in the same image.
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY . .
# The notes folder: writable by the service's user. Mode 1777 matters too: a tmpfs mounted
# over an image folder (`--read-only --tmpfs /var/lib/notes`) takes its mode, but on Docker
# 20.10 root owns it.
RUN python -m unittest discover -s tests -t . \
 && install -d -o 65532 -g 65532 -m 1777 /var/lib/notes

USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["python", "-m", "notes.healthcheck"]
CMD ["python", "-m", "notes"]
