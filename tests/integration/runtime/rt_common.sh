#!/usr/bin/env bash
# rt_common.sh — helpers of the runtime's integration and crash tests (sourced after itest.sh's itest_init).
ECHO_BIN="$FAMINS_BUILD_DIR/tests/integration/runtime/famins-test-echo"
RELAY_BIN="$FAMINS_BUILD_DIR/services/relay/famins-relay"
RT_IN="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
RT_OUT="${FAMINS_TOPIC_PREFIX}enrollment.decided"
RT_DLQ="${RT_IN}.dlq"
RT_LOGS=$(mktemp -d "/tmp/itest-${ITEST_NAME}.XXXXXX")
RT_PIDS=()

rt_fail() {
    echo "FAIL: $*" >&2
    echo "logs in $RT_LOGS" >&2
    exit 1
}

rt_ok() { echo "ok: $*"; }

# Kills what the test started (by pid), drops the database, and removes the logs of a passing test
# (kept on failure, or always with FAMINS_KEEP_TEST_LOGS=1).
rt_cleanup() {
    local rc=$? pid
    for pid in "${RT_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    itest_done
    if [ "$rc" = 0 ] && [ "${FAMINS_KEEP_TEST_LOGS:-0}" != 1 ]; then rm -rf "$RT_LOGS"; fi
}
trap rt_cleanup EXIT

# The echo worker runs as famins_eligibility with its own group (prefix + famins-test-echo): bound to that role
# as any custom group must be (migration 060), or it would be refused at start-up.
"$FAMINS_BUILD_DIR/services/admin/famins-admin" bind-group "${FAMINS_TOPIC_PREFIX}famins-test-echo" famins_eligibility \
    >>"$RT_LOGS/bind-group.log" 2>&1 || rt_fail "famins-admin bind-group failed: $(cat "$RT_LOGS/bind-group.log")"

# The table the echo service writes, writable by the eligibility role the echo runs as (a check of the grants
# that a real service gets).
rt_create_echo_table() {
    itest_psql -c "CREATE TABLE famins.echo_results (id bigserial PRIMARY KEY, event_id text NOT NULL,
        topic text NOT NULL, partition int NOT NULL, kafka_offset bigint NOT NULL, payload text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now());
      GRANT INSERT ON famins.echo_results TO famins_eligibility;
      GRANT USAGE ON SEQUENCE famins.echo_results_id_seq TO famins_eligibility;" >/dev/null
}

# rt_start_echo NAME [VAR=value ...]: starts the echo worker as famins_eligibility with application_name NAME;
# sets RT_LAST_PID. Short session timeout and static membership: a restarted worker takes its partitions back.
rt_start_echo() {
    local name="$1"
    shift
    env FAMINS_PG_DSN="$(itest_dsn_as famins_eligibility) application_name=$name" \
        FAMINS_SESSION_TIMEOUT_MS=6000 FAMINS_GROUP_INSTANCE_ID="$name" FAMINS_BATCH_MAX_MS=50 \
        FAMINS_LOG_LEVEL=debug FAMINS_STATS_INTERVAL_S=5 "$@" \
        "$ECHO_BIN" >>"$RT_LOGS/$name.log" 2>&1 &
    RT_LAST_PID=$!
    RT_PIDS+=("$RT_LAST_PID")
}

# rt_start_relay NAME [VAR=value ...]: starts a relay as famins_relay; sets RT_LAST_PID.
rt_start_relay() {
    local name="$1"
    shift
    env FAMINS_PG_DSN="$(itest_dsn_as famins_relay) application_name=$name" FAMINS_RELAY_STANDBY_MS=200 \
        FAMINS_RELAY_IDLE_MS=100 FAMINS_LOG_LEVEL=debug "$@" \
        "$RELAY_BIN" >>"$RT_LOGS/$name.log" 2>&1 &
    RT_LAST_PID=$!
    RT_PIDS+=("$RT_LAST_PID")
}

# rt_wait_sql SECONDS EXPECTED SQL: polls until the query prints EXPECTED.
rt_wait_sql() {
    local seconds="$1" expected="$2" sql="$3" got="" i
    for ((i = 0; i < seconds * 5; i++)); do
        got=$(itest_psql -c "$sql" 2>/dev/null || true)
        [ "$got" = "$expected" ] && return 0
        sleep 0.2
    done
    rt_fail "waited ${seconds}s for [$sql] = $expected, last got '$got'"
}

# Sum of the stored positions of the echo group = messages consumed (offsets start at 0 per partition).
rt_consumed_sql="SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE consumer_group = '${FAMINS_TOPIC_PREFIX}famins-test-echo'"

# rt_produce_lines FILE: one message per line, "key|value".
rt_produce_lines() {
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$RT_IN" -K '|' -X partitioner=murmur2_random -l "$1"
}

# rt_produce_file KEY FILE: the whole file as one message.
rt_produce_file() {
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$RT_IN" -k "$1" -X partitioner=murmur2_random "$2"
}

# rt_events FROM TO [KEYS]: lines key|{event} for event ids ev-FROM..ev-TO over KEYS keys (default 50).
rt_events() {
    local from="$1" to="$2" keys="${3:-50}"
    awk -v from="$from" -v to="$to" -v keys="$keys" 'BEGIN {
        for (i = from; i <= to; i++)
            printf "H%d|{\"event_id\":\"ev-%d\",\"type\":\"enrollment.submitted\",\"schema_version\":1,\"n\":%d}\n", i % keys, i, i
    }'
}

# rt_count_topic TOPIC FORMAT: prints each message of TOPIC (kcat -f FORMAT) from the beginning to the end.
rt_dump_topic() {
    kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$1" -o beginning -e -q -f "$2"
}

# rt_stop PID: SIGTERM and wait; fails unless it exits 0.
rt_stop() {
    local pid="$1" rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || rt_fail "process $pid exited $rc after SIGTERM (want 0)"
}
