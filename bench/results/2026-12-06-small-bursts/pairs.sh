#!/bin/bash
# Single events and a burst of 1,000, ours alone, alternated: base = 3efd220 (before the burst warm-up, checked out
# at /tmp/base with main's node_modules linked), cur = this checkout. Usage: pairs.sh base1 cur1 base2 cur2 ...
cd /work/main
OUT=/work/main/bench/results/2026-12-06-small-bursts
for v in "$@"; do
  case $v in base*) W=/tmp/base/src/worker.ts ;; *) W=src/worker.ts ;; esac
  OURS_WORKER_CMD="node_modules/.bin/tsx --max-semi-space-size=64 $W" \
    bash bench/run.sh --scenarios single,burst --systems ours --single-count 60 --burst-sizes 1000 --burst-lead 60 \
    --repeats 1 --out $OUT/$v > $OUT/$v.log 2>&1
done
