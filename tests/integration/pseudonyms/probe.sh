#!/usr/bin/env bash
# probe.sh — the reconstruction probe of issue 12 on the real stack: after a small wave of enrollments and
# claims, every role that can read the tables (famins_eligibility, famins_adjudicator, famins_reporter,
# famins_operator) reads every column it may of every table and view; no value holds an identity number of the
# wave, and no person column (mask, birth year, key...) holds an area code, an 8-digit or dashed birth date, or
# a mask of more than the last 4 characters. Then the attack itself, as each role that can read the insured
# persons: from the unit, the birth year and the mask, every person still has many candidate numbers.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init pseudonym_probe
source "$FAMINS_SOURCE_DIR/tests/integration/enrollment/enr_common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/pseudo_common.sh"
here="$(dirname "${BASH_SOURCE[0]}")"
households=${PROBE_HOUSEHOLDS:-120}
wave=(--households "$households" --seed 1212 --unreadable-share 0 --shared-person-share 0.05)

enr_wave "$households" 1212 "$ENR_LOGS/labels.jsonl" "${wave[@]:2}" --policies-out "$ENR_LOGS/policies.jsonl"
"$ENR_WAVEGEN_BIN" enroll "${wave[@]}" --dry-run "$ENR_LOGS/wave.jsonl" --quiet >>"$ENR_LOGS/wavegen.log" 2>&1 ||
    enr_fail "wavegen --dry-run"
grep -o '"id_number":"[0-9Xx]\{18\}"' "$ENR_LOGS/wave.jsonl" | cut -d'"' -f4 | sort -u >"$ENR_LOGS/ids.txt"
"$ENR_WAVEGEN_BIN" claims --policies "$ENR_LOGS/policies.jsonl" --seed 1212 --claim-unreadable-share 0 \
    --claim-rate-scale 4 --labels "$ENR_LOGS/claim-labels.jsonl" -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$PSEUDO_CLAIMS" \
    --quiet >>"$ENR_LOGS/wavegen.log" 2>&1 || enr_fail "wavegen claims"
enrollments=$(wc -l <"$ENR_LOGS/labels.jsonl")
claims=$(wc -l <"$ENR_LOGS/claim-labels.jsonl")

enr_start_elig probe-elig
elig=$ENR_LAST_PID
pseudo_wait_consumed "$ENR_ELIG_GROUP" "$enrollments" 120
enr_stop "$elig"
pseudo_start_adj probe-adj
adj=$ENR_LAST_PID
pseudo_wait_consumed "$PSEUDO_ADJ_GROUP" "$claims" 120
enr_stop "$adj"
counts=$(itest_psql -c "SELECT (SELECT count(*) FROM famins.insured_persons) || ' insured, '
    || (SELECT count(*) FROM famins.enrollment_members) || ' members, ' || (SELECT count(*) FROM famins.claims) || ' claims'")
[ "$(itest_psql -c "SELECT count(*) FROM famins.claims")" -gt 0 ] || enr_fail "no claims were recorded ($counts)"
enr_ok "wave of $(wc -l <"$ENR_LOGS/ids.txt") identity numbers decided: $counts"

# Everything each role may read, one file per relation: name=value fields of its readable columns.
dumps="$ENR_LOGS/dumps"
mkdir -p "$dumps"
for role in famins_eligibility famins_adjudicator famins_reporter famins_operator; do
    while IFS='|' read -r schema rel cols; do
        [ -n "$rel" ] || continue
        psql "$(itest_dsn_as "$role")" -v ON_ERROR_STOP=1 -qAt \
            -c "SELECT concat_ws(E'\\t', $cols) FROM \"$schema\".\"$rel\"" >"$dumps/$role@$schema.$rel.tsv" ||
            enr_fail "$role could not read the columns it holds SELECT on in $schema.$rel"
    done < <(itest_psql -c "SELECT table_schema, table_name,
            string_agg(format('%L || ''='' || coalesce(replace(replace(%I::text, E''\\t'', '' ''), E''\\n'', '' ''), '''')',
                              column_name, column_name), ', ' ORDER BY ordinal_position)
        FROM information_schema.columns
        WHERE table_schema IN ('famins', 'famins_report')
          AND has_schema_privilege('$role', table_schema, 'USAGE')
          AND has_column_privilege('$role', format('%I.%I', table_schema, table_name), column_name, 'SELECT')
        GROUP BY table_schema, table_name")
done
python3 "$here/probe.py" "$ENR_LOGS/ids.txt" "$dumps" || enr_fail "a role reads what completes an identity number"
for role in famins_eligibility famins_adjudicator; do
    [ -s "$dumps/$role@famins.insured_persons.tsv" ] || enr_fail "$role read no insured person: the probe saw nothing"
done
enr_ok "no role reads an identity number, and no person column an area code, a birth date or more than 4 characters"

# The attack: area code = the unit (when it is a 6-digit code; development zones have other codes), birth date in the stored year, sequence and check character from the mask;
# the candidates that pass the check character, per person, as each role that can read the columns.
attack="WITH p AS (SELECT i.policy_number, i.person_key, i.birth_year, right(i.masked_id, 4) AS last4, pol.managing_unit
                 FROM famins.insured_persons i JOIN famins.policies pol USING (policy_number)
                 WHERE pol.managing_unit ~ '^[0-9]{6}\$'),
     c AS (SELECT p.person_key, p.managing_unit || to_char(d, 'YYYYMMDD') || left(p.last4, 3) AS first17,
                  upper(right(p.last4, 1)) AS check_char
           FROM p CROSS JOIN LATERAL generate_series(make_date(p.birth_year, 1, 1), make_date(p.birth_year, 12, 31),
                                                     interval '1 day') AS d),
     k AS (SELECT c.person_key, c.check_char,
                  substr('10X98765432', (SELECT sum(substr(c.first17, i, 1)::int
                                                    * (2 ^ (18 - i))::bigint % 11) FROM generate_series(1, 17) i)::int
                                        % 11 + 1, 1) AS computed
           FROM c)
SELECT count(DISTINCT person_key) || ':' || min(n) FROM (SELECT person_key, count(*) FILTER (WHERE check_char = computed) AS n
                                                   FROM k GROUP BY person_key) t"
for role in famins_eligibility famins_adjudicator famins_operator famins_reporter; do
    if ! got=$(psql "$(itest_dsn_as "$role")" -v ON_ERROR_STOP=1 -qAt -c "$attack" 2>"$ENR_LOGS/attack-$role.err"); then
        grep -q 'permission denied' "$ENR_LOGS/attack-$role.err" ||
            enr_fail "$role: the attack failed: $(cat "$ENR_LOGS/attack-$role.err")"
        enr_ok "$role cannot even read the columns of the attack"
        continue
    fi
    persons=${got%%:*} fewest=${got#*:}
    [ "$persons" -gt 0 ] || enr_fail "$role: the attack saw no person"
    [ "$fewest" -ge 10 ] || enr_fail "$role: a person's number narrows to $fewest candidates"
    enr_ok "$role: $persons persons, each still has at least $fewest candidate numbers"
done
