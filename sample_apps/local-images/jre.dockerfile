# Local lookalike of eclipse-temurin:21-jre, for the `local` image set: built from Debian 13 packages on the
# imported Debian root, because the official image cannot be pulled on a machine with no registry.
# `python -m lessons images --build-local` builds it with the labels the lab relies on.
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# image: the Java 21 runtime, no compiler.
FROM ${DEBIAN_IMAGE} AS image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless ca-certificates \
 && rm -rf /var/lib/apt/lists/*
