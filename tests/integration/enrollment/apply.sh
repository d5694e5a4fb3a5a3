#!/usr/bin/env bash
# apply.sh — runs test_elig_apply on a fresh, migrated database, the service's statements as famins_eligibility.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_apply
FAMINS_ELIG_DSN="$(itest_dsn_as famins_eligibility)"
export FAMINS_ELIG_DSN
"$FAMINS_BUILD_DIR/tests/integration/enrollment/test_elig_apply"
