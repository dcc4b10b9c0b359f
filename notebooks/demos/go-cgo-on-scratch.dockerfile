# Demo for notebook 06: a Go binary built with cgo on (the default when a C compiler is
# present) copied onto scratch. It is linked against glibc and asks the kernel for the dynamic
# loader /lib64/ld-linux-x86-64.so.2 (amd64), which scratch does not have: the container dies
# with "exec /app/server: no such file or directory", about a file that is there. Build
# context: sample_apps/go.
ARG GO_IMAGE=golang:1.27-trixie

# build: Go's default settings; CGO_ENABLED is not set.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -o /out/server .

# runtime: the empty image and the binary.
FROM scratch AS runtime
COPY --from=build /out/server /app/server
USER 65532:65532
ENTRYPOINT ["/app/server"]
