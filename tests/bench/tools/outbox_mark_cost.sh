#!/usr/bin/env bash
# outbox_mark_cost.sh — what the relay's marking of sent outbox rows costs its PostgreSQL backend, and what a
# HOT-only design of the outbox would save: the upper bound of the "sent mark" item of issue 19.
#
#   FAMINS_BUILD_DIR=$PWD/build bash tests/bench/tools/outbox_mark_cost.sh [--rows N] [--rounds R]
#                                                                          [--payload-bytes B]
#
# In a fresh database migrated like production (tests/support/itest.sh), three tables of N rows each
# (default 200,000) with an outbox row's columns, a payload of B bytes (default 1,200: an enrollment.decided
# row is about 1.4 KB whole) and famins.outbox's fillfactor:
#   current   famins.outbox itself, with its two partial indexes (outbox_unsent, outbox_sent_at): the mark is
#             a non-HOT update (sent_at is in both predicates) that adds a primary-key and a sent_at entry;
#   unsent    a copy with outbox_unsent only (retention finding sent rows some other way): non-HOT, one entry;
#   hot       a copy with no index mentioning sent_at: a HOT update (the relay would need another way to find
#             unsent rows that stays safe against out-of-order commits — not built, this only bounds it).
# Each is marked by the relay's own statement (UPDATE ... SET sent_at = now() WHERE id = ANY ($1::bigint[])),
# FAMINS_RELAY_BATCH ids (1,000) a statement, one transaction a statement, as the relay does. Printed per
# variant: the backend's CPU (utime + stime of its process, /proc) and the wall time, per row marked. The
# variants run R times (default 3) in turn, each on fresh tables after a CHECKPOINT, so that a slower spell of
# the machine does not fall on one variant only; the medians are printed last.
# Needs: the local stack (deploy/local/stack.sh up), root or the same machine as PostgreSQL (it reads
# /proc/<backend pid>/stat), a build (famins-admin, for the migrations).
set -euo pipefail

rows=200000
rounds=3
payload_bytes=1200
batch=1000
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) rows="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --payload-bytes) payload_bytes="$2"; shift 2 ;;
    -h | --help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "outbox_mark_cost: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$rows$rounds$payload_bytes" in *[!0-9]*) echo "outbox_mark_cost: --rows, --rounds and --payload-bytes take numbers" >&2; exit 2 ;; esac
[ "$rows" -ge "$batch" ] && [ "$rounds" -ge 1 ] || { echo "outbox_mark_cost: --rows >= $batch and --rounds >= 1" >&2; exit 2; }

FAMINS_SOURCE_DIR=${FAMINS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
export FAMINS_SOURCE_DIR
# shellcheck source=../../support/itest.sh
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
# shellcheck source=backend_cpu.sh
source "$FAMINS_SOURCE_DIR/tests/bench/tools/backend_cpu.sh"
itest_init outbox_mark_cost
q() { psql "$FAMINS_PG_DSN" -v ON_ERROR_STOP=1 -qAt "$@"; }

fillfactor=$(q -c "SELECT coalesce((SELECT option_value FROM pg_options_to_table(
    (SELECT reloptions FROM pg_class WHERE oid = 'famins.outbox'::regclass)) WHERE option_name = 'fillfactor'), '100')")

# make_table VARIANT: an empty table for VARIANT, echoes its name.
make_table() {
    case "$1" in
    current)
        q -c "TRUNCATE famins.outbox" >/dev/null
        echo famins.outbox ;;
    unsent | hot)
        q -c "DROP TABLE IF EXISTS public.mark_$1" \
          -c "CREATE TABLE public.mark_$1 (LIKE famins.outbox INCLUDING DEFAULTS) WITH (fillfactor = $fillfactor)" \
          -c "ALTER TABLE public.mark_$1 ADD PRIMARY KEY (id)" >/dev/null
        [ "$1" = hot ] || q -c "CREATE INDEX ON public.mark_$1 (id) WHERE sent_at IS NULL" >/dev/null
        echo "public.mark_$1" ;;
    esac
}

# One id list per statement, written once: the same statements for every variant.
script=$(mktemp /tmp/famins-markcost.XXXXXX)
trap 'rm -f "$script" "$script".*; itest_done' EXIT
for ((lo = 1; lo <= rows; lo += batch)); do
    hi=$((lo + batch - 1))
    [ "$hi" -le "$rows" ] || hi=$rows
    echo "UPDATE TABLE_NAME SET sent_at = now() WHERE id = ANY ('{$(seq -s, "$lo" "$hi")}'::bigint[]);"
done >"$script"

# measure VARIANT: fills a fresh table, marks every row; prints "cpu_us_per_row wall_us_per_row".
measure() {
    local table
    table=$(make_table "$1")
    q -c "INSERT INTO $table (id, topic, message_key, payload, event_id)
          SELECT g, 'famins.enrollment.decided', convert_to('household-' || g, 'UTF8'),
                 convert_to(substr(repeat(md5(g::text), ($payload_bytes / 32) + 1), 1, $payload_bytes), 'UTF8'),
                 'bench-' || g
          FROM generate_series(1, $rows) g" -c "VACUUM ANALYZE $table" -c "CHECKPOINT" >/dev/null
    sed "s/TABLE_NAME/$table/" "$script" >"$script.$1"
    {
        backend_cpu_probe "$script.$1" start
        echo "SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset"
        cat "$script.$1"
        echo "SELECT extract(epoch FROM clock_timestamp()) - :t0 AS wall \\gset"
        backend_cpu_probe "$script.$1" end
        echo "\\echo :wall"
    } >"$script.$1.sql"
    local wall cpu marked
    wall=$(q -f "$script.$1.sql" | tail -1)
    marked=$(q -c "SELECT count(*) FROM $table WHERE sent_at IS NOT NULL")
    [ "$marked" = "$rows" ] || itest_fail "$1: $marked of $rows rows marked"
    [ -s "$script.$1-start.stat" ] && [ -s "$script.$1-end.stat" ] ||
        itest_fail "$1: the backend's /proc/<pid>/stat was not readable"
    cpu=$(backend_cpu_seconds "$script.$1" 3)
    awk -v c="$cpu" -v w="$wall" -v n="$rows" 'BEGIN { printf "%.2f %.2f\n", c * 1e6 / n, w * 1e6 / n }'
}

echo "outbox_mark_cost: $rows rows of $payload_bytes payload bytes, fillfactor $fillfactor, $batch ids a statement, $rounds rounds"
declare -A cpu_all wall_all
for ((r = 1; r <= rounds; r++)); do
    for v in current unsent hot; do
        read -r c w < <(measure "$v")
        printf '  round %d  %-8s backend CPU %6.2f us/row  wall %6.2f us/row\n' "$r" "$v" "$c" "$w"
        cpu_all[$v]="${cpu_all[$v]:-} $c" wall_all[$v]="${wall_all[$v]:-} $w"
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "medians (backend CPU, wall, per row marked):"
for v in current unsent hot; do
    printf '  %-8s %6.2f us  %6.2f us\n' "$v" "$(median <<<"${cpu_all[$v]}")" "$(median <<<"${wall_all[$v]}")"
done
