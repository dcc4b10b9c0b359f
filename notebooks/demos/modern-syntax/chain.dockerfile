# Demo for notebook 06: heredoc.dockerfile's step written the old way, as one && chain.
# Every engine's frontend reads it. No build context needed.
ARG DEBIAN_IMAGE=debian:trixie-slim

# runtime: one RUN, one layer; each command after a && and a backslash.
FROM ${DEBIAN_IMAGE} AS runtime
RUN mkdir -p /srv/data \
    && printf 'hello from a heredoc\n' > /srv/data/greeting \
    && chown -R 65532:65532 /srv/data
USER 65532:65532
CMD ["cat", "/srv/data/greeting"]
