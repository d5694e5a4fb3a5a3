-- 074_insured_person_first: insured_persons' one-household-a-year key ordered person first, (person_key,
-- plan_year), not (plan_year, person_key) (issue 19). Same rows, same entries, same rule enforced.
--
-- Every read of the key names a person and one or two plan years: famins-eligibility's facts read (is the person
-- insured elsewhere this year, were they insured last year: elig_batch.c), its policy-change read (PERSON_SQL,
-- elig_policy.c) and the adjudicator's renewal count (adj_store_read.c). With the year first, this year and last
-- year are two index descents per person; person first, one descent finds both: a batch of 500 households (about
-- 1,500 people) probed 3,000 times in 20 ms and 12,276 buffers, now 1,500 times in 10 ms and 6,276 buffers
-- (3,000,000 rows; tests/bench/results/2026-12-05-insured-key.md). It also leaves the planner no year-only prefix
-- to scan with the people as a filter (the hazard the runtime's deduplication read had, fm_worker_txn.c). No query
-- reads insured_persons by plan year alone: the reports and the district views reach it through policies.
ALTER TABLE famins.insured_persons ADD CONSTRAINT insured_persons_person_key_plan_year_key
    UNIQUE (person_key, plan_year);
ALTER TABLE famins.insured_persons DROP CONSTRAINT insured_persons_plan_year_person_key_key;
