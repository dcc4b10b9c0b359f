# Reference for goal 02-test-stage (notebook 02): checked by lab.check_run("02-test-stage").
# Run from notebooks/ (the notebook's folder); the build args are empty with the official set.
docker build --build-arg JDK_IMAGE --build-arg JRE_IMAGE \
  -f ../sample_apps/java/multi-stage.dockerfile --target test \
  --label sizedrop.managed=true -t sizedrop.invalid/work:02-tested-$SIZEDROP_SESSION \
  ../sample_apps/java
