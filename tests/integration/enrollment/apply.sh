#!/usr/bin/env bash
# apply.sh — runs the apply-step tests on a fresh, migrated database: eligibility as famins_eligibility, subsidy
# as famins_subsidy (so the grants are tested too). Both run; the test fails if either does.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_apply
FAMINS_ELIG_DSN="$(itest_dsn_as famins_eligibility)"
FAMINS_SUBS_DSN="$(itest_dsn_as famins_subsidy)"
export FAMINS_ELIG_DSN FAMINS_SUBS_DSN
code=0
"$FAMINS_BUILD_DIR/tests/integration/enrollment/test_elig_apply" || code=1
"$FAMINS_BUILD_DIR/tests/integration/enrollment/test_subs_apply" || code=1
exit "$code"
