# Reference for goal 01-publish (notebook 01): checked by lab.check_run("01-publish").
docker run -d --name web-$SIZEDROP_SESSION --label sizedrop.container=true \
  -e PORT=9090 -p 127.0.0.1::9090 --restart on-failure:3 \
  sizedrop.invalid/go-app:single-stage
