#!/usr/bin/env bash
# e2e.sh — famins-adjudicator end to end on the real stack: policies of a wavegen enrollment wave seeded as the
# eligibility service would create them, a generated year of claims and reviews plus faulty messages produced to
# claim.events, the adjudicator and the relay running. Checks: every claim decided once and exactly as the
# uninterrupted reference run decides it, usage equal, dead letters with their codes, a re-send ignored, one
# claim.decided per decision on the topic keyed by the policy number. Prints claims/s end to end.
# Sizes: ADJ_E2E_HOUSEHOLDS (default 1200), ADJ_E2E_CLAIMS (default 4000).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_e2e
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN" "$ADJ_OUT"

HOUSEHOLDS=${ADJ_E2E_HOUSEHOLDS:-1200}
CLAIMS=${ADJ_E2E_CLAIMS:-4000}

"$WAVEGEN_BIN" enroll --households "$HOUSEHOLDS" --seed 11 --dry-run /dev/null --policies-out "$ADJ_LOGS/policies.jsonl" \
    --quiet >/dev/null 2>"$ADJ_LOGS/wavegen.log" || adj_fail "wavegen enroll"
"$TESTGEN_BIN" seed --policies "$ADJ_LOGS/policies.jsonl" 2>>"$ADJ_LOGS/seed.log" || adj_fail "seed"
"$TESTGEN_BIN" claims --policies "$ADJ_LOGS/policies.jsonl" --seed 7 --claims "$CLAIMS" >"$ADJ_LOGS/events.txt"

# Faulty and repeated messages, on a policy of the wave so that they ride with its claims.
first=$(head -1 "$ADJ_LOGS/events.txt")
key=${first%%|*}
{
    echo "$key|{not json"
    echo "$key|{\"event_id\":\"x-enr\",\"type\":\"enrollment.submitted\",\"schema_version\":1,\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"t\"}"
    echo "$first"                                               # an exact re-send: ignored
    echo "${first/\"event_id\":\"clm-7-0\"/\"event_id\":\"clm-7-0-again\"}" # same claim id, new event id
    echo "$key|{\"event_id\":\"rev-x\",\"type\":\"claim.reviewed\",\"schema_version\":1,\"occurred_at\":\"2026-06-10T15:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C-NOSUCH\",\"policy_number\":\"$key\",\"reviewer\":\"R-1\",\"action\":\"decline\",\"amount\":null,\"note\":null}"
} >"$ADJ_LOGS/faults.txt"
cat "$ADJ_LOGS/events.txt" "$ADJ_LOGS/faults.txt" >"$ADJ_LOGS/all.txt"
total=$(wc -l <"$ADJ_LOGS/all.txt")
reviews=$(grep -c '"type":"claim.reviewed"' "$ADJ_LOGS/events.txt" || true)

adj_reference_db "$ADJ_LOGS/all.txt" "$ADJ_LOGS/policies.jsonl"

adj_produce "$ADJ_LOGS/all.txt"
adj_start_relay
t0=$(date +%s.%N)
adj_start adj-e2e FAMINS_LOG_LEVEL=info
pid=$ADJ_LAST_PID
adj_wait_sql 240 "$total" "$adj_consumed_sql"
t1=$(date +%s.%N)
adj_stop "$pid"
rate=$(awk -v n="$((CLAIMS + reviews))" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')

adj_compare_with_reference e2e
adj_ok "$CLAIMS claims and $reviews reviews decided as the uninterrupted run decides them"

got=$(itest_psql -c "SELECT count(*), count(DISTINCT claim_id) FROM famins.claims")
[ "$got" = "$CLAIMS|$CLAIMS" ] || adj_fail "want $CLAIMS claims recorded once each, got $got"
got=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions WHERE kind = 'initial'")
[ "$got" = "$CLAIMS" ] || adj_fail "want one initial decision per claim, got $got"
got=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions WHERE explanation_en = '' OR explanation_zh = ''
                     OR plan_version = '' OR parameters->>'plan_version' IS DISTINCT FROM plan_version")
[ "$got" = 0 ] || adj_fail "$got decisions without explanation or parameters"
got=$(itest_psql -c "SELECT count(*) FROM famins.claim_reviews r JOIN famins.claim_decisions d USING (decision_id)
                     WHERE r.status_before = 'pending_review' AND d.kind = 'review'")
want=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions WHERE kind = 'review'")
[ "$got" = "$want" ] && [ "$got" -gt 0 ] || adj_fail "reviews recorded $got, review decisions $want"
adj_ok "$want reviews completed pending claims, each recorded with its decision"

dl=$(itest_psql -c "SELECT error_code, count(*) FROM famins.dead_letters WHERE consumer_group = '$ADJ_GROUP'
                    GROUP BY 1 ORDER BY 1" | tr '\n' ' ')
for code in INVALID_JSON UNKNOWN_TYPE DUPLICATE_CLAIM_ID REVIEW_NOT_APPLICABLE; do
    case "$dl" in *"$code|"*) ;; *) adj_fail "no dead letter $code (got: $dl)" ;; esac
done
case "$dl" in *"INVALID_JSON|1 "*) ;; *) adj_fail "want exactly one INVALID_JSON (got: $dl)" ;; esac
adj_ok "dead letters: $dl"
got=$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$ADJ_GROUP' AND event_id = 'clm-7-0'")
[ "$got" = 1 ] || adj_fail "the re-sent event is processed $got times"

# claim.decided on Kafka: one per decision, keyed by the policy number (the relay publishes the outbox).
decisions=$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions")
adj_wait_sql 60 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ADJ_OUT" -o beginning -e -q -f '%k|%s\n' >"$ADJ_LOGS/decided.txt"
n=$(wc -l <"$ADJ_LOGS/decided.txt")
[ "$n" = "$decisions" ] || adj_fail "want $decisions claim.decided messages, got $n"
bad=$(awk -F'|' '{ if (index($2, "\"policy_number\":\"" $1 "\"") == 0) bad++ } END { print bad + 0 }' "$ADJ_LOGS/decided.txt")
[ "$bad" = 0 ] || adj_fail "$bad claim.decided messages not keyed by their policy number"
ids=$(sed 's/.*"event_id":"\([^"]*\)".*/\1/' "$ADJ_LOGS/decided.txt" | sort -u | wc -l)
[ "$ids" = "$decisions" ] || adj_fail "claim.decided event ids not unique ($ids of $decisions)"
adj_ok "$n claim.decided messages, one per decision, keyed by policy number"

echo "adjudicator end to end: $CLAIMS claims + $reviews reviews in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s = $rate events/s (1 worker, consume to commit)"
echo "e2e: all passed"
