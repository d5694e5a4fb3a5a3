#!/usr/bin/env bash
# life.sh — a claim's later life through apply, example by example and path by path, on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_life
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_life" "$FAMINS_SOURCE_DIR"
