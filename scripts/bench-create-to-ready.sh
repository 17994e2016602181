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
# BENCH_KEEP_LOG=1 keeps the service log (its path is printed).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_CLEANUP_LABELS="cms.gateway cms.bench"
BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=50"
bench_init
bench_start_service

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

BENCH_LABEL="$GATEWAY_ID" java scripts/bench/CreateToReady.java "$BASE_URL" "$KEY" "$IMAGE"
