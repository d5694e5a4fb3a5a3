#!/usr/bin/env bash
# deploy/cluster-test.sh — the cluster tests (CTest label cluster): a wave through deploy/local/cluster.sh's
# three-broker KRaft cluster while brokers are killed and leaders moved, a PostgreSQL primary crash with the
# synchronous standby promoted, the report read from the standby, scale-out over 24 partitions. Needs root (the
# cluster's processes) and the shared stack up (databases and topics of the tests). ~6-10 minutes on two cores.
# Usage: deploy/cluster-test.sh [build dir]   (default build-test, built like deploy/test.sh's if missing)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_dir="${1:-${FAMINS_TEST_BUILD_DIR:-$FAMINS_SOURCE_DIR/build-test}}"
[ -f "$build_dir/CTestTestfile.cmake" ] || famins_setup "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DFAMINS_SANITIZE=ON
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
started=$(date +%s)
code=0
ctest --test-dir "$build_dir" --output-on-failure -L cluster || code=$?
echo "cluster tests finished in $(($(date +%s) - started)) s"
exit "$code"
