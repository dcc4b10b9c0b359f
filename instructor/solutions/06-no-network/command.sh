# Reference for goal 06-no-network (notebook 06): checked by lab.check_run("06-no-network").
docker run -d --name jail-$SIZEDROP_SESSION --label sizedrop.container=true \
  --network none --ulimit nofile=64 --pids-limit 32 --security-opt no-new-privileges \
  --read-only sizedrop.invalid/go-app:scratch
