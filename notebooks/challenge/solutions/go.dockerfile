# One solution for the Go challenge: compile in the toolchain image, ship only the static
# binary on distroless/static as uid 65532. (scratch would be smaller still.)
ARG GO_IMAGE=golang:1.27-trixie
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

# build: tests and a static, stripped binary; nothing of this stage ships.
FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local CGO_ENABLED=0
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go test ./... && go build -trimpath -ldflags="-s -w" -o /out/server .

# runtime: the binary alone on a base with no shell.
FROM ${DISTROLESS_STATIC_IMAGE} AS runtime
COPY --from=build /out/server /app/server
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/app/server", "-healthcheck"]
ENTRYPOINT ["/app/server"]
