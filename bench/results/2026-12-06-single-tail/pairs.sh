#!/bin/bash
cd /work/main
export TEMPORAL_CLI_PATH=/root/.cache/scheduled-events/temporal-cli-v1.5.1/bin/temporal
for i in 1 2 3; do
  if [ $((i % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for w in $order; do
    if [ $w = base ]; then export OURS_WORKER_CMD="node_modules/.bin/tsx --max-semi-space-size=64 /tmp/base/src/worker.ts"; else unset OURS_WORKER_CMD; fi
    bash bench/run.sh --scenarios single --systems ours --single-count 300 --repeats 1 --out /tmp/tail/$w-$i > /tmp/tail/$w-$i.log 2>&1
    echo "$w-$i done $(date +%T)" >> /tmp/tail/progress
  done
done
