-- 002_runtime: the tables of the exactly-once worker runtime (common/runtime) and the outbox relay.
-- A worker applies a batch of Kafka messages in ONE transaction together with: its consumer positions
-- (compare-and-set), the event ids it processed (dedup), its dead letters and its outbox rows. The relay
-- (famins_relay) publishes the outbox. See common/runtime/README.md.

-- Where each consumer group stands: the next Kafka offset to read per partition. PostgreSQL, not Kafka,
-- owns these, so that a position moves only in the transaction that applied the messages before it.
CREATE TABLE famins.consumer_positions (
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL CHECK (partition >= 0),
    next_offset    bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, partition)
);
COMMENT ON TABLE famins.consumer_positions IS
    'next Kafka offset per consumer group and partition; moved by compare-and-set in the batch transaction';

-- Every event a group applied, by event_id: a re-sent event (same id, same content hash) is ignored, the
-- same id with other content is a dead letter EVENT_ID_CONFLICT.
CREATE TABLE famins.processed_events (
    consumer_group text        NOT NULL,
    event_id       text        NOT NULL,
    content_hash   text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    kafka_offset   bigint      NOT NULL,
    processed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, event_id)
);
COMMENT ON TABLE famins.processed_events IS 'event ids applied per consumer group (deduplication of re-sent events)';

-- Unreadable messages, exactly once per group and source offset. raw_message keeps the bytes for a replay;
-- it may hold personal data, so only famins_operator reads it (column privileges below).
CREATE TABLE famins.dead_letters (
    id             bigserial   PRIMARY KEY,
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    kafka_offset   bigint      NOT NULL,
    message_key    bytea,
    error_code     text        NOT NULL,
    error_text     text        NOT NULL,
    raw_message    bytea       NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (consumer_group, topic, partition, kafka_offset)
);
COMMENT ON COLUMN famins.dead_letters.raw_message IS 'the message as received; readable by famins_operator only';

-- Dead letters without the raw message, for reports and dashboards.
CREATE VIEW famins_report.dead_letters AS
    SELECT id, consumer_group, topic, partition, kafka_offset, error_code, error_text, received_at
    FROM famins.dead_letters;

-- What workers must publish, written in their batch transaction; the relay sends it in id order and sets
-- sent_at. Key and payload are bytea because a dead letter's copy on <topic>.dlq is the raw source message,
-- which may not be valid UTF-8. headers: a JSON object of header name -> text value.
CREATE TABLE famins.outbox (
    id          bigserial   PRIMARY KEY,
    topic       text        NOT NULL,
    message_key bytea,
    payload     bytea       NOT NULL,
    headers     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    event_id    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
-- The relay's scan: unsent rows in id order stay a small index however large the table grows.
CREATE INDEX outbox_unsent ON famins.outbox (id) WHERE sent_at IS NULL;
-- The retention clean-up: sent rows by age.
CREATE INDEX outbox_sent_at ON famins.outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Wakes an idle relay (LISTEN famins_outbox) once per inserting statement instead of it polling hard.
CREATE FUNCTION famins.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('famins_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON famins.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION famins.outbox_notify();

-- A partition a worker refuses to consume: its stored position is below Kafka's low watermark (retention
-- deleted messages never applied) or out of range. Open until an operator resolves it; never skipped silently.
CREATE TABLE famins.consumer_alarms (
    id             bigserial   PRIMARY KEY,
    consumer_group text        NOT NULL,
    topic          text        NOT NULL,
    partition      integer     NOT NULL,
    kind           text        NOT NULL,
    stored_offset  bigint,
    low_watermark  bigint,
    high_watermark bigint,
    detail         text        NOT NULL DEFAULT '',
    raised_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz
);
-- One open alarm per partition and kind, however many times workers restart.
CREATE UNIQUE INDEX consumer_alarms_open ON famins.consumer_alarms (consumer_group, topic, partition, kind)
    WHERE resolved_at IS NULL;

-- Grants. Each service role writes, on its own behalf, exactly what the runtime writes in its batch
-- transaction: positions (read + compare-and-set), processed events (read for dedup + insert), dead letters
-- (insert only: a worker never reads raw messages back), outbox rows (insert only: publishing is the relay's
-- job) and alarms. famins_relay only reads the outbox, marks rows sent and deletes sent rows past retention:
-- it cannot forge or alter a message. famins_operator reads everything, raw messages included, and resolves
-- alarms. famins_reporter sees dead letters through the view without the raw message.
GRANT SELECT, INSERT, UPDATE ON famins.consumer_positions TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT SELECT, INSERT ON famins.processed_events TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT INSERT ON famins.dead_letters TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT USAGE ON SEQUENCE famins.dead_letters_id_seq TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT INSERT ON famins.outbox TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT USAGE ON SEQUENCE famins.outbox_id_seq TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT SELECT, INSERT ON famins.consumer_alarms TO famins_eligibility, famins_subsidy, famins_adjudicator;
GRANT USAGE ON SEQUENCE famins.consumer_alarms_id_seq TO famins_eligibility, famins_subsidy, famins_adjudicator;

GRANT SELECT, DELETE ON famins.outbox TO famins_relay;
GRANT UPDATE (sent_at) ON famins.outbox TO famins_relay;

GRANT SELECT ON famins.consumer_positions, famins.processed_events, famins.dead_letters, famins.outbox,
    famins.consumer_alarms TO famins_operator;
GRANT UPDATE (resolved_at) ON famins.consumer_alarms TO famins_operator;
-- Replaying a dead letter (later tooling) moves a position deliberately: operators may.
GRANT UPDATE ON famins.consumer_positions TO famins_operator;

GRANT SELECT ON famins_report.dead_letters TO famins_reporter, famins_operator;

-- The outbox and the processed events churn (every outbox row is updated once, then deleted): vacuum and
-- analyze them after 1% of change rather than the default 20%, so that the relay's scan of the unsent index
-- does not wade through entries of rows already sent, and its plan sees the real backlog.
ALTER TABLE famins.outbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01,
    autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE famins.processed_events SET (autovacuum_analyze_scale_factor = 0.01);
