#!/usr/bin/env bash
# payment_store.sh — the payment step's reads and set-based writes against PostgreSQL, on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_payment_store
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_payment_store"
