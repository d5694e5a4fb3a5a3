#!/usr/bin/env bash
# runtime_reconnect.sh — the worker's PostgreSQL session is killed (pg_terminate_backend) again and again
# while it applies a stream of events: it reconnects, redoes the interrupted batch from the stored
# positions, and in the end every event is applied exactly once.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_reconnect
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

N=6000
rt_events 1 "$N" >"$RT_LOGS/events.txt"
# A small apply delay keeps batch transactions open, so that the kills land inside them. The worker runs as
# the test database's owner here: only a role's members (or superusers) may terminate its sessions.
# It buffers its result rows and writes them with one COPY per batch (end_batch), so that path is killed too.
rt_start_echo echo-rc FAMINS_TEST_APPLY_DELAY_US=300 FAMINS_BATCH_MAX_MESSAGES=200 FAMINS_TEST_ECHO_COPY=1 \
    FAMINS_TEST_ECHO_PG_DSN="$FAMINS_PG_DSN application_name=echo-rc"
ECHO_PID=$RT_LAST_PID
rt_produce_lines "$RT_LOGS/events.txt"
kills=0
in_txn=0
for round in $(seq 1 8); do
    sleep 0.$((RANDOM % 6 + 3))
    # Terminate whatever backend the worker has, noting whether a batch transaction was open in it.
    out=$(itest_psql -c "SELECT count(*) FILTER (WHERE state IN ('active', 'idle in transaction')),
            count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'echo-rc'")
    [ "${out#*|}" -ge 1 ] && kills=$((kills + 1))
    [ "${out%|*}" -ge 1 ] && in_txn=$((in_txn + 1))
done
rt_wait_sql 120 "$N" "$rt_consumed_sql"
[ "$kills" -ge 5 ] || rt_fail "only $kills of 8 terminations found the worker's session"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "$N|$N" ] ||
    rt_fail "want $N result rows for $N distinct events: $(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox")" = "$N|$N" ] ||
    rt_fail "want $N distinct outbox rows"
kill -0 "$ECHO_PID" 2>/dev/null || rt_fail "the worker died instead of reconnecting"
rt_stop "$ECHO_PID"
replays=$(grep 'event=worker_stopped' "$RT_LOGS/echo-rc.log" | grep -o 'replays=[0-9]*' | cut -d= -f2)
[ "${replays:-0}" -ge 1 ] || rt_fail "no batch was redone: the kills never hit a batch"
rt_ok "$kills session kills ($in_txn inside a batch transaction, $replays batches redone): $N events applied exactly once"
echo "runtime_reconnect: all passed"
