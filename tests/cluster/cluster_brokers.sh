#!/usr/bin/env bash
# cluster_brokers.sh — an enrollment wave through the three-broker KRaft cluster (replication factor 3,
# min.insync.replicas 2, acks=all) while the brokers fail one after the other: broker 2 is SIGKILLed and
# restarted, then broker 3; then partition leadership is moved back by a preferred-leader election, and broker 1
# is shut down cleanly (its leaderships move) and restarted — all while famins-eligibility, famins-relay and
# famins-subsidy run and famins-wavegen produces. The drained database must equal the labels (no enrollment
# lost, none decided twice), the ledger must reconcile and every output topic must hold every outbox event.
# Kafka: deploy/local/cluster.sh (started if needed); PostgreSQL: the shared stack (the test's own database).
# Size: CLUSTER_HOUSEHOLDS (default 6000) at CLUSTER_RATE (default 35: the wave must outlast three broker restarts) households a second.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/cluster/cl_common.sh"
cl_kafka_up
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init cluster_brokers
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CLUSTER_HOUSEHOLDS:-6000}"
decisions() { itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions" 2>/dev/null || echo 0; }
# wait_decisions N SECONDS: until N decisions (at most 80 % of the wave, which has invalid events too) are committed.
wait_decisions() {
    local want=$1 cap=$((households * 8 / 10))
    [ "$want" -le "$cap" ] || want=$cap
    set -- "$want" "$2"
    local deadline=$(($(date +%s) + $2))
    while [ "$(decisions)" -lt "$1" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || enr_fail "fewer than $1 decisions after $2 s"
        sleep 0.5
    done
}
alive() {
    local pid
    for pid in "${ENR_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || enr_fail "a service (pid $pid) exited: $1"; done
}
# Whatever happens, all three brokers run again at the end.
restore() {
    local n
    for n in 1 2 3; do bash "$CL_SCRIPT" start-broker "$n" >>"$ENR_LOGS/cluster.log" 2>&1 || true; done
    enr_cleanup
}
trap restore EXIT

cl_wait_topic "$ENR_IN" "$ENR_PARTITIONS"
enr_start_elig cl-elig
enr_start_relay cl-relay
enr_start_subs cl-subs
labels="$ENR_LOGS/labels.jsonl"
enr_wave "$households" 4242 "$labels" --rate "${CLUSTER_RATE:-35}" --flush-timeout-ms 300000 &
wave_pid=$!

step=$((households / 10))
wait_decisions "$step" 300
for broker in 2 3; do
    before=$(decisions)
    cl_cluster kill-broker "$broker"
    enr_ok "broker $broker SIGKILLed after $before decisions"
    wait_decisions $((before + step)) 300
    alive "with broker $broker down"
    cl_cluster start-broker "$broker"
    enr_ok "broker $broker restarted ($(decisions) decisions)"
done
cl_cluster leader-election --election-type PREFERRED --all-topic-partitions
enr_ok "preferred-leader election moved the leaderships back ($(decisions) decisions)"
before=$(decisions)
cl_cluster stop-broker 1
enr_ok "broker 1 shut down cleanly after $before decisions (its leaderships moved)"
wait_decisions $((before + step)) 300
cl_cluster start-broker 1
alive "after the broker restarts"
wait "$wave_pid" || enr_fail "famins-wavegen failed (it must ride out the broker failures)"
enr_drain 600
alive "after the wave"
enr_ok "the wave drained ($(decisions) decisions)"

enr_load_labels "$labels" >/dev/null
enr_check_labels "$households households while brokers were killed and leaders moved"
enr_check_ledger "$households households while brokers were killed and leaders moved"
cl_check_outputs "after the broker failures"
for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
