#!/usr/bin/env bash
# crash_shared.sh — people listed in two households, decided by two famins-eligibility instances at once (the two
# listings usually sit on different partitions, so on different instances and in concurrent batch
# transactions), with the instances SIGKILLed and restarted during the wave. Which listing comes first depends on
# timing, so the labels of those listings are not compared; the invariants are:
#   - each person is insured in at most one household per plan year;
#   - every member of an accepted household is insured there or excluded with a reason;
#   - every listing of an insured person in another accepted household is excluded ALREADY_INSURED_ELSEWHERE;
#   - one fraud signal per decision that excluded someone as insured elsewhere, and none without;
#   - every event not involving a shared person is decided as labelled; the ledger reconciles.
# Size: CRASH_SHARED_HOUSEHOLDS (default 10000, 5 % of them listing an adult insured in an earlier household),
# CRASH_SHARED_KILLS (default 10 per instance).
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init enrollment_shared
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"

households="${CRASH_SHARED_HOUSEHOLDS:-10000}"
kills="${CRASH_SHARED_KILLS:-10}"
labels="$ENR_LOGS/labels.jsonl"

declare -A pid
start() {
    enr_start_elig "$1"
    pid[$1]=$ENR_LAST_PID
}
start shared-a
start shared-b
enr_start_relay shared-relay
enr_start_subs shared-subs
enr_wave "$households" 5150 "$labels" --shared-person-share 0.05 &
wave_pid=$!

for ((k = 1; k <= kills; k++)); do
    for name in shared-a shared-b; do
        sleep "0.$((RANDOM % 9 + 1))"
        kill -KILL "${pid[$name]}" 2>/dev/null || enr_fail "$name was not running at kill $k"
        wait "${pid[$name]}" 2>/dev/null || true
        start "$name"
    done
done
wait "$wave_pid" || enr_fail "famins-wavegen failed"
enr_drain 600
enr_ok "$((2 * kills)) SIGKILLs of the two eligibility instances"

shared=$(itest_psql -c "SELECT count(*) FROM (SELECT person_key FROM famins.enrollment_members WHERE person_key IS NOT NULL
    GROUP BY person_key HAVING count(DISTINCT decision_id) > 1) t")
[ "$shared" -gt 0 ] || enr_fail "no person is listed in two decisions: the wave tests nothing"

check() { # check NAME SQL-returning-a-count-of-violations
    local n
    n=$(itest_psql -c "$2")
    [ "$n" = 0 ] || enr_fail "$1: $n violations"
}
check "a person insured twice in a plan year" \
    "SELECT count(*) FROM (SELECT plan_year, person_key FROM famins.insured_persons GROUP BY 1, 2 HAVING count(*) > 1) t"
check "a member of an accepted household neither insured nor excluded with a reason" \
    "SELECT count(*) FROM famins.enrollment_members m JOIN famins.enrollment_decisions d USING (decision_id)
     WHERE d.outcome = 'accepted' AND NOT m.insured AND cardinality(m.reasons) = 0"
check "an insured member without an insured-person row in the household's policy" \
    "SELECT count(*) FROM famins.enrollment_members m JOIN famins.enrollment_decisions d USING (decision_id)
     WHERE d.outcome = 'accepted' AND m.insured AND NOT EXISTS (SELECT 1 FROM famins.insured_persons i
       WHERE i.policy_number = d.policy_number AND i.person_key = m.person_key)"
check "a listing in another accepted household not excluded ALREADY_INSURED_ELSEWHERE" \
    "SELECT count(*) FROM famins.enrollment_members m JOIN famins.enrollment_decisions d USING (decision_id)
     JOIN famins.insured_persons i ON i.person_key = m.person_key AND i.plan_year = d.plan_year
     WHERE d.outcome = 'accepted' AND i.policy_number <> d.policy_number
       AND NOT ('ALREADY_INSURED_ELSEWHERE' = ANY (m.reasons))"
check "fraud signals and ALREADY_INSURED_ELSEWHERE exclusions disagree" \
    "SELECT count(*) FROM (SELECT d.source_event_id FROM famins.enrollment_decisions d
       WHERE EXISTS (SELECT 1 FROM famins.enrollment_members m WHERE m.decision_id = d.decision_id
                     AND 'ALREADY_INSURED_ELSEWHERE' = ANY (m.reasons))) e
     FULL JOIN (SELECT source_event_id FROM famins.fraud_signals WHERE code = 'ALREADY_INSURED_ELSEWHERE') f
       USING (source_event_id) WHERE e.source_event_id IS NULL OR f.source_event_id IS NULL"
excluded=$(itest_psql -c "SELECT count(*) FROM famins.enrollment_members WHERE 'ALREADY_INSURED_ELSEWHERE' = ANY (reasons)")
[ "$excluded" -gt 0 ] || enr_fail "no listing was excluded as insured elsewhere"
enr_ok "$shared people listed in several decisions: each insured once, $excluded later listings excluded ALREADY_INSURED_ELSEWHERE, one fraud signal each"

# Every event without a shared person equals its label. (Labels of the shared listings name the generator's
# order, which concurrent instances need not follow; their households are left out, with their second events.)
enr_load_labels "$labels" >/dev/null
itest_psql -c "DELETE FROM famins_test.labels l WHERE l.doc->>'key' IN (
    SELECT d.household_id FROM famins.enrollment_decisions d JOIN famins.enrollment_members m USING (decision_id)
    WHERE m.person_key IN (SELECT person_key FROM famins.enrollment_members WHERE person_key IS NOT NULL
                           GROUP BY person_key HAVING count(DISTINCT decision_id) > 1))" >/dev/null
left=$(itest_psql -c "SELECT count(*) FROM famins_test.labels WHERE doc->>'kind' = 'valid'")
itest_psql -c "CREATE TABLE famins_test.kept AS SELECT doc->>'event_id' AS eid FROM famins_test.labels;
    DELETE FROM famins.enrollment_members WHERE decision_id IN (SELECT decision_id FROM famins.enrollment_decisions
      WHERE source_event_id NOT IN (SELECT eid FROM famins_test.kept));" >/dev/null
# (members of the left-out households are removed only after the invariants above were checked)
n=$(itest_psql -c "SELECT count(*) FROM ($enr_label_mismatches_sql) q WHERE q.line NOT LIKE 'decision without a valid label%'
    AND q.line NOT LIKE 'dead letter %'")
if [ "$n" != 0 ]; then
    itest_psql -c "SELECT * FROM ($enr_label_mismatches_sql) q WHERE q.line NOT LIKE 'decision without a valid label%'
        AND q.line NOT LIKE 'dead letter %' LIMIT 10" >&2
    enr_fail "$n mismatches with the labels outside the shared listings"
fi
enr_ok "the $left other valid events decided as labelled"
enr_check_ledger "shared people through kills"
for name in shared-a shared-b; do enr_stop "${pid[$name]}"; done
