#!/usr/bin/env bash
# measure_relay.sh — not a ctest: rows/s famins-relay publishes from a filled outbox (400-byte payloads).
# Env: N (rows, 100000), BATCH (FAMINS_RELAY_BATCH, 1000). FAMINS_SOURCE_DIR and FAMINS_BUILD_DIR set.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init relay_bench
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
N=${N:-100000}
itest_psql -c "INSERT INTO famins.outbox (topic, message_key, payload, headers, event_id)
    SELECT '$RT_OUT', convert_to('H' || (i % 1000), 'UTF8'), convert_to(repeat('x', 400), 'UTF8'),
           jsonb_build_object('famins.test', 'row-' || i), 'r-' || i FROM generate_series(1, $N) AS i" >/dev/null
t0=$(date +%s.%N)
rt_start_relay relay-bench FAMINS_LOG_LEVEL=debug FAMINS_RELAY_BATCH=${BATCH:-1000}
rt_wait_sql 600 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
t1=$(date +%s.%N)
rt_stop $RT_LAST_PID
echo "relay: $N rows (400-byte payloads) in $(echo "$t1 - $t0" | bc) s => $(echo "$N / ($t1 - $t0)" | bc) rows/s"
