#!/usr/bin/env bash
# operator_alarm_outbox.sh — famins-admin alarms and outbox commands on the real stack:
#   - a partition stopped by an alarm (its stored position beyond the log's end) is resolved with a moved
#     position: a compare-and-set against a wrong --expect changes nothing (exit 4); with the worker stopped,
#     the move and the resolution commit with their audit row; after a restart the partition is consumed from
#     the new position and every event is decided exactly once; resolving again is refused (exit 4);
#   - a poison outbox row (larger than the relay's FAMINS_RELAY_MESSAGE_MAX_BYTES) is parked after
#     FAMINS_RELAY_PARK_AFTER failed deliveries with an alarm, without blocking the row behind it; the backlog
#     and the parked list show it without its payload; once the cause is fixed it is re-queued, delivered once,
#     and its alarm resolved, audited.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init operator_ao
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
ADMIN="$FAMINS_BUILD_DIR/services/admin/famins-admin"
rt_create_echo_table
position() { itest_psql -c "SELECT next_offset FROM famins.consumer_positions WHERE topic = '$RT_IN' AND partition = $1"; }

# ---- an alarm resolved with a moved position ---------------------------------------------------------------
rt_events 1 300 >"$RT_LOGS/a.txt"
rt_produce_lines "$RT_LOGS/a.txt"
rt_start_echo echo-ao
rt_wait_sql 60 300 "$rt_consumed_sql"
rt_stop "$RT_LAST_PID"
p1=$(position 1)
[ -n "$p1" ] && [ "$p1" -gt 0 ] || rt_fail "partition 1 got no events"
# As after a topic was re-created: the stored position is beyond the log's end.
itest_psql -c "UPDATE famins.consumer_positions SET next_offset = 999999 WHERE topic = '$RT_IN' AND partition = 1" >/dev/null
rt_events 301 400 >"$RT_LOGS/b.txt"
rt_produce_lines "$RT_LOGS/b.txt"
rt_start_echo echo-ao
ECHO_PID=$RT_LAST_PID
rt_wait_sql 60 1 "SELECT count(*) FROM famins.consumer_alarms WHERE resolved_at IS NULL"
"$ADMIN" alarms list --json >"$RT_LOGS/alarms.json"
ALARM=$(python3 -c "
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1 and rows[0]['kind'] == 'POSITION_ABOVE_HIGH_WATERMARK' and rows[0]['partition'] == 1, rows
assert rows[0]['stored'] == 999999 and rows[0]['resolved_at'] is None, rows
print(rows[0]['id'])" "$RT_LOGS/alarms.json") || rt_fail "alarms list --json: $(cat "$RT_LOGS/alarms.json")"
"$ADMIN" alarms list | grep -Eq "^ *$ALARM +${FAMINS_TOPIC_PREFIX}famins-test-echo +$RT_IN +1 +POSITION_ABOVE_HIGH_WATERMARK +999999" ||
    rt_fail "alarms list table: $("$ADMIN" alarms list)"

rc=0
"$ADMIN" alarms resolve --id "$ALARM" --move-to "$p1" --expect 5 >"$RT_LOGS/resolve0.txt" 2>&1 || rc=$?
[ "$rc" = 4 ] || rt_fail "a move against a wrong --expect exited $rc (want 4): $(cat "$RT_LOGS/resolve0.txt")"
[ "$(position 1)" = 999999 ] || rt_fail "a refused move moved the position"
[ "$(itest_psql -c "SELECT count(*) FROM famins.consumer_alarms WHERE resolved_at IS NULL")" = 1 ] || rt_fail "a refused move resolved the alarm"
[ "$(itest_psql -c "SELECT count(*) FROM famins.operator_audit")" = 0 ] || rt_fail "a refused move left an audit row"
rt_stop "$ECHO_PID" # the rule: move a partition while its workers are stopped
"$ADMIN" alarms resolve --id "$ALARM" --move-to "$p1" --operator carol --reason "topic re-created; back to the last applied offset" \
    >"$RT_LOGS/resolve1.txt" 2>&1 || rt_fail "alarms resolve failed: $(cat "$RT_LOGS/resolve1.txt")"
grep -q "moved from 999999 to $p1" "$RT_LOGS/resolve1.txt" || rt_fail "resolve output: $(cat "$RT_LOGS/resolve1.txt")"
[ "$(position 1)" = "$p1" ] || rt_fail "the position did not move to $p1"
got=$(itest_psql -c "SELECT db_role, operator, action, target_ids, detail->'position'->>'from', detail->'position'->>'to',
                            (SELECT resolved_audit_id = o.id FROM famins.consumer_alarms WHERE id = $ALARM)
                     FROM famins.operator_audit o")
[ "$got" = "famins_operator|carol|alarms resolve|{$ALARM}|999999|$p1|t" ] || rt_fail "audit of the resolution: $got"
rc=0
"$ADMIN" alarms resolve --id "$ALARM" >/dev/null 2>&1 || rc=$?
[ "$rc" = 4 ] || rt_fail "resolving a resolved alarm exited $rc (want 4)"
rt_start_echo echo-ao
ECHO_PID=$RT_LAST_PID
rt_wait_sql 60 400 "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "400|400" ] ||
    rt_fail "after the move: want 400 events decided once each"
rt_stop "$ECHO_PID"
rt_ok "alarm resolved with a fenced position move: refused on a wrong --expect, audited, every event decided once"

# ---- the backlog per partition: the 400 echoes are unsent (no relay ran yet) ----------------------------------
"$ADMIN" outbox backlog --json >"$RT_LOGS/backlog0.json"
"$ADMIN" outbox backlog --partitions --json >"$RT_LOGS/backlog_p.json" 2>"$RT_LOGS/backlog_p.err" ||
    rt_fail "outbox backlog --partitions failed: $(cat "$RT_LOGS/backlog_p.err")"
python3 -c "
import json, sys
topics = {r['topic']: r for r in json.load(open(sys.argv[1]))}
assert topics[sys.argv[3]]['unsent'] == 400 and topics[sys.argv[3]]['oldest_age_s'] >= 0, topics
parts = [r for r in json.load(open(sys.argv[2])) if r['topic'] == sys.argv[3]]
assert sum(r['unsent'] for r in parts) == 400 and all(r['partition'] is not None for r in parts), parts
for r in parts: print(r['partition'], r['unsent'])" "$RT_LOGS/backlog0.json" "$RT_LOGS/backlog_p.json" "$RT_OUT" |
    sort -n >"$RT_LOGS/predicted.txt" || rt_fail "outbox backlog: $(cat "$RT_LOGS/backlog0.json" "$RT_LOGS/backlog_p.json")"
rt_start_relay relay-first
rt_wait_sql 60 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
rt_stop "$RT_LAST_PID"
rt_dump_topic "$RT_OUT" '%p\n' | sort -n | uniq -c | awk '{print $2, $1}' >"$RT_LOGS/actual.txt"
cmp -s "$RT_LOGS/predicted.txt" "$RT_LOGS/actual.txt" ||
    rt_fail "backlog per partition: predicted [$(tr '\n' ' ' <"$RT_LOGS/predicted.txt")], published [$(tr '\n' ' ' <"$RT_LOGS/actual.txt")]"
rt_ok "outbox backlog per topic, and per partition as the relay then published them: $(tr '\n' ' ' <"$RT_LOGS/actual.txt")"

# ---- a poison outbox row parked and re-queued ----------------------------------------------------------------
rt_start_relay relay-small FAMINS_RELAY_PARK_AFTER=3 FAMINS_RELAY_MESSAGE_MAX_BYTES=20000
RELAY_PID=$RT_LAST_PID
rt_wait_sql 60 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
# The big row's id from its INSERT: the running relay may park it (moving it out of famins.outbox) before any
# later query could find it there. Both rows in one transaction, the small one behind the big one.
BIG=$(itest_psql -1 -c "INSERT INTO famins.outbox (topic, message_key, payload, event_id) VALUES
                          ('$RT_OUT', 'BIG', convert_to(repeat('x', 50000), 'UTF8'), 'big-1') RETURNING id" \
                    -c "INSERT INTO famins.outbox (topic, message_key, payload, event_id) VALUES
                          ('$RT_OUT', 'SMALL', convert_to('{}', 'UTF8'), 'small-1')")
[[ "$BIG" =~ ^[0-9]+$ ]] || rt_fail "the big row's id from its INSERT: '$BIG'"
rt_wait_sql 60 "parked|3" "SELECT state, attempts FROM famins.outbox_parked WHERE outbox_id = $BIG"
rt_wait_sql 30 1 "SELECT count(*) FROM famins.outbox WHERE event_id = 'small-1' AND sent_at IS NOT NULL"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox WHERE id = $BIG")" = 0 ] || rt_fail "the parked row is still in the outbox"
[ "$(itest_psql -c "SELECT consumer_group, topic, partition, kind, stored_offset FROM famins.consumer_alarms WHERE resolved_at IS NULL")" = \
    "famins-relay|$RT_OUT|-1|OUTBOX_ROW_PARKED|$BIG" ] || rt_fail "no open OUTBOX_ROW_PARKED alarm"
grep -q 'event=relay_row_parked' "$RT_LOGS/relay-small.log" || rt_fail "no relay_row_parked log line"
"$ADMIN" outbox backlog --json >"$RT_LOGS/backlog.json"
python3 -c "
import json, sys
rows = {r['topic']: r for r in json.load(open(sys.argv[1]))}
assert rows[sys.argv[2]]['parked'] == 1 and rows[sys.argv[2]]['unsent'] == 0, rows" "$RT_LOGS/backlog.json" "$RT_OUT" ||
    rt_fail "outbox backlog: $(cat "$RT_LOGS/backlog.json")"
"$ADMIN" outbox parked >"$RT_LOGS/parked.txt"
grep -Eq "^ *$BIG +$RT_OUT +50000 +3 +parked" "$RT_LOGS/parked.txt" || rt_fail "outbox parked: $(cat "$RT_LOGS/parked.txt")"
grep -q xxxxx "$RT_LOGS/parked.txt" && rt_fail "outbox parked shows the payload"
rt_ok "a poison outbox row was parked after 3 failures with an alarm; the row behind it was delivered"

rt_stop "$RELAY_PID" # the fix: a relay allowing larger messages
rt_start_relay relay-fixed
RELAY_PID=$RT_LAST_PID
"$ADMIN" outbox requeue --id "$BIG" --operator dave --reason "FAMINS_RELAY_MESSAGE_MAX_BYTES raised" \
    >"$RT_LOGS/requeue.txt" 2>&1 || rt_fail "outbox requeue failed: $(cat "$RT_LOGS/requeue.txt")"
grep -Eq "^ *$BIG +requeued +[0-9]+" "$RT_LOGS/requeue.txt" || rt_fail "requeue outcome: $(cat "$RT_LOGS/requeue.txt")"
rt_wait_sql 60 1 "SELECT count(*) FROM famins.outbox WHERE event_id = 'big-1' AND sent_at IS NOT NULL"
[ "$(rt_dump_topic "$RT_OUT" '%S %h\n' | grep -c '^50000 .*event_id=big-1')" = 1 ] || rt_fail "the re-queued row is not on $RT_OUT once"
[ "$(itest_psql -c "SELECT count(*) FROM famins.consumer_alarms WHERE resolved_at IS NULL")" = 0 ] || rt_fail "the relay alarm is still open"
[ "$(itest_psql -c "SELECT state, payload IS NULL FROM famins.outbox_parked WHERE outbox_id = $BIG")" = "requeued|t" ] ||
    rt_fail "the parked copy was not marked and erased"
[ "$(itest_psql -c "SELECT operator || '|' || action || '|' || target_ids::text FROM famins.operator_audit ORDER BY id DESC LIMIT 1")" = \
    "dave|outbox requeue|{$BIG}" ] || rt_fail "the re-queue is not audited"
rc=0
"$ADMIN" outbox discard --id "$BIG" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || rt_fail "outbox discard without --reason exited $rc (want 2)"
rt_stop "$RELAY_PID"
rt_ok "the parked row re-queued after the fix: delivered once, its alarm resolved, audited"
echo "operator_alarm_outbox: all passed"
