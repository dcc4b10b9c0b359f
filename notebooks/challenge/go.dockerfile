# Workshop challenge, Go: this works, but it is fat and it runs as root.
# Your job: make it small (see the target in notebook 07) and unprivileged, without
# breaking the service. Notebook 07 copies it into your work folder (work/07-challenge-go/,
# with a copy of sample_apps/go) and gives the command that builds it.
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
