# Local lookalike of golang:1.27-trixie, for the `local` image set: built from Debian 13 packages on the
# imported Debian root, because the official image cannot be pulled on a machine with no registry.
# `python -m lessons images --build-local` builds it with the labels the lab relies on.
# Go 1.27 comes from trixie-backports (Debian 13 itself ships Go 1.24, out of support since Go 1.26).
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# image: a Go 1.27 toolchain on buildpack-deps' scm layer (git, curl, certificates) plus the C toolchain cgo uses.
FROM ${DEBIAN_IMAGE} AS image
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN echo "deb http://deb.debian.org/debian trixie-backports main" > /etc/apt/sources.list.d/backports.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends -t trixie-backports golang-1.27-go \
 && apt-get install -y --no-install-recommends ca-certificates curl git gcc libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*
# GOTOOLCHAIN=local: use this Go, never download another (the official image sets it too).
ENV GOPATH=/go PATH=/go/bin:/usr/lib/go-1.27/bin:$PATH GOTOOLCHAIN=local
WORKDIR /go
