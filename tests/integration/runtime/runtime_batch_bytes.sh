#!/usr/bin/env bash
# runtime_batch_bytes.sh — a batch is bounded in bytes as well as in messages (FAMINS_BATCH_MAX_BYTES): a
# backlog of near-limit messages (200 KB each, one partition) is applied in batches that stop at the byte
# bound (at most one message past it), not in batches of FAMINS_BATCH_MAX_MESSAGES; small messages under the
# same bound still fill batches by their count; every message is applied exactly once. The limits derived from
# FAMINS_MEMORY_BUDGET_MB are the ones the worker reports at start-up.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_batch_bytes
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

GROUP="${FAMINS_TOPIC_PREFIX}famins-test-echo"
BOUND=1000000
BIG=40
SMALL=200
# 40 messages of ~200,000 bytes, all on key K (one partition: the bound, not the partitioning, cuts them).
pad=$(head -c 200000 /dev/zero | tr '\0' 'x')
for ((i = 1; i <= BIG; i++)); do
    printf 'K|{"event_id":"big-%d","type":"enrollment.submitted","schema_version":1,"pad":"%s"}\n' "$i" "$pad"
done >"$RT_LOGS/big.txt"
rt_produce_lines "$RT_LOGS/big.txt"
# Then 200 small ones on the same key.
rt_events 1 "$SMALL" 1 | sed 's/^H0|/K|/' >"$RT_LOGS/small.txt"
rt_produce_lines "$RT_LOGS/small.txt"

# The whole backlog is there before the worker starts; a long wait, so that only the bounds close a batch.
rt_start_echo echo-bytes FAMINS_BATCH_MAX_MESSAGES=100 FAMINS_BATCH_MAX_MS=3000 FAMINS_BATCH_MAX_BYTES="$BOUND" \
    FAMINS_MEMORY_BUDGET_MB=64
ECHO_PID=$RT_LAST_PID
rt_wait_sql 120 "$((BIG + SMALL))" "$rt_consumed_sql"

# Exactly once.
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "$((BIG + SMALL))|$((BIG + SMALL))" ] ||
    rt_fail "want $((BIG + SMALL)) result rows, once each"
# The batches of large messages: each transaction (one processed_at) held at most BOUND bytes plus one
# message, i.e. at most 5 of them (4 x ~200 KB < 1,000,000 <= 5 x ~200 KB), and they needed at least 8.
read -r big_batches big_max < <(itest_psql -F ' ' -c "SELECT count(*), max(n) FROM (SELECT processed_at, count(*) AS n
    FROM famins.processed_events WHERE consumer_group = '$GROUP' AND event_id LIKE 'big-%' GROUP BY 1) b")
[ "$big_max" -le 5 ] || rt_fail "a batch held $big_max messages of 200 KB (bound $BOUND bytes: want at most 5)"
[ "$big_batches" -ge 8 ] || rt_fail "$BIG messages of 200 KB went in $big_batches batches (want at least 8)"
rt_ok "$BIG messages of 200 KB in $big_batches batches of at most $big_max (bound $BOUND bytes, 100 messages)"
# Small messages under the same bound still go by the count: some batch held more than 5 of them.
small_max=$(itest_psql -c "SELECT max(n) FROM (SELECT processed_at, count(*) AS n FROM famins.processed_events
    WHERE consumer_group = '$GROUP' AND event_id LIKE 'ev-%' GROUP BY 1) b")
[ "$small_max" -gt 5 ] || rt_fail "small messages went in batches of at most $small_max: the byte bound cut them"
rt_ok "small messages under the same bound: batches of up to $small_max"

# The limits from FAMINS_MEMORY_BUDGET_MB=64 (40 MiB above the 24 MiB base): the queue a quarter, a fetch an
# eighth as fetched (FM_BUDGET_FETCH_EXPANSION is 1 for now: fm_budget.h), per partition at most librdkafka's
# default, message.max.bytes at most its default, the queue's count one message per KiB of its bytes;
# FAMINS_BATCH_MAX_BYTES set explicitly wins over the budget's share.
line=$(grep -m1 'event=worker_started' "$RT_LOGS/echo-bytes.log")
for want in "batch_max_bytes=$BOUND" "queued_max_messages_kbytes=10240" "fetch_max_bytes=5242880" "message_max_bytes=1000000" \
    "max_partition_fetch_bytes=1048576" "queued_min_messages=10240"; do
    case "$line" in *" $want"*) ;; *) rt_fail "worker_started lacks $want: $line" ;; esac
done
rt_ok "the budget's limits are the worker's: $(echo "$line" | grep -o 'batch_max_bytes.*')"
rt_stop "$ECHO_PID"

# A budget too small for the largest message is refused at start-up, naming the setting.
rc=0
env FAMINS_PG_DSN="$(itest_dsn_as famins_eligibility)" FAMINS_MEMORY_BUDGET_MB=48 FAMINS_MAX_MESSAGE_BYTES=1000000 \
    FAMINS_BATCH_MAX_MS=50 timeout 30 "$ECHO_BIN" >"$RT_LOGS/echo-small-budget.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || rt_fail "a 48 MiB budget with 1,000,000-byte messages was not refused (exit $rc)"
grep -q 'MEMORY_BUDGET' "$RT_LOGS/echo-small-budget.log" || rt_fail "the refusal does not name MEMORY_BUDGET"
rt_ok "a budget that cannot hold one largest message is refused (exit $rc)"
