# Size Drop, Python, variant 1 of 4: the single-stage image, the "before" picture.
# Everything happens in one image built on the full python:3.13 image: compilers, headers,
# pip, the wheels, the tests all ship to production, and the service runs as root.
# The multi-stage and distroless variants start from the same sources and drop all that.
#
# Build from this folder:  docker build -f single-stage.dockerfile -t size-drop/python:single-stage .
ARG PYTHON_IMAGE=python:3.13-trixie

# app: builds, tests and runs the service, all in one stage.
FROM ${PYTHON_IMAGE} AS app

# Offline builds only (see wheels/README.md): --build-arg PIP_NO_INDEX=1 and
# --build-arg PIP_FIND_LINKS=/wheels make pip install from the wheels copied below instead of
# PyPI. No defaults on purpose: an ARG that is not passed is not set at all in RUN's
# environment, so a normal build with internet access installs from PyPI as usual.
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS

# No .pyc files written next to the sources at run time; logs unbuffered so `docker logs`
# shows them at once. PATH puts the virtual environment's python, pip and gunicorn first.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies before the source: this layer and the pip install below are rebuilt only
# when requirements.txt (or the wheels) change, not on every edit of the application code.
COPY requirements.txt ./
COPY wheels/ /wheels/
RUN python -m venv /opt/venv \
 && pip install --no-cache-dir -r requirements.txt

# The source and its tests; a failing test stops the build here.
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/
COPY tests/ ./tests/
# The tests' time limits (gunicorn gone within 2 s of SIGTERM) are for a native CPU. Under
# emulation (an arm64 image built on an amd64 machine) Python runs several times slower and
# the lab passes --build-arg TEST_TIME_FACTOR=N to stretch them; 1 everywhere else.
ARG TEST_TIME_FACTOR=1
RUN python -m unittest discover -s tests

EXPOSE 8080

# The service checks itself (python -m sizedrop_app.healthcheck), like in every variant.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-m", "sizedrop_app.healthcheck"]

# Exec form: gunicorn is PID 1 and gets SIGTERM itself. No USER: this one runs as root.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
