#!/usr/bin/env bash
# retention_functions.sh — migration 064's functions on the real stack: each call deletes at most max_rows rows,
# oldest first, only rows past the window (processed events) or past it with their raw message erased (dead
# letters); windows under a day and batch sizes out of 1..10000 are refused; famins_relay may call them but not
# read or delete the tables itself; retention_due counts what is due without deleting.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init retention_functions

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
as_relay() { psql "$(itest_dsn_as famins_relay)" -v ON_ERROR_STOP=1 -qAt "$@"; }

# 250 old processed events (1101..1350 days), 100 inside the window (1099 days and younger); the owner's
# statements bypass 060's group checks.
itest_psql -c "INSERT INTO famins.processed_events (consumer_group, event_id, content_hash, topic, partition,
    kafka_offset, processed_at)
  SELECT 'g', 'old-' || i, 'h', 't', 0, i, now() - make_interval(days => 1100 + i) FROM generate_series(1, 250) i
  UNION ALL
  SELECT 'g', 'new-' || i, 'h', 't', 0, 1000 + i, now() - make_interval(days => 1100) + make_interval(hours => i)
  FROM generate_series(1, 100) i" >/dev/null
# Dead letters: 30 old with the raw message erased, 10 old still holding it, 10 recent erased.
itest_psql -c "INSERT INTO famins.dead_letters (consumer_group, topic, partition, kafka_offset, error_code,
    error_text, raw_message, raw_erased_at, received_at)
  SELECT 'g', 't', 0, i, 'INVALID_JSON', 'x', NULL, now(), now() - make_interval(days => 1200) FROM generate_series(1, 30) i
  UNION ALL
  SELECT 'g', 't', 0, 100 + i, 'INVALID_JSON', 'x', '\\x7b'::bytea, NULL, now() - make_interval(days => 1200)
  FROM generate_series(1, 10) i
  UNION ALL
  SELECT 'g', 't', 0, 200 + i, 'INVALID_JSON', 'x', NULL, now(), now() - make_interval(days => 10)
  FROM generate_series(1, 10) i" >/dev/null

due=$(as_relay -c "SELECT string_agg(what || '=' || rows_due, ' ' ORDER BY what) FROM famins.retention_due(
    interval '1100 days', interval '168 hours', interval '1100 days', interval '30 days')")
[ "$due" = "dead_letter_raw_messages=10 dead_letters=30 outbox_sent=0 processed_events=250" ] ||
    fail "retention_due says '$due'"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events")" = 350 ] || fail "retention_due deleted rows"
ok "retention_due counts what is due and deletes nothing ($due)"

# Bounded batches, oldest first: 100 + 100 + 50, then nothing.
got=""
for _ in 1 2 3 4; do
    got="$got $(as_relay -c "SELECT famins.purge_processed_events(interval '1100 days', 100)")"
done
[ "$got" = " 100 100 50 0" ] || fail "purge_processed_events per call:$got (want 100 100 50 0)"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE event_id LIKE 'new-%'")" = 100 ] ||
    fail "rows inside the window were deleted"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events")" = 100 ] || fail "old rows left"
ok "purge_processed_events: at most max_rows a call (100 100 50 0), rows inside the window untouched"

# Oldest first: with 5 a call, the first call takes the 5 oldest.
itest_psql -c "INSERT INTO famins.processed_events (consumer_group, event_id, content_hash, topic, partition,
    kafka_offset, processed_at)
  SELECT 'g', 'aged-' || i, 'h', 't', 0, 2000 + i, now() - make_interval(days => 1200 + i) FROM generate_series(1, 8) i" \
    >/dev/null
as_relay -c "SELECT famins.purge_processed_events(interval '1100 days', 5)" >/dev/null
left=$(itest_psql -c "SELECT string_agg(event_id, ',' ORDER BY event_id) FROM famins.processed_events WHERE event_id LIKE 'aged-%'")
[ "$left" = "aged-1,aged-2,aged-3" ] || fail "oldest first: left $left (want aged-1,aged-2,aged-3)"
ok "oldest first"

# A row a worker's transaction holds is skipped, never waited for.
itest_psql -c "UPDATE famins.processed_events SET processed_at = now() - interval '2000 days'
    WHERE event_id LIKE 'new-%' AND kafka_offset <= 1010" >/dev/null
holder_fifo=$(mktemp -u)
mkfifo "$holder_fifo"
(
    { echo "BEGIN; SELECT 1 FROM famins.processed_events WHERE event_id = 'new-1' FOR UPDATE;"; cat "$holder_fifo"; } |
        psql "$FAMINS_PG_DSN" -qAt >/dev/null
) &
holder=$!
exec 9>"$holder_fifo"
sleep 1
start=$(date +%s%N)
n=$(as_relay -c "SET lock_timeout = '5s'; SELECT famins.purge_processed_events(interval '1100 days', 100)" | tail -1)
ms=$((($(date +%s%N) - start) / 1000000))
echo "COMMIT;" >&9
exec 9>&-
wait "$holder"
rm -f "$holder_fifo"
[ "$n" = 12 ] || fail "with new-1 locked the purge deleted $n (want the 12 others: aged-1..3 and new-2..10)"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE event_id = 'new-1'")" = 1 ] ||
    fail "the locked row was deleted"
[ "$ms" -lt 3000 ] || fail "the purge waited ${ms} ms for a locked row"
ok "a locked row is skipped (SKIP LOCKED), the purge did not wait (${ms} ms)"

# Dead letters: only old rows whose raw message is erased.
got="$(as_relay -c "SELECT famins.purge_dead_letters(interval '1100 days', 20)") $(as_relay -c \
    "SELECT famins.purge_dead_letters(interval '1100 days', 20)") $(as_relay -c \
    "SELECT famins.purge_dead_letters(interval '1100 days', 20)")"
[ "$got" = "20 10 0" ] || fail "purge_dead_letters per call: $got (want 20 10 0)"
rest=$(itest_psql -c "SELECT count(*) FILTER (WHERE raw_message IS NOT NULL) || '/' || count(*) FROM famins.dead_letters")
[ "$rest" = "10/20" ] || fail "dead letters left (raw kept/all): $rest (want 10/20)"
ok "purge_dead_letters: old erased rows only, 20 a call; raw messages kept and recent rows stay"

# Refusals.
for call in "purge_processed_events(interval '23 hours', 100)" "purge_processed_events(interval '1100 days', 0)" \
    "purge_processed_events(interval '1100 days', 10001)" "purge_processed_events(NULL, 100)" \
    "purge_dead_letters(interval '1 hour', 100)" "purge_dead_letters(interval '1100 days', 0)"; do
    if out=$(as_relay -c "SELECT famins.$call" 2>&1); then fail "famins.$call was accepted"; fi
    case "$out" in *"must be"* | *"at least one day"*) ;; *) fail "famins.$call: unexpected refusal: $out" ;; esac
done
ok "windows under a day and batch sizes outside 1..10000 are refused"

# Least privilege: the relay deletes through the functions only.
for sql in "SELECT count(*) FROM famins.processed_events" "DELETE FROM famins.processed_events" \
    "DELETE FROM famins.dead_letters" "SELECT count(*) FROM famins.dead_letters"; do
    if out=$(as_relay -c "$sql" 2>&1); then fail "famins_relay may run: $sql"; fi
    case "$out" in *"permission denied"*) ;; *) fail "$sql: unexpected refusal: $out" ;; esac
done
for role in famins_eligibility famins_reporter; do
    if psql "$(itest_dsn_as "$role")" -qAt -c "SELECT famins.purge_processed_events(interval '1100 days', 1)" \
        >/dev/null 2>&1; then fail "$role may purge processed events"; fi
done
ok "famins_relay purges through the functions only; service roles and reporters may not purge"

# The relay's side (relay_retention.c): a refused call is logged (retention_failed, with the SQLSTATE) and the
# relay goes on; a run stops at FAMINS_RETENTION_MAX_MS and says so (more=yes), the next clean-up goes on.
logs=$(mktemp -d "/tmp/itest-retention_functions.XXXXXX")
itest_psql -c "INSERT INTO famins.processed_events (consumer_group, event_id, content_hash, topic, partition,
    kafka_offset, processed_at)
  SELECT 'g', 'relay-' || i, 'h', 't', 0, 5000 + i, now() - make_interval(days => 1200, secs => i) FROM generate_series(1, 60) i" \
    >/dev/null
itest_psql -c "REVOKE EXECUTE ON FUNCTION famins.purge_dead_letters(interval, integer) FROM famins_relay" >/dev/null
FAMINS_PG_DSN="$(itest_dsn_as famins_relay)" FAMINS_LOG_LEVEL=debug FAMINS_RELAY_CLEANUP_INTERVAL_S=1 FAMINS_RETENTION_BATCH=1 \
    FAMINS_RETENTION_MAX_MS=10 FAMINS_RELAY_IDLE_MS=100 "$FAMINS_BUILD_DIR/services/relay/famins-relay" \
    >"$logs/relay.log" 2>&1 &
relay=$!
trap 'kill -9 $relay 2>/dev/null || true; itest_done' EXIT
deadline=$(($(date +%s) + 30))
until grep -q 'event=retention_failed table=dead_letters code=42501' "$logs/relay.log"; do
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$logs/relay.log" >&2; fail "no retention_failed line"; }
    sleep 0.2
done
itest_psql -c "GRANT EXECUTE ON FUNCTION famins.purge_dead_letters(interval, integer) TO famins_relay" >/dev/null
# 60 rows, one a statement, 10 ms a run: several runs (slower on a loaded machine: up to 120 s).
deadline=$(($(date +%s) + 120))
until [ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE event_id LIKE 'relay-%'")" = 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { cat "$logs/relay.log" >&2; fail "the relay did not delete the 60 old rows"; }
    sleep 0.2
done
kill -TERM "$relay"
rc=0
wait "$relay" || rc=$?
[ "$rc" = 0 ] || fail "the relay exited $rc"
grep -q 'event=retention_done .* more=yes' "$logs/relay.log" || fail "no run stopped at its time budget (more=yes)"
runs=$(grep -c 'event=retention_done' "$logs/relay.log")
[ "$runs" -ge 2 ] || fail "60 rows one at a time in 10 ms runs took $runs run(s)"
batches=$(grep -c 'event=retention_batch table=processed_events' "$logs/relay.log" || true)
[ "$batches" -ge 60 ] || fail "only $batches retention_batch lines for 60 rows one at a time"
over=$(grep 'event=retention_batch' "$logs/relay.log" | grep -vc ' deleted=[01] limit=1 ' || true)
[ "$over" = 0 ] || fail "$over retention batches beyond their limit of 1"
grep -q 'level=error' "$logs/relay.log" && fail "errors in the relay's log"
ok "relay: a refused purge is logged (retention_failed 42501) and retried; runs stop at their budget ($runs runs, more=yes)"
rm -rf "$logs"
