# Size Drop, Java, jlink: a Java runtime cut down to the two modules the app uses.
# `jdeps --print-module-deps app.jar` answers "java.base,jdk.httpserver"; jlink builds a
# runtime with just those, instead of the ~70 modules of a full JRE. It runs on distroless
# java-base: glibc, zlib and friends for the JVM's native code, but no Java of its own.

ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_BASE_IMAGE=gcr.io/distroless/java-base-debian13:nonroot

# build: compiles the service, compiles and runs its tests, packages app.jar.
FROM ${JDK_IMAGE} AS build
WORKDIR /src

# Main sources first: editing only a test then reuses the cached compile of the main code.
COPY src/main/java ./src/main/java
RUN find src/main/java -name '*.java' > main-sources.txt \
 && javac --release 21 -d /src/classes @main-sources.txt

# The tests run during the build: if one fails, `java` exits non-zero, this RUN fails,
# and so does `docker build`. They live in this stage, not in a separate one, because a
# stage that nothing copies from may be skipped by BuildKit; here the runtime stage copies
# app.jar from this stage, so the tests can never be skipped. The jar is packaged only
# after they passed, in the same step.
COPY src/test/java ./src/test/java
RUN find src/test/java -name '*.java' > test-sources.txt \
 && javac --release 21 -cp /src/classes -d /src/test-classes @test-sources.txt \
 && java -cp /src/classes:/src/test-classes sizedrop.TestMain \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class sizedrop.App -C /src/classes .

# jre: links a minimal Java runtime from the JDK's jmods into /opt/jre.
FROM build AS jre
# --strip-java-debug-attributes drops line numbers and local-variable tables from the
# classes. (The broader --strip-debug also strips native libraries and needs objcopy,
# which a JDK image does not ship; the JDK's native libraries come stripped anyway.)
# --no-man-pages and --no-header-files drop files nobody reads in a container, and
# --compress=zip-6 zips the classes inside the runtime's lib/modules file (the JDK 21
# spelling; older JDKs wrote --compress=2). Add a module here if jdeps ever reports one.
RUN jlink --add-modules java.base \
      --strip-java-debug-attributes --no-man-pages --no-header-files --compress=zip-6 \
      --output /opt/jre

# runtime: distroless java-base, the linked runtime and the tested jar.
FROM ${DISTROLESS_JAVA_BASE_IMAGE} AS runtime
WORKDIR /app
# Only the linked runtime and the jar cross over. Both stay owned by root and read-only
# for everyone else, so the service (uid 65532) can run them but not modify them.
COPY --from=jre /opt/jre /opt/jre
COPY --from=build /app/app.jar /app/app.jar

# A numeric uid:gid needs no entry in /etc/passwd and lets Kubernetes' runAsNonRoot check
# that it is not root. 65532 is the "nonroot" user of distroless images (their :nonroot
# tags already default to it; saying it here keeps the file honest if the tag changes).
USER 65532:65532
EXPOSE 8080

# java-base has no java on PATH, so both commands name the linked runtime explicitly.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/opt/jre/bin/java", "-cp", "/app/app.jar", "sizedrop.HealthCheck"]
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
