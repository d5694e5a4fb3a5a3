#!/usr/bin/env bash
# batch.sh — claims and reviews decided several to a batch (one prepare, one write), on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_batch
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_batch" "$FAMINS_SOURCE_DIR"
