#!/usr/bin/env bash
# Runs a local Temporal development server (the `temporal` CLI's `server start-dev`) for scheduled-events.
#
# Usage: bash temporal-dev.sh [start|stop|status|path|foreground|configure|search-attributes]
#   start       (default) start the server in the background, wait until it is healthy, then `configure`;
#               when it is already running, only `configure`
#   stop        stop the server started from this data dir (pid file) and wait for it to exit
#   status      say whether it is running; exit 0 when it is, 1 when not
#   path        print the path of the `temporal` binary (building it if needed) and nothing else on stdout
#   foreground  run the server in the foreground (Ctrl-C stops it); `configure` runs alongside once it is healthy
#   configure   on the server already answering on TEMPORAL_PORT: create TEMPORAL_NAMESPACE if missing, register our
#               search attributes in it and set its retention (idempotent; e.g. for a second namespace)
#   search-attributes  print our search attributes as Name=Type, one per line (for another cluster's setup)
#
# Environment (defaults in brackets):
#   TEMPORAL_CLI_PATH   the `temporal` binary to use [then `temporal` on PATH, then the cache below, built if missing]
#   TEMPORAL_PORT       frontend gRPC port [7233]
#   TEMPORAL_UI_PORT    Web UI port [8233]
#   TEMPORAL_HEADLESS   1 = no Web UI [unset]
#   TEMPORAL_UI_CODEC_ENDPOINT  the Web UI's codec endpoint [http://127.0.0.1:$PORT/codec, the API's, when
#               PAYLOAD_ENCRYPTION_KEYS is set; else none]
#   TEMPORAL_NAMESPACE  namespace to create and configure [default]
#   TEMPORAL_DATA_DIR   where the database, pid file and log live [.temporal next to this script]
#   TEMPORAL_DB_FILE    SQLite database file [$TEMPORAL_DATA_DIR/temporal.sqlite]
#   TEMPORAL_RETENTION  how long closed workflows (finished events and their invocation logs) are kept [720h]
#   TEMPORAL_SQLITE_SYNCHRONOUS  SQLite `synchronous` pragma [NORMAL]: with WAL, NORMAL survives process kills and
#               OS crashes (a crash may lose the last commits, never corrupts); OFF (as the TS SDK's CI runs it) also
#               survives process kills, but an OS crash or power loss can corrupt the database. OFF measured no
#               faster here: the server is CPU-bound on its single SQLite connection, not waiting for fsync.
#   TEMPORAL_SQLITE_PRAGMAS  extra pragmas, space-separated name=value (e.g. "cache_size=-65536 temp_store=MEMORY")
#   TEMPORAL_DYNAMIC_CONFIG  extra dynamic config, space-separated key=value (e.g. history.shardIOConcurrency=2)
#
# Nothing is downloaded at run time; building the CLI (once) uses the Go module proxy.
set -euo pipefail

readonly CLI_VERSION=v1.5.1
readonly CLI_MODULE=github.com/temporalio/cli/cmd/temporal
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly CACHE_BIN_DIR=${XDG_CACHE_HOME:-${HOME:?set HOME or XDG_CACHE_HOME}/.cache}/scheduled-events/temporal-cli-${CLI_VERSION}/bin

# Our custom search attributes, as Name=Type, read from their one definition, workflows/storage-schema.ts (each
# `export const X = defineSearchAttributeKey('Name', SearchAttributeType.TYPE)` on one line), by the commands that
# need them (load_search_attributes; test/storage-schema.test.ts checks the reading). A missing attribute makes the
# workflow's upsert fail. SQL visibility (the dev server's SQLite) allows at most 3 Datetime, 3 Int and 10 Keyword
# custom attributes per namespace.
SEARCH_ATTRIBUTE_SOURCE=$SCRIPT_DIR/workflows/storage-schema.ts
SEARCH_ATTRIBUTES=()

search_attributes_from_source() {
  local name type
  sed -n "s/^export const [A-Z0-9_]* = defineSearchAttributeKey(['\"]\([A-Za-z0-9_]*\)['\"], *SearchAttributeType\.\([A-Z_]*\)).*/\1 \2/p" \
    "$SEARCH_ATTRIBUTE_SOURCE" | tr -d '\r' |
    while read -r name type; do
      case $type in
        KEYWORD) echo "$name=Keyword" ;;
        TEXT) echo "$name=Text" ;;
        INT) echo "$name=Int" ;;
        DOUBLE) echo "$name=Double" ;;
        BOOL) echo "$name=Bool" ;;
        DATETIME) echo "$name=Datetime" ;;
        KEYWORD_LIST) echo "$name=KeywordList" ;;
        *) printf 'temporal-dev: error: unknown search attribute type %s for %s\n' "$type" "$name" >&2 && return 1 ;;
      esac
    done
}

# Fills SEARCH_ATTRIBUTES, or stops: every definition in the source must have been read (a line wrapped by a
# formatter would otherwise be left out, and the workflow's upserts of it would fail).
load_search_attributes() {
  local list defined
  list=$(search_attributes_from_source) || die "could not read the search attributes in $SEARCH_ATTRIBUTE_SOURCE"
  [[ -z $list ]] || mapfile -t SEARCH_ATTRIBUTES <<<"$list"
  defined=$(grep -v '^[[:space:]]*\(\*\|//\|/\*\)' "$SEARCH_ATTRIBUTE_SOURCE" | grep -c 'defineSearchAttributeKey(' || true)
  if ((${#SEARCH_ATTRIBUTES[@]} == 0 || ${#SEARCH_ATTRIBUTES[@]} != defined)); then
    die "read ${#SEARCH_ATTRIBUTES[@]} of $defined search attributes in $SEARCH_ATTRIBUTE_SOURCE (keep each \`export const X = defineSearchAttributeKey('Name', SearchAttributeType.TYPE)\` on one line)"
  fi
}

# The API's port (PORT, as npm start reads it), for the Web UI's codec endpoint; read before PORT means ours below.
readonly API_PORT=${PORT:-8080}
readonly PORT=${TEMPORAL_PORT:-7233}
readonly UI_PORT=${TEMPORAL_UI_PORT:-8233}
readonly NAMESPACE=${TEMPORAL_NAMESPACE:-default}
readonly RETENTION=${TEMPORAL_RETENTION:-720h}
readonly SQLITE_SYNCHRONOUS=${TEMPORAL_SQLITE_SYNCHRONOUS:-NORMAL}
case ${SQLITE_SYNCHRONOUS^^} in
  OFF | NORMAL | FULL | EXTRA | 0 | 1 | 2 | 3) ;;
  *) printf 'temporal-dev: error: TEMPORAL_SQLITE_SYNCHRONOUS=%s (expected OFF, NORMAL, FULL or EXTRA)\n' "$SQLITE_SYNCHRONOUS" >&2 && exit 1 ;;
esac
ADDRESS=127.0.0.1:$PORT
# Bound on the wait for a healthy server: a fresh SQLite file needs its schema created first (a few seconds).
readonly HEALTH_TIMEOUT_SECONDS=60

log() { printf 'temporal-dev: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Absolute form of a path, relative to the caller's working directory (the server must not depend on its cwd).
absolute() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac }

DATA_DIR=$(absolute "${TEMPORAL_DATA_DIR:-$SCRIPT_DIR/.temporal}")
DB_FILE=$(absolute "${TEMPORAL_DB_FILE:-$DATA_DIR/temporal.sqlite}")
readonly DATA_DIR DB_FILE
readonly PID_FILE=$DATA_DIR/temporal-dev.pid
readonly LOG_FILE=$DATA_DIR/temporal-dev.log
# The gRPC port of the server the pid file refers to (one data dir, one server: SQLite has a single writer).
readonly PORT_FILE=$DATA_DIR/temporal-dev.port

# Prints the path of the `temporal` binary: $TEMPORAL_CLI_PATH, else `temporal` on PATH (any version), else our
# cache, building the pinned version there with `go install` when it is missing.
find_cli() {
  if [[ -n ${TEMPORAL_CLI_PATH:-} ]]; then
    [[ -x $TEMPORAL_CLI_PATH ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"
    printf '%s\n' "$TEMPORAL_CLI_PATH"
    return
  fi
  local on_path
  if on_path=$(command -v temporal 2>/dev/null); then
    printf '%s\n' "$on_path"
    return
  fi
  local cached=$CACHE_BIN_DIR/temporal
  if [[ ! -x $cached ]]; then
    build_cli
  fi
  printf '%s\n' "$cached"
}

# Builds the pinned CLI into the cache. CGO_ENABLED=0 works because its SQLite driver is pure Go; v1.5.1 is the
# last tag that `go install` accepts (later go.mod files carry a `replace` directive).
build_cli() {
  command -v go >/dev/null 2>&1 ||
    die "the Temporal CLI is not installed and Go is not available to build it.
  Install Go >= 1.25 (https://go.dev/dl/) and run this again, or install the Temporal CLI
  (https://docs.temporal.io/cli) and put it on PATH or point TEMPORAL_CLI_PATH at it."
  log "Temporal CLI not found; building $CLI_MODULE@$CLI_VERSION into $CACHE_BIN_DIR"
  log "(one-off; this takes about 4 minutes and downloads Go modules through the Go module proxy)"
  mkdir -p "$CACHE_BIN_DIR"
  # go's own output goes to stderr: `path` must print only the binary path on stdout.
  GOBIN=$CACHE_BIN_DIR CGO_ENABLED=0 go install "$CLI_MODULE@$CLI_VERSION" >&2 ||
    die "go install $CLI_MODULE@$CLI_VERSION failed (see above)"
  [[ -x $CACHE_BIN_DIR/temporal ]] || die "go install succeeded but $CACHE_BIN_DIR/temporal is missing"
  log "built $("$CACHE_BIN_DIR/temporal" --version)"
}

# Client commands talk to our local server only: ignore any temporal.toml profile or TEMPORAL_* client env vars
# (address, API key, TLS) that point the CLI at another cluster.
cli_client() { "$TEMPORAL" "$@" --address "$ADDRESS" --disable-config-file --disable-config-env; }

is_healthy() { cli_client operator cluster health --command-timeout 3s >/dev/null 2>&1; }

# Prints the pid from the pid file if that process is alive and is a Temporal dev server (not a recycled pid).
running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -o args= -p "$pid" 2>/dev/null | grep -q 'start-dev' || return 1
  printf '%s\n' "$pid"
}

# The server command line. Every flag is explained here once; `start` and `foreground` share it.
server_args() {
  SERVER_ARGS=(
    server start-dev
    --ip 127.0.0.1
    --port "$PORT"
    --namespace "$NAMESPACE"
    # A file, not the in-memory default, so scheduled events survive a restart of the server.
    --db-filename "$DB_FILE"
    # WAL lets readers (visibility queries) run while the single writer commits; synchronous=NORMAL (the default of
    # TEMPORAL_SQLITE_SYNCHRONOUS) is safe with WAL (no corruption on a crash; at worst the last transactions are
    # lost on power loss) and avoids an fsync per commit, which otherwise makes file persistence slow enough to time
    # out under load.
    --sqlite-pragma journal_mode=WAL
    --sqlite-pragma "synchronous=$SQLITE_SYNCHRONOUS"
    # No call home: the frontend otherwise contacts Temporal's version-check service at start and every 24 h.
    --dynamic-config-value frontend.enableServerVersionCheck=false
    # Eager activity dispatch: an attempt starts on the worker whose workflow task scheduled it, skipping a trip
    # through matching, and so holds where that event's cancel is processed (workflows/scheduled-event.ts).
    --dynamic-config-value system.enableActivityEagerExecution=true
    # The dev server also serves Temporal's HTTP API on a random 127.0.0.1 port, which takes any Content-Type and any
    # Origin: a web page could start an event workflow through it with a no-cors POST. Nothing here uses it (the SDK,
    # the worker and the Web UI speak gRPC), so it refuses every Host.
    --dynamic-config-value 'frontend.httpAllowedHosts=["refused.invalid"]'
    # The CLI makes every read of a search attribute reload the attribute list from the database, so that attributes
    # created at run time are seen at once. Listing events reads them per row: 1,000 events took 965 ms with it and
    # 53 ms without (bench/PERFORMANCE.md, "Listing cost"). Ours are registered at launch; `configure` waits for any
    # it adds later (the cache then refreshes within 60 s).
    --dynamic-config-value system.forceSearchAttributesCacheRefreshOnRead=false
    # Visibility calls (list, count) per second per namespace: the CLI sets 100, and the SDK retries a refused call
    # after a back-off, so one listing (tens of counts) took the quota of a second and 20 clients waited seconds
    # for it while the server idled (bench/PERFORMANCE.md, "Listing cost"). The API bounds its own listings
    # (src/temporal/listing-slots.ts); this leaves SQLite as the limit. Override with TEMPORAL_DYNAMIC_CONFIG.
    --dynamic-config-value frontend.namespaceRPS.visibility=5000
    # The history service's cache of workflows: a call on a workflow pins its entry, and is refused when every entry
    # is pinned. The CLI's 8,096 is fewer than the 10,000 attempts one worker may hold (WORKER_MAX_CONCURRENT_ATTEMPTS),
    # whose results can arrive together; a refused result makes the server run its attempt, and call, again (546 in a
    # burst of 10,000: bench/PERFORMANCE.md, "A burst's results refused"). Several workers: raise it.
    --dynamic-config-value history.hostLevelCacheMaxSize=16384
    --log-level warn
  )
  local pragma
  for pragma in ${TEMPORAL_SQLITE_PRAGMAS:-}; do SERVER_ARGS+=(--sqlite-pragma "$pragma"); done
  local dc
  for dc in ${TEMPORAL_DYNAMIC_CONFIG:-}; do SERVER_ARGS+=(--dynamic-config-value "$dc"); done
  if [[ ${TEMPORAL_HEADLESS:-} == 1 ]]; then
    SERVER_ARGS+=(--headless)
  else
    SERVER_ARGS+=(--ui-port "$UI_PORT")
    # With encrypted payloads, the UI asks the API's codec endpoint to show them (docs/web-ui.md).
    if [[ -n ${TEMPORAL_UI_CODEC_ENDPOINT:-} ]]; then
      SERVER_ARGS+=(--ui-codec-endpoint "$TEMPORAL_UI_CODEC_ENDPOINT")
    elif [[ -n ${PAYLOAD_ENCRYPTION_KEYS:-} ]]; then
      SERVER_ARGS+=(--ui-codec-endpoint "http://127.0.0.1:$API_PORT/codec")
    fi
  fi
}

# Waits until the server at $ADDRESS answers its health check. $1: pid to watch (fail fast if it exits).
wait_healthy() {
  local pid=${1:-} deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
  until is_healthy; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      log "the server exited during start-up"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "the server is not healthy after ${HEALTH_TIMEOUT_SECONDS}s"
      return 1
    fi
    sleep 0.25
  done
}

# Creates the namespace if missing, registers our search attributes and sets the retention, idempotently.
# `--search-attribute` flags on start-dev only reach namespaces created by that launch, so an existing database file
# needs this too, and so does a namespace other than the one the server was launched with.
configure_namespace() {
  local entry name type out added=0
  if ! out=$(cli_client operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1); then
    if [[ $out != *"already exists"* ]]; then
      log "could not create namespace $NAMESPACE:"
      printf '%s\n' "$out" >&2
      return 1
    fi
  fi
  load_search_attributes
  for entry in "${SEARCH_ATTRIBUTES[@]}"; do
    name=${entry%%=*}
    type=${entry#*=}
    # Creating an attribute that exists with the same type succeeds; with another type it fails, and that is a
    # real conflict that would break the workflow's upserts, so it is reported.
    if ! out=$(cli_client operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" 2>&1); then
      if [[ $out == *"already exists"* && $out != *"different type"* ]]; then
        continue
      fi
      log "could not register search attribute $name ($type) in namespace $NAMESPACE:"
      printf '%s\n' "$out" >&2
      return 1
    fi
    added=1
  done
  if [[ $added == 1 ]]; then wait_for_search_attributes || return 1; fi
  # The dev server creates namespaces with a 24 h retention; closed workflows, and with them the invocation logs
  # read back from history, would vanish a day after an event finishes.
  if ! out=$(cli_client operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1); then
    log "could not set the retention of namespace $NAMESPACE to $RETENTION:"
    printf '%s\n' "$out" >&2
    return 1
  fi
  log "namespace $NAMESPACE: search attributes registered, retention $RETENTION"
}

# An attribute created at run time is seen once the server's attribute cache refreshes (within 60 s, as the server
# runs with forceSearchAttributesCacheRefreshOnRead=false); until then an event's upsert would fail. Waits for a
# query naming every one of them to be accepted.
wait_for_search_attributes() {
  local entry query='' deadline=$((SECONDS + 90))
  for entry in "${SEARCH_ATTRIBUTES[@]}"; do query+="${query:+ AND }${entry%%=*} IS NOT NULL"; done
  log "namespace $NAMESPACE: waiting for the new search attributes to be seen (up to 60 s)"
  until cli_client workflow count --namespace "$NAMESPACE" --query "$query" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "namespace $NAMESPACE: the server still refuses queries on our search attributes after 90 s"
      return 1
    fi
    sleep 1
  done
}

describe_server() {
  local where="gRPC $ADDRESS, namespace $NAMESPACE"
  [[ ${TEMPORAL_HEADLESS:-} == 1 ]] || where+=", Web UI http://127.0.0.1:$UI_PORT"
  printf '%s\n' "$where"
}

cmd_start() {
  local pid
  if pid=$(running_pid); then
    local running_port
    running_port=$(cat "$PORT_FILE" 2>/dev/null || true)
    if [[ -n $running_port && $running_port != "$PORT" ]]; then
      die "a server from $DATA_DIR is already running (pid $pid) on port $running_port, not $PORT; run '$0 stop' first"
    fi
    # It may still be starting (another `start` just launched it): give it the usual time.
    wait_healthy "$pid" ||
      die "a server from $DATA_DIR is running (pid $pid) but not answering on $ADDRESS; run '$0 stop' first"
    log "already running (pid $pid): $(describe_server)"
    prepare_data_dir # files made before the data dir was private become so now
    configure_namespace
    return 0
  fi
  if is_healthy; then
    log "a Temporal server not started by this script is already answering on $ADDRESS; using it"
    configure_namespace
    return 0
  fi

  prepare_data_dir
  server_args
  log "starting Temporal dev server (log: $LOG_FILE, database: $DB_FILE)"
  {
    printf '\n=== %s: %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TEMPORAL" "${SERVER_ARGS[*]}"
  } >>"$LOG_FILE"
  # nohup + stdin/stdout/stderr away from the caller: the server outlives this script and does not hold the
  # caller's pipes open (jest's globalSetup waits for them to close). The env var is the other half of "no call home".
  TEMPORAL_VERSION_CHECK_DISABLED=1 nohup "$TEMPORAL" "${SERVER_ARGS[@]}" </dev/null >>"$LOG_FILE" 2>&1 &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  printf '%s\n' "$PORT" >"$PORT_FILE"

  if ! wait_healthy "$pid"; then
    log "last lines of $LOG_FILE:"
    tail -n 30 "$LOG_FILE" >&2 || true
    kill "$pid" 2>/dev/null || true
    rm -f "$PID_FILE" "$PORT_FILE"
    exit 1
  fi
  configure_namespace
  log "running (pid $pid): $(describe_server)"
}

# The data dir holds every event's payload, headers and responses: readable by this user only, whatever the umask
# (0700 for the dirs, 0600 for the database, its WAL files, the log and the pid files, made now and later).
prepare_data_dir() {
  umask 077
  local db_dir
  db_dir=$(dirname "$DB_FILE")
  # Only directories this script creates are made private: a DB file elsewhere (TEMPORAL_DB_FILE=~/x.sqlite) must
  # not change the mode of the directory it sits in.
  [[ -d $DATA_DIR ]] || { mkdir -p "$DATA_DIR" && chmod 700 "$DATA_DIR"; }
  [[ -d $db_dir ]] || { mkdir -p "$db_dir" && chmod 700 "$db_dir"; }
  chmod 700 "$DATA_DIR"
  local f
  for f in "$DB_FILE" "$DB_FILE-wal" "$DB_FILE-shm" "$LOG_FILE" "$PID_FILE" "$PORT_FILE"; do
    [[ -e $f ]] && chmod 600 "$f"
  done
  return 0
}

cmd_foreground() {
  local pid
  if pid=$(running_pid); then
    die "already running (pid $pid); run '$0 stop' first"
  fi
  is_healthy && die "a Temporal server is already answering on $ADDRESS"
  prepare_data_dir
  server_args
  # `exec` keeps this shell's pid for the server, so the pid file stays valid and Ctrl-C reaches the server
  # directly. Registration runs in a background subshell once the server answers.
  printf '%s\n' "$$" >"$PID_FILE"
  printf '%s\n' "$PORT" >"$PORT_FILE"
  (
    if wait_healthy "$$"; then
      configure_namespace && log "running: $(describe_server)"
    else
      log "not configuring the namespace: the server did not become healthy"
    fi
  ) &
  TEMPORAL_VERSION_CHECK_DISABLED=1 exec "$TEMPORAL" "${SERVER_ARGS[@]}"
}

cmd_configure() {
  is_healthy || die "no Temporal server is answering on $ADDRESS; run '$0 start' first"
  configure_namespace
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE" "$PORT_FILE"
    log "not running (no live server in $PID_FILE)"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  # A graceful stop takes a few seconds (it drains its internal services); force it after 30 s.
  local deadline=$((SECONDS + 30)) killed=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline && !killed)); then
      log "pid $pid did not exit after 30s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      killed=1
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE" "$PORT_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    TEMPORAL=$(find_cli)
    # Report the server this data dir runs, whatever TEMPORAL_PORT says now.
    local running_port
    running_port=$(cat "$PORT_FILE" 2>/dev/null || true)
    [[ -z $running_port ]] || ADDRESS=127.0.0.1:$running_port
    if is_healthy; then
      echo "running (pid $pid), healthy, gRPC $ADDRESS (data dir $DATA_DIR)"
    else
      echo "running (pid $pid) but not answering on $ADDRESS"
    fi
    return 0
  fi
  echo "not running (data dir $DATA_DIR)"
  return 1
}

main() {
  local command=${1:-start}
  case $command in
    start | stop | status | path | foreground | configure | search-attributes) ;;
    -h | --help | help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
      return 0
      ;;
    *) die "unknown command '$command' (expected start, stop, status, path, foreground, configure or search-attributes)" ;;
  esac
  # `stop` needs no binary, and `status` only once a server is found: neither should trigger a build.
  case $command in
    stop) cmd_stop ;;
    status) cmd_status ;;
    search-attributes)
      load_search_attributes
      printf '%s\n' "${SEARCH_ATTRIBUTES[@]}"
      ;;
    *)
      TEMPORAL=$(find_cli)
      case $command in
        path) printf '%s\n' "$TEMPORAL" ;;
        start) cmd_start ;;
        foreground) cmd_foreground ;;
        configure) cmd_configure ;;
      esac
      ;;
  esac
}

main "$@"
