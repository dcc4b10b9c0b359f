# A typical wrong slim image: the binary linked statically (so it needs no loader) alone on
# scratch. It starts and is healthy, but without the media-type table every file it does not
# know by itself comes back as application/octet-stream.
ARG GO_IMAGE=golang:1.27-trixie

FROM ${GO_IMAGE} AS build
ENV GOTOOLCHAIN=local GOFLAGS=-trimpath
WORKDIR /src
COPY . .
RUN go test ./... \
 && go build -tags netgo,osusergo -ldflags='-s -w -linkmode=external -extldflags=-static' -o /out/shelf . \
 && install -d -m 1777 /out/state/shelf

FROM scratch AS runtime
COPY --from=build /out/shelf /app/shelf
COPY --from=build --chown=65532:65532 /out/state/ /var/lib/
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 CMD ["/app/shelf", "-healthcheck"]
ENTRYPOINT ["/app/shelf"]
