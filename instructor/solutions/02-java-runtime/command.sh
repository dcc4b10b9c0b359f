# Reference for goal 02-java-runtime (notebook 02): checked by lab.check_run("02-java-runtime").
# Run from notebooks/ (the notebook's folder); the build args are empty with the official set.
# The stage is `jre`; BuildKit runs it and the build stage it copies the module list from,
# and skips test, libs and runtime.
docker build --build-arg JDK_IMAGE --build-arg DISTROLESS_STATIC_IMAGE \
  -f ../sample_apps/java/jlink.dockerfile --target jre \
  --label sizedrop.managed=true -t sizedrop.invalid/work:02-java-runtime-$SIZEDROP_SESSION \
  ../sample_apps/java
