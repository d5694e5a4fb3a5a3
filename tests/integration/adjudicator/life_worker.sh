#!/usr/bin/env bash
# life_worker.sh — a claim's later life through famins-adjudicator from Kafka, in one partition (one or a few
# batches): a declined claim, its appeal and the answer that overturns it, a pending claim completed by documents,
# each of those three re-sent (same id, same content: duplicates, no effect), and an appeal of the appeal's
# outcome (refused). Checks the rows, one claim.decided per decision in the outbox, and the worker's duplicates.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_life_worker
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

key=FJ2026-H610113000001
echo "{\"policy_number\":\"$key\",\"household_id\":\"H610113000001\",\"plan_year\":2026,\"managing_unit\":\"610113\",\"category\":\"B\",\"coverage_start\":\"2026-03-01\",\"coverage_end\":\"2027-02-28\",\"members\":[{\"insured\":true,\"id_number\":\"610113201203050027\",\"role\":\"child\",\"birth_date\":\"2012-03-05\",\"sex\":\"female\",\"previously_insured\":false}]}" \
    >"$ADJ_LOGS/policies.jsonl"
"$TESTGEN_BIN" seed --policies "$ADJ_LOGS/policies.jsonl" 2>>"$ADJ_LOGS/seed.log" || adj_fail "seed"

env_head='"schema_version":1,"occurred_at":"2026-07-01T09:00:00+08:00","producer":"t"'
claim() { # ID LIABILITY CAUSE INCIDENT DOCS
    echo "$key|{\"event_id\":\"clm-$1\",\"type\":\"claim.submitted\",$env_head,\"claim_id\":\"$1\",\"policy_number\":\"$key\",\"insured_id_number\":\"610113201203050027\",\"liability\":\"$2\",\"cause\":\"$3\",\"incident_date\":\"$4\",\"event_date\":null,\"report_date\":\"2026-06-01\",\"bills\":[{\"invoice_code\":\"161002300101\",\"invoice_number\":\"$1\",\"amount\":250000,\"paid_by_social_insurance\":120000,\"paid_by_other_insurers\":0}],\"injuries\":[],\"critical_illness_code\":null,\"documents\":$5}"
}
appeal='{"event_id":"apl-L1","type":"claim.appealed",'$env_head',"claim_id":"L1","policy_number":"'$key'","reason":"admission note misdated","documents":["medical_record"]}'
answer='{"event_id":"apr-L1","type":"claim.appeal_reviewed",'$env_head',"claim_id":"L1","policy_number":"'$key'","reviewer":"R-9","action":"overturn","amount":96000,"note":null}'
docs='{"event_id":"doc-L2","type":"claim.documents_added",'$env_head',"claim_id":"L2","policy_number":"'$key'","documents":["medical_record"]}'
again='{"event_id":"apl-L1b","type":"claim.appealed",'$env_head',"claim_id":"L1","policy_number":"'$key'","reason":"again","documents":[]}'
{
    claim L1 illness_hospital illness 2026-04-01 '["claim_form","id_document","invoice","medical_record"]'
    claim L2 accident_medical accident 2026-05-20 '["claim_form","id_document","invoice"]'
    echo "$key|$appeal"
    echo "$key|$docs"
    echo "$key|$answer"
    echo "$key|$appeal"
    echo "$key|$docs"
    echo "$key|$answer"
    echo "$key|$again"
} >"$ADJ_LOGS/events.txt"
total=$(wc -l <"$ADJ_LOGS/events.txt")
adj_produce "$ADJ_LOGS/events.txt"

adj_start adj-life FAMINS_LOG_LEVEL=info FAMINS_BATCH_MAX_MS=500
pid=$ADJ_LAST_PID
adj_wait_sql 120 "$total" "$adj_consumed_sql"
adj_stop "$pid"

got=$(itest_psql -c "SELECT string_agg(c.claim_id || ':' || c.status || ':' || c.payable || ':' || d.kind, ',' ORDER BY c.claim_id)
                     FROM famins.claims c JOIN LATERAL (SELECT kind FROM famins.claim_decisions x WHERE x.claim_id = c.claim_id
                     ORDER BY decision_id DESC LIMIT 1) d ON true")
[ "$got" = "L1:approved:96000:appeal,L2:approved:96000:documents" ] || adj_fail "claims: got '$got'"
rows=$(itest_psql -c "SELECT (SELECT count(*) FROM famins.claim_decisions) || ',' || (SELECT count(*) FROM famins.claim_appeals)
                      || ',' || (SELECT count(*) FROM famins.claim_appeal_reviews) || ',' || (SELECT count(*) FROM famins.claim_documents_received)
                      || ',' || (SELECT string_agg(coalesce(refused_reason, 'accepted'), ',' ORDER BY appeal_id) FROM famins.claim_appeals)")
[ "$rows" = "4,2,1,1,accepted,APPEAL_OF_APPEAL_OUTCOME" ] || adj_fail "rows (decisions, appeals, answers, documents, appeal results): got '$rows'"
outbox=$(itest_psql -c "SELECT string_agg(p->>'source_event_id' || ':' || coalesce(p->>'step', '-'), ',' ORDER BY id)
                        FROM (SELECT id, convert_from(payload, 'UTF8')::json AS p FROM famins.outbox
                              WHERE topic LIKE '%claim.decided') o")
[ "$outbox" = "clm-L1:-,clm-L2:-,doc-L2:documents,apr-L1:appeal" ] || adj_fail "claim.decided in the outbox: got '$outbox'"
dead=$(itest_psql -c "SELECT count(*) FROM famins_report.dead_letters WHERE consumer_group = '$ADJ_GROUP'")
[ "$dead" = 0 ] || adj_fail "$dead dead letters"
grep -q 'duplicates=3 ' "$ADJ_LOGS/adj-life.log" || adj_fail "the worker did not count the three re-sends as duplicates"
adj_ok "appeal overturned, documents completing a claim, re-sends ignored as duplicates, an appeal of the outcome refused"
echo "life_worker: all passed"
