#!/usr/bin/env bash
# adj_common.sh — helpers of the adjudicator's end-to-end and crash tests (sourced after itest_init).
ADJ_BIN="$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator"
RELAY_BIN="$FAMINS_BUILD_DIR/services/relay/famins-relay"
WAVEGEN_BIN="$FAMINS_BUILD_DIR/services/wavegen/famins-wavegen"
TESTGEN_BIN="$FAMINS_BUILD_DIR/tests/integration/adjudicator/adj-testgen"
ADJ_IN="${FAMINS_TOPIC_PREFIX}claim.events"
ADJ_OUT="${FAMINS_TOPIC_PREFIX}claim.decided"
ADJ_DLQ="${ADJ_IN}.dlq"
ADJ_GROUP="${FAMINS_TOPIC_PREFIX}famins-adjudicator"
ADJ_LOGS=$(mktemp -d "/tmp/itest-${ITEST_NAME}.XXXXXX")
ADJ_PIDS=()
ADJ_REF_DB=""
# The tests' own person-key secret (the services refuse to start without one; adj-testgen seeds with it).
export FAMINS_PERSON_KEY_SECRET=adj-itest-secret
unset FAMINS_PERSON_KEY_SECRET_FILE FAMINS_PERSON_KEY_PREVIOUS_FILE FAMINS_PERSON_KEY_ID FAMINS_ALLOW_DEV_PERSON_KEY

adj_fail() {
    echo "FAIL: $*" >&2
    echo "logs in $ADJ_LOGS" >&2
    exit 1
}
adj_ok() { echo "ok: $*"; }

adj_cleanup() {
    local pid
    for pid in "${ADJ_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    if [ -n "$ADJ_REF_DB" ] && [ "${FAMINS_KEEP_TEST_DB:-0}" != 1 ]; then
        itest_drop_db "$ADJ_REF_DB" || echo "WARNING: could not drop $ADJ_REF_DB" >&2
    fi
    itest_done
}
trap adj_cleanup EXIT

# adj_start NAME [VAR=value ...]: the adjudicator as famins_adjudicator with application_name NAME; sets ADJ_LAST_PID.
adj_start() {
    local name="$1"
    shift
    env FAMINS_PG_DSN="$(itest_dsn_as famins_adjudicator) application_name=$name" \
        FAMINS_SESSION_TIMEOUT_MS=6000 FAMINS_GROUP_INSTANCE_ID="$name" FAMINS_BATCH_MAX_MS=50 \
        FAMINS_STATS_INTERVAL_S=5 "$@" "$ADJ_BIN" >>"$ADJ_LOGS/$name.log" 2>&1 &
    ADJ_LAST_PID=$!
    ADJ_PIDS+=("$ADJ_LAST_PID")
}

adj_start_relay() {
    env FAMINS_PG_DSN="$(itest_dsn_as famins_relay) application_name=adj-relay" FAMINS_RELAY_STANDBY_MS=200 \
        FAMINS_RELAY_IDLE_MS=100 "$RELAY_BIN" >>"$ADJ_LOGS/relay.log" 2>&1 &
    ADJ_PIDS+=("$!")
}

adj_stop() {
    local pid="$1" rc=0
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || adj_fail "process $pid exited $rc after SIGTERM (want 0)"
}

# adj_wait_sql SECONDS EXPECTED SQL
adj_wait_sql() {
    local seconds="$1" expected="$2" sql="$3" got="" i
    for ((i = 0; i < seconds * 5; i++)); do
        got=$(itest_psql -c "$sql" 2>/dev/null || true)
        [ "$got" = "$expected" ] && return 0
        sleep 0.2
    done
    adj_fail "waited ${seconds}s for [$sql] = $expected, last got '$got'"
}

# adj_wait_topic TOPIC...: waits (up to 180 s) until every partition of each topic famins-admin created is online:
# in the broker's metadata with a leader, and answering that leader's offset query. Partition 0 alone is not
# enough: on a busy broker the others come online seconds later, and librdkafka 2.0.2's idempotent producer, whose
# first batch to a partition not yet online is refused and retried while its next batch is accepted, reports both
# delivered though the first is not in the log (seen: 2 of 2051 enrollment events missing, a consumer waiting
# for them for ever).
adj_wait_topic() {
    local t i n p ready
    for t in "$@"; do
        for ((i = 0; i < 360; i++)); do
            n=$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$t" 2>/dev/null | sed -n 's/.* with \([0-9][0-9]*\) partitions:.*/\1/p')
            ready=0
            if [ -n "$n" ] && [ "$n" -gt 0 ] &&
                [ "$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$t" 2>/dev/null |
                    grep -cE '^ +partition [0-9]+, leader [0-9]+, replicas: [0-9,]+, isrs: [0-9,]+$')" = "$n" ]; then
                ready=1
                for ((p = 0; p < n; p++)); do
                    kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$t:$p:-1" 2>/dev/null | grep -qE ' offset [0-9]+$' ||
                        { ready=0; break; }
                done
            fi
            [ "$ready" = 1 ] && break
            sleep 0.5
        done
        [ "$i" -lt 360 ] || adj_fail "topic $t has partitions not online in the broker after 180 s"
    done
}

# adj_kafka_count TOPIC: the messages the topic holds (sum of its partitions' high watermarks; the test's topics
# start empty and are never compacted or trimmed while it runs).
adj_kafka_count() {
    local n p sum=0 hw
    n=$(kcat -L -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$1" 2>/dev/null | sed -n 's/.* with \([0-9][0-9]*\) partitions:.*/\1/p')
    for ((p = 0; p < ${n:-0}; p++)); do
        hw=$(kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$1:$p:-1" 2>/dev/null | sed -n 's/.* offset \([0-9][0-9]*\)$/\1/p')
        [ -n "$hw" ] || { echo "?"; return 0; }
        sum=$((sum + hw))
    done
    echo "$sum"
}

adj_consumed_sql="SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE consumer_group = '$ADJ_GROUP'"

# adj_produce FILE: "key|value" lines to claim.events (murmur2, as every famins producer).
adj_produce() {
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ADJ_IN" -K '|' -X partitioner=murmur2_random -l "$1"
}

# adj_reference_db EVENTS POLICIES: a second, migrated database with the same policies and every event applied in
# order by the adjudicator's apply without Kafka (the uninterrupted run); sets ADJ_REF_DSN.
adj_reference_db() {
    ADJ_REF_DB="${ITEST_DB}_ref"
    psql "$ITEST_ADMIN_DSN" -qAt -c "DROP DATABASE IF EXISTS \"$ADJ_REF_DB\"" >/dev/null
    psql "$ITEST_ADMIN_DSN" -qAt -c "CREATE DATABASE \"$ADJ_REF_DB\" OWNER famins_admin" >/dev/null
    ADJ_REF_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ADJ_REF_DB} user=famins_admin"
    FAMINS_PG_DSN="$ADJ_REF_DSN" "$FAMINS_BUILD_DIR/services/admin/famins-admin" migrate >"$ADJ_LOGS/ref-admin.log" 2>&1 ||
        adj_fail "migrating the reference database"
    FAMINS_PG_DSN="$ADJ_REF_DSN" "$TESTGEN_BIN" seed --policies "$2" 2>>"$ADJ_LOGS/ref.log" || adj_fail "seeding the reference"
    FAMINS_PG_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ADJ_REF_DB} user=famins_adjudicator" \
        "$TESTGEN_BIN" apply --events "$1" 2>>"$ADJ_LOGS/ref.log" || adj_fail "reference run"
}

# What must be equal between a run and the reference: every claim's current decision and every person's usage.
adj_outcomes_sql="SELECT c.claim_id, c.status, c.payable, d.full_amount, array_to_string(d.reasons, ','), d.kind
  FROM famins.claims c JOIN LATERAL (SELECT * FROM famins.claim_decisions x WHERE x.claim_id = c.claim_id
  ORDER BY x.decision_id DESC LIMIT 1) d ON true ORDER BY c.claim_id"
adj_usage_sql="SELECT plan_year, person_key, death_paid, disability_paid, ci_mild_paid, ci_severe_paid,
  accident_medical_deductible_used, accident_medical_paid, illness_hospital_deductible_used, illness_hospital_paid
  FROM famins.person_usage ORDER BY 1, 2"
adj_paid_sql="SELECT person_key, sum(payable) FROM famins.claims GROUP BY person_key ORDER BY 1"

# adj_compare_with_reference LABEL: fails unless the test database and the reference agree.
adj_compare_with_reference() {
    local q
    for q in outcomes usage paid; do
        local sql_var="adj_${q}_sql"
        itest_psql -c "${!sql_var}" >"$ADJ_LOGS/$1-$q.run"
        psql "$ADJ_REF_DSN" -qAt -c "${!sql_var}" >"$ADJ_LOGS/$1-$q.ref"
        cmp -s "$ADJ_LOGS/$1-$q.run" "$ADJ_LOGS/$1-$q.ref" ||
            { diff "$ADJ_LOGS/$1-$q.run" "$ADJ_LOGS/$1-$q.ref" | head -20 >&2; adj_fail "$q differ from the uninterrupted run"; }
    done
    [ -s "$ADJ_LOGS/$1-outcomes.run" ] || adj_fail "no claims decided at all"
}
