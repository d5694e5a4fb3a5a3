#!/usr/bin/env bash
# README command 2: install what is missing, build with AddressSanitizer and UBSan, start the local stack
# and run every test (unit, integration, crash), ending with CTest's summary.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_dir="${FAMINS_TEST_BUILD_DIR:-$FAMINS_SOURCE_DIR/build-test}"
started=$(date +%s)
famins_setup "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DFAMINS_SANITIZE=ON

famins_step "running every test"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build_dir/artifacts"
code=0
# known_issue: tests of a documented defect that is not fixed yet (see their CMakeLists.txt); run them with
# `ctest -L known_issue`.
ctest --test-dir "$build_dir" --output-on-failure -j "${FAMINS_TEST_JOBS:-2}" -LE known_issue \
    --output-junit "$build_dir/artifacts/ctest.xml" || code=$?
echo "all tests finished in $(($(date +%s) - started)) s"
exit "$code"
