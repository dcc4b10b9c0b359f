# A typical wrong slim image: the static binary alone on scratch. It starts and is healthy,
# but has no zone data and no CA bundle.
ARG GO_IMAGE=golang:1.27-trixie

FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/clock .

FROM scratch AS runtime
COPY --from=build /out/clock /app/clock
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/clock", "-healthcheck"]
ENTRYPOINT ["/app/clock"]
