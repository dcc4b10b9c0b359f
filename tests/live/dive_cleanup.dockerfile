# The Go sample app built fat, with a "clean-up" of the build cache in a layer of its own: a
# real folder deletion for tests/live/test_dive.py (build context: sample_apps/go). Notebook
# 07's challenge used it before it moved to the transfer services.
ARG GO_IMAGE=golang:1.27-trixie
ARG DEBIAN_IMAGE=debian:trixie-slim
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

# everything: one stage that compiles, tests and ships.
FROM ${GO_IMAGE} AS everything
ENV GOTOOLCHAIN=local
WORKDIR /src
COPY . .
RUN go test ./... && go build -o /usr/local/bin/server .
# "Clean up" the build cache... in a layer of its own.
RUN rm -rf /root/.cache/go-build
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/usr/local/bin/server", "-healthcheck"]
ENTRYPOINT ["/usr/local/bin/server"]
