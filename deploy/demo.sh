#!/usr/bin/env bash
# README command 1: install what is missing, build, start the local stack and run the main job on sample data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_dir="${FAMINS_BUILD_DIR:-$FAMINS_SOURCE_DIR/build}"
started=$(date +%s)
# famins_setup evaluates `stack.sh env`, which exports the local stack's own person-key secret (made once, random):
# eligibility and the adjudicator refuse to start without one.
famins_setup "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAMINS_SANITIZE=OFF

famins_step "status"
bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" status
psql "$FAMINS_PG_DSN" -qAt -c "SELECT 'migrations applied: ' || count(*) FROM famins_meta.schema_migrations"

famins_step "a sample wave through eligibility, subsidy and the relay, then its claims through the adjudicator"
FAMINS_BUILD_DIR="$build_dir" WAVE_CLAIMS=1 bash "$FAMINS_SOURCE_DIR/deploy/run-wave.sh"

famins_step "the annual claims report (年度理赔报告) of plan year 2026"
report_dir="$build_dir/report"
mkdir -p "$report_dir"
# html and pdf (the pdf is the html printed by headless Chromium, an optional dependency: the demo says so when it
# is missing and keeps the html).
if command -v "${FAMINS_REPORT_CHROMIUM:-chromium}" >/dev/null 2>&1; then
    "$build_dir/services/report/famins-report" --year 2026 --format html,pdf,md --out "$report_dir"
    echo "the report: $report_dir/report-2026.html and report-2026.pdf (and .md beside them)"
else
    "$build_dir/services/report/famins-report" --year 2026 --format html,md --out "$report_dir"
    echo "the report: $report_dir/report-2026.html (and .md beside it); no PDF: chromium is not installed"
fi
echo "done in $(($(date +%s) - started)) s"
