#!/usr/bin/env bash
# Soak run (reliability issue): mixed traffic for a while, then a verdict on errors and leaks. Not a
# test and not part of CI. See docs/PERFORMANCE.md, "Soak".
#
#   scripts/soak.sh [minutes]        # default 30
#
# Builds the service jar if missing, starts a private copy of it on a free port with a throw-away data
# directory, waits until it is ready and its AppContainer image is built, runs
# scripts/bench/Soak.java against it: SOAK_WORKERS workers loop create → terminal (typed commands,
# echo checked) → zip upload, file put/get → app process → preview (host and path form) → delete,
# counting steps and errors by kind; the engine's containers, the gateway's threads, fds and heap
# after GC at start and end. Exits non-zero when a step failed or a count grew. Then it stops the
# service and removes every container it started (label cms.gateway=<gateway id>), also on Ctrl-C or
# failure, and summarises the service log's SEVERE/WARNING lines.
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), SOAK_WORKERS (3), SOAK_MEMORY_MB (256),
# SOAK_SETTLE_S (15), SOAK_REPORT_S (60), SOAK_THREAD_SLACK (10), SOAK_FD_SLACK (20),
# SOAK_HEAP_SLACK_MB (32), BENCH_KEEP_LOG=1 keeps the service log (its path is printed).
set -euo pipefail

MINUTES="${1:-30}"
[[ "$MINUTES" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "usage: $0 [minutes]" >&2; exit 2; }

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_TMP_PREFIX=cms-soak
BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=$(( ${SOAK_WORKERS:-3} + 10 ))"
bench_init
bench_compile_support
bench_start_service
bench_load_average --cores

rc=0
bench_run java -cp "$BENCH_CP" scripts/bench/Soak.java "$BASE_URL" "$KEY" "$SERVICE_PID" "$GATEWAY_ID" "$MINUTES" \
  || rc=$?
bench_load_average
bench_log_problems
exit "$rc"
