#!/usr/bin/env bash
# crash_baseline.sh — the uninterrupted run a crash test compares with: the same wave (households, seed, shares)
# through eligibility, relay and subsidy without any kill, on a database and topic prefix of its own. Writes the
# checksum of the decisions (enr_checksum) to the file $1 and checks the decisions against the labels.
# Usage: crash_baseline.sh CHECKSUM_FILE HOUSEHOLDS SEED [wavegen options...]
set -euo pipefail
out="$1" households="$2" seed="$3"
shift 3
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_baseline
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
enr_start_elig base-elig
enr_start_relay base-relay
enr_start_subs base-subs
enr_wave "$households" "$seed" "$ENR_LOGS/labels.jsonl" "$@"
enr_drain "${CRASH_DRAIN_S:-900}"
enr_load_labels "$ENR_LOGS/labels.jsonl" >/dev/null
enr_check_labels "uninterrupted run"
enr_checksum >"$out"
echo "BASE_DB=$ITEST_DB"                  # crash_policy.sh reads its policy rows (FAMINS_KEEP_TEST_DB=1)
echo "BASE_PREFIX=$FAMINS_TOPIC_PREFIX"
for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
