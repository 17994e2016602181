#!/usr/bin/env bash
# Start-up to ready: starts cms.jar (or each jar given) N times in a row, each on a fresh port with a fresh data
# directory, and prints the milliseconds from launching the JVM until /health/ready answers 200, then the median;
# a start not ready within 90 s is counted as dead (its log is kept under /tmp). With several jars the runs
# alternate between them, so machine load hits them alike.
#   scripts/bench-startup.sh [-n RUNS] [JAR ...]      (default: 5 runs of server-config/target/cms.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=5
if [[ "${1:-}" == "-n" ]]; then RUNS="$2"; shift 2; fi
JARS=("$@")
[[ ${#JARS[@]} -eq 0 ]] && JARS=(server-config/target/cms.jar)
BASE_IMAGE="${CMS_BASE_IMAGE:-cms-base:bookworm}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/cms-bench-startup.XXXXXX")"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$TMP"   # the service creates no container while it only starts
}
trap cleanup EXIT
declare -A TIMES DEAD
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
  for jar in "${JARS[@]}"; do
    port=$((20000 + RANDOM % 10000))
    data="$TMP/data-$run-$RANDOM"
    t0=$(date +%s%N)
    CMS_DATA_DIR="$data" CMS_API_KEYS=bench CMS_BASE_IMAGE="$BASE_IMAGE" CMS_GATEWAY_ID="bench-startup-$run" \
      java -jar "$jar" --port "$port" >"$TMP/log-$run" 2>&1 &
    PID=$!
    ms=""
    for _ in $(seq 1 900); do
      if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/health/ready" || true)" == 200 ]]; then
        ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
      fi
      kill -0 "$PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; PID=""
    if [[ -z "$ms" ]]; then
      kept="/tmp/cms-bench-startup-dead-$(basename "$jar" .jar)-$run.log"
      cp "$TMP/log-$run" "$kept"
      echo "$jar run $run: DEAD START, not ready within 90 s ($(grep -c 'GrizzlyProxy is NULL' "$kept") x 'GrizzlyProxy is NULL'; log $kept)"
      DEAD[$jar]=$(( ${DEAD[$jar]:-0} + 1 ))
      continue
    fi
    echo "$jar run $run: ${ms} ms"
    TIMES[$jar]="${TIMES[$jar]:-} $ms"
  done
done
for jar in "${JARS[@]}"; do
  # shellcheck disable=SC2086
  sorted=$(printf '%s\n' ${TIMES[$jar]} | sort -n)
  n=$(echo "$sorted" | wc -l)
  echo "$jar: median $(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p") ms, min $(echo "$sorted" | head -1) ms, max $(echo "$sorted" | tail -1) ms over $n ready starts; ${DEAD[$jar]:-0} dead starts"
done
