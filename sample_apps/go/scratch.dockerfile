# Size Drop, Go - scratch: the binary and almost nothing else.
#
# The build stage is the same as in multi-stage.dockerfile, line for line.
# The final stage starts from "scratch", the empty image: there is no base to
# pull, and the image holds exactly the files copied into it. A static Go
# binary needs no libc, so it can run there. What we add by hand is what
# distroless/static would have given us:
#   /etc/passwd, /etc/group  name uid/gid 65532 "nonroot", for tools that
#                            show user names (the service itself does not care)
#   the CA bundle            so a future outbound HTTPS call could verify servers
#
#   docker build -f scratch.dockerfile -t go-app:scratch .

# Base image as a build argument so a lab can swap in a local lookalike.
ARG GO_IMAGE=golang:1.24-trixie

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

# rootfs: prepares, from the build stage, the few files the empty image lacks.
FROM build AS rootfs
RUN mkdir -p /rootfs/etc/ssl/certs \
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd \
 && printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' > /rootfs/etc/group \
 && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/

# runtime: the empty image plus those files and the binary; no shell, no libc.
FROM scratch AS runtime

# One COPY per source stage: each COPY is a layer, and these are all we have.
COPY --from=rootfs /rootfs/ /
COPY --from=build /out/server /app/server

# Named in the /etc/passwd above, but numeric so no lookup is ever needed.
USER 65532:65532

EXPOSE 8080

# No curl or wget here, nor a shell to run them: the binary probes itself.
# Only the exec form (a JSON list) works here: the shell form needs /bin/sh.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/server", "-healthcheck"]

# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself.
ENTRYPOINT ["/app/server"]
