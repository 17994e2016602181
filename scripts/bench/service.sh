# shellcheck shell=bash
# Service plumbing shared by scripts/bench-*.sh. Source it (do not execute it) from the repository
# root, after `set -euo pipefail`:
#
#   cd "$(dirname "$0")/.."
#   . scripts/bench/service.sh
#   BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=50"   # optional: extra env for the service
#   BENCH_TMP_PREFIX=cms-bench-preview                   # optional: mktemp prefix (cms-bench)
#   bench_init
#   bench_start_service
#   bench_load_average --cores
#   bench_compile_support
#   bench_run java -cp "$BENCH_CP" scripts/bench/X.java "$BASE_URL" "$KEY"
#   bench_load_average
#
# Every program in scripts/bench takes its clients (REST, client WebSocket, Docker engine) from
# scripts/bench/BenchSupport.java: bench_compile_support compiles it (sets BENCH_CP), and the program
# runs through bench_run, e.g. `bench_run java -cp "$BENCH_CP" scripts/bench/Y.java …`: bench_run
# starts the command in the background and waits for it, so INT/TERM reach the traps at once (bash
# runs a trap only after a foreground command ends), and the cleanup stops it first.
#
# bench_init sets JAR, BASE_IMAGE (CMS_BASE_IMAGE, default cms-base:bookworm), KEY, GATEWAY_ID,
# DATA_DIR (a fresh temp dir), LOG and SERVICE_PID, installs the EXIT/INT/TERM traps and builds the
# jar if it is missing. bench_start_service starts a private copy of the jar on a free port (sets PORT,
# BASE_URL, SERVICE_PID) with the CMS_* environment plus the NAME=VALUE words of BENCH_SERVICE_ENV,
# and waits until the service is ready and its AppContainer image is built.
#
# On exit the service is stopped, every container labelled <label>=$GATEWAY_ID for each label in
# BENCH_CLEANUP_LABELS (default "cms.gateway") is removed, the optional function bench_cleanup_hook is
# called, and DATA_DIR is deleted unless BENCH_KEEP_LOG=1 or the script failed (then the log is kept
# and its path printed, with its tail on failure).

log() { printf '[bench] %s\n' "$*" >&2; }

bench_cleanup() {
  local rc=$?
  set +e
  if [[ -n "${BENCH_RUN_PID:-}" ]] && kill -0 "$BENCH_RUN_PID" 2>/dev/null; then
    log "stopping the measuring program (pid $BENCH_RUN_PID)"
    kill "$BENCH_RUN_PID" 2>/dev/null
    for _ in $(seq 1 10); do kill -0 "$BENCH_RUN_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$BENCH_RUN_PID" 2>/dev/null
    wait "$BENCH_RUN_PID" 2>/dev/null
  fi
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "stopping the service (pid $SERVICE_PID)"
    kill "$SERVICE_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null
    wait "$SERVICE_PID" 2>/dev/null
  fi
  local left="" label
  for label in ${BENCH_CLEANUP_LABELS:-cms.gateway}; do
    left="$left $(docker ps -aq --filter "label=$label=$GATEWAY_ID")"
  done
  # shellcheck disable=SC2086 # word splitting wanted: one id per word, printed on one line
  set -- $left
  if (( $# > 0 )); then
    log "removing leftover containers: $*"
    docker rm -f "$@" >/dev/null
  fi
  if declare -F bench_cleanup_hook >/dev/null; then bench_cleanup_hook; fi
  if [[ "${BENCH_KEEP_LOG:-0}" == 1 || $rc -ne 0 ]]; then
    [[ $rc -ne 0 && -f "$LOG" ]] && { log "service log tail:"; tail -n 40 "$LOG" >&2; }
    log "service log kept in $LOG"
  else
    rm -rf "$DATA_DIR"
  fi
  exit $rc
}

bench_init() {
  JAR=server-config/target/cms.jar
  BASE_IMAGE="${CMS_BASE_IMAGE:-cms-base:bookworm}"
  KEY=bench
  GATEWAY_ID="bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/${BENCH_TMP_PREFIX:-cms-bench}.XXXXXX")"
  LOG="$DATA_DIR/service.log"
  SERVICE_PID=""
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [[ ! -f "$JAR" ]]; then
    log "building $JAR"
    ./mvnw -B -q package -DskipTests
  fi
}

bench_free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2; return 1
}

bench_start_service() {
  # run a private copy: others may rebuild the jar while the benchmark runs
  cp "$JAR" "$DATA_DIR/cms.jar"

  # No retry: a start that dies is a defect (the Hazelcast member-port race that killed some starts is
  # gone with Hazelcast switched off; see docs/ARCHITECTURE.md "Starting").
  bench_boot_once || exit 1
  log "service ready after ${SECONDS}s"

  local deadline=$((SECONDS + 900))
  until grep -q "AppContainer image ready" "$LOG"; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { log "the service exited while building the image"; exit 1; }
    (( SECONDS < deadline )) || { log "the AppContainer image was not ready within 900 s"; exit 1; }
    sleep 1
  done
  log "$(grep -o 'AppContainer image ready: [^ ]*' "$LOG" | head -n 1)"
}

# bench_boot_once: starts the jar on a free port (sets PORT, BASE_URL, SERVICE_PID) and waits for
# /health/ready; fails if the process exits first or is not ready within BENCH_BOOT_TIMEOUT (180) s
bench_boot_once() {
  PORT="$(bench_free_port)"
  BASE_URL="http://127.0.0.1:$PORT"
  # the agent and preview listeners get free ports too: other gateways may run on this machine
  AGENT_PORT="${AGENT_PORT:-$(bench_free_port)}"
  PREVIEW_PORT="${PREVIEW_PORT:-$(bench_free_port)}"
  log "starting the service on port $PORT (gateway id $GATEWAY_ID, data $DATA_DIR)"
  # shellcheck disable=SC2086 # BENCH_SERVICE_ENV is a list of NAME=VALUE words
  CMS_API_KEYS="$KEY" \
  CMS_BASE_IMAGE="$BASE_IMAGE" \
  CMS_DATA_DIR="$DATA_DIR/data" \
  CMS_GATEWAY_ID="$GATEWAY_ID" \
  CMS_AGENT_PORT="$AGENT_PORT" \
  CMS_PREVIEW_PORT="$PREVIEW_PORT" \
    env ${BENCH_SERVICE_ENV:-} java -jar "$DATA_DIR/cms.jar" --port "$PORT" >"$LOG" 2>&1 &
  SERVICE_PID=$!

  local boot="${BENCH_BOOT_TIMEOUT:-180}" # a heavily loaded shared machine may need more
  local deadline=$((SECONDS + boot))
  until curl -fsS -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; do
    kill -0 "$SERVICE_PID" 2>/dev/null || { log "the service exited during boot"; return 1; }
    (( SECONDS < deadline )) || { log "the service was not ready within $boot s"; return 1; }
    sleep 1
  done
}

# bench_compile_support: compiles scripts/bench/BenchSupport.java into DATA_DIR; sets BENCH_CP
bench_compile_support() {
  BENCH_CP="$DATA_DIR/bench-classes"
  javac --release 17 -d "$BENCH_CP" scripts/bench/BenchSupport.java
}

# bench_run CMD…: runs CMD in the background and waits for it; returns its exit status
bench_run() {
  "$@" &
  BENCH_RUN_PID=$!
  local rc=0
  wait "$BENCH_RUN_PID" || rc=$?
  BENCH_RUN_PID=""
  return "$rc"
}

# bench_log_problems: counts the SEVERE and WARNING records the service logged after its boot (boot
# noise such as expired CA certificates is left out) and shows the most frequent ones, one line each
bench_log_problems() {
  local records
  # Payara writes "[time] [] [LEVEL] [code] [logger] [tid: …] [timeMillis: …] [levelValue: …] [[ msg ]]",
  # often over several lines: join each record into one line, drop colours, time and thread fields
  records="$(sed -e 's/\x1b\[[0-9;]*m//g' "$LOG" | awk '
      /Payara Micro .* ready in/ { booted = 1; next }
      !booted { next }
      /^\[[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ { if (rec != "") print rec; rec = $0; next }
      { if (rec != "") rec = rec " " $0 }
      END { if (rec != "") print rec }' \
    | grep -E '^\[[^]]*\] \[[^]]*\] \[(SEVERE|WARNING)\]' \
    | sed -E 's/^\[[^]]*\] \[[^]]*\] //; s/ \[(tid|timeMillis|levelValue): [^]]*\]//g; s/[[:space:]]+/ /g' || true)"
  local level n
  for level in SEVERE WARNING; do
    n="$(grep -c "^\[$level\]" <<<"$records" || true)"
    log "service log after boot: $n $level records"
  done
  if [[ -n "$records" ]]; then
    sort <<<"$records" | uniq -c | sort -rn | head -n "${BENCH_LOG_LINES:-15}" | cut -c1-300 >&2
  fi
}

# bench_load_average [--cores]: logs the 1/5/15-minute load average (and the core count)
bench_load_average() {
  if [[ "${1:-}" == --cores ]]; then
    log "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  else
    log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  fi
}
