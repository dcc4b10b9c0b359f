# One solution for the Python challenge: build the venv with Debian's python3 (the same
# interpreter, path and ABI as distroless python3), ship it on distroless as uid 65532.
ARG DEBIAN_IMAGE=debian:trixie-slim
ARG DISTROLESS_PYTHON_IMAGE=gcr.io/distroless/python3-debian13:nonroot

# build: a venv with the pinned dependencies, tested against the app.
FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS
WORKDIR /app
COPY requirements.txt ./
COPY wheels/ /wheels/
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/
COPY tests/ ./tests/
RUN /opt/venv/bin/python -m unittest discover -s tests \
 && /opt/venv/bin/python -m pip uninstall --yes --quiet pip

# runtime: interpreter + venv + app; no shell, no pip, no compiler.
FROM ${DISTROLESS_PYTHON_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app/gunicorn.conf.py ./
COPY --from=build /app/sizedrop_app/ ./sizedrop_app/
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s CMD ["/opt/venv/bin/python", "-m", "sizedrop_app.healthcheck"]
ENTRYPOINT ["/opt/venv/bin/python", "-m", "gunicorn"]
CMD ["--config", "gunicorn.conf.py"]
