#!/usr/bin/env bash
# privileges.sh — least privilege probed on the real stack: every probe logs in as a role and tries what the
# role must not do (write another service's outbox topic, positions, processed events, dead letters, alarms;
# read another group's rows; famins_admin running shell commands on the server; a role without grants
# connecting; the relay logging in as the admin; a worker starting with another role's group). Each refusal has a
# positive twin in which the owner does the same thing and succeeds, so that no probe passes because the
# statement itself was broken. Needs the stack's role bootstrap (deploy/local/stack.sh up) and its superuser.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init security_privileges

SUPER_DSN="${FAMINS_PG_SUPER_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=postgres user=postgres}"
P="$FAMINS_TOPIC_PREFIX"
ELIG_GROUP="${P}famins-eligibility"
SUBS_GROUP="${P}famins-subsidy"
ADJ_GROUP="${P}famins-adjudicator"
ADMIN_BIN="$FAMINS_BUILD_DIR/services/admin/famins-admin"
RELAY_BIN="$FAMINS_BUILD_DIR/services/relay/famins-relay"
ECHO_BIN="$FAMINS_BUILD_DIR/tests/integration/runtime/famins-test-echo"
REPORT_BIN="$FAMINS_BUILD_DIR/services/report/famins-report"
PROBE_ROLE="famins_probe_public_$$"
WORK=$(mktemp -d "/tmp/itest-security.XXXXXX")
PIDS=()
checks=0

cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    psql "$SUPER_DSN" -XqAt -c "DROP ROLE IF EXISTS $PROBE_ROLE" >/dev/null 2>&1 || true
    itest_done
    if [ "$rc" = 0 ] && [ "${FAMINS_KEEP_TEST_LOGS:-0}" != 1 ]; then rm -rf "$WORK"; else echo "logs in $WORK" >&2; fi
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() {
    checks=$((checks + 1))
    echo "ok: $*"
}

# as ROLE SQL...: runs the statements as ROLE in the test database, stops at the first error; prints the output.
as() {
    local role="$1"
    shift
    local args=() sql
    for sql in "$@"; do args+=(-c "$sql"); done
    psql "$(itest_dsn_as "$role")" -X -v ON_ERROR_STOP=1 -qAt "${args[@]}"
}
# copy_as ROLE TABLE(COLUMNS) LINE: one row through COPY FROM STDIN, the way the runtime writes these tables.
copy_as() {
    printf '%s\n' "$3" | psql "$(itest_dsn_as "$1")" -X -v ON_ERROR_STOP=1 -qAt -c "COPY $2 FROM STDIN"
}
# refused LABEL PATTERN CMD...: CMD must fail with an error matching PATTERN (the refusal, not any error).
refused() {
    local label="$1" pattern="$2"
    shift 2
    if "$@" >"$WORK/out" 2>"$WORK/err"; then
        fail "$label: was allowed (output: $(cat "$WORK/out"))"
    fi
    grep -Eq "$pattern" "$WORK/err" || fail "$label: failed for another reason: $(cat "$WORK/err")"
    ok "refused: $label"
}
# allowed LABEL CMD...: CMD must succeed (the positive twin of a refusal).
allowed() {
    local label="$1"
    shift
    "$@" >"$WORK/out" 2>"$WORK/err" || fail "$label: refused: $(cat "$WORK/err")"
    ok "allowed: $label"
}
# same LABEL EXPECTED CMD...: CMD must succeed and print EXPECTED.
same() {
    local label="$1" expected="$2" got
    shift 2
    got=$("$@" 2>"$WORK/err") || fail "$label: failed: $(cat "$WORK/err")"
    [ "$got" = "$expected" ] || fail "$label: got '$got', want '$expected'"
    ok "$label"
}

NOT_BOUND='may not write|row-level security|permission denied'

# ---- the bootstrap: famins_admin cannot make itself a superuser ------------------------------------------
same "famins_admin has no CREATEROLE, SUPERUSER or BYPASSRLS (run 'deploy/local/stack.sh up' for the bootstrap)" \
    "f|f|f" as famins_admin "SELECT rolcreaterole, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
refused "famins_admin grants itself pg_execute_server_program" 'must have admin option|permission denied' \
    as famins_admin "GRANT pg_execute_server_program TO famins_admin"
refused "famins_admin runs COPY FROM PROGRAM" 'pg_execute_server_program|permission denied|must be superuser' \
    as famins_admin "CREATE TEMP TABLE shell_out (line text)" "COPY shell_out FROM PROGRAM 'id'"
# Twin: on this server the same statements work for a role allowed to run them (the superuser).
same "the superuser can run COPY FROM PROGRAM (the probe's statement works)" "famins-probe" \
    psql "$SUPER_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "CREATE TEMP TABLE shell_out (line text)" \
    -c "COPY shell_out FROM PROGRAM 'echo famins-probe'" -c "SELECT line FROM shell_out"

# ---- the outbox: a service writes only the topics it owns ---------------------------------------------------
refused "famins_subsidy inserts a claim.decided outbox row" "$NOT_BOUND" \
    as famins_subsidy "INSERT INTO famins.outbox (topic, payload) VALUES ('${P}claim.decided', 'forged')"
refused "famins_subsidy COPYs a claim.decided outbox row" "$NOT_BOUND" \
    copy_as famins_subsidy "famins.outbox (topic, payload)" "${P}claim.decided	forged"
refused "famins_eligibility writes the subsidy's dead-letter topic" "$NOT_BOUND" \
    as famins_eligibility "INSERT INTO famins.outbox (topic, payload) VALUES ('${P}enrollment.decided.dlq', 'x')"
refused "famins_subsidy writes an unprefixed claim.decided (another deployment's topic)" "$NOT_BOUND" \
    as famins_subsidy "INSERT INTO famins.outbox (topic, payload) VALUES ('claim.decided', 'forged')"
allowed "famins_adjudicator inserts a claim.decided outbox row" \
    as famins_adjudicator "INSERT INTO famins.outbox (topic, payload) VALUES ('${P}claim.decided', 'real')"
allowed "famins_subsidy COPYs its subsidy.allocated and enrollment.decided.dlq rows" \
    copy_as famins_subsidy "famins.outbox (topic, payload)" "${P}subsidy.allocated	real
${P}enrollment.decided.dlq	real"
same "only the owners' rows reached the outbox" "${P}claim.decided|1 ${P}enrollment.decided.dlq|1 ${P}subsidy.allocated|1" \
    bash -c "psql '$FAMINS_PG_DSN' -XqAt -c \"SELECT topic || '|' || count(*) FROM famins.outbox GROUP BY topic ORDER BY topic\" | paste -sd' '"
refused "famins_subsidy reads the outbox" 'permission denied' as famins_subsidy "SELECT count(*) FROM famins.outbox"

# ---- positions: only the group's own role reads or moves them ----------------------------------------------
itest_psql -c "INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset) VALUES
    ('$ELIG_GROUP', '${P}enrollment.submitted', 0, 10), ('$SUBS_GROUP', '${P}enrollment.decided', 0, 20)" >/dev/null
same "famins_subsidy moving famins-eligibility's position updates 0 rows" "UPDATE 0" \
    psql "$(itest_dsn_as famins_subsidy)" -X -v ON_ERROR_STOP=1 -c \
    "UPDATE famins.consumer_positions SET next_offset = 99999 WHERE consumer_group = '$ELIG_GROUP'"
refused "famins_subsidy inserts a position for famins-eligibility" "$NOT_BOUND" \
    as famins_subsidy "INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset)
        VALUES ('$ELIG_GROUP', '${P}enrollment.submitted', 1, 99999)"
refused "famins_subsidy moves its own position onto famins-eligibility's group" "$NOT_BOUND" \
    as famins_subsidy "UPDATE famins.consumer_positions SET consumer_group = '$ELIG_GROUP' WHERE consumer_group = '$SUBS_GROUP'"
same "famins_subsidy sees only its own positions" "$SUBS_GROUP" \
    as famins_subsidy "SELECT string_agg(consumer_group, ',') FROM famins.consumer_positions"
same "famins-eligibility's position is still 10" "10" \
    itest_psql -c "SELECT next_offset FROM famins.consumer_positions WHERE consumer_group = '$ELIG_GROUP'"
same "famins_eligibility moves its own position (twin)" "UPDATE 1" \
    psql "$(itest_dsn_as famins_eligibility)" -X -v ON_ERROR_STOP=1 -c \
    "UPDATE famins.consumer_positions SET next_offset = 11 WHERE consumer_group = '$ELIG_GROUP'"
allowed "famins_subsidy inserts a position of its own group (twin)" \
    as famins_subsidy "INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset)
        VALUES ('$SUBS_GROUP', '${P}enrollment.decided', 1, 5)"
same "famins_operator reads every group's positions" "3" \
    as famins_operator "SELECT count(*) FROM famins.consumer_positions"

# ---- processed events: only the group's own role writes (and reads) them ----------------------------------
PE="famins.processed_events (consumer_group, event_id, content_hash, topic, partition, kafka_offset)"
refused "famins_subsidy inserts processed_events for the adjudicator's group" "$NOT_BOUND" \
    as famins_subsidy "INSERT INTO $PE VALUES ('$ADJ_GROUP', 'clm-1', 'h', '${P}claim.events', 0, 1)"
refused "famins_subsidy COPYs processed_events for the adjudicator's group" "$NOT_BOUND" \
    copy_as famins_subsidy "$PE" "$ADJ_GROUP	clm-1	h	${P}claim.events	0	1"
refused "a COPY with one foreign row among own rows is refused whole" "$NOT_BOUND" \
    copy_as famins_subsidy "$PE" "$SUBS_GROUP	ev-9	h	${P}enrollment.decided	0	9
$ADJ_GROUP	clm-1	h	${P}claim.events	0	1"
allowed "famins_adjudicator COPYs processed_events of its group (twin)" \
    copy_as famins_adjudicator "$PE" "$ADJ_GROUP	clm-1	h	${P}claim.events	0	1"
same "famins_adjudicator reads its processed events" "clm-1" \
    as famins_adjudicator "SELECT string_agg(event_id, ',') FROM famins.own_processed_events"
same "famins_subsidy reads none of the adjudicator's processed events" "0" \
    as famins_subsidy "SELECT count(*) FROM famins.own_processed_events"
refused "a service reads the processed events table directly" 'permission denied' \
    as famins_subsidy "SELECT count(*) FROM famins.processed_events"
same "exactly the adjudicator's row was stored" "$ADJ_GROUP" \
    itest_psql -c "SELECT string_agg(consumer_group, ',') FROM famins.processed_events"

# ---- dead letters and alarms --------------------------------------------------------------------------------
DL="famins.dead_letters (consumer_group, topic, partition, kafka_offset, error_code, error_text, raw_message)"
refused "famins_eligibility inserts a dead letter for the subsidy's group" "$NOT_BOUND" \
    as famins_eligibility "INSERT INTO $DL VALUES ('$SUBS_GROUP', '${P}enrollment.decided', 0, 1, 'X', 'x', 'raw')"
refused "famins_eligibility COPYs a dead letter for the subsidy's group" "$NOT_BOUND" \
    copy_as famins_eligibility "$DL" "$SUBS_GROUP	${P}enrollment.decided	0	1	X	x	raw"
allowed "famins_eligibility COPYs a dead letter of its own group (twin)" \
    copy_as famins_eligibility "$DL" "$ELIG_GROUP	${P}enrollment.submitted	0	1	X	x	raw"
AL="famins.consumer_alarms (consumer_group, topic, partition, kind)"
refused "famins_eligibility raises an alarm for the adjudicator's group" "$NOT_BOUND" \
    as famins_eligibility "INSERT INTO $AL VALUES ('$ADJ_GROUP', '${P}claim.events', 0, 'below_low_watermark')"
allowed "famins_adjudicator raises its own alarm (twin)" \
    as famins_adjudicator "INSERT INTO $AL VALUES ('$ADJ_GROUP', '${P}claim.events', 0, 'below_low_watermark')"
same "famins_eligibility sees no other group's alarm" "0" as famins_eligibility "SELECT count(*) FROM famins.consumer_alarms"
refused "famins_operator updates an alarm directly (every change goes through an audited function, 063)" \
    'permission denied' as famins_operator "UPDATE famins.consumer_alarms SET resolved_at = now()"
same "famins_operator resolves any group's alarm through famins.op_resolve_alarm (twin)" "|" \
    as famins_operator "SELECT * FROM famins.op_resolve_alarm((SELECT min(id) FROM famins.consumer_alarms), NULL, NULL,
        'probe', 'privileges test')"

# ---- the database: PUBLIC has neither CONNECT nor TEMP ------------------------------------------------------
psql "$SUPER_DSN" -X -v ON_ERROR_STOP=1 -qAt -c "DROP ROLE IF EXISTS $PROBE_ROLE" -c "CREATE ROLE $PROBE_ROLE LOGIN" >/dev/null
refused "a role with LOGIN and no grants connects to the famins database" 'permission denied for database' \
    psql "$(itest_dsn_as "$PROBE_ROLE")" -XqAt -c "SELECT 1"
same "the same role connects to a database that still grants PUBLIC CONNECT (twin)" "1" \
    psql "host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=postgres user=$PROBE_ROLE" -XqAt -c "SELECT 1"
for role in famins_eligibility famins_subsidy famins_adjudicator famins_relay famins_reporter famins_operator; do
    same "$role connects" "1" as "$role" "SELECT 1"
done
refused "a service role creates a temporary table" 'permission denied to create temporary tables' \
    as famins_relay "CREATE TEMP TABLE t (x int)"
allowed "the database owner creates a temporary table (twin)" as famins_admin "CREATE TEMP TABLE t (x int)"

# ---- the relay and the report log in as their own roles --------------------------------------------------
relay_app="sec-relay-$$"
env -u FAMINS_RELAY_PG_DSN FAMINS_PG_DSN="$FAMINS_PG_DSN password=admin-secret application_name=$relay_app" \
    FAMINS_RELAY_STANDBY_MS=200 FAMINS_RELAY_IDLE_MS=100 "$RELAY_BIN" >"$WORK/relay.log" 2>&1 &
PIDS+=("$!")
relay_pid=$!
relay_user() {
    local i got=""
    for ((i = 0; i < 150; i++)); do
        got=$(itest_psql -c "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE application_name = '$1'")
        [ -n "$got" ] && break
        sleep 0.2
    done
    echo "$got"
}
same "famins-relay given only the admin's FAMINS_PG_DSN logs in as famins_relay" "famins_relay" relay_user "$relay_app"
kill -TERM "$relay_pid"
wait "$relay_pid" || fail "the relay did not stop cleanly: $(tail -n 5 "$WORK/relay.log")"
# Twin: the probe sees another role when the relay is told one (its own DSN is used as it is).
env FAMINS_RELAY_PG_DSN="$FAMINS_PG_DSN application_name=$relay_app-own" FAMINS_RELAY_STANDBY_MS=200 \
    FAMINS_RELAY_IDLE_MS=100 "$RELAY_BIN" >"$WORK/relay-own.log" 2>&1 &
PIDS+=("$!")
relay_pid=$!
same "famins-relay given FAMINS_RELAY_PG_DSN uses it as it is (twin)" "famins_admin" relay_user "$relay_app-own"
kill -TERM "$relay_pid"
wait "$relay_pid" || fail "the relay did not stop cleanly"
# famins-report reads views that famins_relay may not: given FAMINS_PG_DSN naming famins_relay, it still
# succeeds, because it replaced the user with famins_reporter; told famins_relay as its own DSN, it fails.
allowed "famins-report derives famins_reporter from FAMINS_PG_DSN" \
    env -u FAMINS_REPORT_PG_DSN FAMINS_PG_DSN="$(itest_dsn_as famins_relay)" "$REPORT_BIN" --year 2026 --format json \
    --out "$WORK"
refused "famins-report with FAMINS_REPORT_PG_DSN naming famins_relay (twin)" 'permission denied' \
    env FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_relay)" "$REPORT_BIN" --year 2026 --format json --out "$WORK"

# ---- a worker whose group is not bound to its role stops at start-up ---------------------------------------
custom="${P}custom-blue"
start_echo() { # start_echo LOG [VAR=value...]: the echo worker as famins_eligibility with group $custom
    local log="$1"
    shift
    env FAMINS_PG_DSN="$(itest_dsn_as famins_eligibility)" FAMINS_GROUP_ID="$custom" FAMINS_SESSION_TIMEOUT_MS=6000 \
        "$@" "$ECHO_BIN" >"$WORK/$log" 2>&1 &
    PIDS+=("$!")
    ECHO_PID=$!
}
start_echo echo-unbound.log
rc=0
timeout 30 tail --pid="$ECHO_PID" -f /dev/null || fail "a worker with an unbound group is still running after 30 s"
wait "$ECHO_PID" || rc=$?
[ "$rc" != 0 ] || fail "a worker with an unbound group exited 0"
grep -q "GROUP_NOT_BOUND" "$WORK/echo-unbound.log" && grep -q "famins-admin bind-group $custom famins_eligibility" \
    "$WORK/echo-unbound.log" || fail "no clear error for the unbound group: $(tail -n 3 "$WORK/echo-unbound.log")"
ok "refused: a worker starting with a group not bound to its role exits $rc at once, naming the fix"
"$ADMIN_BIN" bind-group "$custom" famins_subsidy >"$WORK/bind.log" 2>&1 || fail "bind-group failed: $(cat "$WORK/bind.log")"
start_echo echo-other.log
rc=0
timeout 30 tail --pid="$ECHO_PID" -f /dev/null || fail "a worker with another role's group is still running after 30 s"
wait "$ECHO_PID" || rc=$?
[ "$rc" != 0 ] && grep -q GROUP_NOT_BOUND "$WORK/echo-other.log" || fail "a group bound to another role was accepted"
ok "refused: a worker starting with a group bound to another role"
refused "famins-admin bind-group refuses a role that runs no worker" 'unknown role' "$ADMIN_BIN" bind-group "$custom" famins_admin
"$ADMIN_BIN" bind-group "$custom" famins_eligibility >"$WORK/bind.log" 2>&1 || fail "bind-group failed: $(cat "$WORK/bind.log")"
start_echo echo-bound.log
for ((i = 0; i < 150; i++)); do
    grep -qs worker_started "$WORK/echo-bound.log" && break
    kill -0 "$ECHO_PID" 2>/dev/null || fail "the worker with its bound group exited: $(tail -n 3 "$WORK/echo-bound.log")"
    sleep 0.2
done
grep -q worker_started "$WORK/echo-bound.log" || fail "the worker with its bound group did not start"
kill -TERM "$ECHO_PID"
wait "$ECHO_PID" || fail "the worker with its bound group did not stop cleanly"
ok "allowed: after famins-admin bind-group, the same worker starts (twin)"

echo "privileges: $checks checks passed"
