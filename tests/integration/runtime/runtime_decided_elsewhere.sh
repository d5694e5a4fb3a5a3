#!/usr/bin/env bash
# runtime_decided_elsewhere.sh — a service's apply returns FM_ECONFLICT: it found the event decided in its own
# tables (famins-test-echo with "decided_elsewhere" in an event). The runtime reads the group's deduplication row
# again: when it is there, another member committed the event after the batch's read (the race: a redo sees a
# duplicate — forced for real in tests/integration/{enrollment,adjudicator}/race_redo.sh); when it is not, the
# event was re-sent after the deduplication window (retention deleted its row): the service's key holds its one
# effect, so the runtime counts a duplicate (duplicate_after_window), writes the row again and goes on — never a
# stop, never a second effect. Here no member ever wrote the row, so the second path is taken.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_decided_elsewhere
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

rt_events 1 20 5 | sed -e 's/"n":8}/"n":8,"decided_elsewhere":"always"}/' >"$RT_LOGS/events.txt"
[ "$(grep -c decided_elsewhere "$RT_LOGS/events.txt")" = 1 ] || rt_fail "test data: want one marked event"
rt_produce_lines "$RT_LOGS/events.txt"
rt_start_echo echo-1
pid=$RT_LAST_PID
rt_wait_sql 120 20 "$rt_consumed_sql"
kill -0 "$pid" 2>/dev/null || rt_fail "the worker stopped on FM_ECONFLICT (want a duplicate)"
[ "$(itest_psql -c "SELECT count(*) || '/' || count(DISTINCT event_id) FROM famins.echo_results")" = 19/19 ] ||
    rt_fail "want the 19 other events applied once each"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE payload LIKE '%decided_elsewhere%'")" = 0 ] ||
    rt_fail "the event the service found decided was applied again"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox WHERE event_id LIKE 'echo:%'")" = 19 ] ||
    rt_fail "want 19 outbox rows"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '${FAMINS_TOPIC_PREFIX}famins-test-echo'")" = 20 ] ||
    rt_fail "want 20 deduplication rows (the found-decided event's written again)"
[ "$(grep -c 'event=duplicate_after_window .*code=ALREADY_DECIDED' "$RT_LOGS/echo-1.log")" = 1 ] ||
    rt_fail "want one duplicate_after_window line"
! grep -q 'event=batch_redo reason=decided_elsewhere' "$RT_LOGS/echo-1.log" ||
    rt_fail "a redo without a deduplication row to find"
rt_stop "$pid"
line=$(grep "event=worker_stopped" "$RT_LOGS/echo-1.log")
duplicates=$(sed -n 's/.* duplicates=\([0-9]*\).*/\1/p' <<<"$line")
[ "$duplicates" = 1 ] || rt_fail "want duplicates=1, got: $line"
rt_ok "FM_ECONFLICT without a deduplication row: a duplicate, its row written again, the worker went on"

# The same event again: now an ordinary duplicate, found by the deduplication read before apply.
sed -n '/"n":8,/p' "$RT_LOGS/events.txt" >"$RT_LOGS/again.txt"
rt_produce_lines "$RT_LOGS/again.txt"
rt_start_echo echo-2
pid=$RT_LAST_PID
rt_wait_sql 120 21 "$rt_consumed_sql"
rt_stop "$pid"
grep -q 'event=duplicate_after_window' "$RT_LOGS/echo-2.log" && rt_fail "the re-sent event did not meet its row"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results")" = 19 ] || rt_fail "the re-send was applied"
rt_ok "sent again: a plain duplicate"
echo "runtime_decided_elsewhere: all passed"
