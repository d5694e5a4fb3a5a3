#!/usr/bin/env bash
# runtime_positions.sh — the positions module's compare-and-set against a real database (zombie fencing).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_positions
"$FAMINS_BUILD_DIR/tests/integration/runtime/runtime_positions_itest"
