-- 040_adjudicator: what the adjudicator needs beyond 020_claims.
-- A pending claim is re-decided at review time from what was stored: the disability grades of its injuries
-- are part of that (descriptions are not: the rules never read them).
ALTER TABLE famins.claims ADD COLUMN injury_grades bigint[] NOT NULL DEFAULT '{}';

-- "Was a death benefit paid for this person" is asked for every claim, in any plan year: the primary key
-- (plan_year, person_key) cannot answer it without a scan.
CREATE INDEX person_usage_deceased ON famins.person_usage (person_key) WHERE death_paid > 0;

-- The claims of a person (reviews, reports by person).
CREATE INDEX claims_person ON famins.claims (person_key);
