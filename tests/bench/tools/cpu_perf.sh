#!/usr/bin/env bash
# cpu_perf.sh — where the enrollment pipeline's CPU goes, by function: samples the running benchmark's workers
# (famins-eligibility, famins-subsidy, famins-relay) and their PostgreSQL backends (application_name bench-elig-N,
# bench-subs, bench-relay) with `perf record` for S seconds and prints each group's hottest functions. Run it
# while tests/bench/run.sh is in its pipeline step (section 3), e.g.:
#
#   bash tests/bench/run.sh --households 60000 --no-peer ... &   sleep 20; bash tests/bench/tools/cpu_perf.sh
#
#   bash tests/bench/tools/cpu_perf.sh [--seconds S] [--frequency HZ] [--out DIR] [--limit PERCENT]
# Needs perf (Debian: linux-perf) and the right to sample other users' processes (root, or
# kernel.perf_event_paranoid <= 0). Flat profiles (no call graphs: a Release build has no frame pointers).
set -euo pipefail
seconds=10 freq=499 out="" limit=1
while [ $# -gt 0 ]; do
    case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --frequency) freq="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --limit) limit="$2"; shift 2 ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
command -v perf >/dev/null || { echo "cpu_perf.sh: perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
[ -n "$out" ] || out=$(mktemp -d /tmp/famins-cpu-perf.XXXXXX)
mkdir -p "$out"
ADMIN_DSN="${FAMINS_PG_ADMIN_DSN:-host=127.0.0.1 port=${FAMINS_PG_PORT:-15432} dbname=famins user=famins_admin}"

# pids GROUP: the processes of one group, space-separated.
pids() {
    case "$1" in
    # The benchmark's build (FAMINS_BUILD_DIR) when given: another session's workers are not sampled.
    eligibility | subsidy | relay) pgrep -d' ' -f "^${FAMINS_BUILD_DIR:-.*}/services/$1/famins-$1\$" || true ;;
    postgres-*)
        psql "$ADMIN_DSN" -qAt -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity
            WHERE application_name LIKE '$(sed 's/^postgres-//' <<<"$1")'" ;;
    esac
}
groups=(eligibility subsidy relay postgres-bench-elig-% postgres-bench-subs postgres-bench-relay)
recorders=()
for g in "${groups[@]}"; do
    p=$(pids "$g")
    [ -n "$p" ] || { echo "cpu_perf.sh: no process for $g (is the benchmark in its pipeline step?)" >&2; continue; }
    name=${g%\%}
    name=${name%-}
    perf record -q -F "$freq" -p "${p// /,}" -o "$out/$name.data" -- sleep "$seconds" >/dev/null 2>&1 &
    recorders+=("$!:$name")
done
for r in "${recorders[@]}"; do
    wait "${r%%:*}" || true
    name=${r#*:}
    echo "== $name (perf record -F $freq, ${seconds} s; functions above ${limit} % of its samples)"
    perf report -i "$out/$name.data" --stdio --no-children --sort dso,sym --percent-limit "$limit" 2>/dev/null |
        grep -v '^#' | sed '/^$/d'
    echo
done
echo "perf data in $out"
