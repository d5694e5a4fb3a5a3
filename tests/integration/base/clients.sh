#!/usr/bin/env bash
# The project's Kafka and PostgreSQL helpers against the real stack, in a fresh database and topic prefix.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init clients
"$FAMINS_BUILD_DIR/tests/integration/base/test_clients"
