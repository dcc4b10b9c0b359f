# notes - reference slim image (instructors, and self-paced learners who open it on purpose).
# Build context: notebooks/transfer/python-notes.
#
# distroless python3 is Debian's own interpreter with its standard library, libsqlite3 (what
# the sqlite3 module loads) and the zone data zoneinfo reads; no shell, no pip, no apt.
# The service writes its database under /var/lib/notes: on a read-only root that folder is a
# tmpfs (`--read-only --tmpfs /var/lib/notes`), so the image only has to start as a user who
# may write there. The server handles SIGTERM itself and is PID 1 (exec form).
ARG PYTHON_IMAGE=python:3.13-trixie
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

# test: the unit tests on the very files that ship (a failing test fails the build).
FROM ${PYTHON_IMAGE} AS test
WORKDIR /app
COPY . .
RUN python -m unittest discover -s tests -t .

# runtime: the interpreter and the package, nothing else.
FROM ${DISTROLESS_PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY --from=test /app/notes ./notes
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/bin/python3", "-m", "notes.healthcheck"]
ENTRYPOINT ["/usr/bin/python3", "-m", "notes"]
