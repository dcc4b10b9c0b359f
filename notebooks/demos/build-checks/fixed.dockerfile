# Demo for notebook 06: findings.dockerfile with every build-check finding fixed. Same image,
# same behaviour; `docker build --check` finds nothing. Build context: sample_apps/go.
ARG GO_IMAGE=golang:1.27-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim

# build: stage names lowercase, FROM and AS in the same case.
FROM ${GO_IMAGE} AS build
# key=value form; GOFLAGS set to what it means instead of a variable nobody defined.
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
# An absolute path: it does not depend on the base image's WORKDIR.
WORKDIR /src
COPY . .
RUN go build -ldflags="-s -w" -o /out/server .

# runtime: no secret in ARG/ENV (they stay in the image's history; a build secret goes in
# `RUN --mount=type=secret`, a runtime one in `docker run -e`); a LABEL instead of MAINTAINER.
FROM ${DEBIAN_IMAGE} AS runtime
LABEL org.opencontainers.image.authors="size-drop@example.invalid"
COPY --from=build /out/server /app/server
USER 65532:65532
# Exec form: the server is PID 1 and gets docker stop's SIGTERM.
ENTRYPOINT ["/app/server"]
