#!/usr/bin/env bash
# wave.sh — a generated enrollment wave through famins-eligibility, famins-relay and famins-subsidy on the real
# stack: every decision equals famins-wavegen's label event by event, every household rejection reason occurs,
# re-sent events are decided once, a household enrolling twice gets ALREADY_ENROLLED, each household's events
# are decided in their order, dead letters are counted as labelled, and the subsidy ledger reconciles.
# Size: ENR_WAVE_HOUSEHOLDS (default 3000).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_wave
source "$(dirname "${BASH_SOURCE[0]}")/enr_common.sh"

households="${ENR_WAVE_HOUSEHOLDS:-3000}"
labels="$ENR_LOGS/labels.jsonl"

enr_start_elig elig-1
enr_start_relay relay-1
enr_start_subs subs-1
started=$(date +%s.%N)
enr_wave "$households" 20261 "$labels" --ineligible-share 0.15
enr_drain 240
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
enr_ok "$households households produced and drained in ${elapsed}s ($(echo "$households / $elapsed" | bc) households/s end to end)"

enr_load_labels "$labels" >/dev/null
enr_check_labels "wave of $households households"
enr_check_ledger "wave of $households households"

# Every household rejection reason the generator can build occurs in the wave, and was decided as such.
missing=$(itest_psql -c "SELECT string_agg(r, ',') FROM (SELECT DISTINCT jsonb_array_elements_text(doc->'expected'->'reasons') r
    FROM famins_test.labels) l WHERE NOT EXISTS (SELECT 1 FROM famins.enrollment_decisions d WHERE r = ANY (d.reasons))")
[ -z "$missing" ] || enr_fail "reasons labelled but never decided: $missing"
reasons=$(itest_psql -c "SELECT count(DISTINCT r) FROM famins.enrollment_decisions, unnest(reasons) r")
[ "$reasons" -ge 10 ] || enr_fail "only $reasons distinct household reasons in the wave (want all 10)"
enr_ok "all $reasons household rejection reasons decided end to end"

# Re-sent events: decided once, recognised as duplicates.
resent=$(itest_psql -c "SELECT count(*) FROM famins_test.labels WHERE doc->>'kind' = 'resend'")
[ "$resent" -gt 0 ] || enr_fail "the wave holds no re-sent event"
twice=$(itest_psql -c "SELECT count(*) FROM (SELECT source_event_id FROM famins.enrollment_decisions
    GROUP BY 1 HAVING count(*) > 1) t")
[ "$twice" = 0 ] || enr_fail "$twice events decided more than once"
enr_ok "$resent re-sent events decided once each"

# A household enrolling twice: the second is ALREADY_ENROLLED, and the household holds one policy.
again=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions WHERE 'ALREADY_ENROLLED' = ANY (reasons)")
[ "$again" -gt 0 ] || enr_fail "no ALREADY_ENROLLED decision in the wave"
multi=$(itest_psql -c "SELECT count(*) FROM (SELECT household_id FROM famins.policies GROUP BY 1, plan_year
    HAVING count(*) > 1) t")
[ "$multi" = 0 ] || enr_fail "$multi households hold two policies"
enr_ok "$again second enrollments rejected ALREADY_ENROLLED, one policy per household"

# Per-household order: decisions of one household were made in the order of their offsets.
inversions=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions a JOIN famins.enrollment_decisions b
    ON a.household_id = b.household_id AND a.decision_id < b.decision_id WHERE a.source_offset > b.source_offset")
[ "$inversions" = 0 ] || enr_fail "$inversions decisions out of their household's order"
enr_ok "each household's events decided in order"

# Every decision was published once on enrollment.decided (the relay may resend; consumers dedupe by id).
published=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ENR_DECIDED" -o beginning -e -q -f '%k\n' | wc -l)
decisions=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions")
[ "$published" -ge "$decisions" ] || enr_fail "$published enrollment.decided messages for $decisions decisions"
enr_ok "$decisions decisions published on enrollment.decided ($published messages)"

# The subsidy service applied every decided event exactly once and published one allocation per A household.
allocated=$(kcat -C -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ENR_ALLOCATED" -o beginning -e -q -f '%k\n' | sort -u | wc -l)
a_households=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_decisions WHERE outcome = 'accepted' AND category = 'A'")
[ "$allocated" = "$a_households" ] || enr_fail "$allocated households on subsidy.allocated, $a_households accepted A"
enr_ok "$a_households subsidy.allocated households"

for pid in "${ENR_PIDS[@]}"; do enr_stop "$pid"; done
ENR_PIDS=()
grep -h "service_exit\|ERROR\|level=error" "$ENR_LOGS"/*.log && enr_fail "errors in the service logs" || true
enr_ok "services stopped cleanly on SIGTERM"
