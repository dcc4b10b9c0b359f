# A typical wrong slim image: everything the app needs is there, but the HEALTHCHECK is the
# shell form with curl, on an image with neither a shell nor curl.
ARG GO_IMAGE=golang:1.27-trixie

FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/clock .

FROM ${GO_IMAGE} AS trust
COPY company-root-ca.crt /usr/local/share/ca-certificates/company-root-ca.crt
RUN update-ca-certificates

FROM scratch AS runtime
COPY --from=trust /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=trust /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/clock /app/clock
USER 65532:65532
# The shell form is the mistake this wrong variant shows (hadolint DL3025).
# hadolint ignore=DL3025
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD curl -fs http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/app/clock"]
