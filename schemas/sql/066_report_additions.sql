-- 066_report_additions: what the annual report adds (issue 17): pending claims by age with the amount outstanding,
-- and the data's cut-off (the last decision a report includes). Same conventions as 050: plan_year and
-- managing_unit on every view, money in integer fen, no person_key and no identity number.

-- Claims pending review (the adjudicator's pending_review: awaiting a reviewer or documents), by how long they
-- have waited since their report date, as of today in Asia/Shanghai. Two amounts outstanding: claimed = the bills
-- the pending claims submitted (0 for a liability paid as a sum insured, e.g. death), assessed = the full amount
-- their current decision computed before review (what an approval would pay before limits and earlier payments;
-- nothing is payable before the decision). band_order sorts the bands; bands are closed: 0-30, 31-60, 61-90, 91 days
-- and more. A report date after today (a clock or data error) counts as 0 days, not as a negative age.
CREATE VIEW famins_report.pending_claims_by_age AS
WITH p AS (SELECT f.plan_year, f.managing_unit, f.claimed_amount,
                  coalesce((SELECT cd.full_amount FROM famins.claim_decisions cd
                            WHERE cd.claim_id = f.claim_id ORDER BY cd.decision_id DESC LIMIT 1), 0) AS assessed,
                  greatest((now() AT TIME ZONE 'Asia/Shanghai')::date - f.report_date, 0) AS age_days
           FROM famins_report.claim_facts f
           WHERE f.status = 'pending_review')
SELECT plan_year,
       managing_unit,
       CASE WHEN age_days <= 30 THEN 1 WHEN age_days <= 60 THEN 2 WHEN age_days <= 90 THEN 3 ELSE 4 END
           AS band_order,
       CASE WHEN age_days <= 30 THEN '0-30' WHEN age_days <= 60 THEN '31-60' WHEN age_days <= 90 THEN '61-90'
            ELSE '91+' END AS age_band,
       count(*) AS claims,
       sum(claimed_amount)::bigint AS outstanding,
       sum(assessed)::bigint AS assessed,
       max(age_days) AS oldest_days
FROM p
GROUP BY 1, 2, 3, 4;
COMMENT ON VIEW famins_report.pending_claims_by_age IS
    'claims pending review per unit and age band (days since report, today in Asia/Shanghai): count, claimed and '
    'assessed fen, longest wait';

-- The data's cut-off: the time of the latest decision (decided_at of the current decision, pending-review ones
-- included) among the claims of a plan year and unit. NULL-free: a year without claims has no row.
CREATE VIEW famins_report.decision_cutoff AS
SELECT f.plan_year, f.managing_unit, max(c.decided_at) AS last_decided_at, count(*) AS claims
FROM famins_report.claim_facts f JOIN famins.claims c ON c.claim_id = f.claim_id
GROUP BY 1, 2;
COMMENT ON VIEW famins_report.decision_cutoff IS 'latest decided_at of the claims of a plan year and unit';

GRANT SELECT ON famins_report.pending_claims_by_age, famins_report.decision_cutoff TO famins_reporter, famins_operator;

-- The plan catalogue versions the year's decisions were made under (enrollment and claim decisions).
CREATE VIEW famins_report.plan_versions AS
SELECT plan_year, managing_unit, plan_version, count(*) AS decisions
FROM (SELECT plan_year, managing_unit, plan_version FROM famins.enrollment_decisions
      UNION ALL
      SELECT f.plan_year, f.managing_unit, d.plan_version
      FROM famins.claim_decisions d JOIN famins_report.claim_facts f ON f.claim_id = d.claim_id) v
WHERE plan_version <> ''
GROUP BY 1, 2, 3;
COMMENT ON VIEW famins_report.plan_versions IS 'plan catalogue versions named by the decisions of a plan year and unit';

GRANT SELECT ON famins_report.plan_versions TO famins_reporter, famins_operator;
