-- 062_pseudonyms: nothing stored completes a masked identity number, and person keys name their key.
-- An identity number is area code (6) + birth date YYYYMMDD (8) + sequence (3) + check character. The mask
-- kept the first 4 and last 4 characters and insured_persons kept the birth date: with the policy's unit for
-- the area code, every full number could be rebuilt. Now (see common/base/fm_person.h):
--   - masked_id keeps the LAST 4 characters only ('**************002X'), in every table that has it;
--   - insured_persons keeps the birth YEAR (reports count ages), not the date. No rule reads the stored date:
--     the child-age rule reads it from the number while the enrollment is decided.
-- The person key becomes '<key id>:<64 hex>' so that the secret can be rotated (fm_keyring.h). Keys written
-- before this migration were made under the secret in force then; they are renamed 'k1:<hex>' (k1 is the
-- default FAMINS_PERSON_KEY_ID): a deployment that keeps its secret keeps finding everyone with no change,
-- and one that starts a new key lists its old secret as 'k1 <secret>' in FAMINS_PERSON_KEY_PREVIOUS_FILE.

ALTER TABLE famins.insured_persons ADD COLUMN birth_year smallint;
UPDATE famins.insured_persons SET birth_year = extract(year FROM birth_date)::smallint;
ALTER TABLE famins.insured_persons ALTER COLUMN birth_year SET NOT NULL;
ALTER TABLE famins.insured_persons DROP COLUMN birth_date;
COMMENT ON COLUMN famins.insured_persons.birth_year IS
    'year of birth only: with masked_id (last 4) it cannot complete the identity number';

-- The last 4 characters stay; every other character becomes '*'. Masks of 8 characters or fewer were all '*'.
UPDATE famins.enrollment_members SET masked_id = repeat('*', length(masked_id) - 4) || right(masked_id, 4)
 WHERE length(masked_id) > 8 AND left(masked_id, 4) <> '****';
UPDATE famins.insured_persons SET masked_id = repeat('*', length(masked_id) - 4) || right(masked_id, 4)
 WHERE length(masked_id) > 8 AND left(masked_id, 4) <> '****';
UPDATE famins.claims SET masked_id = repeat('*', length(masked_id) - 4) || right(masked_id, 4)
 WHERE length(masked_id) > 8 AND left(masked_id, 4) <> '****';
COMMENT ON COLUMN famins.enrollment_members.masked_id IS 'the identity number''s last 4 characters, the rest *';
COMMENT ON COLUMN famins.insured_persons.masked_id IS 'the identity number''s last 4 characters, the rest *';
COMMENT ON COLUMN famins.claims.masked_id IS 'the identity number''s last 4 characters, the rest *';

-- Person keys of before: plain 64 hex, renamed under key id k1.
UPDATE famins.enrollment_members SET person_key = 'k1:' || person_key WHERE person_key ~ '^[0-9a-f]{64}$';
UPDATE famins.insured_persons SET person_key = 'k1:' || person_key WHERE person_key ~ '^[0-9a-f]{64}$';
UPDATE famins.claims SET person_key = 'k1:' || person_key WHERE person_key ~ '^[0-9a-f]{64}$';
UPDATE famins.person_usage SET person_key = 'k1:' || person_key WHERE person_key ~ '^[0-9a-f]{64}$';
