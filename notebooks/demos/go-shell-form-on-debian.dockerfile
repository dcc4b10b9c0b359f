# Demo for notebook 03: a SHELL-FORM ENTRYPOINT on an image that has a shell. The engine starts
# ["/bin/sh", "-c", "/app/server"]; Debian's /bin/sh (dash) stays PID 1 with the server as its
# child, ignores docker stop's SIGTERM (PID 1 without a handler) and passes nothing on, so the
# server is killed with SIGKILL when the grace period ends. Build context: sample_apps/go.
ARG GO_IMAGE=golang:1.27-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim

# build: a static binary.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags="-s -w" -o /out/server .

# runtime: slim Debian, which has /bin/sh; the entrypoint below is the mistake.
FROM ${DEBIAN_IMAGE} AS runtime
COPY --from=build /out/server /app/server
USER 65532:65532
# The shell form is the point of this demo (hadolint warns about it: DL3025).
# hadolint ignore=DL3025
ENTRYPOINT /app/server
