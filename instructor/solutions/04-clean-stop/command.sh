# Reference for goal 04-clean-stop (notebook 04): checked by lab.check_run("04-clean-stop").
docker run -d --name stopper-$SIZEDROP_SESSION --label sizedrop.container=true \
  --memory 256m --stop-timeout 5 sizedrop.invalid/java-app:jlink
sleep 3
docker stop stopper-$SIZEDROP_SESSION
