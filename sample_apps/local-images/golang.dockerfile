# Local lookalike of golang:1.24-trixie, for the `local` image set: built from Debian 13 packages on the
# imported Debian root, because the official image cannot be pulled on a machine with no registry.
# `python -m lessons images --build-local` builds it with the labels the lab relies on.
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# image: a Go 1.24 toolchain on buildpack-deps' scm layer (git, curl, certificates) plus the C toolchain cgo uses.
FROM ${DEBIAN_IMAGE} AS image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-go ca-certificates curl git gcc libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go PATH=/go/bin:$PATH
WORKDIR /go
