#!/usr/bin/env bash
# rebalance.sh — two famins-eligibility instances in one consumer group over 6 partitions; one is stopped
# mid-wave, the other takes its partitions over (after session.timeout.ms: static members do not leave the
# group on close). Nothing is lost and nothing decided twice: the decisions equal famins-wavegen's labels.
# Size: ENR_REBALANCE_HOUSEHOLDS (default 3000), produced at ENR_REBALANCE_RATE events/s (default 400).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_rebalance
source "$(dirname "${BASH_SOURCE[0]}")/enr_common.sh"

households="${ENR_REBALANCE_HOUSEHOLDS:-3000}"
rate="${ENR_REBALANCE_RATE:-400}"
labels="$ENR_LOGS/labels.jsonl"

enr_start_elig elig-a
enr_start_elig elig-b
pid_b=$ENR_LAST_PID
enr_start_relay relay-1
enr_start_subs subs-1

enr_wave "$households" 4242 "$labels" --rate "$rate" &
wave_pid=$!

# Stop b once both members have applied part of the wave.
third=$((households / 3))
deadline=$(($(date +%s) + 120))
while [ "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")" -lt "$third" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "fewer than $third decisions after 120 s"
    sleep 0.2
done
members=$(itest_psql -c "SELECT count(DISTINCT application_name) FROM pg_stat_activity
    WHERE application_name IN ('elig-a', 'elig-b')")
[ "$members" = 2 ] || enr_fail "$members eligibility instances connected, want 2"
enr_stop "$pid_b"
stopped_at=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
enr_ok "elig-b stopped (SIGTERM) after $stopped_at decisions"
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain 240

enr_load_labels "$labels" >/dev/null
enr_check_labels "two instances, one stopped mid-wave"
enr_check_ledger "two instances, one stopped mid-wave"

applied_b=$(grep -hE "event=worker_(counters|stopped)" "$ENR_LOGS/elig-b.log" | tail -1 | sed -n 's/.* applied=\([0-9]*\).*/\1/p')
assigned_a=$(grep -c "event=partition_assigned" "$ENR_LOGS/elig-a.log" || true)
[ "${applied_b:-0}" -gt 0 ] || enr_fail "elig-b applied nothing before it stopped"
[ "$assigned_a" -gt 3 ] || enr_fail "elig-a was assigned $assigned_a partitions in all: it never took b's over"
total=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
enr_ok "elig-b applied $applied_b events before stopping; elig-a took its partitions over ($assigned_a assignments) and decided the rest ($total decisions in all)"

for pid in "${ENR_PIDS[@]}"; do [ "$pid" = "$pid_b" ] || enr_stop "$pid"; done
ENR_PIDS=()
