#!/usr/bin/env bash
# rotation.sh — rotating the person key on the real stack (services/eligibility/README.md, "Rotating the person
# key"): households enrolled under key k1; eligibility and the adjudicator restarted with k2 current and k1 in
# the previous-keys file; then a person enrolled under k1 is still found insured elsewhere and as a renewal, a
# claim for a k1 person is decided against the k1 row and its usage stays on the k1 key (also for a second
# claim), and new households and their claims get k2 keys.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init pseudonym_rotation
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pseudo_common.sh"
dir="$ENR_LOGS/messages"
mkdir -p "$dir"
unset FAMINS_PERSON_KEY_SECRET_FILE FAMINS_PERSON_KEY_PREVIOUS_FILE FAMINS_PERSON_KEY_ID FAMINS_ALLOW_DEV_PERSON_KEY

c1=$(pseudo_id 61011320140620013)  # insured in HR1 under k1, listed again by HR3 under k2
c2=$(pseudo_id 61011320130511022)  # insured in 2025 under k1 (HR2), renewed in 2026 under k2
c5=$(pseudo_id 61011320150303031)  # new under k2
p1=$(pseudo_id 61011319850101001)
k1="FAMINS_PERSON_KEY_ID=k1 FAMINS_PERSON_KEY_SECRET=rotation-secret-one"
printf 'k1 rotation-secret-one\n' >"$ENR_LOGS/previous-keys"
k2=(FAMINS_PERSON_KEY_ID=k2 FAMINS_PERSON_KEY_SECRET=rotation-secret-two
    FAMINS_PERSON_KEY_PREVIOUS_FILE="$ENR_LOGS/previous-keys")

# ---- before the rotation: key k1 ----
pseudo_enrollment rot-1 HR1 2026 "$c1" "$p1" >"$dir/rot-1.json"
pseudo_enrollment rot-2 HR2 2025 "$c2" "$p1" >"$dir/rot-2.json"
# shellcheck disable=SC2086
enr_start_elig elig-k1 $k1
elig=$ENR_LAST_PID
enr_produce HR1 "$dir/rot-1.json"
enr_produce HR2 "$dir/rot-2.json"
pseudo_wait_consumed "$ENR_ELIG_GROUP" 2 60
enr_stop "$elig"
keys=$(itest_psql -c "SELECT string_agg(policy_number || '=' || split_part(person_key, ':', 1), ' ' ORDER BY policy_number COLLATE \"C\")
    FROM famins.insured_persons")
[ "$keys" = "FJ2025-HR2=k1 FJ2026-HR1=k1" ] || enr_fail "keys before the rotation: $keys"
enr_ok "two households enrolled under k1: $keys"

# ---- after the rotation: k2 current, k1 previous ----
pseudo_enrollment rot-3 HR3 2026 "$c1" "$p1" >"$dir/rot-3.json"
pseudo_enrollment rot-4 HR2 2026 "$c2" "$p1" >"$dir/rot-4.json"
pseudo_enrollment rot-5 HR5 2026 "$c5" "$p1" >"$dir/rot-5.json"
enr_start_elig elig-k2 "${k2[@]}"
elig=$ENR_LAST_PID
for h in 3 4 5; do enr_produce "HR$h" "$dir/rot-$h.json"; done
pseudo_wait_consumed "$ENR_ELIG_GROUP" 5 60
enr_stop "$elig"
got=$(itest_psql -c "SELECT string_agg(d.source_event_id || '=' || d.outcome || ':' || array_to_string(m.reasons, ','),
    ' ' ORDER BY d.source_event_id) FROM famins.enrollment_decisions d JOIN famins.enrollment_members m USING (decision_id)
    WHERE d.source_event_id IN ('rot-3', 'rot-4', 'rot-5')")
[ "$got" = "rot-3=rejected:ALREADY_INSURED_ELSEWHERE rot-4=accepted: rot-5=accepted:" ] ||
    enr_fail "decisions after the rotation: $got"
enr_ok "a person enrolled under k1 is found insured elsewhere under k2: $got"
got=$(itest_psql -c "SELECT string_agg(policy_number || '=' || split_part(person_key, ':', 1) || ':' || renewal, ' '
    ORDER BY policy_number COLLATE \"C\") FROM famins.insured_persons WHERE plan_year = 2026")
[ "$got" = "FJ2026-HR1=k1:false FJ2026-HR2=k2:true FJ2026-HR5=k2:false" ] || enr_fail "insured persons of 2026: $got"
enr_ok "the k1 person of 2025 is a renewal, new rows carry k2: $got"
signal=$(itest_psql -c "SELECT count(*) FROM famins.fraud_signals WHERE source_event_id = 'rot-3'
    AND detail LIKE '%FJ2026-HR1%'")
[ "$signal" = 1 ] || enr_fail "no fraud signal naming FJ2026-HR1 for rot-3"

# ---- claims after the rotation ----
pseudo_claim clm-1 C2026800001 FJ2026-HR1 "$c1" 00080001 >"$dir/clm-1.json"
pseudo_claim clm-5 C2026800005 FJ2026-HR5 "$c5" 00080005 >"$dir/clm-5.json"
pseudo_claim clm-2 C2026800002 FJ2026-HR1 "$c1" 00080002 >"$dir/clm-2.json"
pseudo_start_adj adj-k2 "${k2[@]}"
adj=$ENR_LAST_PID
pseudo_produce_claim FJ2026-HR1 "$dir/clm-1.json"
pseudo_produce_claim FJ2026-HR5 "$dir/clm-5.json"
pseudo_wait_consumed "$PSEUDO_ADJ_GROUP" 2 90
pseudo_produce_claim FJ2026-HR1 "$dir/clm-2.json"  # a later batch: usage read back from the k1 row
pseudo_wait_consumed "$PSEUDO_ADJ_GROUP" 3 60
enr_stop "$adj"
got=$(itest_psql -c "SELECT string_agg(claim_id || '=' || status || ':' || role || '@' || split_part(person_key, ':', 1),
    ' ' ORDER BY claim_id) FROM famins.claims")
[ "$got" = "C2026800001=approved:child@k1 C2026800002=approved:child@k1 C2026800005=approved:child@k2" ] ||
    enr_fail "claims after the rotation: $got"
enr_ok "claims found the k1 person and the k2 person: $got"
usage=$(itest_psql -c "SELECT string_agg(split_part(u.person_key, ':', 1) || '=' || u.accident_medical_paid, ' '
    ORDER BY u.person_key) FROM famins.person_usage u
    WHERE u.person_key IN (SELECT person_key FROM famins.insured_persons WHERE policy_number = 'FJ2026-HR1')")
# 96000 for the first claim (the 10000 deductible taken), 104000 for the second (the deductible already used
# on this key): the second claim saw the first one's usage.
[ "$usage" = "k1=200000" ] || enr_fail "usage of the k1 person: $usage (want both claims on the k1 key)"
rows=$(itest_psql -c "SELECT count(*) FROM famins.person_usage WHERE person_key LIKE 'k2:%'")
[ "$rows" = 1 ] || enr_fail "$rows usage rows under k2 (want the new person's only)"
enr_ok "the k1 person's usage accumulates on the k1 key: $usage"

# A secret that is not in the ring finds nobody: the claim is declined (the previous key really is used).
pseudo_claim clm-3 C2026800003 FJ2026-HR1 "$c1" 00080003 >"$dir/clm-3.json"
pseudo_start_adj adj-k2-only FAMINS_PERSON_KEY_ID=k2 FAMINS_PERSON_KEY_SECRET=rotation-secret-two
adj=$ENR_LAST_PID
pseudo_produce_claim FJ2026-HR1 "$dir/clm-3.json"
pseudo_wait_consumed "$PSEUDO_ADJ_GROUP" 4 60
enr_stop "$adj"
got=$(itest_psql -c "SELECT status || ':' || coalesce(role, '-') FROM famins.claims WHERE claim_id = 'C2026800003'")
[ "$got" = "declined:-" ] || enr_fail "without k1 in the ring the k1 person's claim is $got, want declined"
enr_ok "without the previous key the k1 person is not found ($got)"
