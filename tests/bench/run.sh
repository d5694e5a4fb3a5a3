#!/usr/bin/env bash
# run.sh — famins' benchmark: in ONE run on one machine, against the real local stack (a fresh database and
# topic prefix), the enrollment pipeline end to end (famins-eligibility + famins-relay + famins-subsidy) held
# against same-run ceilings (librdkafka consume-only of the same topic, PostgreSQL COPY of the same rows into
# the same tables) and a floor (one INSERT + COMMIT per row), a peer (Kafka Connect's JDBC sink of the same
# households), the workers' peak memory at 10 %, 50 % and 100 % of the wave, and claims (famins-wavegen claims
# -> famins-adjudicator): claims/s and decision latency at a steady rate and at saturation, held against their
# own COPY ceiling. Writes bench-results.json and bench-results.md. See tests/bench/README.md.
#
#   bash tests/bench/run.sh [--households N] [--rate R] [--steady-seconds S] [--one-row-sample K]
#                           [--warmup-seconds S] (claims at the steady rate before the steady run; default 3)
#                           [--partitions P] [--out DIR] [--timeout S] [--seed S] [--wavegen "ARGS"]
#                           [--saturation-policies N]   (claims of at most N policies in the saturation run)
#                           [--eligibility-instances K] (K famins-eligibility in one consumer group; default 2)
#                           [--adjudicators K]  (K famins-adjudicator in one consumer group for the claims; default 2)
#                           [--profile]   (workers log at debug: per-phase batch times in the markdown; slower)
#                           [--no-peer]   (without the Kafka Connect JDBC sink peer, tests/bench/connect.sh)
# Needs FAMINS_BUILD_DIR (default <source>/build) holding the services and tests/bench/tools.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FAMINS_SOURCE_DIR="${FAMINS_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}"
export FAMINS_BUILD_DIR="${FAMINS_BUILD_DIR:-$FAMINS_SOURCE_DIR/build}"

households=1000000
rate=1000
steady_seconds=30
warmup_seconds=3
one_row_sample=2000
partitions=6
out_dir=.
timeout_s=3600
seed=2026
wavegen_args=""
profile=0
saturation_policies=0
elig_instances=2
adj_instances=2
peer=1
usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
}
while [ $# -gt 0 ]; do
    case "$1" in
    --households) households="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --steady-seconds) steady_seconds="$2"; shift 2 ;;
    --warmup-seconds) warmup_seconds="$2"; shift 2 ;;
    --one-row-sample) one_row_sample="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --wavegen) wavegen_args="$2"; shift 2 ;;
    --profile) profile=1; shift ;;
    --saturation-policies) saturation_policies="$2"; shift 2 ;;
    --eligibility-instances) elig_instances="$2"; shift 2 ;;
    --adjudicators) adj_instances="$2"; shift 2 ;;
    --no-peer) peer=0; shift ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
    esac
done
[[ $warmup_seconds =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
    { echo "run.sh: --warmup-seconds takes a number of seconds (0: none)" >&2; exit 2; }
[[ $elig_instances =~ ^[1-9][0-9]*$ && $adj_instances =~ ^[1-9][0-9]*$ ]] ||
    { echo "run.sh: --eligibility-instances and --adjudicators take a positive whole number" >&2; exit 2; }
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)

BIN="$FAMINS_BUILD_DIR/services"
TOOLS="$FAMINS_BUILD_DIR/tests/bench/tools"
for b in "$BIN/eligibility/famins-eligibility" "$BIN/subsidy/famins-subsidy" "$BIN/relay/famins-relay" \
    "$BIN/adjudicator/famins-adjudicator" "$BIN/wavegen/famins-wavegen" "$BIN/admin/famins-admin" \
    "$TOOLS/bench_consume_only" "$TOOLS/bench_one_row"; do
    [ -x "$b" ] || { echo "run.sh: $b not built (cmake --build $FAMINS_BUILD_DIR)" >&2; exit 1; }
done
[ "$peer" = 0 ] || [ -x "$TOOLS/bench_peer_wave" ] ||
    { echo "run.sh: $TOOLS/bench_peer_wave not built (cmake --build $FAMINS_BUILD_DIR)" >&2; exit 1; }

export FAMINS_TOPIC_PARTITIONS="$partitions"
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
# shellcheck source=tools/backend_cpu.sh
source "$FAMINS_SOURCE_DIR/tests/bench/tools/backend_cpu.sh"
itest_init bench
DB1_DSN="$FAMINS_PG_DSN"
COPY_DB="famins_t_bench_copy_$$"
COPY_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${COPY_DB} user=famins_admin"
CCOPY_DB="famins_t_bench_ccopy_$$"
PEER_DB="famins_t_bench_peer_$$"
WORK=$(mktemp -d "/tmp/famins-bench.XXXXXX")
PIDS=()
# Every database of the run is dropped with itest_drop_db (retried: a client's backend exits a moment after the
# client does, and WITH (FORCE) refuses to end another role's session). A database left behind is not harmless: on
# 2026-12-05 the COPY ceiling's 11.7 M fresh rows stayed through the claims runs and their autovacuum stalled the
# steady run's commits for 300-380 ms (its p99 98 and 145 ms, against 50 and 53 ms in runs where the drop went
# through).
drop_peer_db() { itest_drop_db "$PEER_DB" || log "WARNING: the peer's database $PEER_DB could not be dropped"; }
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ -d "$WORK/connect" ] && bash "$HERE/connect.sh" stop "$WORK/connect" 2>/dev/null
    drop_peer_db
    itest_drop_db "$COPY_DB" || true
    itest_drop_db "$CCOPY_DB" || true
    itest_done
    [ "${FAMINS_BENCH_KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
fail() {
    log "FAIL: $*"
    log "logs in $WORK (kept)"
    FAMINS_BENCH_KEEP_WORK=1
    exit 1
}
now() { date +%s.%N; }
calc() { echo "scale=6; $*" | bc -l; }
round() { printf '%.*f' "${2:-0}" "$1"; }
q1() { psql "$DB1_DSN" -v ON_ERROR_STOP=1 -qAt -c "$1"; }
q2() { psql "$COPY_DSN" -v ON_ERROR_STOP=1 -qAt -c "$1"; }

IN_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
DECIDED_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.decided"
CLAIMS_TOPIC="${FAMINS_TOPIC_PREFIX}claim.events"
CLAIM_DECIDED_TOPIC="${FAMINS_TOPIC_PREFIX}claim.decided"
ELIG_GROUP="${FAMINS_TOPIC_PREFIX}famins-eligibility"
SUBS_GROUP="${FAMINS_TOPIC_PREFIX}famins-subsidy"
ADJ_GROUP="${FAMINS_TOPIC_PREFIX}famins-adjudicator"

# ---------------------------------------------------------------- the machine, versions, settings
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cores=$(nproc)
pg_version=$(q1 "SHOW server_version")
pg_fsync=$(q1 "SHOW fsync")
pg_sync_commit=$(q1 "SHOW synchronous_commit")
pg_full_page_writes=$(q1 "SHOW full_page_writes")
pg_wal_sync=$(q1 "SHOW wal_sync_method")
pg_shared_buffers=$(q1 "SHOW shared_buffers")
pg_io_timing=$(q1 "SHOW track_io_timing")
kafka_version=$(bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" status 2>/dev/null | sed -n 's/.*Kafka \([0-9][0-9.]*\).*/\1/p' | head -n1)
rdkafka_version=$(pkg-config --modversion rdkafka 2>/dev/null || echo unknown)
cc_path=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$FAMINS_BUILD_DIR/CMakeCache.txt")
compiler=$("${cc_path:-cc}" --version | head -n1)
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$FAMINS_BUILD_DIR/CMakeCache.txt")
sanitize=$(sed -n 's/^FAMINS_SANITIZE:[A-Z]*=//p' "$FAMINS_BUILD_DIR/CMakeCache.txt")
[ "$pg_fsync" = on ] && [ "$pg_sync_commit" = on ] ||
    fail "the write measurements need fsync=on and synchronous_commit=on (have fsync=$pg_fsync synchronous_commit=$pg_sync_commit)"
[ "$(q1 "SHOW track_commit_timestamp")" = on ] ||
    fail "the claims latency is measured to each decision's commit: PostgreSQL needs track_commit_timestamp=on" \
        "(deploy/local/stack.sh sets it; a stack started before that needs a restart: stack.sh down && stack.sh up)"
log "$cores cores, load $load_start, PostgreSQL $pg_version (fsync=$pg_fsync synchronous_commit=$pg_sync_commit)," \
    "Kafka $kafka_version, librdkafka $rdkafka_version, build $build_type sanitize=$sanitize"
[ "$sanitize" = ON ] && log "WARNING: sanitizer build — figures are not representative (use a Release build)"

# peer_versions: what the peer runs (from connect.sh's poms).
peer_versions() {
    local c="$HERE/connect"
    echo "Kafka Connect $(sed -n 's:.*<kafka.version>\([^<]*\)</kafka.version>.*:\1:p' "$c/runtime-pom.xml" | head -n1) standalone," \
        "Debezium JDBC sink $(sed -n 's:.*<debezium.version>\([^<]*\)</debezium.version>.*:\1:p' "$c/plugin-pom.xml" | head -n1)"
}

# ---------------------------------------------------------------- helpers: lag, memory, services
# hw TOPIC: the sum of the topic's high watermarks.
hw() {
    local args=() p
    for ((p = 0; p < partitions; p++)); do args+=(-t "$1:$p:-1"); done
    kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" "${args[@]}" 2>/dev/null | awk '/offset/ { s += $NF } END { print s + 0 }'
}
# pos GROUP TOPIC: the sum of the group's stored positions (PostgreSQL owns them).
pos() {
    q1 "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE consumer_group = '$1' AND topic = '$2'"
}
unsent() { q1 "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"; }
# The drain waits probe once a second: each probe is a psql (a process, a connection, a backend), about 40 ms of
# CPU, and at five a second the benchmark took 8 % of the 2-core machine from the pipeline it timed. The end of
# a run is therefore not the probe's time but the database's: drained_at GROUP TOPIC prints (epoch seconds) the
# commit of the group's last batch on TOPIC (its positions' compare-and-set, track_commit_timestamp=on) or of
# the relay's last "sent" mark, whichever came later: the moment both were done.
probe_period=1
drained_at() {
    q1 "SELECT extract(epoch FROM greatest(
        (SELECT max(pg_xact_commit_timestamp(xmin)) FROM famins.consumer_positions
          WHERE consumer_group = '$1' AND topic = '$2'),
        (SELECT pg_xact_commit_timestamp(xmin) FROM famins.outbox WHERE sent_at IS NOT NULL
          ORDER BY sent_at DESC LIMIT 1)))"
}
# drained_end VAR GROUP TOPIC PROBE_T WHAT: sets VAR to drained_at GROUP TOPIC, and fails (here, not in a
# subshell) unless that commit came before PROBE_T, the time taken just after the probe that saw WHAT drained:
# a later commit means the probe's reading and the end disagree, and the run's figures would be wrong.
drained_end() {
    local end
    end=$(drained_at "$2" "$3")
    [ -n "$end" ] && [ "$(calc "$end <= $4")" = 1 ] ||
        fail "$5: the last commit ($end) is not before the probe that saw it drained ($4)"
    printf -v "$1" '%s' "$end"
}
# hwm PID: the process's peak resident set (VmHWM) in KiB, 0 when gone.
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# rss PID: the process's resident set now (VmRSS) in KiB, 0 when gone.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# largest FUNCTION PID...: the largest FUNCTION (hwm or rss) of the PIDs (KiB), for a worker's instances.
largest() {
    local f="$1" p m=0 v
    shift
    for p in "$@"; do v=$("$f" "$p"); [ "$v" -gt "$m" ] && m=$v; done
    echo "$m"
}
# first_batch GROUP: epoch seconds of the group's first batch transaction (processed_events.processed_at is the
# transaction's now(): the batch's messages were consumed just before it).
first_batch() {
    q1 "SELECT extract(epoch FROM min(processed_at)) FROM famins.processed_events WHERE consumer_group = '$1'"
}

worker_env=(FAMINS_PERSON_KEY_SECRET=famins-bench-secret FAMINS_STATS_INTERVAL_S=10 FAMINS_SESSION_TIMEOUT_MS=6000)
[ "$profile" = 0 ] || worker_env+=(FAMINS_LOG_LEVEL=debug)
# phases LOG: where a worker's batch time went (from the runtime's debug batch_commit lines) and its redone
# batches (batch_redo: a dead letter found in apply, a lost connection...).
phases() {
    awk -v name="$(basename "$1" .log)" '
        /event=batch_commit/ { n++; for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /_us$/) t[kv[1]] += kv[2]; if (kv[1] == "messages") m += kv[2] } }
        /event=batch_redo/ { redo++ }
        END { printf "| %s | %d | %d | %d |", name, n, m, redo + 0
              split("decode_us lookup_us apply_us write_us commit_us", k, " ")
              for (i = 1; i <= 5; i++) printf " %.2f |", t[k[i]] / 1e6; printf "\n" }' "$1"
}
start_service() { # NAME VAR=value... BINARY: starts it in the background, sets LAST_PID
    local name="$1"
    shift
    env "${worker_env[@]}" "$@" >>"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}
# instance_name NAME I: the service name (and log, NAME.log) of a worker's instance I: NAME, NAME-2, ...
instance_name() { echo "$1$([ "$2" = 1 ] || echo "-$2")"; }
# start_instances NAME K DSN_VAR ROLE APP BINARY: K instances of a worker in one consumer group, each with its
# own database session (ROLE's DSN in DSN_VAR, application_name APP-<i>) and log (NAME.log, NAME-2.log, ...);
# their pids in INSTANCE_PIDS.
start_instances() {
    local name="$1" k="$2" dsn_var="$3" role="$4" app="$5" binary="$6" i
    INSTANCE_PIDS=()
    for ((i = 1; i <= k; i++)); do
        start_service "$(instance_name "$name" "$i")" "$dsn_var=$(itest_dsn_as "$role") application_name=$app-$i" \
            "$binary"
        INSTANCE_PIDS+=("$LAST_PID")
    done
}
check_alive() { # NAME PID: fails, naming the service and how it ended, when it is no longer running
    local rc=0
    kill -0 "$2" 2>/dev/null && return 0
    wait "$2" || rc=$?
    [ "$rc" -gt 128 ] && fail "famins-$1 (pid $2) was killed by signal $((rc - 128)); see $WORK/$1.log"
    fail "famins-$1 (pid $2) exited $rc; see $WORK/$1.log"
}
stop_service() { # PID: SIGTERM, wait, the exit code must be 0
    local rc=0
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" || rc=$?
    [ "$rc" = 0 ] || log "WARNING: process $1 exited $rc after SIGTERM"
}

# ---------------------------------------------------------------- helpers: CPU seconds per component
# The enrollment pipeline's CPU profile (section 3 takes the snapshots, section 8 prints them): CPU seconds
# (utime + stime from /proc/<pid>/stat, in clock ticks) used between two snapshots by each component — the
# famins workers, their PostgreSQL backends (found by application_name), PostgreSQL's lasting background
# processes (WAL writer, checkpointer, background writer, launchers), its transient ones and those that ended in
# between ("postgres ended": autovacuum workers, the probes' sessions and any other user's — the postmaster's own
# times and its reaped children's, which cannot be told apart), the
# Kafka broker JVM(s) — and the rest of the machine: its busy time from /proc/stat minus all of those (the
# benchmark's own psql and kcat, live sessions of other databases, other users). Needs the stack on this
# machine; a component not found counts 0.
CLK_TCK=$(getconf CLK_TCK)
# ticks PID...: utime + stime of the live processes among PIDs, summed (clock ticks).
ticks() {
    local p
    for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null || true; done |
        sed 's/^.*) //' | awk '{ s += $12 + $13 } END { print s + 0 }'
}
# all_ticks PID: utime + stime + cutime + cstime of PID (its own and its reaped children's).
all_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }' || echo 0; }
# machine_ticks: the machine's busy and idle ticks (/proc/stat: user nice system irq softirq steal; idle iowait).
machine_ticks() {
    awk '/^cpu / { print "machine_busy", $2 + $3 + $4 + $7 + $8 + $9; print "machine_idle", $5 + $6 }' /proc/stat
}
# cpu_snapshot: "component ticks" lines for the enrollment pipeline's components, then the machine's busy and
# idle ticks (/proc/stat: user nice system irq softirq steal; idle iowait).
cpu_snapshot() {
    local be_elig=() be_subs=() be_relay=() pg_bg=() pg_this=() pm="" app pid p title db
    while IFS='|' read -r app pid; do
        case "$app" in
        bench-elig-*) be_elig+=("$pid") ;;
        bench-subs) be_subs+=("$pid") ;;
        bench-relay) be_relay+=("$pid") ;;
        esac
    done < <(q1 "SELECT application_name, pid FROM pg_stat_activity WHERE datname = current_database()
        AND application_name LIKE 'bench-%'")
    for pid in "${be_relay[@]}" "${be_subs[@]}" "${be_elig[@]}"; do
        pm=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $2 }') && [ -n "$pm" ] && break
    done
    if [ -n "$pm" ]; then
        for p in $(pgrep -P "$pm"); do
            case " ${be_elig[*]} ${be_subs[*]} ${be_relay[*]} " in *" $p "*) continue ;; esac
            title=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)
            # A client session's title: "postgres: <user> <database> <host>(<port>) <state>".
            db=$(sed -n 's/^postgres: [^ ]* \([^ ]*\) \([0-9A-Fa-f.:]*([0-9]*)\|\[local\]\).*/\1/p' <<<"$title")
            if [ -n "$db" ] && [ "$db" != "$ITEST_DB" ]; then
                continue # another database's session: the rest of the machine
            fi
            case "$title" in
            # The server's lasting processes; a transient one (an autovacuum or parallel worker) may end before
            # the other snapshot, its times then move to the postmaster's: it counts with the ended ones.
            "postgres: checkpointer"* | "postgres: background writer"* | "postgres: walwriter"* | \
                "postgres: autovacuum launcher"* | "postgres: logical replication launcher"* | "postgres: logger"* | \
                "postgres: archiver"* | "postgres: stats collector"*) pg_bg+=("$p") ;;
            *) pg_this+=("$p") ;; # transient, or this run's other sessions (a probe)
            esac
        done
    fi
    echo "eligibility $(ticks "${elig_pids[@]}")"
    echo "subsidy $(ticks "$subs_pid")"
    echo "relay $(ticks "$relay_pid")"
    echo "postgres_eligibility $(ticks "${be_elig[@]}")"
    echo "postgres_subsidy $(ticks "${be_subs[@]}")"
    echo "postgres_relay $(ticks "${be_relay[@]}")"
    echo "postgres_background $(ticks "${pg_bg[@]}")"
    echo "postgres_ended $(($(ticks "${pg_this[@]}") + $([ -n "$pm" ] && all_ticks "$pm" || echo 0)))"
    # shellcheck disable=SC2046 # one word per pid
    echo "kafka $(ticks $(pgrep -f ' kafka\.Kafka ' || true))"
    machine_ticks
}
# cpu_delta START END: "component seconds" between two snapshots.
cpu_delta() {
    awk -v hz="$CLK_TCK" 'NR == FNR { s[$1] = $2; next } { printf "%s %.2f\n", $1, ($2 - s[$1]) / hz }' "$1" "$2"
}
# cpu_json: cpu_delta's "component seconds" lines (standard input) as one JSON object.
cpu_json() { jq -R -s 'split("\n") | map(select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber)}) | add'; }
# claims_cpu_snapshot: "component ticks" lines for the claims pipeline (famins-adjudicator, famins-relay, their
# PostgreSQL sessions by application name, Kafka), then the machine's busy and idle ticks, as cpu_snapshot.
claims_cpu_snapshot() {
    local be_adj be_relay
    be_adj=$(q1 "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name LIKE 'bench-adj-%'")
    be_relay=$(q1 "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name = 'bench-relay'")
    echo "adjudicator $(ticks "${adj_pids[@]}")"
    echo "relay $(ticks "$relay_pid")"
    # shellcheck disable=SC2086 # one word per pid
    echo "postgres_adjudicator $(ticks $be_adj)"
    # shellcheck disable=SC2086 # one word per pid
    echo "postgres_relay $(ticks $be_relay)"
    # shellcheck disable=SC2046 # one word per pid
    echo "kafka $(ticks $(pgrep -f ' kafka\.Kafka ' || true))"
    machine_ticks
}

# ---------------------------------------------------------------- 1. the wave
log "producing $households households to $IN_TOPIC"
t0=$(now)
# shellcheck disable=SC2086 # --wavegen's words are options
"$BIN/wavegen/famins-wavegen" enroll --households "$households" --seed "$seed" --quiet $wavegen_args \
    --policies-out "$WORK/policies.jsonl" -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$IN_TOPIC" \
    >"$WORK/wavegen-enroll.log" 2>&1 || fail "famins-wavegen enroll failed (see $WORK/wavegen-enroll.log)"
produce_s=$(calc "$(now) - $t0")
in_messages=$(hw "$IN_TOPIC")
[ "$in_messages" -gt 0 ] || fail "no message on $IN_TOPIC"
log "produced $in_messages messages in $(round "$produce_s" 1) s"

# ---------------------------------------------------------------- 2. Kafka ceiling: consume-only
"$TOOLS/bench_consume_only" -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$IN_TOPIC" -T "$timeout_s" >"$WORK/consume.json" ||
    fail "bench_consume_only failed"
consume_messages=$(jq .messages "$WORK/consume.json")
consume_s=$(jq .seconds "$WORK/consume.json")
[ "$consume_messages" = "$in_messages" ] || fail "consume-only read $consume_messages of $in_messages messages"
consume_hps=$(calc "$households / $consume_s")
log "consume-only: $consume_messages messages in $(round "$consume_s" 3) s = $(round "$consume_hps") households/s"

# ---------------------------------------------------------------- 3. the enrollment pipeline
log "enrollment pipeline: famins-eligibility (x$elig_instances), famins-relay, famins-subsidy"
# More than one eligibility instance share the topic's partitions as one consumer group (the deployment's way
# to use more cores); each has its own database session.
start_instances eligibility "$elig_instances" FAMINS_ELIGIBILITY_PG_DSN famins_eligibility bench-elig \
    "$BIN/eligibility/famins-eligibility"
elig_pids=("${INSTANCE_PIDS[@]}")
elig_pid=${elig_pids[0]}
# elig_hwm, elig_rss: the largest peak / current resident set of the eligibility instances (KiB).
elig_hwm() { largest hwm "${elig_pids[@]}"; }
elig_rss() { largest rss "${elig_pids[@]}"; }
start_service relay FAMINS_PG_DSN="$(itest_dsn_as famins_relay) application_name=bench-relay" \
    "$BIN/relay/famins-relay"
relay_pid=$LAST_PID
start_service subsidy FAMINS_SUBSIDY_PG_DSN="$(itest_dsn_as famins_subsidy) application_name=bench-subs" \
    "$BIN/subsidy/famins-subsidy"
subs_pid=$LAST_PID

# Drained: eligibility has applied every input message, the outbox is published and subsidy has applied
# every enrollment.decided message. Peak memory is read when eligibility passes 10 % and 50 % of the wave's
# messages and again at the end (VmHWM is the peak so far, so each reading covers everything before it), with
# the resident set at that moment (VmRSS) beside it. Subsidy's readings are taken at its own 10 % and 50 % (its
# position on enrollment.decided against the wave's messages): it runs behind eligibility, and read at
# eligibility's marks its "10 %" came before it had fetched anything (a warm-up reading, not a peak).
tenth=$((in_messages / 10))
half=$((in_messages / 2))
mem10_elig=0 mem10_subs=0 mem10_relay=0 mem10_at=0
mem50_elig=0 mem50_subs=0 mem50_relay=0 mem50_at=0
deadline=$(($(date +%s) + timeout_s))
end_t=""
cpu_a0="" # eligibility's position when the CPU profile's window opened
while :; do
    for p in "${elig_pids[@]}"; do check_alive eligibility "$p"; done
    check_alive relay "$relay_pid"
    check_alive subsidy "$subs_pid"
    # One query per probe (a psql start costs the machine more than the query): eligibility's position, the
    # unsent outbox rows, subsidy's position.
    IFS='|' read -r a unsent_rows b < <(q1 "SELECT (SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions
        WHERE consumer_group = '$ELIG_GROUP' AND topic = '$IN_TOPIC'), (SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL),
        (SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE consumer_group = '$SUBS_GROUP'
        AND topic = '$DECIDED_TOPIC')")
    # The CPU profile's window opens at the first probe that sees eligibility's first commit and closes with
    # the probe that ends the run; its households are scaled by the input messages left at its start.
    if [ -z "$cpu_a0" ] && [ "$a" -gt 0 ]; then
        cpu_snapshot >"$WORK/cpu-start.txt"
        cpu_t0=$(now) cpu_a0=$a
    fi
    if [ "$mem10_at" = 0 ] && [ "$a" -ge "$tenth" ]; then
        mem10_elig=$(elig_hwm) mem10_relay=$(hwm "$relay_pid") mem10_at=$a
        rss10_elig=$(elig_rss)
    fi
    if [ "$mem50_at" = 0 ] && [ "$a" -ge "$half" ]; then
        mem50_elig=$(elig_hwm) mem50_relay=$(hwm "$relay_pid") mem50_at=$a
        rss50_elig=$(elig_rss)
    fi
    if [ "$mem10_subs" = 0 ] && [ "$b" -ge "$tenth" ]; then mem10_subs=$(hwm "$subs_pid") rss10_subs=$(rss "$subs_pid"); fi
    if [ "$mem50_subs" = 0 ] && [ "$b" -ge "$half" ]; then mem50_subs=$(hwm "$subs_pid") rss50_subs=$(rss "$subs_pid"); fi
    if [ "$a" -ge "$in_messages" ] && [ "$unsent_rows" = 0 ]; then
        # Eligibility is done and its outbox published: enrollment.decided is complete.
        [ -n "${d_hw:-}" ] || d_hw=$(hw "$DECIDED_TOPIC")
        if [ "$d_hw" -gt 0 ] && [ "$b" -ge "$d_hw" ]; then
            # Both states were read by this probe's one query (subsidy's outbox rows are counted in unsent):
            # the run ended at subsidy's or the relay's last commit, at most one probe ago.
            cpu_snapshot >"$WORK/cpu-end.txt"
            cpu_t1=$(now)
            drained_end end_t "$SUBS_GROUP" "$DECIDED_TOPIC" "$cpu_t1" "the pipeline"
            break
        fi
    fi
    [ "$(date +%s)" -lt "$deadline" ] || fail "pipeline not drained within ${timeout_s}s (eligibility at $a of $in_messages)"
    sleep "$probe_period"
done
start_t=$(first_batch "$ELIG_GROUP")
pipeline_s=$(calc "$end_t - $start_t")
pipeline_hps=$(calc "$households / $pipeline_s")
mem_end_elig=$(elig_hwm) mem_end_subs=$(hwm "$subs_pid") mem_end_relay=$(hwm "$relay_pid")
rss_end_elig=$(elig_rss) rss_end_subs=$(rss "$subs_pid")
# A wave that subsidy passed in one probe: its 10 % and 50 % readings are the end's (all cover the same past).
[ "$mem10_subs" != 0 ] || mem10_subs=$mem_end_subs rss10_subs=$rss_end_subs
[ "$mem50_subs" != 0 ] || mem50_subs=$mem_end_subs rss50_subs=$rss_end_subs
decisions=$(q1 "SELECT count(*) FROM famins.enrollment_decisions")
ledger_rows=$(q1 "SELECT count(*) FROM famins.subsidy_ledger")
dead_letters=$(q1 "SELECT count(*) FROM famins.dead_letters")
log "pipeline: $households households ($in_messages messages, $decisions decisions, $ledger_rows ledger rows," \
    "$dead_letters dead letters) in $(round "$pipeline_s" 2) s = $(round "$pipeline_hps") households/s"
log "peak memory KiB at $mem10_at / $mem50_at messages / at the end: eligibility $mem10_elig/$mem50_elig/$mem_end_elig," \
    "subsidy $mem10_subs/$mem50_subs/$mem_end_subs, relay $mem10_relay/$mem50_relay/$mem_end_relay"
stop_service "$subs_pid"
for p in "${elig_pids[@]}"; do stop_service "$p"; done

# ---------------------------------------------------------------- 3b. the peer: Kafka Connect's JDBC sink
# What a team would assemble instead (it decides nothing): Kafka Connect standalone with the Debezium JDBC sink
# connector, its usual settings (tests/bench/connect.sh), sinking the same wave's households — one record per
# household, JSON with an embedded schema, on a topic of its own made from the wave (untimed) — into a fresh
# PostgreSQL database, with the famins workers stopped. records/s = records / (the sink's first transaction, the
# table's now() default, to the first probe that sees every household's row): the same ends as the pipeline's.
peer_records=0 peer_households=0 peer_s=0 peer_rps=0 peer_ratio=0
if [ "$peer" = 1 ]; then
    log "peer: Kafka Connect standalone + Debezium JDBC sink (tests/bench/connect.sh)"
    bash "$HERE/connect.sh" install || fail "connect.sh install failed"
    PEER_TOPIC="${FAMINS_TOPIC_PREFIX}bench.households"
    kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$IN_TOPIC" -o beginning -e -q -f '%s\n' |
        "$TOOLS/bench_peer_wave" -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$PEER_TOPIC" -p "$partitions" \
            -k "$WORK/peer-keys.txt" >"$WORK/peer-wave.json" || fail "bench_peer_wave failed"
    peer_records=$(jq .records "$WORK/peer-wave.json")
    peer_households=$(sort -u "$WORK/peer-keys.txt" | wc -l)
    PEER_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${PEER_DB} user=famins_admin"
    psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$PEER_DB\" OWNER famins_admin" >/dev/null
    # The table as the connector would create it (schema.evolution=basic), plus sunk_at: the transaction's
    # now(), which the connector does not write, to time its first batch.
    psql "$PEER_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE TABLE bench_households (household_id text PRIMARY KEY,
        event_id text NOT NULL, plan_year integer, submitted_on text, managing_unit text, members integer NOT NULL,
        sunk_at timestamptz NOT NULL DEFAULT now())" >/dev/null
    bash "$HERE/connect.sh" start "$WORK/connect" "$PEER_TOPIC" "$PEER_DB" bench_households "$elig_instances" ||
        fail "connect.sh start failed"
    connect_pid=$(cat "$WORK/connect/connect.pid")
    deadline=$(($(date +%s) + timeout_s))
    while :; do
        kill -0 "$connect_pid" 2>/dev/null || fail "Kafka Connect stopped; see $WORK/connect/connect.log"
        [ "$(psql "$PEER_DSN" -qAt -c "SELECT count(*) FROM bench_households")" -ge "$peer_households" ] && break
        grep -q 'Task threw an uncaught' "$WORK/connect/connect.log" && fail "the sink task failed; see $WORK/connect/connect.log"
        [ "$(date +%s)" -lt "$deadline" ] || fail "the sink did not write $peer_households rows within ${timeout_s}s"
        sleep "$probe_period"
    done
    # From the sink's first transaction to its last commit: the probes (a count of the growing table, once a
    # second) only tell that it is done.
    IFS='|' read -r peer_start peer_end < <(psql "$PEER_DSN" -qAt -c "SELECT extract(epoch FROM min(sunk_at)),
        extract(epoch FROM max(pg_xact_commit_timestamp(xmin))) FROM bench_households")
    peer_s=$(calc "$peer_end - $peer_start")
    peer_rps=$(calc "$peer_records / $peer_s")
    peer_ratio=$(calc "$pipeline_hps / $peer_rps")
    bash "$HERE/connect.sh" stop "$WORK/connect"
    # Its million fresh rows would otherwise be autovacuumed while the ceilings and the claims runs are timed.
    drop_peer_db
    log "peer: $peer_records records ($peer_households households) in $(round "$peer_s" 2) s = $(round "$peer_rps") records/s;" \
        "famins $(round "$pipeline_hps") households/s = $(round "$peer_ratio" 2) x the sink"
fi

# ---------------------------------------------------------------- 4. PostgreSQL ceiling: COPY the same rows
# The rows the pipeline wrote, every table it wrote in its batch transactions, exported from its database and
# copied into a second fresh database with the same migrations (same tables, indexes, constraints, triggers),
# in one transaction, timed from BEGIN to COMMIT.
copy_tables="enrollment_decisions enrollment_members policies insured_persons subsidy_ledger fraud_signals
processed_events consumer_positions dead_letters outbox"
copy_rows=0
copy_script="$WORK/copy.sql"
# The COPY session's backend CPU (the CPU profile, section 8).
{
    backend_cpu_probe "$WORK/copy-backend" start
    echo "BEGIN;"
} >"$copy_script"
for t in $copy_tables; do
    psql "$DB1_DSN" -v ON_ERROR_STOP=1 -qAt -c "\\copy famins.$t TO '$WORK/$t.copy'" ||
        fail "export of famins.$t failed"
    copy_rows=$((copy_rows + $(wc -l <"$WORK/$t.copy")))
    echo "\\copy famins.$t FROM '$WORK/$t.copy'" >>"$copy_script"
done
echo "COMMIT;" >>"$copy_script"
backend_cpu_probe "$WORK/copy-backend" end >>"$copy_script"
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$COPY_DB\" OWNER famins_admin" >/dev/null
FAMINS_PG_DSN="$COPY_DSN" "$BIN/admin/famins-admin" migrate >"$WORK/admin-copy.log" 2>&1 ||
    fail "famins-admin migrate of the COPY database failed"
[ "$(q2 "SHOW fsync")/$(q2 "SHOW synchronous_commit")" = on/on ] || fail "COPY database not fsync=on/synchronous_commit=on"
awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat >"$WORK/copy-machine-start.txt"
t0=$(now)
psql "$COPY_DSN" -v ON_ERROR_STOP=1 -qAt -f "$copy_script" >/dev/null || fail "COPY FROM failed"
copy_s=$(calc "$(now) - $t0")
awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat >"$WORK/copy-machine-end.txt"
copy_hps=$(calc "$households / $copy_s")
[ "$(q2 "SELECT count(*) FROM famins.enrollment_decisions")" = "$decisions" ] || fail "COPY did not copy every decision"
log "COPY ceiling: $copy_rows rows in $(round "$copy_s" 3) s = $(round "$copy_hps") households/s"

# ---------------------------------------------------------------- 5. the floor: one INSERT + COMMIT per row
q2 "TRUNCATE famins.enrollment_decisions CASCADE" >/dev/null
"$TOOLS/bench_one_row" "$DB1_DSN" "$COPY_DSN" enrollment_decisions "$one_row_sample" >"$WORK/one_row.json" ||
    fail "bench_one_row failed"
one_row_rows=$(jq .rows "$WORK/one_row.json")
one_row_rps=$(jq .rows_per_s "$WORK/one_row.json")
# The floor writes the same result rows as the pipeline and the ceiling, one per transaction: a household
# costs copy_rows / households of them, so its households/s is rows/s divided by that.
rows_per_household=$(calc "$copy_rows / $households")
one_row_hps=$(calc "$one_row_rps / $rows_per_household")
log "one-row floor: $one_row_rows decision rows one INSERT+COMMIT each at $(round "$one_row_rps") rows/s;" \
    "$(round "$rows_per_household" 2) rows per household = $(round "$one_row_hps") households/s (extrapolated from the sample)"

# ---------------------------------------------------------------- 6. claims
# The wave's policies are split: the first part for the steady-rate run, the next for its warm-up, the rest for
# the saturation run, so that the runs' claims never meet (no shared invoices or usage).
policies=$(wc -l <"$WORK/policies.jsonl")
claims_per_policy=0.47   # famins-wavegen's yearly incidence, measured: ~0.47 claims per policy
steady_policies=$(round "$(calc "$rate * $steady_seconds / $claims_per_policy")")
[ "$steady_policies" -le $((policies / 2)) ] || steady_policies=$((policies / 2))
warmup_policies=$(round "$(calc "$rate * $warmup_seconds / $claims_per_policy")")
[ "$warmup_policies" -le $((policies / 4)) ] || warmup_policies=$((policies / 4))
head -n "$steady_policies" "$WORK/policies.jsonl" >"$WORK/policies-steady.jsonl"
# sed, not tail | head: head's early exit would end tail with SIGPIPE, and pipefail the script.
sed -n "$((steady_policies + 1)),$((steady_policies + warmup_policies))p" "$WORK/policies.jsonl" >"$WORK/policies-warmup.jsonl"
tail -n +"$((steady_policies + warmup_policies + 1))" "$WORK/policies.jsonl" >"$WORK/policies-saturation.jsonl"
if [ "$saturation_policies" -gt 0 ]; then
    head -n "$saturation_policies" "$WORK/policies-saturation.jsonl" >"$WORK/policies-saturation-cut.jsonl"
    mv "$WORK/policies-saturation-cut.jsonl" "$WORK/policies-saturation.jsonl"
fi

# The claims runs do not share the machine with the enrollment ceiling's leftovers: its database is dropped
# (at 1,000,000 households autovacuum would otherwise work through its 11.7 million fresh rows during the
# latency run) and the dirty pages are flushed (the local stack grants famins_admin pg_checkpoint; elsewhere
# this is only skipped). The run's own database is NOT vacuumed or analysed here: the adjudicator meets it as
# autovacuum leaves it, as a service does that ran while its tables filled (statements prepared on empty
# tables must not depend on later statistics).
log "claims: settling (drop the COPY database, CHECKPOINT; untimed)"
itest_drop_db "$COPY_DB" || fail "the COPY ceiling's database $COPY_DB could not be dropped: its autovacuum would run beside the claims runs"
t0=$(now)
q1 "CHECKPOINT" >/dev/null 2>&1 || log "CHECKPOINT not allowed for this role: the claims runs may share the machine with it"
settle_s=$(calc "$(now) - $t0")
log "claims: settled in $(round "$settle_s" 1) s; famins-adjudicator (and the relay) running; steady run at $rate claims/s"
# More than one adjudicator share claim.events' partitions as one consumer group, as eligibility's instances do
# (the deployment's way to use more cores: one worker alternates between its own CPU and its backend's).
start_instances adjudicator "$adj_instances" FAMINS_PG_DSN famins_adjudicator bench-adj \
    "$BIN/adjudicator/famins-adjudicator"
adj_pids=("${INSTANCE_PIDS[@]}")
adj_pid=${adj_pids[0]}
adj_alive() { local p; for p in "${adj_pids[@]}"; do check_alive adjudicator "$p"; done; }
# adj_assigned: the partitions the instances were last assigned (each instance's last partition_assigned lines
# after its last revocation), summed.
adj_assigned() {
    local i f n=0 k
    for ((i = 1; i <= adj_instances; i++)); do
        f="$WORK/$(instance_name adjudicator "$i").log"
        k=$(awk '/event=partition_revoked|event=partitions_revoked/ { n = 0 } /event=partition_assigned/ { n++ }
            END { print n + 0 }' "$f" 2>/dev/null || echo 0)
        n=$((n + k))
    done
    echo "$n"
}
# The steady run measures a running service, not its start: wait until the adjudicators hold every partition
# (their partition_assigned lines) and give their first fetches a second, so that claims produced before they
# joined the group do not arrive as one burst at the start.
for ((i = 0; i < 300; i++)); do
    adj_alive
    [ "$(adj_assigned)" -ge "$partitions" ] && break
    sleep 0.2
done
[ "$i" -lt 300 ] || fail "famins-adjudicator (x$adj_instances) was not assigned its $partitions partitions within 60 s"
sleep 1

# claims_wave NAME POLICIES [wavegen options]: produces the claims while the adjudicator runs, waits until it
# has applied them all and the outbox is published; sets W_MESSAGES, W_PRODUCE_S, W_START (first batch of the
# run), W_END (drained), W_T0 (produce start, epoch ms).
claims_wave() {
    local name="$1" file="$2" before after first
    shift 2
    before=$(hw "$CLAIMS_TOPIC")
    W_T0=$(date +%s%3N)
    local t0
    t0=$(now)
    "$BIN/wavegen/famins-wavegen" claims --policies "$file" --seed "$seed" --quiet -b "$FAMINS_KAFKA_BOOTSTRAP" \
        -t "$CLAIMS_TOPIC" "$@" >"$WORK/wavegen-$name.log" 2>&1 || fail "famins-wavegen claims ($name) failed"
    W_PRODUCE_S=$(calc "$(now) - $t0")
    after=$(hw "$CLAIMS_TOPIC")
    W_MESSAGES=$((after - before))
    local deadline=$(($(date +%s) + timeout_s)) t_probe
    while :; do
        adj_alive
        check_alive relay "$relay_pid"
        if [ "$(pos "$ADJ_GROUP" "$CLAIMS_TOPIC")" -ge "$after" ] && [ "$(unsent)" = 0 ]; then
            t_probe=$(now)
            drained_end W_END "$ADJ_GROUP" "$CLAIMS_TOPIC" "$t_probe" "claims ($name)"
            break
        fi
        [ "$(date +%s)" -lt "$deadline" ] || fail "claims ($name) not drained within ${timeout_s}s"
        sleep "$probe_period"
    done
    W_START=$(q1 "SELECT extract(epoch FROM min(processed_at)) FROM famins.processed_events
        WHERE consumer_group = '$ADJ_GROUP' AND processed_at >= to_timestamp($W_T0 / 1000.0)")
}

# latency NAME T0_MS: loads the Kafka timestamps of the claims produced since T0_MS and of their claim.decided
# messages, and prints "p50 p90 p99" (ms) to the decision's commit (PostgreSQL's commit timestamp of the
# claim_decisions row) and to its publication (the claim.decided message's Kafka timestamp).
latency() {
    local name="$1" t0="$2"
    kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$CLAIMS_TOPIC" -o beginning -e -q -f '%p\t%o\t%T\n' \
        >"$WORK/$name-in.tsv"
    kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$CLAIM_DECIDED_TOPIC" -o beginning -e -q -f '%T\t%s\n' |
        jq -Rr 'split("\t") | [.[0], (.[1:] | join("\t") | fromjson | .source_event_id)] | @tsv' \
            >"$WORK/$name-out.tsv"
    psql "$DB1_DSN" -v ON_ERROR_STOP=1 -qAt >/dev/null <<SQL
CREATE SCHEMA IF NOT EXISTS famins_bench;
DROP TABLE IF EXISTS famins_bench.ev_in, famins_bench.ev_out;
CREATE TABLE famins_bench.ev_in (p integer, o bigint, ts_ms bigint);
CREATE TABLE famins_bench.ev_out (ts_ms bigint, source_event_id text);
\\copy famins_bench.ev_in FROM '$WORK/$name-in.tsv'
\\copy famins_bench.ev_out FROM '$WORK/$name-out.tsv'
ANALYZE famins_bench.ev_in, famins_bench.ev_out;
SQL
    q1 "WITH o AS (SELECT source_event_id, min(ts_ms) AS ts_ms FROM famins_bench.ev_out GROUP BY 1),
        d AS (
          SELECT extract(epoch FROM pg_xact_commit_timestamp(d.xmin)) * 1000 - i.ts_ms AS low,
                 o.ts_ms - i.ts_ms AS high
          FROM famins.claim_decisions d
          JOIN famins_bench.ev_in i ON i.p = d.source_partition AND i.o = d.source_offset
          LEFT JOIN o ON o.source_event_id = d.source_event_id
          WHERE d.kind = 'initial' AND d.source_topic = '$CLAIMS_TOPIC' AND i.ts_ms >= $t0)
        SELECT concat_ws(' ', count(*), count(high),
          round(percentile_cont(0.5) WITHIN GROUP (ORDER BY low)::numeric, 1),
          round(percentile_cont(0.9) WITHIN GROUP (ORDER BY low)::numeric, 1),
          round(percentile_cont(0.99) WITHIN GROUP (ORDER BY low)::numeric, 1),
          round(percentile_cont(0.5) WITHIN GROUP (ORDER BY high)::numeric, 1),
          round(percentile_cont(0.9) WITHIN GROUP (ORDER BY high)::numeric, 1),
          round(percentile_cont(0.99) WITHIN GROUP (ORDER BY high)::numeric, 1)) FROM d"
}

# latency_by_second T0_MS: the steady run's committed latency second by second of its produce time (after
# latency, from the same tables): a start-up burst, a checkpoint or another process's stall shows as its own
# rows instead of hiding in the run's p99.
latency_by_second() {
    echo "| second | claims | p50 ms | p90 ms | p99 ms | max ms |"
    echo "|---:|---:|---:|---:|---:|---:|"
    q1 "SELECT format('| %s | %s | %s | %s | %s | %s |', s, count(*),
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY low)::numeric, 1),
            round(percentile_cont(0.9) WITHIN GROUP (ORDER BY low)::numeric, 1),
            round(percentile_cont(0.99) WITHIN GROUP (ORDER BY low)::numeric, 1), round(max(low)::numeric, 1))
        FROM (SELECT (i.ts_ms - $1) / 1000 AS s,
                     extract(epoch FROM pg_xact_commit_timestamp(d.xmin)) * 1000 - i.ts_ms AS low
              FROM famins.claim_decisions d
              JOIN famins_bench.ev_in i ON i.p = d.source_partition AND i.o = d.source_offset
              WHERE d.kind = 'initial' AND d.source_topic = '$CLAIMS_TOPIC' AND i.ts_ms >= $1) x
        GROUP BY s ORDER BY s"
}

# The warm-up: the steady rate for --warmup-seconds on policies of its own, so that the steady run measures a
# running service and not its sessions' first batches (catalog caches, first plans, the first reads of the
# policies' pages: a cold start's first second had p50 224 ms where the next seconds had 25-65 ms). Its latency
# is reported beside the steady run's, never mixed into it; the steady run's latency counts only claims produced
# after it started.
warmup_messages=0 warmup_n=0 w_lo50="" w_lo90="" w_lo99=""
if [ "$warmup_policies" -gt 0 ]; then
    log "claims: warm-up at $rate claims/s for $warmup_seconds s (reported apart from the steady run)"
    claims_wave warmup "$WORK/policies-warmup.jsonl" --rate "$rate"
    warmup_messages=$W_MESSAGES
    read -r warmup_n _ w_lo50 w_lo90 w_lo99 _ _ _ <<<"$(latency warmup "$W_T0")"
    log "warm-up: $warmup_messages claims; latency ms p50/p90/p99 committed $w_lo50/$w_lo90/$w_lo99"
fi

# The steady run's CPU per claim, of the adjudicators and of their PostgreSQL backends (application_name
# bench-adj-<i>): a figure the machine's other load changes far less than the latency (the stack is local).
adj_backends=$(q1 "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE application_name LIKE 'bench-adj-%'")
# shellcheck disable=SC2086 # one word per pid
adj_cpu0=$(ticks "${adj_pids[@]}") adj_pg_cpu0=$(ticks $adj_backends)
adj_log_before=$(wc -l <"$WORK/adjudicator.log")
# io_probe: the run database's block reads from outside PostgreSQL's cache, its hits, the time spent reading
# (ms; 0 without track_io_timing, which the local stack sets) and the machine's disk reads (KiB, /proc/vmstat):
# a batch that waits on the disk shows here and not in the CPU figures. The server's counters lag a backend's
# work by up to a second (they are flushed at most once a second): over a 30 s run, a few percent.
io_probe() {
    printf '%s %s\n' "$(q1 "SELECT concat_ws(' ', blks_read, blks_hit, round(blk_read_time::numeric, 1))
        FROM pg_stat_database WHERE datname = current_database()")" "$(awk '/^pgpgin / { print $2 }' /proc/vmstat)"
}
# relation_reads_snapshot TABLE: every relation's block reads from outside PostgreSQL's cache so far (tables,
# their TOAST and indexes, pg_statio_user_*), kept in famins_bench.TABLE; relation_reads_since TABLE prints the
# relations that read most since then, with their sizes: which pages the steady run waits on.
relation_reads_snapshot() {
    q1 "CREATE SCHEMA IF NOT EXISTS famins_bench; DROP TABLE IF EXISTS famins_bench.$1;
        CREATE TABLE famins_bench.$1 AS
        SELECT relid AS rel, coalesce(heap_blks_read, 0) + coalesce(toast_blks_read, 0) AS blks_read
          FROM pg_statio_user_tables
        UNION ALL SELECT indexrelid, coalesce(idx_blks_read, 0) FROM pg_statio_user_indexes"
}
relation_reads_since() {
    echo "| relation | kind | blocks read | share | size MiB |"
    echo "|---|---|---:|---:|---:|"
    q1 "WITH now AS (
            SELECT relid AS rel, coalesce(heap_blks_read, 0) + coalesce(toast_blks_read, 0) AS blks_read
              FROM pg_statio_user_tables
            UNION ALL SELECT indexrelid, coalesce(idx_blks_read, 0) FROM pg_statio_user_indexes),
        d AS (SELECT now.rel, now.blks_read - coalesce(b.blks_read, 0) AS n
                FROM now LEFT JOIN famins_bench.$1 b USING (rel))
        SELECT format('| %s | %s | %s | %s %% | %s |', c.relnamespace::regnamespace || '.' || c.relname,
                      CASE c.relkind WHEN 'i' THEN 'index' ELSE 'table' END, d.n,
                      round(100.0 * d.n / nullif(sum(d.n) OVER (), 0), 1),
                      round(pg_total_relation_size(c.oid) / 1048576.0, 1))
          FROM d JOIN pg_class c ON c.oid = d.rel WHERE d.n > 0 ORDER BY d.n DESC LIMIT 12"
}
# waits_sampler_start FILE: every backend of the server, ten times a second, from one psql session fed by a
# loop (a psql per sample would cost a core's tenth): what the steady run's sessions wait on, and what else
# runs meanwhile (autovacuum and its table, checkpointer), one line per backend and sample. waits_sampler_stop
# ends it (the loop stops once FILE.run is gone, so the run's cleanup of $WORK ends it too, and psql then ends
# at its input's end, its output whole); steady_waits FILE prints the table of it.
# Other roles' waits show only to a superuser or a member of pg_read_all_stats: the sampler connects as the
# stack's superuser (FAMINS_PG_ADMIN_DSN, as deploy/local/stack.sh env prints it), and samples nothing without one.
WAITS_DSN="${FAMINS_PG_ADMIN_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=postgres user=postgres}"
waits_sampler_start() {
    WAITS_PID="" WAITS_FILE=$1
    if [ "$(psql "$WAITS_DSN" -qAt -c "SELECT pg_has_role('pg_read_all_stats', 'member')" 2>/dev/null)" != t ]; then
        log "WARNING: no superuser session ($WAITS_DSN): the steady run's waits are not sampled"
        : >"$1"
        return 0
    fi
    : >"$1.run"
    (while [ -e "$1.run" ]; do
        echo "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint, backend_type,
                     coalesce(nullif(application_name, ''), '-'), coalesce(state, '-'),
                     coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-'),
                     CASE WHEN backend_type = 'autovacuum worker'
                          THEN coalesce(substring(query FROM 'autovacuum: (?:VACUUM )?(?:ANALYZE )?([a-z_.]+)'), '-') ELSE '-' END,
                     coalesce(datname, '-'),
                     CASE WHEN backend_type = 'client backend' AND wait_event_type = 'IO'
                          THEN coalesce(substring(query FROM '^\\s*((?:INSERT INTO|UPDATE|DELETE FROM|COPY) [a-z_.]+)'),
                                        substring(query FROM '^\\s*([A-Za-z]+)'), '-') ELSE '-' END
                FROM pg_stat_activity WHERE pid <> pg_backend_pid();"
        sleep 0.1
    done | psql "$WAITS_DSN" -qAt -F $'\t' >"$1" 2>/dev/null) &
    WAITS_PID=$!
}
waits_sampler_stop() { rm -f "$WAITS_FILE.run"; [ -z "$WAITS_PID" ] || wait "$WAITS_PID" || true; }
# Who: the adjudicators' sessions, the relay's, autovacuum (with its table), the other background processes;
# idle client sessions (waiting for their client), background processes in their idle loop (wait type
# Activity) and the sampler are left out. A session waiting on I/O is shown with its statement's kind and
# table only (never the statement's text: no literal of it reaches the results). A share is of that group's samples.
steady_waits() {
    echo "| who | waiting on | samples | share of who's samples |"
    echo "|---|---|---:|---:|"
    awk -F '\t' -v db="$ITEST_DB" '
        $2 == "client backend" && $4 == "idle" || $5 == "Activity" { next }
        { who = $2 == "client backend" ? ($3 ~ /^bench-adj-/ ? "adjudicator sessions" : $3 == "bench-relay" ? "relay session" : "other client: " $3) \
                : $2 == "autovacuum worker" ? "autovacuum: " $7 ($8 == db ? "" : " (database " $8 ")") : $2
          what = $5 == "CPU" ? "running (no wait event)" : $5 "/" $6 ($9 == "-" || $9 == "" ? "" : " in " $9)
          n[who SUBSEP what]++; total[who]++ }
        END { for (k in n) { split(k, a, SUBSEP); printf "| %s | %s | %d | %.1f %% |\n", a[1], a[2], n[k], 100 * n[k] / total[a[1]] } }
    ' "$1" | sort -t '|' -k2,2 -k4,4nr
}
relation_reads_snapshot steady_reads0
io_before=$(io_probe)
waits_sampler_start "$WORK/steady-waits.tsv"
claims_wave steady "$WORK/policies-steady.jsonl" --rate "$rate"
waits_sampler_stop
sleep 1 # the backends' last second of counters
read -r io_r0 io_h0 io_t0 io_k0 <<<"$io_before"
read -r io_r1 io_h1 io_t1 io_k1 <<<"$(io_probe)"
steady_blocks_read=$((io_r1 - io_r0))
steady_blocks_hit=$((io_h1 - io_h0))
steady_read_ms=$(calc "$io_t1 - $io_t0")
steady_disk_kib=$((io_k1 - io_k0))
steady_read_share=$(calc "$steady_blocks_read / ($steady_blocks_read + $steady_blocks_hit + 1)")
log "steady: $steady_blocks_read blocks read from outside PostgreSQL's cache ($(round "$(calc "$steady_blocks_read / $W_MESSAGES")" 2)" \
    "per claim, $(round "$(calc "$steady_read_share * 100")" 2) % of block accesses) in $(round "$steady_read_ms") ms;" \
    "the machine read $((steady_disk_kib / 1024)) MiB from disk (shared_buffers=$pg_shared_buffers, track_io_timing=$pg_io_timing)"
hz=$(getconf CLK_TCK)
steady_cpu_worker_ms=$(calc "($(ticks "${adj_pids[@]}") - $adj_cpu0) * 1000 / $hz / $W_MESSAGES")
# shellcheck disable=SC2086 # one word per pid
steady_cpu_pg_ms=$(calc "($(ticks $adj_backends) - $adj_pg_cpu0) * 1000 / $hz / $W_MESSAGES")
log "steady: CPU per claim $(round "$steady_cpu_worker_ms" 3) ms in famins-adjudicator (x$adj_instances)," \
    "$(round "$steady_cpu_pg_ms" 3) ms in its PostgreSQL backends (pids ${adj_backends:-none})"
steady_messages=$W_MESSAGES
steady_in_rate=$(calc "$W_MESSAGES / $W_PRODUCE_S")
steady_cps=$(calc "$W_MESSAGES / ($W_END - $W_START)")
read -r steady_n steady_n_pub s_lo50 s_lo90 s_lo99 s_hi50 s_hi90 s_hi99 <<<"$(latency steady "$W_T0")"
log "steady: $steady_messages claims offered at $(round "$steady_in_rate") /s; latency ms p50/p90/p99:" \
    "committed $s_lo50/$s_lo90/$s_lo99, published $s_hi50/$s_hi90/$s_hi99 ($steady_n decisions, $steady_n_pub published)"
latency_by_second "$W_T0" >"$out_dir/steady-latency-by-second.md"
log "steady: latency second by second in $out_dir/steady-latency-by-second.md"
{
    echo "The steady run's block reads from outside PostgreSQL's cache, by relation (the database's own"
    echo "$(q1 "SELECT pg_size_pretty(pg_database_size(current_database()))"), shared_buffers=$pg_shared_buffers):"
    echo
    relation_reads_since steady_reads0
} >"$out_dir/steady-reads-by-relation.md"
q1 "DROP TABLE famins_bench.steady_reads0"
{
    echo "What the server's processes waited on during the steady run: pg_stat_activity sampled ten times a second"
    echo "($(cut -f1 "$WORK/steady-waits.tsv" | sort -u | wc -l) samples); a client session between statements is left out."
    echo
    steady_waits "$WORK/steady-waits.tsv"
} >"$out_dir/steady-waits.md"
log "steady: what its sessions waited on in $out_dir/steady-waits.md"
log "steady: its reads by relation in $out_dir/steady-reads-by-relation.md"
if [ "$profile" = 1 ]; then
    # The steady run's own batches (the saturation run's would swamp them): their phases, for the breakdown.
    tail -n +"$((adj_log_before + 1))" "$WORK/adjudicator.log" >"$WORK/adjudicator-steady.log"
    bash "$FAMINS_SOURCE_DIR/tests/bench/tools/batch_phases.sh" "$WORK/adjudicator-steady.log" \
        >"$out_dir/steady-batch-phases.md" || log "WARNING: no steady batch phases"
    log "steady: batch phases in $out_dir/steady-batch-phases.md"
fi

log "claims: saturation run (famins-wavegen unpaced, the adjudicator running)"
claims_cpu_snapshot >"$WORK/claims-cpu-start.txt"
claims_wave saturation "$WORK/policies-saturation.jsonl"
claims_cpu_snapshot >"$WORK/claims-cpu-end.txt"
sat_messages=$W_MESSAGES
sat_t0_ms=$W_T0
sat_produce_s=$W_PRODUCE_S
sat_s=$(calc "$W_END - $W_START")
sat_cps=$(calc "$W_MESSAGES / $sat_s")
read -r sat_n sat_n_pub t_lo50 t_lo90 t_lo99 t_hi50 t_hi90 t_hi99 <<<"$(latency saturation "$W_T0")"
mem_end_adj=$(largest hwm "${adj_pids[@]}")
mem_end_relay=$(hwm "$relay_pid")
log "saturation: $sat_messages claims in $(round "$sat_s" 2) s = $(round "$sat_cps") claims/s; latency ms" \
    "p50/p90/p99: committed $t_lo50/$t_lo90/$t_lo99, published $t_hi50/$t_hi90/$t_hi99"
for p in "${adj_pids[@]}"; do stop_service "$p"; done
stop_service "$relay_pid"

# ---------------------------------------------------------------- 7. claims COPY ceiling
# Every row the saturation run wrote (the adjudicator's claims, decisions, bills, usage..., the runtime's
# processed events, positions, dead letters and outbox rows, the relay's sent marks), COPY'd in one
# transaction into a fresh database migrated the same way and holding everything the run's database held
# before the saturation run (loaded first, untimed): the same tables, indexes, foreign keys and triggers, the
# same sizes. A row belongs to the saturation run when its current version was committed after the run's
# first claim was produced (PostgreSQL's commit timestamp of its xmin, track_commit_timestamp=on: nothing but
# the adjudicator and the relay wrote then), so every table is split without knowing which service writes it
# (a table another branch adds is covered too). Tables are loaded parents first (foreign keys' depth).
log "claims COPY ceiling: exporting the saturation run's rows"
CCOPY_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${CCOPY_DB} user=famins_admin"
q3() { psql "$CCOPY_DSN" -v ON_ERROR_STOP=1 -qAt -c "$1"; }
claims_copy_tables=$(q1 "WITH RECURSIVE t AS (SELECT oid, relname FROM pg_class
        WHERE relnamespace = 'famins'::regnamespace AND relkind = 'r'),
    fk AS (SELECT conrelid AS child, confrelid AS parent FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'famins'::regnamespace AND conrelid <> confrelid),
    d(oid, depth) AS (SELECT oid, 0 FROM t UNION ALL
        SELECT fk.child, d.depth + 1 FROM d JOIN fk ON fk.parent = d.oid WHERE d.depth < 32)
    SELECT t.relname FROM t JOIN d USING (oid) GROUP BY t.relname ORDER BY max(d.depth), 1")
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$CCOPY_DB\" OWNER famins_admin" >/dev/null
FAMINS_PG_DSN="$CCOPY_DSN" "$BIN/admin/famins-admin" migrate >"$WORK/admin-ccopy.log" 2>&1 ||
    fail "famins-admin migrate of the claims COPY database failed"
sat_from="to_timestamp($sat_t0_ms / 1000.0)"
before_script="$WORK/claims-before.sql" claims_script="$WORK/claims-copy.sql"
echo "BEGIN;" >"$before_script"
# The claims COPY session's backend CPU, as for the enrollment COPY (section 4).
{
    backend_cpu_probe "$WORK/ccopy-backend" start
    echo "BEGIN;"
} >"$claims_script"
claims_copy_rows=0
for t in $claims_copy_tables; do
    # Rows a migration seeds are already in the fresh database: a table that is not empty there is loaded
    # with the saturation run's rows only.
    if [ "$(q3 "SELECT count(*) FROM (SELECT 1 FROM famins.$t LIMIT 1) x")" = 0 ]; then
        psql "$DB1_DSN" -v ON_ERROR_STOP=1 -qAt -c "\\copy (SELECT * FROM famins.$t WHERE
            coalesce(pg_xact_commit_timestamp(xmin) < $sat_from, true)) TO '$WORK/c0-$t.copy'" ||
            fail "export of famins.$t (before the saturation run) failed"
        [ -s "$WORK/c0-$t.copy" ] && echo "\\copy famins.$t FROM '$WORK/c0-$t.copy'" >>"$before_script"
    fi
    psql "$DB1_DSN" -v ON_ERROR_STOP=1 -qAt -c "\\copy (SELECT * FROM famins.$t WHERE
        pg_xact_commit_timestamp(xmin) >= $sat_from) TO '$WORK/c1-$t.copy'" ||
        fail "export of famins.$t (the saturation run) failed"
    n=$(wc -l <"$WORK/c1-$t.copy")
    if [ "$n" -gt 0 ]; then
        claims_copy_rows=$((claims_copy_rows + n))
        echo "\\copy famins.$t FROM '$WORK/c1-$t.copy'" >>"$claims_script"
        echo "$t $n" >>"$WORK/claims-copy-rows.txt"
    fi
done
echo "COMMIT;" >>"$before_script"
echo "COMMIT;" >>"$claims_script"
backend_cpu_probe "$WORK/ccopy-backend" end >>"$claims_script"
psql "$CCOPY_DSN" -v ON_ERROR_STOP=1 -qAt -f "$before_script" >/dev/null || fail "claims ceiling: loading the rows before the saturation run failed"
q3 "VACUUM ANALYZE" >/dev/null 2>&1 || true
q3 "CHECKPOINT" >/dev/null 2>&1 || true
[ "$(q3 "SHOW fsync")/$(q3 "SHOW synchronous_commit")" = on/on ] || fail "claims COPY database not fsync=on/synchronous_commit=on"
t0=$(now)
psql "$CCOPY_DSN" -v ON_ERROR_STOP=1 -qAt -f "$claims_script" >/dev/null || fail "claims COPY FROM failed"
claims_copy_s=$(calc "$(now) - $t0")
claims_copy_cps=$(calc "$sat_messages / $claims_copy_s")
claims_to_copy_ratio=$(calc "$sat_cps / $claims_copy_cps")
claims_rows_per_claim=$(calc "$claims_copy_rows / $sat_messages")
log "claims COPY ceiling: $claims_copy_rows rows ($(round "$claims_rows_per_claim" 2) per claim:" \
    "$(tr '\n' ' ' <"$WORK/claims-copy-rows.txt")) in $(round "$claims_copy_s" 3) s = $(round "$claims_copy_cps") claims/s;" \
    "saturation / ceiling $(round "$claims_to_copy_ratio" 2)"
itest_drop_db "$CCOPY_DB" || log "WARNING: the claims COPY ceiling's database $CCOPY_DB could not be dropped"
errors=$(cat "$WORK"/*.log | grep -c 'level=error\|"level":"error"\| ERROR ' || true)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 8. the results
ratio_copy=$(calc "$pipeline_hps / $copy_hps")
ratio_floor=$(calc "$pipeline_hps / $one_row_hps")
growth() { calc "($2 - $1) / $1"; }
g_elig=$(growth "$mem10_elig" "$mem_end_elig")
g_subs=$(growth "$mem10_subs" "$mem_end_subs")
# spread A B C: (largest - smallest) / smallest of the three peaks (VmHWM never falls: end vs 10 %, but said
# as the goal says it).
spread() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.6f", (hi - lo) / lo }'; }
s_elig=$(spread "$mem10_elig" "$mem50_elig" "$mem_end_elig")
s_subs=$(spread "$mem10_subs" "$mem50_subs" "$mem_end_subs")
s_relay=$(spread "$mem10_relay" "$mem50_relay" "$mem_end_relay")
met() { [ "$(echo "$1" | bc -l)" = 1 ] && echo true || echo false; }
jq -n \
    --arg cores "$cores" --arg load_start "$load_start" --arg load_end "$load_end" \
    --arg pg "$pg_version" --arg kafka "$kafka_version" --arg rdkafka "$rdkafka_version" --arg cc "$compiler" \
    --arg build "$build_type" --arg sanitize "$sanitize" --arg fsync "$pg_fsync" --arg sc "$pg_sync_commit" \
    --arg fpw "$pg_full_page_writes" --arg wsm "$pg_wal_sync" \
    --argjson households "$households" --argjson partitions "$partitions" --argjson in_messages "$in_messages" \
    --argjson produce_s "$produce_s" --argjson decisions "$decisions" --argjson ledger "$ledger_rows" \
    --argjson dead "$dead_letters" \
    --argjson pipeline_s "$pipeline_s" --argjson pipeline_hps "$pipeline_hps" --argjson elig_instances "$elig_instances" \
    --argjson consume_s "$consume_s" --argjson consume_hps "$consume_hps" --argjson consume_msgs "$consume_messages" \
    --argjson copy_s "$copy_s" --argjson copy_hps "$copy_hps" --argjson copy_rows "$copy_rows" \
    --argjson one_rows "$one_row_rows" --argjson one_rps "$one_row_rps" \
    --argjson rows_per_hh "$rows_per_household" --argjson one_hps "$one_row_hps" \
    --argjson ratio_copy "$ratio_copy" --argjson ratio_floor "$ratio_floor" \
    --argjson m10_at "$mem10_at" --argjson m10e "$mem10_elig" --argjson m10s "$mem10_subs" --argjson m10r "$mem10_relay" \
    --argjson mee "$mem_end_elig" --argjson mes "$mem_end_subs" --argjson mer "$mem_end_relay" --argjson mea "$mem_end_adj" \
    --argjson g_elig "$g_elig" --argjson g_subs "$g_subs" \
    --argjson m50_at "$mem50_at" --argjson m50e "$mem50_elig" --argjson m50s "$mem50_subs" --argjson m50r "$mem50_relay" \
    --argjson r10e "$rss10_elig" --argjson r50e "$rss50_elig" --argjson ree "$rss_end_elig" \
    --argjson r10s "$rss10_subs" --argjson r50s "$rss50_subs" --argjson res "$rss_end_subs" \
    --argjson s_elig "$s_elig" --argjson s_subs "$s_subs" --argjson s_relay "$s_relay" \
    --argjson rate "$rate" --argjson s_msgs "$steady_messages" --argjson s_in "$steady_in_rate" \
    --argjson s_cps "$steady_cps" --argjson s_n "$steady_n" \
    --argjson w_s "$warmup_seconds" --argjson w_msgs "$warmup_messages" --argjson w_n "${warmup_n:-0}" \
    --argjson w_lo50 "${w_lo50:-null}" --argjson w_lo90 "${w_lo90:-null}" --argjson w_lo99 "${w_lo99:-null}" \
    --argjson s_br "$steady_blocks_read" --argjson s_bh "$steady_blocks_hit" --argjson s_rms "$steady_read_ms" \
    --argjson s_dk "$steady_disk_kib" --arg sb "$pg_shared_buffers" --arg iot "$pg_io_timing" \
    --argjson s_lo50 "$s_lo50" --argjson s_lo90 "$s_lo90" --argjson s_lo99 "$s_lo99" \
    --argjson s_hi50 "${s_hi50:-null}" --argjson s_hi90 "${s_hi90:-null}" --argjson s_hi99 "${s_hi99:-null}" \
    --argjson t_msgs "$sat_messages" --argjson t_prod "$sat_produce_s" --argjson t_s "$sat_s" --argjson t_cps "$sat_cps" \
    --argjson t_n "$sat_n" \
    --argjson t_lo50 "$t_lo50" --argjson t_lo90 "$t_lo90" --argjson t_lo99 "$t_lo99" \
    --argjson t_hi50 "${t_hi50:-null}" --argjson t_hi90 "${t_hi90:-null}" --argjson t_hi99 "${t_hi99:-null}" \
    --argjson cc_rows "$claims_copy_rows" --argjson cc_s "$claims_copy_s" --argjson cc_cps "$claims_copy_cps" \
    --argjson cc_rpc "$claims_rows_per_claim" --argjson cc_ratio "$claims_to_copy_ratio" \
    --argjson settle_s "$settle_s" --argjson adj_instances "$adj_instances" \
    --argjson peer "$peer" --argjson p_records "$peer_records" --argjson p_hh "$peer_households" \
    --argjson p_s "$peer_s" --argjson p_rps "$peer_rps" --argjson p_ratio "$peer_ratio" \
    --arg p_versions "$(peer_versions)" \
    --argjson errors "${errors:-0}" \
    '{
  machine: {cores: ($cores | tonumber), load_average_start: $load_start, load_average_end: $load_end},
  versions: {kafka: $kafka, postgresql: $pg, librdkafka: $rdkafka, compiler: $cc, build_type: $build,
             sanitizers: $sanitize},
  postgresql_durability: {fsync: $fsync, synchronous_commit: $sc, full_page_writes: $fpw, wal_sync_method: $wsm},
  postgresql_memory: {shared_buffers: $sb, track_io_timing: $iot},
  wave: {households: $households, partitions: $partitions, messages: $in_messages, produce_seconds: $produce_s,
         decisions: $decisions, ledger_rows: $ledger, dead_letters: $dead},
  enrollment: {
    pipeline: {seconds: $pipeline_s, households_per_s: $pipeline_hps, eligibility_instances: $elig_instances},
    kafka_consume_only_ceiling: {messages: $consume_msgs, seconds: $consume_s, households_per_s: $consume_hps},
    postgresql_copy_ceiling: {rows: $copy_rows, seconds: $copy_s, households_per_s: $copy_hps},
    one_row_floor: {sample_rows: $one_rows, rows_per_s: $one_rps, rows_per_household: $rows_per_hh,
                    households_per_s: $one_hps, extrapolated: true},
    ratio_pipeline_to_copy: $ratio_copy, ratio_pipeline_to_one_row: $ratio_floor,
    peer: (if $peer == 1 then {what: $p_versions, records: $p_records, households: $p_hh, seconds: $p_s,
            records_per_s: $p_rps, famins_households_per_s: $pipeline_hps, famins_to_peer: $p_ratio}
           else {what: "not run (--no-peer)"} end)
  },
  memory_kib: {
    first_point_messages: $m10_at, half_point_messages: $m50_at,
    eligibility: {at_10_percent: $m10e, at_50_percent: $m50e, at_end: $mee, growth: $g_elig, spread: $s_elig,
                  rss_at_10_percent: $r10e, rss_at_50_percent: $r50e, rss_at_end: $ree},
    subsidy: {at_10_percent: $m10s, at_50_percent: $m50s, at_end: $mes, growth: $g_subs, spread: $s_subs,
              rss_at_10_percent: $r10s, rss_at_50_percent: $r50s, rss_at_end: $res},
    relay: {at_10_percent: $m10r, at_50_percent: $m50r, at_end: $mer, spread: $s_relay},
    adjudicator: {at_end: $mea}
  },
  claims: {
    settle_seconds: $settle_s, adjudicator_instances: $adj_instances,
    warmup: {seconds: $w_s, claims: $w_msgs, decisions: $w_n,
             latency_ms_committed: {p50: $w_lo50, p90: $w_lo90, p99: $w_lo99}},
    steady: {target_rate: $rate, claims: $s_msgs, offered_per_s: $s_in, claims_per_s: $s_cps, decisions: $s_n,
             latency_ms_committed: {p50: $s_lo50, p90: $s_lo90, p99: $s_lo99},
             latency_ms_published: {p50: $s_hi50, p90: $s_hi90, p99: $s_hi99},
             reads: {blocks_read: $s_br, blocks_hit: $s_bh, read_ms: $s_rms, machine_disk_read_kib: $s_dk,
                     blocks_read_per_claim: ($s_br / $s_msgs), read_ms_per_claim: ($s_rms / $s_msgs)}},
    saturation: {claims: $t_msgs, produce_seconds: $t_prod, seconds: $t_s, claims_per_s: $t_cps, decisions: $t_n,
             latency_ms_committed: {p50: $t_lo50, p90: $t_lo90, p99: $t_lo99},
             latency_ms_published: {p50: $t_hi50, p90: $t_hi90, p99: $t_hi99}},
    postgresql_copy_ceiling: {rows: $cc_rows, rows_per_claim: $cc_rpc, seconds: $cc_s, claims_per_s: $cc_cps},
    claims_copy_ceiling_per_s: $cc_cps, claims_to_copy_ratio: $cc_ratio
  },
  service_log_errors: $errors
}' >"$WORK/results.json"

# The enrollment pipeline's CPU profile: CPU seconds per component in the window of section 3 (first commit to
# the end of the run), per 1,000 households; the machine's idle share; the COPY ceiling's backend (section 4).
cpu_delta "$WORK/cpu-start.txt" "$WORK/cpu-end.txt" >"$WORK/cpu-pipeline.txt"
cpu_window_s=$(calc "$cpu_t1 - $cpu_t0")
# Households in the window: the wave scaled by the input messages still to apply when it opened (at least 1).
cpu_households=$(calc "$households * ($in_messages - $cpu_a0) / $in_messages")
[ "$(met "$cpu_households >= 1")" = true ] || cpu_households=1
copy_backend_s=$(backend_cpu_seconds "$WORK/copy-backend")
copy_busy_s=$(calc "($(cat "$WORK/copy-machine-end.txt") - $(cat "$WORK/copy-machine-start.txt")) / $CLK_TCK")
cpu_json <"$WORK/cpu-pipeline.txt" >"$WORK/cpu-pipeline.json"
jq --slurpfile d "$WORK/cpu-pipeline.json" --argjson hh "$cpu_households" --argjson win "$cpu_window_s" \
    --argjson cores "$cores" --argjson hps "$pipeline_hps" --argjson copy_hps "$copy_hps" --argjson copy_s "$copy_s" \
    --argjson copy_cpu "$copy_backend_s" --argjson copy_busy "$copy_busy_s" --argjson households "$households" '
    def per1000(s): s * 1000000 / $hh;
    ($d[0]) as $d
    # The pipeline: the workers, their backends, PostgreSQL'"'"'s background processes and Kafka. The ended
    # processes (autovacuum workers among them, but also the probes'"'"' and other users'"'"' sessions) are left out
    # of it: the bounds below are then upper bounds.
    | ["eligibility", "subsidy", "relay", "postgres_eligibility", "postgres_subsidy", "postgres_relay",
       "postgres_background", "kafka"] as $pipeline
    | ($pipeline + ["postgres_ended"]) as $names
    | ([$pipeline[] | $d[.]] | add) as $own
    | ([$d.machine_busy - $own - $d.postgres_ended, 0] | max) as $rest
    | ($d.postgres_eligibility + $d.postgres_subsidy + $d.postgres_relay) as $backends
    | ($copy_cpu * 1000000 / $households) as $copy_ms
    | .enrollment.cpu_profile = {
        window_seconds: $win, households_in_window: $hh,
        cpu_seconds: (([$names[] | {(.): $d[.]}] | add)
            + {rest_of_machine: $rest, pipeline: $own, machine_busy: $d.machine_busy}),
        cpu_ms_per_1000_households: (([$names[] | {(.): per1000($d[.])}] | add)
            + {rest_of_machine: per1000($rest), pipeline: per1000($own), machine_busy: per1000($d.machine_busy)}),
        machine_idle_share: ($d.machine_idle / ($d.machine_busy + $d.machine_idle)),
        cpu_bound_households_per_s: ($cores * $hh / $own),
        pipeline_to_cpu_bound: ($hps * $own / ($cores * $hh)),
        cpu_bound_ratio_to_copy: ($cores * $hh / $own / $copy_hps),
        copy_backend_cpu_seconds: $copy_cpu, copy_backend_cpu_ms_per_1000_households: $copy_ms,
        copy_machine_busy_cores: ($copy_busy / $copy_s),
        cpu_work_ratio_bound: (if $copy_ms > 0 then $cores * $copy_ms / per1000($own) else null end),
        postgres_backends_cpu_ms_per_1000_households: per1000($backends),
        postgres_backends_to_copy_cpu: (if $copy_ms > 0 then per1000($backends) / $copy_ms else null end)}' \
    "$WORK/results.json" >"$WORK/results-cpu.json" && mv "$WORK/results-cpu.json" "$WORK/results.json"

# The claims saturation run's CPU profile: CPU seconds per component from just before famins-wavegen started to
# the last decision (section 6), per claim; the machine's idle share; the claims COPY ceiling's backend
# (section 7). What bounds claims/s: the cores over the CPU a claim costs, and the backends' work against the
# COPY's.
cpu_delta "$WORK/claims-cpu-start.txt" "$WORK/claims-cpu-end.txt" | cpu_json >"$WORK/claims-cpu.json"
ccopy_backend_s=$(backend_cpu_seconds "$WORK/ccopy-backend")
jq --slurpfile d "$WORK/claims-cpu.json" --argjson n "$sat_messages" --argjson cores "$cores" \
    --argjson cps "$sat_cps" --argjson ccps "$claims_copy_cps" --argjson ccopy_cpu "$ccopy_backend_s" '
    $d[0] as $d
    | def per_claim(x): x * 1000 / $n;
    ["adjudicator", "relay", "postgres_adjudicator", "postgres_relay", "kafka"] as $pipeline
    | ([$pipeline[] | $d[.]] | add) as $own
    | ([$d.machine_busy - $own, 0] | max) as $rest
    | ($d.postgres_adjudicator + $d.postgres_relay) as $backends
    | .claims.saturation.cpu_profile = {
        cpu_seconds: (([$pipeline[] | {(.): $d[.]}] | add)
            + {rest_of_machine: $rest, pipeline: $own, machine_busy: $d.machine_busy}),
        cpu_ms_per_claim: (([$pipeline[] | {(.): per_claim($d[.])}] | add)
            + {rest_of_machine: per_claim($rest), pipeline: per_claim($own), machine_busy: per_claim($d.machine_busy)}),
        machine_idle_share: ($d.machine_idle / ($d.machine_busy + $d.machine_idle)),
        cpu_bound_claims_per_s: (if $own > 0 then $cores * $n / $own else null end),
        saturation_to_cpu_bound: (if $own > 0 then $cps * $own / ($cores * $n) else null end),
        cpu_bound_ratio_to_copy: (if $own > 0 then $cores * $n / $own / $ccps else null end),
        copy_backend_cpu_seconds: $ccopy_cpu, copy_backend_cpu_ms_per_claim: per_claim($ccopy_cpu),
        postgres_backends_cpu_ms_per_claim: per_claim($backends),
        postgres_backends_to_copy_cpu: (if $ccopy_cpu > 0 then $backends / $ccopy_cpu else null end),
        cpu_work_ratio_bound: (if $own > 0 and $ccopy_cpu > 0 then $cores * $ccopy_cpu / $own else null end)}' \
    "$WORK/results.json" >"$WORK/results-ccpu.json" && mv "$WORK/results-ccpu.json" "$WORK/results.json"

# Goals, each beside its figure.
g1=$(met "$ratio_copy >= 0.7")
g2=$(met "$ratio_floor >= 20")
g3=$(met "$g_elig <= 0.10 && $g_subs <= 0.10")
g4=$(met "$sat_cps >= 10000")
g5=$(met "${s_lo99:-999999} <= 100")
g6=$(met "$claims_to_copy_ratio >= 0.5")
jq --argjson g1 "$g1" --argjson g2 "$g2" --argjson g3 "$g3" --argjson g4 "$g4" --argjson g5 "$g5" --argjson g6 "$g6" \
    '. + {goals: {
        pipeline_at_least_0_7_copy: {goal: ">= 0.7", figure: .enrollment.ratio_pipeline_to_copy, met: $g1},
        claims_at_least_half_claims_copy: {goal: ">= 0.5", figure: .claims.claims_to_copy_ratio, met: $g6},
        pipeline_at_least_20x_one_row: {goal: ">= 20", figure: .enrollment.ratio_pipeline_to_one_row, met: $g2},
        worker_memory_growth_within_10_percent: {goal: "<= 0.10",
            figure: ([.memory_kib.eligibility.growth, .memory_kib.subsidy.growth] | max), met: $g3},
        adjudication_at_least_10000_per_s: {goal: ">= 10000", figure: .claims.saturation.claims_per_s, met: $g4},
        p99_latency_at_most_100ms_at_steady_rate: {goal: "<= 100", figure: .claims.steady.latency_ms_committed.p99,
            met: $g5}}}' "$WORK/results.json" >"$out_dir/bench-results.json"

r() { round "$1" "${2:-0}"; }
if [ "$peer" = 1 ]; then
    peer_row="| peer: $(peer_versions), usual settings, the same households as JSON with schema (a topic of their own, $peer_records records, $peer_households households), famins stopped | $(r "$peer_s" 2) | $(r "$peer_rps") records/s |"
    peer_line="famins end to end: $(r "$pipeline_hps") households/s, deciding, explaining, booking and publishing; the plain sink: $(r "$peer_rps") records/s, one row per household written, nothing decided: famins = $(r "$peer_ratio" 2) × the sink."
else
    peer_row="| peer: Kafka Connect JDBC sink | not run (--no-peer) | — |"
    peer_line=""
fi
yn() { [ "$1" = true ] && echo met || echo "**not met**"; }
mb() { r "$(calc "$1 / 1024")" 1; }
cat >"$out_dir/bench-results.md" <<MD
# famins benchmark — $(date -u +%Y-%m-%dT%H:%MZ)

Machine: $cores cores, load average $load_start at the start, $load_end at the end (the machine is shared).
Versions: Kafka $kafka_version, PostgreSQL $pg_version, librdkafka $rdkafka_version, $compiler
(build $build_type, sanitizers $sanitize).
PostgreSQL durability in force for every write measurement: fsync=$pg_fsync, synchronous_commit=$pg_sync_commit,
full_page_writes=$pg_full_page_writes, wal_sync_method=$pg_wal_sync; shared_buffers=$pg_shared_buffers,
track_io_timing=$pg_io_timing.
Wave: $households households, $in_messages messages on $partitions partitions (produced in $(r "$produce_s" 1) s),
$decisions decisions, $ledger_rows ledger rows, $dead_letters dead letters.

## Enrollment ($households households)

| measurement | seconds | households/s |
|---|---:|---:|
| pipeline end to end (eligibility ×$elig_instances + relay + subsidy, first batch to lag 0) | $(r "$pipeline_s" 2) | $(r "$pipeline_hps") |
| ceiling: librdkafka consume-only of the same topic | $(r "$consume_s" 2) | $(r "$consume_hps") |
| ceiling: PostgreSQL COPY of the same $copy_rows rows, same tables and indexes, one transaction | $(r "$copy_s" 2) | $(r "$copy_hps") |
| floor: the same rows one INSERT + COMMIT each ($(r "$one_row_rps") rows/s on a $one_row_rows-row sample, extrapolated; $(r "$rows_per_household" 2) rows per household) | — | $(r "$one_row_hps") |
$peer_row

$peer_line

| goal | figure | |
|---|---:|---|
| pipeline ≥ 0.7 × COPY ceiling | $(r "$ratio_copy" 2) × | $(yn "$g1") |
| pipeline ≥ 20 × one-row floor | $(r "$ratio_floor" 1) × | $(yn "$g2") |
| worker memory at the end within 10 % of at 10 % of the wave | eligibility $(r "$(calc "$g_elig * 100")" 1) %, subsidy $(r "$(calc "$g_subs * 100")" 1) % | $(yn "$g3") |

## Peak resident memory (VmHWM, MiB)

| worker | at 10 % of the wave ($mem10_at messages) | at 50 % ($mem50_at) | at the end | spread | resident now at 10 / 50 / 100 % |
|---|---:|---:|---:|---:|---|
| famins-eligibility (the larger of its instances) | $(mb "$mem10_elig") | $(mb "$mem50_elig") | $(mb "$mem_end_elig") | $(r "$(calc "$s_elig * 100")" 1) % | $(mb "$rss10_elig") / $(mb "$rss50_elig") / $(mb "$rss_end_elig") |
| famins-subsidy | $(mb "$mem10_subs") | $(mb "$mem50_subs") | $(mb "$mem_end_subs") | $(r "$(calc "$s_subs * 100")" 1) % | $(mb "$rss10_subs") / $(mb "$rss50_subs") / $(mb "$rss_end_subs") |
| famins-relay (at the end: after the claims too) | $(mb "$mem10_relay") | $(mb "$mem50_relay") | $(mb "$mem_end_relay") | $(r "$(calc "$s_relay * 100")" 1) % | |
| famins-adjudicator | — | — | $(mb "$mem_end_adj") | | |

Peaks are VmHWM from \`/proc/<pid>/status\` read while the wave runs (each reading covers everything before
it): eligibility's and the relay's when eligibility's position passes 10 % and 50 % of the wave's messages,
subsidy's when its own position does (it runs behind); spread = (largest − smallest) / smallest of the three.
On a small wave the 10 % reading comes within a worker's first few fetches (about 4,000 messages each), before
its prefetch has cycled: a warm-up reading. The workers' limits come from \`FAMINS_MEMORY_BUDGET_MB\`
(common/runtime/README.md, "Memory"; \`tests/bench/tools/memory_profile.sh\` shows where a peak comes from).

## Claims

| run | claims | claims/s | latency p50 / p90 / p99 ms (committed) | latency p50 / p90 / p99 ms (published) |
|---|---:|---:|---|---|
| warm-up just before the steady run, at $rate /s for $warmup_seconds s (not counted in the steady figures) | $warmup_messages | — | ${w_lo50:-–} / ${w_lo90:-–} / ${w_lo99:-–} | — |
| steady, offered at $(r "$steady_in_rate") /s (target $rate; famins-adjudicator ×$adj_instances) | $steady_messages | $(r "$steady_cps") | $s_lo50 / $s_lo90 / $s_lo99 | ${s_hi50:-–} / ${s_hi90:-–} / ${s_hi99:-–} |
| saturation (famins-wavegen unpaced, concurrently; famins-adjudicator ×$adj_instances) | $sat_messages | $(r "$sat_cps") | $t_lo50 / $t_lo90 / $t_lo99 | ${t_hi50:-–} / ${t_hi90:-–} / ${t_hi99:-–} |
| ceiling: PostgreSQL COPY of the saturation run's $claims_copy_rows rows ($(r "$claims_rows_per_claim" 2) per claim), same tables, indexes and prior rows, one transaction | $sat_messages | $(r "$claims_copy_cps") | — | — |

| goal | figure | |
|---|---:|---|
| adjudication ≥ 10,000 claims/s | $(r "$sat_cps") | $(yn "$g4") |
| saturation ≥ 0.5 × the claims COPY ceiling | $(r "$claims_to_copy_ratio" 2) × | $(yn "$g6") |
| p99 latency ≤ 100 ms at $rate claims/s (to the decision's commit) | ${s_lo99:-–} ms | $(yn "$g5") |

Latency is measured from the claim.events message's Kafka timestamp (famins-wavegen's produce time). Two ends:
*committed* is the commit of the transaction that wrote the claim_decisions row (PostgreSQL's
\`pg_xact_commit_timestamp\`, track_commit_timestamp=on): the decision's commit, which the goal is read on;
*published* is the Kafka timestamp of the claim.decided message the relay produced after the commit (it adds
the relay's pick-up). The claims runs start after the enrollment ceiling's database is dropped and a CHECKPOINT
($(r "$settle_s" 1) s, untimed; the run's database is not vacuumed or analysed for them), once the adjudicator holds
every partition; the steady run follows a warm-up of $warmup_seconds s at the same rate on policies of its own
(its latency is the warm-up row's, a cold service's first batches).
Service log lines at level error: ${errors:-0}.

The steady run's reads (the run's database, \`pg_stat_database\`): $steady_blocks_read blocks from outside PostgreSQL's
cache ($(r "$(calc "$steady_blocks_read / $steady_messages")" 2) per claim, $(r "$(calc "$steady_read_share * 100")" 2) % of
$((steady_blocks_read + steady_blocks_hit)) block accesses), $(r "$steady_read_ms") ms spent reading them
($(r "$(calc "$steady_read_ms / $steady_messages")" 3) ms per claim; track_io_timing=$pg_io_timing); the machine read
$((steady_disk_kib / 1024)) MiB from its disk meanwhile.
MD
# At a steady rate above what the adjudicator sustains, the "latency" is the age of a growing queue: say so.
if [ "$(met "$steady_cps < 0.9 * $steady_in_rate")" = true ]; then
    echo "**The adjudicator did not keep up with the steady rate** ($(r "$steady_cps") claims/s applied for" \
        "$(r "$steady_in_rate") offered): the steady-run latency is mostly queueing." >>"$out_dir/bench-results.md"
fi
{
    echo
    echo "## Worker counters at exit (from each worker's worker_stopped line; instances summed)"
    echo
    echo "| worker | messages | applied | batches | dead letters | duplicates | redone batches |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for w in eligibility subsidy adjudicator; do
        # Every instance of a worker (eligibility-2.log, ...) counts: the row is their sum.
        logs=("$WORK/$w.log")
        for f in "$WORK/$w"-[0-9]*.log; do [ -e "$f" ] && logs+=("$f"); done
        awk -v name="$w" '/event=worker_stopped/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] += kv[2] } }
            END { printf "| %s | %d | %d | %d | %d | %d | %d |\n", name, c["messages"], c["applied"], c["batches"],
                  c["dead_letters"], c["duplicates"], c["replays"] }' "${logs[@]}"
    done
} >>"$out_dir/bench-results.md"
# The enrollment CPU profile (section 3's window, section 4's COPY backend).
jq -r --argjson k "$elig_instances" '
    def r1: . * 10 | round / 10;
    def r2: . * 100 | round / 100;
    .enrollment as $e | $e.cpu_profile as $c | $c.cpu_seconds as $s | $c.cpu_ms_per_1000_households as $m
    | {eligibility: "famins-eligibility (×\($k), summed)", subsidy: "famins-subsidy", relay: "famins-relay",
       postgres_eligibility: "PostgreSQL: eligibility'"'"'s backends", postgres_subsidy: "PostgreSQL: subsidy'"'"'s backend",
       postgres_relay: "PostgreSQL: the relay'"'"'s backend",
       postgres_background: "PostgreSQL: background processes (WAL writer, checkpointer, background writer)",
       kafka: "Kafka broker (JVM)", pipeline: "**the pipeline** (the rows above)",
       postgres_ended: "PostgreSQL: processes that ended (autovacuum workers, the probes'"'"' and other users'"'"' sessions)",
       rest_of_machine: "rest of the machine (the benchmark'"'"'s psql and kcat, other users)",
       machine_busy: "**the machine, busy**"} as $what
    | "",
      "## Enrollment pipeline: CPU per component",
      "",
      "CPU seconds (utime + stime, `/proc/<pid>/stat`; the machine from `/proc/stat`) from the first probe that saw eligibility'"'"'s first commit to the end of the run: \($c.window_seconds | r2) s, \($c.households_in_window | round) households.",
      "",
      "| component | CPU s | CPU-ms per 1,000 households | share of the busy machine |",
      "|---|---:|---:|---:|",
      ($what | keys_unsorted[] as $n
       | "| \($what[$n]) | \($s[$n] | r2) | \($m[$n] | round) | \($s[$n] / $s.machine_busy * 100 | r1) % |"),
      "",
      "- The machine was idle **\($c.machine_idle_share * 100 | r1) %** of its \(.machine.cores) cores'"'"' time during the pipeline.",
      "- CPU bound: \(.machine.cores) cores ÷ the pipeline'"'"'s \($m.pipeline / 1000 | r2) CPU-ms per household = **\($c.cpu_bound_households_per_s | round) households/s** with the machine to itself and every core busy; it ran at \($e.pipeline.households_per_s | round) (\($c.pipeline_to_cpu_bound * 100 | r1) % of that) = \($c.cpu_bound_ratio_to_copy | r2) × this run'"'"'s COPY ceiling.",
      "- Against the COPY ceiling'"'"'s work: its one backend used \($c.copy_backend_cpu_ms_per_1000_households | round) CPU-ms per 1,000 households (\($c.copy_backend_cpu_seconds | r2) CPU s in its \($e.postgresql_copy_ceiling.seconds | r2) s, while the machine was busy \($c.copy_machine_busy_cores | r2) cores); the pipeline'"'"'s backends use \($c.postgres_backends_cpu_ms_per_1000_households | round) (**\(if $c.postgres_backends_to_copy_cpu == null then "?" else ($c.postgres_backends_to_copy_cpu | r2) end) ×**), the whole pipeline \($m.pipeline | round). A CPU-bound COPY on one core against the pipeline on \(.machine.cores): at most **\(if $c.cpu_work_ratio_bound == null then "?" else ($c.cpu_work_ratio_bound | r2) end) ×** the COPY ceiling at this CPU per household, whatever the load."
' "$out_dir/bench-results.json" >>"$out_dir/bench-results.md"
# The claims saturation run's CPU profile (section 6's run, section 7's COPY backend).
jq -r '
    def r1: . * 10 | round / 10;
    def r2: . * 100 | round / 100;
    def r3: . * 1000 | round / 1000;
    def q(f): if . == null then "?" else f end;
    .claims as $cl | $cl.saturation.cpu_profile as $c | $c.cpu_seconds as $s | $c.cpu_ms_per_claim as $m
    | {adjudicator: "famins-adjudicator", relay: "famins-relay",
       postgres_adjudicator: "PostgreSQL: the adjudicator'"'"'s backend", postgres_relay: "PostgreSQL: the relay'"'"'s backend",
       kafka: "Kafka broker (JVM)", pipeline: "**the claims pipeline** (the rows above)",
       rest_of_machine: "rest of the machine (famins-wavegen producing the claims, PostgreSQL'"'"'s background and other sessions, the benchmark)",
       machine_busy: "**the machine, busy**"} as $what
    | "",
      "## Claims at saturation: CPU per component",
      "",
      "CPU seconds (utime + stime) from just before famins-wavegen started producing the saturation run to its last decision, \($cl.saturation.claims) claims in \($cl.saturation.seconds | r2) s of applying.",
      "",
      "| component | CPU s | CPU-ms per claim | share of the busy machine |",
      "|---|---:|---:|---:|",
      ($what | keys_unsorted[] as $n
       | "| \($what[$n]) | \($s[$n] | r2) | \($m[$n] | r3) | \(if $s.machine_busy > 0 then ($s[$n] / $s.machine_busy * 100 | r1) else "?" end) % |"),
      "",
      "- The machine was idle **\($c.machine_idle_share * 100 | r1) %** of its \(.machine.cores) cores'"'"' time during the run.",
      "- CPU bound: \(.machine.cores) cores ÷ the claims pipeline'"'"'s \($m.pipeline | r3) CPU-ms per claim = **\($c.cpu_bound_claims_per_s | q(round)) claims/s** with the machine to itself and every core busy; it ran at \($cl.saturation.claims_per_s | round) (\($c.saturation_to_cpu_bound | q(. * 100 | r1)) % of that) = \($c.cpu_bound_ratio_to_copy | q(r2)) × this run'"'"'s claims COPY ceiling.",
      "- Against the claims COPY ceiling'"'"'s work: its one backend used \($c.copy_backend_cpu_ms_per_claim | r3) CPU-ms per claim; the adjudicator'"'"'s and the relay'"'"'s backends use \($c.postgres_backends_cpu_ms_per_claim | r3) (**\($c.postgres_backends_to_copy_cpu | q(r2)) ×**). A CPU-bound COPY on one core against the claims pipeline on \(.machine.cores): at most **\($c.cpu_work_ratio_bound | q(r2)) ×** the claims COPY ceiling at this CPU per claim."
' "$out_dir/bench-results.json" >>"$out_dir/bench-results.md"
if [ "$profile" = 1 ]; then
    {
        echo
        echo "## Where the workers' batch time went (--profile: debug logging on, which itself costs)"
        echo
        echo "| worker | batches | messages | redone batches | decode s | lookup s | apply s | write s | commit s |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for w in eligibility subsidy adjudicator; do phases "$WORK/$w.log"; done
    } >>"$out_dir/bench-results.md"
fi
cat "$out_dir/bench-results.md"
log "wrote $out_dir/bench-results.json and $out_dir/bench-results.md"
