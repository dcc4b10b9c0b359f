# Size Drop, Java, single stage: the "before" picture.
# Everything happens in one image based on the full JDK: the compiler, jlink, jdeps, the
# test classes and the sources all ship to production next to a 13 KB jar, and the
# service runs as root. The other Dockerfiles in this folder fix one thing at a time.

ARG JDK_IMAGE=eclipse-temurin:21-jdk

# app: compiles, tests and runs the service in the same JDK image.
FROM ${JDK_IMAGE} AS app
WORKDIR /src

# Main sources first: editing only a test then reuses the cached compile of the main code.
COPY src/main/java ./src/main/java
RUN find src/main/java -name '*.java' > main-sources.txt \
 && javac --release 21 -d /src/classes @main-sources.txt

# The tests run during the build: if one fails, `java` exits non-zero, this RUN fails,
# and so does `docker build`. The jar is packaged in the same step, only after the tests
# passed, so an untested jar never exists.
COPY src/test/java ./src/test/java
RUN find src/test/java -name '*.java' > test-sources.txt \
 && javac --release 21 -cp /src/classes -d /src/test-classes @test-sources.txt \
 && java -cp /src/classes:/src/test-classes sizedrop.TestMain \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class sizedrop.App -C /src/classes .

# No USER instruction: the process runs as root (uid 0), the default, and the naive
# choice this image stands for.
EXPOSE 8080

# Docker runs this as PID 1 in exec form (no shell in between), so SIGTERM from
# `docker stop` reaches the JVM directly. The app checks its own health with a second,
# short-lived JVM; no curl needed.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["java", "-cp", "/app/app.jar", "sizedrop.HealthCheck"]
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
