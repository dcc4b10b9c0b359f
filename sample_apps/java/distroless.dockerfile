# Size Drop, Java, distroless: build with the JDK, run on Google's distroless Java image.
# The runtime has a JRE, glibc and CA certificates, but no shell, no package manager and
# no coreutils: less to download, less to patch, nothing for an intruder to work with.
# (Distroless images are built from Debian packages, not from Alpine.)
#
#   docker build -f distroless.dockerfile -t java-app:distroless .

ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_IMAGE=gcr.io/distroless/java21-debian13:nonroot

# build: compiles the service and packages app.jar; none of this stage ships.
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
      --date="$(date -u -d "@${SOURCE_DATE_EPOCH}" +%Y-%m-%dT%H:%M:%SZ)" -C /src/classes .

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

# runtime: distroless Java 21 plus the tested jar.
FROM ${DISTROLESS_JAVA_IMAGE} AS runtime
WORKDIR /app
# Only the jar crosses over. It stays owned by root and read-only for everyone else, so
# the service (uid 65532) can run it but not modify it.
COPY --from=test /app/app.jar /app/app.jar

# A numeric uid:gid needs no entry in /etc/passwd and lets Kubernetes' runAsNonRoot check
# that it is not root. 65532 is the "nonroot" user of distroless images (their :nonroot
# tags already default to it; saying it here keeps the file honest if the tag changes).
USER 65532:65532
EXPOSE 8080

# Without a shell, only exec form can work: there is no /bin/sh to run a shell-form
# command. java is /usr/bin/java in this image. The health check is the app's own client,
# because there is no curl either.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["java", "-cp", "/app/app.jar", "sizedrop.HealthCheck"]
# The base image's ENTRYPOINT is ["/usr/bin/java", "-jar"]; we replace it completely so the
# whole command is visible here.
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
