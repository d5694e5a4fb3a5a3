#!/usr/bin/env bash
# scenarios.sh — the adjudicator's apply, scenario by scenario, on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_scenarios
export ADJ_TEST_DSN="$(itest_dsn_as famins_adjudicator)"
"$FAMINS_BUILD_DIR/tests/integration/adjudicator/test_adj_scenarios" "$FAMINS_SOURCE_DIR"
