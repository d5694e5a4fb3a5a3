#!/usr/bin/env bash
# race_redo.sh — issue 18 item 4: another member commits the same event between a live worker's deduplication
# read and its own read or write of that event (a zombie, or a member still finishing a revoked partition's
# batch). The live worker must redo its batch (batch_redo reason=decided_elsewhere, a conflict), never stop, and
# the event stays decided exactly once.
#
# The window is forced, not hoped for: a psql session (the "other member", as the tables' owner) locks the table
# the live worker reads or writes next — famins.enrollment_decisions for famins-eligibility's facts query,
# famins.subsidy_ledger for famins-subsidy's COPY — then the event is sent again; once the live worker waits on
# the lock (its deduplication read is done: it found nothing), the session commits the event's rows (decision or
# ledger rows, the processed-event row, the outbox row) and releases the lock.
#
# To commit the event's rows exactly as a member would, the event is first decided normally; its rows are kept,
# deleted, and re-committed by the session while the worker waits.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_race_redo
source "$(dirname "${BASH_SOURCE[0]}")/enr_common.sh"

labels="$ENR_LOGS/labels.jsonl"
enr_start_elig elig-a
elig_pid=$ENR_LAST_PID
enr_start_relay relay-1
enr_start_subs subs-a
subs_pid=$ENR_LAST_PID
enr_wave 20 1807 "$labels" --unreadable-share 0 --resend-share 0 --conflict-share 0
enr_drain 120

# The event: an accepted category-A household (it has ledger rows too).
E=$(itest_psql -c "SELECT source_event_id FROM famins.enrollment_decisions WHERE outcome = 'accepted'
    AND category = 'A' ORDER BY source_event_id LIMIT 1")
[ -n "$E" ] || enr_fail "no accepted category-A decision in the wave"
D=$(itest_psql -c "SELECT event_id FROM famins.outbox WHERE headers->>'famins.source.event_id' = '$E'
    AND topic = '$ENR_DECIDED'")
[ -n "$D" ] || enr_fail "no enrollment.decided outbox row for the event"

# race WORKER_PID APP GROUP TOPIC KEEP_SQL DELETE_SQL LOCK_TABLE RESTORE_SQL SOURCE_EVENT PUBLISHED_EVENT CHECK_SQL
#   KEEP_SQL copies the event's rows into famins_test, DELETE_SQL deletes them, RESTORE_SQL re-inserts them; the
#   event's message (SOURCE_EVENT on TOPIC) is sent again; CHECK_SQL must then answer 1 (decided once).
race() {
    local pid="$1" app="$2" group="$3" topic="$4" keep="$5" delete="$6" table="$7" restore="$8" ev="$9"
    local published="${10}" check="${11}"
    local part off raw redos_before
    read -r part off < <(itest_psql -F ' ' -c "SELECT partition, kafka_offset FROM famins.processed_events
        WHERE consumer_group = '$group' AND event_id = '$ev'")
    [ -n "$off" ] || enr_fail "$app: the event was not processed"
    raw="$ENR_LOGS/$app-event.json"
    kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$topic" -p "$part" -o "$off" -c 1 -e -f '%k\t%s' >"$raw.kv"
    cut -f1 "$raw.kv" | head -1 >"$raw.key"
    cut -f2- "$raw.kv" >"$raw"
    itest_psql -c "CREATE SCHEMA IF NOT EXISTS famins_test;
        CREATE TABLE famins_test.pe AS SELECT * FROM famins.processed_events
            WHERE consumer_group = '$group' AND event_id = '$ev';
        CREATE TABLE famins_test.ob AS SELECT * FROM famins.outbox WHERE event_id = '$published';
        $keep
        BEGIN;
        DELETE FROM famins.outbox WHERE event_id = '$published';
        DELETE FROM famins.processed_events WHERE consumer_group = '$group' AND event_id = '$ev';
        $delete
        COMMIT;" >/dev/null
    redos_before=$(grep -c "reason=decided_elsewhere" "$ENR_LOGS/$app.log" || true)
    local next_before
    next_before=$(itest_psql -c "SELECT next_offset FROM famins.consumer_positions
        WHERE consumer_group = '$group' AND topic = '$topic' AND partition = $part")

    # The other member: holds the lock, then commits the event's rows while the live worker waits on it.
    local fifo="$ENR_LOGS/$app.zombie"
    mkfifo "$fifo"
    psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt <"$fifo" >"$ENR_LOGS/$app.zombie.out" 2>&1 &
    local zpid=$!
    ENR_PIDS+=("$zpid")
    exec 7>"$fifo"
    echo "BEGIN; LOCK TABLE $table IN ACCESS EXCLUSIVE MODE; SELECT 'locked';" >&7
    local deadline=$(($(date +%s) + 20))
    until grep -q locked "$ENR_LOGS/$app.zombie.out"; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "$app: the other member never got its lock"
        sleep 0.1
    done
    # The same message again (same key: same partition); the live worker's batch reads it as new.
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$topic" -p "$part" -k "$(cat "$raw.key")" "$raw"
    deadline=$(($(date +%s) + 30))
    # (pg_locks, not pg_stat_activity: another role's wait events are hidden from the tables' owner.)
    until [ "$(itest_psql -c "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = '$table'::regclass")" \
              -ge 1 ]; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "$app: the live worker never waited on $table"
        sleep 0.1
    done
    echo "$restore INSERT INTO famins.processed_events SELECT * FROM famins_test.pe;
        INSERT INTO famins.outbox SELECT * FROM famins_test.ob; COMMIT; SELECT 'committed';" >&7
    exec 7>&-
    wait "$zpid" || enr_fail "$app: the other member's commit failed: $(cat "$ENR_LOGS/$app.zombie.out")"
    enr_ok "$app: the other member committed the event while the live worker waited on $table"

    deadline=$(($(date +%s) + 60))
    until [ "$(itest_psql -c "SELECT next_offset FROM famins.consumer_positions
              WHERE consumer_group = '$group' AND topic = '$topic' AND partition = $part")" -gt "$next_before" ]; do
        kill -0 "$pid" 2>/dev/null || enr_fail "$app stopped on the race (want a redo): $(tail -3 "$ENR_LOGS/$app.log")"
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "$app: the re-sent message was not committed within 60 s"
        sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null || enr_fail "$app stopped on the race (want a redo)"
    local redos
    redos=$(grep -c "reason=decided_elsewhere" "$ENR_LOGS/$app.log" || true)
    [ "$redos" -gt "$redos_before" ] || enr_fail "$app: no batch_redo reason=decided_elsewhere logged"
    [ "$(itest_psql -c "$check")" = 1 ] || enr_fail "$app: the event is not decided exactly once"
    [ "$(itest_psql -c "SELECT count(*) FROM famins.outbox WHERE event_id = '$published'")" = 1 ] ||
        enr_fail "$app: want one outbox row $published"
    [ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$group'
          AND event_id = '$ev'")" = 1 ] || enr_fail "$app: want one processed-event row"
    [ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters")" = 0 ] || enr_fail "$app: a dead letter was made"
    itest_psql -c "DROP TABLE famins_test.pe, famins_test.ob" >/dev/null
    enr_ok "$app: still running, redid its batch ($((redos - redos_before)) decided_elsewhere redo), the event decided once"
}

race "$elig_pid" elig-a "$ENR_ELIG_GROUP" "$ENR_IN" \
    "CREATE TABLE famins_test.dec AS SELECT * FROM famins.enrollment_decisions WHERE source_event_id = '$E';" \
    "DELETE FROM famins.insured_persons WHERE policy_number IN (SELECT policy_number FROM famins_test.dec);
     DELETE FROM famins.fraud_signals WHERE household_id IN (SELECT household_id FROM famins_test.dec);
     DELETE FROM famins.policies WHERE decision_id IN (SELECT decision_id FROM famins_test.dec);
     DELETE FROM famins.enrollment_members WHERE decision_id IN (SELECT decision_id FROM famins_test.dec);
     DELETE FROM famins.enrollment_decisions WHERE source_event_id = '$E';" \
    famins.enrollment_decisions \
    "INSERT INTO famins.enrollment_decisions SELECT * FROM famins_test.dec;" \
    "$E" "$D" "SELECT count(*) FROM famins.enrollment_decisions WHERE source_event_id = '$E'"

S=$(itest_psql -c "SELECT event_id FROM famins.outbox WHERE headers->>'famins.source.event_id' = '$D'")
[ -n "$S" ] || enr_fail "no subsidy.allocated outbox row for the decision"
race "$subs_pid" subs-a "$ENR_SUBS_GROUP" "$ENR_DECIDED" \
    "CREATE TABLE famins_test.led AS SELECT * FROM famins.subsidy_ledger WHERE source_event_id = '$D';" \
    "DELETE FROM famins.subsidy_ledger WHERE source_event_id = '$D';" \
    famins.subsidy_ledger \
    "INSERT INTO famins.subsidy_ledger SELECT * FROM famins_test.led;" \
    "$D" "$S" "SELECT (count(*) > 0 AND count(*) = count(DISTINCT payer))::int FROM famins.subsidy_ledger
               WHERE source_event_id = '$D'"

enr_stop "$elig_pid"
enr_stop "$subs_pid"
enr_ok "both workers stopped cleanly (exit 0) after the races"
