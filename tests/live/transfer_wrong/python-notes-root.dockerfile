# A typical wrong slim image: slim Python and everything in exec form, but no USER: the
# service runs as root.
ARG PYTHON_SLIM_IMAGE=python:3.13-slim-trixie

FROM ${PYTHON_SLIM_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY notes ./notes
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["python3", "-m", "notes.healthcheck"]
ENTRYPOINT ["python3", "-m", "notes"]
