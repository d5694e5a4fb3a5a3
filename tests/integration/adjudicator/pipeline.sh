#!/usr/bin/env bash
# pipeline.sh — enrollment and claims through the real services: a famins-wavegen enrollment wave decided by
# famins-eligibility (which creates the policies), then the plan year of claims famins-wavegen builds for those
# policies decided by famins-adjudicator, every claim event checked against its label; the policies the wave
# was built to create are the ones eligibility created. Size: ADJ_PIPELINE_HOUSEHOLDS (default 2000).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_pipeline
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN" "${FAMINS_TOPIC_PREFIX}enrollment.submitted"

HOUSEHOLDS=${ADJ_PIPELINE_HOUSEHOLDS:-2000}
SEED=${ADJ_PIPELINE_SEED:-17}
ELIG_BIN="$FAMINS_BUILD_DIR/services/eligibility/famins-eligibility"
ELIG_GROUP="${FAMINS_TOPIC_PREFIX}famins-eligibility"
export FAMINS_PERSON_KEY_SECRET=adj-pipeline-secret

"$WAVEGEN_BIN" enroll --households "$HOUSEHOLDS" --seed "$SEED" --labels "$ADJ_LOGS/enroll-labels.jsonl" \
    --policies-out "$ADJ_LOGS/policies.jsonl" -b "$FAMINS_KAFKA_BOOTSTRAP" --quiet >>"$ADJ_LOGS/wavegen.log" 2>&1 ||
    adj_fail "wavegen enroll"
enrollments=$(wc -l <"$ADJ_LOGS/enroll-labels.jsonl")
# What the consumer will be waited for must be in Kafka: a shortfall is the producer's, said here at once rather
# than as a consumer "stalled" until the wait below runs out.
held=$(adj_kafka_count "${FAMINS_TOPIC_PREFIX}enrollment.submitted")
[ "$held" = "$enrollments" ] ||
    adj_fail "Kafka holds $held of the $enrollments enrollment events famins-wavegen reported delivered"
env FAMINS_ELIGIBILITY_PG_DSN="$(itest_dsn_as famins_eligibility) application_name=adj-pipeline-elig" \
    FAMINS_SESSION_TIMEOUT_MS=6000 FAMINS_GROUP_INSTANCE_ID=adj-pipeline-elig FAMINS_BATCH_MAX_MS=50 \
    "$ELIG_BIN" >>"$ADJ_LOGS/eligibility.log" 2>&1 &
elig=$!
ADJ_PIDS+=("$elig")
adj_wait_sql 240 "$enrollments" "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions
                                 WHERE consumer_group = '$ELIG_GROUP'"
adj_stop "$elig"
want=$(wc -l <"$ADJ_LOGS/policies.jsonl")
got=$(itest_psql -c "SELECT count(*) FROM famins.policies")
[ "$got" = "$want" ] || adj_fail "eligibility created $got policies, the wave was built for $want"
adj_ok "$enrollments enrollment events decided by famins-eligibility: $got policies"

"$WAVEGEN_BIN" claims --policies "$ADJ_LOGS/policies.jsonl" --seed "$SEED" --labels "$ADJ_LOGS/labels.jsonl" \
    -b "$FAMINS_KAFKA_BOOTSTRAP" --quiet >>"$ADJ_LOGS/wavegen.log" 2>&1 || adj_fail "wavegen claims"
total=$(wc -l <"$ADJ_LOGS/labels.jsonl")
held=$(adj_kafka_count "$ADJ_IN")
[ "$held" = "$total" ] || adj_fail "Kafka holds $held of the $total claim events famins-wavegen reported delivered"
adj_start adj-pipeline FAMINS_LOG_LEVEL=info
pid=$ADJ_LAST_PID
adj_wait_sql 240 "$total" "$adj_consumed_sql"
adj_stop "$pid"
"$TESTGEN_BIN" check-labels --labels "$ADJ_LOGS/labels.jsonl" --group "$ADJ_GROUP" ||
    adj_fail "claim decisions differ from their labels"
echo "pipeline: all passed"
