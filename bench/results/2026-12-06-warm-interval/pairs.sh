#!/bin/bash
# Burst of 10,000 at lead 200 s, ours alone: cur (this checkout, warm-ups every 15 s) against i5 (the same with
# BURST_WARM_UP_INTERVAL_MS = 5_000, checked out at /tmp/w5 with main's node_modules linked), alternated.
# Usage: pairs.sh cur1 i51 cur2 i52
cd /work/main
OUT=/work/main/bench/results/2026-12-06-warm-interval
for v in "$@"; do
  case $v in i5*) W=/tmp/w5/src/worker.ts ;; *) W=src/worker.ts ;; esac
  OURS_WORKER_CMD="node_modules/.bin/tsx --max-semi-space-size=64 $W" \
    bash bench/run.sh --scenarios burst --systems ours --burst-sizes 10000 --burst-lead 200 --repeats 1 \
    --out $OUT/$v > $OUT/$v.log 2>&1
done
