#!/usr/bin/env bash
# smoke.sh — the benchmark at a tiny size (2,000 households, a few hundred claims) so that tests/bench/run.sh
# cannot rot: it must run end to end on the real stack and write bench-results.json with every figure present
# and non-zero (the few that may truly be zero are listed below), and bench-results.md with every goal. It
# asserts nothing about speed: the figures of a tiny run on a shared machine say nothing.
set -euo pipefail
: "${FAMINS_SOURCE_DIR:?}" "${FAMINS_BUILD_DIR:?}"
out=$(mktemp -d /tmp/famins-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The Kafka Connect peer (a JVM: 30-60 s to start on the shared 2-core machine, and a Maven download on a fresh
# machine) is left out unless FAMINS_BENCH_SMOKE_PEER=1: the smoke stays fast; run.sh runs it by default.
peer_opt=(--no-peer)
[ "${FAMINS_BENCH_SMOKE_PEER:-0}" = 1 ] && peer_opt=()
# Batches of 200 messages: with the services' own 2,000 the tiny wave is one or two batches per instance, and the
# CPU profile's window (it opens at eligibility's first commit) would hold next to nothing.
FAMINS_BATCH_MAX_MESSAGES=200 bash "$FAMINS_SOURCE_DIR/tests/bench/run.sh" --households 2000 --steady-seconds 0.25 --warmup-seconds 0.25 --one-row-sample 200 --eligibility-instances 2 \
    --timeout 150 "${peer_opt[@]}" --out "$out" >"$out/run.log" 2>&1 || { tail -n 30 "$out/run.log" >&2; fail "run.sh failed"; }
json="$out/bench-results.json"
[ -s "$json" ] || fail "no bench-results.json"

# The leaves that must exist (a missing one is reported as such, not as zero).
want='machine.cores machine.load_average_start machine.load_average_end
versions.kafka versions.postgresql versions.librdkafka versions.compiler versions.build_type versions.sanitizers
postgresql_durability.fsync postgresql_durability.synchronous_commit postgresql_durability.full_page_writes
postgresql_durability.wal_sync_method enrollment.one_row_floor.extrapolated
postgresql_memory.shared_buffers postgresql_memory.track_io_timing
wave.households wave.partitions wave.messages wave.produce_seconds wave.decisions wave.ledger_rows wave.dead_letters
enrollment.pipeline.seconds enrollment.pipeline.households_per_s enrollment.pipeline.eligibility_instances
enrollment.kafka_consume_only_ceiling.messages enrollment.kafka_consume_only_ceiling.seconds
enrollment.kafka_consume_only_ceiling.households_per_s
enrollment.postgresql_copy_ceiling.rows enrollment.postgresql_copy_ceiling.seconds
enrollment.postgresql_copy_ceiling.households_per_s
enrollment.one_row_floor.sample_rows enrollment.one_row_floor.rows_per_s enrollment.one_row_floor.rows_per_household
enrollment.one_row_floor.households_per_s
enrollment.ratio_pipeline_to_copy enrollment.ratio_pipeline_to_one_row enrollment.peer.what
memory_kib.first_point_messages memory_kib.half_point_messages
memory_kib.eligibility.at_10_percent memory_kib.eligibility.at_50_percent memory_kib.eligibility.at_end
memory_kib.eligibility.growth memory_kib.eligibility.spread memory_kib.eligibility.rss_at_10_percent
memory_kib.eligibility.rss_at_50_percent memory_kib.eligibility.rss_at_end
memory_kib.subsidy.at_10_percent memory_kib.subsidy.at_50_percent memory_kib.subsidy.at_end memory_kib.subsidy.growth
memory_kib.subsidy.spread memory_kib.subsidy.rss_at_10_percent memory_kib.subsidy.rss_at_50_percent
memory_kib.subsidy.rss_at_end
memory_kib.relay.at_10_percent memory_kib.relay.at_50_percent memory_kib.relay.at_end memory_kib.relay.spread
memory_kib.adjudicator.at_end
claims.settle_seconds claims.adjudicator_instances claims.warmup.seconds claims.warmup.claims claims.warmup.decisions
claims.warmup.latency_ms_committed.p50 claims.warmup.latency_ms_committed.p90 claims.warmup.latency_ms_committed.p99
claims.steady.target_rate claims.steady.claims claims.steady.offered_per_s claims.steady.claims_per_s
claims.steady.decisions claims.steady.latency_ms_committed.p50 claims.steady.latency_ms_committed.p90
claims.steady.latency_ms_committed.p99 claims.steady.latency_ms_published.p50 claims.steady.latency_ms_published.p90
claims.steady.latency_ms_published.p99
claims.steady.reads.blocks_read claims.steady.reads.blocks_hit claims.steady.reads.read_ms
claims.steady.reads.machine_disk_read_kib claims.steady.reads.blocks_read_per_claim claims.steady.reads.read_ms_per_claim
claims.saturation.claims claims.saturation.produce_seconds claims.saturation.seconds claims.saturation.claims_per_s
claims.saturation.decisions claims.saturation.latency_ms_committed.p50 claims.saturation.latency_ms_committed.p90
claims.saturation.latency_ms_committed.p99 claims.saturation.latency_ms_published.p50
claims.saturation.latency_ms_published.p90 claims.saturation.latency_ms_published.p99
claims.postgresql_copy_ceiling.rows claims.postgresql_copy_ceiling.rows_per_claim claims.postgresql_copy_ceiling.seconds
claims.postgresql_copy_ceiling.claims_per_s claims.claims_copy_ceiling_per_s claims.claims_to_copy_ratio
service_log_errors goals.pipeline_at_least_0_7_copy.met goals.claims_at_least_half_claims_copy.met goals.pipeline_at_least_20x_one_row.met
goals.worker_memory_growth_within_10_percent.met goals.adjudication_at_least_10000_per_s.met
goals.p99_latency_at_most_100ms_at_steady_rate.met'
# The enrollment CPU profile (run.sh sections 3, 4 and 8): CPU seconds and CPU-ms per 1,000 households per
# component. In a 2,000-household run a component may use less than one clock tick (10 ms) in the window, and
# the machine may have no idle time: those may be zero; the totals and the COPY backend's may not.
cpu_parts='eligibility subsidy relay postgres_eligibility postgres_subsidy postgres_relay postgres_background'
cpu_parts="$cpu_parts postgres_ended kafka rest_of_machine" # one line: the case below matches " part "
cpu_may_be_zero=enrollment.cpu_profile.machine_idle_share
for part in $cpu_parts pipeline machine_busy; do
    want="$want enrollment.cpu_profile.cpu_seconds.$part enrollment.cpu_profile.cpu_ms_per_1000_households.$part"
    case " $cpu_parts " in *" $part "*) cpu_may_be_zero="$cpu_may_be_zero enrollment.cpu_profile.cpu_seconds.$part
enrollment.cpu_profile.cpu_ms_per_1000_households.$part" ;; esac
done
want="$want enrollment.cpu_profile.window_seconds enrollment.cpu_profile.households_in_window
enrollment.cpu_profile.machine_idle_share enrollment.cpu_profile.cpu_bound_households_per_s
enrollment.cpu_profile.pipeline_to_cpu_bound enrollment.cpu_profile.cpu_bound_ratio_to_copy
enrollment.cpu_profile.copy_backend_cpu_seconds enrollment.cpu_profile.copy_backend_cpu_ms_per_1000_households
enrollment.cpu_profile.copy_machine_busy_cores enrollment.cpu_profile.cpu_work_ratio_bound
enrollment.cpu_profile.postgres_backends_cpu_ms_per_1000_households enrollment.cpu_profile.postgres_backends_to_copy_cpu"
# The claims saturation run's CPU profile (run.sh sections 6, 7 and 8): the components may use less than a tick
# in a small run; the pipeline's total, the machine's and the claims COPY backend's may not.
ccpu_parts='adjudicator relay postgres_adjudicator postgres_relay kafka rest_of_machine'
for part in $ccpu_parts pipeline machine_busy; do
    want="$want claims.saturation.cpu_profile.cpu_seconds.$part claims.saturation.cpu_profile.cpu_ms_per_claim.$part"
    case " $ccpu_parts " in *" $part "*) cpu_may_be_zero="$cpu_may_be_zero claims.saturation.cpu_profile.cpu_seconds.$part
claims.saturation.cpu_profile.cpu_ms_per_claim.$part" ;; esac
done
want="$want claims.saturation.cpu_profile.machine_idle_share claims.saturation.cpu_profile.cpu_bound_claims_per_s
claims.saturation.cpu_profile.saturation_to_cpu_bound claims.saturation.cpu_profile.cpu_bound_ratio_to_copy
claims.saturation.cpu_profile.copy_backend_cpu_seconds claims.saturation.cpu_profile.copy_backend_cpu_ms_per_claim
claims.saturation.cpu_profile.postgres_backends_cpu_ms_per_claim claims.saturation.cpu_profile.postgres_backends_to_copy_cpu
claims.saturation.cpu_profile.cpu_work_ratio_bound"
# The claims COPY of a few hundred claims may take less than a tick: its CPU may be zero and the ratios to it
# then unknown (null, printed "?").
cpu_may_be_zero="$cpu_may_be_zero claims.saturation.cpu_profile.machine_idle_share
claims.saturation.cpu_profile.copy_backend_cpu_seconds claims.saturation.cpu_profile.copy_backend_cpu_ms_per_claim"
may_be_null='claims.saturation.cpu_profile.postgres_backends_to_copy_cpu claims.saturation.cpu_profile.cpu_work_ratio_bound'
[ "${#peer_opt[@]}" = 0 ] && want="$want enrollment.peer.records enrollment.peer.households enrollment.peer.seconds
enrollment.peer.records_per_s enrollment.peer.famins_households_per_s enrollment.peer.famins_to_peer"
# Truly zero-able: memory growth (flat memory is the goal), error lines (0 is right), goals (false is a figure).
may_be_zero='memory_kib.eligibility.growth memory_kib.subsidy.growth memory_kib.eligibility.spread memory_kib.subsidy.spread memory_kib.relay.spread service_log_errors'
may_be_zero="$may_be_zero $(tr '\n' ' ' <<<"$cpu_may_be_zero")"
# A few hundred steady claims may find every block in PostgreSQL's cache: no read, no read time, no disk.
may_be_zero="$may_be_zero claims.steady.reads.blocks_read claims.steady.reads.read_ms"
may_be_zero="$may_be_zero claims.steady.reads.machine_disk_read_kib claims.steady.reads.blocks_read_per_claim"
may_be_zero="$may_be_zero claims.steady.reads.read_ms_per_claim"
bad=0
for path in $want; do
    value=$(jq -r --arg p "$path" 'getpath($p | split(".")) | if . == null then "MISSING" else tostring end' "$json")
    case " $may_be_zero " in *" $path "*) zero_ok=1 ;; *) zero_ok=0 ;; esac
    if [ "$value" = MISSING ]; then
        case " $may_be_null " in *" $path "*) continue ;; esac
        echo "missing: $path" >&2; bad=1
    elif [[ $path == goals.* ]]; then
        [ "$value" = true ] || [ "$value" = false ] || { echo "not a boolean: $path=$value" >&2; bad=1; }
    elif [ "$zero_ok" = 0 ] && { [ -z "$value" ] || [ "$value" = 0 ] || [ "$value" = 0.0 ] || [ "$value" = unknown ]; }; then
        echo "zero or empty: $path=$value" >&2; bad=1
    fi
done
# No leaf in the file that the list above does not know (a new figure must be added here, checked).
extra=$(jq -r '[paths(scalars) | map(tostring) | join(".")] | .[]' "$json" | grep -v '^goals\.[a-z0-9_]*\.\(goal\|figure\)$' |
    grep -vxF -f <(tr ' ' '\n' <<<"$want" | sed '/^$/d') || true)
[ -z "$extra" ] || { echo "unchecked fields: $extra" >&2; bad=1; }
[ "$(jq -r .postgresql_durability.fsync "$json")/$(jq -r .postgresql_durability.synchronous_commit "$json")" = on/on ] ||
    { echo "durability not fsync=on/synchronous_commit=on" >&2; bad=1; }
[ "$(jq .wave.households "$json")" = 2000 ] || { echo "wave.households is not the 2000 asked" >&2; bad=1; }
[ "$(jq '.claims.steady.decisions + .claims.saturation.decisions' "$json")" -ge 300 ] ||
    { echo "fewer than 300 claims decided" >&2; bad=1; }
[ "$bad" = 0 ] || { cat "$json" >&2; fail "bench-results.json incomplete"; }
md="$out/bench-results.md"
for goal in "COPY ceiling" "claims COPY ceiling" "Claims at saturation: CPU per component" "one-row floor" "within 10 %" "10,000 claims/s" "p99 latency"; do
    grep -q "$goal" "$md" || fail "bench-results.md lacks the goal line '$goal'"
done
grep -q "fsync=on, synchronous_commit=on" "$md" || fail "bench-results.md lacks the durability settings"
grep -q "The steady run's reads" "$md" || fail "bench-results.md lacks the steady run's reads"
# At this size every page is cached and the table may have no row: only its header and the database's size.
grep -q "^| relation | kind | blocks read" "$out/steady-reads-by-relation.md" &&
    grep -q "shared_buffers=" "$out/steady-reads-by-relation.md" ||
    fail "steady-reads-by-relation.md missing or without its table"
echo "ok: the benchmark ran end to end at 2,000 households; every figure present and non-zero"
