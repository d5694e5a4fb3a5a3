-- 061_dead_letter_retention: a dead letter's raw message holds what the unreadable message held — members'
-- identity numbers, names and birth dates — so it is kept only as long as a replay may need it, then erased.
-- The row stays (its reference, code and text are what operators and reports count); raw_message becomes NULL
-- and raw_erased_at says when. famins-relay erases on its clean-up timer with FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS
-- (default 30), through the function below: it can erase without being able to read a raw message.
-- Who reads raw_message: famins_operator only (002's grants: the service roles insert dead letters and never
-- read them back; famins_reporter reads the view, which leaves the column out).

ALTER TABLE famins.dead_letters ALTER COLUMN raw_message DROP NOT NULL;
ALTER TABLE famins.dead_letters ADD COLUMN raw_erased_at timestamptz;
-- Erased exactly when marked so: a NULL raw message is never a worker's doing.
ALTER TABLE famins.dead_letters ADD CONSTRAINT dead_letters_raw_erased
    CHECK ((raw_message IS NULL) = (raw_erased_at IS NOT NULL));
COMMENT ON COLUMN famins.dead_letters.raw_message IS
    'the message as received, for a replay; readable by famins_operator only; NULL once erased after retention';
COMMENT ON COLUMN famins.dead_letters.raw_erased_at IS
    'when the raw message was erased (famins.erase_dead_letter_raw_messages); NULL while it is kept';

-- The erasure's scan: dead letters still holding their raw message, oldest first.
CREATE INDEX dead_letters_raw_kept ON famins.dead_letters (received_at) WHERE raw_message IS NOT NULL;

-- Erases the raw messages of dead letters received at least `retention` ago, at most max_rows (1..10000) per
-- call, oldest first, and returns how many it erased: callers call again while it returns max_rows, so that no
-- call holds many row locks or a long transaction. Rows another transaction holds are left to the next call.
-- SECURITY DEFINER (the owner is the migrations' role, which owns the table) with a pinned search_path, so
-- that famins_relay may erase what it may not read.
CREATE FUNCTION famins.erase_dead_letter_raw_messages(retention interval, max_rows integer DEFAULT 1000)
    RETURNS integer
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    erased integer;
BEGIN
    IF retention IS NULL OR retention < interval '0' THEN
        RAISE EXCEPTION 'retention must be an interval of zero or more' USING ERRCODE = '22023';
    END IF;
    IF max_rows IS NULL OR max_rows < 1 OR max_rows > 10000 THEN
        RAISE EXCEPTION 'max_rows must be between 1 and 10000' USING ERRCODE = '22023';
    END IF;
    UPDATE famins.dead_letters SET raw_message = NULL, raw_erased_at = now()
    WHERE id IN (SELECT id FROM famins.dead_letters
                 WHERE raw_message IS NOT NULL AND received_at <= now() - retention
                 ORDER BY received_at, id
                 LIMIT max_rows
                 FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS erased = ROW_COUNT;
    RETURN erased;
END
$$;
COMMENT ON FUNCTION famins.erase_dead_letter_raw_messages(interval, integer) IS
    'erases (sets NULL) dead letters'' raw messages older than retention, max_rows per call; returns the count';
REVOKE ALL ON FUNCTION famins.erase_dead_letter_raw_messages(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION famins.erase_dead_letter_raw_messages(interval, integer) TO famins_relay, famins_operator;

-- Reports may show whether a dead letter can still be replayed (the column is appended: the view's other
-- columns keep their order).
CREATE OR REPLACE VIEW famins_report.dead_letters AS
    SELECT id, consumer_group, topic, partition, kafka_offset, error_code, error_text, received_at, raw_erased_at
    FROM famins.dead_letters;
