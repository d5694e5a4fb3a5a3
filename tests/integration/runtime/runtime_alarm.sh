#!/usr/bin/env bash
# runtime_alarm.sh — a stored position Kafka no longer holds is an alarm, never a skip: below the low
# watermark (records deleted, as retention would) and beyond the high watermark each give one open
# famins.consumer_alarms row and an error line; those partitions are not consumed (positions unchanged)
# while the other partitions are; a restart does not duplicate the open alarms.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_alarm
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table
DELETE_RECORDS="$FAMINS_BUILD_DIR/tests/integration/runtime/runtime_delete_records"

position() { itest_psql -c "SELECT next_offset FROM famins.consumer_positions WHERE topic = '$RT_IN' AND partition = $1"; }
partition_end() { echo $(($(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$RT_IN" -p "$1" -o -1 -e -q -f '%o\n' | tail -1) + 1)); }

rt_events 1 300 >"$RT_LOGS/a.txt"
rt_produce_lines "$RT_LOGS/a.txt"
rt_start_echo echo-al
rt_wait_sql 60 300 "$rt_consumed_sql"
rt_stop "$RT_LAST_PID"
p0=$(position 0)
[ -n "$p0" ] && [ "$p0" -gt 0 ] || rt_fail "partition 0 got no events"

rt_events 301 600 >"$RT_LOGS/b.txt"
rt_produce_lines "$RT_LOGS/b.txt"
low=$("$DELETE_RECORDS" "$FAMINS_KAFKA_BOOTSTRAP" "$RT_IN" 0 -1)
[ "$low" -gt "$p0" ] || rt_fail "the low watermark $low did not pass the stored position $p0"
itest_psql -c "UPDATE famins.consumer_positions SET next_offset = 999999 WHERE topic = '$RT_IN' AND partition = 1" >/dev/null

rt_start_echo echo-al
ECHO_PID=$RT_LAST_PID
rt_wait_sql 60 2 "SELECT count(*) FROM famins.consumer_alarms WHERE resolved_at IS NULL"
for p in 2 3 4 5; do
    end=$(partition_end "$p")
    rt_wait_sql 60 "$end" "SELECT next_offset FROM famins.consumer_positions WHERE topic = '$RT_IN' AND partition = $p"
done
sleep 1
got=$(itest_psql -c "SELECT partition || ':' || kind || ':' || stored_offset || ':' || low_watermark
                     FROM famins.consumer_alarms ORDER BY partition")
want="0:POSITION_BELOW_LOW_WATERMARK:$p0:$low
1:POSITION_ABOVE_HIGH_WATERMARK:999999:0"
[ "$got" = "$want" ] || rt_fail "alarms: got [$got], want [$want]"
[ "$(position 0)" = "$p0" ] || rt_fail "partition 0 moved past its alarm: $(position 0)"
[ "$(position 1)" = 999999 ] || rt_fail "partition 1 moved: $(position 1)"
[ "$(grep -c 'event=partition_stopped' "$RT_LOGS/echo-al.log")" = 2 ] || rt_fail "want 2 partition_stopped error lines"
[ "$(grep 'event=partition_stopped' "$RT_LOGS/echo-al.log" | grep -c 'level=error')" = 2 ] || rt_fail "partition_stopped is not an error"
rt_ok "below-low and beyond-high positions raised alarms and stopped their partitions; the others ran to the end"

rt_stop "$ECHO_PID"
rt_start_echo echo-al
ECHO_PID=$RT_LAST_PID
# Wait until the restarted worker has been assigned its partitions (and checked them) before looking.
for _ in $(seq 1 50); do
    [ "$(grep -c 'event=partition_stopped' "$RT_LOGS/echo-al.log")" -ge 4 ] && break
    sleep 0.2
done
[ "$(grep -c 'event=partition_stopped' "$RT_LOGS/echo-al.log")" = 4 ] || rt_fail "the restart did not stop both partitions again"
[ "$(itest_psql -c "SELECT count(*) FROM famins.consumer_alarms")" = 2 ] || rt_fail "a restart duplicated the alarms"
[ "$(position 0)" = "$p0" ] || rt_fail "partition 0 moved after a restart"
rt_stop "$ECHO_PID"
rt_ok "a restart keeps one open alarm per partition and still does not consume them"
echo "runtime_alarm: all passed"
