# Size Drop, Go - distroless: the multi-stage build on a distroless base.
#
# The build stage is the same as in multi-stage.dockerfile, line for line;
# only the final stage changes. gcr.io/distroless/static holds what a static
# binary may need at run time (CA certificates, time zone data, /etc/passwd
# with a nonroot user, /tmp) and nothing else: no shell, no package manager,
# no libc. Less to download, less to scan, less for an intruder to use.
#
#   docker build -f distroless.dockerfile -t go-app:distroless .

# Base images as build arguments so a lab can swap in local lookalikes.
ARG GO_IMAGE=golang:1.24-trixie
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

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

# runtime: distroless static, made for static binaries like ours; no shell at all.
FROM ${DISTROLESS_STATIC_IMAGE} AS runtime

COPY --from=build /out/server /app/server

# The :nonroot tag already runs as 65532 ("nonroot"); saying it here keeps
# the image unprivileged even if someone switches the base to another tag.
USER 65532:65532

EXPOSE 8080

# No curl or wget here, nor a shell to run them: the binary probes itself.
# Only the exec form (a JSON list) works here: the shell form needs /bin/sh.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/server", "-healthcheck"]

# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself.
ENTRYPOINT ["/app/server"]
