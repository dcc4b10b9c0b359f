# Size Drop, Go - scratch: the binary and almost nothing else.
#
# The build and test stages are the same as in multi-stage.dockerfile, line
# for line. The final stage starts from "scratch", the empty image: there is
# no base to pull, and the image holds exactly the files copied into it. A
# static Go binary needs no libc, so it can run there. What distroless/static
# would have given us, the rootfs stage prepares by hand:
#   /etc/passwd, /etc/group  name uid/gid 65532 "nonroot", for tools that
#                            show user names (the service itself does not care)
#   the CA bundle            so an outbound HTTPS call can verify servers
#   /usr/share/zoneinfo      time zone data, for time.LoadLocation
#   /tmp                     an empty, world-writable (sticky) scratch folder
# Unlike distroless, nobody ships security updates for these files: rebuild
# to refresh them, and scanners find no package records to match.
#
#   docker build -f scratch.dockerfile -t go-app:scratch .

# Base image as a build argument so a lab can swap in a local lookalike.
ARG GO_IMAGE=golang:1.27-trixie

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

# rootfs: the few files the empty image lacks, taken from the Go image (it is
# Debian). It does not start FROM build, so a source edit does not redo it; the
# files are the same for every architecture, so it runs on the build machine.
FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS rootfs
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/usr/share \
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > /rootfs/etc/passwd \
 && printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' > /rootfs/etc/group \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
 && cp -a /usr/share/zoneinfo /rootfs/usr/share/ \
 && install -d -m 1777 /rootfs/tmp

# runtime: the empty image plus those files and the binary; no shell, no libc.
FROM scratch AS runtime

# One COPY per source stage: each COPY is a layer, and these are all we have.
COPY --from=rootfs /rootfs/ /
COPY --from=test /out/server /app/server

# Named in the /etc/passwd above, but numeric so no lookup is ever needed.
USER 65532:65532

EXPOSE 8080

# No curl or wget here, nor a shell to run them: the binary probes itself.
# Only the exec form (a JSON list) works here: the shell form needs /bin/sh.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/server", "-healthcheck"]

# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself.
ENTRYPOINT ["/app/server"]
