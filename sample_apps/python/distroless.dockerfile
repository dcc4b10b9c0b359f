# Size Drop, Python, variant 3 of 4: the distroless image.
# The runtime is gcr.io/distroless/python3: a Python interpreter and its libraries, with no
# shell, no package manager, no pip. (Distroless images are built from Debian packages, not
# from Alpine.) The virtual environment is built elsewhere and copied in.
#
# THE PITFALL this file avoids: distroless python3 runs Debian's own /usr/bin/python3.13,
# while the official python:3.13 images bring their own build in /usr/local/bin. A venv's
# bin/python is only a symlink to the interpreter that created it, so a venv made in
# python:3.13 and copied here points at /usr/local/bin/python3, which does not exist in
# distroless, and the container dies with "no such file or directory". So the build stage is
# plain Debian with Debian's python3 from apt: the same interpreter, at the same path, with
# the same minor version and ABI (cp313) as the runtime, so the venv and any compiled wheels
# in it (markupsafe) fit.
#
#   docker build -f distroless.dockerfile -t python-app:distroless .
ARG DEBIAN_IMAGE=debian:trixie-slim
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

# build: Debian's python3 creates /opt/venv and installs the dependencies next to the app.
FROM ${DEBIAN_IMAGE} AS build

# python3-venv brings ensurepip, so the venv gets its own pip. No compiler is installed: every
# dependency comes as a binary wheel.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*

# Offline builds only (see wheels/README.md): --build-arg PIP_NO_INDEX=1 and
# --build-arg PIP_FIND_LINKS=/wheels make pip install from the wheels copied below instead of
# PyPI. No defaults on purpose: an ARG that is not passed is not set at all in RUN's
# environment, so a normal build with internet access installs from PyPI as usual.
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app

# Dependencies before the source: this layer and the pip install below are rebuilt only
# when requirements.txt (or the wheels) change, not on every edit of the application code.
# pip's download cache is a cache mount (kept between builds, never in a layer); pip itself
# is removed from the venv once it has installed everything: no package manager ships.
COPY requirements.txt ./
COPY wheels/ /wheels/
#
# REPRODUCIBLE .pyc: pip would compile every module with the time it installed it written
# into each .pyc, so two builds of the same source differed in hundreds of files. Here pip
# compiles nothing (--no-compile) and compileall writes the bytecode once, stamped with a
# hash of the source instead of a time (unchecked-hash: the image never changes, so Python
# does not re-read the source to check it). Same source, same bytes, in every build.
RUN --mount=type=cache,target=/root/.cache/pip \
    python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-compile -r requirements.txt \
 && /opt/venv/bin/python -m pip uninstall --yes --quiet pip \
 && python3 -m compileall -q --invalidation-mode unchecked-hash /opt/venv/lib

# The source (a separate layer, so editing it reuses everything above), compiled the same way
# so the app's own modules ship as bytecode too (the runtime user cannot write .pyc files).
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/
RUN python3 -m compileall -q --invalidation-mode unchecked-hash sizedrop_app

# test: the unit tests, run by the interpreter the runtime uses, on exactly the files that
# ship. The runtime stage copies FROM THIS STAGE, so no image exists without passing tests;
# `--target test` runs only build and test (BuildKit builds just the stages it needs).
FROM build AS test
COPY tests/ ./tests/
# The tests' time limits (gunicorn gone within 2 s of SIGTERM) are for a native CPU. Under
# emulation (an arm64 image built on an amd64 machine) Python runs several times slower and
# the lab passes --build-arg TEST_TIME_FACTOR=N to stretch them; 1 everywhere else.
ARG TEST_TIME_FACTOR=1
RUN /opt/venv/bin/python -m unittest discover -s tests

# runtime: distroless python3 plus the tested virtual environment and application.
FROM ${DISTROLESS_PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app

COPY --from=test /opt/venv /opt/venv
COPY --from=test /app/gunicorn.conf.py ./
COPY --from=test /app/sizedrop_app/ ./sizedrop_app/

# The :nonroot tag already runs as 65532; saying so keeps the file honest on any base.
USER 65532:65532

EXPOSE 8080

# No shell and no curl here: HEALTHCHECK and ENTRYPOINT must be exec form, with full paths.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "sizedrop_app.healthcheck"]

# The distroless python3 image's own ENTRYPOINT is the system python3; replace it with the
# venv's interpreter, which sees the installed packages, and start gunicorn as PID 1.
ENTRYPOINT ["/opt/venv/bin/python", "-m", "gunicorn"]
CMD ["--config", "gunicorn.conf.py"]
