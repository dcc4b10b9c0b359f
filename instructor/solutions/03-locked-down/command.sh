# Reference for goal 03-locked-down (notebook 03): checked by lab.check_run("03-locked-down").
docker run -d --name locked-$SIZEDROP_SESSION --label sizedrop.container=true \
  --read-only --cap-drop ALL --user 65532:65532 --memory 128m --cpus 0.5 \
  --health-interval 2s -p 127.0.0.1::8080 sizedrop.invalid/python-app:distroless
