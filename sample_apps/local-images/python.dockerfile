# Local lookalike of python:3.13-trixie, for the `local` image set: built from Debian 13 packages on the
# imported Debian root, because the official image cannot be pulled on a machine with no registry.
# `python -m lessons images --build-local` builds it with the labels the lab relies on.
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# image: Python 3.13 on buildpack-deps: compilers, headers, git, pip.
FROM ${DEBIAN_IMAGE} AS image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-pip python3-dev build-essential ca-certificates curl git libffi-dev libssl-dev zlib1g-dev \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && rm -rf /var/lib/apt/lists/*
