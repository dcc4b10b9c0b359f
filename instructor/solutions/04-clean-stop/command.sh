# Reference for goal 04-clean-stop (notebook 04): checked by lab.check_run("04-clean-stop").
# The grace period belongs to the container (`docker stop -t` would apply to one stop only);
# the sleep lets the JVM start, so that it is there to handle SIGTERM.
docker run -d --name stopper-$SIZEDROP_SESSION --label sizedrop.container=true \
  --memory 256m --stop-timeout 5 sizedrop.invalid/java-app:jlink
sleep 3
docker stop stopper-$SIZEDROP_SESSION
