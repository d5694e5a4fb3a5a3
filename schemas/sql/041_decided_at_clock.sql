-- 041_decided_at_clock: a decision's time is when it was written, not when its batch transaction began.
-- The adjudicator decides a batch of claims in one transaction and writes the decisions with one COPY at the
-- end of the batch; now() is the transaction's start, which can be the batch's whole duration earlier.
-- clock_timestamp() is evaluated per row, as the COPY writes it, a few milliseconds before the commit.
ALTER TABLE famins.claim_decisions ALTER COLUMN decided_at SET DEFAULT clock_timestamp();
ALTER TABLE famins.claims ALTER COLUMN decided_at SET DEFAULT clock_timestamp();
ALTER TABLE famins.claim_reviews ALTER COLUMN reviewed_at SET DEFAULT clock_timestamp();
