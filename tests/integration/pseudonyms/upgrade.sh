#!/usr/bin/env bash
# upgrade.sh — a database written before migration 062 (plain 64-hex person keys, masks of the first and last 4
# characters, insured_persons.birth_date) is migrated: keys become k1:<hex>, masks keep the last 4, the birth
# date becomes its year; and the adjudicator with the old secret as key k1 finds the old person, adds the new
# claim's usage to the old usage row.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
# itest_init would apply every migration: this test stops before 062 first.
ITEST_NAME=pseudonym_upgrade
ITEST_DB="famins_t_${ITEST_NAME}_$$"
psql "$ITEST_ADMIN_DSN" -v ON_ERROR_STOP=1 -qAt -c "CREATE DATABASE \"$ITEST_DB\" OWNER famins_admin" >/dev/null
export FAMINS_PG_DSN="host=127.0.0.1 port=${FAMINS_PG_PORT} dbname=${ITEST_DB} user=famins_admin"
export FAMINS_TOPIC_PREFIX="t.${ITEST_NAME}.$$."
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pseudo_common.sh"
admin="$FAMINS_BUILD_DIR/services/admin/famins-admin"

before="$ENR_LOGS/sql-before-062"
mkdir -p "$before"
for f in "$FAMINS_SOURCE_DIR"/schemas/sql/[0-9]*.sql; do
    n=$(basename "$f" | sed 's/^0*\([0-9]*\)_.*/\1/')
    [ "$n" -lt 62 ] && cp "$f" "$before/"
done
FAMINS_SQL_DIR="$before" "$admin" all >>"$ENR_LOGS/admin.log" 2>&1 || enr_fail "migrations before 062"

secret=upgrade-old-secret
id=$(pseudo_id 61011320140620013)
hex=$(printf '%s' "$id" | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')
old_mask="${id:0:4}**********${id:14:4}"
itest_psql -c "
WITH d AS (INSERT INTO famins.enrollment_decisions (source_event_id, household_id, plan_year, managing_unit,
    submitted_on, outcome, category, policy_number, coverage_start, coverage_end, plan_version, explanation_en,
    explanation_zh, source_topic, source_partition, source_offset) VALUES ('old-1', 'HUP1', 2026, '610113',
    '2026-01-15', 'accepted', 'B', 'FJ2026-HUP1', '2026-03-01', '2027-02-28', 'seed', 'seed', 'seed', 'seed', 0, 0)
    RETURNING decision_id),
 p AS (INSERT INTO famins.policies (policy_number, household_id, plan_year, managing_unit, category, premium, subsidy,
    self_paid, coverage_start, coverage_end, plan_version, decision_id) SELECT 'FJ2026-HUP1', 'HUP1', 2026, '610113',
    'B', 16500, 0, 16500, '2026-03-01', '2027-02-28', 'seed', decision_id FROM d RETURNING decision_id)
INSERT INTO famins.enrollment_members (decision_id, member_index, role, person_key, masked_id, insured)
    SELECT decision_id, 0, 'child', '$hex', '$old_mask', true FROM p;
INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index, role, masked_id, birth_date,
    sex, renewal) VALUES ('FJ2026-HUP1', 2026, '$hex', 0, 'child', '$old_mask', '2014-06-20', 'M', false);
INSERT INTO famins.person_usage (plan_year, person_key, accident_medical_deductible_used, accident_medical_paid)
    VALUES (2026, '$hex', 10000, 50000);
INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit, person_key, masked_id,
    role, liability, cause, incident_date, report_date, status) VALUES ('C-OLD-1', 'old-clm-1', 'FJ2026-HUP1', 2026,
    '610113', '$hex', '$old_mask', 'child', 'accident_medical', 'accident', '2026-05-01', '2026-05-02', 'approved');
" >/dev/null

"$admin" migrate >>"$ENR_LOGS/admin.log" 2>&1 || enr_fail "migration 062 on the old rows"
new_mask="**************${id:14:4}"
got=$(itest_psql -c "SELECT (SELECT person_key || ' ' || masked_id || ' ' || birth_year FROM famins.insured_persons)
    || ' ' || (SELECT person_key || ' ' || masked_id FROM famins.enrollment_members)
    || ' ' || (SELECT person_key || ' ' || masked_id FROM famins.claims)
    || ' ' || (SELECT person_key FROM famins.person_usage)")
want="k1:$hex $new_mask 2014 k1:$hex $new_mask k1:$hex $new_mask k1:$hex"
[ "$got" = "$want" ] || enr_fail "after 062: [$got], want [$want]"
cols=$(itest_psql -c "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'famins'
    AND column_name = 'birth_date'")
[ "$cols" = 0 ] || enr_fail "a birth_date column is left after 062"
enr_ok "062 renamed the key k1:<hex>, cut the masks to the last 4 and the birth date to its year"

pseudo_claim up-1 C2026700001 FJ2026-HUP1 "$id" 00070001 >"$ENR_LOGS/up-1.json"
pseudo_start_adj adj-upgrade FAMINS_PERSON_KEY_ID=k1 FAMINS_PERSON_KEY_SECRET="$secret"
adj=$ENR_LAST_PID
pseudo_produce_claim FJ2026-HUP1 "$ENR_LOGS/up-1.json"
pseudo_wait_consumed "$PSEUDO_ADJ_GROUP" 1 90
enr_stop "$adj"
got=$(itest_psql -c "SELECT c.status || ':' || c.role || ':' || (c.person_key = 'k1:$hex') || ':' || u.accident_medical_paid
    FROM famins.claims c JOIN famins.person_usage u USING (person_key) WHERE c.claim_id = 'C2026700001'")
# 130000 eligible, the deductible already used by the old usage: 104000 on top of the old 50000.
[ "$got" = "approved:child:true:154000" ] || enr_fail "the claim of the person keyed before 062: $got"
enr_ok "the adjudicator with the old secret as k1 found the person keyed before 062: $got"
