#!/usr/bin/env bash
# retention_after_window.sh — what an event re-sent after its processed_events row went meets, on the real
# stack (common/runtime/README.md, "Retention"): subsidy's ledger key refuses a re-sent accepted decision as a
# WRITE_REJECTED dead letter and goes on, never booking twice; eligibility's decision key is found by its facts
# read, and after five redos the worker stops (FM_ECONFLICT) rather than decide twice. The rows are deleted
# here as the tables' owner, as retention would once the window ended.
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
enr_wave 40 901 "$ENR_LOGS/a-again.jsonl" --plan-year 2025 "${wave_opts[@]}"
rc=0
timeout 120 tail --pid="$elig" -f /dev/null || enr_fail "eligibility still runs 120 s after the re-send"
wait "$elig" || rc=$?
ENR_PIDS=("${ENR_PIDS[@]:1}")
[ "$rc" = 1 ] || enr_fail "eligibility exited $rc (want 1)"
grep -q 'event=worker_exit status=FM_ECONFLICT code=ALREADY_DECIDED' "$ENR_LOGS/elig-1.log" ||
    enr_fail "no worker_exit FM_ECONFLICT ALREADY_DECIDED line"
[ "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")" = "$decisions" ] ||
    enr_fail "eligibility decided a re-sent event again"
enr_ok "eligibility: the re-sent events found decided (ALREADY_DECIDED), the worker stopped, $decisions decisions unchanged"
