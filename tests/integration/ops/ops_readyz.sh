#!/usr/bin/env bash
# ops_readyz.sh — /readyz follows the database: famins-eligibility and famins-relay reach PostgreSQL through a
# TCP proxy of the test's own (the shared server is never touched); killing the proxy cuts their connections and
# refuses new ones, and /readyz turns 503 "database unreachable" while /healthz stays 200; starting the proxy
# again brings /readyz back to 200, counts a reconnect, and a wave sent afterwards is decided. Then a worker
# whose batch and a relay whose round are blocked in the database (locks the test holds) turn not ready as
# "stuck" after FAMINS_READY_STUCK_S, and ready again once the locks are gone.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init ops_readyz
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

proxy_port=$(ops_free_port)
elig_port=$(ops_free_port)
relay_port=$(ops_free_port)
PROXY_PID=""
start_proxy() {
    python3 "$(dirname "${BASH_SOURCE[0]}")/tcp_proxy.py" "$proxy_port" 127.0.0.1 "$FAMINS_PG_PORT" \
        >>"$ENR_LOGS/proxy.log" 2>&1 &
    PROXY_PID=$!
    ENR_PIDS+=("$PROXY_PID")
    local i
    for i in $(seq 50); do
        grep -q listening "$ENR_LOGS/proxy.log" 2>/dev/null && [ "$(grep -c listening "$ENR_LOGS/proxy.log")" -ge "$1" ] &&
            return 0
        sleep 0.1
    done
    enr_fail "the TCP proxy did not start"
}
start_proxy 1
via_proxy="host=127.0.0.1 port=$proxy_port dbname=$ITEST_DB connect_timeout=3"
metrics_env=(FAMINS_METRICS_KAFKA_STATS_MS=1000 FAMINS_METRICS_DB_PROBE_S=1 FAMINS_READY_STUCK_S=3)

enr_start_elig elig-1 "${metrics_env[@]}" FAMINS_METRICS_PORT="$elig_port" \
    FAMINS_ELIGIBILITY_PG_DSN="$via_proxy user=famins_eligibility application_name=elig-1"
enr_start_relay relay-1 "${metrics_env[@]}" FAMINS_METRICS_PORT="$relay_port" \
    FAMINS_PG_DSN="$via_proxy user=famins_relay application_name=relay-1"
elig="http://127.0.0.1:$elig_port"
relay="http://127.0.0.1:$relay_port"
ops_wait_status "$elig/readyz" 200 60 "eligibility ready"
ops_wait_status "$relay/readyz" 200 60 "relay ready"
enr_ok "eligibility and relay ready through the proxy"

# PostgreSQL unreachable: the proxy's process ends, with it every connection through it.
kill "$PROXY_PID"
wait "$PROXY_PID" 2>/dev/null || true
ops_wait_status "$elig/readyz" 503 20 "eligibility not ready without its database"
ops_wait_status "$relay/readyz" 503 20 "relay not ready without its database"
grep -q "database unreachable" <<<"$(curl -s -m 5 "$elig/readyz")" || enr_fail "eligibility's reason is not the database"
[ "$(ops_status "$elig/healthz")" = 200 ] || enr_fail "eligibility's /healthz is not 200 while the database is away"
[ "$(ops_status "$relay/healthz")" = 200 ] || enr_fail "relay's /healthz is not 200 while the database is away"
metrics=$(curl -s -m 5 "$elig/metrics")
grep -qx 'famins_db_up 0' <<<"$metrics" || enr_fail "famins_db_up is not 0 while the database is away"
enr_ok "without the database: /readyz 503 database unreachable, /healthz 200, famins_db_up 0"
sleep 3 # it stays not ready while the database stays away
[ "$(ops_status "$elig/readyz")" = 503 ] || enr_fail "eligibility ready again without a database"

# The database back: ready again, one reconnect counted each.
start_proxy 2
ops_wait_status "$elig/readyz" 200 30 "eligibility ready again"
ops_wait_status "$relay/readyz" 200 30 "relay ready again"
for url in "$elig" "$relay"; do
    n=$(curl -s -m 5 "$url/metrics" | awk '$1 == "famins_db_reconnects_total" { print $2 }')
    [ "${n:-0}" -ge 1 ] || enr_fail "$url: famins_db_reconnects_total is ${n:-missing} after a reconnect"
done
enr_ok "database back: /readyz 200 again, famins_db_reconnects_total counted"

# And the worker still decides: a small wave is applied and published through the reconnected sessions.
enr_wave 40 20263 "$ENR_LOGS/labels.jsonl"
deadline=$(($(date +%s) + 120))
until [ "$(enr_lag "$ENR_ELIG_GROUP" "$ENR_IN")" = 0 ] && [ "$(enr_unsent)" = 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "the wave after the reconnect was not decided and published"
    sleep 0.5
done
decided=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
[ "$decided" -gt 0 ] || enr_fail "no decision after the reconnect"
enr_ok "after the reconnect: $decided decisions made and published"

# Stuck: the test holds exclusive locks on processed_events and the outbox, so the worker's next batch waits in
# its deduplication read and the relay's next round in its read of the outbox; the database answers, yet
# nothing is committed.
itest_psql -c "BEGIN; LOCK TABLE famins.processed_events, famins.outbox IN ACCESS EXCLUSIVE MODE;
    SELECT pg_sleep(12); COMMIT" >/dev/null 2>&1 &
LOCK_PID=$!
ENR_PIDS+=("$LOCK_PID")
until [ "$(itest_psql -c "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted
    AND relation IN ('famins.processed_events'::regclass, 'famins.outbox'::regclass)")" = 2 ]; do sleep 0.1; done
enr_wave 20 20264 "$ENR_LOGS/labels-2.jsonl"
ops_wait_status "$elig/readyz" 503 15 "eligibility not ready while its batch is blocked"
grep -q "^stuck" <<<"$(curl -s -m 5 "$elig/readyz")" || enr_fail "eligibility's reason is not stuck: $(curl -s "$elig/readyz")"
[ "$(ops_status "$elig/healthz")" = 200 ] || enr_fail "eligibility's /healthz is not 200 while stuck"
enr_ok "a batch blocked in the database: /readyz 503 ($(curl -s -m 5 "$elig/readyz"))"
ops_wait_status "$relay/readyz" 503 15 "relay not ready while its round is blocked"
grep -q "^stuck" <<<"$(curl -s -m 5 "$relay/readyz")" || enr_fail "relay's reason is not stuck: $(curl -s "$relay/readyz")"
enr_ok "a relay round blocked in the database: /readyz 503 ($(curl -s -m 5 "$relay/readyz"))"
wait "$LOCK_PID" || true
ops_wait_status "$elig/readyz" 200 30 "eligibility ready once the lock is gone"
ops_wait_status "$relay/readyz" 200 30 "relay ready once the lock is gone"
deadline=$(($(date +%s) + 60))
until [ "$(enr_lag "$ENR_ELIG_GROUP" "$ENR_IN")" = 0 ] && [ "$(enr_unsent)" = 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || enr_fail "the blocked wave was not decided and published after the lock"
    sleep 0.5
done
enr_ok "locks released: /readyz 200 again, the blocked wave decided and published"

for pid in "${ENR_PIDS[@]}"; do
    [ "$pid" = "$PROXY_PID" ] || [ "$pid" = "$LOCK_PID" ] && continue
    kill -0 "$pid" 2>/dev/null && enr_stop "$pid"
done
kill "$PROXY_PID" 2>/dev/null || true
ENR_PIDS=()
