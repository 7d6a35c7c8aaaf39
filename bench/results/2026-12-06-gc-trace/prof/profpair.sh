#!/bin/bash
# CPU profiles of the worker through a burst of 10,000 at lead 200 s: base (3efd220, no burst warm-up, at /tmp/base)
# cur (this checkout) and once (7dc314a, one warm-up 2 s before, at /tmp/w1). Usage: profpair.sh base cur once. Profiles go to /tmp/probe/prof-<v>/ (not kept: ~100 MB).
cd /work/main
OUT=/work/main/bench/results/2026-12-06-gc-trace/prof
for v in "$@"; do
  case $v in base*) W=/tmp/base/src/worker.ts ;; once*) W=/tmp/w1/src/worker.ts ;; *) W=src/worker.ts ;; esac
  mkdir -p /tmp/probe/prof-$v
  OURS_WORKER_CMD="node --cpu-prof --cpu-prof-dir=/tmp/probe/prof-$v --max-semi-space-size=64 --import tsx $W" \
    bash bench/run.sh --scenarios burst --systems ours --burst-sizes 10000 --burst-lead 200 --repeats 1 \
    --out $OUT/$v > $OUT/$v.log 2>&1
done
