-- 060_least_privilege: each service reads and writes only its own rows of the shared runtime tables, writes
-- only the topics it owns into the outbox, and the database is closed to PUBLIC.
--
-- Who owns what is data, not code: famins.consumer_groups binds a consumer group to the one role that may use
-- its positions, processed events, dead letters and alarms; famins.outbox_topics binds a topic to the one role
-- that may put messages for it into the outbox. famins-admin registers the default bindings for its topic
-- prefix (`migrate`, `all`) and binds a custom group on request (`bind-group GROUP ROLE`).
--
-- Two mechanisms, because the runtime writes processed_events, dead_letters and outbox with COPY, and
-- PostgreSQL refuses COPY FROM into a table with row-level security ("COPY FROM not supported with row-level
-- security"): those three keep COPY and get a statement-level trigger that refuses the whole statement when
-- one new row is not the writer's (the check reads the statement's rows once, as a set); their reads are
-- either not granted (outbox, dead_letters) or go through a filtering view (processed_events).
-- consumer_positions and consumer_alarms, written with INSERT/UPDATE, get row-level security.
-- Every check is uncorrelated (`consumer_group IN (SELECT ... WHERE owner_role = current_user)`): the planner
-- runs the sub-select once per statement, as a hashed set.
-- Exempt, as row-level security exempts them: superusers, BYPASSRLS roles and the tables' owner (the role
-- that migrates, famins_admin), so that migrations, tests and operators' repairs as the owner work as before.

CREATE TABLE famins.consumer_groups (
    consumer_group text        PRIMARY KEY,
    owner_role     name        NOT NULL,
    bound_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE famins.consumer_groups IS
    'which role may use a consumer group''s rows of the runtime tables (positions, processed events, dead letters, alarms)';

CREATE TABLE famins.outbox_topics (
    topic      text        PRIMARY KEY,
    owner_role name        NOT NULL,
    bound_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE famins.outbox_topics IS 'which role may put messages for a topic into famins.outbox';

-- The checks below run as the service role, so it reads the bindings (they are not secret). Only the owner
-- (famins-admin) changes them.
GRANT SELECT ON famins.consumer_groups, famins.outbox_topics TO famins_eligibility, famins_subsidy,
    famins_adjudicator, famins_operator;

-- true when the current role is not held to its bound rows: the same roles row-level security leaves alone.
CREATE FUNCTION famins.runtime_unrestricted() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'USAGE')
    FROM pg_roles r, pg_class c
    WHERE r.rolname = current_user AND c.oid = 'famins.outbox'::regclass
$$;

-- ---- COPY-written tables: a statement trigger over the statement's new rows ----------------------------

CREATE FUNCTION famins.refuse_unbound_groups() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    offending text;
BEGIN
    IF famins.runtime_unrestricted() THEN
        RETURN NULL;
    END IF;
    SELECT n.consumer_group INTO offending FROM new_rows n
    WHERE n.consumer_group NOT IN (SELECT g.consumer_group FROM famins.consumer_groups g
                                   WHERE g.owner_role = current_user)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'role % may not write % rows of consumer group "%"', current_user, TG_TABLE_NAME, offending
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'bind the group to the role: famins-admin bind-group GROUP ROLE';
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION famins.refuse_unbound_topics() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    offending text;
BEGIN
    IF famins.runtime_unrestricted() THEN
        RETURN NULL;
    END IF;
    SELECT n.topic INTO offending FROM new_rows n
    WHERE n.topic NOT IN (SELECT t.topic FROM famins.outbox_topics t WHERE t.owner_role = current_user)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'role % may not write outbox messages for topic "%"', current_user, offending
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'famins-admin migrate binds the default topics of its FAMINS_TOPIC_PREFIX';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER processed_events_own_group AFTER INSERT ON famins.processed_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION famins.refuse_unbound_groups();
CREATE TRIGGER dead_letters_own_group AFTER INSERT ON famins.dead_letters
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION famins.refuse_unbound_groups();
CREATE TRIGGER outbox_own_topic AFTER INSERT ON famins.outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION famins.refuse_unbound_topics();

-- The services' only read of processed_events (deduplication) goes through this view: their own groups'
-- rows. security_barrier keeps the filter below the caller's conditions; those (=, = ANY on text) are
-- leakproof, so the primary key index still serves them.
REVOKE SELECT ON famins.processed_events FROM famins_eligibility, famins_subsidy, famins_adjudicator;
CREATE VIEW famins.own_processed_events WITH (security_barrier) AS
    SELECT consumer_group, event_id, content_hash, topic, partition, kafka_offset, processed_at
    FROM famins.processed_events
    WHERE consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g WHERE g.owner_role = current_user)
       OR (SELECT famins.runtime_unrestricted());
COMMENT ON VIEW famins.own_processed_events IS
    'the processed events of the reading role''s own consumer groups (all of them for the owner)';
GRANT SELECT ON famins.own_processed_events TO famins_eligibility, famins_subsidy, famins_adjudicator;

-- ---- INSERT/UPDATE-written tables: row-level security (not FORCEd: the owner is exempt) ------------------

ALTER TABLE famins.consumer_positions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_group_read ON famins.consumer_positions FOR SELECT
    USING (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g WHERE g.owner_role = current_user));
CREATE POLICY own_group_insert ON famins.consumer_positions FOR INSERT
    WITH CHECK (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g
                                   WHERE g.owner_role = current_user));
CREATE POLICY own_group_move ON famins.consumer_positions FOR UPDATE
    USING (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g WHERE g.owner_role = current_user))
    WITH CHECK (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g
                                   WHERE g.owner_role = current_user));
-- Operators read every group's positions and move them on a replay (the grants of 002).
CREATE POLICY operator_read ON famins.consumer_positions FOR SELECT TO famins_operator USING (true);
CREATE POLICY operator_move ON famins.consumer_positions FOR UPDATE TO famins_operator USING (true) WITH CHECK (true);

ALTER TABLE famins.consumer_alarms ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_group_read ON famins.consumer_alarms FOR SELECT
    USING (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g WHERE g.owner_role = current_user));
CREATE POLICY own_group_insert ON famins.consumer_alarms FOR INSERT
    WITH CHECK (consumer_group IN (SELECT g.consumer_group FROM famins.consumer_groups g
                                   WHERE g.owner_role = current_user));
-- Operators read every alarm and resolve it.
CREATE POLICY operator_read ON famins.consumer_alarms FOR SELECT TO famins_operator USING (true);
CREATE POLICY operator_resolve ON famins.consumer_alarms FOR UPDATE TO famins_operator USING (true) WITH CHECK (true);

-- ---- the database: no CONNECT or TEMP for PUBLIC -----------------------------------------------------------
-- PostgreSQL grants both to PUBLIC on every new database. The owner (the migrating role) keeps them; the six
-- service roles get CONNECT; nobody else connects.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO famins_eligibility, famins_subsidy, famins_adjudicator, '
                   'famins_relay, famins_reporter, famins_operator', current_database());
END
$$;
