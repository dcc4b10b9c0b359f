# Size Drop, Python, variant 2 of 4: the multi-stage image.
# The build stage has the full python:3.13 image (compilers, headers, pip) to install the
# dependencies into a virtual environment; the test stage runs the unit tests; the runtime
# stage starts again from python:3.13-slim, which has the same interpreter at the same path,
# and copies in only the virtual environment and the application. It runs as an
# unprivileged user.
#
#   docker build -f multi-stage.dockerfile -t python-app:multi-stage .
#   docker build -f multi-stage.dockerfile --target test .   # only build and test
ARG PYTHON_IMAGE=python:3.13-trixie
ARG PYTHON_SLIM_IMAGE=python:3.13-slim-trixie

# build: install the pinned dependencies into /opt/venv, next to the application.
FROM ${PYTHON_IMAGE} AS build

# Offline builds only (see wheels/README.md): --build-arg PIP_NO_INDEX=1 and
# --build-arg PIP_FIND_LINKS=/wheels make pip install from the wheels copied below instead of
# PyPI. No defaults on purpose: an ARG that is not passed is not set at all in RUN's
# environment, so a normal build with internet access installs from PyPI as usual.
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies before the source: this layer and the pip install below are rebuilt only
# when requirements.txt (or the wheels) change, not on every edit of the application code.
# pip's download cache is a cache mount: kept by BuildKit between builds on this machine,
# never part of a layer. Once the dependencies are in, pip has done its job: removing it
# from the venv keeps a package manager (and 12 MB) out of the runtime image.
COPY requirements.txt ./
COPY wheels/ /wheels/
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /opt/venv \
 && pip install -r requirements.txt \
 && python -m pip uninstall --yes --quiet pip

# The source (a separate layer, so editing it reuses everything above).
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/

# test: the unit tests, run by the interpreter the runtime uses, on exactly the files that
# ship. The runtime stage copies FROM THIS STAGE, so no image exists without passing tests;
# `--target test` runs only build and test (BuildKit builds just the stages it needs).
FROM build AS test
COPY tests/ ./tests/
# The tests' time limits (gunicorn gone within 2 s of SIGTERM) are for a native CPU. Under
# emulation (an arm64 image built on an amd64 machine) Python runs several times slower and
# the lab passes --build-arg TEST_TIME_FACTOR=N to stretch them; 1 everywhere else.
ARG TEST_TIME_FACTOR=1
RUN python -m unittest discover -s tests

# runtime: the slim interpreter plus the tested virtual environment and application.
FROM ${PYTHON_SLIM_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# The venv's python is a symlink to the interpreter it was created with (/usr/local/bin in
# the official images); the slim image has that interpreter at the same path, so it works.
# The application comes from the test stage: exactly the files the tests ran against.
COPY --from=test /opt/venv /opt/venv
COPY --from=test /app/gunicorn.conf.py ./
COPY --from=test /app/sizedrop_app/ ./sizedrop_app/

# 65532 is the "nonroot" user of the distroless images; no name is needed to run as it.
USER 65532:65532

EXPOSE 8080

HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-m", "sizedrop_app.healthcheck"]

# Exec form: gunicorn is PID 1 and gets SIGTERM itself.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
