#!/usr/bin/env bash
# examples.sh — the codec's claim examples decided by the adjudicator's apply, on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_examples
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_examples" "$FAMINS_SOURCE_DIR"
