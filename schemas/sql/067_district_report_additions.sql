-- 067_district_report_additions: the views 066 added for the annual report, given to district logins like 065's
-- (migrations 065 and 066 were written side by side; without this a district's famins-report is refused them).
-- pending_claims_by_age and decision_cutoff read through famins_report.claim_facts, which 065 filters by the
-- caller's unit (famins.report_scope); plan_versions also read famins.enrollment_decisions directly, so it gets
-- the same filter. All three become security barriers, so that no function a caller writes into a query sees
-- another unit's rows before the filter.

ALTER VIEW famins_report.pending_claims_by_age SET (security_barrier = true);
ALTER VIEW famins_report.decision_cutoff SET (security_barrier = true);

CREATE OR REPLACE VIEW famins_report.plan_versions WITH (security_barrier) AS
SELECT plan_year, managing_unit, plan_version, count(*) AS decisions
FROM (SELECT plan_year, managing_unit, plan_version FROM famins.enrollment_decisions
      WHERE (SELECT s.all_units FROM famins.report_scope s)
         OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
      UNION ALL
      SELECT f.plan_year, f.managing_unit, d.plan_version
      FROM famins.claim_decisions d JOIN famins_report.claim_facts f ON f.claim_id = d.claim_id) v
WHERE plan_version <> ''
GROUP BY 1, 2, 3;

INSERT INTO famins.district_views VALUES
    ('famins_report.pending_claims_by_age'), ('famins_report.decision_cutoff'), ('famins_report.plan_versions');
SELECT famins.grant_district_views();
