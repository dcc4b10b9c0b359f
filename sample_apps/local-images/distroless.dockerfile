# Local lookalikes of the gcr.io/distroless/*-debian13:nonroot images, for the `local` image set:
# built from Debian 13 packages on the imported Debian root, because the official images cannot
# be pulled on a machine with no registry. `python -m lessons images --build-local` builds one
# image per final stage (`--target static`, `base`, `java-base`, `java21`, `python3`, ...).
#
# The idea, as in GoogleContainerTools/distroless: never *install* packages into the image.
# A Debian builder downloads an explicit list of .deb files, unpacks each one as it is with
# `dpkg -x` into an empty folder (no maintainer scripts run, no dpkg database, no shell, no
# dependencies pulled in), adds the few files a real system would have created (users,
# os-release, certificate bundle), and a `FROM scratch` stage copies that folder in as the whole
# filesystem. The package lists are upstream's for Debian 13 (static/, base/, cc/, java/ and
# python3/config.bzl in that repository); benchmarks/lookalikes.md lists what still differs.
#
# Stages build on one another as upstream's images do: static -> base-nossl -> java-base ->
# java21, and static -> base -> cc -> python3. No BuildKit-only syntax (no heredocs, no
# RUN --mount), so the classic builder can build it too.
ARG DEBIAN_IMAGE=sizedrop.invalid/debian:trixie-slim

# builder: the static flavour's root folder at /rootfs/static, and two helper scripts the
# later builder stages use: `unpack ROOT DEB...` and `check-root ROOT`.
FROM ${DEBIAN_IMAGE} AS builder
# Stages built FROM this one inherit the SHELL, but each repeats it so the file reads (and
# lints) the same stage by stage.
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
ENV DEBIAN_FRONTEND=noninteractive
# unpack: each package's files as they are, plus its control file in var/lib/dpkg/status.d/,
# which is how scanners such as trivy or syft find out what is inside an image with no dpkg
# database. check-root: every symlink resolves inside the folder (an absolute target is read
# relative to it; two kinds upstream ships dangling too are only noted: a documentation link
# to a package not included, such as python3.13-venv's, and tzdata's zoneinfo/localtime, which
# points at an /etc/localtime that only tzdata's install script would make), and prints the
# folder's size.
RUN printf '%s\n' '#!/bin/bash' 'set -euo pipefail' 'root="$1"; shift' \
      'mkdir -p "$root/var/lib/dpkg/status.d"' \
      'for deb in "$@"; do' \
      '  dpkg -x "$deb" "$root"' \
      '  dpkg-deb -f "$deb" > "$root/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)"' \
      'done' > /usr/local/bin/unpack \
 && printf '%s\n' '#!/bin/bash' 'set -euo pipefail' 'root="$1"' \
      'cd "$root"' \
      'find . -type l -print0 | while IFS= read -r -d "" link; do' \
      '  target="$(readlink "$link")"' \
      '  case "$target" in /*) path="$root$target" ;; *) path="$(dirname "$link")/$target" ;; esac' \
      '  [ -e "$path" ] && continue' \
      '  case "$link" in ./usr/share/doc/*|./usr/share/zoneinfo/localtime) echo "note: dangling as upstream: ${link#.}"; continue ;; esac' \
      '  echo "dangling link: ${link#.} -> $target"; exit 1' \
      'done' \
      'du -sh "$root"' > /usr/local/bin/check-root \
 && chmod 0755 /usr/local/bin/unpack /usr/local/bin/check-root
# apt-get download drops privileges to _apt, which must be able to write the download folder.
# The package lists stay in this stage on purpose (hadolint notes DL3009 at info level): the
# later builder stages download from the same lists, and no final image copies them.
WORKDIR /debs/static
RUN apt-get update \
 && chown _apt: /debs/static \
 && apt-get download base-files netbase tzdata tzdata-legacy media-types ca-certificates \
 && unpack /rootfs/static base-files_*.deb netbase_*.deb tzdata_*.deb tzdata-legacy_*.deb media-types_*.deb \
 # ca-certificates ships one .crt per authority and a script that joins them at install time;
 # do that join here and keep only the bundle (the script needs a shell and openssl).
 && mkdir -p /tmp/ca && dpkg -x ca-certificates_*.deb /tmp/ca \
 && install -d -m 0755 /rootfs/static/etc/ssl/certs /rootfs/static/usr/share/doc/ca-certificates \
 && find /tmp/ca/usr/share/ca-certificates -name '*.crt' -print0 | sort -z \
    | xargs -0 awk 1 > /rootfs/static/etc/ssl/certs/ca-certificates.crt \
 && grep -c 'BEGIN CERTIFICATE' /rootfs/static/etc/ssl/certs/ca-certificates.crt \
 && cp /tmp/ca/usr/share/doc/ca-certificates/copyright /rootfs/static/usr/share/doc/ca-certificates/ \
 && dpkg-deb -f ca-certificates_*.deb > /rootfs/static/var/lib/dpkg/status.d/ca-certificates
# The files a package manager or adduser would have written, as upstream writes them: three
# users and their groups, a home for nonroot, a world-writable /tmp (base-files ships it 0755
# and leaves the mode to its install script), name-service order, and an os-release that still
# says Debian 13 (scanners read ID and VERSION_ID) but tells a human what this image is. No
# /etc/localtime, as upstream: programs then use UTC. base-files brings the merged-/usr links
# (/bin -> usr/bin, /lib -> usr/lib, and /lib64 on amd64).
WORKDIR /rootfs/static
RUN printf '%s\n' \
      'root:x:0:0:root:/root:/sbin/nologin' \
      'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > etc/passwd \
 && printf '%s\n' 'root:x:0:' 'tty:x:5:' 'staff:x:50:' 'nobody:x:65534:' 'nonroot:x:65532:' > etc/group \
 && printf '%s\n' 'passwd: compat' 'group: compat' 'shadow: compat' 'gshadow: files' \
      'hosts: files dns' 'networks: files' 'protocols: db files' 'services: db files' \
      'ethers: db files' 'rpc: db files' 'netgroup: nis' > etc/nsswitch.conf \
 && rm -f etc/os-release \
 && sed -e 's|^PRETTY_NAME=.*|PRETTY_NAME="Distroless lookalike (Debian GNU/Linux 13)"|' \
      usr/lib/os-release > etc/os-release \
 && chmod 0700 root \
 && install -d -m 0700 -o 65532 -g 65532 home/nonroot \
 && chmod 1777 tmp \
 && check-root /rootfs/static

# static: no libc at all, for fully static binaries (Go with CGO_ENABLED=0).
FROM scratch AS static
COPY --from=builder /rootfs/static /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/static-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-base: /rootfs/base-nossl = static + glibc; /rootfs/base = static + glibc + OpenSSL.
# Upstream's list, no more: libssl3t64 declares a dependency on openssl-provider-legacy, which
# is left out as there (OpenSSL loads that provider only when asked for it), and so is the
# openssl package with its /etc/ssl/openssl.cnf (OpenSSL runs on built-in defaults without it)
# and the links in /usr/lib/ssl that package makes: programs find the certificates through
# SSL_CERT_FILE, which every image here sets.
FROM builder AS builder-base
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/base
RUN chown _apt: /debs/base \
 && apt-get download libc6 libssl3t64 libzstd1 zlib1g \
 && cp -a /rootfs/static /rootfs/base-nossl \
 && unpack /rootfs/base-nossl libc6_*.deb \
 && cp -a /rootfs/static /rootfs/base \
 && unpack /rootfs/base ./*.deb \
 && check-root /rootfs/base-nossl && check-root /rootfs/base \
 # The loader inside the folder, at the path this builder's own programs ask for (it is the
 # same in the image), resolves libssl and everything it needs from the folder alone.
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && chroot /rootfs/base "$ldso" --list "$(find /rootfs/base/usr/lib -name libssl.so.3 -printf '/usr/lib/%P\n')"

# base: glibc and OpenSSL, for dynamically linked programs (Go with cgo, Rust, C).
FROM scratch AS base
COPY --from=builder-base /rootfs/base /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/base-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-java-base: /rootfs/java-base = base-nossl + what a JVM's native libraries load
# (C++ runtime, zlib, image, colour, font and text libraries, fonts), the C.UTF-8 locale, and
# the Java trust store. The trust store is made by ca-certificates-java with a running JVM, so
# this builder installs the JRE normally and copies the result (java21 reuses that JRE).
FROM builder-base AS builder-java-base
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/java-base
RUN chown _apt: /debs/java-base \
 && apt-get download zlib1g libjpeg62-turbo liblcms2-2 libfreetype6 fonts-dejavu-core \
      fontconfig-config libexpat1 libfontconfig1 libuuid1 libbrotli1 libcrypt1 libstdc++6 \
      libgcc-s1 gcc-14-base libpng16-16t64 libbz2-1.0 libc-bin \
 && cp -a /rootfs/base-nossl /rootfs/java-base \
 && for deb in ./*.deb; do case "$deb" in ./libc-bin_*) ;; *) unpack /rootfs/java-base "$deb" ;; esac; done \
 # From libc-bin only the C.UTF-8 locale, as upstream does (no programs).
 && mkdir -p /tmp/libc-bin && dpkg -x libc-bin_*.deb /tmp/libc-bin \
 && install -d /rootfs/java-base/usr/lib/locale \
 && cp -a /tmp/libc-bin/usr/lib/locale/C.utf8 /rootfs/java-base/usr/lib/locale/ \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless ca-certificates-java \
 && install -D -m 0644 /etc/ssl/certs/java/cacerts /rootfs/java-base/etc/ssl/certs/java/cacerts \
 && check-root /rootfs/java-base \
 # The loader inside the folder resolves each native library from the folder alone.
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && for lib in libstdc++.so.6 libfreetype.so.6 libfontconfig.so.1 liblcms2.so.2 libjpeg.so.62 libpng16.so.16; do \
      chroot /rootfs/java-base "$ldso" --list "$(find /rootfs/java-base/usr/lib -name "$lib" -printf '/usr/lib/%P\n')" > /dev/null; \
    done

# java-base: no JVM; the floor for a jlink-made runtime copied in by the app's Dockerfile.
FROM scratch AS java-base
COPY --from=builder-java-base /rootfs/java-base /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    LANG=C.UTF-8
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/java-base-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot

# builder-java21: /rootfs/java21 = java-base + Debian's headless Java 21 runtime (upstream
# takes Eclipse Temurin's JRE, which this machine cannot download). The JRE package leans on
# maintainer scripts (the /usr/bin/java alternative, the cacerts keystore), so it was installed
# normally in builder-java-base and its folders are copied over instead of unpacked.
FROM builder-java-base AS builder-java21
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
RUN jvm="java-21-openjdk-$(dpkg --print-architecture)" \
 && mkdir -p /rootfs/java21/usr/lib/jvm \
 && cp -a /rootfs/java-base/. /rootfs/java21/ \
 && cp -a "/usr/lib/jvm/$jvm" /rootfs/java21/usr/lib/jvm/ \
 # The JRE's conf/ and lib/ link into /etc/java-21-openjdk and to the shared cacerts.
 && cp -a /etc/java-21-openjdk /rootfs/java21/etc/ \
 && ln -s "/usr/lib/jvm/$jvm/bin/java" /rootfs/java21/usr/bin/java \
 # src.zip belongs to openjdk-21-source; the JRE's man pages are left out.
 && rm -f "/rootfs/java21/usr/lib/jvm/$jvm/lib/src.zip" \
 && rm -rf "/rootfs/java21/usr/lib/jvm/$jvm/man" \
 && install -D -m 0644 /usr/share/doc/openjdk-21-jre-headless/copyright \
      /rootfs/java21/usr/share/doc/openjdk-21-jre-headless/copyright \
 && dpkg-query -s openjdk-21-jre-headless > /rootfs/java21/var/lib/dpkg/status.d/openjdk-21-jre-headless
WORKDIR /rootfs/java21
# Checks. (1) Every symlink resolves inside the folder. (2) Every native library of the JRE
# finds its dependencies here, except three: Debian builds libfontmanager against the system
# HarfBuzz (Temurin bundles its own, so upstream adds none), and sound and smart cards are
# not server things. (3) The JVM starts and reads its keystore. The java launcher finds
# libjli.so through $ORIGIN, which the loader works out from /proc/self/exe; a chroot has no
# /proc, so LD_ORIGIN_PATH names the folder instead (a container has /proc).
RUN check-root /rootfs/java21 \
 && jh="/usr/lib/jvm/java-21-openjdk-$(dpkg --print-architecture)" \
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && for lib in ".$jh"/lib/server/libjvm.so ".$jh"/lib/*.so; do \
      case "${lib##*/}" in libfontmanager.so|libjsound.so|libj2pcsc.so) continue ;; esac; \
      chroot /rootfs/java21 "$ldso" --library-path "$jh/lib/server:$jh/lib" --list "${lib#.}" > /dev/null \
        || { echo "unresolved dependency in ${lib#.}"; exit 1; }; \
    done \
 && LD_ORIGIN_PATH="$jh/bin" chroot /rootfs/java21 /usr/bin/java -version \
 && LD_ORIGIN_PATH="$jh/bin" chroot /rootfs/java21 "$jh/bin/keytool" -list -cacerts -storepass changeit | grep 'Your keystore contains'

# java21: a complete Java 21 runtime; `docker run IMAGE app.jar` runs the jar.
FROM scratch AS java21
COPY --from=builder-java21 /rootfs/java21 /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    LANG=C.UTF-8
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/java21-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/java", "-jar"]

# builder-python3: /rootfs/python3 = base + the C++ runtime (upstream's "cc" image) + Debian's
# Python 3.13 and the C libraries behind its extension modules, upstream's list.
FROM builder-base AS builder-python3
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
WORKDIR /debs/python3
RUN chown _apt: /debs/python3 \
 && apt-get download libgomp1 libstdc++6 libgcc-s1 gcc-14-base \
      libbz2-1.0 libdb5.3t64 libexpat1 liblzma5 libsqlite3-0 libuuid1 libncursesw6 libtinfo6 \
      zlib1g libcom-err2 libcrypt1 libc-bin libgssapi-krb5-2 libk5crypto3 libkeyutils1 \
      libkrb5-3 libkrb5support0 libnsl2 libreadline8t64 libtirpc3t64 libffi8 \
      libpython3.13-minimal libpython3.13-stdlib python3.13-minimal python3.13-venv \
 && cp -a /rootfs/base /rootfs/python3 \
 && unpack /rootfs/python3 ./*.deb
WORKDIR /rootfs/python3
# python and python3 -> python3.13 are made by the python3 package, which would also bring
# Debian's helper scripts; the links alone are enough. The loader's cache (etc/ld.so.cache),
# which ctypes.util.find_library reads, is made the way ldconfig would at install time.
# Debian ships the standard library without bytecode and compiles it at install time; here,
# as upstream, nothing compiles it: a nonroot process cannot write __pycache__ under /usr, so
# the interpreter compiles what it imports in memory, on every start.
RUN ln -s /usr/bin/python3.13 usr/bin/python3 \
 && ln -s /usr/bin/python3.13 usr/bin/python \
 && ldconfig -r /rootfs/python3 \
 && check-root /rootfs/python3 \
 && ldso="$(ldd /usr/bin/dpkg | awk '/ld-linux/ { print $1 }')" \
 && for mod in ./usr/lib/python3.13/lib-dynload/*.so; do \
      chroot /rootfs/python3 "$ldso" --list "${mod#.}" > /dev/null \
        || { echo "unresolved dependency in ${mod#.}"; exit 1; }; \
    done \
 && SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt chroot /rootfs/python3 /usr/bin/python3 -B -c 'import ssl, json, sqlite3, zlib, bz2, lzma, ctypes, ctypes.util, hashlib, uuid, decimal, zoneinfo, curses, readline, dbm, xml.etree.ElementTree, http.server; assert ssl.create_default_context().cert_store_stats()["x509_ca"] > 0; zoneinfo.ZoneInfo("Europe/Berlin"); ctypes.CDLL(ctypes.util.find_library("c")); print("python3 ok:", ssl.OPENSSL_VERSION, sqlite3.sqlite_version)' \
 && test -z "$(find usr/lib/python3.13 -name '*.pyc' -print -quit)"

# python3: the Python 3.13 interpreter and standard library; `docker run IMAGE app.py`.
FROM scratch AS python3
COPY --from=builder-python3 /rootfs/python3 /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    LANG=C.UTF-8
LABEL sizedrop.managed="true" sizedrop.image-set="local" \
      sizedrop.lookalike-of="gcr.io/distroless/python3-debian13:nonroot"
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/bin/python3.13"]

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
 && /rootfs/busybox/bin/busybox | sed -n 1p

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
