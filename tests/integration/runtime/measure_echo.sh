#!/usr/bin/env bash
# measure_echo.sh — not a ctest: events/s of famins-test-echo on the local stack, and a COPY of the same rows
# as the yardstick. Env: N (events, 100000), BATCH (500), COPY (1: result rows via end_batch COPY), LOGLEVEL.
# Run with FAMINS_SOURCE_DIR and FAMINS_BUILD_DIR (a Release build) set.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_bench
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table
N=${N:-100000}
rt_events 1 "$N" 1000 >"$RT_LOGS/events.txt"
rt_produce_lines "$RT_LOGS/events.txt"
t0=$(date +%s.%N)
rt_start_echo echo-bench FAMINS_LOG_LEVEL=${LOGLEVEL:-info} FAMINS_BATCH_MAX_MESSAGES=${BATCH:-500} FAMINS_TEST_ECHO_COPY=${COPY:-0} FAMINS_TEST_ECHO_PG_DSN="$FAMINS_PG_DSN application_name=echo-bench"
pid=$RT_LAST_PID
rt_wait_sql 600 "$N" "$rt_consumed_sql"
t1=$(date +%s.%N)
rt_stop $pid
echo "echo worker: $N events in $(echo "$t1 - $t0" | bc) s => $(echo "$N / ($t1 - $t0)" | bc) events/s (incl. start-up)"
# COPY baseline: the same rows straight into a table like echo_results
itest_psql -c "CREATE TABLE famins.copy_bench (LIKE famins.echo_results INCLUDING DEFAULTS)" >/dev/null
awk -F'|' '{ printf "ev\tt\t0\t%d\t%s\n", NR, $2 }' "$RT_LOGS/events.txt" > "$RT_LOGS/copy.tsv"
t0=$(date +%s.%N)
itest_psql -c "\copy famins.copy_bench (event_id, topic, partition, kafka_offset, payload) FROM '$RT_LOGS/copy.tsv'"
t1=$(date +%s.%N)
echo "COPY baseline: $N rows in $(echo "$t1 - $t0" | bc) s => $(echo "$N / ($t1 - $t0)" | bc) rows/s"
