#!/usr/bin/env bash
# batch_phases.sh — where a famins-adjudicator's batches spent their time, from its debug log (FAMINS_LOG_LEVEL=
# debug; run.sh --profile keeps the steady run's part as adjudicator-steady.log): per batch the runtime's
# batch_commit phases (decode, BEGIN + deduplication read, prepare + apply, writes, COMMIT) with the service's
# own batch_prepared / batch_written times split out, the batch's size, and the worker's busy share of the
# wall-clock time. Prints a markdown table: mean, p50, p90, p99 and max of each, in microseconds.
#
#   bash tests/bench/tools/batch_phases.sh ADJUDICATOR_LOG
set -euo pipefail
[ $# -eq 1 ] && [ -r "$1" ] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# One line per committed batch: messages, and the phases in µs. batch_prepared and batch_written belong to the
# batch whose batch_commit follows them (a redone batch's are overwritten by its redo's).
awk '
    function v(k,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return 0 }
    function epoch_ms(ts,   t) { # 2026-12-03T18:31:02.123Z -> ms within the day (runs do not span midnight)
        split(substr(ts, 12, 12), t, /[:.]/); return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }
    /event=batch_prepared/ { prep = v("us") }
    /event=batch_written/ { wrote = v("us") }
    /event=batch_begin/ { if (first == "") first = epoch_ms(v("ts")) }
    /event=batch_commit/ {
        last = epoch_ms(v("ts"))
        dec = v("decode_us"); look = v("lookup_us"); app = v("apply_us"); wr = v("write_us"); com = v("commit_us")
        total = dec + look + app + wr + com
        printf "%d %d %d %d %d %d %d %d %d\n", v("messages"), dec, look, prep, app - prep, wrote, wr - wrote, com, total
        busy += total; prep = 0; wrote = 0
    }
    END { if (first != "") printf "# wall_ms=%d busy_us=%d\n", last - first, busy }
' "$1" >"${TMPDIR:-/tmp}/batch_phases.$$"
trap 'rm -f "${TMPDIR:-/tmp}/batch_phases.$$"' EXIT
f="${TMPDIR:-/tmp}/batch_phases.$$"
n=$(grep -vc '^#' "$f" || true)
[ "$n" -gt 0 ] || { echo "batch_phases.sh: no batch_commit lines in $1 (debug logging off?)" >&2; exit 1; }

names=("messages per batch" "decode (runtime)" "BEGIN + deduplication read (runtime)" "prepare_batch: the facts' reads"
    "apply: decisions in memory" "end_batch: the service's writes" "the runtime's rows + positions' compare-and-set"
    "COMMIT" "batch total")
echo "| $n batches | mean | p50 | p90 | p99 | max |"
echo "|---|---:|---:|---:|---:|---:|"
for c in 1 2 3 4 5 6 7 8 9; do
    grep -v '^#' "$f" | awk -v c="$c" '{ print $c }' | sort -n | awk -v name="${names[$((c - 1))]}" '
        function rank(p,   k) { k = NR * p; return x[(k > int(k)) ? int(k) + 1 : (k < 1 ? 1 : k)] } # nearest rank
        { x[NR] = $1; s += $1 }
        END { printf "| %s | %.0f | %d | %d | %d | %d |\n", name, s / NR, rank(0.5), rank(0.9), rank(0.99), x[NR] }'
done
awk '/^# wall_ms/ { split($2, a, "="); split($3, b, "="); if (a[2] > 0)
    printf "\nbusy: %.1f %% of the %.1f s between the first batch and the last commit (the rest: waiting for claims)\n",
        b[2] / 10 / a[2], a[2] / 1000 }' "$f"
