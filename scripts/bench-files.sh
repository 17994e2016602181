#!/usr/bin/env bash
# Files and archives benchmark (issue 4): prints numbers, is not a test. See docs/PERFORMANCE.md.
#
#   scripts/bench-files.sh
#
# Builds the service jar if missing, starts a private copy of it on a free port with a throw-away data
# directory, waits until it is ready and its AppContainer image is built, runs
# scripts/bench/FilesBench.java against it (which creates one container; unpacks a 10 000-file zip
# through POST …/archive and the same tree with `docker cp`, alternating; then measures keystroke echo
# with and without 100 MB uploads through PUT …/files in flight; and deletes the container), then stops
# the service, removes every container it started (label cms.gateway=<gateway id>) and the generated
# files.
#
# Environment: CMS_BASE_IMAGE (default cms-base:bookworm), BENCH_FILES (10000), BENCH_REPEATS (3),
# BENCH_BIG_MB (100), BENCH_KEYS (300), BENCH_WARMUP (50), BENCH_LINE (50), BENCH_KEEP_LOG=1 keeps the
# service log (its path is printed). Needs ~250 MB free in TMPDIR and the docker CLI.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/service.sh
. scripts/bench/service.sh
# the generated zip and trees go away even when the service log is kept
bench_cleanup_hook() { rm -rf "$DATA_DIR/work"; }
bench_init
bench_compile_support
bench_start_service
bench_load_average --cores

bench_run java -cp "$BENCH_CP" scripts/bench/FilesBench.java "$BASE_URL" "$KEY" "$DATA_DIR/work"
bench_load_average
