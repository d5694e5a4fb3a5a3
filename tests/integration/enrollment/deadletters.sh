#!/usr/bin/env bash
# deadletters.sh — famins-eligibility on the real stack with hand-made messages: each kind of unreadable message
# becomes exactly one dead-letter row and one <topic>.dlq message with its context headers, and the household's
# next event is still decided; the same child listed in two and three households is insured once, every later
# listing excluded with ALREADY_INSURED_ELSEWHERE and a fraud signal. Dead letters hold no identity number where
# they travel: messages carrying one (as a value, as an unknown field's key, where the JSON breaks, as an event
# id) leave no trace of it, in any form, on <topic>.dlq, in what famins_reporter reads or in the logs; the raw
# message is for famins_operator only and is erased by the relay after FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS.
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
ELIG_PID=$ENR_LAST_PID
enr_start_relay relay-dl
RELAY_PID=$ENR_LAST_PID
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

# The raw message is kept for a replay (operators only); the text names the unknown field's object, not its key.
raw=$(itest_psql -c "SELECT octet_length(raw_message) FROM famins.dead_letters WHERE error_code = 'MESSAGE_TOO_LARGE'")
[ "$raw" -gt 300000 ] || enr_fail "the raw message of the large dead letter is $raw bytes"
text=$(itest_psql -c "SELECT error_text FROM famins.dead_letters WHERE error_code = 'SCHEMA_VIOLATION'")
[ "$text" = "(message): UNKNOWN_FIELD: the message has an unknown field" ] ||
    enr_fail "the schema dead letter's text: [$text]"

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

# ---- no identity number in a dead letter where it travels ----
id=11010519491231002X
id_escaped='\\u0031\\u0031\\u0030\\u0031\\u0030\\u0035\\u0031\\u0039\\u0034\\u0039\\u0031\\u0032\\u0033\\u0031\\u0030\\u0030\\u0032\\u0058'
id_full=１１０１０５１９４９１２３１００２Ｘ
pii=HDL2
as pii-1 "$pii" "$one_child" | sed "s/\"plan_year\":2026/\"plan_year\":\"$id\"/" >"$dir/p1-value.json"
as pii-2 "$pii" "$one_child" | sed "s/\"plan_year\":2026/\"plan_year\":2026,\"$id\":\"x\"/" >"$dir/p2-key.json"
as pii-3 "$pii" "$one_child" | sed "s/\"previously_insured\":false/\"previously_insured\":false,\"$id_escaped\":1/" >"$dir/p3-escaped-key.json"
as pii-4 "$pii" "$one_child" | sed 's/"channel":"paper"/"channel":"paper","110105 19491231 002X":1/' >"$dir/p4-spaced-key.json"
as pii-5 "$pii" "$one_child" | sed "s/\"plan_year\":2026/\"plan_year\":$id/" >"$dir/p5-token.json"
as pii-6 "$pii" "$one_child" | sed "s/\"plan_year\":2026/\"plan_year\":$id_full/" >"$dir/p6-full-width-token.json"
as pii-7 "$pii" "$one_child" | sed 's/"schema_version":1/"schema_version":110105194912310020/' >"$dir/p7-version.json"
as "$id" "$pii" "$one_child" >"$dir/p8-id-as-event-id.json"
as "$id" "$pii" "$one_child" | sed 's/"channel":"paper"/"channel":"app"/' >"$dir/p9-id-conflict.json"
grep -q "$id" "$dir/p1-value.json" || enr_fail "the test's messages do not hold the number"
before=$(enr_consumed "$ENR_ELIG_GROUP")
for f in "$dir"/p*.json; do enr_produce "$pii" "$f"; done
deadline=$(($(date +%s) + 60))
while [ "$(enr_consumed "$ENR_ELIG_GROUP")" != $((before + 9)) ] || [ "$(enr_unsent)" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "eligibility did not catch up with the 9 messages holding a number"
    sleep 0.3
done
codes=$(itest_psql -c "SELECT string_agg(error_code || '=' || split_part(error_text, ':', 1), ' ' ORDER BY kafka_offset)
    FROM famins.dead_letters WHERE message_key = convert_to('$pii', 'UTF8')")
want="SCHEMA_VIOLATION=plan_year SCHEMA_VIOLATION=(message) SCHEMA_VIOLATION=members[0] SCHEMA_VIOLATION=consent"
want="$want INVALID_JSON=(message) INVALID_JSON=(message) UNKNOWN_SCHEMA_VERSION=schema_version"
# (the runtime quotes a conflicting event id: masked like a log line)
want="$want EVENT_ID_CONFLICT=event_id ****************** was applied before with other content"
[ "$codes" = "$want" ] || enr_fail "dead letters of the messages holding a number: [$codes], want [$want]"

# no_id WHAT FILE: fails when FILE holds the number in any form: plain, its first 10 or last 11 characters,
# spaced, dashed, full-width (also in part) or JSON-escaped.
no_id() {
    local form
    for form in "$id" 1101051949 19491231002 "110105 19491231" "110105-19491231" "$id_full" １１０１０５ \
        '\u0031\u0031\u0030\u0031'; do
        if grep -a -i -q -F -- "$form" "$2"; then
            grep -a -i -F -- "$form" "$2" | head -3 >&2
            enr_fail "$1 holds the identity number (as [$form])"
        fi
    done
}
kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "${ENR_IN}.dlq" -o beginning -e -q -f '%k|%h|%s\n' >"$ENR_LOGS/dlq.txt"
[ "$(grep -c "^$pii|" "$ENR_LOGS/dlq.txt")" = 8 ] || enr_fail "want 8 .dlq messages keyed $pii"
no_id "${ENR_IN}.dlq (keys, headers, payloads)" "$ENR_LOGS/dlq.txt"
# Each payload is the reference to its row: group, topic, partition, offset, code and text.
refs=$(grep "^$pii|" "$ENR_LOGS/dlq.txt" | sed 's/^[^|]*|[^|]*|//' |
    jq -r '[.dead_letter, .consumer_group, .topic, .partition, .offset, .error_code, .error_text] | @tsv' | sort)
rows=$(itest_psql -F "$(printf '\t')" -c "SELECT 'famins.dead_letters', consumer_group, topic, partition, kafka_offset,
    error_code, error_text FROM famins.dead_letters WHERE message_key = convert_to('$pii', 'UTF8')" | sort)
[ "$refs" = "$rows" ] || enr_fail ".dlq payloads are not references to the dead letters: [$refs] / [$rows]"
psql "$(itest_dsn_as famins_reporter)" -v ON_ERROR_STOP=1 -qAt -c "SELECT d::text FROM famins_report.dead_letters d" \
    >"$ENR_LOGS/reporter.txt"
[ "$(wc -l <"$ENR_LOGS/reporter.txt")" = 15 ] || enr_fail "famins_reporter sees $(wc -l <"$ENR_LOGS/reporter.txt") dead letters, want 15"
no_id "what famins_reporter reads of the dead letters" "$ENR_LOGS/reporter.txt"
for log in "$ENR_LOGS"/*.log; do no_id "the log $(basename "$log")" "$log"; done
grep -q 'event=dead_letter' "$ENR_LOGS/elig-dl.log" || enr_fail "no dead_letter log line (were the logs read?)"
enr_ok "9 messages holding $id as a value, key, token and event id: 8 dead letters, none of its forms on .dlq, in the reporter's view or in the logs"

# The raw messages: famins_operator reads them (they hold the number), famins_reporter may not.
[ "$(psql "$(itest_dsn_as famins_operator)" -qAt -c "SELECT count(*) FROM famins.dead_letters
    WHERE position(convert_to('$id', 'UTF8') IN raw_message) > 0")" = 4 ] || enr_fail "famins_operator cannot read the raw messages"
if psql "$(itest_dsn_as famins_reporter)" -qAt -c "SELECT raw_message FROM famins.dead_letters" >"$ENR_LOGS/denied.txt" 2>&1; then
    enr_fail "famins_reporter can read raw messages"
fi
grep -q "permission denied" "$ENR_LOGS/denied.txt" || enr_fail "famins_reporter's read of raw messages: $(cat "$ENR_LOGS/denied.txt")"
# Erased after the retention: a relay with a retention of 0 days erases every raw message at its next clean-up.
enr_stop "$RELAY_PID"
enr_start_relay relay-erase FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS=0 FAMINS_RELAY_CLEANUP_INTERVAL_S=1
ENR_PIDS=("$ELIG_PID" "$ENR_LAST_PID")
deadline=$(($(date +%s) + 30))
while [ "$(itest_psql -c "SELECT count(raw_message) FROM famins.dead_letters")" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "the relay did not erase the raw messages past retention"
    sleep 0.3
done
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE raw_erased_at IS NOT NULL")" = 15 ] ||
    enr_fail "want the 15 dead letters kept, marked erased"
grep -q 'raw_retention_days=0' "$ENR_LOGS/relay-erase.log" || enr_fail "the relay did not log its retention"
enr_ok "raw messages: famins_operator only, erased by the relay after the retention (15 rows kept, marked erased)"

for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
