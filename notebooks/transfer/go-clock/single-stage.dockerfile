# clock - single stage: it works, and it is the learner's starting point.
#
# It behaves: it answers, reports healthy, stops cleanly on SIGTERM, runs as uid 65532 on a
# read-only root. But the whole Go toolchain ships with a binary of a few MB. Slim it, and keep
# everything the service needs at run time (read main.go and clock.go: what does it load from
# the machine it runs on?).
#
#   docker build -f single-stage.dockerfile -t clock:single-stage .
ARG GO_IMAGE=golang:1.27-trixie

# runtime: builds, tests and runs in the same image.
FROM ${GO_IMAGE} AS runtime
ENV GOTOOLCHAIN=local
WORKDIR /src

# The company's own root CA joins the system trust store, as on the company's machines.
COPY company-root-ca.crt /usr/local/share/ca-certificates/company-root-ca.crt
RUN update-ca-certificates

COPY . .
RUN go test ./... && go build -o /app/clock .

USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/clock", "-healthcheck"]
ENTRYPOINT ["/app/clock"]
