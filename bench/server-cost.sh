#!/usr/bin/env bash
# What an event costs the Temporal dev server (see bench/server-cost.ts): starts a fresh dev server on a free port
# with a throwaway data dir, runs one measurement, prints one JSON line, stops the server and removes the data dir.
#
#   bash bench/server-cost.sh <workflow> <events> <leadSeconds> [aheadMs]
#   e.g. bash bench/server-cost.sh scheduledEventWorkflow 1000 25
#        bash bench/server-cost.sh plainActivity 1000 25 1000
#   PERF=1 also records a CPU profile of the server with `perf` (to $TMPDIR/server-cost.perf.data).
#   TEMPORAL_DYNAMIC_CONFIG / TEMPORAL_SQLITE_PRAGMAS (and GOGC) reach temporal-dev.sh, to try settings;
#   EAGER_START=1 / START_DELAY=0 change how workflows are started (see bench/server-cost.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

data_dir=$(mktemp -d "${TMPDIR:-/tmp}/server-cost.XXXXXX")
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export TEMPORAL_DATA_DIR=$data_dir TEMPORAL_PORT=$port TEMPORAL_HEADLESS=1
perf_pid=
cleanup() {
  [[ -n $perf_pid ]] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
  bash temporal-dev.sh stop >/dev/null 2>&1 || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

bash temporal-dev.sh start >/dev/null
server_pid=$(<"$data_dir/temporal-dev.pid")
if [[ ${PERF:-} == 1 ]]; then
  perf record -F 499 -g -p "$server_pid" -o "${TMPDIR:-/tmp}/server-cost.perf.data" >/dev/null 2>&1 &
  perf_pid=$!
fi
TEMPORAL_ADDRESS=127.0.0.1:$port TEMPORAL_PID=$server_pid node_modules/.bin/tsx bench/server-cost.ts "$@" \
  2>"$data_dir/stderr.log" || { tail -20 "$data_dir/stderr.log" >&2; exit 1; }
