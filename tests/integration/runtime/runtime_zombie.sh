#!/usr/bin/env bash
# runtime_zombie.sh — zombie fencing end to end: worker A is frozen (SIGSTOP) in the middle of a batch
# transaction, the group gives its partitions to worker B, which moves their positions; when A is thawed
# (SIGCONT) and finishes its batch, the compare-and-set refuses it and the whole batch rolls back. In the
# end every event is applied exactly once.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_zombie
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

N=6000
rt_events 1 "$N" 300 >"$RT_LOGS/events.txt"
rt_produce_lines "$RT_LOGS/events.txt"
# Dynamic members, 6 s session: a frozen member is out of the group after 6 s. Slow applies (2 ms each,
# batches of 200) keep A inside a batch transaction most of the time. Both run as the database owner so
# that pg_stat_activity shows this test their session state.
common=(FAMINS_GROUP_INSTANCE_ID= FAMINS_TEST_APPLY_DELAY_US=2000 FAMINS_BATCH_MAX_MESSAGES=200)
rt_start_echo echo-za "${common[@]}" FAMINS_TEST_ECHO_PG_DSN="$FAMINS_PG_DSN application_name=echo-za"
A=$RT_LAST_PID
rt_wait_sql 30 t "SELECT (${rt_consumed_sql}) > 0"
# Freeze A inside a batch transaction.
frozen=0
for _ in $(seq 1 100); do
    if [ "$(itest_psql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'echo-za'
                           AND state = 'idle in transaction'")" = 1 ]; then
        kill -STOP "$A"
        frozen=1
        break
    fi
    sleep 0.05
done
[ "$frozen" = 1 ] || rt_fail "never caught A inside a batch transaction"
at_freeze=$(itest_psql -c "$rt_consumed_sql")
rt_start_echo echo-zb "${common[@]}" FAMINS_TEST_APPLY_DELAY_US=0
B=$RT_LAST_PID
# B gets A's partitions once A's session times out, and moves their positions.
rt_wait_sql 60 t "SELECT (${rt_consumed_sql}) > $((at_freeze + 1000))"
kill -CONT "$A"
rt_wait_sql 90 "$N" "$rt_consumed_sql"
sleep 1
rt_stop "$A"
rt_stop "$B"
# A's stale batch is refused by whichever check it meets first: the processed-event key (B applied the same
# events) or the position compare-and-set (B moved the position). Either way the whole batch rolls back.
conflicts=$(grep 'event=worker_stopped' "$RT_LOGS/echo-za.log" | grep -o 'conflicts=[0-9]*' | cut -d= -f2)
[ "${conflicts:-0}" -ge 1 ] || rt_fail "A's stale batch was not refused (conflicts=${conflicts:-none})"
grep -E 'event=batch_redo reason=(position_conflict|event_applied_elsewhere)' "$RT_LOGS/echo-za.log" >"$RT_LOGS/fenced.txt" ||
    rt_fail "no fencing redo in A's log"
how=$(grep -oE 'reason=[a-z_]+' "$RT_LOGS/fenced.txt" | sort -u | tr '\n' ' ')
got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")
[ "$got" = "$N|$N" ] || rt_fail "want $N result rows for $N distinct events, got $got"
got=$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox")
[ "$got" = "$N|$N" ] || rt_fail "want $N outbox rows for $N distinct events, got $got"
rt_ok "the thawed zombie's batch was refused (${how% }) and rolled back; $N events exactly once"
echo "runtime_zombie: all passed"
