#!/usr/bin/env bash
# Load benchmark (reliability issue): prints numbers, is not a test. See docs/PERFORMANCE.md, "Load".
#
#   scripts/bench-load.sh
#
# Builds the service jar if missing, starts a private copy of it on a free port with a throw-away data
# directory and a container quota above BENCH_CONTAINERS, waits until it is ready and its AppContainer
# image is built, runs scripts/bench/LoadBench.java against it: (a) BENCH_CONTAINERS containers
# created in waves of BENCH_WAVE with ?wait=ready, (b) BENCH_SOCKETS client WebSockets on one of them,
# all attached to terminal main, each checked to receive a typed command's output, (c) the gateway's
# heap after GC, threads and file descriptors before, at peak and after everything is deleted. Then
# it stops the service and removes every container it started (label cms.gateway=<gateway id>), also
# on Ctrl-C or failure, and summarises the service log's SEVERE/WARNING lines.
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), BENCH_CONTAINERS (50), BENCH_WAVE (10),
# BENCH_MEMORY_MB (128), BENCH_SOCKETS (200), BENCH_OPEN_PARALLEL (20), BENCH_ROUNDS (5),
# BENCH_SETTLE_S (10), BENCH_SETTLE2_S (60), BENCH_KEEP_LOG=1 keeps the service log (its path is
# printed).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_TMP_PREFIX=cms-bench-load
BENCH_SERVICE_ENV="CMS_MAX_CONTAINERS_PER_KEY=$(( ${BENCH_CONTAINERS:-50} + 10 ))"
bench_init
bench_compile_support
bench_start_service
bench_load_average --cores

rc=0
bench_run java -cp "$BENCH_CP" scripts/bench/LoadBench.java "$BASE_URL" "$KEY" "$SERVICE_PID" "$GATEWAY_ID" || rc=$?
bench_load_average
bench_log_problems
exit "$rc"
