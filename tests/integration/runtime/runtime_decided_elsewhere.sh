#!/usr/bin/env bash
# runtime_decided_elsewhere.sh — a service's apply returns FM_ECONFLICT: the event was decided by another member
# after the batch's deduplication read (famins-test-echo with "decided_elsewhere" in an event). Once (the race):
# the batch is rolled back and redone (batch_redo reason=decided_elsewhere, counted in replays and conflicts),
# the worker goes on, every event applied exactly once. Always (no race: the service's tables and
# processed_events disagree): after five such redos in a row the worker stops (non-zero) with nothing of the
# batch committed. The real races are forced in tests/integration/{enrollment,adjudicator}/race_redo.sh.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_decided_elsewhere
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

rt_events 1 20 5 | sed -e 's/"n":8}/"n":8,"decided_elsewhere":"once"}/' >"$RT_LOGS/events.txt"
[ "$(grep -c decided_elsewhere "$RT_LOGS/events.txt")" = 1 ] || rt_fail "test data: want one marked event"
rt_produce_lines "$RT_LOGS/events.txt"
rt_start_echo echo-1
pid=$RT_LAST_PID
rt_wait_sql 120 20 "$rt_consumed_sql"
kill -0 "$pid" 2>/dev/null || rt_fail "the worker stopped on FM_ECONFLICT (want a redo)"
[ "$(itest_psql -c "SELECT count(*) || '/' || count(DISTINCT event_id) FROM famins.echo_results")" = 20/20 ] ||
    rt_fail "want 20 events applied once each"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox WHERE event_id LIKE 'echo:%'")" = 20 ] ||
    rt_fail "want 20 outbox rows"
[ "$(grep -c 'event=batch_redo reason=decided_elsewhere code=ALREADY_DECIDED' "$RT_LOGS/echo-1.log")" = 1 ] ||
    rt_fail "want one batch_redo reason=decided_elsewhere"
rt_stop "$pid"
line=$(grep "event=worker_stopped" "$RT_LOGS/echo-1.log")
conflicts=$(sed -n 's/.* conflicts=\([0-9]*\).*/\1/p' <<<"$line")
replays=$(sed -n 's/.* replays=\([0-9]*\).*/\1/p' <<<"$line")
[ "$conflicts" = 1 ] && [ "$replays" -ge 1 ] || rt_fail "want conflicts=1 and replays>=1, got: $line"
rt_ok "FM_ECONFLICT once: one redo (a conflict), the worker went on, 20 events applied once"

echo 'H0|{"event_id":"ev-21","type":"enrollment.submitted","schema_version":1,"n":21,"decided_elsewhere":"always"}' \
    >"$RT_LOGS/always.txt"
rt_produce_lines "$RT_LOGS/always.txt"
rt_start_echo echo-2
pid=$RT_LAST_PID
rc=0
timeout 120 tail --pid="$pid" -f /dev/null || rt_fail "the worker did not stop on a lasting FM_ECONFLICT"
wait "$pid" || rc=$?
[ "$rc" != 0 ] || rt_fail "the worker exited 0 on a lasting FM_ECONFLICT (want non-zero)"
[ "$(grep -c 'event=batch_redo reason=decided_elsewhere' "$RT_LOGS/echo-2.log")" = 5 ] ||
    rt_fail "want five decided_elsewhere redos before the stop"
grep -q "event=worker_failed" "$RT_LOGS/echo-2.log" || rt_fail "no worker_failed line"
[ "$(itest_psql -c "$rt_consumed_sql")" = 20 ] || rt_fail "the refused batch moved a position"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-21'")" = 0 ] ||
    rt_fail "the refused event was applied"
rt_ok "FM_ECONFLICT always (tables disagree): five redos, then the worker stopped (exit $rc), nothing committed"
echo "runtime_decided_elsewhere: all passed"
