#!/usr/bin/env bash
# README command 1: install what is missing, build, start the local stack and run the main job on sample data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
build_dir="${FAMINS_BUILD_DIR:-$FAMINS_SOURCE_DIR/build}"
started=$(date +%s)
famins_setup "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAMINS_SANITIZE=OFF

famins_step "status"
bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" status
psql "$FAMINS_PG_DSN" -qAt -c "SELECT 'migrations applied: ' || count(*) FROM famins_meta.schema_migrations"

famins_step "a sample enrollment wave through eligibility, subsidy and the relay"
FAMINS_BUILD_DIR="$build_dir" bash "$FAMINS_SOURCE_DIR/deploy/run-wave.sh"
echo "done in $(($(date +%s) - started)) s"
