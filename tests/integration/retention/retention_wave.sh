#!/usr/bin/env bash
# retention_wave.sh — retention while a wave runs, on the real stack: famins-relay deletes processed events
# past the deduplication window (aged here by UPDATE as the tables' owner) in batches of at most
# FAMINS_RETENTION_BATCH while eligibility and subsidy decide a new wave and an earlier wave inside the window
# is re-sent: no event is decided twice, every re-sent event is a duplicate, the rows inside the window are
# untouched, old dead letters whose raw message was erased go, and every batch respected its bound.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init retention_wave
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

batch=40
# Waves of plan years two apart (no renewal between them), no unreadable or conflicting events (a re-sent
# wave would dead-letter those again at their new offsets), the default share of re-sent events.
wave_opts=(--unreadable-share 0 --conflict-share 0)
ts() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

enr_start_elig elig-1
enr_start_subs subs-1
enr_start_relay relay-1 FAMINS_LOG_LEVEL=debug FAMINS_RELAY_CLEANUP_INTERVAL_S=1 FAMINS_RETENTION_BATCH=$batch \
    FAMINS_RETENTION_MAX_MS=10 FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS=3650
relay=$ENR_LAST_PID

enr_wave 150 641 "$ENR_LOGS/a.jsonl" --plan-year 2025 "${wave_opts[@]}"
enr_drain 120
b_started=$(itest_psql -c "SELECT now()")
enr_wave 150 643 "$ENR_LOGS/b.jsonl" --plan-year 2027 "${wave_opts[@]}"
enr_drain 120
# The rows inside the window (B's), as they are before retention runs.
itest_psql -c "CREATE SCHEMA famins_test; CREATE TABLE famins_test.kept AS SELECT * FROM famins.processed_events
    WHERE processed_at >= '$b_started'" >/dev/null
kept=$(itest_psql -c "SELECT count(*) FROM famins_test.kept")
# Old dead letters: 25 erased (go), 5 still holding their raw message (stay: the relay here keeps raw messages
# 3650 days, and a row goes only after 061 erased it), 5 recent erased (stay).
itest_psql -c "INSERT INTO famins.dead_letters (consumer_group, topic, partition, kafka_offset, error_code,
    error_text, raw_message, raw_erased_at, received_at)
  SELECT 'retention-test', 'old', 0, i, 'INVALID_JSON', 'x', NULL, now(), now() - interval '1200 days'
  FROM generate_series(1, 25) i
  UNION ALL SELECT 'retention-test', 'old', 0, 100 + i, 'INVALID_JSON', 'x', '\\x7b'::bytea, NULL,
    now() - interval '1200 days' FROM generate_series(1, 5) i
  UNION ALL SELECT 'retention-test', 'old', 0, 200 + i, 'INVALID_JSON', 'x', NULL, now(), now() - interval '3 days'
  FROM generate_series(1, 5) i" >/dev/null

# Wave C is produced (at a bounded rate, so that it lasts) and wave B, inside the window, is sent again byte for
# byte; meanwhile wave A becomes "old": its rows are aged past the 1100-day window, and the relay's retention
# (every second, at most 10 ms a run) deletes them while the workers decide.
enr_wave 400 647 "$ENR_LOGS/c.jsonl" --plan-year 2029 --rate 150 "${wave_opts[@]}" &
wave_c=$!
enr_wave 150 643 "$ENR_LOGS/b-again.jsonl" --plan-year 2027 --rate 100 "${wave_opts[@]}" &
wave_b=$!
sleep 1
old=$(itest_psql -c "UPDATE famins.processed_events SET processed_at = processed_at - interval '1200 days'
    WHERE processed_at < '$b_started' RETURNING 1" | wc -l)
[ "$old" -gt $((2 * batch)) ] || enr_fail "only $old processed events to age (want more than two batches of $batch)"
wait "$wave_c" || enr_fail "wave C failed"
wait "$wave_b" || enr_fail "wave B's re-send failed"
enr_drain 180
deadline=$(($(date +%s) + 60))
while [ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE processed_at < now() - interval '1100 days'")" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "old processed events left after 60 s"
    sleep 0.5
done
enr_ok "wave A's $old processed events aged and deleted while wave C and wave B's re-send were decided"

# Nothing decided twice: the database equals the labels of A, B and C (every valid event decided once as
# labelled, no decision without a label), the ledger reconciles, and B's re-sent events made no decision.
cat "$ENR_LOGS/a.jsonl" "$ENR_LOGS/b.jsonl" "$ENR_LOGS/c.jsonl" >"$ENR_LOGS/all.jsonl"
enr_load_labels "$ENR_LOGS/all.jsonl" >/dev/null
enr_check_labels "waves A, B (sent twice) and C with retention running"
enr_check_ledger "waves A, B and C"
b_events=$(wc -l <"$ENR_LOGS/b.jsonl")
valid=$(itest_psql -c "SELECT count(DISTINCT doc->>'event_id') FROM famins_test.labels WHERE doc->>'kind' = 'valid'")
decisions=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
[ "$decisions" = "$valid" ] || enr_fail "$decisions decisions for $valid distinct valid events"
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE topic <> 'old'")" = 0 ] ||
    enr_fail "the re-sent events made dead letters"

# Every re-sent event of B was a duplicate to eligibility: the counter of its stopped worker.
enr_stop "$relay"
for pid in "${ENR_PIDS[@]}"; do [ "$pid" = "$relay" ] || enr_stop "$pid"; done
ENR_PIDS=()
dups=$(grep 'event=worker_stopped' "$ENR_LOGS/elig-1.log" | tail -1 | grep -o ' duplicates=[0-9]*' | cut -d= -f2)
[ "${dups:-0}" -ge "$b_events" ] || enr_fail "eligibility counted ${dups:-none} duplicates (want >= $b_events: wave B again)"
enr_ok "the $b_events re-sent events of wave B were duplicates ($dups counted), no new decision or dead letter"

# Rows inside the window untouched: every one of them still there, field for field.
gone=$(itest_psql -c "SELECT count(*) FROM famins_test.kept k WHERE NOT EXISTS (SELECT 1 FROM famins.processed_events p
    WHERE p.consumer_group = k.consumer_group AND p.event_id = k.event_id AND p.content_hash = k.content_hash
      AND p.topic = k.topic AND p.partition = k.partition AND p.kafka_offset = k.kafka_offset
      AND p.processed_at = k.processed_at)")
[ "$gone" = 0 ] || enr_fail "$gone of the $kept processed events inside the window were deleted or changed"
enr_ok "the $kept processed events inside the window untouched"

# The batches: every retention_batch line within the bound, several full ones, the sum equal to what was aged,
# at least one during the wave.
lines=$(grep 'event=retention_batch table=processed_events' "$ENR_LOGS/relay-1.log" || true)
over=$(printf '%s\n' "$lines" | grep -o ' deleted=[0-9]*' | cut -d= -f2 | awk -v b=$batch '$1 > b' | wc -l)
full=$(printf '%s\n' "$lines" | grep -c " deleted=$batch limit=$batch" || true)
sum=$(printf '%s\n' "$lines" | grep -o ' deleted=[0-9]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
[ "$over" = 0 ] || enr_fail "$over retention batches deleted more than $batch rows"
[ "$full" -ge 2 ] || enr_fail "only $full full batches of $batch (want >= 2: $old rows to delete)"
[ "$sum" = "$old" ] || enr_fail "retention deleted $sum processed events, $old were aged"
# Retention deleted while the workers decided: wave C's decisions went on after its first deleting batch.
first=$(printf '%s\n' "$lines" | grep ' deleted=[1-9]' | head -1 | cut -d' ' -f1 | cut -d= -f2)
last_decision=$(itest_psql -c "SELECT to_char(max(decided_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
    FROM famins.enrollment_decisions WHERE plan_year = 2029")
[[ "$first" < "$last_decision" ]] || enr_fail "retention's first deletion ($first) came after the wave's last decision ($last_decision)"
during=$(printf '%s\n' "$lines" | grep ' deleted=[1-9]' | awk -v b="$last_decision" '{ ts = substr($1, 4) } ts <= b' | wc -l)
enr_ok "retention deleted the $old aged rows in batches of at most $batch ($full full, $during while the waves ran)"

dl=$(itest_psql -c "SELECT count(*) FILTER (WHERE raw_message IS NOT NULL) || '/' || count(*) FROM famins.dead_letters
    WHERE topic = 'old'")
[ "$dl" = "5/10" ] || enr_fail "old dead letters left (raw kept/all): $dl (want 5/10: the 25 erased old ones gone)"
grep -q 'event=retention_batch table=dead_letters deleted=25 ' "$ENR_LOGS/relay-1.log" ||
    enr_fail "no retention_batch line for the 25 dead letters"
enr_ok "old dead letters with their raw message erased deleted; those still holding it and recent ones kept"

grep -h 'level=error' "$ENR_LOGS"/*.log && enr_fail "errors in the service logs" || true
enr_ok "no error in the logs"
