#!/usr/bin/env bash
# The full-size reliability run: the fault, load and hostile-input tests of test/reliability/ at the sizes behind
# docs/guarantees.md (figures in bench/PERFORMANCE.md, "Fault tests"), one test file at a time (they measure
# throughput and recovery times), then a summary of the figures each test recorded.
#
# Usage: scripts/reliability-full.sh [extra jest arguments]
#
# Sizes (environment; defaults in brackets; CI runs the same tests with the small defaults of each test file):
#   RELIABILITY_LOAD_EVENTS               events created through the API while the worker is killed twice [10000]
#   RELIABILITY_LOAD_RATE                 due events per second in the load test [50]
#   RELIABILITY_SERVER_KILL_EVENTS        events pending when the Temporal server is killed [1000]
#   RELIABILITY_SERVER_KILL_OUTAGE_MS     shortest time the server stays down [10000]
#   RELIABILITY_SERVER_KILL_CREATE_BUDGET_MS  ms allowed per create before the first event is due [40]
#   RELIABILITY_WORKER_KILL_IN_FLIGHT     attempts in flight when the worker is killed [100]
#   RELIABILITY_WORKER_KILL_SLEEPING      events sleeping when the worker is killed [200]
#   RELIABILITY_RECEIVER_OUTAGE_MS        how long the webhook receiver is down [15000]
#   RELIABILITY_HOSTILE_RUNS              fast-check runs per property [2000]
#   RELIABILITY_CANCEL_EVENTS             events cancelled 0-2,200 ms after create, per worker setup (1 and 2) [500]
#   RELIABILITY_MODEL_RUNS                fast-check runs of the model-based cancel test [20]
#   RELIABILITY_MODEL_COMMANDS            most commands per run of it [30]
#   RELIABILITY_HOSTILE_MEMORY_REQUESTS   requests of the memory check [30000]
#   RELIABILITY_FIGURES_DIR               where each test writes <test>.json [a new temporary directory]
#
# Needs what `npm test` needs (node_modules, and the Temporal CLI or Go to build it); everything runs on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

export RELIABILITY_LOAD_EVENTS=${RELIABILITY_LOAD_EVENTS:-10000}
export RELIABILITY_LOAD_RATE=${RELIABILITY_LOAD_RATE:-50}
export RELIABILITY_SERVER_KILL_EVENTS=${RELIABILITY_SERVER_KILL_EVENTS:-1000}
export RELIABILITY_SERVER_KILL_OUTAGE_MS=${RELIABILITY_SERVER_KILL_OUTAGE_MS:-10000}
export RELIABILITY_WORKER_KILL_IN_FLIGHT=${RELIABILITY_WORKER_KILL_IN_FLIGHT:-100}
export RELIABILITY_WORKER_KILL_SLEEPING=${RELIABILITY_WORKER_KILL_SLEEPING:-200}
export RELIABILITY_RECEIVER_OUTAGE_MS=${RELIABILITY_RECEIVER_OUTAGE_MS:-15000}
export RELIABILITY_HOSTILE_RUNS=${RELIABILITY_HOSTILE_RUNS:-2000}
export RELIABILITY_CANCEL_EVENTS=${RELIABILITY_CANCEL_EVENTS:-500}
export RELIABILITY_MODEL_RUNS=${RELIABILITY_MODEL_RUNS:-20}
export RELIABILITY_MODEL_COMMANDS=${RELIABILITY_MODEL_COMMANDS:-30}
export RELIABILITY_HOSTILE_MEMORY_REQUESTS=${RELIABILITY_HOSTILE_MEMORY_REQUESTS:-30000}
if [[ -z ${RELIABILITY_FIGURES_DIR:-} ]]; then
  RELIABILITY_FIGURES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/scheduled-events-reliability.XXXXXX")
fi
export RELIABILITY_FIGURES_DIR
mkdir -p "$RELIABILITY_FIGURES_DIR"

echo "reliability-full: sizes"
env | grep '^RELIABILITY_' | sort | sed 's/^/  /'
echo

started=$SECONDS
status=0
# `--` ends --selectProjects' list: without it the path would be read as one more project name.
npx jest --selectProjects integration unit --runInBand "$@" -- test/reliability || status=$?
elapsed=$((SECONDS - started))

echo
echo "reliability-full: figures (from $RELIABILITY_FIGURES_DIR)"
# The JavaScript is single-quoted on purpose: bash must not expand its template literals.
# shellcheck disable=SC2016
node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const dir = process.argv[1];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) console.log("  (no figures recorded)");
  for (const file of files) {
    const figures = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    console.log(`\n== ${figures.test} (recorded ${figures.recordedAt})`);
    for (const [key, value] of Object.entries(figures)) {
      if (key === "test" || key === "recordedAt") continue;
      console.log(`  ${key}: ${typeof value === "object" ? JSON.stringify(value) : value}`);
    }
  }
' "$RELIABILITY_FIGURES_DIR"
echo
echo "reliability-full: jest exit status $status, ${elapsed}s"
exit "$status"
