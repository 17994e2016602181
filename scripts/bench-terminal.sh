#!/usr/bin/env bash
# Terminal keystroke echo benchmark (issue 3): prints numbers, is not a test. See docs/PERFORMANCE.md.
#
#   scripts/bench-terminal.sh
#
# Builds the service jar if missing, starts it on a free port with a throw-away data directory,
# waits until it is ready and its AppContainer image is built, runs scripts/bench/KeystrokeEcho.java
# against it (which creates one container, types into it through the gateway's client WebSocket and
# through the engine's `docker exec -it` API side by side, and deletes it), then stops the service and
# removes every container it started (label cms.gateway=<gateway id>).
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), BENCH_KEYS (1000), BENCH_WARMUP (100),
# BENCH_LINE (50), BENCH_KEEP_LOG=1 keeps the service log (its path is printed).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
bench_init
bench_compile_support
bench_start_service
bench_load_average --cores

bench_run java -cp "$BENCH_CP" scripts/bench/KeystrokeEcho.java "$BASE_URL" "$KEY"
bench_load_average
