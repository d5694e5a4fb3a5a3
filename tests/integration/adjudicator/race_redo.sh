#!/usr/bin/env bash
# race_redo.sh — issue 18 item 4 for famins-adjudicator: another member (a zombie, or one finishing a revoked
# partition's batch) commits the same claim event between the live worker's deduplication read and its facts
# read. The live worker must redo its batch (batch_redo reason=decided_elsewhere), never stop, never make it a
# dead letter, and the claim stays decided exactly once.
#
# The window is forced (as tests/integration/enrollment/race_redo.sh does for eligibility and subsidy): the claim
# is first decided normally (an unknown policy: a POLICY_NOT_FOUND decision, no seeding); its rows are kept and
# deleted; a psql session (the "other member", as the tables' owner) locks famins.claims, which the facts read
# reads; the message is sent again; once the live worker waits on the lock, the session re-commits the claim's
# rows, its processed-event row and its outbox row, and releases the lock.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_race_redo
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

key=FJ2026-H610113999998
E=clm-race-1
msg="{\"event_id\":\"$E\",\"type\":\"claim.submitted\",\"schema_version\":1,\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C-RACE-1\",\"policy_number\":\"$key\",\"insured_id_number\":\"610113201203050027\",\"liability\":\"accident_medical\",\"cause\":\"accident\",\"incident_date\":\"2026-05-20\",\"event_date\":null,\"report_date\":\"2026-06-01\",\"bills\":[{\"invoice_code\":\"161002300101\",\"invoice_number\":\"00000001\",\"amount\":250000,\"paid_by_social_insurance\":120000,\"paid_by_other_insurers\":0}],\"injuries\":[],\"critical_illness_code\":null,\"documents\":[\"claim_form\",\"id_document\",\"invoice\",\"medical_record\"]}"
echo "$key|$msg" >"$ADJ_LOGS/claim.txt"
adj_produce "$ADJ_LOGS/claim.txt"
adj_start adj-race FAMINS_LOG_LEVEL=info
pid=$ADJ_LAST_PID
adj_wait_sql 120 1 "$adj_consumed_sql"
[ "$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions WHERE source_event_id = '$E'")" = 1 ] ||
    adj_fail "the claim was not decided"
D=$(itest_psql -c "SELECT event_id FROM famins.outbox WHERE headers->>'famins.source.event_id' = '$E'")
[ -n "$D" ] || adj_fail "no claim.decided outbox row for the claim"
part=$(itest_psql -c "SELECT partition FROM famins.processed_events WHERE consumer_group = '$ADJ_GROUP'
    AND event_id = '$E'")

itest_psql -c "CREATE SCHEMA famins_test;
    CREATE TABLE famins_test.pe AS SELECT * FROM famins.processed_events WHERE consumer_group = '$ADJ_GROUP'
        AND event_id = '$E';
    CREATE TABLE famins_test.ob AS SELECT * FROM famins.outbox WHERE event_id = '$D';
    CREATE TABLE famins_test.claims AS SELECT * FROM famins.claims WHERE source_event_id = '$E';
    CREATE TABLE famins_test.bills AS SELECT * FROM famins.claim_bills WHERE claim_id = 'C-RACE-1';
    CREATE TABLE famins_test.inv AS SELECT * FROM famins.invoices_claimed WHERE first_claim_id = 'C-RACE-1';
    CREATE TABLE famins_test.dec AS SELECT * FROM famins.claim_decisions WHERE source_event_id = '$E';
    CREATE TABLE famins_test.sig AS SELECT * FROM famins.fraud_signals WHERE source_event_id = '$E';
    BEGIN;
    DELETE FROM famins.outbox WHERE event_id = '$D';
    DELETE FROM famins.processed_events WHERE consumer_group = '$ADJ_GROUP' AND event_id = '$E';
    DELETE FROM famins.fraud_signals WHERE source_event_id = '$E';
    DELETE FROM famins.claim_decisions WHERE source_event_id = '$E';
    DELETE FROM famins.invoices_claimed WHERE first_claim_id = 'C-RACE-1';
    DELETE FROM famins.claim_bills WHERE claim_id = 'C-RACE-1';
    DELETE FROM famins.claims WHERE source_event_id = '$E';
    COMMIT;" >/dev/null

# The other member: holds the lock, then commits the claim's rows while the live worker waits on it.
fifo="$ADJ_LOGS/zombie"
mkfifo "$fifo"
psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt <"$fifo" >"$ADJ_LOGS/zombie.out" 2>&1 &
zpid=$!
ADJ_PIDS+=("$zpid")
exec 7>"$fifo"
echo "BEGIN; LOCK TABLE famins.claims IN ACCESS EXCLUSIVE MODE; SELECT 'locked';" >&7
deadline=$(($(date +%s) + 20))
until grep -q locked "$ADJ_LOGS/zombie.out"; do
    [ "$(date +%s)" -lt "$deadline" ] || adj_fail "the other member never got its lock"
    sleep 0.1
done
adj_produce "$ADJ_LOGS/claim.txt"
deadline=$(($(date +%s) + 30))
# (pg_locks, not pg_stat_activity: another role's wait events are hidden from the tables' owner.)
until [ "$(itest_psql -c "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'famins.claims'::regclass")" \
          -ge 1 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || adj_fail "the live worker never waited on famins.claims"
    sleep 0.1
done
echo "INSERT INTO famins.claims SELECT * FROM famins_test.claims;
    INSERT INTO famins.claim_bills SELECT * FROM famins_test.bills;
    INSERT INTO famins.invoices_claimed SELECT * FROM famins_test.inv;
    INSERT INTO famins.claim_decisions SELECT * FROM famins_test.dec;
    INSERT INTO famins.fraud_signals SELECT * FROM famins_test.sig;
    INSERT INTO famins.processed_events SELECT * FROM famins_test.pe;
    INSERT INTO famins.outbox SELECT * FROM famins_test.ob; COMMIT; SELECT 'committed';" >&7
exec 7>&-
wait "$zpid" || adj_fail "the other member's commit failed: $(cat "$ADJ_LOGS/zombie.out")"
adj_ok "the other member committed the claim while the live worker waited on famins.claims"

deadline=$(($(date +%s) + 60))
until [ "$(itest_psql -c "$adj_consumed_sql")" = 2 ]; do
    kill -0 "$pid" 2>/dev/null || adj_fail "the adjudicator stopped on the race: $(tail -3 "$ADJ_LOGS/adj-race.log")"
    [ "$(date +%s)" -lt "$deadline" ] || adj_fail "the re-sent claim was not committed within 60 s"
    sleep 0.2
done
kill -0 "$pid" 2>/dev/null || adj_fail "the adjudicator stopped on the race (want a redo)"
grep -q "reason=decided_elsewhere" "$ADJ_LOGS/adj-race.log" || adj_fail "no batch_redo reason=decided_elsewhere logged"
for q in "claims WHERE source_event_id = '$E'" "claim_decisions WHERE source_event_id = '$E'" \
    "outbox WHERE event_id = '$D'" "processed_events WHERE consumer_group = '$ADJ_GROUP' AND event_id = '$E'"; do
    [ "$(itest_psql -c "SELECT count(*) FROM famins.$q")" = 1 ] || adj_fail "want one row of famins.$q"
done
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters")" = 0 ] || adj_fail "the race made a dead letter"
adj_stop "$pid"
conflicts=$(grep -h "event=worker_stopped" "$ADJ_LOGS/adj-race.log" | tail -1 | sed -n 's/.* conflicts=\([0-9]*\).*/\1/p')
[ "${conflicts:-0}" -ge 1 ] || adj_fail "the redo was not counted as a conflict (conflicts=${conflicts:-none})"
adj_ok "the live adjudicator redid its batch (a conflict), did not stop, and the claim is decided once (partition $part)"
echo "race_redo: all passed"
