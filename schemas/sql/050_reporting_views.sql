-- 050_reporting_views: the reporting views of the annual claims report (年度理赔报告), in schema famins_report.
-- famins_reporter (famins-report, BI tools, psql) reads these views and nothing else: the views are owned by the
-- migrating role, so they read the base tables with its rights and the reporter needs none on famins.*.
-- Every view has plan_year (so a report filters on one year) and, where it makes sense, managing_unit.
-- Money stays integer fen (bigint); ratios are numeric (exact decimals), never floating point.
-- No view exposes a person_key or a masked identity number.

-- One row per claim with what every claims view needs. A claim whose policy was not found has no plan_year or
-- unit in famins.claims: its year is read from the policy number it named (FJ<year>-..., the event contract)
-- or, failing that, from the incident date (plan years start on 1 March); its unit is 'UNKNOWN'.
-- settlement_days: report date to the current decision (a calendar date in Asia/Shanghai); NULL while pending.
CREATE VIEW famins_report.claim_facts AS
SELECT c.claim_id,
       coalesce(c.plan_year,
                substring(c.policy_number FROM '^FJ([0-9]{4})-')::integer,
                extract(year FROM (c.incident_date - interval '2 months'))::integer) AS plan_year,
       coalesce(c.managing_unit, 'UNKNOWN') AS managing_unit,
       c.policy_number,
       coalesce(c.role, 'unknown') AS role,
       c.liability,
       c.cause,
       c.incident_date,
       c.report_date,
       to_char(c.report_date, 'YYYY-MM') AS report_month,
       c.status,
       c.claimed_amount,
       CASE WHEN c.status IN ('approved', 'partial') THEN c.payable ELSE 0 END AS paid,
       (c.decided_at AT TIME ZONE 'Asia/Shanghai')::date AS decided_on,
       CASE WHEN c.status = 'pending_review' THEN NULL
            ELSE (c.decided_at AT TIME ZONE 'Asia/Shanghai')::date - c.report_date END AS settlement_days,
       -- A scalar subquery (not a join) so that PostgreSQL evaluates it only for the views that read reasons.
       coalesce((SELECT cd.reasons FROM famins.claim_decisions cd
                 WHERE cd.claim_id = c.claim_id ORDER BY cd.decision_id DESC LIMIT 1), '{}') AS reasons
FROM famins.claims c;
COMMENT ON VIEW famins_report.claim_facts IS
    'one row per claim: effective plan year and unit, current status, paid (fen), settlement days, current reasons';

-- Enrollment by managing unit and category: households (policies), insured children, insured parents and guardians.
CREATE VIEW famins_report.enrollment_by_unit AS
-- Households and persons are counted in two grouped passes joined at the end (a plan_year filter reaches both).
WITH h AS (SELECT plan_year, managing_unit, category, count(*) AS households
           FROM famins.policies GROUP BY plan_year, managing_unit, category),
     m AS (SELECT p.plan_year, p.managing_unit, p.category,
                  count(*) FILTER (WHERE i.role = 'child') AS children,
                  count(*) FILTER (WHERE i.role IN ('parent', 'guardian')) AS adults
           FROM famins.insured_persons i JOIN famins.policies p ON p.policy_number = i.policy_number
           GROUP BY p.plan_year, p.managing_unit, p.category)
SELECT h.plan_year,
       h.managing_unit,
       h.category,
       h.households,
       coalesce(m.children, 0) AS insured_children,
       coalesce(m.adults, 0) AS insured_parents_guardians
FROM h LEFT JOIN m ON m.plan_year = h.plan_year AND m.managing_unit = h.managing_unit AND m.category = h.category;
COMMENT ON VIEW famins_report.enrollment_by_unit IS 'accepted households and insured persons per unit and category';

-- Enrollment decisions, accepted and rejected, per unit (how many households the associations submitted).
CREATE VIEW famins_report.enrollment_decisions_by_unit AS
SELECT plan_year,
       managing_unit,
       count(*) FILTER (WHERE outcome = 'accepted') AS accepted,
       count(*) FILTER (WHERE outcome = 'rejected') AS rejected
FROM famins.enrollment_decisions
GROUP BY plan_year, managing_unit;

-- Premium income per unit and category, as decided on the accepted enrollments: total, self-paid, and the
-- subsidy by payer (city, district or county, development zone).
CREATE VIEW famins_report.premium_by_unit AS
SELECT plan_year,
       managing_unit,
       category,
       count(*) AS households,
       sum(premium)::bigint AS premium,
       sum(self_paid)::bigint AS self_paid,
       sum(subsidy)::bigint AS subsidy,
       sum(subsidy_city)::bigint AS subsidy_city,
       sum(subsidy_district)::bigint AS subsidy_district_or_county,
       sum(subsidy_zone)::bigint AS subsidy_development_zone
FROM famins.enrollment_decisions
WHERE outcome = 'accepted'
GROUP BY plan_year, managing_unit, category;
COMMENT ON VIEW famins_report.premium_by_unit IS 'premium income (fen) of accepted enrollments per unit and category';

-- Claims by liability, role and unit: counts by current status and amounts (fen).
CREATE VIEW famins_report.claims_by_liability AS
SELECT plan_year,
       managing_unit,
       liability,
       role,
       count(*) AS claims,
       count(*) FILTER (WHERE status = 'approved') AS approved,
       count(*) FILTER (WHERE status = 'partial') AS partial,
       count(*) FILTER (WHERE status = 'declined') AS declined,
       count(*) FILTER (WHERE status = 'pending_review') AS pending,
       sum(claimed_amount)::bigint AS claimed_amount,
       sum(paid)::bigint AS paid
FROM famins_report.claim_facts
GROUP BY plan_year, managing_unit, liability, role;
COMMENT ON VIEW famins_report.claims_by_liability IS
    'claims per liability x role x unit: counts by status, claimed and paid (fen); paid = payable of approved and partial';

-- Loss ratio per unit: paid claims over premium income. A unit may have claims and no premium (UNKNOWN).
CREATE VIEW famins_report.loss_ratio_by_unit AS
WITH prem AS (SELECT plan_year, managing_unit, sum(premium)::bigint AS premium
              FROM famins.enrollment_decisions WHERE outcome = 'accepted'
              GROUP BY plan_year, managing_unit),
     paid AS (SELECT plan_year, managing_unit, count(*) AS claims, sum(paid)::bigint AS paid
              FROM famins_report.claim_facts GROUP BY plan_year, managing_unit)
SELECT coalesce(prem.plan_year, paid.plan_year) AS plan_year,
       coalesce(prem.managing_unit, paid.managing_unit) AS managing_unit,
       coalesce(prem.premium, 0) AS premium,
       coalesce(paid.claims, 0) AS claims,
       coalesce(paid.paid, 0) AS paid,
       CASE WHEN coalesce(prem.premium, 0) > 0 THEN round(coalesce(paid.paid, 0)::numeric / prem.premium, 4) END
           AS loss_ratio
FROM prem FULL JOIN paid ON prem.plan_year = paid.plan_year AND prem.managing_unit = paid.managing_unit;
COMMENT ON VIEW famins_report.loss_ratio_by_unit IS 'paid / premium per unit (NULL without premium)';

-- Settlement time, report date to the current decision, in days, over decided (not pending) claims.
CREATE VIEW famins_report.settlement_time_by_unit AS
SELECT plan_year,
       managing_unit,
       count(*) AS decided_claims,
       round(avg(settlement_days), 1) AS mean_days,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY settlement_days)::numeric, 1) AS median_days,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY settlement_days)::numeric, 1) AS p90_days
FROM famins_report.claim_facts
WHERE settlement_days IS NOT NULL
GROUP BY plan_year, managing_unit;

-- The same over the whole city (a median is not a sum of medians).
CREATE VIEW famins_report.settlement_time_city AS
SELECT plan_year,
       count(*) AS decided_claims,
       round(avg(settlement_days), 1) AS mean_days,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY settlement_days)::numeric, 1) AS median_days,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY settlement_days)::numeric, 1) AS p90_days
FROM famins_report.claim_facts
WHERE settlement_days IS NOT NULL
GROUP BY plan_year;
COMMENT ON VIEW famins_report.settlement_time_city IS
    'days from report date to decision, city-wide: mean, median and 90th percentile (continuous)';

-- Decline reasons of the claims declined now (the current decision's reasons), per unit.
CREATE VIEW famins_report.decline_reasons_by_unit AS
SELECT f.plan_year, f.managing_unit, r.reason, count(*) AS claims
FROM famins_report.claim_facts f
CROSS JOIN LATERAL unnest(f.reasons) AS r(reason)
WHERE f.status = 'declined'
GROUP BY f.plan_year, f.managing_unit, r.reason;

-- The same ranked over the city (rank 1 = the most frequent).
CREATE VIEW famins_report.decline_reasons_ranked AS
SELECT plan_year, reason, sum(claims)::bigint AS claims,
       rank() OVER (PARTITION BY plan_year ORDER BY sum(claims) DESC) AS rank
FROM famins_report.decline_reasons_by_unit
GROUP BY plan_year, reason;

-- Fraud signals by kind and unit. Signals without a year or unit take them from their claim, then from the
-- policy number they name.
CREATE VIEW famins_report.fraud_signals_by_unit AS
SELECT coalesce(s.plan_year, f.plan_year, substring(s.policy_number FROM '^FJ([0-9]{4})-')::integer) AS plan_year,
       coalesce(s.managing_unit, f.managing_unit, 'UNKNOWN') AS managing_unit,
       s.code,
       count(*) AS signals
FROM famins.fraud_signals s
LEFT JOIN famins_report.claim_facts f ON f.claim_id = s.claim_id
GROUP BY 1, 2, 3;

-- Subsidy reconciliation per unit: what the accepted category-A decisions say each payer owes (their
-- subsidy_city/district/zone columns; 4000 fen per household in all) against what the subsidy ledger allocated.
-- gap = expected - allocated (positive: not allocated yet; negative: allocated beyond the decisions).
CREATE VIEW famins_report.subsidy_reconciliation AS
WITH exp AS (SELECT plan_year, managing_unit,
                    count(*) AS households_a,
                    sum(subsidy_city)::bigint AS city,
                    sum(subsidy_district)::bigint AS district,
                    sum(subsidy_zone)::bigint AS zone
             FROM famins.enrollment_decisions
             WHERE outcome = 'accepted' AND category = 'A'
             GROUP BY plan_year, managing_unit),
     alloc AS (SELECT plan_year, managing_unit,
                      count(DISTINCT policy_number) AS households_allocated,
                      coalesce(sum(amount) FILTER (WHERE payer = 'city'), 0)::bigint AS city,
                      coalesce(sum(amount) FILTER (WHERE payer = 'district_or_county'), 0)::bigint AS district,
                      coalesce(sum(amount) FILTER (WHERE payer = 'development_zone'), 0)::bigint AS zone
               FROM famins.subsidy_ledger
               GROUP BY plan_year, managing_unit)
SELECT coalesce(exp.plan_year, alloc.plan_year) AS plan_year,
       coalesce(exp.managing_unit, alloc.managing_unit) AS managing_unit,
       coalesce(exp.households_a, 0) AS households_a,
       coalesce(alloc.households_allocated, 0) AS households_allocated,
       4000 * coalesce(exp.households_a, 0) AS expected_total,
       coalesce(exp.city, 0) AS expected_city,
       coalesce(alloc.city, 0) AS allocated_city,
       coalesce(exp.district, 0) AS expected_district_or_county,
       coalesce(alloc.district, 0) AS allocated_district_or_county,
       coalesce(exp.zone, 0) AS expected_development_zone,
       coalesce(alloc.zone, 0) AS allocated_development_zone,
       coalesce(alloc.city, 0) + coalesce(alloc.district, 0) + coalesce(alloc.zone, 0) AS allocated_total,
       4000 * coalesce(exp.households_a, 0)
           - (coalesce(alloc.city, 0) + coalesce(alloc.district, 0) + coalesce(alloc.zone, 0)) AS gap_total,
       coalesce(exp.city, 0) - coalesce(alloc.city, 0) AS gap_city,
       coalesce(exp.district, 0) - coalesce(alloc.district, 0) AS gap_district_or_county,
       coalesce(exp.zone, 0) - coalesce(alloc.zone, 0) AS gap_development_zone
FROM exp FULL JOIN alloc ON exp.plan_year = alloc.plan_year AND exp.managing_unit = alloc.managing_unit;
COMMENT ON VIEW famins_report.subsidy_reconciliation IS
    'category-A subsidy: expected (4000 fen x households; per payer from the decisions) against the ledger, with gaps';

-- Claims per month of the report date, per unit.
CREATE VIEW famins_report.claims_by_month AS
SELECT plan_year, managing_unit, report_month AS month,
       count(*) AS claims,
       count(*) FILTER (WHERE status = 'declined') AS declined,
       count(*) FILTER (WHERE status = 'pending_review') AS pending,
       sum(claimed_amount)::bigint AS claimed_amount,
       sum(paid)::bigint AS paid
FROM famins_report.claim_facts
GROUP BY plan_year, managing_unit, report_month;

GRANT SELECT ON famins_report.claim_facts, famins_report.enrollment_by_unit, famins_report.enrollment_decisions_by_unit,
    famins_report.premium_by_unit, famins_report.claims_by_liability, famins_report.loss_ratio_by_unit,
    famins_report.settlement_time_by_unit, famins_report.settlement_time_city, famins_report.decline_reasons_by_unit,
    famins_report.decline_reasons_ranked, famins_report.fraud_signals_by_unit, famins_report.subsidy_reconciliation,
    famins_report.claims_by_month
    TO famins_reporter, famins_operator;
