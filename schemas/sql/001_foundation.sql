-- 001_foundation: the schemas and the roles of famins. Each service logs in as its own role and may write
-- only its own tables (later migrations grant table by table). Roles are cluster-wide, so they are created
-- only when missing; passwords are set by operators (ALTER ROLE ... PASSWORD), never in migrations.

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['famins_eligibility', 'famins_subsidy', 'famins_adjudicator',
                                     'famins_relay', 'famins_reporter', 'famins_operator']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', role_name);
        END IF;
    END LOOP;
END
$$;

COMMENT ON ROLE famins_eligibility IS 'famins eligibility service: households, members, policies, enrollment decisions';
COMMENT ON ROLE famins_subsidy IS 'famins subsidy service: the subsidy ledger';
COMMENT ON ROLE famins_adjudicator IS 'famins adjudicator: claims, usage, claim decisions, reviews';
COMMENT ON ROLE famins_relay IS 'famins outbox relay: reads and marks the outbox';
COMMENT ON ROLE famins_reporter IS 'read-only: the reporting views (famins-report, BI tools)';
COMMENT ON ROLE famins_operator IS 'operators: dead letters with their raw messages, replay';

-- famins: the base tables. famins_report: the reporting views, the only thing famins_reporter reads.
CREATE SCHEMA IF NOT EXISTS famins;
CREATE SCHEMA IF NOT EXISTS famins_report;

REVOKE ALL ON SCHEMA famins FROM PUBLIC;
GRANT USAGE ON SCHEMA famins TO famins_eligibility, famins_subsidy, famins_adjudicator, famins_relay,
    famins_operator;
GRANT USAGE ON SCHEMA famins_report TO famins_reporter, famins_operator;
