# Reference for goal 05-export (notebook 05): checked by lab.check_run("05-export").
docker create --name peek-$SIZEDROP_SESSION --label sizedrop.container=true \
  sizedrop.invalid/go-app:distroless
docker export -o $SIZEDROP_TMP/distroless-fs.tar peek-$SIZEDROP_SESSION
