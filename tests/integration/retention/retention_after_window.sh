#!/usr/bin/env bash
# retention_after_window.sh — what an event re-sent after its processed_events row went meets, on the real
# stack (common/runtime/README.md, "Retention"): subsidy's ledger key refuses a re-sent accepted decision as a
# WRITE_REJECTED dead letter and goes on, never booking twice; eligibility's decision key is found by its facts
# read, and the runtime, finding no deduplication row, counts the event a duplicate and writes its row again: the
# worker goes on, nothing is decided or published twice. The rows are deleted here as the tables' owner, as
# retention would once the window ended.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init retention_after
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

wave_opts=(--unreadable-share 0 --conflict-share 0 --resend-share 0)
enr_start_elig elig-1
elig=$ENR_LAST_PID
enr_start_subs subs-1
enr_start_relay relay-1
enr_wave 40 901 "$ENR_LOGS/a.jsonl" --plan-year 2025 "${wave_opts[@]}"
enr_drain 120
decisions=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
ledger=$(itest_psql -c "SELECT count(*) || '/' || sum(amount) FROM famins.subsidy_ledger")
booked=$(itest_psql -c "SELECT count(DISTINCT source_event_id) FROM famins.subsidy_ledger")
[ "$booked" -gt 0 ] || enr_fail "the wave booked no subsidy"

# Subsidy's window ends: its rows go, and the relay publishes the decisions again.
itest_psql -c "DELETE FROM famins.processed_events WHERE consumer_group = '$ENR_SUBS_GROUP'" >/dev/null
itest_psql -c "UPDATE famins.outbox SET sent_at = NULL WHERE topic = '$ENR_DECIDED'" >/dev/null
deadline=$(($(date +%s) + 150))
while [ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE consumer_group = '$ENR_SUBS_GROUP'
    AND error_code = 'WRITE_REJECTED'")" -lt "$booked" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "fewer than $booked WRITE_REJECTED dead letters after 150 s"
    sleep 1
done
[ "$(itest_psql -c "SELECT count(*) || '/' || sum(amount) FROM famins.subsidy_ledger")" = "$ledger" ] ||
    enr_fail "the ledger changed after the re-send"
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE consumer_group = '$ENR_SUBS_GROUP'
    AND error_code = 'WRITE_REJECTED' AND error_text LIKE '%23505%'")" = "$booked" ] ||
    enr_fail "the dead letters are not the ledger's unique violations"
kill -0 "${ENR_PIDS[1]}" || enr_fail "the subsidy worker stopped"
enr_ok "subsidy: $booked re-sent accepted decisions refused by the ledger key (WRITE_REJECTED), ledger $ledger unchanged"

# Eligibility's window ends: its rows go, and the wave is sent again byte for byte.
itest_psql -c "DELETE FROM famins.processed_events WHERE consumer_group = '$ENR_ELIG_GROUP'" >/dev/null
outbox=$(itest_psql -c "SELECT count(*) FROM famins.outbox")
enr_wave 40 901 "$ENR_LOGS/a-again.jsonl" --plan-year 2025 "${wave_opts[@]}"
enr_drain 120 || enr_fail "the re-sent wave was not drained in 120 s"
kill -0 "$elig" || enr_fail "eligibility stopped on events re-sent after the window"
[ "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")" = "$decisions" ] ||
    enr_fail "eligibility decided a re-sent event again"
[ "$(itest_psql -c "SELECT count(*) FROM famins.outbox")" = "$outbox" ] ||
    enr_fail "eligibility published a re-sent event's decision again"
[ "$(itest_psql -c "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$ENR_ELIG_GROUP'")" = 40 ] ||
    enr_fail "the re-sent events' deduplication rows were not written again"
after=$(grep -c 'event=duplicate_after_window' "$ENR_LOGS/elig-1.log" || true)
[ "$after" = 40 ] || enr_fail "$after duplicate_after_window lines, want 40"
[ "$(itest_psql -c "SELECT count(*) FROM famins.dead_letters WHERE consumer_group = '$ENR_ELIG_GROUP'")" = 0 ] ||
    enr_fail "a re-sent event became a dead letter"
# Inside the new window the same events are plain duplicates again.
enr_wave 40 901 "$ENR_LOGS/a-third.jsonl" --plan-year 2025 "${wave_opts[@]}"
enr_drain 120 || enr_fail "the third send was not drained in 120 s"
[ "$(grep -c 'event=duplicate_after_window' "$ENR_LOGS/elig-1.log")" = 40 ] ||
    enr_fail "events inside the new window took the after-window path"
[ "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")" = "$decisions" ] ||
    enr_fail "the third send decided an event again"
enr_ok "eligibility: 40 events re-sent after the window were duplicates (rows written again), $decisions decisions unchanged, the worker goes on"
