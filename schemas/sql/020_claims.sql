-- 020_claims: what the adjudicator decides and records: claims, their bills, decisions, reviews, the
-- benefit usage per person and household, and fraud signals.

CREATE TABLE famins.claims (
    claim_id               text PRIMARY KEY,
    source_event_id        text NOT NULL UNIQUE,      -- the claim.submitted event
    policy_number          text NOT NULL,             -- as claimed (may name no policy)
    plan_year              integer,                   -- of the policy, when found
    managing_unit          text,                      -- of the policy, when found
    person_key             text NOT NULL,
    masked_id              text NOT NULL,
    role                   text CHECK (role IN ('child', 'parent', 'guardian')), -- when insured
    liability              text NOT NULL CHECK (liability IN ('death', 'critical_illness',
                               'accidental_disability', 'accident_medical', 'illness_hospital')),
    cause                  text NOT NULL CHECK (cause IN ('accident', 'illness')),
    incident_date          date NOT NULL,
    event_date             date,
    report_date            date NOT NULL,
    claimed_amount         bigint NOT NULL DEFAULT 0 CHECK (claimed_amount >= 0), -- sum of bill amounts
    critical_illness_code  text,
    documents              text[] NOT NULL DEFAULT '{}',
    status                 text NOT NULL CHECK (status IN ('approved', 'partial', 'declined', 'pending_review')),
    payable                bigint NOT NULL DEFAULT 0 CHECK (payable >= 0), -- of the current decision
    received_at            timestamptz NOT NULL DEFAULT now(),
    decided_at             timestamptz NOT NULL DEFAULT now()          -- of the current decision
);
CREATE INDEX claims_policy ON famins.claims (policy_number);
CREATE INDEX claims_year_unit ON famins.claims (plan_year, managing_unit);

CREATE TABLE famins.claim_bills (
    claim_id                  text NOT NULL REFERENCES famins.claims,
    bill_index                integer NOT NULL,
    invoice_code              text NOT NULL,
    invoice_number            text NOT NULL,
    amount                    bigint NOT NULL CHECK (amount >= 0),
    paid_by_social_insurance  bigint NOT NULL CHECK (paid_by_social_insurance >= 0),
    paid_by_other_insurers    bigint NOT NULL CHECK (paid_by_other_insurers >= 0),
    excluded_duplicate        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (claim_id, bill_index)
);

-- Every invoice (code and number together) the first time it is claimed: a later claim of it is a
-- DUPLICATE_INVOICE, in any claim, any policy.
CREATE TABLE famins.invoices_claimed (
    invoice_code    text NOT NULL,
    invoice_number  text NOT NULL,
    first_claim_id  text NOT NULL REFERENCES famins.claims,
    PRIMARY KEY (invoice_code, invoice_number)
);

-- Every decision on a claim: the first one, and one per review. The claim row holds the current one.
CREATE TABLE famins.claim_decisions (
    decision_id      bigserial PRIMARY KEY,
    claim_id         text NOT NULL REFERENCES famins.claims,
    source_event_id  text NOT NULL UNIQUE,            -- claim.submitted or claim.reviewed
    kind             text NOT NULL CHECK (kind IN ('initial', 'review')),
    outcome          text NOT NULL CHECK (outcome IN ('approved', 'partial', 'declined', 'pending_review')),
    payable          bigint NOT NULL CHECK (payable >= 0),
    full_amount      bigint NOT NULL CHECK (full_amount >= 0),
    reasons          text[] NOT NULL DEFAULT '{}',
    parameters       jsonb NOT NULL,                  -- the plan parameters applied
    plan_version     text NOT NULL,
    explanation_en   text NOT NULL,
    explanation_zh   text NOT NULL,
    source_topic     text NOT NULL,
    source_partition integer NOT NULL,
    source_offset    bigint NOT NULL,
    decided_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (outcome IN ('approved', 'partial') OR payable = 0)
);
CREATE INDEX claim_decisions_claim ON famins.claim_decisions (claim_id);

-- Reviews of pending claims: who, when, what, and what changed.
CREATE TABLE famins.claim_reviews (
    review_id        bigserial PRIMARY KEY,
    claim_id         text NOT NULL REFERENCES famins.claims,
    source_event_id  text NOT NULL UNIQUE,
    reviewer         text NOT NULL,
    action           text NOT NULL CHECK (action IN ('approve', 'decline')),
    amount           bigint CHECK (amount >= 0),
    note             text,
    status_before    text NOT NULL,
    status_after     text NOT NULL,
    payable_after    bigint NOT NULL,
    decision_id      bigint REFERENCES famins.claim_decisions,
    reviewed_at      timestamptz NOT NULL DEFAULT now()
);

-- Benefit usage per person and plan year (what has been paid or counted), updated in the claim's transaction.
CREATE TABLE famins.person_usage (
    plan_year                         integer NOT NULL,
    person_key                        text NOT NULL,
    death_paid                        bigint NOT NULL DEFAULT 0,
    disability_paid                   bigint NOT NULL DEFAULT 0,
    ci_mild_paid                      bigint NOT NULL DEFAULT 0,
    ci_severe_paid                    bigint NOT NULL DEFAULT 0,
    accident_medical_deductible_used  bigint NOT NULL DEFAULT 0,
    accident_medical_paid             bigint NOT NULL DEFAULT 0,
    illness_hospital_deductible_used  bigint NOT NULL DEFAULT 0,
    illness_hospital_paid             bigint NOT NULL DEFAULT 0,
    updated_at                        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_year, person_key)
);

-- Medical paid per household (policy) and plan year, where the plan shares a household limit.
CREATE TABLE famins.household_usage (
    policy_number          text PRIMARY KEY,
    accident_medical_paid  bigint NOT NULL DEFAULT 0,
    illness_hospital_paid  bigint NOT NULL DEFAULT 0,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Fraud signals, beside the decisions; a signal alone declines nothing.
CREATE TABLE famins.fraud_signals (
    signal_id      bigserial PRIMARY KEY,
    code           text NOT NULL,   -- DUPLICATE_INVOICE, EARLY_CLAIM, INCIDENT_BEFORE_COVERAGE,
                                    -- PERSON_NOT_INSURED, AMOUNT_UNUSUAL, ALREADY_INSURED_ELSEWHERE
    claim_id       text,            -- for claim signals
    household_id   text,            -- for enrollment signals
    policy_number  text,
    plan_year      integer,
    managing_unit  text,
    detail         text NOT NULL,
    source_event_id text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_event_id, code)
);
CREATE INDEX fraud_signals_year_unit ON famins.fraud_signals (plan_year, managing_unit);

GRANT SELECT, INSERT, UPDATE ON famins.claims, famins.person_usage, famins.household_usage TO famins_adjudicator;
GRANT SELECT, INSERT ON famins.claim_bills, famins.invoices_claimed, famins.claim_decisions, famins.claim_reviews,
    famins.fraud_signals TO famins_adjudicator;
GRANT USAGE ON SEQUENCE famins.claim_decisions_decision_id_seq, famins.claim_reviews_review_id_seq,
    famins.fraud_signals_signal_id_seq TO famins_adjudicator;
-- Enrollment signals (a person listed in two households) are written by the eligibility service.
GRANT INSERT ON famins.fraud_signals TO famins_eligibility;
GRANT USAGE ON SEQUENCE famins.fraud_signals_signal_id_seq TO famins_eligibility;
