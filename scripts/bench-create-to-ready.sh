#!/usr/bin/env bash
# Create-to-ready benchmark (issue 2): prints numbers, is not a test. See docs/PERFORMANCE.md.
#
#   scripts/bench-create-to-ready.sh
#
# Builds the service jar if missing, starts a private copy of it on a free port with a throw-away data
# directory, waits until it is ready and its AppContainer image is built (one warm-up create +
# delete), runs scripts/bench/CreateToReady.java against it, then stops the service and removes every
# container it or the benchmark started (labels cms.gateway=<gateway id> and cms.bench=<gateway id>).
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), BENCH_SEQ (20), BENCH_CONC (10),
# BENCH_KEEP_LOG=1 keeps the service log (its path is printed), CMS_NETWORK (the containers' network,
# also used by the raw scenarios).
#
# Warm pool (issue 14): BENCH_POOL_SIZE=N (> 0) first runs the pool scenarios against the service
# started with CMS_WARM_POOL_SIZE=N (an admin session reads GET /api/v1/pool), stops it (which must
# remove the waiting containers: checked), then starts it again without a pool for the cold and raw
# scenarios. Use N >= BENCH_CONC so the concurrent round is served from the pool.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_CLEANUP_LABELS="cms.gateway cms.bench"
export BENCH_NETWORK="${BENCH_NETWORK:-${CMS_NETWORK:-cms-net}}"
bench_init
bench_compile_support

POOL_SIZE="${BENCH_POOL_SIZE:-0}"
if (( POOL_SIZE > 0 )); then
  BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=50 CMS_WARM_POOL_SIZE=$POOL_SIZE CMS_WARM_POOL_MAX=$POOL_SIZE"
  bench_start_service
  bench_load_average --cores
  password="$(cat "$DATA_DIR/data/admin-password")"
  session="$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"name\":\"admin\",\"password\":\"$password\"}" "$BASE_URL/api/v1/sessions")"
  admin="$(printf '%s' "$session" | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')"
  [[ -n "$admin" ]] || { log "admin sign-in answered: $session"; exit 1; }
  BENCH_MODE=pool BENCH_POOL_SIZE="$POOL_SIZE" BENCH_POOL_ADMIN="$admin" BENCH_LABEL="$GATEWAY_ID" \
    bench_run java -cp "$BENCH_CP" scripts/bench/CreateToReady.java "$BASE_URL" "$KEY" unused
  bench_load_average
  log "stopping the pooled service (it must remove its waiting containers)"
  kill "$SERVICE_PID"
  wait "$SERVICE_PID" || true
  SERVICE_PID=""
  left="$(docker ps -aq --filter "label=cms.gateway=$GATEWAY_ID" --filter "label=cms.owner=cms:pool")"
  log "pool containers left after the stop: $(printf '%s' "$left" | grep -c . || true)"
fi

BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=50"
bench_start_service
bench_load_average --cores

log "warm-up: one create (?wait=ready) + delete"
body="$(curl -fsS -X POST -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
  -d '{}' "$BASE_URL/api/v1/containers?wait=ready")"
id="$(printf '%s' "$body" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')"
[[ -n "$id" ]] || { log "warm-up create answered: $body"; exit 1; }
printf '%s' "$body" | grep -q '"agentConnected" *: *true' || { log "warm-up not ready: $body"; exit 1; }
# the raw scenarios use exactly the image the service runs
IMAGE="$(docker inspect -f '{{.Config.Image}}' "$(docker ps -q --filter "label=cms.record=$id" | head -n 1)")"
curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $KEY" "$BASE_URL/api/v1/containers/$id"
log "warm-up done; image $IMAGE"

BENCH_LABEL="$GATEWAY_ID" bench_run java -cp "$BENCH_CP" scripts/bench/CreateToReady.java "$BASE_URL" "$KEY" "$IMAGE"
bench_load_average
