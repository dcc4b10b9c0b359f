# Workshop challenge, Java: this works, but it ships a whole JDK and runs as root.
# Your job: make it small (see the target in notebook 07) and unprivileged, without
# breaking the service. Notebook 07 copies it into your work folder (work/07-challenge-java/,
# with a copy of sample_apps/java) and gives the command that builds it.
ARG JDK_IMAGE=eclipse-temurin:21-jdk
ARG JRE_IMAGE=eclipse-temurin:21-jre
ARG DISTROLESS_JAVA_IMAGE=gcr.io/distroless/java21-debian13:nonroot
ARG DISTROLESS_JAVA_BASE_IMAGE=gcr.io/distroless/java-base-debian13:nonroot

# everything: compiles, tests, packages and runs, with the compiler still on board.
FROM ${JDK_IMAGE} AS everything
WORKDIR /src
COPY . .
RUN find src -name '*.java' > sources.txt \
 && javac --release 21 -d /src/classes @sources.txt \
 && java -cp /src/classes sizedrop.TestMain \
 && jar --create --file /src/app.jar --main-class sizedrop.App -C /src/classes .
# A "backup" of the compiled classes that nobody asked for.
RUN cp -r /src/classes /src/classes-backup
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s CMD ["java", "-cp", "/src/app.jar", "sizedrop.HealthCheck"]
ENTRYPOINT ["java", "-jar", "/src/app.jar"]
