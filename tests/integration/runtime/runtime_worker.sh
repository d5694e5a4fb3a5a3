#!/usr/bin/env bash
# runtime_worker.sh — the worker runtime against the real stack, through famins-test-echo:
# events applied exactly once; an exact re-send ignored; a reused event id with other content is one dead
# letter EVENT_ID_CONFLICT; each unreadable kind is one dead-letter row and one message on <topic>.dlq with
# its context headers, and the messages after it are still applied; a restart resumes at the stored
# position; the raw message of a dead letter is readable by operators only.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init runtime_worker
source "$FAMINS_SOURCE_DIR/tests/integration/runtime/rt_common.sh"
rt_create_echo_table

N=1000
GROUP="${FAMINS_TOPIC_PREFIX}famins-test-echo"

# --- N events, exactly once -------------------------------------------------------------------------
rt_events 1 "$N" >"$RT_LOGS/events.txt"
rt_produce_lines "$RT_LOGS/events.txt"
rt_start_echo echo-w1 FAMINS_MAX_MESSAGE_BYTES=1024
ECHO_PID=$RT_LAST_PID
rt_start_relay relay-w1
RELAY_PID=$RT_LAST_PID
rt_wait_sql 90 "$N" "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "$N|$N" ] ||
    rt_fail "want $N result rows for $N distinct events"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$GROUP'")" = "$N" ] ||
    rt_fail "want $N processed events"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.outbox WHERE topic = '$RT_OUT'")" = "$N|$N" ] ||
    rt_fail "want $N outbox rows"
rt_ok "$N events applied exactly once (results, processed events, outbox)"

# --- an exact re-send is ignored; a reused id with other content is a dead letter -----------------------
rt_events 1 10 >"$RT_LOGS/resend.txt"
rt_produce_lines "$RT_LOGS/resend.txt"
printf 'H5|{"event_id":"ev-5","type":"enrollment.submitted","schema_version":1,"n":"changed"}\n' >"$RT_LOGS/conflict.txt"
rt_produce_lines "$RT_LOGS/conflict.txt"
rt_wait_sql 60 "$((N + 11))" "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results")" = "$N" ] || rt_fail "a re-sent event was applied again"
[ "$(itest_psql -c "SELECT error_code FROM famins.dead_letters")" = "EVENT_ID_CONFLICT" ] ||
    rt_fail "want one dead letter EVENT_ID_CONFLICT"
rt_ok "10 exact re-sends ignored, a reused id with other content is one dead letter EVENT_ID_CONFLICT"

# --- unreadable messages, each followed by a good one on the same key (same partition) ---------------
printf '{"event_id": "bad-json", "type": ' >"$RT_LOGS/bad_json.bin"
printf '{"event_id":"bad-utf8","type":"x\xff\xfe","schema_version":1}' >"$RT_LOGS/bad_utf8.bin"
{ printf '{"event_id":"too-large","type":"enrollment.submitted","schema_version":1,"pad":"'
  head -c 2000 /dev/zero | tr '\0' 'a'; printf '"}'; } >"$RT_LOGS/too_large.bin"
printf '{"event_id":"v2","type":"enrollment.submitted","schema_version":2}' >"$RT_LOGS/v2.bin"
printf '{"event_id":"refused","type":"enrollment.submitted","schema_version":1,"refuse":true}' >"$RT_LOGS/refused.bin"
i=0
for kind in bad_json bad_utf8 too_large v2 refused; do
    i=$((i + 1))
    rt_produce_file "K$i" "$RT_LOGS/$kind.bin"
    printf '{"event_id":"after-%s","type":"enrollment.submitted","schema_version":1}' "$kind" >"$RT_LOGS/after.bin"
    rt_produce_file "K$i" "$RT_LOGS/after.bin"
done
rt_wait_sql 60 "$((N + 21))" "$rt_consumed_sql"
got=$(itest_psql -c "SELECT string_agg(error_code, ',' ORDER BY error_code) FROM famins.dead_letters")
[ "$got" = "EVENT_ID_CONFLICT,INVALID_JSON,INVALID_UTF8,MESSAGE_TOO_LARGE,TEST_REFUSED,UNKNOWN_SCHEMA_VERSION" ] ||
    rt_fail "dead letters: got $got"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id LIKE 'after-%'")" = 5 ] ||
    rt_fail "the messages after the unreadable ones were not all applied"
[ "$(itest_psql -c "SELECT count(*) FROM famins.echo_results WHERE event_id = 'refused'")" = 0 ] ||
    rt_fail "the refused message's write survived its redo"
# The .dlq row refers to the dead letter (its unique key, code and text) and does not copy the raw message.
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters d JOIN famins.outbox o
        ON o.topic = '$RT_DLQ' AND o.event_id = 'dlq:' || d.consumer_group || ':' || d.topic || ':' || d.partition || ':' || d.kafka_offset
        AND o.payload <> d.raw_message
        AND convert_from(o.payload, 'UTF8')::jsonb = jsonb_build_object('dead_letter', 'famins.dead_letters',
            'consumer_group', d.consumer_group, 'topic', d.topic, 'partition', d.partition, 'offset', d.kafka_offset,
            'error_code', d.error_code, 'error_text', d.error_text, 'message_bytes', octet_length(d.raw_message))")" = 6 ] ||
    rt_fail "each dead letter needs its outbox row for $RT_DLQ, a reference to it without the raw message"
rt_ok "each unreadable kind is one dead-letter row with its outbox row; later messages still applied"

# --- the relay publishes them: consume <topic>.dlq back and check the headers -------------------------
rt_wait_sql 60 0 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
rt_dump_topic "$RT_DLQ" '%k|%h\n' >"$RT_LOGS/dlq.txt"
[ "$(wc -l <"$RT_LOGS/dlq.txt")" = 6 ] || rt_fail "want 6 messages on $RT_DLQ, got $(wc -l <"$RT_LOGS/dlq.txt")"
for code in EVENT_ID_CONFLICT INVALID_JSON INVALID_UTF8 MESSAGE_TOO_LARGE TEST_REFUSED UNKNOWN_SCHEMA_VERSION; do
    line=$(grep "famins.errors.code=$code" "$RT_LOGS/dlq.txt") || rt_fail "no $code message on $RT_DLQ"
    for h in "famins.errors.topic=$RT_IN" "famins.errors.partition=" "famins.errors.offset=" "famins.errors.text=" \
        "famins.errors.group=$GROUP" "event_id=dlq:"; do
        case "$line" in *"$h"*) ;; *) rt_fail "$code on $RT_DLQ lacks header $h: $line" ;; esac
    done
done
grep -q '^K2|' "$RT_LOGS/dlq.txt" || rt_fail "the dead letter's key must be the source key"
rt_dump_topic "$RT_DLQ" '%k|%s\n' >"$RT_LOGS/dlq_payloads.txt"
k2=$(grep -a '^K2|' "$RT_LOGS/dlq_payloads.txt" | cut -d'|' -f2-)
[ "$(printf '%s' "$k2" | jq -r '.error_code + " " + .topic + " " + (.offset | tostring)')" = \
    "INVALID_UTF8 $RT_IN $(itest_psql -c "SELECT kafka_offset FROM famins.dead_letters WHERE error_code = 'INVALID_UTF8'")" ] ||
    rt_fail "the invalid-UTF-8 dead letter on $RT_DLQ must be a reference to its row: $k2"
grep -aq 'bad-utf8' "$RT_LOGS/dlq_payloads.txt" && rt_fail "a raw source message was published on $RT_DLQ"
rt_dump_topic "$RT_OUT" '%h\n' | grep -oE '(^|,)event_id=[^,]*' | sed 's/^,//' | sort >"$RT_LOGS/out_ids.txt"
[ "$(wc -l <"$RT_LOGS/out_ids.txt")" = "$((N + 5))" ] || rt_fail "want $((N + 5)) messages on $RT_OUT"
[ -z "$(uniq -d "$RT_LOGS/out_ids.txt")" ] || rt_fail "an event id appears twice on $RT_OUT"
rt_ok "6 messages on $RT_DLQ with source topic/partition/offset/code/text headers and the source key"

# --- SIGTERM: exit 0; a restart resumes at the stored position ----------------------------------------
rt_stop "$ECHO_PID"
grep -q 'event=worker_stopped' "$RT_LOGS/echo-w1.log" || rt_fail "no worker_stopped line"
before=$(itest_psql -c "$rt_consumed_sql")
rt_events 2001 2100 >"$RT_LOGS/more.txt"
rt_produce_lines "$RT_LOGS/more.txt"
rt_start_echo echo-w1 FAMINS_MAX_MESSAGE_BYTES=1024
ECHO_PID=$RT_LAST_PID
rt_wait_sql 60 "$((before + 100))" "$rt_consumed_sql"
[ "$(itest_psql -c "SELECT count(*), count(DISTINCT event_id) FROM famins.echo_results")" = "$((N + 105))|$((N + 105))" ] ||
    rt_fail "after a restart: want $((N + 105)) distinct result rows"
# The restarted worker's first batches start at the stored positions, never at 0 (earliest).
restart_line=$(grep -n 'event=worker_started' "$RT_LOGS/echo-w1.log" | tail -1 | cut -d: -f1)
assigned=$(tail -n +"$restart_line" "$RT_LOGS/echo-w1.log" | grep 'event=partition_assigned' || true)
[ "$(echo "$assigned" | grep -c 'next_offset=[0-9]')" = 6 ] || rt_fail "the restarted worker did not get its 6 partitions"
if [ "$(echo "$assigned" | grep -c 'earliest')" != 0 ]; then
    rt_fail "the restarted worker started a partition at the earliest offset instead of its stored position"
fi
rt_ok "SIGTERM exits 0; the restart resumed at the stored positions (100 new events, no repeat)"

# --- the raw message of a dead letter: operators only ------------------------------------------------
if psql "$(itest_dsn_as famins_eligibility)" -qAt -c "SELECT raw_message FROM famins.dead_letters" >/dev/null 2>&1; then
    rt_fail "famins_eligibility can read raw dead-letter messages"
fi
[ "$(psql "$(itest_dsn_as famins_operator)" -qAt -c "SELECT count(raw_message) FROM famins.dead_letters")" = 6 ] ||
    rt_fail "famins_operator cannot read the raw messages"
[ "$(psql "$(itest_dsn_as famins_reporter)" -qAt -c "SELECT count(*) FROM famins_report.dead_letters")" = 6 ] ||
    rt_fail "famins_reporter cannot read the dead-letter view"
if psql "$(itest_dsn_as famins_relay)" -qAt -c "INSERT INTO famins.outbox (topic, payload) VALUES ('x', 'y')" >/dev/null 2>&1; then
    rt_fail "famins_relay can write outbox rows"
fi
if psql "$(itest_dsn_as famins_reporter)" -qAt -c "SELECT raw_message FROM famins.dead_letters" >/dev/null 2>&1; then
    rt_fail "famins_reporter can read raw dead-letter messages"
fi
rt_ok "raw dead-letter messages readable by famins_operator only; the relay cannot forge outbox rows"

# --- raw messages are erased after FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS, by the relay -----------------
for role in famins_eligibility famins_reporter; do
    if psql "$(itest_dsn_as $role)" -qAt -c "SELECT famins.erase_dead_letter_raw_messages(interval '0')" >/dev/null 2>&1; then
        rt_fail "$role may erase dead letters' raw messages"
    fi
done
if itest_psql -c "SELECT famins.erase_dead_letter_raw_messages(interval '-1 day')" >/dev/null 2>&1; then
    rt_fail "a negative retention was accepted"
fi
[ "$(psql "$(itest_dsn_as famins_operator)" -qAt -c "SELECT famins.erase_dead_letter_raw_messages(interval '1 day')")" = 0 ] ||
    rt_fail "a retention of a day erased today's raw messages"
rt_stop "$RELAY_PID"
grep -q 'event=relay_started.*raw_retention_days=30' "$RT_LOGS/relay-w1.log" || rt_fail "the default retention is not 30 days"
rt_start_relay relay-erase FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS=0 FAMINS_RELAY_CLEANUP_INTERVAL_S=1
RELAY_PID=$RT_LAST_PID
rt_wait_sql 30 "0|6|6" "SELECT count(raw_message), count(raw_erased_at), count(*) FROM famins.dead_letters"
[ "$(psql "$(itest_dsn_as famins_reporter)" -qAt -c "SELECT count(raw_erased_at) FROM famins_report.dead_letters")" = 6 ] ||
    rt_fail "famins_reporter does not see that the raw messages were erased"
rt_ok "the relay erased the 6 raw messages past a retention of 0 days; the rows stay; only relay and operator may erase"

rt_stop "$ECHO_PID"
rt_stop "$RELAY_PID"
echo "runtime_worker: all passed"
