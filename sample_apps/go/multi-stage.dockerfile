# Size Drop, Go - multi-stage: build with the toolchain, ship without it.
#
# Same service as single-stage.dockerfile, two stages instead of one. The
# first stage has the whole Go toolchain and runs the tests; the final image
# starts again from a slim Debian and receives only the compiled binary.
# Nothing from the build stage reaches the final image unless COPY --from
# takes it, so the toolchain, sources and caches stay behind.
#
#   docker build -f multi-stage.dockerfile -t go-app:multi-stage .

# Base images as build arguments so a lab can swap in local lookalikes.
ARG GO_IMAGE=golang:1.24-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim

# build: compile and test with the full Go toolchain; none of this stage ships.
FROM ${GO_IMAGE} AS build

# GOTOOLCHAIN=local: use the Go in this image, never download another toolchain
# because go.mod asks for a newer one; the build stays offline and repeatable.
# CGO_ENABLED=0: a pure-Go, statically linked binary that needs no libc, so it
# runs on any base image, even an empty one. Set before the tests so tests and
# build compile the standard library the same way and share the build cache.
# GOFLAGS=-trimpath: no build-machine paths (/src/...) in the binary; set here
# because it is part of Go's cache key, so every step below must use it.
ENV GOTOOLCHAIN=local \
    CGO_ENABLED=0 \
    GOFLAGS=-trimpath

WORKDIR /src

# Layer order is the cache strategy. go.mod (and go.sum, once there are
# dependencies) changes rarely, the source changes all the time. Copying the
# module files alone and downloading dependencies first means a source-only
# edit reuses this layer, and the download, from the cache.
# The same layer also compiles the standard library once, into Go's build cache
# (/root/.cache/go-build). The layers below start from it, so after a source-only
# change only our own package is compiled: a warm rebuild takes seconds, not a
# minute. The classic builder has no cache mounts; a layer is the cache it keeps.
COPY go.mod ./
RUN go mod download \
 && go build std

# Now the source (.dockerignore keeps everything else out of the context).
COPY . .

# Test, then build. The tests run here, in the stage that produces the binary,
# so there is no image without passing tests: if one fails, "&&" stops before
# the compile, this step fails, and the whole build with it. (A separate test
# stage that nothing copies from would be skipped by BuildKit.)
#   -ldflags -s   drop the symbol table; -w drop DWARF debug info: a smaller
#                 file, same code (panics still print stack traces)
RUN go test ./... \
 && go build -ldflags="-s -w" -o /out/server .

# runtime: Debian slim plus the binary; still has a shell and apt for debugging.
FROM ${DEBIAN_IMAGE} AS runtime

# Root owns the binary (COPY's default) and the service cannot rewrite it.
# Nothing else is installed: the server makes no outbound TLS calls, so not
# even ca-certificates is needed.
COPY --from=build /out/server /app/server

# Run as an unprivileged user. A numeric uid:gid works without an
# /etc/passwd entry, and lets the engine (and Kubernetes' runAsNonRoot) see
# it is not root without looking inside the image. 65532 is the "nonroot" of
# the distroless images, so every hardened variant uses the same ids.
USER 65532:65532

EXPOSE 8080

# The binary checks itself; the probe does not depend on curl being installed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/server", "-healthcheck"]

# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself.
ENTRYPOINT ["/app/server"]
