# One solution for the Java challenge: compile and test with the JDK, ship the jar on the
# distroless Java runtime as uid 65532. (A jlink runtime would be smaller still.)
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_IMAGE=gcr.io/distroless/java21-debian13:nonroot

# build: compile, test, package; only app.jar leaves this stage.
FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY src ./src
RUN find src/main -name '*.java' > main.txt && find src/test -name '*.java' > test.txt \
 && javac --release 21 -d /src/classes @main.txt \
 && javac --release 21 -cp /src/classes -d /src/test-classes @test.txt \
 && java -cp /src/classes:/src/test-classes sizedrop.TestMain \
 && jar --create --file /src/app.jar --main-class sizedrop.App -C /src/classes .

# runtime: a JRE, glibc and certificates; no shell, no compiler.
FROM ${DISTROLESS_JAVA_IMAGE} AS runtime
COPY --from=build /src/app.jar /app/app.jar
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s CMD ["java", "-cp", "/app/app.jar", "sizedrop.HealthCheck"]
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
