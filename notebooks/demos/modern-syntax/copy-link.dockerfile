# Demo for notebook 06: COPY --link. Build context: sample_apps/go. The final stage's base is
# an ARG, so a rebuild can change it.
# Needs: Docker 23+ (a built-in Dockerfile frontend from BuildKit 0.10+); Debian 12's Docker
# 20.10 stops at "Unknown flag: link".
ARG GO_IMAGE=golang:1.27-trixie
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian13:nonroot

# build: the Go binary, as in the sample app (tests left out: this demo is about the copy).
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go build -ldflags="-s -w" -o /out/server .

# runtime: --link makes the copied file a layer of its own that does not depend on the
# layers below it, so a new RUNTIME_IMAGE reuses it from the cache and BuildKit only
# stacks it on the new base; without --link the copy runs again on top of the new base.
FROM ${RUNTIME_IMAGE} AS runtime
COPY --link --from=build /out/server /app/server
USER 65532:65532
ENTRYPOINT ["/app/server"]
