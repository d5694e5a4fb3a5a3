/* relay.c — the outbox relay: publishes famins.outbox rows in id order with an idempotent producer, marks
 * them sent, and holds a PostgreSQL advisory lock as its lease so that only one relay publishes at a time.
 *
 * Delivery on the wire is at-least-once: a relay that dies (or loses its session) after Kafka acknowledged
 * a round but before the UPDATE marking it sent committed leaves those rows unsent, and the next lease
 * holder publishes them again. Consumers therefore deduplicate by the event_id header (the worker runtime
 * does, through famins.processed_events). The idempotent producer removes the duplicates its own retries
 * would make inside one session. */
#include "relay.h"

#include <endian.h>
#include <inttypes.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_copybuf.h"
#include "fm_kafka.h"
#include "fm_ops.h"
#include "fm_pg.h"
#include "relay_metrics.h"
#include "relay_park.h"
#include "relay_retention.h"

typedef struct relay {
    fm_kafka_log_ref kafka_log; /* first: librdkafka's log lines find the logger through the opaque */
    const fm_settings *settings;
    const fm_logger *lg;
    const volatile sig_atomic_t *stop;
    PGconn *conn; /* the lease session: the advisory lock lives and dies with it */
    int leased;
    rd_kafka_t *producer;
    rd_kafka_topic_t *topics[FM_TOPIC_COUNT]; /* kept so that their partitions' leaders stay known */
    int batch, idle_ms, standby_ms, message_timeout_ms, retention_hours, cleanup_s, raw_retention_days;
    rd_kafka_resp_err_t *results; /* per row of a round, written by the delivery report callback */
    int64_t cursor;               /* the last id of a full, wholly delivered round; 0: scan from the start */
    relay_failed_row failed;      /* the row a failed round blames (relay_park.c) */
    int park_after;
    relay_counters counters;
    fm_ops *ops;      /* metrics and health; NULL when off */
    relay_metrics rm; /* all NULL when off */
} relay;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int relay_headers_from_json(const char *json, const char *event_id, struct rd_kafka_headers_s *out)
{
    json_error_t jerr;
    json_t *obj = json_loads(json ? json : "{}", 0, &jerr);
    int count = 0;
    if (!json_is_object(obj)) {
        json_decref(obj);
        return -1;
    }
    const char *name;
    json_t *value;
    json_object_foreach(obj, name, value)
    {
        if (!json_is_string(value)) {
            json_decref(obj);
            return -1;
        }
        rd_kafka_header_add(out, name, -1, json_string_value(value), (ssize_t)json_string_length(value));
        count++;
    }
    json_decref(obj);
    if (event_id != NULL) {
        rd_kafka_header_add(out, "event_id", -1, event_id, -1);
        count++;
    }
    return count;
}

static void delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    rd_kafka_resp_err_t *slot = m->_private;
    if (slot != NULL)
        *slot = m->err;
}

/* Releases the topic handles and the producer. */
static void drop_producer(relay *r)
{
    for (int t = 0; t < FM_TOPIC_COUNT; t++)
        if (r->topics[t] != NULL) {
            rd_kafka_topic_destroy(r->topics[t]);
            r->topics[t] = NULL;
        }
    if (r->producer != NULL)
        rd_kafka_destroy(r->producer);
    r->producer = NULL;
}

/* Learns the partitions and leaders of every famins topic now: a message for a topic the producer has not
 * seen waits for librdkafka's once-a-second topic scan, which put up to a second on the first decisions
 * published to each topic. A topic that cannot be looked up is only logged: its first messages wait. */
static void warm_topics(relay *r)
{
    const char *prefix = fm_settings_str(r->settings, "FAMINS_TOPIC_PREFIX");
    for (int t = 0; t < FM_TOPIC_COUNT; t++) {
        char name[256];
        fm_error e = {0};
        if (fm_topic_name(prefix, fm_topic_base_name((fm_topic_id)t), name, sizeof name, &e) != FM_OK)
            continue;
        r->topics[t] = rd_kafka_topic_new(r->producer, name, NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t me = r->topics[t] ? rd_kafka_metadata(r->producer, 0, r->topics[t], &md, 1000)
                                              : RD_KAFKA_RESP_ERR__FAIL;
        if (md != NULL)
            rd_kafka_metadata_destroy(md);
        if (me != RD_KAFKA_RESP_ERR_NO_ERROR) {
            /* Kafka unreachable now: the relay must not wait here; publishing retries on its own. */
            fm_log(r->lg, FM_LOG_WARN, "relay_topic_lookup", "topic=%s error=\"%s\" action=\"skipped\"", name,
                   rd_kafka_err2str(me));
            break;
        }
    }
}

/* librdkafka's statistics (served by rd_kafka_poll/flush on this thread): broker state, queues. */
static int stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    (void)rk;
    fm_ops_kafka_stats(((relay *)opaque)->ops, json, json_len, 0);
    return 0;
}

static fm_status make_producer(relay *r, fm_error *err)
{
    rd_kafka_conf_t *conf = NULL;
    char value[32];
    fm_status st = fm_kafka_conf_new(r->settings, "famins-relay", &conf, err);
    if (st != FM_OK)
        return st;
    fm_kafka_conf_log_to(conf, r->lg, &r->kafka_log);
    /* Idempotence: broker-side dedup of our own retries, in order per partition. murmur2: the same partition
     * for a key whoever produces it (architecture.md). */
    st = fm_kafka_conf_set(conf, "enable.idempotence", "true", err);
    /* acks=all (idempotence implies it; said here so that no override weakens it): a message counts as
     * delivered, and its outbox row as sent, only once every in-sync replica has it. */
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "acks", "all", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "partitioner", "murmur2_random", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "linger.ms", "5", err);
    snprintf(value, sizeof value, "%d", r->message_timeout_ms);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "message.timeout.ms", value, err);
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(r->settings, "FAMINS_RELAY_MESSAGE_MAX_BYTES"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "message.max.bytes", value, err);
    if (st == FM_OK)
        st = fm_ops_kafka_conf(r->ops, conf, stats_cb, err);
    if (st != FM_OK) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, delivery_cb);
    rd_kafka_conf_set_opaque(conf, r);
    char errstr[512];
    r->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (r->producer == NULL) {
        rd_kafka_conf_destroy(conf);
        fm_error_set(err, "", "KAFKA_CLIENT", "%s", errstr);
        return FM_EKAFKA;
    }
    warm_topics(r);
    return FM_OK;
}

/* Takes the lease when free. FM_OK with r->leased telling; FM_EDB when the database is gone. */
static fm_status try_lease(relay *r, fm_error *err)
{
    PGresult *res = NULL;
    fm_status st =
        fm_pg_query(r->conn, "SELECT pg_try_advisory_lock(" RELAY_LEASE_KEY ")", 0, NULL, &res, err);
    if (st != FM_OK)
        return st;
    r->leased = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (r->leased) {
        r->counters.leases++;
        r->cursor = 0;
        fm_log(r->lg, FM_LOG_INFO, "relay_lease_acquired", "backend_pid=%d", PQbackendPID(r->conn));
        st = fm_pg_exec(r->conn, "LISTEN famins_outbox", err);
        /* With statistics behind a fast-growing backlog the planner picks a bitmap scan and a sort over the
         * whole backlog for the round's query; the ordered index scan stops after one round's rows. This
         * session runs nothing else. */
        if (st == FM_OK)
            st = fm_pg_exec(r->conn, "SET enable_bitmapscan = off", err);
    }
    return st;
}

static int64_t be_int64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return (int64_t)be64toh(v);
}

/* Reads up to batch unsent rows after the cursor (binary results: bytea arrives as raw bytes). FM_EDB. */
static fm_status read_round(relay *r, PGresult **out, fm_error *err)
{
    char limit[16], after[32];
    snprintf(limit, sizeof limit, "%d", r->batch);
    snprintf(after, sizeof after, "%" PRId64, r->cursor);
    const char *params[2] = {limit, after};
    /* While rounds come back full, the next one starts after the last id sent: the front of the unsent
     * index fills with entries of rows already marked (dead until vacuum), and skipping them keeps a
     * backlog's rounds fast (the figure is in common/runtime/README.md, "The relay and the wire"). A round
     * that is not full resets the cursor, so a row whose transaction committed after a higher id was sent is
     * picked up by the next scan from the start. (Rows of one key never do that: one worker writes them,
     * batch after batch, so per-key order holds.) */
    PGresult *res =
        PQexecParams(r->conn,
                     "SELECT id, topic, message_key, payload, headers::text, event_id FROM famins.outbox "
                     "WHERE sent_at IS NULL AND id > $2::bigint ORDER BY id LIMIT $1::int",
                     2, NULL, params, NULL, NULL, 1);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        char msg[256];
        fm_pg_result_text(r->conn, res, msg, sizeof msg);
        fm_error_set(err, "", "PG_ERROR", "%s", msg);
        PQclear(res);
        return FM_EDB;
    }
    *out = res;
    return FM_OK;
}

/* Queues row i with the producer (waiting while its queue is full). FM_EINVAL (headers not an object of
 * strings) and FM_EKAFKA (refused) fill r->failed. */
static fm_status produce_row(relay *r, const PGresult *res, int i, fm_error *err)
{
    rd_kafka_headers_t *headers = rd_kafka_headers_new(8);
    const char *event_id = PQgetisnull(res, i, 5) ? NULL : PQgetvalue(res, i, 5);
    if (relay_headers_from_json(PQgetvalue(res, i, 4), event_id, headers) < 0) {
        rd_kafka_headers_destroy(headers);
        fm_error_set(err, "headers", "BAD_HEADERS",
                     "outbox row %" PRId64 " has headers that are not an object of strings",
                     be_int64(PQgetvalue(res, i, 0)));
        r->failed = (relay_failed_row){.id = be_int64(PQgetvalue(res, i, 0)), .permanent = 1};
        snprintf(r->failed.error, sizeof r->failed.error, "headers are not an object of strings");
        return FM_EINVAL;
    }
    const char *key = PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2);
    size_t key_len = key ? (size_t)PQgetlength(res, i, 2) : 0;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            r->producer, RD_KAFKA_V_TOPIC(PQgetvalue(res, i, 1)), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE(PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3)),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
            RD_KAFKA_V_OPAQUE(&r->results[i]), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return FM_OK;
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            rd_kafka_poll(r->producer, 100);
            continue;
        }
        rd_kafka_headers_destroy(headers); /* not taken on failure */
        fm_error_set(err, "", "PRODUCE_FAILED", "%s", rd_kafka_err2str(e));
        r->failed = (relay_failed_row){.id = be_int64(PQgetvalue(res, i, 0)),
                                       .permanent = relay_park_is_permanent(e)};
        snprintf(r->failed.error, sizeof r->failed.error, "%s", rd_kafka_err2str(e));
        return FM_EKAFKA;
    }
}

/* Waits for every queued row's delivery report; *delivered gets the length of the delivered prefix. A failed
 * report (when nothing failed before, st FM_OK) makes FM_EKAFKA and fills r->failed; else st. */
static fm_status await_deliveries(relay *r, const PGresult *res, int queued, fm_status st, int *delivered,
                                  fm_error *err)
{
    rd_kafka_flush(r->producer, r->message_timeout_ms + 10000);
    int n = 0;
    while (n < queued && r->results[n] == RD_KAFKA_RESP_ERR_NO_ERROR)
        n++;
    *delivered = n;
    if (n == queued || st != FM_OK)
        return st;
    rd_kafka_resp_err_t e = r->results[n];
    fm_error_set(err, "", "DELIVERY_FAILED", "outbox row %" PRId64 ": %s", be_int64(PQgetvalue(res, n, 0)),
                 e == RD_KAFKA_RESP_ERR__IN_PROGRESS ? "no delivery report" : rd_kafka_err2str(e));
    r->failed =
        (relay_failed_row){.id = be_int64(PQgetvalue(res, n, 0)), .permanent = relay_park_is_permanent(e)};
    snprintf(r->failed.error, sizeof r->failed.error, "%s", rd_kafka_err2str(e));
    return FM_EKAFKA;
}

/* Marks the first n rows sent, in one statement. FM_ENOMEM; FM_EDB with err. */
static fm_status mark_sent(relay *r, const PGresult *res, int n, fm_error *err)
{
    fm_copybuf ids = {0};
    fm_status st = FM_OK;
    for (int i = 0; i < n && st == FM_OK; i++)
        st = fm_copybuf_array_int(&ids, be_int64(PQgetvalue(res, i, 0)));
    if (st == FM_OK)
        st = fm_copybuf_array_close(&ids);
    if (st != FM_OK) {
        fm_copybuf_free(&ids);
        return FM_ENOMEM;
    }
    const char *params[1] = {ids.data};
    PGresult *upd = NULL;
    fm_error merr = {0};
    st = fm_pg_query(r->conn, "UPDATE famins.outbox SET sent_at = now() WHERE id = ANY ($1::bigint[])", 1,
                     params, &upd, &merr);
    PQclear(upd);
    fm_copybuf_free(&ids);
    if (st != FM_OK) {
        *err = merr;
        return FM_EDB;
    }
    return FM_OK;
}

/* One round: read up to batch unsent rows, publish, wait for every delivery report, mark the delivered
 * prefix sent in one statement. *published gets the rows marked. FM_EKAFKA when a row failed (the rest of
 * the round stays unsent and is retried in order), FM_EDB. */
static fm_status publish_round(relay *r, int *published, fm_error *err)
{
    *published = 0;
    int64_t t0 = now_ms();
    PGresult *res = NULL;
    fm_status st = read_round(r, &res, err);
    if (st != FM_OK)
        return st;
    int n = PQntuples(res);
    int64_t t1 = now_ms();
    r->cursor = 0; /* unless this round turns out full and wholly delivered */
    r->failed = (relay_failed_row){0};
    if (n == 0) {
        PQclear(res);
        return FM_OK;
    }
    for (int i = 0; i < n; i++)
        r->results[i] = RD_KAFKA_RESP_ERR__IN_PROGRESS;
    int queued = 0;
    while (queued < n && (st = produce_row(r, res, queued, err)) == FM_OK)
        queued++;
    /* Every queued row gets its delivery report before anything is marked. */
    int delivered = 0;
    st = await_deliveries(r, res, queued, st, &delivered, err);
    int64_t t2 = now_ms();
    /* Only the delivered prefix is marked, so a failed row is never overtaken by a later one of its key. */
    if (delivered > 0) {
        fm_status mst = mark_sent(r, res, delivered, err);
        if (mst != FM_OK) {
            PQclear(res);
            return mst;
        }
        *published = delivered;
        if (n == r->batch && delivered == n)
            r->cursor = be_int64(PQgetvalue(res, n - 1, 0));
        fm_log(r->lg, FM_LOG_DEBUG, "relay_round",
               "published=%d select_ms=%" PRId64 " produce_ms=%" PRId64 " mark_ms=%" PRId64, delivered,
               t1 - t0, t2 - t1, now_ms() - t2);
    }
    PQclear(res);
    return st;
}

/* Deletes sent rows past retention, a thousand at a time so no long lock or transaction. */
static fm_status cleanup(relay *r, fm_error *err)
{
    char hours[16];
    snprintf(hours, sizeof hours, "%d", r->retention_hours);
    const char *params[1] = {hours};
    for (;;) {
        PGresult *res = NULL;
        fm_status st =
            fm_pg_query(r->conn,
                        "DELETE FROM famins.outbox WHERE id IN (SELECT id FROM famins.outbox "
                        "WHERE sent_at IS NOT NULL AND sent_at <= now() - make_interval(hours => $1::int) "
                        "ORDER BY id LIMIT 1000)",
                        1, params, &res, err);
        if (st != FM_OK)
            return st;
        int rows = atoi(PQcmdTuples(res));
        PQclear(res);
        r->counters.deleted += (uint64_t)rows;
        if (rows < 1000 || (r->stop != NULL && *r->stop))
            return FM_OK;
    }
}

/* Erases the raw messages of dead letters past FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS (they hold personal
 * data), through famins.erase_dead_letter_raw_messages (061): a thousand a call, calling again while a call
 * erased a full thousand. The relay's role may run it, not read what it erases. */
static fm_status erase_raw_messages(relay *r, fm_error *err)
{
    char days[16];
    snprintf(days, sizeof days, "%d", r->raw_retention_days);
    const char *params[1] = {days};
    for (;;) {
        PGresult *res = NULL;
        fm_status st = fm_pg_query(
            r->conn, "SELECT famins.erase_dead_letter_raw_messages(make_interval(days => $1::int), 1000)", 1,
            params, &res, err);
        if (st != FM_OK)
            return st;
        int rows = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        r->counters.raw_erased += (uint64_t)rows;
        if (rows < 1000 || (r->stop != NULL && *r->stop))
            return FM_OK;
    }
}

/* Waits up to ms for a NOTIFY on famins_outbox (or *stop). */
static void wait_notify(relay *r, int ms)
{
    int64_t until = now_ms() + ms;
    while (!(r->stop != NULL && *r->stop)) {
        int64_t left = until - now_ms();
        if (left <= 0)
            return;
        struct pollfd pfd = {.fd = PQsocket(r->conn), .events = POLLIN};
        int rc = poll(&pfd, 1, left < 100 ? (int)left : 100);
        if (rc > 0) {
            PQconsumeInput(r->conn);
            PGnotify *n;
            int woke = 0;
            while ((n = PQnotifies(r->conn)) != NULL) {
                PQfreemem(n);
                woke = 1;
            }
            if (woke || PQstatus(r->conn) != CONNECTION_OK)
                return;
        }
    }
}

static void log_counters(const relay *r, const char *event)
{
    fm_log(r->lg, FM_LOG_INFO, event,
           "published=%" PRIu64 " rounds=%" PRIu64 " failures=%" PRIu64 " deleted=%" PRIu64
           " raw_erased=%" PRIu64 " leases=%" PRIu64,
           r->counters.published, r->counters.rounds, r->counters.failures, r->counters.deleted,
           r->counters.raw_erased, r->counters.leases);
}

fm_status relay_run(const fm_settings *settings, const char *dsn, const fm_logger *logger,
                    const volatile sig_atomic_t *stop, relay_counters *counters, fm_error *err)
{
    relay r = {.settings = settings, .lg = logger, .stop = stop};
    r.batch = (int)fm_settings_int(settings, "FAMINS_RELAY_BATCH");
    r.idle_ms = (int)fm_settings_int(settings, "FAMINS_RELAY_IDLE_MS");
    r.standby_ms = (int)fm_settings_int(settings, "FAMINS_RELAY_STANDBY_MS");
    r.message_timeout_ms = (int)fm_settings_int(settings, "FAMINS_RELAY_MESSAGE_TIMEOUT_MS");
    r.retention_hours = (int)fm_settings_int(settings, "FAMINS_OUTBOX_RETENTION_HOURS");
    r.cleanup_s = (int)fm_settings_int(settings, "FAMINS_RELAY_CLEANUP_INTERVAL_S");
    r.raw_retention_days = (int)fm_settings_int(settings, "FAMINS_DEAD_LETTER_RAW_RETENTION_DAYS");
    r.park_after = (int)fm_settings_int(settings, "FAMINS_RELAY_PARK_AFTER");
    fm_backoff backoff = FM_BACKOFF_DEFAULT;
    backoff.max_attempts = 0; /* a relay waits for its database as long as it takes */
    fm_status st = FM_ENOMEM;
    r.results = calloc((size_t)r.batch, sizeof *r.results);
    if (r.results == NULL)
        goto done;
    st = fm_ops_start(settings, "relay", logger, &r.ops, err);
    if (st == FM_OK && r.ops != NULL)
        st = relay_metrics_register(r.ops, &r.rm);
    if (st == FM_OK)
        st = make_producer(&r, err);
    if (st != FM_OK)
        goto done;
    fm_log(logger, FM_LOG_INFO, "relay_started", "batch=%d retention_hours=%d raw_retention_days=%d", r.batch,
           r.retention_hours, r.raw_retention_days);
    int64_t last_cleanup = 0, last_stats = now_ms();
    int standby_logged = 0, failures_in_row = 0;
    while (!(stop != NULL && *stop)) {
        if (r.conn == NULL || PQstatus(r.conn) != CONNECTION_OK) {
            if (r.leased)
                fm_log(logger, FM_LOG_WARN, "relay_lease_lost", "reason=\"database session ended\"");
            r.leased = 0;
            fm_ops_db(r.ops, 0);
            if (fm_pg_ensure(&r.conn, dsn, &backoff, stop, logger, err) != FM_OK)
                continue;
            fm_ops_db(r.ops, 1);
        }
        relay_metrics_update(r.ops, &r.rm, r.conn, r.leased, &r.counters);
        if (now_ms() - last_stats >= 60000) {
            log_counters(&r, "relay_counters");
            last_stats = now_ms();
        }
        fm_error e = {0};
        if (!r.leased) {
            if (try_lease(&r, &e) != FM_OK) {
                fm_log(logger, FM_LOG_WARN, "relay_lease_error", "error=\"%s\"", e.text);
                fm_sleep_ms(r.standby_ms, stop);
                continue;
            }
            if (!r.leased) {
                if (!standby_logged)
                    fm_log(logger, FM_LOG_INFO, "relay_standby", "reason=\"another relay holds the lease\"");
                standby_logged = 1;
                fm_sleep_ms(r.standby_ms, stop);
                continue;
            }
            standby_logged = 0;
        }
        int published = 0;
        relay_metrics_busy(r.ops, 1);
        fm_status rst = publish_round(&r, &published, &e);
        relay_metrics_busy(r.ops, 0);
        r.counters.rounds++;
        r.counters.published += (uint64_t)published;
        if (rst != FM_OK) {
            r.counters.failures++;
            failures_in_row++;
            fm_log(logger, FM_LOG_ERROR, "relay_round_failed", "status=%s code=%s error=\"%s\"",
                   fm_status_name(rst), e.code, e.text);
            /* A row failing on its own account is counted, and parked at FAMINS_RELAY_PARK_AFTER. */
            int parked = 0;
            if (r.failed.id > 0 && PQstatus(r.conn) == CONNECTION_OK &&
                relay_park_report(r.conn, &r.failed, r.park_after, logger, &parked, &e) != FM_OK)
                fm_log(logger, FM_LOG_WARN, "relay_park_failed", "error=\"%s\"", e.text);
            if (parked)
                failures_in_row = 0; /* the row behind it goes at once */
            if (rd_kafka_fatal_error(r.producer, NULL, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                /* An idempotent producer in a fatal state must be replaced. */
                drop_producer(&r);
                st = make_producer(&r, err);
                if (st != FM_OK)
                    goto done;
            }
            fm_sleep_ms(fm_backoff_delay_ms(&FM_BACKOFF_DEFAULT, failures_in_row), stop);
            continue;
        }
        failures_in_row = 0;
        if (now_ms() - last_cleanup >= (int64_t)r.cleanup_s * 1000) {
            if (cleanup(&r, &e) != FM_OK)
                fm_log(logger, FM_LOG_WARN, "relay_cleanup_failed", "error=\"%s\"", e.text);
            if (erase_raw_messages(&r, &e) != FM_OK)
                fm_log(logger, FM_LOG_WARN, "relay_raw_erase_failed", "error=\"%s\"", e.text);
            relay_retention_run(r.conn, settings, logger, stop, NULL, NULL); /* logs its own failures */
            last_cleanup = now_ms();
        }
        if (published == 0)
            wait_notify(&r, r.idle_ms);
    }
    st = FM_OK;
done:
    log_counters(&r, st == FM_OK ? "relay_stopped" : "relay_failed");
    if (r.producer != NULL)
        rd_kafka_flush(r.producer, 5000);
    drop_producer(&r);
    fm_ops_stop(r.ops); /* after the producer: its last flush may still report statistics */
    PQfinish(r.conn);   /* releases the lease */
    free(r.results);
    if (counters != NULL)
        *counters = r.counters;
    return st;
}
