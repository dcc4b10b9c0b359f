# labels - single stage: it works, and it is the learner's starting point.
#
# It behaves: it answers, reports healthy, stops cleanly on SIGTERM, runs as uid 65532 on a
# read-only root. But a whole JDK (compiler, tools, every module) ships to run a small jar.
# Slim it, and keep everything the service needs at run time (read Labels.java: some of what
# it loads is found by name only when a request asks for it).
#
#   docker build -f single-stage.dockerfile -t labels:single-stage .
ARG JDK_IMAGE=eclipse-temurin:21-jdk

# runtime: compiles, tests and runs in the same image.
FROM ${JDK_IMAGE} AS runtime
WORKDIR /src
COPY src ./src
RUN find src/main/java -name '*.java' > main-sources.txt \
 && find src/test/java -name '*.java' > test-sources.txt \
 && javac --release 21 -d classes @main-sources.txt \
 && javac --release 21 -cp classes -d test-classes @test-sources.txt \
 && java -cp classes:test-classes labels.TestMain \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class labels.App -C classes .

USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 CMD ["java", "-cp", "/app/app.jar", "labels.HealthCheck"]
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
