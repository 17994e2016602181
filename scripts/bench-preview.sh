#!/usr/bin/env bash
# Preview benchmark (issues 5 and 11): prints numbers, is not a test. See docs/PERFORMANCE.md.
#
#   CMS_NETWORK=cms-net-bench scripts/bench-preview.sh           # the documented run (~25 min)
#   BENCH_QUICK=1 scripts/bench-preview.sh                       # 1 pair of 3 s, fewer cases (~2 min)
#
# Builds the service jar if missing, starts a private copy of it on free ports with a throw-away
# data directory, waits until it is ready and its AppContainer image is built, runs
# scripts/bench/PreviewBench.java against it (one container with a small Node app, loaded directly
# on its CMS_NETWORK address, through the preview listener, through a plain host relay, plus the
# listener's own 404; see the program's header for the plan), then stops the service and removes
# every container it started (label cms.gateway=<gateway id>).
#
# Needs the docker CLI; the relay limit uses socat if it is on the PATH (Debian: apt-get install -y
# socat), else a JDK relay. Environment (defaults in brackets): CMS_BASE_IMAGE [cms-base:bookworm],
# CMS_NETWORK [cms-net], BENCH_WARMUP [20 s], BENCH_PAIRS [5], BENCH_SECONDS [10],
# BENCH_CONNECTIONS [1,16,64], BENCH_SIZES [1024,65536,1048576], BENCH_RATE [1000 req/s],
# BENCH_RATE_CONNECTIONS [16], BENCH_RELAY [auto: socat if present, else jdk | socat | jdk],
# BENCH_BOOT_SECONDS [600], BENCH_QUICK=1, BENCH_KEEP_LOG=1 keeps the service log (its path is printed).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_TMP_PREFIX=cms-bench-preview
BENCH_SERVICE_ENV="CMS_NETWORK=${CMS_NETWORK:-cms-net}"
# On a shared, loaded machine the service boots in more than service.sh's 180 s: wait up to
# BENCH_BOOT_SECONDS (600) for /health/ready instead (same function, only its deadline changed).
eval "$(declare -f bench_boot_once | sed "s/SECONDS + 180))/SECONDS + \${BENCH_BOOT_SECONDS:-600}))/; s/ready within 180 s/ready within \${BENCH_BOOT_SECONDS:-600} s/")"
bench_init
bench_start_service
bench_compile_support
bench_load_average --cores

# the service pid lets PreviewBench report the gateway's CPU time
rc=0
BENCH_SERVICE_PID="$SERVICE_PID" bench_run java -cp "$BENCH_CP" scripts/bench/PreviewBench.java "$BASE_URL" "$KEY" || rc=$?
bench_load_average
bench_log_problems
exit "$rc"
