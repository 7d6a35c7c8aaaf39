#!/bin/bash
# The built worker (node dist/src/worker.js, what README "Running in production" says) against tsx (npm run
# start:worker), same code (c595b34, burst warm-ups on), alternated pairs at lead 200 s. Both arms as they ran: the
# API through tsx (the bench's default until 6de0572, which builds and runs both built by default).
cd /work/main
export TEMPORAL_CLI_PATH=/root/.cache/scheduled-events/temporal-cli-v1.5.1/bin/temporal
export OURS_SERVER_CMD="node_modules/.bin/tsx src/server.ts"
OUT=/tmp/built2/out
npm run build >/dev/null
for i in 1 2 3; do
  if [ $((i % 2)) = 1 ]; then order="built tsx"; else order="tsx built"; fi
  for w in $order; do
    if [ $w = built ]; then
      export OURS_WORKER_CMD="node --max-semi-space-size=64 dist/src/worker.js"
    else
      export OURS_WORKER_CMD="node_modules/.bin/tsx --max-semi-space-size=64 src/worker.ts"
    fi
    bash bench/run.sh --scenarios burst --systems ours --burst-sizes 10000 --burst-lead 200 --repeats 1 --out $OUT/$w-$i > /tmp/built2/$w-$i.log 2>&1
    echo "$w-$i done $(date +%T)" >> /tmp/built2/progress
  done
done
