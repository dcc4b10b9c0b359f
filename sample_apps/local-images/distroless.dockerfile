# Local lookalikes of the gcr.io/distroless/*-debian13:nonroot images, for the `local` image set:
# built from Debian 13 packages on the imported Debian root, because the official images cannot
# be pulled on a machine with no registry. `python -m lessons images --build-local` builds one
# image per final stage (`--target static`, `base`, `java-base`, `java21`, `python3`).
#
# The idea, as in GoogleContainerTools/distroless: never *install* packages into the image.
# A Debian builder downloads an explicit list of .deb files, unpacks them with `dpkg -x` into an
# empty folder (no maintainer scripts run, no dpkg database, no shell), adds the few files a
# real system would have created (users, os-release, certificate bundle), and a `FROM scratch`
# stage copies that folder in as the whole filesystem.
#
# The classic builder builds every stage above the `--target`, so the stages come in order of
# size: each builder-* stage extends the previous flavour's folder, and `--target static` never
# downloads Java or Python. No BuildKit-only syntax (no heredocs, no RUN --mount).
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# builder: the static flavour's root folder at /rootfs/static (certificates, time zones, users).
FROM ${DEBIAN_IMAGE} AS builder
# Stages built FROM this one inherit the SHELL, but each repeats it so the file reads (and
# lints) the same stage by stage.
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive
# apt-get download drops privileges to _apt, which must be able to write the download folder.
# The package lists stay in this stage on purpose (hadolint notes DL3009 at info level): the
# later builder stages download from the same lists, and no final image copies them.
WORKDIR /debs/static
RUN apt-get update \
 && chown _apt: /debs/static \
 && apt-get download tzdata netbase ca-certificates \
 && mkdir -p /rootfs/static/var/lib/dpkg/status.d /tmp/ca \
 # Unpack each package as it is; status.d holds one control file per package, which is how
 # scanners such as trivy or syft find out what is inside an image that has no dpkg database.
 && for deb in tzdata_*.deb netbase_*.deb; do \
      dpkg -x "$deb" /rootfs/static; \
      dpkg-deb -f "$deb" > "/rootfs/static/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"; \
    done \
 # ca-certificates ships one .crt per authority and a script that joins them at install time;
 # do that join here and keep only the bundle (the script needs a shell and openssl).
 && dpkg -x ca-certificates_*.deb /tmp/ca \
 && install -d -m 0755 /rootfs/static/etc/ssl/certs /rootfs/static/usr/share/doc/ca-certificates \
 && find /tmp/ca/usr/share/ca-certificates -name '*.crt' -print0 | sort -z \
    | xargs -0 awk 1 > /rootfs/static/etc/ssl/certs/ca-certificates.crt \
 && grep -c 'BEGIN CERTIFICATE' /rootfs/static/etc/ssl/certs/ca-certificates.crt \
 && cp /tmp/ca/usr/share/doc/ca-certificates/copyright /rootfs/static/usr/share/doc/ca-certificates/ \
 && dpkg-deb -f ca-certificates_*.deb > /rootfs/static/var/lib/dpkg/status.d/ca-certificates
# The files a package manager or adduser would have written: three users, their groups, a
# home for nonroot, a world-writable /tmp, name-service order, and an os-release that still
# says Debian 13 (scanners read ID and VERSION_ID) but tells a human what this image is.
WORKDIR /rootfs/static
RUN printf '%s\n' \
      'root:x:0:0:root:/root:/sbin/nologin' \
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > etc/passwd \
 && printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > etc/group \
 && printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' 'hosts: files dns' \
      'networks: files' 'protocols: files' 'services: files' 'ethers: files' 'rpc: files' > etc/nsswitch.conf \
 && sed -e 's|^PRETTY_NAME=.*|PRETTY_NAME="Distroless lookalike (Debian GNU/Linux 13)"|' \
      /usr/lib/os-release > etc/os-release \
 && cp /etc/debian_version etc/debian_version \
 # tzdata's zoneinfo/localtime points at /etc/localtime; UTC, as in the Debian images.
 && ln -s /usr/share/zoneinfo/Etc/UTC etc/localtime \
 && install -d -m 0700 root \
 && install -d -m 0700 -o 65532 -g 65532 home/nonroot \
 && install -d -m 1777 tmp \
 # Documentation stays out, but every package keeps its copyright file.
 && rm -rf usr/share/man usr/share/info usr/share/locale usr/share/lintian usr/share/linda \
 && find usr/share/doc -type f ! -name copyright -delete \
 && find usr/share/doc -depth -type d -empty -delete \
 && du -sh /rootfs/static

# static: no libc at all, for fully static binaries (Go with CGO_ENABLED=0).
FROM scratch AS static
COPY --from=builder /rootfs/static /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/static-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-base: /rootfs/base = static + glibc + OpenSSL and the merged-/usr links.
FROM builder AS builder-base
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/base
RUN chown _apt: /debs/base \
 && apt-get download libc6 libgcc-s1 gcc-14-base libssl3t64 openssl-provider-legacy zlib1g libzstd1 openssl \
 && cp -a /rootfs/static /rootfs/base \
 && for deb in ./*.deb; do \
      case "$deb" in ./openssl_*) continue ;; esac; \
      dpkg -x "$deb" /rootfs/base; \
      dpkg-deb -f "$deb" > "/rootfs/base/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"; \
    done \
 # From the openssl package only the configuration: its binary is a tool, not a library.
 && mkdir -p /tmp/openssl && dpkg -x openssl_*.deb /tmp/openssl \
 && install -D -m 0644 /tmp/openssl/etc/ssl/openssl.cnf /rootfs/base/etc/ssl/openssl.cnf
WORKDIR /rootfs/base
# Debian 13 is merged-/usr: packages put everything under usr/ and the system provides the
# top-level links. Programs ask for their loader as /lib64/ld-linux-x86-64.so.2 (amd64) or
# /lib/ld-linux-aarch64.so.1 (arm64); without the links exec fails with "no such file or
# directory". OpenSSL looks for certificates under its own folder, /usr/lib/ssl.
RUN install -d -m 0755 usr/bin usr/sbin \
 && ln -s usr/bin bin \
 && ln -s usr/sbin sbin \
 && ln -s usr/lib lib \
 && if [ -d usr/lib64 ]; then ln -s usr/lib64 lib64; fi \
 && install -d -m 0755 usr/lib/ssl etc/ssl/private \
 && ln -s /etc/ssl/certs usr/lib/ssl/certs \
 && ln -s /etc/ssl/private usr/lib/ssl/private \
 && ln -s /etc/ssl/openssl.cnf usr/lib/ssl/openssl.cnf \
 && ln -s /etc/ssl/certs/ca-certificates.crt usr/lib/ssl/cert.pem \
 && rm -rf usr/share/man usr/share/info usr/share/locale usr/share/lintian usr/share/linda \
 && find usr/share/doc -type f ! -name copyright -delete \
 && find usr/share/doc -depth -type d -empty -delete \
 # Checks. Every symlink resolves inside the folder (an absolute target is read relative to
 # it); the loader inside the folder (at the path this builder's own programs ask for)
 # resolves libssl and everything it needs from the folder alone.
 && find . -type l -print0 | while IFS= read -r -d '' link; do \
      target="$(readlink "$link")"; \
      case "$target" in /*) path="/rootfs/base$target" ;; *) path="$(dirname "$link")/$target" ;; esac; \
      [ -e "$path" ] || { echo "dangling link: ${link#.} -> $target"; exit 1; }; \
    done \
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && libssl="$(find usr/lib -name libssl.so.3 -printf '/%p\n')" \
 && chroot /rootfs/base "$ldso" --list "$libssl" \
 && du -sh /rootfs/base

# base: glibc and OpenSSL, for dynamically linked programs (Go with cgo, Rust, C).
FROM scratch AS base
COPY --from=builder-base /rootfs/base /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/base-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-java-base: /rootfs/java-base = base + the C++ runtime HotSpot is written against.
FROM builder-base AS builder-java-base
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/java-base
# libjvm.so needs libstdc++ and libgcc_s, libjli/libzip need zlib; base already has the others.
# libstdc++6 also ships debugger pretty-printers (usr/share/gdb, usr/share/gcc): left out.
RUN chown _apt: /debs/java-base \
 && apt-get download libstdc++6 \
 && cp -a /rootfs/base /rootfs/java-base \
 && for deb in ./*.deb; do \
      dpkg -x "$deb" /rootfs/java-base; \
      dpkg-deb -f "$deb" > "/rootfs/java-base/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"; \
    done \
 && rm -rf /rootfs/java-base/usr/share/gdb /rootfs/java-base/usr/share/gcc \
 && find /rootfs/java-base/usr/share/doc -type f ! -name copyright -delete \
 && find /rootfs/java-base/usr/share/doc -depth -type d -empty -delete \
 && find /rootfs/java-base -type l -print0 | while IFS= read -r -d '' link; do \
      target="$(readlink "$link")"; \
      case "$target" in /*) path="/rootfs/java-base$target" ;; *) path="$(dirname "$link")/$target" ;; esac; \
      [ -e "$path" ] || { echo "dangling link: ${link#/rootfs/java-base} -> $target"; exit 1; }; \
    done \
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && libstdcxx="$(find /rootfs/java-base/usr/lib -name 'libstdc++.so.6')" \
 && chroot /rootfs/java-base "$ldso" --list "${libstdcxx#/rootfs/java-base}" \
 && du -sh /rootfs/java-base

# java-base: no JVM; the floor for a jlink-made runtime copied in by the app's Dockerfile.
FROM scratch AS java-base
COPY --from=builder-java-base /rootfs/java-base /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/java-base-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-java21: /rootfs/java21 = java-base + Debian's headless Java 21 runtime.
FROM builder-java-base AS builder-java21
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
# The JRE package leans on maintainer scripts (the /usr/bin/java alternative, the cacerts
# keystore made by ca-certificates-java with a running JVM), so it is installed normally in the
# builder and its folders are copied over, instead of being unpacked with dpkg -x.
RUN apt-get install -y --no-install-recommends openjdk-21-jre-headless \
 && jvm="java-21-openjdk-$(dpkg --print-architecture)" \
 && mkdir -p /rootfs/java21/usr/lib/jvm /rootfs/java21/etc/ssl/certs/java \
 && cp -a /rootfs/java-base/. /rootfs/java21/ \
 && cp -a "/usr/lib/jvm/$jvm" /rootfs/java21/usr/lib/jvm/ \
 # The JRE's conf/ and lib/ link into /etc/java-21-openjdk and to the shared cacerts.
 && cp -a /etc/java-21-openjdk /rootfs/java21/etc/ \
 && cp /etc/ssl/certs/java/cacerts /rootfs/java21/etc/ssl/certs/java/cacerts \
 && ln -s "/usr/lib/jvm/$jvm/bin/java" /rootfs/java21/usr/bin/java \
 # src.zip belongs to openjdk-21-source, man pages and docs are left out.
 && rm -f "/rootfs/java21/usr/lib/jvm/$jvm/lib/src.zip" \
 && rm -rf "/rootfs/java21/usr/lib/jvm/$jvm/man" \
 && install -D -m 0644 /usr/share/doc/openjdk-21-jre-headless/copyright \
      /rootfs/java21/usr/share/doc/openjdk-21-jre-headless/copyright \
 && dpkg-query -s openjdk-21-jre-headless > /rootfs/java21/var/lib/dpkg/status.d/openjdk-21-jre-headless
WORKDIR /rootfs/java21
# Checks. (1) Every symlink resolves inside the folder (absolute targets are read relative to
# it). (2) The native libraries a headless server loads find all their dependencies here; the
# five left out need desktop, imaging, sound or smart-card libraries this image does not carry,
# as in a headless server they are never loaded. (3) The JVM starts and reads its keystore.
# The java launcher finds libjli.so through $ORIGIN, which the loader works out from
# /proc/self/exe; a chroot has no /proc, so LD_ORIGIN_PATH names the folder instead (in a
# container /proc is mounted and nothing of this is needed).
RUN find . -type l -print0 | while IFS= read -r -d '' link; do \
      target="$(readlink "$link")"; \
      case "$target" in /*) path="/rootfs/java21$target" ;; *) path="$(dirname "$link")/$target" ;; esac; \
      [ -e "$path" ] || { echo "dangling link: ${link#.} -> $target"; exit 1; }; \
    done \
 && jh="/usr/lib/jvm/java-21-openjdk-$(dpkg --print-architecture)" \
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && for lib in ".$jh"/lib/server/libjvm.so ".$jh"/lib/*.so; do \
      case "${lib##*/}" in libfontmanager.so|libjavajpeg.so|liblcms.so|libjsound.so|libj2pcsc.so) continue ;; esac; \
      chroot /rootfs/java21 "$ldso" --library-path "$jh/lib/server:$jh/lib" --list "${lib#.}" > /dev/null \
        || { echo "unresolved dependency in ${lib#.}"; exit 1; }; \
    done \
 && LD_ORIGIN_PATH="$jh/bin" chroot /rootfs/java21 /usr/bin/java -version \
 && LD_ORIGIN_PATH="$jh/bin" chroot /rootfs/java21 "$jh/bin/keytool" -list -cacerts -storepass changeit | grep 'Your keystore contains' \
 && du -sh /rootfs/java21

# java21: a complete Java 21 runtime; `docker run IMAGE app.jar` runs the jar.
FROM scratch AS java21
COPY --from=builder-java21 /rootfs/java21 /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/java21-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/java", "-jar"]

# builder-python3: /rootfs/python3 = base + Debian's Python 3.13 (built from base, not java).
FROM builder-base AS builder-python3
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/python3
# The interpreter, its standard library, and the C libraries behind the standard extension
# modules: expat (pyexpat), libffi (ctypes), bz2, lzma, sqlite3, uuid; zlib, zstd and OpenSSL
# come with base. media-types gives the mimetypes module its /etc/mime.types.
RUN chown _apt: /debs/python3 \
 && apt-get download python3.13-minimal libpython3.13-minimal libpython3.13-stdlib \
      libexpat1 libffi8 libbz2-1.0 liblzma5 libsqlite3-0 libuuid1 media-types \
 && cp -a /rootfs/base /rootfs/python3 \
 && for deb in ./*.deb; do \
      dpkg -x "$deb" /rootfs/python3; \
      dpkg-deb -f "$deb" > "/rootfs/python3/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"; \
    done
WORKDIR /rootfs/python3
# python3 -> python3.13 is made by the python3 package, which would also bring the Debian
# helper scripts; the link alone is enough. Debian ships the standard library without
# bytecode and compiles it at install time; do the same here, because a nonroot process cannot
# write __pycache__ under /usr and would otherwise recompile on every start.
RUN ln -s python3.13 usr/bin/python3 \
 && rm -rf usr/share/man usr/share/info usr/share/locale usr/share/lintian usr/share/linda \
      usr/share/binfmts usr/lib/binfmt.d \
 && find usr/share/doc -type f ! -name copyright -delete \
 && find usr/share/doc -depth -type d -empty -delete \
 && chroot /rootfs/python3 /usr/bin/python3 -m compileall -q --invalidation-mode unchecked-hash /usr/lib/python3.13 \
 && find . -type l -print0 | while IFS= read -r -d '' link; do \
      target="$(readlink "$link")"; \
      case "$target" in /*) path="/rootfs/python3$target" ;; *) path="$(dirname "$link")/$target" ;; esac; \
      [ -e "$path" ] || { echo "dangling link: ${link#.} -> $target"; exit 1; }; \
    done \
 # Every extension module finds its libraries here, except the terminal ones (curses, readline)
 # and Berkeley DB's dbm, whose libraries a server image leaves out on purpose.
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && for mod in ./usr/lib/python3.13/lib-dynload/*.so; do \
      case "${mod##*/}" in _curses*|readline.*|_dbm.*) continue ;; esac; \
      chroot /rootfs/python3 "$ldso" --list "${mod#.}" > /dev/null \
        || { echo "unresolved dependency in ${mod#.}"; exit 1; }; \
    done \
 && chroot /rootfs/python3 /usr/bin/python3 -c 'import ssl, json, sqlite3, zlib, bz2, lzma, ctypes, hashlib, uuid, decimal, zoneinfo, xml.etree.ElementTree, http.server; assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0; zoneinfo.ZoneInfo("Europe/Berlin"); ctypes.CDLL("libc.so.6"); print("python3 ok:", ssl.OPENSSL_VERSION, sqlite3.sqlite_version)' \
 && du -sh /rootfs/python3

# python3: the Python 3.13 interpreter and standard library; `docker run IMAGE app.py`.
FROM scratch AS python3
COPY --from=builder-python3 /rootfs/python3 /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/python3-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/python3"]

# builder-busybox: Debian's statically linked busybox (no libc needed), unpacked, with one link
# per applet: for the :debug lookalike (/busybox) and a small debugging image (/bin).
FROM builder AS builder-busybox
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/busybox
RUN chown _apt: /debs/busybox \
 && apt-get download busybox-static \
 && dpkg -x busybox-static_*.deb /tmp/busybox \
 && install -D -m 0755 /tmp/busybox/usr/bin/busybox /rootfs/debug/busybox/busybox \
 && install -D -m 0755 /tmp/busybox/usr/bin/busybox /rootfs/busybox/bin/busybox \
 && for applet in $(/rootfs/busybox/bin/busybox --list); do \
      [ "$applet" = busybox ] || ln -s busybox "/rootfs/debug/busybox/$applet"; \
      [ "$applet" = busybox ] || ln -s busybox "/rootfs/busybox/bin/$applet"; \
    done \
 && install -d -m 1777 /rootfs/busybox/tmp \
 && mkdir -p /rootfs/busybox/etc \
 && cp /rootfs/static/etc/passwd /rootfs/static/etc/group /rootfs/busybox/etc/ \
 && install -D -m 0644 /tmp/busybox/usr/share/doc/busybox-static/copyright \
      /rootfs/busybox/usr/share/doc/busybox-static/copyright \
 && /rootfs/busybox/bin/busybox | head -n 1

# static-debug: static plus busybox in /busybox, like the distroless ":debug" tags: a shell
# and tools for debugging, in a separate tag that production does not run.
FROM scratch AS static-debug
COPY --from=builder /rootfs/static /
COPY --from=builder-busybox /rootfs/debug/busybox /busybox
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/static-debian13:debug-nonroot"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/busybox/sh"]

# busybox: a small image with a shell and the usual tools, for debugging sidecars.
FROM scratch AS busybox
COPY --from=builder-busybox /rootfs/busybox /
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="busybox:1.37"
CMD ["sh"]
