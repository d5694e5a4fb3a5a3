#!/usr/bin/env bash
# itest.sh — shared set-up for integration tests: a fresh database and a unique topic prefix per test,
# on the real local stack (deploy/local/stack.sh must be up). Source it, then call itest_init NAME.
#
#   source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
#   itest_init runtime_dedup          # creates database famins_t_runtime_dedup_<pid>, migrates it,
#                                     # creates the topics under prefix t.runtime_dedup.<pid>.
#   ... FAMINS_PG_DSN, FAMINS_TOPIC_PREFIX, FAMINS_KAFKA_BOOTSTRAP are exported ...
#   itest_done                        # drops the database unless FAMINS_KEEP_TEST_DB=1
#   itest_drop_db NAME                # drops a database, retried while a departing session holds it
#
# Needs: FAMINS_BUILD_DIR (the CMake build folder, for famins-admin), FAMINS_SOURCE_DIR.
set -euo pipefail

: "${FAMINS_SOURCE_DIR:?FAMINS_SOURCE_DIR must name the source tree}"
: "${FAMINS_BUILD_DIR:?FAMINS_BUILD_DIR must name the build folder}"
: "${FAMINS_PG_PORT:=15432}"
: "${FAMINS_KAFKA_PORT:=19092}"
export FAMINS_KAFKA_BOOTSTRAP="${FAMINS_KAFKA_BOOTSTRAP:-127.0.0.1:${FAMINS_KAFKA_PORT}}"
ITEST_ADMIN_DSN="${FAMINS_PG_ADMIN_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=famins user=famins_admin}"
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

itest_fail() {
    echo "itest: $*" >&2
    exit 1
}

itest_init() {
    local name="$1"
    ITEST_NAME="$name"
    ITEST_DB="famins_t_${name}_$$"
    psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "SELECT 1" >/dev/null 2>&1 ||
        itest_fail "PostgreSQL is not reachable ($ITEST_ADMIN_DSN): run 'bash deploy/local/stack.sh up'"
    psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "DROP DATABASE IF EXISTS \"$ITEST_DB\"" >/dev/null
    psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$ITEST_DB\" OWNER famins_admin" >/dev/null
    export FAMINS_PG_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ITEST_DB} user=famins_admin"
    export FAMINS_TOPIC_PREFIX="t.${name}.$$."
    trap itest_done EXIT
    "$FAMINS_BUILD_DIR/services/admin/famins-admin" all >"${ITEST_LOG_DIR:-/tmp}/itest-${name}-$$-admin.log" 2>&1 ||
        { cat "${ITEST_LOG_DIR:-/tmp}/itest-${name}-$$-admin.log" >&2; itest_fail "famins-admin failed"; }
}

# The DSN of the test database as another role (e.g. famins_eligibility).
itest_dsn_as() {
    echo "host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ITEST_DB} user=$1"
}

itest_psql() {
    psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt "$@"
}

# itest_drop_db NAME: drops a database, retried for up to 5 s; fails, saying why, if it is still there. Two things
# keep a database from being dropped, and each form of DROP handles one of them. WITH (FORCE) ends the sessions
# on it, but is refused while any backend there belongs to a role famins_admin may not signal: a service's backend
# that outlives its killed client by a moment, or an autovacuum worker (after a benchmark's COPY of millions of
# rows one is always there, for minutes). A plain DROP ends autovacuum workers itself and waits for them, but is
# refused while a session is connected. Dropped once with FORCE alone, a test's database was left behind now and
# then, gigabytes of it after a benchmark, and autovacuum worked through it beside the next runs.
itest_drop_db() {
    local i err
    for i in 1 2 3 4 5; do
        err=$(psql "$ITEST_ADMIN_DSN" -qAt -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" 2>&1 >/dev/null) && return 0
        err=$(psql "$ITEST_ADMIN_DSN" -qAt -c "DROP DATABASE IF EXISTS \"$1\"" 2>&1 >/dev/null) && return 0
        sleep 0.5
    done
    echo "itest: could not drop the database $1: $err" >&2
    return 1
}

itest_done() {
    if [ -n "${ITEST_DB:-}" ] && [ "${FAMINS_KEEP_TEST_DB:-0}" != 1 ]; then
        itest_drop_db "$ITEST_DB" || echo "itest: WARNING: could not drop the test database $ITEST_DB" >&2
        # The test's topics too, or every run leaves 48 partitions in the local broker.
        "$FAMINS_BUILD_DIR/tests/famins-test-delete-topics" "$FAMINS_KAFKA_BOOTSTRAP" "t.${ITEST_NAME}.$$." \
            >/dev/null 2>&1 || true
    fi
}
