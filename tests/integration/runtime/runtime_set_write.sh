#!/usr/bin/env bash
# runtime_set_write.sh — a set-based service (famins-test-echo with FAMINS_TEST_ECHO_COPY=1: prepare_batch,
# then one COPY per batch in end_batch) whose COPY the database refuses because of one message: the runtime
# redoes the batch one message per transaction, the refused message becomes one dead letter WRITE_REJECTED
# naming the SQLSTATE, and every other message of the batch is applied exactly once. Two refusals, both
# returned as the COPY's FM_EDB with its SQLSTATE: a CHECK violation (dead letter at once) and a unique
# violation (which a concurrent worker could cause: dead letter when it repeats three times alone in its
# batch). The service-side FM_EINVAL form is tested by the adjudicator's refused.sh.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_set_write
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table
itest_psql -c "ALTER TABLE famins.echo_results ADD CONSTRAINT no_poison CHECK (payload NOT LIKE '%poison_write%');
  CREATE UNIQUE INDEX echo_results_twin ON famins.echo_results ((payload::json->>'twin'));" >/dev/null

N=400
GROUP="${FAMINS_TOPIC_PREFIX}famins-test-echo"
# 400 events on 50 keys; ev-137 breaks the CHECK; ev-250 and ev-260 share a "twin" value (unique), so the
# later of the two in its partition is refused (they are on keys H0 and H10: maybe not the same partition,
# so "the later" is whichever the worker applies second).
rt_events 1 "$N" |
    sed -e 's/"n":137}/"n":137,"poison_write":true}/' -e 's/"n":250}/"n":250,"twin":"t"}/' \
        -e 's/"n":260}/"n":260,"twin":"t"}/' >"$RT_LOGS/events.txt"
[ "$(grep -c 'poison_write\|"twin"' "$RT_LOGS/events.txt")" = 3 ] || rt_fail "test data: want 3 marked events"
rt_produce_lines "$RT_LOGS/events.txt"
rt_start_echo echo-set FAMINS_TEST_ECHO_COPY=1 FAMINS_BATCH_MAX_MESSAGES=100 FAMINS_BATCH_MAX_MS=500
ECHO_PID=$RT_LAST_PID
rt_wait_sql 120 "$N" "$rt_consumed_sql"
kill -0 "$ECHO_PID" 2>/dev/null || rt_fail "the worker stopped (want it to carry on past refused rows)"

[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "$((N - 2))|$((N - 2))" ] ||
    rt_fail "want $((N - 2)) result rows, once each"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-137'")" = 0 ] ||
    rt_fail "the CHECK-breaking event has a row"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id IN ('ev-250', 'ev-260')")" = 1 ] ||
    rt_fail "want exactly one of the twins applied"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$GROUP'")" = "$((N - 2))" ] ||
    rt_fail "want $((N - 2)) processed events"
dead=$(itest_psql -c "SELECT error_code, split_part(error_text, ':', 1) FROM famins.dead_letters ORDER BY error_text")
[ "$dead" = "WRITE_REJECTED|SQLSTATE 23505
WRITE_REJECTED|SQLSTATE 23514" ] || rt_fail "want two dead letters WRITE_REJECTED (23505, 23514), got: $dead"
# The server's secondary fields quote the refused row ("Failing row contains (...)", "Key (...)=(...)"): values
# of the message, which must not reach a text reporters read.
texts=$(psql "$(itest_dsn_as famins_reporter)" -qAt -c "SELECT error_text FROM famins_report.dead_letters")
case "$texts" in *poison_write* | *'"twin"'* | *DETAIL* | *ev-137* | *ev-250* | *ev-260*) rt_fail "a dead letter's text quotes the refused row: $texts" ;; esac
if grep -E 'event=batch_redo' "$RT_LOGS/echo-set.log" | grep -q -e 'Failing row' -e 'poison_write' -e 'DETAIL'; then
    rt_fail "a batch_redo log line quotes the refused row"
fi
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters d WHERE convert_from(d.raw_message, 'UTF8') LIKE '%\"ev-137\"%'")" = 1 ] ||
    rt_fail "the dead letter 23514 is not ev-137's message"
rt_ok "one refused row in a COPY batch: the batch redone one message at a time, 2 dead letters, $((N - 2)) applied once"

grep -q 'NOT_PREPARED' "$RT_LOGS/echo-set.log" && rt_fail "apply was given an event prepare_batch was not given"
[ "$(grep -c 'batch_redo.*set_write_refused' "$RT_LOGS/echo-set.log")" -ge 2 ] ||
    rt_fail "want the set-write redo logged"
rt_ok "apply is only given the events prepare_batch listed"

# After the isolated messages, batches grow back: the rest of a new burst goes in batches of more than one.
rt_events 1001 1300 >"$RT_LOGS/more.txt"
rt_produce_lines "$RT_LOGS/more.txt"
rt_wait_sql 60 "$((N + 300))" "$rt_consumed_sql"
batches=$(itest_psql -c "SELECT count(DISTINCT processed_at) FROM famins.processed_events WHERE event_id LIKE 'ev-1___'")
[ "$batches" -lt 100 ] || rt_fail "300 later events took $batches transactions: isolation did not end"
rt_ok "isolation ends: 300 later events in $batches transactions"
rt_stop "$ECHO_PID"
