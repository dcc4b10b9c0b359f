# Workshop challenge, Python: this works, but it ships compilers, headers and pip, and runs
# as root. Your job: make it small (see the target in notebook 07) and unprivileged, without
# breaking the service. Notebook 07 copies it into your work folder (work/07-challenge-python/,
# with a copy of sample_apps/python) and gives the command that builds it.
ARG PYTHON_IMAGE=python:3.13-trixie
ARG PYTHON_SLIM_IMAGE=python:3.13-slim-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

# everything: installs, tests and runs in the full Python image.
FROM ${PYTHON_IMAGE} AS everything
# Offline installs when the lab passes them (see sample_apps/python/wheels/README.md).
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY wheels/ /wheels/
COPY . .
RUN python -m venv /opt/venv \
 && pip install --no-cache-dir -r requirements.txt \
 && python -m unittest discover -s tests
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s CMD ["python", "-m", "sizedrop_app.healthcheck"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
