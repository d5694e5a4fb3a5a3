-- 063_operator_tooling: what famins-admin's operator commands (dead-letters, alarms, outbox) change, and the
-- audit of every such change. famins_operator changes nothing directly: each command is one call of a
-- SECURITY DEFINER function below, which checks its input, makes the change and writes the audit row in the
-- SAME transaction (no change without its audit row, no audit row without its change). famins_operator keeps
-- its reads (002) and loses 002/060's direct UPDATEs of positions and alarms, which would bypass the audit.
--
-- Poison outbox rows: a row the relay fails to deliver FAMINS_RELAY_PARK_AFTER times for a reason of its own
-- (not an outage) is moved out of famins.outbox into famins.outbox_parked with an alarm, so that it no longer
-- blocks the rows behind it; an operator re-queues it (a new outbox row) or discards it, audited.
--
-- Every function is owned by the migrations' role (the tables' owner), pins its search_path, and may be
-- executed only by the role named in its GRANT. "Who" in the audit is session_user: the role that logged in
-- (inside a SECURITY DEFINER function current_user is the owner), plus the operator's name if one was given.

-- ---- the audit ----------------------------------------------------------------------------------------------

CREATE TABLE famins.operator_audit (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    db_role     name        NOT NULL DEFAULT session_user,
    operator    text        CHECK (operator IS NULL OR length(operator) BETWEEN 1 AND 128),
    action      text        NOT NULL,
    target_kind text        NOT NULL,
    target_ids  bigint[]    NOT NULL,
    reason      text        CHECK (reason IS NULL OR length(reason) <= 1000),
    detail      jsonb       NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE famins.operator_audit IS
    'every operator action (famins-admin): who (database role, operator name), when, what, the targets, why';
COMMENT ON COLUMN famins.operator_audit.detail IS
    'the outcome per target (e.g. {"outcomes":{"12":"replayed"}}) and, for a moved position, from and to';
CREATE INDEX operator_audit_at ON famins.operator_audit (at);

-- Read-only for operators; rows come from the functions only.
GRANT SELECT ON famins.operator_audit TO famins_operator;

-- ---- dead letters: their handling ---------------------------------------------------------------------------

ALTER TABLE famins.dead_letters
    ADD COLUMN state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'replayed', 'discarded')),
    ADD COLUMN handled_at timestamptz,
    ADD COLUMN handled_audit_id bigint REFERENCES famins.operator_audit (id),
    ADD COLUMN replay_outbox_id bigint;
ALTER TABLE famins.dead_letters ADD CONSTRAINT dead_letters_handled
    CHECK ((state = 'open') = (handled_at IS NULL));
COMMENT ON COLUMN famins.dead_letters.state IS
    'open; replayed (put back on its source topic through the outbox, replay_outbox_id); discarded (raw erased)';
CREATE INDEX dead_letters_open ON famins.dead_letters (received_at) WHERE state = 'open';

-- Reports see the state too (appended: the view's other columns keep their order).
CREATE OR REPLACE VIEW famins_report.dead_letters AS
    SELECT id, consumer_group, topic, partition, kafka_offset, error_code, error_text, received_at, raw_erased_at,
           state, handled_at
    FROM famins.dead_letters;

-- Replays open dead letters: for each, one outbox row for its SOURCE topic with its original key and raw
-- message and the header famins-replay = the dead letter's id; the dead letter becomes 'replayed'. All in the
-- caller's transaction, with the audit row. A dead letter that is not open (replayed or discarded before), or
-- whose raw message was erased, is left alone and reported: replaying one twice does nothing the second time.
-- The runtime decides the replayed message like any other, by its event id (a dead letter never entered
-- famins.processed_events, so the replay is not a duplicate; a second copy of it is).
CREATE FUNCTION famins.op_replay_dead_letters(ids bigint[], operator_name text, reason text)
    RETURNS TABLE (dead_letter_id bigint, outcome text, outbox_id bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    audit_id bigint;
    d record;
    new_id bigint;
    outcomes jsonb := '{}'::jsonb;
BEGIN
    IF ids IS NULL OR cardinality(ids) > 100000 THEN
        RAISE EXCEPTION 'give at most 100000 dead letter ids' USING ERRCODE = '22023';
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN; -- a filter that selected nothing: nothing done, nothing to audit
    END IF;
    INSERT INTO famins.operator_audit (operator, action, target_kind, target_ids, reason)
    VALUES (operator_name, 'dead-letters replay', 'dead_letter', ids, reason)
    RETURNING id INTO audit_id;
    -- Locked first, in id order (a concurrent replay of the same ids waits, then finds them replayed).
    PERFORM 1 FROM famins.dead_letters l WHERE l.id = ANY (ids) ORDER BY l.id FOR UPDATE;
    FOR d IN SELECT x.id AS want, l.id, l.state, l.topic, l.message_key, l.raw_message
             FROM (SELECT DISTINCT unnest(ids) AS id) x
             LEFT JOIN famins.dead_letters l ON l.id = x.id
             ORDER BY x.id
    LOOP
        new_id := NULL;
        IF d.id IS NULL THEN
            outcome := 'not_found';
        ELSIF d.state <> 'open' THEN
            outcome := 'already_' || d.state;
        ELSIF d.raw_message IS NULL THEN
            outcome := 'raw_erased';
        ELSE
            INSERT INTO famins.outbox (topic, message_key, payload, headers)
            VALUES (d.topic, d.message_key, d.raw_message, jsonb_build_object('famins-replay', d.id::text))
            RETURNING id INTO new_id;
            UPDATE famins.dead_letters
            SET state = 'replayed', handled_at = now(), handled_audit_id = audit_id, replay_outbox_id = new_id
            WHERE id = d.id;
            outcome := 'replayed';
        END IF;
        dead_letter_id := d.want;
        outbox_id := new_id;
        outcomes := outcomes || jsonb_build_object(d.want::text, outcome);
        RETURN NEXT;
    END LOOP;
    UPDATE famins.operator_audit SET detail = jsonb_build_object('outcomes', outcomes) WHERE id = audit_id;
END
$$;

-- Discards open dead letters with a reason (required): they become 'discarded' and their raw message is erased
-- at once (no replay will need it; it holds personal data). Not open, or unknown: left alone, reported.
CREATE FUNCTION famins.op_discard_dead_letters(ids bigint[], operator_name text, reason text)
    RETURNS TABLE (dead_letter_id bigint, outcome text)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    audit_id bigint;
    d record;
    outcomes jsonb := '{}'::jsonb;
BEGIN
    IF ids IS NULL OR cardinality(ids) > 100000 THEN
        RAISE EXCEPTION 'give at most 100000 dead letter ids' USING ERRCODE = '22023';
    END IF;
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a discard needs a reason' USING ERRCODE = '22023';
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN; -- a filter that selected nothing: nothing done, nothing to audit
    END IF;
    INSERT INTO famins.operator_audit (operator, action, target_kind, target_ids, reason)
    VALUES (operator_name, 'dead-letters discard', 'dead_letter', ids, reason)
    RETURNING id INTO audit_id;
    PERFORM 1 FROM famins.dead_letters l WHERE l.id = ANY (ids) ORDER BY l.id FOR UPDATE;
    FOR d IN SELECT x.id AS want, l.id, l.state
             FROM (SELECT DISTINCT unnest(ids) AS id) x
             LEFT JOIN famins.dead_letters l ON l.id = x.id
             ORDER BY x.id
    LOOP
        IF d.id IS NULL THEN
            outcome := 'not_found';
        ELSIF d.state <> 'open' THEN
            outcome := 'already_' || d.state;
        ELSE
            UPDATE famins.dead_letters
            SET state = 'discarded', handled_at = now(), handled_audit_id = audit_id,
                raw_message = NULL, raw_erased_at = coalesce(raw_erased_at, now())
            WHERE id = d.id;
            outcome := 'discarded';
        END IF;
        dead_letter_id := d.want;
        outcomes := outcomes || jsonb_build_object(d.want::text, outcome);
        RETURN NEXT;
    END LOOP;
    UPDATE famins.operator_audit SET detail = jsonb_build_object('outcomes', outcomes) WHERE id = audit_id;
END
$$;

-- ---- alarms: resolution, optionally with a moved position -----------------------------------------------

ALTER TABLE famins.consumer_alarms ADD COLUMN resolved_audit_id bigint REFERENCES famins.operator_audit (id);

-- Resolves an open alarm. With new_offset, also moves the partition's stored position as a fenced
-- compare-and-set: only when it still is expected_offset (NULL: the alarm's stored_offset; a partition without a
-- stored row expects none and gets one). A live worker's own compare-and-set then fails and it re-reads the
-- position (common/runtime/README.md, zombie fencing), so a move never lets a batch from before it commit.
-- Relay alarms (consumer_group famins-relay) have no position. Errors: 22023 bad input, P0002 unknown alarm,
-- 55000 already resolved, 40001 the position is not expected_offset (nothing changed: look again).
CREATE FUNCTION famins.op_resolve_alarm(alarm_id bigint, new_offset bigint, expected_offset bigint,
                                        operator_name text, reason text)
    RETURNS TABLE (from_offset bigint, to_offset bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a famins.consumer_alarms%ROWTYPE;
    audit_id bigint;
    expect bigint;
    stored bigint;
    moved integer;
BEGIN
    IF new_offset IS NOT NULL AND new_offset < 0 THEN
        RAISE EXCEPTION 'the new offset must be 0 or more' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO a FROM famins.consumer_alarms WHERE id = alarm_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no alarm %', alarm_id USING ERRCODE = 'P0002';
    END IF;
    IF a.resolved_at IS NOT NULL THEN
        RAISE EXCEPTION 'alarm % was resolved at %', alarm_id, a.resolved_at USING ERRCODE = '55000';
    END IF;
    IF new_offset IS NOT NULL AND a.partition < 0 THEN
        RAISE EXCEPTION 'alarm % (%) has no consumer position to move', alarm_id, a.kind USING ERRCODE = '22023';
    END IF;
    INSERT INTO famins.operator_audit (operator, action, target_kind, target_ids, reason)
    VALUES (operator_name, 'alarms resolve', 'alarm', ARRAY[alarm_id], reason)
    RETURNING id INTO audit_id;
    IF new_offset IS NOT NULL THEN
        expect := coalesce(expected_offset, a.stored_offset);
        SELECT p.next_offset INTO stored FROM famins.consumer_positions p
        WHERE p.consumer_group = a.consumer_group AND p.topic = a.topic AND p.partition = a.partition FOR UPDATE;
        IF FOUND THEN
            UPDATE famins.consumer_positions p SET next_offset = new_offset, updated_at = now()
            WHERE p.consumer_group = a.consumer_group AND p.topic = a.topic AND p.partition = a.partition
              AND p.next_offset = expect;
            GET DIAGNOSTICS moved = ROW_COUNT;
        ELSIF expect IS NULL OR expect = -1 THEN
            INSERT INTO famins.consumer_positions (consumer_group, topic, partition, next_offset)
            VALUES (a.consumer_group, a.topic, a.partition, new_offset);
            moved := 1;
        ELSE
            moved := 0;
        END IF;
        IF moved <> 1 THEN
            RAISE EXCEPTION 'the stored position of % %/% is %, not the expected %: nothing changed', a.consumer_group,
                a.topic, a.partition, coalesce(stored::text, 'none'), coalesce(expect::text, 'none')
                USING ERRCODE = '40001';
        END IF;
        from_offset := stored;
        to_offset := new_offset;
        UPDATE famins.operator_audit
        SET detail = jsonb_build_object('position', jsonb_build_object('consumer_group', a.consumer_group,
                     'topic', a.topic, 'partition', a.partition, 'from', stored, 'to', new_offset))
        WHERE id = audit_id;
    END IF;
    UPDATE famins.consumer_alarms SET resolved_at = now(), resolved_audit_id = audit_id WHERE id = alarm_id;
    RETURN NEXT;
END
$$;

-- Every change now goes through the functions, with its audit row.
REVOKE UPDATE ON famins.consumer_positions FROM famins_operator;
REVOKE UPDATE (resolved_at) ON famins.consumer_alarms FROM famins_operator;
DROP POLICY operator_move ON famins.consumer_positions;
DROP POLICY operator_resolve ON famins.consumer_alarms;

-- ---- poison outbox rows -------------------------------------------------------------------------------------

-- Failed deliveries per unsent outbox row (a row here is deleted once the row is sent or parked).
CREATE TABLE famins.outbox_failures (
    outbox_id  bigint      PRIMARY KEY,
    attempts   integer     NOT NULL,
    last_error text        NOT NULL,
    first_at   timestamptz NOT NULL DEFAULT now(),
    last_at    timestamptz NOT NULL DEFAULT now()
);

-- Rows taken out of the outbox after FAMINS_RELAY_PARK_AFTER failed deliveries. key and payload are kept while
-- the row is parked (a re-queue sends them) and erased when it is re-queued or discarded.
CREATE TABLE famins.outbox_parked (
    outbox_id         bigint      PRIMARY KEY,
    topic             text        NOT NULL,
    message_key       bytea,
    payload           bytea,
    payload_bytes     integer     NOT NULL,
    headers           jsonb       NOT NULL,
    event_id          text,
    created_at        timestamptz NOT NULL,
    attempts          integer     NOT NULL,
    last_error        text        NOT NULL,
    parked_at         timestamptz NOT NULL DEFAULT now(),
    state             text        NOT NULL DEFAULT 'parked' CHECK (state IN ('parked', 'requeued', 'discarded')),
    handled_at        timestamptz,
    handled_audit_id  bigint REFERENCES famins.operator_audit (id),
    requeued_outbox_id bigint,
    CHECK ((state = 'parked') = (handled_at IS NULL)),
    CHECK ((state = 'parked') = (payload IS NOT NULL))
);
COMMENT ON TABLE famins.outbox_parked IS
    'outbox rows the relay could not deliver FAMINS_RELAY_PARK_AFTER times; famins-admin outbox requeue/discard';
GRANT SELECT (outbox_id, topic, payload_bytes, event_id, created_at, attempts, last_error, parked_at, state,
              handled_at, handled_audit_id, requeued_outbox_id) ON famins.outbox_parked TO famins_operator;
GRANT SELECT ON famins.outbox_failures TO famins_operator;

-- The relay reports a row's failed delivery (an error of the row's own, not an outage). Counts it; at
-- park_after failures moves the row to famins.outbox_parked and opens (or keeps) one alarm per topic:
-- consumer_group 'famins-relay', partition -1, kind OUTBOX_ROW_PARKED, stored_offset the first parked row's id.
-- Returns 'counted', 'parked', or 'gone' (the row is sent or no longer there). famins_relay may run it.
CREATE FUNCTION famins.outbox_delivery_failed(row_id bigint, error_text text, park_after integer)
    RETURNS text
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    o famins.outbox%ROWTYPE;
    n integer;
    msg text := left(coalesce(error_text, ''), 500);
BEGIN
    IF park_after IS NULL OR park_after < 1 THEN
        RAISE EXCEPTION 'park_after must be 1 or more' USING ERRCODE = '22023';
    END IF;
    -- Forget counts of rows sent since (small table: rows fail rarely).
    DELETE FROM famins.outbox_failures f
    WHERE NOT EXISTS (SELECT 1 FROM famins.outbox x WHERE x.id = f.outbox_id AND x.sent_at IS NULL);
    SELECT * INTO o FROM famins.outbox WHERE id = row_id AND sent_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'gone';
    END IF;
    INSERT INTO famins.outbox_failures AS f (outbox_id, attempts, last_error) VALUES (row_id, 1, msg)
    ON CONFLICT (outbox_id) DO UPDATE SET attempts = f.attempts + 1, last_error = msg, last_at = now()
    RETURNING attempts INTO n;
    IF n < park_after THEN
        RETURN 'counted';
    END IF;
    INSERT INTO famins.outbox_parked (outbox_id, topic, message_key, payload, payload_bytes, headers, event_id,
                                      created_at, attempts, last_error)
    VALUES (o.id, o.topic, o.message_key, o.payload, octet_length(o.payload), o.headers, o.event_id, o.created_at,
            n, msg);
    DELETE FROM famins.outbox x WHERE x.id = row_id;
    DELETE FROM famins.outbox_failures f WHERE f.outbox_id = row_id;
    INSERT INTO famins.consumer_alarms (consumer_group, topic, partition, kind, stored_offset, detail)
    VALUES ('famins-relay', o.topic, -1, 'OUTBOX_ROW_PARKED', o.id,
            format('outbox row %s parked after %s failed deliveries: %s', o.id, n, msg))
    ON CONFLICT (consumer_group, topic, partition, kind) WHERE resolved_at IS NULL DO NOTHING;
    RETURN 'parked';
END
$$;

-- Re-queues (a NEW outbox row, published after what is queued now: a parked row loses its place in its key's
-- order) or discards parked rows, audited; either erases the parked copy's key and payload. When no row of a
-- topic is parked any more, its OUTBOX_ROW_PARKED alarm is resolved in the same transaction.
CREATE FUNCTION famins.op_handle_parked(ids bigint[], requeue boolean, operator_name text, reason text)
    RETURNS TABLE (parked_id bigint, outcome text, outbox_id bigint)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    audit_id bigint;
    p record;
    new_id bigint;
    outcomes jsonb := '{}'::jsonb;
BEGIN
    IF ids IS NULL OR cardinality(ids) > 100000 THEN
        RAISE EXCEPTION 'give at most 100000 parked outbox row ids' USING ERRCODE = '22023';
    END IF;
    IF requeue IS NULL OR (NOT requeue AND (reason IS NULL OR btrim(reason) = '')) THEN
        RAISE EXCEPTION 'a discard needs a reason' USING ERRCODE = '22023';
    END IF;
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO famins.operator_audit (operator, action, target_kind, target_ids, reason)
    VALUES (operator_name, CASE WHEN requeue THEN 'outbox requeue' ELSE 'outbox discard' END, 'outbox_parked',
            ids, reason)
    RETURNING id INTO audit_id;
    PERFORM 1 FROM famins.outbox_parked k WHERE k.outbox_id = ANY (ids) ORDER BY k.outbox_id FOR UPDATE;
    FOR p IN SELECT x.id AS want, k.*
             FROM (SELECT DISTINCT unnest(ids) AS id) x
             LEFT JOIN famins.outbox_parked k ON k.outbox_id = x.id
             ORDER BY x.id
    LOOP
        new_id := NULL;
        IF p.outbox_id IS NULL THEN
            outcome := 'not_found';
        ELSIF p.state <> 'parked' THEN
            outcome := 'already_' || p.state;
        ELSE
            IF requeue THEN
                INSERT INTO famins.outbox (topic, message_key, payload, headers, event_id)
                VALUES (p.topic, p.message_key, p.payload, p.headers, p.event_id)
                RETURNING id INTO new_id;
            END IF;
            UPDATE famins.outbox_parked k
            SET state = CASE WHEN requeue THEN 'requeued' ELSE 'discarded' END, handled_at = now(),
                handled_audit_id = audit_id, requeued_outbox_id = new_id, message_key = NULL, payload = NULL
            WHERE k.outbox_id = p.outbox_id;
            outcome := CASE WHEN requeue THEN 'requeued' ELSE 'discarded' END;
        END IF;
        parked_id := p.want;
        outbox_id := new_id;
        outcomes := outcomes || jsonb_build_object(p.want::text, outcome);
        RETURN NEXT;
    END LOOP;
    UPDATE famins.consumer_alarms a SET resolved_at = now(), resolved_audit_id = audit_id
    WHERE a.consumer_group = 'famins-relay' AND a.kind = 'OUTBOX_ROW_PARKED' AND a.resolved_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM famins.outbox_parked k WHERE k.topic = a.topic AND k.state = 'parked');
    UPDATE famins.operator_audit SET detail = jsonb_build_object('outcomes', outcomes) WHERE id = audit_id;
END
$$;

REVOKE ALL ON FUNCTION famins.op_replay_dead_letters(bigint[], text, text),
    famins.op_discard_dead_letters(bigint[], text, text),
    famins.op_resolve_alarm(bigint, bigint, bigint, text, text),
    famins.outbox_delivery_failed(bigint, text, integer),
    famins.op_handle_parked(bigint[], boolean, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION famins.op_replay_dead_letters(bigint[], text, text),
    famins.op_discard_dead_letters(bigint[], text, text),
    famins.op_resolve_alarm(bigint, bigint, bigint, text, text),
    famins.op_handle_parked(bigint[], boolean, text, text) TO famins_operator;
GRANT EXECUTE ON FUNCTION famins.outbox_delivery_failed(bigint, text, integer) TO famins_relay;
