# Local lookalike of eclipse-temurin:21-jdk, for the `local` image set: built from Debian 13 packages on the
# imported Debian root, because the official image cannot be pulled on a machine with no registry.
# `python -m lessons images --build-local` builds it with the labels the lab relies on.
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# image: a full JDK 21; Debian ships the jmods that jlink needs inside the headless JDK.
FROM ${DEBIAN_IMAGE} AS image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jdk-headless ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
