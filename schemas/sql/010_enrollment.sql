-- 010_enrollment: what the eligibility and subsidy services decide and record.
-- Identity numbers are never stored: a person is their person_key (HMAC-SHA256 under the deployment's
-- secret, see common/base/fm_person.h) plus a masked number for officers, the birth date and the sex
-- (which the reports need). Money is fen in bigint.

-- One row per decided enrollment event (accepted or rejected), with every reason.
CREATE TABLE famins.enrollment_decisions (
    decision_id        bigserial PRIMARY KEY,
    source_event_id    text NOT NULL UNIQUE,          -- the enrollment.submitted event decided
    household_id       text NOT NULL,
    plan_year          integer NOT NULL,
    managing_unit      text NOT NULL,                 -- as submitted (may be unknown to the catalogue)
    submitted_on       date NOT NULL,
    agent_id           text,
    consent_channel    text,
    outcome            text NOT NULL CHECK (outcome IN ('accepted', 'rejected')),
    category           text CHECK (category IN ('A', 'B')),    -- NULL when rejected
    reasons            text[] NOT NULL DEFAULT '{}',  -- household reasons, stable codes
    notes              text[] NOT NULL DEFAULT '{}',  -- e.g. CATEGORY_A_EVIDENCE_INCONSISTENT
    applicant_reasons  text[] NOT NULL DEFAULT '{}',
    insured_children   integer NOT NULL DEFAULT 0,
    insured_adults     integer NOT NULL DEFAULT 0,
    premium            bigint NOT NULL DEFAULT 0 CHECK (premium >= 0),
    subsidy            bigint NOT NULL DEFAULT 0 CHECK (subsidy >= 0),
    self_paid          bigint NOT NULL DEFAULT 0 CHECK (self_paid >= 0),
    subsidy_city       bigint NOT NULL DEFAULT 0,
    subsidy_district   bigint NOT NULL DEFAULT 0,     -- district or county (区县)
    subsidy_zone       bigint NOT NULL DEFAULT 0,     -- development zone (开发区)
    policy_number      text,                          -- FJ<plan_year>-<household_id> when accepted
    coverage_start     date,
    coverage_end       date,
    plan_version       text NOT NULL,                 -- the catalogue version applied ('' when none)
    explanation_en     text NOT NULL,
    explanation_zh     text NOT NULL,
    source_topic       text NOT NULL,
    source_partition   integer NOT NULL,
    source_offset      bigint NOT NULL,
    decided_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (outcome = 'rejected' OR (category IS NOT NULL AND policy_number IS NOT NULL)),
    CHECK (premium = subsidy + self_paid),
    CHECK (subsidy = subsidy_city + subsidy_district + subsidy_zone)
);
CREATE INDEX enrollment_decisions_household ON famins.enrollment_decisions (household_id, plan_year);
CREATE INDEX enrollment_decisions_year_unit ON famins.enrollment_decisions (plan_year, managing_unit);

-- The members as decided (insured or excluded, with reasons), for every decision.
CREATE TABLE famins.enrollment_members (
    decision_id   bigint NOT NULL REFERENCES famins.enrollment_decisions,
    member_index  integer NOT NULL,
    role          text NOT NULL CHECK (role IN ('child', 'parent', 'guardian')),
    person_key    text,                               -- NULL when the identity number was invalid
    masked_id     text NOT NULL,
    insured       boolean NOT NULL,
    renewal       boolean NOT NULL DEFAULT false,
    reasons       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (decision_id, member_index)
);

-- One policy per household and plan year (一张保单保全家).
CREATE TABLE famins.policies (
    policy_number   text PRIMARY KEY,
    household_id    text NOT NULL,
    plan_year       integer NOT NULL,
    managing_unit   text NOT NULL,
    category        text NOT NULL CHECK (category IN ('A', 'B')),
    premium         bigint NOT NULL CHECK (premium >= 0),
    subsidy         bigint NOT NULL CHECK (subsidy >= 0),
    self_paid       bigint NOT NULL CHECK (self_paid >= 0),
    coverage_start  date NOT NULL,
    coverage_end    date NOT NULL,
    plan_version    text NOT NULL,
    decision_id     bigint NOT NULL UNIQUE REFERENCES famins.enrollment_decisions,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (household_id, plan_year),
    CHECK (coverage_start <= coverage_end)
);
CREATE INDEX policies_year_unit ON famins.policies (plan_year, managing_unit);

-- The people a policy insures. A person is insured in one household only per plan year.
CREATE TABLE famins.insured_persons (
    policy_number  text NOT NULL REFERENCES famins.policies,
    plan_year      integer NOT NULL,
    person_key     text NOT NULL,
    member_index   integer NOT NULL,
    role           text NOT NULL CHECK (role IN ('child', 'parent', 'guardian')),
    masked_id      text NOT NULL,
    birth_date     date NOT NULL,
    sex            text NOT NULL CHECK (sex IN ('F', 'M')),
    renewal        boolean NOT NULL,                 -- insured the year before: no waiting period
    PRIMARY KEY (policy_number, person_key),
    UNIQUE (plan_year, person_key)
);

-- The subsidy ledger: 4000 fen per accepted category-A household, one row per payer.
CREATE TABLE famins.subsidy_ledger (
    entry_id         bigserial PRIMARY KEY,
    source_event_id  text NOT NULL,                   -- the enrollment.decided event allocated
    household_id     text NOT NULL,
    policy_number    text NOT NULL,
    plan_year        integer NOT NULL,
    managing_unit    text NOT NULL,
    payer            text NOT NULL CHECK (payer IN ('city', 'district_or_county', 'development_zone')),
    amount           bigint NOT NULL CHECK (amount >= 0),
    plan_version     text NOT NULL,
    allocated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_event_id, payer)
);
CREATE INDEX subsidy_ledger_year_unit ON famins.subsidy_ledger (plan_year, managing_unit);

GRANT SELECT, INSERT ON famins.enrollment_decisions, famins.enrollment_members, famins.policies,
    famins.insured_persons TO famins_eligibility;
GRANT USAGE ON SEQUENCE famins.enrollment_decisions_decision_id_seq TO famins_eligibility;
GRANT SELECT, INSERT ON famins.subsidy_ledger TO famins_subsidy;
GRANT USAGE ON SEQUENCE famins.subsidy_ledger_entry_id_seq TO famins_subsidy;
-- The adjudicator reads policies and insured persons to decide claims.
GRANT SELECT ON famins.policies, famins.insured_persons TO famins_adjudicator;
