# Size Drop, Go - multi-stage: build with the toolchain, ship without it.
#
# Same service as single-stage.dockerfile, three stages instead of one. The
# build stage has the whole Go toolchain; the test stage runs the unit tests on
# what it built; the final image starts again from a slim Debian and receives
# only the compiled binary. Nothing from an earlier stage reaches the final
# image unless COPY --from takes it, so the toolchain, sources and caches stay
# behind.
#
#   docker build -f multi-stage.dockerfile -t go-app:multi-stage .
#   docker build -f multi-stage.dockerfile --target test .   # only build and test

# Base images as build arguments so a lab can swap in local lookalikes.
ARG GO_IMAGE=golang:1.27-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim

# build: compile with the full Go toolchain; none of this stage ships. It runs
# on the machine that builds (BUILDPLATFORM) whatever the image is for: Go
# cross-compiles, so an arm64 image built on an amd64 machine (or the other
# way round) needs no emulation. BuildKit sets TARGETOS and TARGETARCH from
# --platform (default: the engine's own).
FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS build
ARG TARGETOS
ARG TARGETARCH

# GOTOOLCHAIN=local: use the Go in this image, never download another toolchain
# because go.mod asks for a newer one; the build stays offline and repeatable.
# CGO_ENABLED=0: a pure-Go, statically linked binary that needs no libc, so it
# runs on any base image, even an empty one.
# GOFLAGS=-trimpath: no build-machine paths (/src/...) in the binary.
ENV GOTOOLCHAIN=local \
    CGO_ENABLED=0 \
    GOFLAGS=-trimpath

WORKDIR /src

# Layer order is the cache strategy. go.mod (and go.sum, once there are
# dependencies) changes rarely, the source changes all the time: downloading
# the modules before copying the source means a source-only edit reuses this.
# A cache mount keeps Go's module cache between builds without putting it into
# any layer (BuildKit keeps it aside, on the machine that builds).
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

# Now the source (.dockerignore keeps everything else out of the context).
COPY . .

# Go's build cache (/root/.cache/go-build) as a cache mount too: after a
# source-only change only our own package is compiled again, not the standard
# library, so a warm rebuild takes seconds. It starts empty on a new machine
# (a fresh Codespace, a CI runner) and with --no-cache.
#   -ldflags -s   drop the symbol table; -w drop DWARF debug info: a smaller
#                 file, same code (panics still print stack traces)
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags="-s -w" -o /out/server .

# test: the unit tests, on the same source and with the same settings, on the
# build machine's architecture. The runtime stage copies the binary FROM THIS
# STAGE, so no image exists without passing tests; `--target test` runs only
# build and test (BuildKit builds just the stages the target needs).
FROM build AS test
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go test ./...

# runtime: Debian slim plus the binary; still has a shell and apt for debugging.
FROM ${DEBIAN_IMAGE} AS runtime

# Root owns the binary (COPY's default) and the service cannot rewrite it.
# Nothing else is installed: the server makes no outbound TLS calls, so not
# even ca-certificates is needed.
COPY --from=test /out/server /app/server

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
