-- 064_retention: the deduplication window of famins.processed_events, and the end of old dead letters.
--
-- processed_events grows by one row per applied event and group, forever, unless rows older than the
-- deduplication window go. An event re-sent after its row went is no longer recognised by the runtime as a
-- duplicate (common/runtime/README.md, "Retention", says what then refuses it and what would decide it again),
-- so the window (FAMINS_PROCESSED_EVENTS_RETENTION_DAYS, default 1100 days) is chosen longer than any re-send:
-- a plan year (366 days) plus the run-off in which its claims may still come (the two-year limitation of a
-- claim, 731 days), with a margin. A dead letter's row goes (FAMINS_DEAD_LETTER_RETENTION_DAYS, default 1100)
-- only after its raw message was erased (061): rows still holding a raw message are never deleted here.
-- Sent outbox rows already go after FAMINS_OUTBOX_RETENTION_HOURS (002's grant of DELETE to the relay).
--
-- famins-relay runs both under its lease, through the functions below: SECURITY DEFINER (owned by the
-- migrations' role, which owns the tables; search_path pinned), so famins_relay deletes old rows without being
-- able to read or delete any other. Each call is one short statement: at most max_rows rows, oldest first,
-- rows another transaction holds skipped (SKIP LOCKED: a worker's batch is never waited for), by their ctid
-- (a TID scan: processed events and erased dead letters are never updated, so a ctid read under FOR UPDATE is
-- the row the DELETE removes). Callers call again while a call removed max_rows.

-- The retention scans: rows by age. The processed-events index costs every batch one more index entry per
-- event; without it each call would read the whole table to find the oldest rows.
CREATE INDEX processed_events_processed_at ON famins.processed_events (processed_at);
CREATE INDEX dead_letters_erased_by_age ON famins.dead_letters (received_at) WHERE raw_message IS NULL;

-- Deletes processed events older than keep (at least a day: the relay re-publishes rows of a round it could
-- not mark sent within minutes, and those re-sends must stay duplicates), at most max_rows (1..10000), oldest
-- first, and returns how many it deleted.
CREATE FUNCTION famins.purge_processed_events(keep interval, max_rows integer DEFAULT 1000)
    RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removed integer;
BEGIN
    IF keep IS NULL OR keep < interval '1 day' THEN
        RAISE EXCEPTION 'the deduplication window must be at least one day' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 OR max_rows > 10000 THEN
        RAISE EXCEPTION 'max_rows must be between 1 and 10000' USING ERRCODE = '22023';
    END IF;
    DELETE FROM famins.processed_events
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM famins.processed_events
                            WHERE processed_at < now() - keep
                            ORDER BY processed_at
                            LIMIT max_rows
                            FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION famins.purge_processed_events(interval, integer) IS
    'deletes processed events older than keep (the deduplication window, >= 1 day), max_rows per call; returns the count';

-- Deletes dead letters received more than keep ago whose raw message was erased already, at most max_rows
-- (1..10000), oldest first, and returns how many it deleted.
CREATE FUNCTION famins.purge_dead_letters(keep interval, max_rows integer DEFAULT 1000)
    RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    removed integer;
BEGIN
    IF keep IS NULL OR keep < interval '1 day' THEN
        RAISE EXCEPTION 'dead letters are kept at least one day' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 OR max_rows > 10000 THEN
        RAISE EXCEPTION 'max_rows must be between 1 and 10000' USING ERRCODE = '22023';
    END IF;
    DELETE FROM famins.dead_letters
    WHERE ctid = ANY (ARRAY(SELECT ctid FROM famins.dead_letters
                            WHERE raw_message IS NULL AND received_at < now() - keep
                            ORDER BY received_at
                            LIMIT max_rows
                            FOR UPDATE SKIP LOCKED));
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END
$$;
COMMENT ON FUNCTION famins.purge_dead_letters(interval, integer) IS
    'deletes dead letters older than keep whose raw message was erased, max_rows per call; returns the count';

-- What retention would remove now, per table, without removing anything (famins-relay logs it; operators
-- may ask before changing a window): the rows due and the oldest of them.
CREATE FUNCTION famins.retention_due(processed_keep interval, outbox_keep interval, dead_letter_keep interval,
                                     raw_keep interval)
    RETURNS TABLE (what text, rows_due bigint, oldest timestamptz)
    LANGUAGE sql
    STABLE
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'processed_events', count(*), min(processed_at) FROM famins.processed_events
        WHERE processed_at < now() - processed_keep
    UNION ALL
    SELECT 'outbox_sent', count(*), min(sent_at) FROM famins.outbox
        WHERE sent_at IS NOT NULL AND sent_at <= now() - outbox_keep
    UNION ALL
    SELECT 'dead_letters', count(*), min(received_at) FROM famins.dead_letters
        WHERE raw_message IS NULL AND received_at < now() - dead_letter_keep
    UNION ALL
    SELECT 'dead_letter_raw_messages', count(*), min(received_at) FROM famins.dead_letters
        WHERE raw_message IS NOT NULL AND received_at <= now() - raw_keep
$$;
COMMENT ON FUNCTION famins.retention_due(interval, interval, interval, interval) IS
    'rows retention would remove now (processed events, sent outbox rows, dead letters, raw messages) and the oldest';

REVOKE ALL ON FUNCTION famins.purge_processed_events(interval, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION famins.purge_dead_letters(interval, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION famins.retention_due(interval, interval, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION famins.purge_processed_events(interval, integer) TO famins_relay, famins_operator;
GRANT EXECUTE ON FUNCTION famins.purge_dead_letters(interval, integer) TO famins_relay, famins_operator;
GRANT EXECUTE ON FUNCTION famins.retention_due(interval, interval, interval, interval) TO famins_relay,
    famins_operator;
