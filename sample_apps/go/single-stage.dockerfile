# Size Drop, Go - single stage: the "before" picture.
#
# This is how a Dockerfile often looks the first time it works: start from the
# official Go image, copy the code in, test, build, run. Everything it needed
# to produce the binary ships with it: the Go toolchain, a C compiler, git,
# the source, the build and test caches. The image is hundreds of MB to run
# a binary of a few MB, and the process runs as root. The other Dockerfiles
# in this folder fix exactly that; diff them against this one.
#
#   docker build -f single-stage.dockerfile -t go-app:single-stage .

# Base image as a build argument so a lab can swap in a local lookalike.
ARG GO_IMAGE=golang:1.27-trixie

# runtime: the one and only stage; it builds the binary and is also what ships.
FROM ${GO_IMAGE} AS runtime

# Use the Go toolchain in the image, never download another one because
# go.mod asks for a newer version: the build must be offline and repeatable.
ENV GOTOOLCHAIN=local

WORKDIR /src

# Layer order is the cache strategy. go.mod (and go.sum, once there are
# dependencies) changes rarely, the source changes all the time. Copying the
# module files alone and downloading dependencies first means a source-only
# edit reuses this layer, and the download, from the cache.
COPY go.mod ./
RUN go mod download

# Now the source (.dockerignore keeps everything else out of the context).
COPY . .

# Test, then build, as a beginner would write it: default flags, cgo left on.
# The tests run during the image build: if one fails, "&&" stops before the
# compile, this step fails and no image is made.
RUN go test ./... \
 && go build -o /app/server .

EXPOSE 8080

# The binary checks itself: same probe as in the images that have no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/app/server", "-healthcheck"]

# No USER instruction, so the service runs as root (uid 0). Part of the
# "before" picture: the hardened variants switch to uid 65532.
# Exec form: the server is PID 1 and receives docker stop's SIGTERM itself.
ENTRYPOINT ["/app/server"]
