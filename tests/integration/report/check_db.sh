#!/usr/bin/env bash
# check_db.sh — checks famins-report against ANY famins database, e.g. after a wave through the real pipeline
# (deploy/run-wave.sh, the adjudicator's e2e): writes the report of YEAR and compares every figure with
# check_report.py's independent sums over the base tables.
#   FAMINS_BUILD_DIR=build bash tests/integration/report/check_db.sh "host=... dbname=famins user=famins_admin" 2026 [UNIT]
# The first DSN reads the base tables (famins_admin or famins_operator-like rights); the report itself connects with
# FAMINS_REPORT_PG_DSN (default: the same server and database as famins_reporter).
set -euo pipefail
dsn="$1" year="$2" unit="${3:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${FAMINS_BUILD_DIR:-$here/../../../build}"
export FAMINS_REPORT_PG_DSN="${FAMINS_REPORT_PG_DSN:-$dsn user=famins_reporter}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$build/services/report/famins-report" --year "$year" ${unit:+--unit "$unit"} --format csv,json,html --out "$out"
/usr/bin/python3 "$here/check_report.py" "$dsn" "$out" "$year" "$unit"
