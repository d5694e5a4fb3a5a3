#!/usr/bin/env bash
# common.sh — the steps both README commands share: install what is missing, build, bring the local stack
# up, migrate and create topics. Sourced by deploy/demo.sh and deploy/test.sh.
set -euo pipefail

FAMINS_SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FAMINS_SOURCE_DIR

famins_step() {
    printf '\n== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"
}

# famins_setup BUILD_DIR [cmake options...]: everything up to a migrated database with its topics.
famins_setup() {
    local build_dir="$1"
    shift
    famins_step "installing what is missing"
    bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" install
    famins_step "building into $build_dir"
    cmake -S "$FAMINS_SOURCE_DIR" -B "$build_dir" -G Ninja "$@" >/dev/null
    cmake --build "$build_dir" -j "$(nproc)"
    famins_step "starting the local stack"
    FAMINS_SKIP_INSTALL=1 bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" up
    eval "$(bash "$FAMINS_SOURCE_DIR/deploy/local/stack.sh" env)"
    famins_step "migrating the database and creating the topics"
    "$build_dir/services/admin/famins-admin" all
}
