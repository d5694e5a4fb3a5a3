#!/usr/bin/env bash
# operator_deadletters.sh — dead letters handled with famins-admin as famins_operator, each after its cause is
# fixed, on the real stack (the echo worker in COPY mode and the relay):
#   - a WRITE_REJECTED row (a CHECK constraint) is replayed after the constraint is relaxed: back on its source
#     topic with its original key and the famins-replay header, decided exactly once, its audit row written;
#     replaying it again does nothing (outcome already_replayed, no outbox row); a second copy of the replay on
#     the wire (as a relay re-send makes) is a duplicate;
#   - a schema-violating message is corrected and re-sent by the producer with the SAME event id: applied once
#     (a dead letter never entered processed_events); the original is discarded with a reason (raw message
#     erased, audited) and cannot be replayed afterwards;
#   - lists never show the raw message or the key; the operator cannot change anything but through the
#     audited functions.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init operator_dl
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
ADMIN="$FAMINS_BUILD_DIR/services/admin/famins-admin"
OP_DSN="$(itest_dsn_as famins_operator)"
rt_create_echo_table
itest_psql -c "ALTER TABLE famins.echo_results ADD CONSTRAINT no_poison CHECK (payload NOT LIKE '%poison_write%')" >/dev/null

# 30 events; ev-7 breaks the CHECK (WRITE_REJECTED), ev-12 lacks schema_version (SCHEMA_VIOLATION).
rt_events 1 30 | sed -e 's/"n":7}/"n":7,"poison_write":"Zhang San 110101199003070012"}/' \
    -e 's/"schema_version":1,"n":12}/"n":12,"name":"Li Si"}/' >"$RT_LOGS/events.txt"
rt_produce_lines "$RT_LOGS/events.txt"
rt_start_echo echo-op FAMINS_TEST_ECHO_COPY=1 FAMINS_BATCH_MAX_MESSAGES=100
ECHO_PID=$RT_LAST_PID
rt_start_relay relay-op
RELAY_PID=$RT_LAST_PID
rt_wait_sql 90 30 "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT string_agg(error_code, ',' ORDER BY error_code) FROM famins.dead_letters")" = \
    "SCHEMA_VIOLATION,WRITE_REJECTED" ] || rt_fail "want one SCHEMA_VIOLATION and one WRITE_REJECTED dead letter"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results")" = 28 ] || rt_fail "want 28 events applied"
WR=$(itest_psql -c "SELECT id FROM famins.dead_letters WHERE error_code = 'WRITE_REJECTED'")
SV=$(itest_psql -c "SELECT id FROM famins.dead_letters WHERE error_code = 'SCHEMA_VIOLATION'")
rt_ok "two dead letters: WRITE_REJECTED #$WR, SCHEMA_VIOLATION #$SV"

# ---- list: table and JSON, no personal data --------------------------------------------------------------
"$ADMIN" dead-letters list >"$RT_LOGS/list.txt" 2>"$RT_LOGS/list.err" || rt_fail "dead-letters list failed: $(cat "$RT_LOGS/list.err")"
head -1 "$RT_LOGS/list.txt" | grep -Eq '^id +group +topic +partition +offset +code +state +bytes +received_at +text$' || rt_fail "no table header: $(head -1 "$RT_LOGS/list.txt")"
[ "$(grep -c "$RT_IN" "$RT_LOGS/list.txt")" = 2 ] || rt_fail "the table does not list both dead letters"
"$ADMIN" dead-letters list --json --code WRITE_REJECTED --since 1h >"$RT_LOGS/list.json"
python3 - "$RT_LOGS/list.json" "$WR" "$(itest_psql -c "SELECT octet_length(raw_message) FROM famins.dead_letters WHERE id = $WR")" <<'PY' ||
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["id"] for r in rows] == [int(sys.argv[2])], rows
assert rows[0]["code"] == "WRITE_REJECTED" and rows[0]["state"] == "open", rows
assert rows[0]["bytes"] == int(sys.argv[3]), rows
assert set(rows[0]) == {"id", "group", "topic", "partition", "offset", "code", "state", "bytes", "received_at", "text"}
PY
    rt_fail "dead-letters list --json is not the WRITE_REJECTED dead letter"
[ "$("$ADMIN" dead-letters list --json --since 2030-01-01)" = "[]" ] || rt_fail "--since in the future listed something"
if grep -q -e 'Zhang' -e '110101' -e 'Li Si' -e 'poison_write' -e '"H7"' "$RT_LOGS/list.txt" "$RT_LOGS/list.json"; then
    rt_fail "a list shows the message's personal data"
fi
rt_ok "dead-letters list: table, --json, filters by code and time; sizes and codes only"

# ---- WRITE_REJECTED: replay after the cause is fixed -------------------------------------------------------
"$ADMIN" dead-letters replay --code WRITE_REJECTED --dry-run --json >"$RT_LOGS/dry.json" 2>&1 || rt_fail "dry run failed"
python3 -c "import json, sys; rows = json.load(open(sys.argv[1])); assert [r['id'] for r in rows] == [int(sys.argv[2])], rows" \
    "$RT_LOGS/dry.json" "$WR" || rt_fail "the dry run did not select the WRITE_REJECTED dead letter: $(cat "$RT_LOGS/dry.json")"
[ "$(itest_psql -c "SELECT count(*) FROM famins.operator_audit") $(itest_psql -c "SELECT state FROM famins.dead_letters WHERE id = $WR")" = "0 open" ] ||
    rt_fail "the dry run changed something"
itest_psql -c "ALTER TABLE famins.echo_results DROP CONSTRAINT no_poison" >/dev/null
"$ADMIN" dead-letters replay --code WRITE_REJECTED --operator alice --reason "no_poison constraint relaxed" \
    >"$RT_LOGS/replay1.txt" 2>&1 || rt_fail "replay failed: $(cat "$RT_LOGS/replay1.txt")"
grep -Eq "^ *$WR +replayed +[0-9]+" "$RT_LOGS/replay1.txt" || rt_fail "replay outcome: $(cat "$RT_LOGS/replay1.txt")"
rt_wait_sql 60 1 "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-7'"
rt_wait_sql 30 31 "$rt_consumed_sql"
audit=$(itest_psql -c "SELECT db_role, operator, action, target_kind, target_ids, reason, detail->'outcomes'->>'$WR'
                       FROM famins.operator_audit ORDER BY id")
[ "$audit" = "famins_operator|alice|dead-letters replay|dead_letter|{$WR}|no_poison constraint relaxed|replayed" ] ||
    rt_fail "audit after the replay: $audit"
[ "$(itest_psql -c "SELECT state, handled_audit_id IS NOT NULL FROM famins.dead_letters WHERE id = $WR")" = "replayed|t" ] ||
    rt_fail "the dead letter is not marked replayed"
# On the source topic: the original key and the famins-replay header.
rt_dump_topic "$RT_IN" '%k|%h\n' | grep "famins-replay=$WR" >"$RT_LOGS/replayed.txt" || true
[ "$(wc -l <"$RT_LOGS/replayed.txt")" = 1 ] || rt_fail "want one replayed message on $RT_IN: $(cat "$RT_LOGS/replayed.txt")"
[ "$(cut -d'|' -f1 "$RT_LOGS/replayed.txt")" = H7 ] || rt_fail "the replay lost its key: $(cat "$RT_LOGS/replayed.txt")"
rt_ok "WRITE_REJECTED replayed after the fix: decided once, on its source topic with key H7 and famins-replay=$WR, audited"

"$ADMIN" dead-letters replay --id "$WR" --operator alice >"$RT_LOGS/replay2.txt" 2>&1 || rt_fail "second replay failed"
grep -Eq "^ *$WR +already_replayed" "$RT_LOGS/replay2.txt" || rt_fail "second replay outcome: $(cat "$RT_LOGS/replay2.txt")"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox WHERE headers ? 'famins-replay'")" = 1 ] ||
    rt_fail "the second replay wrote an outbox row"
[ "$(itest_psql -c "SELECT detail->'outcomes'->>'$WR' FROM famins.operator_audit ORDER BY id DESC LIMIT 1")" = already_replayed ] ||
    rt_fail "the second replay's attempt is not audited"
# The wire may carry a replay twice (a relay that died before marking it sent): the copy is a duplicate.
itest_psql -c "INSERT INTO famins.outbox (topic, message_key, payload, headers)
               SELECT topic, message_key, payload, headers FROM famins.outbox WHERE headers ? 'famins-replay'" >/dev/null
rt_wait_sql 30 32 "$rt_consumed_sql"
sleep 0.5
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-7'")" = 1 ] || rt_fail "ev-7 applied twice"
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters")" = 2 ] || rt_fail "a copy of the replay became a dead letter"
rt_ok "replaying twice does nothing the second time; a second copy on the wire is a duplicate"

# ---- SCHEMA_VIOLATION: the producer re-sends a corrected message with the same event id ------------------
echo 'H12|{"event_id":"ev-12","type":"enrollment.submitted","schema_version":1,"n":12}' >"$RT_LOGS/fixed.txt"
rt_produce_lines "$RT_LOGS/fixed.txt"
rt_wait_sql 30 1 "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-12'"
"$ADMIN" dead-letters discard --id "$SV" >"$RT_LOGS/discard0.txt" 2>&1 && rt_fail "a discard without --reason ran"
FAMINS_OPERATOR_NAME=bob "$ADMIN" dead-letters discard --id "$SV" --reason "corrected message re-sent by the producer" \
    >"$RT_LOGS/discard.txt" 2>&1 || rt_fail "discard failed: $(cat "$RT_LOGS/discard.txt")"
grep -Eq "^ *$SV +discarded" "$RT_LOGS/discard.txt" || rt_fail "discard outcome: $(cat "$RT_LOGS/discard.txt")"
[ "$(itest_psql -c "SELECT state, raw_message IS NULL, raw_erased_at IS NOT NULL FROM famins.dead_letters WHERE id = $SV")" = "discarded|t|t" ] ||
    rt_fail "the discarded dead letter still holds its raw message"
[ "$(itest_psql -c "SELECT operator || '|' || reason FROM famins.operator_audit WHERE action = 'dead-letters discard'")" = \
    "bob|corrected message re-sent by the producer" ] || rt_fail "the discard is not audited with its reason"
"$ADMIN" dead-letters replay --id "$SV" >"$RT_LOGS/replay3.txt" 2>&1 || rt_fail "replay of a discarded one failed"
grep -Eq "^ *$SV +already_discarded" "$RT_LOGS/replay3.txt" || rt_fail "a discarded dead letter was replayed"
[ "$("$ADMIN" dead-letters list --id "$WR,$SV" --json | python3 -c "import json, sys; print(' '.join(sorted(r['state'] for r in json.load(sys.stdin))))")" = "discarded replayed" ] ||
    rt_fail "dead-letters list --id does not show handled dead letters"
rt_produce_lines "$RT_LOGS/fixed.txt" # the producer re-sends once more: a duplicate
rt_wait_sql 30 34 "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id = 'ev-12'")" = 1 ] || rt_fail "ev-12 applied twice"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "30|30" ] ||
    rt_fail "want all 30 events applied once each"
rt_ok "SCHEMA_VIOLATION: corrected and re-sent with the same event id, applied once; the original discarded with a reason"

# ---- the operator changes nothing but through the audited functions ----------------------------------------
as_op() { psql "$OP_DSN" -XqAt -v ON_ERROR_STOP=1 -c "$1" 2>&1 || true; }
case "$(as_op "UPDATE famins.dead_letters SET state = 'open'")" in *"permission denied"*) ;; *) rt_fail "operator updates dead letters directly" ;; esac
case "$(as_op "UPDATE famins.consumer_positions SET next_offset = 0")" in *"permission denied"*) ;; *) rt_fail "operator moves positions directly" ;; esac
case "$(as_op "INSERT INTO famins.operator_audit (action, target_kind, target_ids) VALUES ('x', 'x', '{}')")" in *"permission denied"*) ;; *) rt_fail "operator forges audit rows" ;; esac
case "$(psql "$(itest_dsn_as famins_relay)" -XqAt -c "SELECT * FROM famins.op_replay_dead_letters('{1}', NULL, NULL)" 2>&1 || true)" in
*"permission denied"*) ;; *) rt_fail "the relay may replay dead letters" ;; esac
rt_ok "operator: no direct writes, no forged audit rows; the relay cannot replay"

rt_stop "$ECHO_PID"
rt_stop "$RELAY_PID"
echo "operator_deadletters: all passed"
