-- 069_claim_life: the later life of a claim (issue 15, items 2 and 4): documents sent after the claim, appeals
-- of a decline or a partial decision and their reviews. Every step is a row of its own (nothing is overwritten);
-- the decisions they make are claim_decisions rows of the kinds 'documents' and 'appeal'; the claim row keeps
-- the current one, as for reviews.

-- claim_decisions.kind gains 'documents' and 'appeal'. The allowed kinds are read from the constraint as it is
-- and extended, so that another migration of this release adding its own kind keeps it, in either order.
DO $$
DECLARE
    kinds text[];
BEGIN
    SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO kinds
    FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') AS m
    WHERE c.conrelid = 'famins.claim_decisions'::regclass AND c.conname = 'claim_decisions_kind_check';
    kinds := ARRAY(SELECT DISTINCT k FROM unnest(coalesce(kinds, ARRAY['initial', 'review'])
                                                 || ARRAY['documents', 'appeal']) AS k ORDER BY k);
    ALTER TABLE famins.claim_decisions DROP CONSTRAINT IF EXISTS claim_decisions_kind_check;
    EXECUTE format('ALTER TABLE famins.claim_decisions ADD CONSTRAINT claim_decisions_kind_check'
                   ' CHECK (kind = ANY (%L::text[]))', kinds);
END
$$;

-- claim.documents_added, each kept: what was sent, the claim's status then, and what it did — 'redecided' (nothing
-- was missing any more: a new decision of kind 'documents'), 'still_missing' (added to the claim, still pending),
-- 'ignored' (the claim was not pending for DOCUMENTS_MISSING: recorded only, ignored_reason DOCUMENTS_NOT_PENDING).
CREATE TABLE famins.claim_documents_received (
    receipt_id      bigserial   PRIMARY KEY,
    claim_id        text        NOT NULL REFERENCES famins.claims,
    source_event_id text        NOT NULL UNIQUE,
    documents       text[]      NOT NULL,
    status_before   text        NOT NULL,
    result          text        NOT NULL CHECK (result IN ('redecided', 'still_missing', 'ignored')),
    ignored_reason  text,
    decision_id     bigint      REFERENCES famins.claim_decisions,
    received_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((result = 'ignored') = (ignored_reason IS NOT NULL)),
    CHECK ((result = 'redecided') = (decision_id IS NOT NULL))
);
CREATE INDEX claim_documents_received_claim ON famins.claim_documents_received (claim_id);

-- claim.appealed, each kept. An accepted appeal (refused_reason NULL) waits in the review queue with the
-- decision it appeals (original_decision_id: the claim's current decision when it arrived); a refused one
-- names why (APPEAL_CLAIM_NOT_DECIDED, APPEAL_NOT_ADVERSE, APPEAL_OF_APPEAL_OUTCOME, APPEAL_ALREADY_OPEN).
-- reason is the family's own text: shown to the reviewer, never logged, never in a report.
CREATE TABLE famins.claim_appeals (
    appeal_id            bigserial   PRIMARY KEY,
    claim_id             text        NOT NULL REFERENCES famins.claims,
    source_event_id      text        NOT NULL UNIQUE,
    reason               text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    documents            text[]      NOT NULL DEFAULT '{}',
    original_decision_id bigint      REFERENCES famins.claim_decisions,
    status_at_appeal     text        NOT NULL,
    payable_at_appeal    bigint      NOT NULL CHECK (payable_at_appeal >= 0),
    refused_reason       text,
    appealed_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (refused_reason IS NOT NULL OR original_decision_id IS NOT NULL)
);
CREATE INDEX claim_appeals_claim ON famins.claim_appeals (claim_id);

-- claim.appeal_reviewed, each kept. One that answers the open appeal names it (appeal_id) and the decision it
-- made (kind 'appeal': the decision upheld, republished, or the overturned one); one with no open appeal to
-- answer is kept with ignored_reason APPEAL_NOT_OPEN, no appeal and no decision.
CREATE TABLE famins.claim_appeal_reviews (
    appeal_review_id bigserial   PRIMARY KEY,
    claim_id         text        NOT NULL REFERENCES famins.claims,
    source_event_id  text        NOT NULL UNIQUE,
    appeal_id        bigint      REFERENCES famins.claim_appeals,
    reviewer         text        NOT NULL,
    action           text        NOT NULL CHECK (action IN ('uphold', 'overturn')),
    amount           bigint      CHECK (amount >= 0),
    note             text,
    status_before    text        NOT NULL,
    status_after     text        NOT NULL,
    payable_before   bigint      NOT NULL,
    payable_after    bigint      NOT NULL,
    decision_id      bigint      REFERENCES famins.claim_decisions,
    ignored_reason   text,
    reviewed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((ignored_reason IS NULL) = (appeal_id IS NOT NULL AND decision_id IS NOT NULL))
);
CREATE INDEX claim_appeal_reviews_claim ON famins.claim_appeal_reviews (claim_id);
-- One answer per appeal: a second review of an answered appeal finds none open and is ignored.
CREATE UNIQUE INDEX claim_appeal_reviews_one_per_appeal ON famins.claim_appeal_reviews (appeal_id)
    WHERE appeal_id IS NOT NULL;

GRANT SELECT, INSERT ON famins.claim_documents_received, famins.claim_appeals, famins.claim_appeal_reviews
    TO famins_adjudicator;
GRANT USAGE ON SEQUENCE famins.claim_documents_received_receipt_id_seq, famins.claim_appeals_appeal_id_seq,
    famins.claim_appeal_reviews_appeal_review_id_seq TO famins_adjudicator;
GRANT SELECT ON famins.claim_documents_received, famins.claim_appeals, famins.claim_appeal_reviews
    TO famins_operator;

-- The appeals review queue: every accepted appeal not answered yet, with the decision it appeals attached (the
-- reviewer's worklist; operators read it). Oldest first.
CREATE VIEW famins.appeal_queue AS
SELECT a.appeal_id, a.claim_id, a.source_event_id AS appeal_event_id, a.appealed_at, a.reason, a.documents,
       c.policy_number, c.managing_unit, c.liability, c.status, c.payable,
       d.decision_id AS appealed_decision_id, d.kind AS appealed_kind, d.outcome AS appealed_outcome,
       d.payable AS appealed_payable, d.full_amount AS appealed_full, d.reasons AS appealed_reasons,
       d.explanation_en, d.explanation_zh
FROM famins.claim_appeals a
JOIN famins.claims c ON c.claim_id = a.claim_id
JOIN famins.claim_decisions d ON d.decision_id = a.original_decision_id
WHERE a.refused_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM famins.claim_appeal_reviews r WHERE r.appeal_id = a.appeal_id)
ORDER BY a.appeal_id;
COMMENT ON VIEW famins.appeal_queue IS 'accepted appeals awaiting review, with the decision each appeals';
GRANT SELECT ON famins.appeal_queue TO famins_operator;

-- ---- reporting (050's conventions: plan_year and managing_unit on every view, no person key, no text of the
-- family's). Both views read through famins_report.claim_facts, which 065 filters by the caller's unit: a
-- district login sees its own unit's rows (famins.district_views below); security barriers as 067's. ----

-- Appeals by unit: received (every appeal event, refused ones included), refused, open (accepted, not answered
-- yet), upheld, overturned, and the overturn rate = overturned / answered (upheld + overturned), in percent with
-- one decimal; NULL when none was answered.
CREATE VIEW famins_report.appeals_by_unit WITH (security_barrier) AS
WITH a AS (SELECT f.plan_year, f.managing_unit, ap.appeal_id, ap.refused_reason, r.action
           FROM famins.claim_appeals ap
           JOIN famins_report.claim_facts f ON f.claim_id = ap.claim_id
           LEFT JOIN famins.claim_appeal_reviews r ON r.appeal_id = ap.appeal_id)
SELECT plan_year,
       managing_unit,
       count(*) AS received,
       count(*) FILTER (WHERE refused_reason IS NOT NULL) AS refused,
       count(*) FILTER (WHERE refused_reason IS NULL AND action IS NULL) AS open,
       count(*) FILTER (WHERE action = 'uphold') AS upheld,
       count(*) FILTER (WHERE action = 'overturn') AS overturned,
       round(100.0 * count(*) FILTER (WHERE action = 'overturn')
             / nullif(count(*) FILTER (WHERE action IS NOT NULL), 0), 1) AS overturn_rate_percent
FROM a
GROUP BY 1, 2;
COMMENT ON VIEW famins_report.appeals_by_unit IS
    'appeals per plan year and unit: received, refused, open, upheld, overturned, overturn rate (% of answered)';

-- Documents sent after the claim, by unit: received, and what they did.
CREATE VIEW famins_report.documents_received_by_unit WITH (security_barrier) AS
SELECT f.plan_year,
       f.managing_unit,
       count(*) AS received,
       count(*) FILTER (WHERE d.result = 'redecided') AS redecided,
       count(*) FILTER (WHERE d.result = 'still_missing') AS still_missing,
       count(*) FILTER (WHERE d.result = 'ignored') AS ignored
FROM famins.claim_documents_received d
JOIN famins_report.claim_facts f ON f.claim_id = d.claim_id
GROUP BY 1, 2;
COMMENT ON VIEW famins_report.documents_received_by_unit IS
    'claim.documents_added per plan year and unit: received, re-decided, still missing, ignored';

GRANT SELECT ON famins_report.appeals_by_unit, famins_report.documents_received_by_unit
    TO famins_reporter, famins_operator;
INSERT INTO famins.district_views VALUES
    ('famins_report.appeals_by_unit'), ('famins_report.documents_received_by_unit');
SELECT famins.grant_district_views();
