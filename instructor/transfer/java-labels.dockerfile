# labels - reference slim image (instructors, and self-paced learners who open it on purpose).
# Build context: notebooks/transfer/java-labels.
#
# A jlink runtime on distroless java-base (glibc, zlib and the other C libraries a JVM loads).
# jdeps sees java.base and jdk.httpserver. It cannot see what the service loads by NAME at run
# time: Charset.forName("IBM037") lives in jdk.charsets, and the de-CH and ja-JP number
# formats in jdk.localedata (java.base carries English only). Both are added by hand, and
# --include-locales keeps only the locales the desk prints for.
# The shutdown hook ends the JVM with 0 on SIGTERM; the JVM is PID 1 (exec form).
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_BASE_IMAGE=gcr.io/distroless/java-base-debian13:nonroot

# build: compile, test, package; then ask jdeps what the jar refers to.
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY src ./src
RUN find src/main/java -name '*.java' > main-sources.txt \
 && find src/test/java -name '*.java' > test-sources.txt \
 && javac --release 21 -d classes @main-sources.txt \
 && javac --release 21 -cp classes -d test-classes @test-sources.txt \
 && java -cp classes:test-classes labels.TestMain \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class labels.App -C classes . \
 && jdeps --print-module-deps --ignore-missing-deps /app/app.jar > /app/modules.txt

# jre: the runtime, with the two modules found by name added.
FROM ${JDK_IMAGE} AS jre
COPY --from=build /app/modules.txt /tmp/modules.txt
RUN jlink --add-modules "$(cat /tmp/modules.txt),jdk.charsets,jdk.localedata" \
      --include-locales=en,de-CH,ja-JP \
      --strip-java-debug-attributes --no-man-pages --no-header-files --output /opt/jre

# runtime: C libraries from java-base, the linked runtime and the tested jar.
FROM ${DISTROLESS_JAVA_BASE_IMAGE} AS runtime
COPY --from=jre /opt/jre /opt/jre
COPY --from=build /app/app.jar /app/app.jar
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 CMD ["/opt/jre/bin/java", "-cp", "/app/app.jar", "labels.HealthCheck"]
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
