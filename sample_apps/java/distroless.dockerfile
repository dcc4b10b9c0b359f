# Size Drop, Java, distroless: build with the JDK, run on Google's distroless Java image.
# The runtime has a JRE, glibc and CA certificates, but no shell, no package manager and
# no coreutils: less to download, less to patch, nothing for an intruder to work with.

ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_IMAGE=gcr.io/distroless/java21-debian13:nonroot

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

# runtime: distroless Java 21 plus the tested jar.
FROM ${DISTROLESS_JAVA_IMAGE} AS runtime
WORKDIR /app
# Only the jar crosses over. It stays owned by root and read-only for everyone else, so
# the service (uid 65532) can run it but not modify it.
COPY --from=build /app/app.jar /app/app.jar

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
