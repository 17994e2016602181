#!/usr/bin/env bash
# Preview proxy benchmark (issue 5): prints numbers, is not a test. See docs/PERFORMANCE.md.
#
#   scripts/bench-preview.sh
#
# Builds the service jar if missing, starts a private copy of it on a free port with a throw-away
# data directory, waits until it is ready and its AppContainer image is built, runs
# scripts/bench/PreviewBench.java against it (which creates one container, starts a small Node app in
# it, loads that app through the gateway's preview (host form) and directly on the container's
# cms-net IP, and deletes the container), then stops the service and removes every container it
# started (label cms.gateway=<gateway id>).
#
# Needs the docker CLI; uses wrk too if it is on the PATH (Debian: apt-get install -y wrk), else the
# JDK-only load generator alone.
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), BENCH_CONNECTIONS (16), BENCH_SECONDS (10),
# BENCH_WARMUP (2), BENCH_TOOL (auto: jdk + wrk if present | jdk | wrk), BENCH_SINGLE_SECONDS (5: the
# extra one-connection jdk runs; 0 skips them), BENCH_KEEP_LOG=1 keeps the service log (its path is
# printed).
set -euo pipefail

cd "$(dirname "$0")/.."
JAR=server-config/target/cms.jar
BASE_IMAGE="${CMS_BASE_IMAGE:-cms-base:bookworm}"
KEY=bench
GATEWAY_ID="bench-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cms-bench-preview.XXXXXX")"
LOG="$DATA_DIR/service.log"
SERVICE_PID=""

log() { printf '[bench] %s\n' "$*" >&2; }

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$SERVICE_PID" ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
    log "stopping the service (pid $SERVICE_PID)"
    kill "$SERVICE_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null
    wait "$SERVICE_PID" 2>/dev/null
  fi
  local left
  left="$(docker ps -aq --filter "label=cms.gateway=$GATEWAY_ID")"
  if [[ -n "$left" ]]; then
    log "removing leftover containers: $(echo $left)"
    # shellcheck disable=SC2086
    docker rm -f $left >/dev/null
  fi
  if [[ "${BENCH_KEEP_LOG:-0}" == 1 || $rc -ne 0 ]]; then
    [[ $rc -ne 0 && -f "$LOG" ]] && { log "service log tail:"; tail -n 40 "$LOG" >&2; }
    log "service log kept in $LOG"
  else
    rm -rf "$DATA_DIR"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ ! -f "$JAR" ]]; then
  log "building $JAR"
  ./mvnw -B -q package -DskipTests
fi

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port found" >&2; return 1
}
PORT="$(free_port)"
BASE_URL="http://127.0.0.1:$PORT"

# run a private copy: others may rebuild the jar while the benchmark runs
cp "$JAR" "$DATA_DIR/cms.jar"

log "starting the service on port $PORT (gateway id $GATEWAY_ID, data $DATA_DIR)"
CMS_API_KEYS="$KEY" \
CMS_BASE_IMAGE="$BASE_IMAGE" \
CMS_DATA_DIR="$DATA_DIR/data" \
CMS_GATEWAY_ID="$GATEWAY_ID" \
  java -jar "$DATA_DIR/cms.jar" --port "$PORT" >"$LOG" 2>&1 &
SERVICE_PID=$!

deadline=$((SECONDS + 180))
until curl -fsS -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; do
  kill -0 "$SERVICE_PID" 2>/dev/null || { log "the service exited during boot"; exit 1; }
  (( SECONDS < deadline )) || { log "the service was not ready within 180 s"; exit 1; }
  sleep 1
done
log "service ready after ${SECONDS}s"

deadline=$((SECONDS + 900))
until grep -q "AppContainer image ready" "$LOG"; do
  kill -0 "$SERVICE_PID" 2>/dev/null || { log "the service exited while building the image"; exit 1; }
  (( SECONDS < deadline )) || { log "the AppContainer image was not ready within 900 s"; exit 1; }
  sleep 1
done
log "$(grep -o 'AppContainer image ready: [^ ]*' "$LOG" | head -n 1)"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

BENCH_SERVICE_PID="$SERVICE_PID" java scripts/bench/PreviewBench.java "$BASE_URL" "$KEY"
log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
