#!/usr/bin/env bash
# runtime_relay.sh — two relays on one outbox: while both run, every row is published exactly once (one holds
# the lease, the other waits); after SIGKILL of the holder the other takes over and publishes new rows;
# retention deletes sent rows; SIGTERM exits 0.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_relay
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"

# add_rows FROM TO: outbox rows as a service would write them (key, payload, headers, event_id).
add_rows() {
    itest_psql -c "INSERT INTO famins.outbox (topic, message_key, payload, headers, event_id)
        SELECT '$RT_OUT', convert_to('H' || (i % 37), 'UTF8'), convert_to('{\"n\":' || i || '}', 'UTF8'),
               jsonb_build_object('famins.test', 'row-' || i), 'r-' || i
        FROM generate_series($1, $2) AS i" >/dev/null
}

# published_ids: the event_id header of every message on the output topic, sorted.
published_ids() {
    rt_dump_topic "$RT_OUT" '%h\n' | grep -oE '(^|,)event_id=[^,]*' | sed 's/^,//' | sort
}

add_rows 1 2000
rt_start_relay relay-a FAMINS_RELAY_BATCH=300 FAMINS_OUTBOX_RETENTION_HOURS=1000
A=$RT_LAST_PID
rt_start_relay relay-b FAMINS_RELAY_BATCH=300 FAMINS_OUTBOX_RETENTION_HOURS=1000
B=$RT_LAST_PID
# More rows while both run.
for chunk in 1 2 3 4 5; do
    add_rows $((2000 + (chunk - 1) * 200 + 1)) $((2000 + chunk * 200))
    sleep 0.3
done
TOTAL=3000
rt_wait_sql 60 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
sleep 1 # let a (wrong) second publisher show itself
published_ids >"$RT_LOGS/ids1.txt"
[ "$(wc -l <"$RT_LOGS/ids1.txt")" = "$TOTAL" ] || rt_fail "want $TOTAL messages, got $(wc -l <"$RT_LOGS/ids1.txt")"
[ -z "$(uniq -d "$RT_LOGS/ids1.txt")" ] || rt_fail "a row was published twice while two relays ran"
holders=$(grep -l 'event=relay_lease_acquired' "$RT_LOGS/relay-a.log" "$RT_LOGS/relay-b.log" | wc -l)
[ "$holders" = 1 ] || rt_fail "want exactly one lease holder, got $holders"
grep -q 'event=relay_standby' "$RT_LOGS/relay-a.log" "$RT_LOGS/relay-b.log" || rt_fail "no relay waited"
# Headers and keys as stored.
# (to a file first: grep -q would end the pipe early and pipefail would blame kcat)
rt_dump_topic "$RT_OUT" '%k|%h|%s\n' >"$RT_LOGS/out.txt"
grep -q '^H1|famins.test=row-1,event_id=r-1|{"n":1}$' "$RT_LOGS/out.txt" ||
    rt_fail "row 1 was not published with its key, headers and payload"
rt_ok "two relays: $TOTAL rows published once each, one lease holder"

# SIGKILL the holder (idle: everything sent); the other takes over.
if grep -q 'event=relay_lease_acquired' "$RT_LOGS/relay-a.log"; then HOLDER=$A STANDBY=$B SNAME=relay-b; else HOLDER=$B STANDBY=$A SNAME=relay-a; fi
kill -9 "$HOLDER"
wait "$HOLDER" 2>/dev/null || true
add_rows 3001 3500
rt_wait_sql 30 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
grep -q 'event=relay_lease_acquired' "$RT_LOGS/$SNAME.log" || rt_fail "the standby did not take the lease"
published_ids >"$RT_LOGS/ids2.txt"
[ "$(wc -l <"$RT_LOGS/ids2.txt")" = 3500 ] || rt_fail "want 3500 messages after take-over, got $(wc -l <"$RT_LOGS/ids2.txt")"
[ -z "$(uniq -d "$RT_LOGS/ids2.txt")" ] || rt_fail "a row was published twice around the take-over"
rt_ok "after SIGKILL of the holder the standby took over: 3500 rows, each once"

rt_stop "$STANDBY"
grep -q 'event=relay_stopped' "$RT_LOGS/$SNAME.log" || rt_fail "no relay_stopped line"
rt_ok "SIGTERM: the relay exits 0"

# Retention 1 hour: two rows sent 2 hours ago go, the rest (sent just now) stay.
itest_psql -c "UPDATE famins.outbox SET sent_at = sent_at - interval '2 hours' WHERE event_id IN ('r-1', 'r-2')" >/dev/null
rt_start_relay relay-c FAMINS_OUTBOX_RETENTION_HOURS=1
C=$RT_LAST_PID
rt_wait_sql 30 "0" "SELECT count(*) FROM famins.outbox WHERE event_id IN ('r-1', 'r-2')"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox")" = 3498 ] || rt_fail "retention deleted more than the old rows"
rt_stop "$C"
rt_ok "retention deletes sent rows past FAMINS_OUTBOX_RETENTION_HOURS only"
echo "runtime_relay: all passed"
