#!/usr/bin/env bash
# near_limit_memory.sh — a worker's peak memory on a backlog of near-limit messages (600 of 255 KB), the echo
# worker with batches of up to 500 messages: what FAMINS_BATCH_MAX_BYTES bounds. Prints batches and VmHWM.
# Not part of the test run (a measurement); any worker variable may be passed in EXTRA, e.g.
#   FAMINS_BUILD_DIR=$PWD/build-bench bash tests/bench/tools/near_limit_memory.sh
#   EXTRA=FAMINS_BATCH_MAX_BYTES=1073741824 FAMINS_BUILD_DIR=$PWD/build-bench bash tests/bench/tools/near_limit_memory.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FAMINS_SOURCE_DIR="${FAMINS_SOURCE_DIR:-$(cd "$HERE/../../.." && pwd)}"
export FAMINS_BUILD_DIR="${FAMINS_BUILD_DIR:-$FAMINS_SOURCE_DIR/build}"
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init bench_near_limit
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table
pad=$(head -c 255000 /dev/zero | tr '\0' 'x')
for ((i = 1; i <= 600; i++)); do
    printf 'H%d|{"event_id":"big-%d","type":"enrollment.submitted","schema_version":1,"pad":"%s"}\n' "$((i % 6))" "$i" "$pad"
done >"$RT_LOGS/big.txt"
rt_produce_lines "$RT_LOGS/big.txt"
rt_start_echo echo-a FAMINS_BATCH_MAX_MESSAGES=500 FAMINS_BATCH_MAX_MS=3000 FAMINS_LOG_LEVEL=info ${EXTRA:-}
pid=$RT_LAST_PID
rt_wait_sql 300 600 "$rt_consumed_sql"
hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status)
batches=$(itest_psql -c "SELECT count(DISTINCT processed_at) FROM famins.processed_events")
echo "RESULT extra='${EXTRA:-}' vmhwm_kib=$hwm batches=$batches"
rt_stop "$pid"
