#!/usr/bin/env bash
# deadletters.sh — famins-eligibility on the real stack with hand-made messages: each kind of unreadable message
# becomes exactly one dead-letter row and one <topic>.dlq message with its context headers, and the household's
# next event is still decided; the same child listed in two and three households is insured once, every later
# listing excluded with ALREADY_INSURED_ELSEWHERE and a fraud signal.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_deadletters
source "$(dirname "${BASH_SOURCE[0]}")/enr_common.sh"

examples="$FAMINS_SOURCE_DIR/schemas/examples/enrollment.submitted/valid"
dir="$ENR_LOGS/messages"
mkdir -p "$dir"
compact() { tr -d '\n' <"$1" | sed 's/: /:/g; s/, /,/g; s/  */ /g; s/{ /{/g; s/ }/}/g; s/\[ /[/g; s/ \]/]/g'; }
one_child="$(compact "$examples/02-a-only-child-without-adults.json")"
two_children="$(compact "$examples/04-b-two-children.json")"
# as EVENT_ID HOUSEHOLD TEXT: the example under another event id and household id.
as() { printf '%s' "$3" | sed "s/\"event_id\":\"[^\"]*\"/\"event_id\":\"$1\"/; s/\"household_id\":\"[^\"]*\"/\"household_id\":\"$2\"/"; }

key=HDL1
as dl-0 "$key" "$one_child" >"$dir/0-valid.json"
as dl-1 "$key" "$one_child" | head -c 200 >"$dir/1-invalid-json.json"
as dl-2 "$key" "$one_child" | sed 's/王小龙/\xff\xfe/' >"$dir/2-invalid-utf8.json"
as dl-3 "$key" "$one_child" | sed 's/"plan_year":2026/"plan_year":2026,"remark":"urgent"/' >"$dir/3-schema.json"
as dl-4 "$key" "$one_child" | sed 's/"schema_version":1/"schema_version":2/' >"$dir/4-version.json"
as dl-5 "$key" "$one_child" | sed 's/"type":"enrollment.submitted"/"type":"claim.reviewed"/' >"$dir/5-type.json"
{ printf '{'; head -c 300000 /dev/zero | tr '\0' ' '; as dl-6 "$key" "$one_child" | cut -c2-; } >"$dir/6-large.json"
as dl-0 "$key" "$one_child" | sed 's/"channel":"paper"/"channel":"app"/' >"$dir/7-conflict.json"
as dl-8 "$key" "$one_child" | sed 's/"submitted_on":"2026-01-15"/"submitted_on":"2026-01-20"/' >"$dir/8-valid-after.json"
as dl-0 "$key" "$one_child" >"$dir/9-resend.json"

enr_start_elig elig-dl
enr_start_relay relay-dl
for f in "$dir"/*.json; do enr_produce "$key" "$f"; done
deadline=$(($(date +%s) + 60))
while [ "$(enr_consumed "$ENR_ELIG_GROUP")" != 10 ] || [ "$(enr_unsent)" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "eligibility did not catch up with the 10 messages"
    sleep 0.3
done

codes=$(itest_psql -c "SELECT string_agg(error_code || '@' || kafka_offset, ' ' ORDER BY kafka_offset)
    FROM famins.dead_letters WHERE consumer_group = '$ENR_ELIG_GROUP'")
want="INVALID_JSON@1 INVALID_UTF8@2 SCHEMA_VIOLATION@3 UNKNOWN_SCHEMA_VERSION@4 UNKNOWN_TYPE@5 MESSAGE_TOO_LARGE@6 EVENT_ID_CONFLICT@7"
[ "$codes" = "$want" ] || enr_fail "dead letters [$codes], want [$want]"
enr_ok "one dead letter per unreadable message: $codes"

# The raw message is kept for a replay (operators only) and the text names the field, not its value.
raw=$(itest_psql -c "SELECT octet_length(raw_message) FROM famins.dead_letters WHERE error_code = 'MESSAGE_TOO_LARGE'")
[ "$raw" -gt 300000 ] || enr_fail "the raw message of the large dead letter is $raw bytes"
text=$(itest_psql -c "SELECT error_text FROM famins.dead_letters WHERE error_code = 'SCHEMA_VIOLATION'")
case "$text" in *remark*) ;; *) enr_fail "the schema dead letter's text does not name the field: $text" ;; esac

# The .dlq copies: one per dead letter, each with the context headers.
dlq=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "${ENR_IN}.dlq" -o beginning -e -q -f '%h\n')
n=$(printf '%s\n' "$dlq" | grep -c . || true)
[ "$n" = 7 ] || enr_fail "$n messages on ${ENR_IN}.dlq, want 7"
for header in famins.errors.topic="$ENR_IN" famins.errors.partition= famins.errors.offset= famins.errors.code= \
    famins.errors.text= famins.errors.group="$ENR_ELIG_GROUP"; do
    with=$(printf '%s\n' "$dlq" | grep -c -- "$header" || true)
    [ "$with" = 7 ] || enr_fail "$with of 7 .dlq messages carry the header $header"
done
for code in INVALID_JSON INVALID_UTF8 SCHEMA_VIOLATION UNKNOWN_SCHEMA_VERSION UNKNOWN_TYPE MESSAGE_TOO_LARGE EVENT_ID_CONFLICT; do
    printf '%s\n' "$dlq" | grep -q "famins.errors.code=$code" || enr_fail "no .dlq message with code $code"
done
enr_ok "7 messages on ${ENR_IN}.dlq with topic, partition, offset, code, text and group headers"

# The household's valid events around the unreadable ones were decided (the re-send once).
decided=$(itest_psql -c "SELECT string_agg(source_event_id || '=' || outcome || coalesce(':' || array_to_string(reasons, ','), ''),
    ' ' ORDER BY source_offset) FROM famins.enrollment_decisions WHERE household_id = '$key'")
[ "$decided" = "dl-0=accepted: dl-8=rejected:ALREADY_ENROLLED" ] || enr_fail "decisions of $key: $decided"
enr_ok "the events after the unreadable ones decided in order: $decided"

# ---- the same child in two, then three households ----
shared_key=$(itest_psql -c "SELECT person_key FROM famins.insured_persons WHERE policy_number = 'FJ2026-$key' AND role = 'child'")
as two-1 HTWO1 "$one_child" >"$dir/two-1.json"
as two-2 HTWO2 "$two_children" >"$dir/two-2.json"
as two-3 HTWO3 "$one_child" >"$dir/two-3.json"
for h in 1 2 3; do
    enr_produce "HTWO$h" "$dir/two-$h.json"
    rt_wait() {
        local i
        for ((i = 0; i < 150; i++)); do
            [ "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions WHERE source_event_id = 'two-$h'")" = 1 ] && return 0
            sleep 0.2
        done
        enr_fail "two-$h was not decided"
    }
    rt_wait
done
got=$(itest_psql -c "SELECT string_agg(d.source_event_id || '=' || d.outcome || ':' || array_to_string(d.reasons, ',') || ':' ||
    (SELECT string_agg(array_to_string(m.reasons, ','), '|' ORDER BY m.member_index) FROM famins.enrollment_members m
     WHERE m.decision_id = d.decision_id), ' ' ORDER BY d.source_event_id)
    FROM famins.enrollment_decisions d WHERE d.household_id LIKE 'HTWO%'")
want="two-1=rejected:NO_ELIGIBLE_CHILD:ALREADY_INSURED_ELSEWHERE two-2=accepted::|ALREADY_INSURED_ELSEWHERE| two-3=rejected:NO_ELIGIBLE_CHILD:ALREADY_INSURED_ELSEWHERE"
[ "$got" = "$want" ] || enr_fail "listings of the shared child: [$got], want [$want]"
once=$(itest_psql -c "SELECT count(*) || ':' || min(policy_number) FROM famins.insured_persons WHERE person_key = '$shared_key'")
[ "$once" = "1:FJ2026-$key" ] || enr_fail "the shared child is insured as $once (want once, in $key)"
signals=$(itest_psql -c "SELECT string_agg(source_event_id, ' ' ORDER BY source_event_id) FROM famins.fraud_signals
    WHERE code = 'ALREADY_INSURED_ELSEWHERE'")
[ "$signals" = "two-1 two-2 two-3" ] || enr_fail "fraud signals for [$signals], want two-1 two-2 two-3"
enr_ok "the child insured once (first accepted, $key); the 3 later listings excluded with a fraud signal each"

for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
