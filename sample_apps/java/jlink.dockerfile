# Size Drop, Java, jlink: a Java runtime cut down to the modules the app uses.
# `jdeps --print-module-deps app.jar` lists the modules the jar's classes refer to (for this
# service, which has its own small HTTP server on plain sockets: java.base alone); jlink
# builds a runtime with just those, instead of the ~70 modules of a full JRE. The runtime
# image is distroless static plus the C libraries the linked runtime loads (glibc, libstdc++,
# zlib), found by ldd: no Java, and none of the font, imaging and character-set libraries that
# distroless java-base carries for desktop and AWT code a headless service never runs.
#
#   docker build -f jlink.dockerfile -t java-app:jlink .

ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_STATIC_IMAGE=gcr.io/distroless/static-debian13:nonroot

# build: compiles the service, packages app.jar and asks jdeps which modules it needs.
# Java bytecode is the same on every architecture, so this stage and the test stage run on
# the machine that builds (BUILDPLATFORM), even for an image of another architecture.
FROM --platform=$BUILDPLATFORM ${JDK_IMAGE} AS build
WORKDIR /src
COPY src/main/java ./src/main/java
# Reproducible jar entries: every entry gets the same timestamp (SOURCE_DATE_EPOCH, in
# seconds since 1970), instead of the time of the build, so the same source gives the
# same jar bytes.
ARG SOURCE_DATE_EPOCH=1767225600
RUN find src/main/java -name '*.java' > main-sources.txt \
 && javac --release 21 -d /src/classes @main-sources.txt \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class sizedrop.App \
      --date="$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)" -C /src/classes . \
 && jdeps --print-module-deps --ignore-missing-deps /app/app.jar > /app/modules.txt \
 && cat /app/modules.txt

# test: compiles the unit tests against the classes above and runs them. If one fails,
# `java` exits non-zero, this RUN fails, and so does `docker build`. The runtime stage copies
# app.jar FROM THIS STAGE, so no image exists without passing tests; `--target test` runs
# only build and test (BuildKit builds just the stages the target needs). Editing only a
# test re-runs this stage and reuses the cached compile of the main code.
FROM build AS test
COPY src/test/java ./src/test/java
RUN find src/test/java -name '*.java' > test-sources.txt \
 && javac --release 21 -cp /src/classes -d /src/test-classes @test-sources.txt \
 && java -cp /src/classes:/src/test-classes sizedrop.TestMain

# jre: links a minimal Java runtime from the JDK's jmods into /opt/jre. It starts from the
# JDK image, not from build, and takes only the module list: after a source edit that needs
# no new module, modules.txt has the same bytes, this COPY and the jlink below come from the
# cache, and only the jar is rebuilt. It runs on the image's architecture (jmods and the JVM
# are per architecture: an arm64 runtime built on amd64 is linked under emulation).
# jdeps reads the classes' references; it cannot see modules loaded by name at run time
# (reflection, ServiceLoader providers such as jdk.crypto.ec for elliptic-curve TLS, or
# jdk.localedata). Name those in EXTRA_MODULES (comma-separated) and test the image for real.
FROM ${JDK_IMAGE} AS jre
COPY --from=build /app/modules.txt /tmp/modules.txt
ARG EXTRA_MODULES=""
# --strip-java-debug-attributes drops line numbers and local-variable tables from the
# classes; --no-man-pages and --no-header-files drop files nobody reads in a container.
# --generate-cds-archive writes a class-data sharing archive of the runtime's own classes
# (lib/server/classes.jsa), which the JVM maps at start-up instead of parsing those classes
# again: the full JRE ships one, and without it this runtime starts more slowly. It also
# writes classes_nocoops.jsa, used only when compressed object pointers are off (heaps of
# 32 GB and more); a 512 MB container never uses it, so it is deleted in the same step.
# No --compress by default: zip-compressing lib/modules makes the runtime smaller on disk
# but the image bigger to download, because a registry gzips the layer and zipped bytes no
# longer compress. `--build-arg JLINK_COMPRESS=zip-6` builds the other way, to compare
# (benchmarks/report.md measures both).
ARG JLINK_COMPRESS=""
RUN jlink --add-modules "$(cat /tmp/modules.txt)${EXTRA_MODULES:+,$EXTRA_MODULES}" \
      --strip-java-debug-attributes --no-man-pages --no-header-files \
      ${JLINK_COMPRESS:+--compress=$JLINK_COMPRESS} \
      --generate-cds-archive --output /opt/jre \
 && rm /opt/jre/lib/server/classes_nocoops.jsa \
 && /opt/jre/bin/java --list-modules

# libs: the C libraries the linked runtime needs, from the same JDK image (so they match the
# JVM that was built against them), into /rootfs at their canonical paths (/usr/lib/...,
# which distroless static reaches through its /lib and /lib64 links). ldd lists what the
# launcher, libjvm.so and the runtime's own native libraries link; glibc's libnss_compat is
# added by name, because glibc loads it only at run time, to read /etc/passwd for the
# "compat" entries of distroless' nsswitch.conf (the JVM asks for its user's name and home).
FROM jre AS libs
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
RUN { for f in /opt/jre/bin/java /opt/jre/lib/server/libjvm.so /opt/jre/lib/*.so; do ldd "$f"; done \
      | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' \
      | grep -v '^/opt/jre/'; \
      ldconfig -p | awk '$1 == "libnss_compat.so.2" { print $NF; exit }'; } \
    | sort -u > /tmp/libs.txt \
 && while read -r lib; do \
      dir="$(realpath "$(dirname "$lib")")"; \
      install -d "/rootfs$dir" && cp -a "$dir/$(basename "$lib")" "/rootfs$dir/"; \
      real="$(realpath "$lib")"; \
      install -d "/rootfs$(dirname "$real")" && cp -a "$real" "/rootfs$(dirname "$real")/"; \
    done < /tmp/libs.txt \
 && cat /tmp/libs.txt && du -sh /rootfs

# runtime: distroless static, the C libraries, the linked runtime and the tested jar.
FROM ${DISTROLESS_STATIC_IMAGE} AS runtime
WORKDIR /app
# Only these cross over. All stay owned by root and read-only for everyone else, so the
# service (uid 65532) can run them but not modify them.
COPY --from=libs /rootfs/ /
COPY --from=jre /opt/jre /opt/jre
COPY --from=test /app/app.jar /app/app.jar

# A numeric uid:gid needs no entry in /etc/passwd and lets Kubernetes' runAsNonRoot check
# that it is not root. 65532 is the "nonroot" user of distroless images (their :nonroot
# tags already default to it; saying it here keeps the file honest if the tag changes).
USER 65532:65532
EXPOSE 8080

# No java on PATH here, so both commands name the linked runtime explicitly.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/opt/jre/bin/java", "-cp", "/app/app.jar", "sizedrop.HealthCheck"]
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
