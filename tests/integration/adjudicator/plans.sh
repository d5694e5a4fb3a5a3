#!/usr/bin/env bash
# plans.sh — the adjudicator's prepared statements' generic plans on a fresh, migrated database: no table read whole.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_plans
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_plans"
