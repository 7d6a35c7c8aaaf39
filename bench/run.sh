#!/usr/bin/env bash
# Benchmark scheduled-events against its peers, in one command:
#
#   bench/run.sh --quick                         # every scenario and system, small and short
#   bench/run.sh                                 # the full comparison (hours: 3 repeats of everything)
#   bench/run.sh --scenarios burst --systems ours,bullmq --repeats 5
#   bench/run.sh --help                          # every option
#
# Installs what is missing (Debian redis-server, postgresql, librsvg2-bin; the bench's own npm packages), starts a
# private Redis and PostgreSQL on free 127.0.0.1 ports with their data in a temp dir, runs the scenarios, stops
# everything it started (by pid, from $BENCH_TMP/pids) and removes the temp dir. Results: bench/results/<timestamp>.json,
# .md and one PNG chart per scenario.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$BENCH_DIR")"
# A relative --out is taken from here, or from where npm was run (`npm --prefix bench run bench`), not from bench/
# (bench/src/options.ts).
export BENCH_CALLER_CWD="${INIT_CWD:-$PWD}"
cd "$BENCH_DIR"

for arg in "$@"; do
  case "$arg" in -h | --help) SHOW_HELP=1 ;; esac
done

# 1. Debian packages (the servers are only used as private instances started below, never as system services).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
compgen -G "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" >/dev/null || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ] && [ -z "${SHOW_HELP:-}" ]; then
  echo "bench: installing ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# 2. npm packages: the bench's own (peers and TypeScript), and the service's when our service will be started from
#    this checkout.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
if [ -f "$REPO_ROOT/package-lock.json" ] && [ ! -d "$REPO_ROOT/node_modules" ]; then
  npm ci --prefix "$REPO_ROOT" --no-audit --no-fund --loglevel=error
fi

# 3. Build the harness (plain Node runs it, so no loader sits in the measured worker processes).
node_modules/.bin/tsc -p tsconfig.json

# 4. Run, with a trap that ends whatever is left of what this run started.
BENCH_TMP="$(mktemp -d /tmp/se-bench.XXXXXX)"
export BENCH_TMP
cleanup() {
  local pids="$BENCH_TMP/pids"
  if [ -f "$pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && { kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; }
    done <"$pids"
    sleep 1
    while read -r pid; do
      [ -n "$pid" ] && { kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
    done <"$pids"
  fi
  # BENCH_KEEP_TMP=1 keeps the temp dir (every process's log is in $BENCH_TMP/logs, our Temporal databases in
  # $BENCH_TMP/ours-*) for a look after the run.
  if [ -n "${BENCH_KEEP_TMP:-}" ]; then echo "bench: kept $BENCH_TMP" >&2; else rm -rf "$BENCH_TMP"; fi
}
trap cleanup EXIT

# Ctrl-C reaches node too: it finishes the current run, writes the results, then this script cleans up.
node dist/main.js "$@"
