# Demo for notebook 05: a "clean-up" in a layer of its own. One step leaves a folder of files
# behind (as a package manager or a compiler leaves its cache); the next deletes the folder. The
# files disappear from view, and every byte of them still ships. dive's rule counts the deleted
# folder as one path and the hidden files not at all; the lab's rule counts what it hid.
ARG DEBIAN_IMAGE=debian:trixie-slim

# runtime: slim Debian, a cache written by one step and deleted by the next.
FROM ${DEBIAN_IMAGE} AS runtime
# Four files of 5 MB of random bytes (gzip cannot shrink them), as a tool's cache would be.
RUN mkdir -p /root/.cache/tool \
 && for i in 1 2 3 4; do head -c 5000000 /dev/urandom > "/root/.cache/tool/part-$i.bin"; done
# The mistake: deleting in a later step hides the files and keeps their bytes in the layer above.
RUN rm -rf /root/.cache/tool
USER 65532:65532
CMD ["ls", "-la", "/root"]
