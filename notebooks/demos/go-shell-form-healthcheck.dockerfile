# Demo for notebook 03: a distroless image with a SHELL-FORM health check. The service works;
# the engine reports it unhealthy, because it runs the check with /bin/sh -c and there is no
# /bin/sh. Build context: sample_apps/go.
ARG GO_IMAGE=golang:1.27-trixie
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

# build: a static binary.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags="-s -w" -o /out/server .

# runtime: distroless static; the health check below is the mistake.
FROM ${DISTROLESS_STATIC_IMAGE} AS runtime
COPY --from=build /out/server /app/server
USER 65532:65532
# The shell form is the point of this demo (hadolint warns about it: DL3025).
# hadolint ignore=DL3025
HEALTHCHECK --interval=2s --timeout=2s --start-period=1s --retries=2 CMD /app/server -healthcheck
ENTRYPOINT ["/app/server"]
