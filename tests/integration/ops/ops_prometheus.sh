#!/usr/bin/env bash
# ops_prometheus.sh — a real Prometheus (Debian's package, on its own port and storage) scrapes famins-
# eligibility, famins-subsidy, famins-relay and famins-adjudicator every second during a generated wave;
# afterwards the scraped series equal the database: events applied (= processed events), dead letters per
# code, messages committed (= the stored positions), batches, the relay's published rows (= rows marked sent),
# the outbox backlog 0, the consumer lag 0; the endpoints pass promtool's format check, and /healthz and
# /readyz answer 200.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init ops_prometheus
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/ops_common.sh"

households="${OPS_WAVE_HOUSEHOLDS:-1500}"
elig_port=$(ops_free_port)
subs_port=$(ops_free_port)
relay_port=$(ops_free_port)
adj_port=$(ops_free_port)
metrics_env=(FAMINS_METRICS_KAFKA_STATS_MS=1000)

enr_start_elig elig-1 "${metrics_env[@]}" FAMINS_METRICS_PORT="$elig_port"
enr_start_relay relay-1 "${metrics_env[@]}" FAMINS_METRICS_PORT="$relay_port"
enr_start_subs subs-1 "${metrics_env[@]}" FAMINS_METRICS_PORT="$subs_port"
# The adjudicator runs on the same runtime: it serves the same endpoint (no claims in this wave).
env "${enr_worker_env[@]}" "${metrics_env[@]}" FAMINS_METRICS_PORT="$adj_port" FAMINS_GROUP_INSTANCE_ID=adj-1 \
    FAMINS_PG_DSN="$(itest_dsn_as famins_adjudicator) application_name=adj-1" \
    "$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator" >>"$ENR_LOGS/adj-1.log" 2>&1 &
ENR_PIDS+=($!)
for port in "$elig_port" "$subs_port" "$relay_port" "$adj_port"; do
    ops_wait_status "http://127.0.0.1:$port/healthz" 200 30 "healthz"
    ops_wait_status "http://127.0.0.1:$port/readyz" 200 60 "readyz before the wave"
done
enr_ok "/healthz and /readyz answer 200 on the four services before the wave"
[ "$(ops_status "http://127.0.0.1:$elig_port/nothing")" = 404 ] || enr_fail "an unknown path is not 404"

ops_start_prometheus elig="$elig_port" subs="$subs_port" relay="$relay_port" adj="$adj_port"
ops_expect_query 'up' "$(printf '1\n1\n1\n1')" 30 "Prometheus scrapes the four targets"

enr_wave "$households" 20262 "$ENR_LOGS/labels.jsonl" --ineligible-share 0.15
enr_drain 240
sleep 3 # the last commits' statistics (lag) and a scrape after them

# The scraped series against the database.
q() { itest_psql -c "$1" | LC_ALL=C sort; }
applied=$(q "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$ENR_ELIG_GROUP'")
[ "$applied" -gt "$households" ] || enr_fail "only $applied events applied for $households households"
ops_expect_query 'famins_events_applied_total{job="elig"}' "$applied" 20 "eligibility events applied"
ops_expect_query 'famins_events_applied_total{job="subs"}' \
    "$(q "SELECT count(*) FROM famins.processed_events WHERE consumer_group = '$ENR_SUBS_GROUP'")" 20 \
    "subsidy events applied"
dead=$(q "SELECT 'code=' || error_code || ' ' || count(*) FROM famins.dead_letters
    WHERE consumer_group = '$ENR_ELIG_GROUP' GROUP BY error_code")
[ "$(echo "$dead" | grep -c .)" -ge 2 ] || enr_fail "the wave made fewer than two dead-letter codes: $dead"
ops_expect_query 'famins_dead_letters_total{job="elig"}' "$dead" 20 "eligibility dead letters per code"
committed=$(enr_consumed "$ENR_ELIG_GROUP")
ops_expect_query 'famins_events_applied_total{job="elig"} + famins_duplicates_total{job="elig"}
    + on (job, instance) sum by (job, instance) (famins_dead_letters_total{job="elig"})' "$committed" 20 \
    "eligibility applied + duplicates + dead letters = messages committed (stored positions)"
ops_expect_query 'famins_decision_latency_seconds_count{job="elig"}' "$committed" 20 \
    "one decision latency observed per committed message"
ops_expect_query 'famins_batch_size_messages_sum{job="elig"}' "$committed" 20 "batch sizes add up to the messages"
ops_expect_query 'famins_batch_size_messages_count{job="elig"} - famins_batches_total{job="elig"}' 0 5 \
    "one batch size observed per committed batch"
ops_expect_query 'famins_batch_duration_seconds_bucket{job="elig",le="+Inf"}
    - ignoring (le) famins_batches_total{job="elig"}' 0 5 "the +Inf bucket counts every batch"
[ "$(ops_query 'famins_messages_consumed_total{job="elig"} >= bool '"$committed")" = 1 ] ||
    enr_fail "fewer messages consumed than committed"
ops_expect_query 'famins_relay_published_total{job="relay"}' \
    "$(q "SELECT count(*) FROM famins.outbox WHERE sent_at IS NOT NULL")" 20 "relay rows published = rows sent"
ops_expect_query 'famins_outbox_backlog_rows{job="relay"}' 0 20 "the outbox backlog"
ops_expect_query 'famins_relay_lease_held{job="relay"}' 1 5 "the relay holds the lease"
ops_expect_query 'sum(famins_kafka_consumer_lag{job="elig"})' 0 20 "eligibility consumer lag after the drain"
ops_expect_query 'count(famins_kafka_consumer_lag{job="elig"})' "$ENR_PARTITIONS" 5 "a lag series per partition"
ops_expect_query 'famins_assigned_partitions{job="elig"}' "$ENR_PARTITIONS" 5 "partitions held"
ops_expect_query 'min(famins_kafka_broker_up)' 1 5 "every client's broker connection is up"
ops_expect_query 'famins_db_up' "$(printf '1\n1\n1\n1')" 5 "every service's database is up"
ops_expect_query 'count by (service) (famins_build_info)' \
    "$(printf 'service=adjudicator 1\nservice=eligibility 1\nservice=relay 1\nservice=subsidy 1')" 5 \
    "build info per service"
ops_expect_query 'famins_ready' "$(printf '1\n1\n1\n1')" 10 "famins_ready"
ops_expect_query 'famins_events_applied_total{job="adj"}' 0 5 "the adjudicator, idle, applied nothing"

# The exposition passes Prometheus' own checker, and readiness holds after the wave.
for port in "$elig_port" "$subs_port" "$relay_port" "$adj_port"; do
    curl -s -m 5 "http://127.0.0.1:$port/metrics" >"$ENR_LOGS/metrics-$port.txt"
    promtool check metrics <"$ENR_LOGS/metrics-$port.txt" >"$ENR_LOGS/promtool-$port.txt" 2>&1 ||
        enr_fail "promtool check metrics refused port $port: $(cat "$ENR_LOGS/promtool-$port.txt")"
    [ "$(ops_status "http://127.0.0.1:$port/readyz")" = 200 ] || enr_fail "port $port not ready after the wave"
done
enr_ok "promtool accepts every /metrics; every /readyz is 200 after the wave"

for pid in "${ENR_PIDS[@]}"; do
    case " ${OPS_PIDS[*]} " in *" $pid "*) kill "$pid" 2>/dev/null || true ;; *) enr_stop "$pid" ;; esac
done
ENR_PIDS=()
enr_ok "services stopped cleanly on SIGTERM with metrics on"
