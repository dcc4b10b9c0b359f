# Reference for goal 05-one-file (notebook 05): checked by lab.check_run("05-one-file").
# The entrypoint's program, from `docker image inspect --format '{{json .Config.Entrypoint}}'
# sizedrop.invalid/go-app:distroless`, is /app/server.
docker create --name peek-$SIZEDROP_SESSION --label sizedrop.container=true \
  sizedrop.invalid/go-app:distroless
docker cp peek-$SIZEDROP_SESSION:/app/server $SIZEDROP_TMP/entrypoint-program
