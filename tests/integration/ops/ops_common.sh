#!/usr/bin/env bash
# ops_common.sh — helpers of the metrics and health tests (source after enr_common.sh): free ports, HTTP
# status and body of an endpoint, Prometheus started on its own port and storage, PromQL queries.
OPS_PIDS=()

# ops_free_port: a TCP port nothing listens on now (the kernel's choice for port 0).
ops_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ops_status URL: the HTTP status code (000 when nothing answers).
ops_status() {
    curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" || true
}

# ops_wait_status URL CODE SECONDS WHAT: waits until URL answers CODE.
ops_wait_status() {
    local url="$1" want="$2" deadline=$(($(date +%s) + $3)) got
    while [ "$(date +%s)" -lt "$deadline" ]; do
        got=$(ops_status "$url")
        [ "$got" = "$want" ] && return 0
        sleep 0.2
    done
    enr_fail "$4: $url answered $got, want $want after $3 s (body: $(curl -s -m 5 "$url" || true))"
}

# ops_start_prometheus JOB=PORT...: a real Prometheus scraping 127.0.0.1:PORT/metrics every second under job
# JOB, with its own configuration and storage under ENR_LOGS; sets OPS_PROM (its base URL).
ops_start_prometheus() {
    local port dir="$ENR_LOGS/prometheus" target
    port=$(ops_free_port)
    mkdir -p "$dir/data"
    {
        echo "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}"
        echo "scrape_configs:"
        for target in "$@"; do
            echo "  - job_name: '${target%%=*}'"
            echo "    static_configs: [{targets: ['127.0.0.1:${target#*=}']}]"
        done
    } >"$dir/prometheus.yml"
    promtool check config "$dir/prometheus.yml" >>"$ENR_LOGS/prometheus.log" 2>&1 ||
        enr_fail "promtool refused the generated configuration"
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --log.level=warn >>"$ENR_LOGS/prometheus.log" 2>&1 &
    OPS_PIDS+=($!)
    ENR_PIDS+=($!)
    OPS_PROM="http://127.0.0.1:$port"
    ops_wait_status "$OPS_PROM/-/ready" 200 60 "prometheus"
}

# ops_query PROMQL: the instant vector as lines "label=value,... VALUE", sorted (empty: no series).
ops_query() {
    curl -s -m 10 --data-urlencode "query=$1" "$OPS_PROM/api/v1/query" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
if doc.get("status") != "success":
    sys.exit("query failed: " + json.dumps(doc))
lines = []
for r in doc["data"]["result"]:
    labels = ",".join(k + "=" + v for k, v in sorted(r["metric"].items()) if k not in ("__name__", "job", "instance"))
    value = r["value"][1]
    if value.endswith(".0"):
        value = value[:-2]
    lines.append((labels + " " + value).strip())
print("\n".join(sorted(lines)))'
}

# ops_expect_query PROMQL WANT SECONDS WHAT: waits until the query's answer equals WANT (later scrapes catch
# up with the last commits).
ops_expect_query() {
    local deadline=$(($(date +%s) + $3)) got
    while [ "$(date +%s)" -lt "$deadline" ]; do
        got=$(ops_query "$1")
        [ "$got" = "$2" ] && { enr_ok "$4: $1 = $(echo "$got" | tr '\n' ' ')"; return 0; }
        sleep 1
    done
    enr_fail "$4: Prometheus answers
$got
for $1, the database says
$2"
}
