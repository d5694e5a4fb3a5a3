#!/usr/bin/env bash
# runtime_crash.sh — SIGKILL the echo worker at random moments (CRASH_KILLS times, default 24) while it
# works through CRASH_EVENTS events (default 20000), restarting it each time. For each kill we record
# whether a batch transaction was open (pg_stat_activity of the worker's application_name) and require
# that at least half were. At the end: exactly one result row and one outbox row per distinct event, and
# every partition's stored position at the end of the partition.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_crash
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

EVENTS=${CRASH_EVENTS:-20000}
KILLS=${CRASH_KILLS:-24}
APP=echo-crash
started=$(date +%s)

rt_events 1 "$EVENTS" 200 >"$RT_LOGS/events.txt"
rt_produce_lines "$RT_LOGS/events.txt"

# The worker runs as the database owner so that pg_stat_activity shows this test its session state.
# A 1 ms apply delay in batches of 100 keeps a transaction open most of the time the worker runs.
start_worker() {
    rt_start_echo "$APP" FAMINS_TEST_ECHO_PG_DSN="$FAMINS_PG_DSN application_name=$APP" FAMINS_TEST_APPLY_DELAY_US=1000 \
        FAMINS_BATCH_MAX_MESSAGES=100 FAMINS_LOG_LEVEL=info
}

open=0
for k in $(seq 1 "$KILLS"); do
    # Only this worker's session counts, not a killed predecessor's backend that is still going away.
    t0=$(itest_psql -c "SELECT now()")
    start_worker
    pid=$RT_LAST_PID
    sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.6 + (r % 140) / 100 }')"
    state=$(itest_psql -c "SELECT coalesce(string_agg(state, ','), 'none') FROM pg_stat_activity
                           WHERE application_name = '$APP' AND backend_start >= '$t0'")
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    consumed=$(itest_psql -c "$rt_consumed_sql")
    case "$state" in *"idle in transaction"* | *active*) open=$((open + 1)); txn=open ;; *) txn=closed ;; esac
    echo "kill $k: transaction $txn (state: $state), consumed $consumed of $EVENTS"
done

start_worker
pid=$RT_LAST_PID
rt_wait_sql 150 "$EVENTS" "$rt_consumed_sql"
rt_stop "$pid"

got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")
[ "$got" = "$EVENTS|$EVENTS" ] || rt_fail "want $EVENTS result rows for $EVENTS distinct events, got $got"
got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox")
[ "$got" = "$EVENTS|$EVENTS" ] || rt_fail "want $EVENTS outbox rows for $EVENTS distinct events, got $got"
got=$(itest_psql -c "SELECT count(*) FROM famins.processed_events")
[ "$got" = "$EVENTS" ] || rt_fail "want $EVENTS processed events, got $got"
# Every partition's position is its end (the offset after its last message).
partitions=$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$RT_IN" | grep -c 'partition [0-9]*,')
for ((p = 0; p < partitions; p++)); do
    last=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$RT_IN" -p "$p" -o -1 -e -q -f '%o\n' | tail -1)
    stored=$(itest_psql -c "SELECT next_offset FROM famins.consumer_positions WHERE topic = '$RT_IN' AND partition = $p")
    [ "$stored" = "$((last + 1))" ] || rt_fail "partition $p: stored position '$stored', end of partition $((last + 1))"
done
[ "$open" -ge $(((KILLS + 1) / 2)) ] || rt_fail "only $open of $KILLS kills hit an open batch transaction"
rt_ok "$KILLS kills ($open with a batch transaction open), $EVENTS events: exactly one result per event, positions at the end of all $partitions partitions ($(($(date +%s) - started)) s)"
echo "runtime_crash: all passed"
