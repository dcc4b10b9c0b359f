# Demo for notebook 03: the Python interpreter pitfall. The venv is made in the official python
# image, whose interpreter is /usr/local/bin/python3, and copied onto distroless python3, whose
# interpreter is /usr/bin/python3.13. The venv's bin/python is a symlink to the first one, which
# does not exist in the runtime image. Build context: sample_apps/python.
ARG PYTHON_IMAGE=python:3.13-trixie
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

# build: a venv made by the official image's interpreter.
FROM ${PYTHON_IMAGE} AS build
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
WORKDIR /app
COPY wheels/ /wheels/
COPY requirements.txt ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/

# runtime: distroless python3, the venv and the app; this is where it breaks.
FROM ${DISTROLESS_PYTHON_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/gunicorn.conf.py ./
COPY --from=build /app/sizedrop_app/ ./sizedrop_app/
USER 65532:65532
ENTRYPOINT ["/opt/venv/bin/python", "-m", "gunicorn"]
CMD ["--config", "gunicorn.conf.py"]
