#!/usr/bin/env bash
# runtime_session.sh — a worker's session settings (JIT off, idle-in-transaction timeout, application name) as
# the real server applies them.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_session
"$FAMINS_BUILD_DIR/tests/integration/runtime/runtime_session_itest"
