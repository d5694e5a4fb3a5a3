#!/usr/bin/env bash
# crash_stack.sh — the stack itself fails mid-wave: PostgreSQL is stopped with `pg_ctl -m immediate` (a crash:
# no checkpoint, uncommitted batches lost) and started again, then the Kafka broker is restarted, while
# famins-eligibility, famins-relay and famins-subsidy keep running. They must ride both out (reconnect, rejoin)
# and the drained database must equal famins-wavegen's labels, with the ledger reconciled.
# This DISTURBS THE STACK every other test uses: CTest runs it under RESOURCE_LOCK famins_stack, and it brings
# the stack back up at the end whatever happens. It honours FAMINS_STACK_DIR / FAMINS_PG_PORT /
# FAMINS_KAFKA_PORT / FAMINS_KAFKA_CONTROLLER_PORT, so it can run against a private stack instead.
# Size: CRASH_STACK_HOUSEHOLDS (default 10000).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_stack
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CRASH_STACK_HOUSEHOLDS:-10000}"
stack="$FAMINS_SOURCE_DIR/deploy/local/stack.sh"
stack_dir="${FAMINS_STACK_DIR:-/var/tmp/famins-stack}"
stack_user="${FAMINS_STACK_USER:-famins}"
pg_bindir="${FAMINS_PG_BINDIR:-/usr/lib/postgresql/15/bin}"

# Whatever happens, the stack is up again at the end (then the services are stopped and the database dropped).
restore_stack() {
    FAMINS_SKIP_INSTALL=1 bash "$stack" up >>"$ENR_LOGS/stack.log" 2>&1 || echo "crash_stack: stack.sh up failed" >&2
    enr_cleanup
}
trap restore_stack EXIT

decisions() { itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions" 2>/dev/null || echo 0; }
# wait_decisions N SECONDS: until at least N decisions are committed.
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

enr_start_elig stack-elig
enr_start_relay stack-relay
enr_start_subs stack-subs
labels="$ENR_LOGS/labels.jsonl"
# Paced, so that the wave is still arriving while the stack fails; a long flush bound rides out the broker restart.
enr_wave "$households" 31337 "$labels" --rate "${CRASH_STACK_RATE:-250}" --flush-timeout-ms 300000 &
wave_pid=$!

wait_decisions $((households / 5)) 300
before=$(decisions)
runuser -u "$stack_user" -- "$pg_bindir/pg_ctl" -D "$stack_dir/pg/data" -m immediate -w stop >>"$ENR_LOGS/stack.log" 2>&1 ||
    enr_fail "pg_ctl -m immediate stop failed"
enr_ok "PostgreSQL stopped with -m immediate after $before decisions"
sleep 3
FAMINS_SKIP_INSTALL=1 bash "$stack" up >>"$ENR_LOGS/stack.log" 2>&1 || enr_fail "the stack did not come back"
wait_decisions $((before + households / 10)) 300
alive "after the PostgreSQL crash"
enr_ok "PostgreSQL restarted; the services reconnected and went on ($(decisions) decisions)"

before=$(decisions)
kafka_pid=$(cat "$stack_dir/kafka/kafka.pid")
kill -TERM "$kafka_pid"
for ((i = 0; i < 600; i++)); do kill -0 "$kafka_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$kafka_pid" 2>/dev/null && enr_fail "the broker did not stop within 60 s"
enr_ok "Kafka broker stopped after $before decisions"
sleep 3
FAMINS_SKIP_INSTALL=1 bash "$stack" up >>"$ENR_LOGS/stack.log" 2>&1 || enr_fail "the stack did not come back"
wait "$wave_pid" || enr_fail "famins-wavegen failed (it must ride out the broker restart)"
enr_drain 600
alive "after the broker restart"
enr_ok "Kafka restarted; the wave drained ($(decisions) decisions)"

enr_load_labels "$labels" >/dev/null
enr_check_labels "$households households through a PostgreSQL crash and a broker restart"
enr_check_ledger "$households households through a PostgreSQL crash and a broker restart"
for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
