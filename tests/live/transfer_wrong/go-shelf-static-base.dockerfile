# A typical wrong slim image: the cgo binary on distroless static. It builds, but the binary
# asks for glibc's loader, which static does not have: it never starts.
ARG GO_IMAGE=golang:1.27-trixie
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... && go build -ldflags="-s -w" -o /out/shelf .

FROM ${DISTROLESS_STATIC_IMAGE} AS runtime
COPY --from=build /out/shelf /app/shelf
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/shelf", "-healthcheck"]
ENTRYPOINT ["/app/shelf"]
