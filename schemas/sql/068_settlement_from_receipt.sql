-- 068_settlement_from_receipt: settlement time runs from the claim's receipt to its decision (issue 15, item 6).
-- Until now the report counted from the claim's report_date to the machine's clock when the decision was
-- written (claims.decided_at), which is negative when a year of claims is replayed ahead of the clock.
--
-- receipt    = the claim.submitted event's occurred_at (claims.receipt_at, written by the adjudicator); a claim
--              whose report_date is after the receipt's date (Asia/Shanghai) is declined REPORT_AFTER_RECEIPT.
-- decision   = the time of the event that made the decision (claim_decisions.event_at: the claim's receipt for
--              the first decision, which famins makes on receipt; the claim.reviewed's occurred_at for a
--              review), never before the receipt. A current decision without event_at (written before this
--              migration, or by a writer that does not set it) counts at the later of the clock that wrote it
--              (claims.decided_at, which the adjudicator sets with each decision) and the receipt. services/adjudicator/README.md ("Times") says why.
-- A claim written before this migration has no receipt_at: its receipt is when famins recorded it
-- (received_at), so that old rows keep a non-negative measure.
-- settlement_days = decision date - receipt date, calendar dates in Asia/Shanghai, >= 0 by construction.

ALTER TABLE famins.claims ADD COLUMN receipt_at timestamptz;
COMMENT ON COLUMN famins.claims.receipt_at IS
    'when the claim was received: the claim.submitted event''s occurred_at (NULL for claims recorded before 068)';
ALTER TABLE famins.claim_decisions ADD COLUMN event_at timestamptz;
COMMENT ON COLUMN famins.claim_decisions.event_at IS
    'occurred_at of the event this decision decides (claim receipt, review); decided_at is the machine''s clock';

-- claim_facts as 065 made it (the caller's scope filter, a security barrier), with settlement_days and
-- decided_on from receipt to decision; new columns at the end: received_on, the receipt's date.
CREATE OR REPLACE VIEW famins_report.claim_facts WITH (security_barrier) AS
-- (Inline subqueries, not a function: a function would run with the reporter's rights, not the view owner's.)
WITH c AS (SELECT c.*, coalesce(c.receipt_at, c.received_at) AS receipt,
                  greatest(coalesce((SELECT cd.event_at FROM famins.claim_decisions cd
                                     WHERE cd.claim_id = c.claim_id ORDER BY cd.decision_id DESC LIMIT 1),
                                    c.decided_at),
                           coalesce(c.receipt_at, c.received_at)) AS decision_time
           FROM famins.claims c
           WHERE (SELECT s.all_units FROM famins.report_scope s)
              OR c.managing_unit = (SELECT s.unit FROM famins.report_scope s))
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
       (c.decision_time AT TIME ZONE 'Asia/Shanghai')::date AS decided_on,
       CASE WHEN c.status = 'pending_review' THEN NULL
            ELSE (c.decision_time AT TIME ZONE 'Asia/Shanghai')::date
                 - (c.receipt AT TIME ZONE 'Asia/Shanghai')::date END AS settlement_days,
       coalesce((SELECT cd.reasons FROM famins.claim_decisions cd
                 WHERE cd.claim_id = c.claim_id ORDER BY cd.decision_id DESC LIMIT 1), '{}') AS reasons,
       (c.receipt AT TIME ZONE 'Asia/Shanghai')::date AS received_on
FROM c;
COMMENT ON VIEW famins_report.claim_facts IS
    'one row per claim: effective plan year and unit, current status, paid (fen), settlement days (receipt to '
    'decision), current reasons, receipt date';

COMMENT ON VIEW famins_report.settlement_time_by_unit IS
    'days from the claim''s receipt to its current decision (Asia/Shanghai dates), per unit: mean, median, p90';
COMMENT ON VIEW famins_report.settlement_time_city IS
    'days from the claim''s receipt to its current decision, city-wide: mean, median and 90th percentile '
    '(continuous)';

-- District logins read claim_facts and the views over it (065, 067): the same view objects, so their grants
-- stand; granted again for any login bound since, as 067 does.
SELECT famins.grant_district_views();
