#!/usr/bin/env bash
# cluster_pg_failover.sh — the primary PostgreSQL fails mid-wave and the synchronous standby takes over: while
# famins-eligibility, famins-relay and famins-subsidy run on deploy/local/cluster.sh's pair with multi-host DSNs
# (host=a,b port=25432,25433 target_session_attrs=read-write) and famins-wavegen produces, the primary is stopped
# with `pg_ctl -m immediate` and the standby promoted. No service is restarted or reconfigured: they must find
# the new primary by themselves, and the drained database must equal the labels (nothing committed lost — the
# standby was synchronous — nothing applied twice), the ledger reconcile. Kafka: the shared stack's broker.
# Size: CLUSTER_FAILOVER_HOUSEHOLDS (default 4000) at CLUSTER_FAILOVER_RATE (default 100) a second.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/cluster/cl_common.sh"
cl_pg_fresh_pair
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init cluster_pg_failover
cl_pg_multi_host
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CLUSTER_FAILOVER_HOUSEHOLDS:-4000}"
decisions() { itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions" 2>/dev/null || echo 0; }
wait_decisions() {
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

cl_wait_topic "$ENR_IN" "$ENR_PARTITIONS"
enr_start_elig fo-elig
enr_start_relay fo-relay
enr_start_subs fo-subs
labels="$ENR_LOGS/labels.jsonl"
enr_wave "$households" 9090 "$labels" --rate "${CLUSTER_FAILOVER_RATE:-100}" &
wave_pid=$!

wait_decisions $((households / 5)) 300
before=$(decisions)
cl_cluster pg-crash-primary
enr_ok "the primary was stopped with -m immediate after $before decisions"
sleep 2
cl_cluster pg-promote
enr_ok "the standby was promoted"
wait_decisions $((before + households / 10)) 300
alive "after the failover"
[ "$(psql "host=127.0.0.1 port=$CL_PG_STANDBY dbname=$ITEST_DB user=famins_admin" -qAt \
    -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'fo-%'")" -ge 3 ] ||
    enr_fail "the services are not connected to the promoted standby"
enr_ok "the services reconnected to the new primary by themselves ($(decisions) decisions)"
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain 600
alive "after the wave"
enr_load_labels "$labels" >/dev/null
enr_check_labels "$households households through a primary crash and a promotion"
enr_check_ledger "$households households through a primary crash and a promotion"
cl_check_outputs "after the failover"
for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
