# A typical wrong slim image: slim Python, non-root, exec-form health check, but the command
# in shell form: /bin/sh is PID 1, runs the server as its child, and ignores SIGTERM.
ARG PYTHON_SLIM_IMAGE=python:3.13-slim-trixie

FROM ${PYTHON_SLIM_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY notes ./notes
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["python3", "-m", "notes.healthcheck"]
# The shell form is the mistake this wrong variant shows (hadolint DL3025).
# hadolint ignore=DL3025
CMD python3 -m notes
