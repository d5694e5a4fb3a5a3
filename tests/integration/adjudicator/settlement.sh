#!/usr/bin/env bash
# settlement.sh — settlement time on a generated year (issue 15): famins-wavegen's plan year of claims and reviews
# (receipts on or a few days after the report date, reviews 3-30 days after their claim's receipt) decided by
# famins-adjudicator from Kafka, then the report's settlement figures, which run from each claim's receipt (its
# event's occurred_at) to its current decision: never negative, whatever the machine's clock says about the
# year (the generated year may lie ahead of it), and plausible (a decision on receipt, or a reviewer's weeks).
# Sizes: ADJ_SETTLE_HOUSEHOLDS (default 3000), ADJ_SETTLE_SEED.
set -euo pipefail
source "$FAMINS_SOURCE_DIR/tests/support/itest.sh"
itest_init adj_settle
source "$FAMINS_SOURCE_DIR/tests/integration/adjudicator/adj_common.sh"
adj_wait_topic "$ADJ_IN"

HOUSEHOLDS=${ADJ_SETTLE_HOUSEHOLDS:-3000}
SEED=${ADJ_SETTLE_SEED:-11}
"$WAVEGEN_BIN" enroll --households "$HOUSEHOLDS" --seed "$SEED" --dry-run /dev/null \
    --policies-out "$ADJ_LOGS/policies.jsonl" --quiet >/dev/null 2>"$ADJ_LOGS/wavegen.log" || adj_fail "wavegen enroll"
"$TESTGEN_BIN" seed --policies "$ADJ_LOGS/policies.jsonl" 2>>"$ADJ_LOGS/seed.log" || adj_fail "seed"
"$WAVEGEN_BIN" claims --policies "$ADJ_LOGS/policies.jsonl" --seed "$SEED" --claim-rate-scale 2 \
    --labels "$ADJ_LOGS/labels.jsonl" --quiet >>"$ADJ_LOGS/wavegen.log" 2>&1 || adj_fail "wavegen claims"
total=$(wc -l <"$ADJ_LOGS/labels.jsonl")

adj_start adj-settle FAMINS_LOG_LEVEL=info
pid=$ADJ_LAST_PID
adj_wait_sql 240 "$total" "$adj_consumed_sql"
adj_stop "$pid"
FAMINS_PG_DSN="$FAMINS_PG_DSN" "$TESTGEN_BIN" check-labels --labels "$ADJ_LOGS/labels.jsonl" --group "$ADJ_GROUP" ||
    adj_fail "decisions differ from their labels"

# Every claim has its receipt, and no decision precedes it.
[ "$(itest_psql -c "SELECT count(*) FROM famins.claims WHERE receipt_at IS NULL")" = 0 ] ||
    adj_fail "claims without a receipt time"
[ "$(itest_psql -c "SELECT count(*) FROM famins.claim_decisions d JOIN famins.claims c USING (claim_id)
                     WHERE d.event_at IS NULL OR d.event_at < c.receipt_at AND d.kind = 'initial'")" = 0 ] ||
    adj_fail "decisions without their event time, or a first decision before its receipt"
# A report date after the receipt is refused with its reason, and only then.
refused=$(itest_psql -c "SELECT count(*) FROM famins.claims c WHERE report_date > (receipt_at AT TIME ZONE
                          'Asia/Shanghai')::date")
declined=$(itest_psql -c "SELECT count(*) FROM famins_report.claim_facts WHERE 'REPORT_AFTER_RECEIPT' = ANY (reasons)
                           AND status = 'declined' AND report_date = received_on + 1")
[ "$refused" -gt 0 ] && [ "$refused" = "$declined" ] ||
    adj_fail "report after receipt: $refused claims, $declined declined REPORT_AFTER_RECEIPT"

# A lump-sum claim (death, critical illness, disability) on a found person claims the benefit it asks for:
# claimed > 0 (an invalid grade, or a parent's disability, which the plan does not offer, aside) and what is paid
# never exceeds it.
[ "$(itest_psql -c "SELECT count(*) FROM famins.claims WHERE liability IN ('death', 'critical_illness',
                     'accidental_disability') AND role IS NOT NULL AND (claimed_amount = 0 AND NOT EXISTS (
                     SELECT 1 FROM famins.claim_decisions d WHERE d.claim_id = claims.claim_id
                     AND d.reasons && '{INVALID_GRADE,LIABILITY_NOT_COVERED_FOR_ROLE}') OR payable > claimed_amount)")" = 0 ] ||
    adj_fail "a lump-sum claim whose claimed amount is not the benefit asked for"
[ "$(itest_psql -c "SELECT count(*) FROM famins.claims WHERE liability = 'death' AND role IS NOT NULL")" -gt 0 ] ||
    adj_fail "no death claim in the year"

# The settlement figures: claim by claim, per unit and city-wide.
read -r n min median p90 max reviewed <<<"$(itest_psql -F ' ' -c "
    SELECT count(*), min(settlement_days), percentile_cont(0.5) WITHIN GROUP (ORDER BY settlement_days),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY settlement_days), max(settlement_days),
           count(*) FILTER (WHERE settlement_days > 0)
    FROM famins_report.claim_facts WHERE plan_year = 2026 AND settlement_days IS NOT NULL")"
echo "settlement: $n decided claims, days min $min median $median p90 $p90 max $max; $reviewed after a review"
[ "$n" -gt 500 ] || adj_fail "too few decided claims ($n)"
[ "$min" -ge 0 ] || adj_fail "negative settlement days (min $min)"
awk -v m="$median" 'BEGIN { exit !(m >= 0 && m <= 30) }' || adj_fail "implausible median settlement days $median"
# Documents sent later and appeals (claim-life, on in every wavegen year) decide again later: those claims may
# settle after 30 days. The others are settled on receipt or on their reviewer's day.
first_max=$(itest_psql -c "SELECT coalesce(max(settlement_days), 0) FROM famins_report.claim_facts f
    WHERE plan_year = 2026 AND NOT EXISTS (SELECT 1 FROM famins.claim_decisions d WHERE d.claim_id = f.claim_id
                                           AND d.kind IN ('documents', 'appeal'))")
[ "$first_max" -le 35 ] || adj_fail "a settlement of $first_max days: reviews come 3-30 days after the receipt"
[ "$reviewed" -gt 10 ] || adj_fail "no reviewed claim settled after its receipt day ($reviewed)"
# Reviewed claims are settled on their reviewer's day: 3 to 30 days after their receipt.
[ "$(itest_psql -c "SELECT count(*) FROM famins_report.claim_facts f
                     WHERE EXISTS (SELECT 1 FROM famins.claim_decisions d WHERE d.claim_id = f.claim_id AND d.kind = 'review')
                       AND NOT EXISTS (SELECT 1 FROM famins.claim_decisions d WHERE d.claim_id = f.claim_id
                                       AND d.kind IN ('documents', 'appeal'))
                       AND settlement_days NOT BETWEEN 3 AND 30")" = 0 ] || adj_fail "a reviewed claim outside 3-30 days"
[ "$(itest_psql -c "SELECT count(*) FROM famins_report.settlement_time_by_unit WHERE mean_days < 0 OR median_days < 0")" = 0 ] ||
    adj_fail "a unit with negative settlement days"
city=$(itest_psql -c "SELECT median_days FROM famins_report.settlement_time_city WHERE plan_year = 2026")
awk -v a="$city" -v b="$median" 'BEGIN { exit !(a == b) }' || adj_fail "city median $city, claims' median $median"

# famins-report prints the same figures (its json), as the reporting role.
FAMINS_REPORT_PG_DSN="$(itest_dsn_as famins_reporter)" "$FAMINS_BUILD_DIR/services/report/famins-report" --year 2026 \
    --format json --out "$ADJ_LOGS/report" >"$ADJ_LOGS/report.log" 2>&1 || { cat "$ADJ_LOGS/report.log" >&2; adj_fail "famins-report"; }
python3 - "$ADJ_LOGS/report/report-2026.json" "$median" <<'PY' || adj_fail "the report's settlement figures"
import json, sys
doc = json.load(open(sys.argv[1]))
rows = doc["tables"]["settlement_time"]["rows"]
assert rows, "no settlement rows"
for r in rows:
    for k in ("mean_days", "median_days", "p90_days"):
        assert r[k] is None or float(r[k]) >= 0, f"negative {k}: {r}"
s = doc["tables"]["summary"]["rows"][0]
print("report settlement rows:", len(rows))
PY
adj_ok "settlement: receipt to decision, never negative, median $median days"
