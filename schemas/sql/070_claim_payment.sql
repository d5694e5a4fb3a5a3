-- 070_claim_payment: a claim's money after its decision (issue 15, items 3 and 5): the payees named by the
-- claim (accounts masked and keyed, never in clear), the payment instructions the adjudicator publishes on
-- claim.payment, the payment results the bank sends back, payee corrections, withdrawals, and the usage each
-- payable decision reserved (released by a withdrawal). Reporting views for the annual report, filtered by the
-- caller's unit like 065's.

-- A withdrawn claim: nothing is paid, its usage released, its invoices stay registered.
ALTER TABLE famins.claims DROP CONSTRAINT claims_status_check;
ALTER TABLE famins.claims ADD CONSTRAINT claims_status_check
    CHECK (status IN ('approved', 'partial', 'declined', 'pending_review', 'withdrawn'));

-- The payee of a claim, one row per recipient, per version (0: as submitted; 1, 2, ...: each
-- claim.payee_corrected). The account number is never stored: its last 4 digits and a keyed reference
-- (HMAC-SHA-256 under the person keyring's current key, "<key id>:<hex>") that the payment system resolves.
CREATE TABLE famins.claim_payees (
    claim_id          text NOT NULL REFERENCES famins.claims,
    payee_version     integer NOT NULL CHECK (payee_version >= 0),
    recipient_index   integer NOT NULL CHECK (recipient_index >= 0),
    kind              text NOT NULL CHECK (kind IN ('insured', 'guardian', 'beneficiaries')),
    share_percent     integer NOT NULL CHECK (share_percent BETWEEN 1 AND 100),
    bank_code         text NOT NULL,
    account_masked    text NOT NULL CHECK (account_masked ~ '^\*+[0-9A-Za-z]{4}$|^\*+$'),
    account_ref       text NOT NULL,
    source_event_id   text NOT NULL,                 -- claim.submitted or claim.payee_corrected
    claim_received_at timestamptz NOT NULL,          -- the claim event's occurred_at (days to payment)
    recorded_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (claim_id, payee_version, recipient_index)
);

-- One instruction per recipient of a payable decision, and one per re-issue after a correction. Exactly once:
-- the id derives from the event that caused it (decision or correction) and the recipient.
CREATE TABLE famins.payment_instructions (
    instruction_id    text PRIMARY KEY,
    claim_id          text NOT NULL REFERENCES famins.claims,
    policy_number     text NOT NULL,
    recipient_index   integer NOT NULL,
    payee_version     integer NOT NULL,
    amount            bigint NOT NULL CHECK (amount > 0),
    bank_code         text NOT NULL,
    account_masked    text NOT NULL,
    account_ref       text NOT NULL,
    source_event_id   text NOT NULL,                 -- the event whose decision or correction instructed it
    replaces          text,                          -- the failed instruction it re-issues
    status            text NOT NULL CHECK (status IN ('instructed', 'paid', 'failed', 'cancelled')),
    paid_date         date,
    bank_reference    text,
    failure_reason    text,
    claim_received_at timestamptz NOT NULL,
    instructed_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    status_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (source_event_id, recipient_index),
    CHECK ((status = 'paid') = (paid_date IS NOT NULL))
);
CREATE INDEX payment_instructions_claim ON famins.payment_instructions (claim_id);

-- Every claim.payment_result, applied or not (ignored_reason says why not: never double money).
CREATE TABLE famins.payment_results (
    result_id       bigserial PRIMARY KEY,
    source_event_id text NOT NULL UNIQUE,
    instruction_id  text NOT NULL,                   -- as sent: may name no instruction
    claim_id        text NOT NULL,
    result          text NOT NULL CHECK (result IN ('paid', 'failed')),
    paid_date       date,
    bank_reference  text,
    failure_reason  text,
    status_before   text,
    ignored_reason  text,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every claim.payee_corrected: the payee version it made and the instructions it re-issued.
CREATE TABLE famins.payee_corrections (
    correction_id   bigserial PRIMARY KEY,
    source_event_id text NOT NULL UNIQUE,
    claim_id        text NOT NULL,
    payee_version   integer,
    reissued        integer NOT NULL DEFAULT 0,
    ignored_reason  text,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every claim.withdrawn, accepted or refused (ignored_reason).
CREATE TABLE famins.claim_withdrawals (
    withdrawal_id   bigserial PRIMARY KEY,
    source_event_id text NOT NULL UNIQUE,
    claim_id        text NOT NULL,
    policy_number   text NOT NULL,
    status_before   text,
    accepted        boolean NOT NULL,
    released        bigint NOT NULL DEFAULT 0,       -- the payable whose usage was released
    cancelled       integer NOT NULL DEFAULT 0,      -- instructions cancelled
    ignored_reason  text,
    reason          text,
    withdrawn_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX claim_withdrawals_claim ON famins.claim_withdrawals (claim_id);

-- What a payable decision added to the usage (person and household), so that a withdrawal can give it back.
-- The last payable decision of a claim (initial or review) replaces the row.
CREATE TABLE famins.claim_reservations (
    claim_id         text PRIMARY KEY REFERENCES famins.claims,
    plan_year        integer NOT NULL,
    person_key       text NOT NULL,
    policy_number    text NOT NULL,
    payable          bigint NOT NULL,
    death_paid       bigint NOT NULL DEFAULT 0,
    disability_paid  bigint NOT NULL DEFAULT 0,
    ci_mild_paid     bigint NOT NULL DEFAULT 0,
    ci_severe_paid   bigint NOT NULL DEFAULT 0,
    deductible_am    bigint NOT NULL DEFAULT 0,
    deductible_ih    bigint NOT NULL DEFAULT 0,
    medical_am       bigint NOT NULL DEFAULT 0,
    medical_ih       bigint NOT NULL DEFAULT 0,
    household_am     bigint NOT NULL DEFAULT 0,
    household_ih     bigint NOT NULL DEFAULT 0,
    released         boolean NOT NULL DEFAULT false
);

GRANT SELECT, INSERT, UPDATE ON famins.claim_payees, famins.payment_instructions, famins.payment_results,
    famins.payee_corrections, famins.claim_withdrawals, famins.claim_reservations TO famins_adjudicator;
GRANT USAGE ON famins.payment_results_result_id_seq, famins.payee_corrections_correction_id_seq,
    famins.claim_withdrawals_withdrawal_id_seq TO famins_adjudicator;

-- ---- reporting: filtered by the caller's unit through claim_facts (065) --------------------------------------

-- Withdrawals per plan year and unit: accepted, refused, and the payable released.
CREATE VIEW famins_report.claim_withdrawals_by_unit WITH (security_barrier) AS
SELECT f.plan_year, f.managing_unit,
       count(*) FILTER (WHERE w.accepted) AS withdrawn,
       count(*) FILTER (WHERE NOT w.accepted) AS refused,
       coalesce(sum(w.released) FILTER (WHERE w.accepted), 0)::bigint AS released
FROM famins.claim_withdrawals w JOIN famins_report.claim_facts f ON f.claim_id = w.claim_id
GROUP BY 1, 2;
COMMENT ON VIEW famins_report.claim_withdrawals_by_unit IS
    'withdrawals per plan year and unit: accepted, refused, payable released (fen)';

-- Payments per plan year and unit: instructions paid, failed, cancelled, outstanding (instructed, not yet
-- answered) with amounts; days to payment from the claim's receipt (its event time, Asia/Shanghai) to the
-- paid date, never negative (a paid date before the receipt counts 0).
CREATE VIEW famins_report.claim_payments_by_unit WITH (security_barrier) AS
SELECT f.plan_year, f.managing_unit,
       count(*) FILTER (WHERE i.status = 'paid') AS paid,
       coalesce(sum(i.amount) FILTER (WHERE i.status = 'paid'), 0)::bigint AS paid_amount,
       count(*) FILTER (WHERE i.status = 'failed') AS failed,
       count(*) FILTER (WHERE i.status = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE i.status = 'instructed') AS outstanding,
       coalesce(sum(i.amount) FILTER (WHERE i.status = 'instructed'), 0)::bigint AS outstanding_amount,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY greatest(0, i.paid_date -
           (i.claim_received_at AT TIME ZONE 'Asia/Shanghai')::date)) FILTER (WHERE i.status = 'paid')
           AS median_days_to_payment,
       max(greatest(0, i.paid_date - (i.claim_received_at AT TIME ZONE 'Asia/Shanghai')::date))
           FILTER (WHERE i.status = 'paid') AS max_days_to_payment
FROM famins.payment_instructions i JOIN famins_report.claim_facts f ON f.claim_id = i.claim_id
GROUP BY 1, 2;
COMMENT ON VIEW famins_report.claim_payments_by_unit IS
    'payment instructions per plan year and unit: paid, failed, cancelled, outstanding (count, fen), days to payment';

GRANT SELECT ON famins_report.claim_withdrawals_by_unit, famins_report.claim_payments_by_unit
    TO famins_reporter, famins_operator;
INSERT INTO famins.district_views VALUES
    ('famins_report.claim_withdrawals_by_unit'), ('famins_report.claim_payments_by_unit');
SELECT famins.grant_district_views();
