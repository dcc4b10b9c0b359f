# syntax=docker/dockerfile:1
# Demo for notebook 06: the line above asks BuildKit to fetch the Dockerfile frontend image
# docker/dockerfile:1 from a registry and parse this file with it instead of the engine's
# built-in frontend. With no registry (this room, CI) the build stops before its first step.
# No build context needed.
# Needs: a registry that serves docker/dockerfile:1 (there is none here: it fails on purpose).
ARG DEBIAN_IMAGE=debian:trixie-slim

# runtime: nothing more than the base; the point is the first line.
FROM ${DEBIAN_IMAGE} AS runtime
USER 65532:65532
CMD ["true"]
