#!/usr/bin/env bash
# memory_profile.sh — where the enrollment workers' peak memory comes from: runs famins-eligibility (xK, one
# consumer group), famins-relay and famins-subsidy on a wave (famins-wavegen, as tests/bench/run.sh sections 1
# and 3 do) and samples every worker's VmHWM and VmRSS, and its resident memory by kind of mapping
# (/proc/<pid>/smaps: glibc's main heap, its thread arenas, blocks mapped on their own, thread stacks, files),
# with eligibility's committed position beside each sample. Prints each worker's peak at 10 %, 50 % and 100 %
# of the wave (at the first sample after eligibility's position passes each mark), where its resident memory
# was at its largest and of what, and its CPU seconds. Not part of the test run (a measurement).
#
#   FAMINS_BUILD_DIR=$PWD/build-bench bash tests/bench/tools/memory_profile.sh [--households N] [--instances K]
#       [--interval S] [--seed S] [--out DIR] [--debug] [--extra "VAR=value ..."]
#
# --extra: settings for every worker (e.g. "FAMINS_MEMORY_BUDGET_MB=96" or a glibc tunable,
# "GLIBC_TUNABLES=glibc.malloc.arena_max=1"); --debug: workers log at debug (each batch's batch_commit line,
# with the allocator's figures, is in DIR/<worker>.log). Output: DIR/samples.tsv (one line per worker and
# sample) and DIR/summary.md.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export FAMINS_SOURCE_DIR="${FAMINS_SOURCE_DIR:-$(cd "$HERE/../../.." && pwd)}"
export FAMINS_BUILD_DIR="${FAMINS_BUILD_DIR:-$FAMINS_SOURCE_DIR/build}"

households=200000
instances=2
interval=0.1
seed=2026
out_dir=""
debug=0
extra=""
timeout_s=1800
while [ $# -gt 0 ]; do
    case "$1" in
    --households) households="$2"; shift 2 ;;
    --instances) instances="$2"; shift 2 ;;
    --interval) interval="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out_dir="$2"; shift 2 ;;
    --debug) debug=1; shift ;;
    --extra) extra="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) echo "memory_profile.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
out_dir=${out_dir:-$(mktemp -d /tmp/famins-memprof.XXXXXX)}
mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
BIN="$FAMINS_BUILD_DIR/services"

export FAMINS_TOPIC_PARTITIONS="${FAMINS_TOPIC_PARTITIONS:-6}"
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init memprof
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    itest_done
}
trap cleanup EXIT
log() { echo "[memprof $(date -u +%H:%M:%S)] $*" >&2; }
q() { psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt -c "$1"; }

IN_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
ELIG_GROUP="${FAMINS_TOPIC_PREFIX}famins-eligibility"
SUBS_GROUP="${FAMINS_TOPIC_PREFIX}famins-subsidy"
DECIDED_TOPIC="${FAMINS_TOPIC_PREFIX}enrollment.decided"

log "load $(cut -d' ' -f1-3 /proc/loadavg); producing $households households (seed $seed) to $IN_TOPIC"
"$BIN/wavegen/famins-wavegen" enroll --households "$households" --seed "$seed" --quiet \
    -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$IN_TOPIC" >"$out_dir/wavegen.log" 2>&1 ||
    { log "famins-wavegen failed (see $out_dir/wavegen.log)"; exit 1; }
in_messages=$(kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" $(for ((p = 0; p < FAMINS_TOPIC_PARTITIONS; p++)); do
    printf -- '-t %s:%d:-1 ' "$IN_TOPIC" "$p"; done) 2>/dev/null | awk '/offset/ { s += $NF } END { print s + 0 }')
[ "$in_messages" -gt 0 ] || { log "no message on $IN_TOPIC"; exit 1; }
log "$in_messages messages"

worker_env=(FAMINS_PERSON_KEY_SECRET=famins-bench-secret FAMINS_STATS_INTERVAL_S=10 FAMINS_SESSION_TIMEOUT_MS=6000)
[ "$debug" = 0 ] || worker_env+=(FAMINS_LOG_LEVEL=debug)
# shellcheck disable=SC2206 # --extra's words are settings
worker_env+=($extra)
names=() pids=()
start() { # NAME VAR=value... BINARY
    local name="$1"
    shift
    env "${worker_env[@]}" "$@" >>"$out_dir/$name.log" 2>&1 &
    PIDS+=("$!") pids+=("$!") names+=("$name")
}
for ((i = 1; i <= instances; i++)); do
    start "eligibility-$i" FAMINS_ELIGIBILITY_PG_DSN="$(itest_dsn_as famins_eligibility) application_name=memprof-elig-$i" \
        "$BIN/eligibility/famins-eligibility"
done
start relay FAMINS_PG_DSN="$(itest_dsn_as famins_relay) application_name=memprof-relay" "$BIN/relay/famins-relay"
start subsidy FAMINS_SUBSIDY_PG_DSN="$(itest_dsn_as famins_subsidy) application_name=memprof-subs" \
    "$BIN/subsidy/famins-subsidy"

# sample PID: "hwm rss heap arenas mapped stacks files other" in KiB. Arena heaps are the read-write part of a
# 64 MiB reservation (the rest ---p right after it); stacks follow a 4 KiB ---p guard; mapped blocks are the
# other anonymous read-write mappings (glibc maps blocks at or above M_MMAP_THRESHOLD on their own).
sample() {
    local st=/proc/$1/status sm=/proc/$1/smaps
    [ -r "$st" ] || { echo "0 0 0 0 0 0 0 0"; return; }
    { awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 } END { printf "%d %d ", h, r }' "$st"
      awk 'function flush() { if (n) { kind[n] = k; rss[n] = rs; sz[n] = s; perm[n] = p; lo[n] = a; hi[n] = b } }
           /^[0-9a-f]+-[0-9a-f]+ / { flush(); n++; split($1, ab, "-"); a = ab[1]; b = ab[2]; p = $2;
               k = NF >= 6 ? $6 : ""; rs = 0; s = 0; next }
           /^Size:/ { s = $2 } /^Rss:/ { rs = $2 }
           END { flush()
               for (i = 1; i <= n; i++) {
                   c = "other"
                   if (kind[i] == "[heap]") c = "heap"
                   else if (kind[i] == "[stack]") c = "stacks"
                   else if (kind[i] ~ /^\//) c = "files"
                   else if (kind[i] == "" && perm[i] ~ /^rw/) {
                       if (i < n && kind[i + 1] == "" && perm[i + 1] ~ /^---/ && hi[i] == lo[i + 1] &&
                           sz[i] + sz[i + 1] == 65536) c = "arenas"
                       else if (i > 1 && kind[i - 1] == "" && perm[i - 1] ~ /^---/ && hi[i - 1] == lo[i] &&
                           sz[i - 1] == 4) c = "stacks"
                       else c = "mapped"
                   }
                   t[c] += rss[i]
               }
               printf "%d %d %d %d %d %d\n", t["heap"], t["arenas"], t["mapped"], t["stacks"], t["files"], t["other"] }' "$sm"
    } 2>/dev/null || echo "0 0 0 0 0 0 0 0"
}

printf 't_s\tworker\tposition\thwm_kib\trss_kib\theap_kib\tarenas_kib\tmapped_kib\tstacks_kib\tfiles_kib\tother_kib\n' \
    >"$out_dir/samples.tsv"
t0=$(date +%s.%N)
position=0 last_q=0 done_at=""
deadline=$(($(date +%s) + timeout_s))
while :; do
    now=$(date +%s.%N)
    # The position costs a psql start: read it every half second, not every sample.
    if [ "$(echo "$now - $last_q >= 0.5" | bc -l)" = 1 ]; then
        IFS='|' read -r position unsent subs_pos < <(q "SELECT (SELECT coalesce(sum(next_offset), 0)
            FROM famins.consumer_positions WHERE consumer_group = '$ELIG_GROUP' AND topic = '$IN_TOPIC'),
            (SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL), (SELECT coalesce(sum(next_offset), 0)
            FROM famins.consumer_positions WHERE consumer_group = '$SUBS_GROUP' AND topic = '$DECIDED_TOPIC')")
        last_q=$now
    fi
    t=$(echo "$now - $t0" | bc -l)
    for i in "${!pids[@]}"; do
        kill -0 "${pids[$i]}" 2>/dev/null || { log "${names[$i]} exited; see $out_dir/${names[$i]}.log"; exit 1; }
        printf '%.2f\t%s\t%s\t%s\n' "$t" "${names[$i]}" "$position" "$(sample "${pids[$i]}" | tr ' ' '\t')"
    done >>"$out_dir/samples.tsv"
    if [ "$position" -ge "$in_messages" ] && [ "${unsent:-1}" = 0 ] && [ "${subs_pos:-0}" -gt 0 ]; then
        d_hw=${d_hw:-$(kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" $(for ((p = 0; p < FAMINS_TOPIC_PARTITIONS; p++)); do
            printf -- '-t %s:%d:-1 ' "$DECIDED_TOPIC" "$p"; done) 2>/dev/null | awk '/offset/ { s += $NF } END { print s + 0 }')}
        if [ "$subs_pos" -ge "$d_hw" ]; then done_at=$t; break; fi
    fi
    [ "$(date +%s)" -lt "$deadline" ] || { log "not drained within ${timeout_s}s (eligibility at $position)"; exit 1; }
    sleep "$interval"
done
# CPU seconds (utime + stime) of each worker over the run, the cost side of any allocator setting.
tck=$(getconf CLK_TCK)
for i in "${!pids[@]}"; do
    printf '%s\t%s\n' "${names[$i]}" "$(awk -v t="$tck" '{ printf "%.1f", ($14 + $15) / t }' "/proc/${pids[$i]}/stat")"
done >"$out_dir/cpu.tsv"
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
log "drained in $(printf '%.1f' "$done_at") s; load $(cut -d' ' -f1-3 /proc/loadavg)"

# The summary: per worker, VmHWM at the first sample at or past 10 % / 50 % of the wave and at the end, and the
# sample of its largest resident set with that set's parts.
{
    echo "# memory profile: $households households ($in_messages messages), eligibility x$instances"
    echo
    echo "Build: $FAMINS_BUILD_DIR; extra settings: ${extra:-none}; sampled every ${interval} s; drained in $(printf '%.1f' "$done_at") s."
    echo
    echo "| worker | VmHWM at 10 % | at 50 % | at the end | spread | largest VmRSS | at s (position) | heap / arenas / mapped / stacks / files / other at that sample | CPU s |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|---:|"
    awk -F'\t' -v total="$in_messages" 'FNR == NR { cpu[$1] = $2; next } FNR > 1 {
            w = $2; if (!(w in seen)) { seen[w] = 1; order[++n] = w }
            if (!(w in h10) && $3 >= total / 10) h10[w] = $4
            if (!(w in h50) && $3 >= total / 2) h50[w] = $4
            if ($4 > 0) hend[w] = $4
            if ($5 > maxr[w]) { maxr[w] = $5; at[w] = $1 " (" $3 ")"
                parts[w] = sprintf("%.1f / %.1f / %.1f / %.1f / %.1f / %.1f", $6/1024, $7/1024, $8/1024, $9/1024, $10/1024, $11/1024) } }
        END { for (i = 1; i <= n; i++) { w = order[i]; lo = h10[w]; hi = hend[w]
                printf "| %s | %.1f | %.1f | %.1f | %.1f %% | %.1f | %s | %s | %s |\n", w, h10[w]/1024, h50[w]/1024,
                    hend[w]/1024, (lo > 0 ? (hi - lo) * 100 / lo : 0), maxr[w]/1024, at[w], parts[w], cpu[w] } }' \
        "$out_dir/cpu.tsv" "$out_dir/samples.tsv"
    echo
    echo "MiB. Samples in samples.tsv (KiB); logs beside it."
} >"$out_dir/summary.md"
cat "$out_dir/summary.md"
