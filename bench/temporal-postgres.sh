#!/usr/bin/env bash
# A full Temporal server on PostgreSQL, in place of the dev server, to see what a "real" persistence changes on this
# machine (bench/PERFORMANCE.md, "What saturates"). The server is go.temporal.io/server v1.29.1, the version the dev
# server embeds, with TEMPORAL_SHARDS history shards (the dev server has 1) and a pool of 20 database connections
# (the dev server has one SQLite connection). Used through the `ours` adapter:
#
#   OURS_TEMPORAL_CMD="bash bench/temporal-postgres.sh start" OURS_TEMPORAL_STOP_CMD="bash bench/temporal-postgres.sh stop" \
#     bash bench/run.sh --scenarios sustained --systems ours --rates 100 --duration 20 --repeats 2
#
#   start  start PostgreSQL and the server in TEMPORAL_DATA_DIR, create the schema, wait until healthy, register the
#          namespace and our search attributes (temporal-dev.sh configure), then return
#   stop   stop both
#
# Environment (set by the adapter): TEMPORAL_PORT (frontend gRPC), TEMPORAL_DATA_DIR (fresh per run);
# TEMPORAL_SHARDS [4]. The server and its SQL tool are built once with `go install` (Go module proxy) into
# ~/.cache/scheduled-events/temporal-server-v1.29.1. PostgreSQL is Debian's (`apt-get install postgresql`, which
# bench/run.sh installs for the peers); it runs as user postgres with synchronous_commit=off, the counterpart of the
# dev server's SQLite synchronous=NORMAL (either may lose the last commits on an OS crash; neither corrupts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly SERVER_VERSION=v1.29.1
readonly BIN_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/scheduled-events/temporal-server-$SERVER_VERSION/bin
readonly SHARDS=${TEMPORAL_SHARDS:-4}
readonly DATA=${TEMPORAL_DATA_DIR:?set TEMPORAL_DATA_DIR}
readonly PORT=${TEMPORAL_PORT:?set TEMPORAL_PORT}
# PostgreSQL's files live outside TEMPORAL_DATA_DIR: the bench's temp dir is private to root, and PostgreSQL runs as
# user postgres. Its path is kept in this file, for `stop`.
readonly PG_DIR_FILE=$DATA/postgres-dir
# Temporal stores membership ports as SMALLINT in PostgreSQL: its other ports must be below 32768.
readonly LOW_PORT_MIN=20000 LOW_PORT_MAX=32000
# Bound on the wait for a healthy server after it starts.
readonly HEALTH_TIMEOUT_SECONDS=60

log() { printf 'temporal-postgres: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -1)
[[ -n $PG_BIN ]] || die "PostgreSQL not found: apt-get install -y postgresql"
as_postgres() { if [[ $(id -u) == 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

if [[ ${1:-start} == stop ]]; then
  if [[ -f $DATA/server.pid ]]; then
    pid=$(<"$DATA/server.pid")
    kill "$pid" 2>/dev/null || true
    # Up to 10 s for a clean exit, then no more waiting.
    for ((i = 0; i < 20; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  if [[ -f $PG_DIR_FILE ]]; then
    pg_dir=$(<"$PG_DIR_FILE")
    as_postgres "$PG_BIN/pg_ctl -D $pg_dir/data -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir" "$PG_DIR_FILE"
  fi
  exit 0
fi

if [[ ! -x $BIN_DIR/server || ! -x $BIN_DIR/sql ]]; then
  log "building go.temporal.io/server $SERVER_VERSION (server and SQL tool) into $BIN_DIR (one-off, a few minutes)"
  mkdir -p "$BIN_DIR"
  GOBIN=$BIN_DIR CGO_ENABLED=0 go install "go.temporal.io/server/cmd/server@$SERVER_VERSION" \
    "go.temporal.io/server/cmd/tools/sql@$SERVER_VERSION" >&2
fi
SCHEMA_DIR=$(go env GOMODCACHE)/go.temporal.io/server@$SERVER_VERSION/schema/postgresql/v12
[[ -d $SCHEMA_DIR ]] || die "schema not found in $SCHEMA_DIR"

free_port() {
  local min=${1:-1024} max=${2:-65000}
  node -e "
    const net = require('net');
    const tryPort = () => { const p = $min + Math.floor(Math.random() * ($max - $min));
      const s = net.createServer().once('error', tryPort).listen(p, '127.0.0.1', () => { console.log(p); s.close(); }); };
    tryPort();"
}

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/temporal-postgres.XXXXXX")
echo "$pg_dir" >"$PG_DIR_FILE"
if [[ $(id -u) == 0 ]]; then chown postgres "$pg_dir"; fi
pg_port=$(free_port)
as_postgres "$PG_BIN/initdb -D $pg_dir/data -U postgres --auth=trust --no-sync -E UTF8 --locale=C" >/dev/null
as_postgres "$PG_BIN/pg_ctl -D $pg_dir/data -w -l $pg_dir/postgres.log -o \"-p $pg_port -k $pg_dir \
  -c listen_addresses=127.0.0.1 -c max_connections=100 -c synchronous_commit=off\" start" >/dev/null
sql_tool() {
  local out
  out=$("$BIN_DIR/sql" --ep 127.0.0.1 -p "$pg_port" -u postgres --pl postgres12 "$@" 2>&1) || die "sql tool $*: $out"
}
for db in temporal:temporal temporal_visibility:visibility; do
  sql_tool --db "${db%%:*}" create
  sql_tool --db "${db%%:*}" setup-schema -v 0.0
  sql_tool --db "${db%%:*}" update-schema -d "$SCHEMA_DIR/${db##*:}/versioned"
done

conf=$DATA/config
mkdir -p "$conf"
cat >"$conf/dynamic.yaml" <<YAML
# As temporal-dev.sh sets them on the dev server.
system.enableActivityEagerExecution:
  - value: true
frontend.enableServerVersionCheck:
  - value: false
YAML
datastore() {
  cat <<YAML
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$pg_port
        connectProtocol: tcp
        user: postgres
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: 1h
YAML
}
service() {
  cat <<YAML
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $(free_port $LOW_PORT_MIN $LOW_PORT_MAX)
      bindOnLocalHost: true
YAML
}
cat >"$conf/development.yaml" <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: $SHARDS
  datastores:
    default:
$(datastore temporal 20)
    visibility:
$(datastore temporal_visibility 4)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
$(service frontend "$PORT")
$(service matching "$(free_port $LOW_PORT_MIN $LOW_PORT_MAX)")
$(service history "$(free_port $LOW_PORT_MIN $LOW_PORT_MAX)")
$(service worker "$(free_port $LOW_PORT_MIN $LOW_PORT_MAX)")
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$PORT
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $conf/dynamic.yaml
  pollInterval: 10s
YAML

setsid "$BIN_DIR/server" --root "$DATA" --config config --env development start >"$DATA/server.log" 2>&1 &
echo $! >"$DATA/server.pid"
cli=$(bash temporal-dev.sh path)
for ((i = 0; i < HEALTH_TIMEOUT_SECONDS; i++)); do
  "$cli" operator cluster health --address "127.0.0.1:$PORT" --command-timeout 2s >/dev/null 2>&1 && break
  sleep 1
done
((i < HEALTH_TIMEOUT_SECONDS)) || die "the server did not become healthy (see $DATA/server.log)"
# A full server has no namespace until one is created; temporal-dev.sh configure then registers our attributes.
"$cli" operator namespace create --address "127.0.0.1:$PORT" --namespace default >/dev/null
bash temporal-dev.sh configure
log "running: gRPC 127.0.0.1:$PORT, $SHARDS shards, PostgreSQL on 127.0.0.1:$pg_port"
