#!/usr/bin/env bash
# cluster_scaleout.sh — scale-out over 24 partitions: elig-1..4 in one group, then during the wave elig-5 joins,
# elig-2 is stopped (SIGTERM), elig-3 is SIGKILLed, elig-6 joins; two
# famins-relay instances run at once (the outbox lease lets one publish). The drained database must equal the
# labels (nothing lost, nothing decided twice), the ledger reconcile, and the partitions must have been spread:
# at least four instances applied events. Runs on the shared stack (its own database and topics).
# Size: CLUSTER_SCALE_HOUSEHOLDS (default 6000) at CLUSTER_SCALE_RATE (default 300) a second.
set -euo pipefail
export FAMINS_TOPIC_PARTITIONS=24
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init cluster_scaleout
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$FAMINS_SOURCE_DIR/tests/cluster/cl_common.sh"

households="${CLUSTER_SCALE_HOUSEHOLDS:-6000}"
decisions() { itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions" 2>/dev/null || echo 0; }
wait_decisions() {
    local deadline=$(($(date +%s) + $2))
    while [ "$(decisions)" -lt "$1" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "fewer than $1 decisions after $2 s"
        sleep 0.3
    done
}
cl_wait_topic "$ENR_IN" 24

declare -A pid_of
for i in 1 2 3 4; do
    enr_start_elig "elig-$i"
    pid_of[$i]=$ENR_LAST_PID
done
enr_start_relay relay-a
enr_start_relay relay-b
enr_start_subs subs-1
labels="$ENR_LOGS/labels.jsonl"
enr_wave "$households" 2424 "$labels" --rate "${CLUSTER_SCALE_RATE:-300}" &
wave_pid=$!

step=$((households / 8))
wait_decisions "$step" 180
enr_start_elig elig-5
enr_ok "elig-5 joined after $(decisions) decisions"
wait_decisions $((step * 2)) 180
enr_stop "${pid_of[2]}"
enr_ok "elig-2 stopped (SIGTERM) after $(decisions) decisions"
wait_decisions $((step * 3)) 180
kill -KILL "${pid_of[3]}"
wait "${pid_of[3]}" 2>/dev/null || true
enr_ok "elig-3 SIGKILLed after $(decisions) decisions"
enr_start_elig elig-6
enr_ok "elig-6 joined"
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain 400

enr_load_labels "$labels" >/dev/null
enr_check_labels "$households households over 24 partitions, instances added and removed"
enr_check_ledger "$households households over 24 partitions, instances added and removed"
workers=0
for i in 1 2 3 4 5 6; do
    a=$(grep -hE "event=worker_(counters|stopped)" "$ENR_LOGS/elig-$i.log" | tail -1 | sed -n 's/.* applied=\([0-9]*\).*/\1/p')
    [ "${a:-0}" -gt 0 ] && workers=$((workers + 1))
done
[ "$workers" -ge 4 ] || enr_fail "only $workers eligibility instances applied events: the partitions were not spread"
enr_ok "$workers eligibility instances shared the 24 partitions"
for pid in "${ENR_PIDS[@]}"; do
    [ "$pid" = "${pid_of[2]}" ] || [ "$pid" = "${pid_of[3]}" ] || enr_stop "$pid"
done
ENR_PIDS=()
