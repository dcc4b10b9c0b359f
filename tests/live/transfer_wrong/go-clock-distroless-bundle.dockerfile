# A typical wrong slim image: distroless static brings Debian's CA bundle and zone data, so it
# looks complete, but the company root is not in that bundle.
ARG GO_IMAGE=golang:1.27-trixie
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/clock .

FROM ${DISTROLESS_STATIC_IMAGE} AS runtime
COPY --from=build /out/clock /app/clock
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/clock", "-healthcheck"]
ENTRYPOINT ["/app/clock"]
