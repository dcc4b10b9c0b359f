# A typical wrong slim image: the JRE on distroless with a Debian-style health check (shell
# form, curl): distroless has neither a shell nor curl.
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_IMAGE=gcr.io/distroless/java21-debian13:nonroot

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY src ./src
RUN find src/main/java -name '*.java' > main-sources.txt \
 && javac --release 21 -d classes @main-sources.txt \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class labels.App -C classes .

FROM ${DISTROLESS_JAVA_IMAGE} AS runtime
COPY --from=build /app/app.jar /app/app.jar
USER 65532:65532
# The shell form is the mistake this wrong variant shows (hadolint DL3025).
# hadolint ignore=DL3025
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 CMD curl -fs http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
