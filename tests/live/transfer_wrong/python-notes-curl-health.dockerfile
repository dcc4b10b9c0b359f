# A typical wrong slim image: distroless python3 with the health check a Debian image would
# use (shell form, curl): there is no shell and no curl to run it.
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

FROM ${DISTROLESS_PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY notes ./notes
USER 65532:65532
# The shell form is the mistake this wrong variant shows (hadolint DL3025).
# hadolint ignore=DL3025
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD curl -fs http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/bin/python3", "-m", "notes"]
