-- 072_policy_ledger_views: subsidy reversals in the ledger and the report's figures of a policy's life
-- (issue 16). famins-subsidy books a reversal as negative rows per payer (entry_kind 'reversal'), split like the
-- allocation, adding up to the reversal famins-eligibility decided (famins.policy_changes.subsidy_reversal).
-- Every view below is filtered by the caller's unit (famins.report_scope, as 065/067) and is a security barrier.

ALTER TABLE famins.subsidy_ledger
    ADD COLUMN entry_kind text NOT NULL DEFAULT 'allocation' CHECK (entry_kind IN ('allocation', 'reversal')),
    ADD COLUMN reversal_reason text CHECK (reversal_reason IN ('category_a_lost', 'cancelled'));
ALTER TABLE famins.subsidy_ledger DROP CONSTRAINT subsidy_ledger_amount_check;
ALTER TABLE famins.subsidy_ledger ADD CONSTRAINT subsidy_ledger_amount_sign CHECK (
    (entry_kind = 'allocation' AND amount >= 0 AND reversal_reason IS NULL)
    OR (entry_kind = 'reversal' AND amount < 0 AND reversal_reason IS NOT NULL));
COMMENT ON COLUMN famins.subsidy_ledger.entry_kind IS
    'allocation (>= 0, from enrollment.decided) or reversal (< 0, from policy.change_decided; issue 16)';

-- The reconciliation of 065, the same columns first (allocations only, as before), then the reversals: what
-- eligibility decided, what the ledger booked per payer, the net, and the gaps (0 when the ledger balances).
CREATE OR REPLACE VIEW famins_report.subsidy_reconciliation WITH (security_barrier) AS
WITH exp AS (SELECT plan_year, managing_unit,
                    count(*) AS households_a,
                    sum(subsidy_city)::bigint AS city,
                    sum(subsidy_district)::bigint AS district,
                    sum(subsidy_zone)::bigint AS zone
             FROM famins.enrollment_decisions
             WHERE outcome = 'accepted' AND category = 'A'
               AND ((SELECT s.all_units FROM famins.report_scope s)
                    OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
             GROUP BY plan_year, managing_unit),
     alloc AS (SELECT plan_year, managing_unit,
                      count(DISTINCT policy_number) FILTER (WHERE entry_kind = 'allocation') AS households_allocated,
                      coalesce(sum(amount) FILTER (WHERE entry_kind = 'allocation' AND payer = 'city'), 0)::bigint
                          AS city,
                      coalesce(sum(amount) FILTER (WHERE entry_kind = 'allocation'
                                                     AND payer = 'district_or_county'), 0)::bigint AS district,
                      coalesce(sum(amount) FILTER (WHERE entry_kind = 'allocation'
                                                     AND payer = 'development_zone'), 0)::bigint AS zone,
                      coalesce(-sum(amount) FILTER (WHERE entry_kind = 'reversal' AND payer = 'city'), 0)::bigint
                          AS rev_city,
                      coalesce(-sum(amount) FILTER (WHERE entry_kind = 'reversal'
                                                      AND payer = 'district_or_county'), 0)::bigint AS rev_district,
                      coalesce(-sum(amount) FILTER (WHERE entry_kind = 'reversal'
                                                      AND payer = 'development_zone'), 0)::bigint AS rev_zone
               FROM famins.subsidy_ledger
               WHERE (SELECT s.all_units FROM famins.report_scope s)
                  OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
               GROUP BY plan_year, managing_unit),
     dec AS (SELECT plan_year, managing_unit, sum(subsidy_reversal)::bigint AS decided
             FROM famins.policy_changes
             WHERE outcome = 'accepted' AND subsidy_reversal > 0
               AND ((SELECT s.all_units FROM famins.report_scope s)
                    OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
             GROUP BY plan_year, managing_unit),
     k AS (SELECT plan_year, managing_unit FROM exp UNION SELECT plan_year, managing_unit FROM alloc
           UNION SELECT plan_year, managing_unit FROM dec)
SELECT k.plan_year,
       k.managing_unit,
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
       coalesce(exp.zone, 0) - coalesce(alloc.zone, 0) AS gap_development_zone,
       coalesce(dec.decided, 0) AS reversal_decided_total,
       coalesce(alloc.rev_city, 0) AS reversed_city,
       coalesce(alloc.rev_district, 0) AS reversed_district_or_county,
       coalesce(alloc.rev_zone, 0) AS reversed_development_zone,
       coalesce(alloc.rev_city, 0) + coalesce(alloc.rev_district, 0) + coalesce(alloc.rev_zone, 0) AS reversed_total,
       coalesce(dec.decided, 0)
           - (coalesce(alloc.rev_city, 0) + coalesce(alloc.rev_district, 0) + coalesce(alloc.rev_zone, 0))
           AS reversal_gap_total,
       coalesce(alloc.city, 0) - coalesce(alloc.rev_city, 0) AS net_city,
       coalesce(alloc.district, 0) - coalesce(alloc.rev_district, 0) AS net_district_or_county,
       coalesce(alloc.zone, 0) - coalesce(alloc.rev_zone, 0) AS net_development_zone,
       4000 * coalesce(exp.households_a, 0) - coalesce(dec.decided, 0) AS expected_net_total,
       coalesce(alloc.city, 0) + coalesce(alloc.district, 0) + coalesce(alloc.zone, 0)
           - (coalesce(alloc.rev_city, 0) + coalesce(alloc.rev_district, 0) + coalesce(alloc.rev_zone, 0))
           AS net_total
FROM k LEFT JOIN exp ON exp.plan_year = k.plan_year AND exp.managing_unit = k.managing_unit
LEFT JOIN alloc ON alloc.plan_year = k.plan_year AND alloc.managing_unit = k.managing_unit
LEFT JOIN dec ON dec.plan_year = k.plan_year AND dec.managing_unit = k.managing_unit;

-- Premium money per unit: payments and refunds received as events, and the refunds cancellations decided.
CREATE VIEW famins_report.premium_collected_by_unit WITH (security_barrier) AS
SELECT plan_year, managing_unit,
       count(DISTINCT policy_number) FILTER (WHERE kind = 'paid') AS policies_paying,
       coalesce(sum(amount) FILTER (WHERE kind = 'paid'), 0)::bigint AS collected,
       coalesce(sum(amount) FILTER (WHERE kind = 'refunded'), 0)::bigint AS refunded,
       coalesce(sum(amount) FILTER (WHERE kind = 'cancellation_refund'), 0)::bigint AS cancellation_refunds,
       (coalesce(sum(amount) FILTER (WHERE kind = 'paid'), 0)
        - coalesce(sum(amount) FILTER (WHERE kind <> 'paid'), 0))::bigint AS net_collected
FROM famins.premium_payments
WHERE (SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
GROUP BY plan_year, managing_unit;

-- The subsidy per payer and unit after reversals (allocated, reversed, net), one row per payer that has any.
CREATE VIEW famins_report.subsidy_net_by_payer WITH (security_barrier) AS
SELECT plan_year, managing_unit, payer,
       coalesce(sum(amount) FILTER (WHERE entry_kind = 'allocation'), 0)::bigint AS allocated,
       coalesce(-sum(amount) FILTER (WHERE entry_kind = 'reversal'), 0)::bigint AS reversed,
       sum(amount)::bigint AS net
FROM famins.subsidy_ledger
WHERE (SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
GROUP BY plan_year, managing_unit, payer;

-- Each policy's premium against what it owed at enrollment (fully_paid_on: the day payments first covered it),
-- and its cancellation: famins-report counts lapses with the plan's grace days (a plan parameter).
CREATE VIEW famins_report.policy_premium_status WITH (security_barrier) AS
SELECT p.plan_year, p.managing_unit, p.policy_number, p.category, p.coverage_start, pp.due, pp.paid,
       pp.refunded, pp.fully_paid_on, s.cancelled_on
FROM famins.policies p JOIN famins.policy_premium_paid pp ON pp.policy_number = p.policy_number
LEFT JOIN famins.policy_status s ON s.policy_number = p.policy_number
WHERE (SELECT s2.all_units FROM famins.report_scope s2)
   OR p.managing_unit = (SELECT s2.unit FROM famins.report_scope s2);

-- The changes decided, per unit, kind and outcome, with their money.
CREATE VIEW famins_report.policy_changes_by_unit WITH (security_barrier) AS
SELECT plan_year, managing_unit, change, outcome, count(*) AS changes,
       coalesce(sum(premium_delta), 0)::bigint AS premium_delta, coalesce(sum(refund), 0)::bigint AS refunds,
       coalesce(sum(subsidy_reversal), 0)::bigint AS subsidy_reversed
FROM famins.policy_changes
WHERE managing_unit <> ''
  AND ((SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
GROUP BY plan_year, managing_unit, change, outcome;

-- Members added and removed during the year, by role.
CREATE VIEW famins_report.members_changed_by_unit WITH (security_barrier) AS
SELECT plan_year, managing_unit, member_role AS role,
       count(*) FILTER (WHERE change = 'member_added') AS added,
       count(*) FILTER (WHERE change = 'member_removed') AS removed
FROM famins.policy_changes
WHERE outcome = 'accepted' AND change IN ('member_added', 'member_removed')
  AND ((SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
GROUP BY plan_year, managing_unit, member_role;

COMMENT ON VIEW famins_report.premium_collected_by_unit IS 'premium paid, refunded and refunded on cancellation (fen)';
COMMENT ON VIEW famins_report.subsidy_net_by_payer IS 'subsidy allocated, reversed and net per payer (fen)';
COMMENT ON VIEW famins_report.policy_premium_status IS 'per policy: premium due, paid, first fully paid, cancelled';
COMMENT ON VIEW famins_report.policy_changes_by_unit IS 'policy changes decided, by kind and outcome (fen)';
COMMENT ON VIEW famins_report.members_changed_by_unit IS 'members added and removed during the year, by role';

GRANT SELECT ON famins_report.premium_collected_by_unit, famins_report.subsidy_net_by_payer,
    famins_report.policy_premium_status, famins_report.policy_changes_by_unit,
    famins_report.members_changed_by_unit TO famins_reporter, famins_operator;
INSERT INTO famins.district_views VALUES
    ('famins_report.premium_collected_by_unit'), ('famins_report.subsidy_net_by_payer'),
    ('famins_report.policy_premium_status'), ('famins_report.policy_changes_by_unit'),
    ('famins_report.members_changed_by_unit');
SELECT famins.grant_district_views();
