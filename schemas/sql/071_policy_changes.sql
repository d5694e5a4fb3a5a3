-- 071_policy_changes: the life of a policy after enrollment (issue 16), written by famins-eligibility, which
-- decides policy.member_added, .member_removed, .cancelled, .premium_paid and .premium_refunded (they ride
-- enrollment.submitted, keyed by household). Money in integer fen, dates in Asia/Shanghai, persons by key.

-- Every change decision, accepted or refused (one per source event).
CREATE TABLE famins.policy_changes (
    change_id           bigserial PRIMARY KEY,
    source_event_id     text NOT NULL UNIQUE,
    change              text NOT NULL CHECK (change IN ('member_added', 'member_removed', 'cancelled',
                                                        'premium_paid', 'premium_refunded')),
    household_id        text NOT NULL,
    plan_year           integer NOT NULL,
    policy_number       text REFERENCES famins.policies,  -- NULL: no policy (POLICY_NOT_FOUND)
    managing_unit       text NOT NULL DEFAULT '',
    outcome             text NOT NULL CHECK (outcome IN ('accepted', 'refused')),
    reasons             text[] NOT NULL DEFAULT '{}',       -- refusals, or notes of an accepted change
    effective_on        date NOT NULL,
    category_before     text CHECK (category_before IN ('A', 'B')),
    category_after      text CHECK (category_after IN ('A', 'B')),
    person_key          text,                               -- member added or removed
    masked_id           text,
    member_role         text CHECK (member_role IN ('child', 'parent', 'guardian')),
    member_covered_from date,
    member_covered_to   date,
    premium_after       bigint NOT NULL DEFAULT 0 CHECK (premium_after >= 0),
    premium_delta       bigint NOT NULL DEFAULT 0,          -- > 0 owed by the household, < 0 owed to it
    refund              bigint NOT NULL DEFAULT 0 CHECK (refund >= 0),
    subsidy_reversal    bigint NOT NULL DEFAULT 0 CHECK (subsidy_reversal BETWEEN 0 AND 4000),
    reversal_reason     text NOT NULL DEFAULT 'none' CHECK (reversal_reason IN ('none', 'category_a_lost',
                                                                                 'cancelled')),
    amount              bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),  -- premium paid / refunded
    reference           text,
    plan_version        text,
    explanation_en      text NOT NULL,
    explanation_zh      text NOT NULL,
    source_topic        text NOT NULL,
    source_partition    integer NOT NULL,
    source_offset       bigint NOT NULL,
    decided_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (outcome = 'accepted' OR (premium_delta = 0 AND refund = 0 AND subsidy_reversal = 0))
);
CREATE INDEX policy_changes_policy ON famins.policy_changes (policy_number);
CREATE INDEX policy_changes_year_unit ON famins.policy_changes (plan_year, managing_unit);
COMMENT ON TABLE famins.policy_changes IS
    'decisions on policy changes after enrollment (issue 16); subsidy_reversal is booked by famins-subsidy';

-- The policy as it stands after its changes (no row: as enrolled). category and premium move with the
-- children insured; self_paid = what the household owes in all (enrollment self-paid + every premium_delta +
-- every subsidy reversal); cancelled_on: covered through that day.
CREATE TABLE famins.policy_status (
    policy_number    text PRIMARY KEY REFERENCES famins.policies,
    category         text NOT NULL CHECK (category IN ('A', 'B')),
    premium          bigint NOT NULL CHECK (premium >= 0),
    self_paid        bigint NOT NULL,
    subsidy_reversed bigint NOT NULL DEFAULT 0 CHECK (subsidy_reversed BETWEEN 0 AND 4000),
    cancelled_on     date,
    last_change_id   bigint NOT NULL REFERENCES famins.policy_changes
);

-- A member's own cover when it is not the policy's: added during the year (from the day after the change),
-- or removed (through the day of the change). Enrolled members without a row are covered as the policy.
CREATE TABLE famins.member_coverage (
    policy_number  text NOT NULL,
    person_key     text NOT NULL,
    covered_from   date NOT NULL,
    covered_to     date NOT NULL,
    removed        boolean NOT NULL DEFAULT false,  -- left the policy (covered through covered_to)
    change_id      bigint NOT NULL REFERENCES famins.policy_changes,
    PRIMARY KEY (policy_number, person_key),
    FOREIGN KEY (policy_number, person_key) REFERENCES famins.insured_persons (policy_number, person_key)
);

-- Premium money of a household: payments and refunds as received (events), and the refund a cancellation
-- decided. amount > 0 always; kind says the direction.
CREATE TABLE famins.premium_payments (
    payment_id      bigserial PRIMARY KEY,
    source_event_id text NOT NULL UNIQUE,
    policy_number   text NOT NULL REFERENCES famins.policies,
    plan_year       integer NOT NULL,
    managing_unit   text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('paid', 'refunded', 'cancellation_refund')),
    amount          bigint NOT NULL CHECK (amount > 0),
    paid_on         date NOT NULL,
    reference       text,
    change_id       bigint NOT NULL REFERENCES famins.policy_changes
);
CREATE INDEX premium_payments_policy ON famins.premium_payments (policy_number, paid_on);

-- Whether a claim of a policy was paid (a cancellation refunds nothing after one, where the plan says so):
-- eligibility reads this, never the claims themselves.
CREATE VIEW famins.policy_paid_claims AS
SELECT c.policy_number, count(*) AS paid_claims
FROM famins.claims c
WHERE c.status IN ('approved', 'partial') AND c.payable > 0
GROUP BY c.policy_number;

-- The premium each policy collected, and the day its payments first covered what the household owed at
-- enrollment (NULL: never): with the plan's grace date this says whether it lapsed (adjudicator, report).
CREATE VIEW famins.policy_premium_paid AS
SELECT p.policy_number, p.self_paid AS due,
       coalesce(sum(m.amount) FILTER (WHERE m.kind = 'paid'), 0)::bigint AS paid,
       coalesce(sum(m.amount) FILTER (WHERE m.kind <> 'paid'), 0)::bigint AS refunded,
       (SELECT min(x.paid_on) FROM (SELECT q.paid_on,
                                           sum(q.amount) OVER (ORDER BY q.paid_on, q.payment_id) AS running
                                    FROM famins.premium_payments q
                                    WHERE q.policy_number = p.policy_number AND q.kind = 'paid') x
        WHERE x.running >= p.self_paid) AS fully_paid_on
FROM famins.policies p LEFT JOIN famins.premium_payments m ON m.policy_number = p.policy_number
GROUP BY p.policy_number, p.self_paid;

-- Least privilege (as 060): eligibility writes the changes; UPDATE only where a change moves a row.
GRANT SELECT, INSERT ON famins.policy_changes, famins.premium_payments TO famins_eligibility;
GRANT SELECT, INSERT, UPDATE ON famins.policy_status, famins.member_coverage TO famins_eligibility;
GRANT USAGE ON SEQUENCE famins.policy_changes_change_id_seq, famins.premium_payments_payment_id_seq
    TO famins_eligibility;
GRANT SELECT ON famins.policy_paid_claims, famins.policy_premium_paid TO famins_eligibility;
-- The adjudicator: a member's own cover, the cancellation, the premium (lapse).
GRANT SELECT ON famins.policy_status, famins.member_coverage, famins.premium_payments, famins.policy_premium_paid
    TO famins_adjudicator;
-- The views read the tables with their owner's rights; the adjudicator needs nothing more.
