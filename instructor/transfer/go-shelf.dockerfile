# shelf - reference slim image (instructors, and self-paced learners who open it on purpose).
# Build context: notebooks/transfer/go-shelf.
#
# What the binary needs from the machine at run time, and where this image gets it:
#   - the C library: native.go is cgo, so the binary is dynamically linked against glibc and
#     asks for its loader (CGO_ENABLED=0 does not build it at all). distroless base has glibc;
#     static and scratch have no loader, and the start fails with "no such file or directory".
#     (Another sound answer: link it statically and ship it on scratch.)
#   - the media-type table: Go's mime package knows a dozen web types by itself and reads the
#     rest from /etc/mime.types, which distroless base carries (media-types) and scratch lacks.
#   - a folder it may write: the shelf's folder (the service refuses to start when it cannot
#     write there). On a read-only root a tmpfs is mounted over it, which takes the folder's
#     mode but, on Docker 20.10, not its owner: so mode 1777 as well as the owner. COPY gives
#     the folder it creates for a copied folder's CONTENTS mode 0755, so the parent is copied
#     (seen on Docker 20.10, 2026-12-07: a 0755 folder of the service's own failed to start
#     with "permission denied").
# The server handles SIGTERM itself and is PID 1 (exec form), so `docker stop` ends it at once.
ARG GO_IMAGE=golang:1.27-trixie
ARG DISTROLESS_BASE_IMAGE=gcr.io/distroless/base-debian13:nonroot

# build: compile (cgo on, as the toolchain image has it) and test; none of this ships.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/shelf . \
 && install -d -m 1777 /out/state/shelf

# runtime: glibc and the media-type table from distroless base, the binary, its folder.
FROM ${DISTROLESS_BASE_IMAGE} AS runtime
COPY --from=build /out/shelf /app/shelf
COPY --from=build --chown=65532:65532 /out/state/ /var/lib/
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/shelf", "-healthcheck"]
ENTRYPOINT ["/app/shelf"]
