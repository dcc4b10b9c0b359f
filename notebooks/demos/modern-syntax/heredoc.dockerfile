# Demo for notebook 06: a RUN heredoc, the same step as chain.dockerfile's && chain. No build
# context needed.
# Needs: Docker 23+ (a built-in Dockerfile frontend from BuildKit 0.10+); Debian 12's Docker
# 20.10 reads the script's lines as instructions ("unknown instruction: SET").
ARG DEBIAN_IMAGE=debian:trixie-slim

# runtime: one RUN, one layer; the script reads like a shell script, one command a line.
FROM ${DEBIAN_IMAGE} AS runtime
RUN <<EOT
set -eu
mkdir -p /srv/data
printf 'hello from a heredoc\n' > /srv/data/greeting
chown -R 65532:65532 /srv/data
EOT

# The blank line above keeps hadolint 2.15.1's parser on track (without it: "unexpected 'U'").
USER 65532:65532
CMD ["cat", "/srv/data/greeting"]
