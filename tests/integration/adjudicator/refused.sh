#!/usr/bin/env bash
# refused.sh — a row the database refuses in a batch's set write (end_batch) costs its message alone a dead letter
# WRITE_REJECTED, and the worker goes on: five claims on one policy (one partition, one batch), the third with an
# invoice number a test-only CHECK constraint refuses; the other four are decided, the worker stays up and stops
# cleanly. The claims are on an unknown policy, so no seeding is needed (each is a POLICY_NOT_FOUND decision).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_refused
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

itest_psql -c "ALTER TABLE famins.claim_bills ADD CONSTRAINT test_refused_invoice CHECK (invoice_number <> 'REFUSE-ME')"
key=FJ2026-H610113999999
for i in 1 2 3 4 5; do
    number="0000000$i"
    [ "$i" = 3 ] && number=REFUSE-ME
    echo "$key|{\"event_id\":\"clm-ref-$i\",\"type\":\"claim.submitted\",\"schema_version\":1,\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C-REF-$i\",\"policy_number\":\"$key\",\"insured_id_number\":\"610113201203050027\",\"liability\":\"accident_medical\",\"cause\":\"accident\",\"incident_date\":\"2026-05-20\",\"event_date\":null,\"report_date\":\"2026-06-01\",\"bills\":[{\"invoice_code\":\"161002300101\",\"invoice_number\":\"$number\",\"amount\":250000,\"paid_by_social_insurance\":120000,\"paid_by_other_insurers\":0}],\"injuries\":[],\"critical_illness_code\":null,\"documents\":[\"claim_form\",\"id_document\",\"invoice\",\"medical_record\"]}"
done >"$ADJ_LOGS/claims.txt"
adj_produce "$ADJ_LOGS/claims.txt"

adj_start adj-refused FAMINS_LOG_LEVEL=info FAMINS_BATCH_MAX_MS=500
pid=$ADJ_LAST_PID
adj_wait_sql 120 5 "$adj_consumed_sql"
kill -0 "$pid" 2>/dev/null || adj_fail "the worker stopped on a refused write"
got=$(itest_psql -c "SELECT string_agg(claim_id || ':' || status, ',' ORDER BY claim_id) FROM famins.claims")
[ "$got" = "C-REF-1:declined,C-REF-2:declined,C-REF-4:declined,C-REF-5:declined" ] ||
    adj_fail "claims decided: got '$got', want the four others"
dead=$(itest_psql -c "SELECT error_code || ':' || (error_text LIKE '%23514%') FROM famins_report.dead_letters
                      WHERE consumer_group = '$ADJ_GROUP'")
[ "$dead" = "WRITE_REJECTED:true" ] || adj_fail "dead letters: got '$dead', want one WRITE_REJECTED naming SQLSTATE 23514"
# A fresh topic, one partition for the key: the third message is offset 2.
offset=$(itest_psql -c "SELECT kafka_offset FROM famins_report.dead_letters WHERE consumer_group = '$ADJ_GROUP'")
[ "$offset" = 2 ] || adj_fail "the dead letter is offset '$offset', want the third message (2)"
isolated=$(grep -c 'set_write_refused' "$ADJ_LOGS/adj-refused.log" || true)
[ "$isolated" -ge 1 ] || adj_fail "no set_write_refused redo in the log (was the batch written one message at a time?)"
adj_stop "$pid"
adj_ok "a refused row: one dead letter WRITE_REJECTED, four claims decided, the worker still up"
echo "refused: all passed"
