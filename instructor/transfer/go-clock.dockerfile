# clock - reference slim image (instructors, and self-paced learners who open it on purpose).
# Build context: notebooks/transfer/go-clock.
#
# scratch plus exactly what the binary reads from the machine at run time:
#   - the system CA bundle WITH the company root (the /verify chain ends there);
#   - zone data (time.LoadLocation reads /usr/share/zoneinfo; embedding Go's own copy with
#     -tags timetzdata would do too, at about 450 KB in the binary);
#   - nothing writable: the service writes no files.
# The server handles SIGTERM itself and is PID 1 (exec form), so `docker stop` ends it at once.
ARG GO_IMAGE=golang:1.27-trixie

# build: compile and test a static binary with the full toolchain; none of this ships.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/clock .

# trust: the system bundle with the company root added, as update-ca-certificates writes it.
FROM ${GO_IMAGE} AS trust
COPY company-root-ca.crt /usr/local/share/ca-certificates/company-root-ca.crt
RUN update-ca-certificates

# runtime: nothing but the bundle, the zone data and the binary.
FROM scratch AS runtime
COPY --from=trust /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=trust /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/clock /app/clock
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/clock", "-healthcheck"]
ENTRYPOINT ["/app/clock"]
