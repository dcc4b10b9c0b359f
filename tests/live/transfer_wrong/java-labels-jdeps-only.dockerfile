# A typical wrong slim image: a jlink runtime with exactly the modules jdeps printed. It
# builds, starts and is healthy; requests that load code by name fail.
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG DISTROLESS_JAVA_BASE_IMAGE=gcr.io/distroless/java-base-debian13:nonroot

FROM ${JDK_IMAGE} AS build
WORKDIR /src
COPY src ./src
RUN find src/main/java -name '*.java' > main-sources.txt \
 && javac --release 21 -d classes @main-sources.txt \
 && mkdir -p /app \
 && jar --create --file /app/app.jar --main-class labels.App -C classes . \
 && jdeps --print-module-deps --ignore-missing-deps /app/app.jar > /app/modules.txt

FROM ${JDK_IMAGE} AS jre
COPY --from=build /app/modules.txt /tmp/modules.txt
RUN jlink --add-modules "$(cat /tmp/modules.txt)" --strip-java-debug-attributes \
      --no-man-pages --no-header-files --output /opt/jre

FROM ${DISTROLESS_JAVA_BASE_IMAGE} AS runtime
COPY --from=jre /opt/jre /opt/jre
COPY --from=build /app/app.jar /app/app.jar
USER 65532:65532
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 CMD ["/opt/jre/bin/java", "-cp", "/app/app.jar", "labels.HealthCheck"]
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
