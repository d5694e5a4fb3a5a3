-- 073_write_cost: indexes that nothing reads and that enforce nothing, dropped (issue 19, "is every index read by
-- a query?"). Each costs one index entry per row its table receives, in the batch transaction of the worker that
-- writes the table (tests/bench/tools/write_cost.sh counts them; tests/bench/results/2026-12-03-write-cost.md
-- has the figures before and after).
--
-- The audit read every SQL text of services/, common/, the migrations' views and functions (reporting, district
-- shares, retention, operator tooling) and the branches under way (claim lifecycle, payments, policy changes),
-- and ran the annual report (city and one unit) and a district export on a measured wave with pg_stat_user_indexes
-- reset: every other secondary index was read (the *_year_unit ones by the reports and the export,
-- claim_decisions_claim by the reports' per-claim subqueries, person_usage_deceased by the adjudicator, the outbox,
-- processed-events and dead-letter ones by the relay and retention), or is kept for a read a branch under way
-- adds (claims_policy: policy changes count a policy's paid claims by policy number). Unique and primary keys
-- stay: exactly once rests on them.

-- Written for every claim (1 entry per claims row). "The claims of a person (reviews, reports by person)" (040):
-- no query selects claims by person_key — reviews find their claim by claim_id, the adjudicator reads a
-- person's usage from person_usage and insured_persons, the reports and the district export never filter by
-- person; no foreign key references the column.
DROP INDEX famins.claims_person;

-- Written for every enrollment decision (1 entry per household). No query selects decisions by household: the
-- eligibility service's facts read finds a household's policy through policies' UNIQUE (household_id,
-- plan_year), and decisions only by source_event_id (UNIQUE); the reports group decisions by plan year and unit
-- (enrollment_decisions_year_unit). Not unique, so it enforced nothing either.
DROP INDEX famins.enrollment_decisions_household;

-- The relay marks every outbox row sent once (UPDATE ... SET sent_at = now()). sent_at is in the predicates of
-- outbox_unsent and outbox_sent_at, so the update is never HOT; when the new version lands on another page (a
-- full page: fillfactor 100) the WAL carries the whole new row, payload included — 1,401 bytes per row, the
-- largest WAL item of the pipeline (22 % of an enrollment's, 21 % of a claim's). With room for each row's one
-- update on its own page, PostgreSQL logs only the changed suffix of the row (sent_at): 217 bytes per row
-- including the two index entries, which stay. Measured with write_cost.sh at 20,000 households: 8,822 -> 7,188
-- WAL bytes per household, 6,108 -> 5,038 per claim (70 saved only half of it). The price: the outbox's pages
-- are half full until the relay's update fills them, i.e. twice the pages for the rows kept during
-- FAMINS_OUTBOX_RETENTION_HOURS. Only pages filled after this migration are affected.
ALTER TABLE famins.outbox SET (fillfactor = 50);
