#!/usr/bin/env bash
# copybuf_send.sh — COPY in bounded chunks against the real PostgreSQL, on a fresh database.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init copybuf_send
"$FAMINS_BUILD_DIR/tests/unit/runtime/test_copybuf_send"
