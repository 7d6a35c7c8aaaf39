#!/bin/bash
# base (no burst warm-up) then current, lead 200, GC probe in the worker's main thread
cd /work/main
for v in "$@"; do
  case $v in base*) W=/tmp/base/src/worker.ts ;; *) W=src/worker.ts ;; esac
  rm -f /tmp/probe/gc-*.log
  OURS_WORKER_CMD="node --max-semi-space-size=64 -r /tmp/probe/gc.js --import tsx $W" \
    bash bench/run.sh --scenarios burst --systems ours --burst-sizes 10000 --burst-lead 200 --repeats 1 --out /tmp/probe/gc$v > /tmp/probe/gc$v.log 2>&1
  mkdir -p /tmp/probe/gc$v && mv /tmp/probe/gc-*.log /tmp/probe/gc$v/
done
