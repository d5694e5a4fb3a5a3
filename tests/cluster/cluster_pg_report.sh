#!/usr/bin/env bash
# cluster_pg_report.sh — famins-report reads the hot standby: after a wave on the primary of deploy/local/
# cluster.sh's pair (the standby synchronous), once the standby has replayed everything, the report read from the
# standby (FAMINS_REPORT_PG_DSN) equals the one read from the primary, in every format's content; and the
# report's role cannot write on the standby (it is read-only), so a report never loads the primary.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/cluster/cl_common.sh"
cl_pg_fresh_pair
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init cluster_pg_report
cl_pg_multi_host
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CLUSTER_REPORT_HOUSEHOLDS:-1500}"
cl_wait_topic "$ENR_IN" "$ENR_PARTITIONS"
enr_start_elig rep-elig
enr_start_relay rep-relay
enr_start_subs rep-subs
labels="$ENR_LOGS/labels.jsonl"
enr_wave "$households" 777 "$labels"
enr_drain 300
enr_load_labels "$labels" >/dev/null
enr_check_labels "$households households on the primary"
cl_pg_wait_replayed 60
enr_ok "the standby has replayed the primary's WAL"

report() { # report PORT OUTDIR
    env FAMINS_REPORT_PG_DSN="host=127.0.0.1 port=$1 dbname=$ITEST_DB user=famins_reporter" \
        "$FAMINS_BUILD_DIR/services/report/famins-report" --year 2026 --format md,csv,json --out "$2" \
        >>"$ENR_LOGS/report.log" 2>&1 || enr_fail "famins-report against port $1 failed"
}
report "$CL_PG_PRIMARY" "$ENR_LOGS/primary"
report "$CL_PG_STANDBY" "$ENR_LOGS/standby"
[ "$(ls "$ENR_LOGS/standby" | wc -l)" -ge 3 ] || enr_fail "the report from the standby wrote too few files"
# The time of writing is the only allowed difference.
strip() { sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9:]+| UTC)?/<time>/g' "$1"; }
for f in "$ENR_LOGS/primary"/*; do
    b=$(basename "$f")
    [ -f "$ENR_LOGS/standby/$b" ] || enr_fail "report file $b missing from the standby's report"
    diff <(strip "$f") <(strip "$ENR_LOGS/standby/$b") >"$ENR_LOGS/diff-$b" ||
        enr_fail "$b differs between primary and standby ($(head -c 400 "$ENR_LOGS/diff-$b"))"
done
grep -q "$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions WHERE outcome = 'accepted'")" \
    "$ENR_LOGS/standby"/*.json || enr_fail "the standby's report does not count the accepted enrollments"
enr_ok "the report read from the standby equals the primary's ($(ls "$ENR_LOGS/primary" | wc -l) files)"
# The standby refuses writes: whatever the reporting role runs there cannot change data.
if psql "host=127.0.0.1 port=$CL_PG_STANDBY dbname=$ITEST_DB user=famins_admin" -qAt \
    -c "CREATE TABLE famins_test.x (i int)" >/dev/null 2>&1; then
    enr_fail "the standby accepted a write"
fi
enr_ok "the standby is read-only"
for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
