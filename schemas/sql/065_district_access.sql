-- 065_district_access: each district association (区县/开发区 managing unit) reads its own unit's rows of the
-- reporting views and nothing else; the city's reporter and operators read every unit, as before.
--
-- How: one LOGIN role per association (or per person of it), created by the DBA with its password, and bound to
-- its managing unit in famins.district_logins (`famins-admin district-role UNIT ROLE`). Every reporting view is
-- owned by the migrating role and reads the base tables with its rights, so row-level security on the base tables
-- would not apply through the views (and PostgreSQL refuses the services' COPY into a table with row-level
-- security); instead each view filters on the CALLER: current_user inside a view is the role that queries it,
-- not the view's owner, and a role cannot change it (SET ROLE needs membership, SET SESSION AUTHORIZATION a
-- superuser). No session setting is read, so nothing a client may SET widens what it sees.
--   - a role bound in famins.district_logins sees its unit's rows only (whatever else it is a member of);
--   - famins_reporter, famins_operator, their members, the owner and superusers see every unit;
--   - any other role that somehow holds a grant sees nothing (fail closed: a deleted binding hides, not opens).
-- The views are security_barrier: a caller's condition that is not leakproof (a cast that fails with the value
-- in its message, a function that raises a notice) is evaluated only on rows that passed the filter.
-- The filter is uncorrelated (`(SELECT ... FROM famins.report_scope)`): PostgreSQL runs it once per query.
-- Reads the district roles are given: famins.district_views (the views below and the export views of
-- famins-report's data sharing); a later migration that adds a unit-filtered view lists it there and calls
-- famins.grant_district_views(). Nothing else of famins_report is granted to them (dead letters, for instance).

CREATE TABLE famins.district_logins (
    role_name      name        PRIMARY KEY,
    managing_unit  text        NOT NULL CHECK (managing_unit ~ '^[0-9A-Za-z_-]{1,31}$' AND managing_unit <> 'UNKNOWN'),
    bound_at       timestamptz NOT NULL DEFAULT now(),
    bound_by       name        NOT NULL DEFAULT session_user
);
COMMENT ON TABLE famins.district_logins IS
    'which managing unit a district association''s login role may read in the reporting views (one unit per role)';

-- The caller's scope, one row: all_units, or the one unit it may read (NULL: none). Not granted to anyone: the
-- reporting views read it with their owner's rights, current_user still being the caller.
CREATE VIEW famins.report_scope AS
SELECT d.managing_unit AS unit,
       d.managing_unit IS NULL AND (pg_has_role(current_user, 'famins_reporter', 'USAGE')
                                    OR pg_has_role(current_user, 'famins_operator', 'USAGE')
                                    OR pg_has_role(current_user, o.relowner, 'USAGE')) AS all_units
FROM pg_class o
LEFT JOIN famins.district_logins d ON d.role_name = current_user
WHERE o.oid = 'famins.district_logins'::regclass;

-- What famins-report asks first: who am I, and which units may I read.
CREATE VIEW famins_report.caller_scope AS
SELECT current_user AS login, s.all_units, s.unit AS managing_unit FROM famins.report_scope s;
COMMENT ON VIEW famins_report.caller_scope IS
    'the calling role''s scope: all_units (city) or the one managing_unit it may read (NULL: none)';

-- ---- the reporting views of 050, now filtered by the caller's scope at their base-table reads ----------------
-- Same columns as before. The views computed over claim_facts (claims_by_liability, settlement_time_*,
-- decline_reasons_*, claims_by_month) inherit its filter; for a district, the "city" views are its own unit.

CREATE OR REPLACE VIEW famins_report.claim_facts WITH (security_barrier) AS
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
       coalesce((SELECT cd.reasons FROM famins.claim_decisions cd
                 WHERE cd.claim_id = c.claim_id ORDER BY cd.decision_id DESC LIMIT 1), '{}') AS reasons
FROM famins.claims c
WHERE (SELECT s.all_units FROM famins.report_scope s)
   OR c.managing_unit = (SELECT s.unit FROM famins.report_scope s);

CREATE OR REPLACE VIEW famins_report.enrollment_by_unit WITH (security_barrier) AS
WITH h AS (SELECT plan_year, managing_unit, category, count(*) AS households
           FROM famins.policies
           WHERE (SELECT s.all_units FROM famins.report_scope s)
              OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
           GROUP BY plan_year, managing_unit, category),
     m AS (SELECT p.plan_year, p.managing_unit, p.category,
                  count(*) FILTER (WHERE i.role = 'child') AS children,
                  count(*) FILTER (WHERE i.role IN ('parent', 'guardian')) AS adults
           FROM famins.insured_persons i JOIN famins.policies p ON p.policy_number = i.policy_number
           WHERE (SELECT s.all_units FROM famins.report_scope s)
              OR p.managing_unit = (SELECT s.unit FROM famins.report_scope s)
           GROUP BY p.plan_year, p.managing_unit, p.category)
SELECT h.plan_year,
       h.managing_unit,
       h.category,
       h.households,
       coalesce(m.children, 0) AS insured_children,
       coalesce(m.adults, 0) AS insured_parents_guardians
FROM h LEFT JOIN m ON m.plan_year = h.plan_year AND m.managing_unit = h.managing_unit AND m.category = h.category;

CREATE OR REPLACE VIEW famins_report.enrollment_decisions_by_unit WITH (security_barrier) AS
SELECT plan_year,
       managing_unit,
       count(*) FILTER (WHERE outcome = 'accepted') AS accepted,
       count(*) FILTER (WHERE outcome = 'rejected') AS rejected
FROM famins.enrollment_decisions
WHERE (SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
GROUP BY plan_year, managing_unit;

CREATE OR REPLACE VIEW famins_report.premium_by_unit WITH (security_barrier) AS
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
  AND ((SELECT s.all_units FROM famins.report_scope s) OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
GROUP BY plan_year, managing_unit, category;

CREATE OR REPLACE VIEW famins_report.loss_ratio_by_unit WITH (security_barrier) AS
WITH prem AS (SELECT plan_year, managing_unit, sum(premium)::bigint AS premium
              FROM famins.enrollment_decisions
              WHERE outcome = 'accepted'
                AND ((SELECT s.all_units FROM famins.report_scope s)
                     OR managing_unit = (SELECT s.unit FROM famins.report_scope s))
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

-- A signal's unit is its own, else its claim's (claim_facts, itself filtered), else 'UNKNOWN'; the filter is on
-- that effective unit.
CREATE OR REPLACE VIEW famins_report.fraud_signals_by_unit WITH (security_barrier) AS
SELECT coalesce(s.plan_year, f.plan_year, substring(s.policy_number FROM '^FJ([0-9]{4})-')::integer) AS plan_year,
       coalesce(s.managing_unit, f.managing_unit, 'UNKNOWN') AS managing_unit,
       s.code,
       count(*) AS signals
FROM famins.fraud_signals s
LEFT JOIN famins_report.claim_facts f ON f.claim_id = s.claim_id
WHERE (SELECT sc.all_units FROM famins.report_scope sc)
   OR coalesce(s.managing_unit, f.managing_unit, 'UNKNOWN') = (SELECT sc.unit FROM famins.report_scope sc)
GROUP BY 1, 2, 3;

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
                      count(DISTINCT policy_number) AS households_allocated,
                      coalesce(sum(amount) FILTER (WHERE payer = 'city'), 0)::bigint AS city,
                      coalesce(sum(amount) FILTER (WHERE payer = 'district_or_county'), 0)::bigint AS district,
                      coalesce(sum(amount) FILTER (WHERE payer = 'development_zone'), 0)::bigint AS zone
               FROM famins.subsidy_ledger
               WHERE (SELECT s.all_units FROM famins.report_scope s)
                  OR managing_unit = (SELECT s.unit FROM famins.report_scope s)
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

-- The views over claim_facts: a barrier of their own too, so that no caller condition reaches below them.
ALTER VIEW famins_report.claims_by_liability SET (security_barrier = true);
ALTER VIEW famins_report.settlement_time_by_unit SET (security_barrier = true);
ALTER VIEW famins_report.settlement_time_city SET (security_barrier = true);
ALTER VIEW famins_report.decline_reasons_by_unit SET (security_barrier = true);
ALTER VIEW famins_report.decline_reasons_ranked SET (security_barrier = true);
ALTER VIEW famins_report.claims_by_month SET (security_barrier = true);

-- ---- data sharing (共享参保理赔信息): a unit's year, row by row, for its district association ---------------
-- Persons by their keyed reference (person_key: HMAC-SHA256 of the identity number under the insurer's secret,
-- '<key id>:<hex>'), never a masked or full identity number, a name or a birth date. famins has no payment
-- table: what a claim pays is the payable of its current decision (claims: status approved or partial).
-- Money is integer fen, in columns named *_fen.

CREATE VIEW famins_report.share_enrollment_decisions WITH (security_barrier) AS
SELECT d.decision_id, d.plan_year, d.managing_unit, d.household_id, d.submitted_on, d.outcome, d.category,
       array_to_string(d.reasons, ';') AS reasons, d.insured_children, d.insured_adults, d.premium AS premium_fen,
       d.self_paid AS self_paid_fen, d.subsidy AS subsidy_fen, d.subsidy_city AS subsidy_city_fen,
       d.subsidy_district AS subsidy_district_fen, d.subsidy_zone AS subsidy_zone_fen, d.policy_number, d.coverage_start,
       d.coverage_end, d.plan_version, d.decided_at
FROM famins.enrollment_decisions d
WHERE (SELECT s.all_units FROM famins.report_scope s) OR d.managing_unit = (SELECT s.unit FROM famins.report_scope s);

CREATE VIEW famins_report.share_insured_persons WITH (security_barrier) AS
SELECT i.plan_year, p.managing_unit, i.policy_number, i.member_index, i.person_key AS person_ref, i.role,
       i.birth_year, i.sex, i.renewal
FROM famins.insured_persons i JOIN famins.policies p ON p.policy_number = i.policy_number
WHERE (SELECT s.all_units FROM famins.report_scope s) OR p.managing_unit = (SELECT s.unit FROM famins.report_scope s);

CREATE VIEW famins_report.share_claims WITH (security_barrier) AS
SELECT c.claim_id, c.plan_year, c.managing_unit, c.policy_number, c.person_key AS person_ref, c.role, c.liability,
       c.cause, c.incident_date, c.report_date, c.claimed_amount AS claimed_fen, c.status,
       CASE WHEN c.status IN ('approved', 'partial') THEN c.payable ELSE 0 END AS paid_fen, c.decided_at
FROM famins.claims c
WHERE (SELECT s.all_units FROM famins.report_scope s) OR c.managing_unit = (SELECT s.unit FROM famins.report_scope s);

CREATE VIEW famins_report.share_claim_decisions WITH (security_barrier) AS
SELECT cd.decision_id, cd.claim_id, c.plan_year, c.managing_unit, cd.kind, cd.outcome, cd.payable AS payable_fen,
       cd.full_amount AS full_amount_fen,
       array_to_string(cd.reasons, ';') AS reasons, cd.plan_version, cd.decided_at
FROM famins.claim_decisions cd JOIN famins.claims c ON c.claim_id = cd.claim_id
WHERE (SELECT s.all_units FROM famins.report_scope s) OR c.managing_unit = (SELECT s.unit FROM famins.report_scope s);

COMMENT ON VIEW famins_report.share_enrollment_decisions IS 'data sharing: enrollment decisions, no personal data';
COMMENT ON VIEW famins_report.share_insured_persons IS
    'data sharing: insured persons by keyed reference (person_ref), birth year and sex; no identity number';
COMMENT ON VIEW famins_report.share_claims IS 'data sharing: claims by keyed person reference; paid = current payable';
COMMENT ON VIEW famins_report.share_claim_decisions IS 'data sharing: every decision of the claims (initial, reviews)';

GRANT SELECT ON famins_report.caller_scope, famins_report.share_enrollment_decisions,
    famins_report.share_insured_persons, famins_report.share_claims, famins_report.share_claim_decisions
    TO famins_reporter, famins_operator;

-- ---- which views a district login is given, and binding a login to its unit ---------------------------------

CREATE TABLE famins.district_views (
    view_name  regclass PRIMARY KEY
);
COMMENT ON TABLE famins.district_views IS
    'the famins_report views (each filtered by famins.report_scope) that bound district logins may read';
INSERT INTO famins.district_views VALUES
    ('famins_report.caller_scope'), ('famins_report.claim_facts'), ('famins_report.enrollment_by_unit'),
    ('famins_report.enrollment_decisions_by_unit'), ('famins_report.premium_by_unit'),
    ('famins_report.claims_by_liability'), ('famins_report.loss_ratio_by_unit'),
    ('famins_report.settlement_time_by_unit'), ('famins_report.settlement_time_city'),
    ('famins_report.decline_reasons_by_unit'), ('famins_report.decline_reasons_ranked'),
    ('famins_report.fraud_signals_by_unit'), ('famins_report.subsidy_reconciliation'),
    ('famins_report.claims_by_month'), ('famins_report.share_enrollment_decisions'),
    ('famins_report.share_insured_persons'), ('famins_report.share_claims'), ('famins_report.share_claim_decisions');

-- Grants every listed view (and what reading it needs) to every bound login; idempotent.
CREATE FUNCTION famins.grant_district_views() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    login name;
    v regclass;
BEGIN
    FOR login IN SELECT role_name FROM famins.district_logins LOOP
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), login);
        EXECUTE format('GRANT USAGE ON SCHEMA famins_report TO %I', login);
        FOR v IN SELECT view_name FROM famins.district_views LOOP
            EXECUTE format('GRANT SELECT ON %s TO %I', v, login);
        END LOOP;
    END LOOP;
END
$$;

-- Binds an existing login role to a managing unit (or moves it to another). Refused: a role that does not exist,
-- a superuser, a famins service role or the owner, and a member of famins_reporter or famins_operator (it could
-- SET ROLE to them and read every unit). Audited in famins.operator_audit when that table exists (migration 063).
CREATE FUNCTION famins.bind_district_login(login name, unit text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r pg_roles%ROWTYPE;
    previous text;
BEGIN
    SELECT * INTO r FROM pg_roles WHERE rolname = login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', login USING ERRCODE = 'undefined_object',
            HINT = 'a superuser creates it first: CREATE ROLE ' || quote_ident(login) || ' LOGIN PASSWORD ''...''';
    END IF;
    IF r.rolsuper OR login IN ('famins_eligibility', 'famins_subsidy', 'famins_adjudicator', 'famins_relay',
                               'famins_reporter', 'famins_operator')
       OR pg_has_role(login, (SELECT relowner FROM pg_class WHERE oid = 'famins.district_logins'::regclass), 'MEMBER')
       OR pg_has_role(login, 'famins_reporter', 'MEMBER') OR pg_has_role(login, 'famins_operator', 'MEMBER') THEN
        RAISE EXCEPTION 'role "%" cannot be a district login: it is a superuser, a famins role or a member of one',
            login USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF unit IS NULL OR unit !~ '^[0-9A-Za-z_-]{1,31}$' OR unit = 'UNKNOWN' THEN
        RAISE EXCEPTION 'managing unit "%" is not a unit code', unit USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT managing_unit INTO previous FROM famins.district_logins WHERE role_name = login FOR UPDATE;
    INSERT INTO famins.district_logins (role_name, managing_unit) VALUES (login, unit)
        ON CONFLICT (role_name) DO UPDATE SET managing_unit = EXCLUDED.managing_unit, bound_at = now(),
                                              bound_by = session_user;
    PERFORM famins.grant_district_views();
    IF to_regclass('famins.operator_audit') IS NOT NULL THEN
        EXECUTE 'INSERT INTO famins.operator_audit (action, target_kind, target_ids, detail) VALUES ($1, $2, $3, $4)'
            USING 'district-role', 'district_login', '{}'::bigint[],
                  jsonb_build_object('role', login, 'managing_unit', unit, 'previous_unit', previous);
    END IF;
END
$$;
-- Unbinds a login: its binding and every grant binding gave (the views, the schema, CONNECT). Before the DBA drops
-- the role, or when an association's person leaves. Returns false when the role was not bound.
CREATE FUNCTION famins.unbind_district_login(login name) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    v regclass;
    previous text;
BEGIN
    DELETE FROM famins.district_logins WHERE role_name = login RETURNING managing_unit INTO previous;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
        FOR v IN SELECT view_name FROM famins.district_views LOOP
            EXECUTE format('REVOKE SELECT ON %s FROM %I', v, login);
        END LOOP;
        EXECUTE format('REVOKE USAGE ON SCHEMA famins_report FROM %I', login);
        EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), login);
    END IF;
    IF to_regclass('famins.operator_audit') IS NOT NULL THEN
        EXECUTE 'INSERT INTO famins.operator_audit (action, target_kind, target_ids, detail) VALUES ($1, $2, $3, $4)'
            USING 'district-role unbind', 'district_login', '{}'::bigint[],
                  jsonb_build_object('role', login, 'previous_unit', previous);
    END IF;
    RETURN true;
END
$$;
REVOKE EXECUTE ON FUNCTION famins.grant_district_views(), famins.bind_district_login(name, text),
    famins.unbind_district_login(name) FROM PUBLIC;
