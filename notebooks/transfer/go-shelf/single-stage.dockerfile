# shelf - single stage: it works, and it is the learner's starting point.
#
# It behaves: it answers, reports healthy, stops cleanly on SIGTERM, runs as uid 65532 on a
# read-only root with a tmpfs where it writes. But the whole Go toolchain (and a C compiler)
# ships with a binary of a few MB. Slim it, and keep everything the service needs at run time
# (read native.go, shelf.go and main.go: what does it need from the machine it runs on?).
#
#   docker build -f single-stage.dockerfile -t shelf:single-stage .
ARG GO_IMAGE=golang:1.27-trixie

# runtime: builds, tests and runs in the same image.
FROM ${GO_IMAGE} AS runtime
ENV GOTOOLCHAIN=local
# The media-type table (/etc/mime.types), as on the company's machines.
RUN apt-get update \
 && apt-get install -y --no-install-recommends media-types \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The shelf's folder: writable by the service's user. Mode 1777 matters too: a tmpfs mounted
# over an image folder (`--read-only --tmpfs /var/lib/shelf`) takes its mode, but on Docker
# 20.10 root owns it.
RUN go test ./... && go build -o /app/shelf . \
 && install -d -o 65532 -g 65532 -m 1777 /var/lib/shelf

USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/shelf", "-healthcheck"]
ENTRYPOINT ["/app/shelf"]
