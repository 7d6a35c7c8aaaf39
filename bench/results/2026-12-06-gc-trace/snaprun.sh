#!/bin/bash
cd /work/main
OURS_WORKER_CMD="node --max-semi-space-size=64 --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp/probe/snap --import tsx src/worker.ts" \
  bash bench/run.sh --scenarios burst --systems ours --burst-sizes 10000 --burst-lead 200 --repeats 1 --out /tmp/probe/snapout > /tmp/probe/snap.log 2>&1 &
until grep -q "now + 200.0 s" /tmp/probe/snap.log 2>/dev/null; do sleep 1; done
sleep 183
pid=$(pgrep -f "heapsnapshot-signal" | head -1)
echo "signal $pid at $(date +%T)" >> /tmp/probe/snap.note
kill -USR2 $pid
wait
