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
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
BENCH_TMP_PREFIX=cms-bench-preview
bench_init
bench_start_service
bench_load_average --cores

# the service pid lets PreviewBench report the gateway's CPU time
BENCH_SERVICE_PID="$SERVICE_PID" java scripts/bench/PreviewBench.java "$BASE_URL" "$KEY"
bench_load_average
