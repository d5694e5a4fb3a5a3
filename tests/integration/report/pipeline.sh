#!/usr/bin/env bash
# A generated year through the real pipeline, then the report: an enrollment wave through eligibility, relay and
# subsidy (deploy/run-wave.sh), the same wave's policies given a year of claims and reviews by famins-wavegen,
# decided by famins-adjudicator (and published by the relay); then famins-report's every figure is compared with
# independent sums over the base tables (check_db.sh), city-wide and for the unit with the most claims.
# CI profile (defaults): PIPE_HOUSEHOLDS=1500, PIPE_CLAIM_SCALE=5; soak: e.g. PIPE_HOUSEHOLDS=20000 PIPE_CLAIM_SCALE=20.
# Binaries come from FAMINS_BUILD_DIR (override per service with PIPE_<NAME>_BIN when running against other builds).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init report_pipe
here="$FAMINS_SOURCE_DIR/tests/integration/report"
households="${PIPE_HOUSEHOLDS:-1500}"
scale="${PIPE_CLAIM_SCALE:-5}"
run_wave="${PIPE_RUN_WAVE:-$FAMINS_SOURCE_DIR/deploy/run-wave.sh}"
services_build="${PIPE_SERVICES_BUILD:-$FAMINS_BUILD_DIR}"
adjudicator="${PIPE_ADJUDICATOR_BIN:-$FAMINS_BUILD_DIR/services/adjudicator/famins-adjudicator}"
relay="${PIPE_RELAY_BIN:-$FAMINS_BUILD_DIR/services/relay/famins-relay}"
wavegen="${PIPE_WAVEGEN_BIN:-$FAMINS_BUILD_DIR/services/wavegen/famins-wavegen}"
work=$(mktemp -d)
pids=()
stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
trap 'stop_all; itest_done; rm -rf "$work"' EXIT
server_dsn="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ITEST_DB}"
# One person-key secret for the wave's eligibility and this test's adjudicator (neither starts without one).
export FAMINS_PERSON_KEY_SECRET=report-pipeline-secret
unset FAMINS_PERSON_KEY_SECRET_FILE FAMINS_PERSON_KEY_PREVIOUS_FILE FAMINS_PERSON_KEY_ID FAMINS_ALLOW_DEV_PERSON_KEY

# Enrollment: the services' own wave script, on this test's database and topics.
FAMINS_BUILD_DIR="$services_build" WAVE_HOUSEHOLDS="$households" WAVE_SEED=2026 WAVE_LOG_DIR="$work/wave" \
    WAVE_TIMEOUT_S=300 bash "$run_wave" >"$work/run-wave.log" 2>&1 ||
    { tail -20 "$work/run-wave.log"; itest_fail "the enrollment wave failed"; }
"$wavegen" enroll --households "$households" --seed 2026 --dry-run /dev/null --policies-out "$work/policies.jsonl" \
    --quiet >/dev/null 2>"$work/policies.log" || itest_fail "wavegen could not rebuild the wave's policies"

# Claims: a year of them (with reviews) through the adjudicator and the relay.
FAMINS_PG_DSN="$server_dsn user=famins_adjudicator" "$adjudicator" >"$work/adjudicator.log" 2>&1 &
pids+=($!)
FAMINS_PG_DSN="$server_dsn user=famins_relay" "$relay" >"$work/relay.log" 2>&1 &
pids+=($!)
"$wavegen" claims --policies "$work/policies.jsonl" --seed 5 --claim-rate-scale "$scale" \
    --labels "$work/claim-labels.jsonl" --quiet >"$work/claims.log" 2>&1 || itest_fail "wavegen claims failed"
events=$(wc -l <"$work/claim-labels.jsonl")
[ "$events" -gt 0 ] || itest_fail "no claim events generated"
consumed=0
for _ in $(seq 1 300); do
    consumed=$(itest_psql -c "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions
                              WHERE consumer_group LIKE '%adjudicator%'")
    [ "$consumed" -ge "$events" ] && break
    sleep 1
done
[ "$consumed" -ge "$events" ] || itest_fail "the adjudicator consumed $consumed of $events claim events in 300 s"
stop_all
claims=$(itest_psql -c "SELECT count(*) FROM famins.claims")
[ "$claims" -gt 0 ] || itest_fail "no claim recorded"

export FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)"
FAMINS_BUILD_DIR="$FAMINS_BUILD_DIR" bash "$here/check_db.sh" "$FAMINS_PG_DSN" 2026 ||
    itest_fail "the report of the pipeline's year differs from the independent sums"
unit=$(itest_psql -c "SELECT managing_unit FROM famins.claims WHERE managing_unit IS NOT NULL
                      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
FAMINS_BUILD_DIR="$FAMINS_BUILD_DIR" bash "$here/check_db.sh" "$FAMINS_PG_DSN" 2026 "$unit" ||
    itest_fail "the report of $unit differs from the independent sums"
echo "report pipeline: ok ($households households, $events claim events, $claims claims)"
