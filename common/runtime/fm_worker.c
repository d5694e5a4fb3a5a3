/* fm_worker.c — the consumer loop every famins service runs: Kafka in, one PostgreSQL transaction per batch
 * (the service's writes, dead letters, outbox rows, processed event ids and the positions as a
 * compare-and-set), so that each event takes effect exactly once.
 *
 * Positions live in PostgreSQL: the rebalance callback assigns partitions at their stored positions, and a
 * failed batch is redone by re-reading the stored positions and seeking there (a rolled-back batch left them
 * at its start; a commit whose acknowledgement was lost left them at its end: both are right). */
#include "fm_worker.h"

#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_batch.h"
#include "fm_deadletter.h"
#include "fm_map.h"
#include "fm_ops.h"
#include "fm_outbox.h"
#include "fm_pg.h"
#include "fm_positions.h"
#include "fm_worker_metrics.h"

/* A message apply refused (FM_EINVAL): on the redo it becomes a dead letter. */
typedef struct poison {
    char *topic;
    int32_t partition;
    int64_t offset;
    fm_error err;
} poison;

typedef struct worker {
    fm_kafka_log_ref kafka_log; /* first: the consumer's opaque is the worker, its log lines find the logger */
    const fm_worker_options *opt;
    const fm_logger *lg;
    char group[256];
    char topics[8][256];
    size_t topic_count;
    const char *dsn;
    int batch_max, batch_ms, max_bytes, stats_s;
    int cooperative;
    rd_kafka_t *rk;
    PGconn *conn;
    fm_position_map map;
    fm_batch batch;
    poison *poisons;
    size_t poison_count, poison_cap;
    fm_event *events; /* one per batch message */
    int *kinds;       /* one per batch message: what to do with it */
    fm_error *errors; /* one per batch message: the dead-letter reason */
    size_t events_cap;
    fm_map seen; /* event_id -> content hash for one batch: what the database knew, plus what it applied */
    fm_copybuf ids;
    fm_txn txn;
    fm_worker_counters counters;
    int64_t phase_us[5]; /* this batch: decode, lookup, apply, write (COPY + positions), commit */
    const fm_event **prepared; /* the events handed to prepare_batch; events_cap of them */
    size_t isolate_left;       /* messages still to apply one per transaction after a refused set write */
    int isolated_refusals;     /* class-23 refusals in a row of a one-message batch */
    fm_status set_status;      /* what end_batch returned when it made a BATCH_SET_REFUSED */
    int elsewhere_redos;       /* redos running, without a committed batch, because another member decided one of
                                  the batch's events after the deduplication read (FM_ECONFLICT, 23505) */
    fm_status fatal;     /* set by the rebalance callback when the worker must stop */
    fm_error fatal_err;
    fm_ops *ops;           /* metrics and health; NULL when off (FAMINS_METRICS_PORT 0) */
    fm_worker_metrics wm;  /* all NULL when off */
    int64_t last_db_ms;    /* when the database was last used or probed */
} worker;

enum { KIND_APPLY = 0, KIND_DEAD, KIND_DUPLICATE };

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- small pure helpers ------------------------------------------------------------------------------ */

fm_status fm_worker_group_id(const fm_settings *settings, const char *service, char *buf, size_t len,
                             fm_error *err)
{
    const char *group = fm_settings_str(settings, "FAMINS_GROUP_ID");
    int n = group[0] != '\0' ? snprintf(buf, len, "%s", group)
                             : snprintf(buf, len, "%sfamins-%s",
                                        fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"), service);
    if (n <= 0 || (size_t)n >= len) {
        fm_error_set(err, "FAMINS_GROUP_ID", "TOO_LONG", "the consumer group name is empty or too long");
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status fm_worker_assignor_parse(const char *name, int *cooperative, fm_error *err)
{
    if (strcmp(name, "range") == 0 || strcmp(name, "roundrobin") == 0) {
        *cooperative = 0;
        return FM_OK;
    }
    if (strcmp(name, "cooperative-sticky") == 0) {
        *cooperative = 1;
        return FM_OK;
    }
    fm_error_set(err, "FAMINS_ASSIGNOR", "BAD_ASSIGNOR",
                 "FAMINS_ASSIGNOR=\"%s\": use range, roundrobin or cooperative-sticky", name);
    return FM_ECONFIG;
}

/* ---- poison list --------------------------------------------------------------------------------------- */

static poison *poison_find(const worker *w, const char *topic, int32_t partition, int64_t offset)
{
    for (size_t i = 0; i < w->poison_count; i++)
        if (w->poisons[i].offset == offset && w->poisons[i].partition == partition &&
            strcmp(w->poisons[i].topic, topic) == 0)
            return &w->poisons[i];
    return NULL;
}

static fm_status poison_add(worker *w, const char *topic, int32_t partition, int64_t offset,
                            const fm_error *err)
{
    if (poison_find(w, topic, partition, offset) != NULL)
        return FM_OK;
    if (w->poison_count == w->poison_cap) {
        size_t cap = w->poison_cap ? w->poison_cap * 2 : 8;
        poison *grown = realloc(w->poisons, cap * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        w->poisons = grown;
        w->poison_cap = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL)
        return FM_ENOMEM;
    w->poisons[w->poison_count++] =
        (poison){.topic = copy, .partition = partition, .offset = offset, .err = *err};
    return FM_OK;
}

/* Forgets poisons the committed positions have passed. */
static void poison_prune(worker *w)
{
    size_t kept = 0;
    for (size_t i = 0; i < w->poison_count; i++) {
        fm_position *pos = fm_position_map_find(&w->map, w->poisons[i].topic, w->poisons[i].partition);
        if (pos == NULL || pos->committed > w->poisons[i].offset)
            free(w->poisons[i].topic);
        else
            w->poisons[kept++] = w->poisons[i];
    }
    w->poison_count = kept;
}

/* ---- database connection --------------------------------------------------------------------------- */

/* Makes sure the connection works, waiting with backoff (until *stop). FM_EDB when it never came back. */
static fm_status ensure_db(worker *w, fm_error *err)
{
    fm_backoff backoff = FM_BACKOFF_DEFAULT;
    if (w->conn == NULL || PQstatus(w->conn) != CONNECTION_OK)
        fm_ops_db(w->ops, 0);
    for (;;) {
        fm_status st = fm_pg_ensure(&w->conn, w->dsn, &backoff, w->opt->stop, w->lg, err);
        if (st == FM_OK)
            fm_ops_db(w->ops, 1);
        if (st == FM_OK || (w->opt->stop != NULL && *w->opt->stop))
            return st;
        fm_log(w->lg, FM_LOG_ERROR, "pg_unreachable", "error=\"%s\" action=retry", err->text);
    }
}

/* Reads the stored positions, reconnecting as needed. */
static fm_status load_positions(worker *w, fm_error *err)
{
    for (int attempt = 0; attempt < 30; attempt++) {
        fm_status st = ensure_db(w, err);
        if (st != FM_OK)
            return st;
        st = fm_positions_load(w->conn, w->group, &w->map, err);
        if (st == FM_OK)
            return FM_OK;
        fm_log(w->lg, FM_LOG_WARN, "positions_load_failed", "error=\"%s\"", err->text);
        if (!fm_pg_connection_lost(w->conn))
            fm_sleep_ms(fm_backoff_delay_ms(&FM_BACKOFF_DEFAULT, attempt + 1), w->opt->stop);
        if (w->opt->stop != NULL && *w->opt->stop)
            return FM_EDB;
    }
    return FM_EDB;
}

/* With metrics on, an idle worker checks its connection every FAMINS_METRICS_DB_PROBE_S, so that /readyz
 * sees a lost database without waiting for the next message; one connection attempt, no waiting (the next
 * batch's ensure_db waits with backoff as ever). */
static void probe_idle_db(worker *w)
{
    if (w->ops == NULL || w->batch.count > 0 || now_ms() - w->last_db_ms < w->ops->probe_ms)
        return;
    w->last_db_ms = now_ms();
    fm_error e = {0};
    if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK && fm_pg_exec(w->conn, "SELECT 1", &e) == FM_OK)
        return;
    fm_ops_db(w->ops, 0);
    PQfinish(w->conn);
    w->conn = NULL;
    fm_backoff once = FM_BACKOFF_DEFAULT;
    once.max_attempts = 1;
    if (fm_pg_connect(w->dsn, &once, w->opt->stop, w->lg, &w->conn, &e) == FM_OK)
        fm_ops_db(w->ops, 1);
}

/* ---- rebalancing ------------------------------------------------------------------------------------ */

/* Partitions held (stopped ones left out), for /readyz and famins_assigned_partitions. */
static void note_assignment(worker *w)
{
    if (w->ops == NULL)
        return;
    int held = 0;
    for (size_t i = 0; i < w->map.count; i++)
        held += !w->map.items[i].stopped;
    atomic_store(&w->ops->health.assigned, held);
    /* A new assignment's backlog is not "stuck" yet. */
    fm_health_progress(&w->ops->health, fm_health_now_ms());
    fm_metric_set(w->wm.assigned, NULL, held);
}

/* Stops a partition whose stored position Kafka no longer holds: alarm row + error log, never a skip. */
static void stop_partition(worker *w, fm_position *pos, const char *kind, int64_t low, int64_t high,
                           const char *detail)
{
    fm_error err = {0};
    pos->stopped = 1;
    fm_log(w->lg, FM_LOG_ERROR, "partition_stopped",
           "group=%s topic=%s partition=%" PRId32 " kind=%s stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
           " detail=\"%s\" action=\"operator must resolve famins.consumer_alarms\"",
           w->group, pos->topic, pos->partition, kind, pos->committed, low, high, detail);
    if (ensure_db(w, &err) != FM_OK || fm_positions_alarm(w->conn, w->group, pos->topic, pos->partition, kind,
                                                          pos->committed, low, high, detail, &err) != FM_OK)
        fm_log(w->lg, FM_LOG_ERROR, "alarm_not_recorded", "topic=%s partition=%" PRId32 " error=\"%s\"",
               pos->topic, pos->partition, err.text);
}

static void on_assign(worker *w, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *go = rd_kafka_topic_partition_list_new(parts->cnt > 0 ? parts->cnt : 1);
    fm_error err = {0};
    for (int i = 0; i < parts->cnt; i++)
        if (fm_position_map_put(&w->map, parts->elems[i].topic, parts->elems[i].partition,
                                FM_POSITION_NONE) != FM_OK) {
            w->fatal = FM_ENOMEM;
            goto assign;
        }
    if (load_positions(w, &err) != FM_OK) {
        w->fatal = FM_EDB;
        w->fatal_err = err;
        goto assign;
    }
    for (int i = 0; i < parts->cnt; i++) {
        fm_position *pos = fm_position_map_find(&w->map, parts->elems[i].topic, parts->elems[i].partition);
        if (pos->committed != FM_POSITION_NONE) {
            int64_t low = -1, high = -1;
            rd_kafka_resp_err_t e =
                rd_kafka_query_watermark_offsets(rk, pos->topic, pos->partition, &low, &high, 10000);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
                fm_log(w->lg, FM_LOG_WARN, "watermarks_unknown",
                       "topic=%s partition=%" PRId32 " error=\"%s\"", pos->topic, pos->partition,
                       rd_kafka_err2str(e));
            else if (pos->committed < low)
                stop_partition(w, pos, "POSITION_BELOW_LOW_WATERMARK", low, high,
                               "retention deleted messages this group never applied");
            else if (pos->committed > high)
                stop_partition(w, pos, "POSITION_ABOVE_HIGH_WATERMARK", low, high,
                               "the stored position is beyond the log's end (topic re-created?)");
        }
        if (pos->stopped)
            continue;
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(go, pos->topic, pos->partition);
        tp->offset = pos->committed == FM_POSITION_NONE ? RD_KAFKA_OFFSET_BEGINNING : pos->committed;
        char next[32] = "earliest";
        if (pos->committed != FM_POSITION_NONE)
            snprintf(next, sizeof next, "%" PRId64, pos->committed);
        fm_log(w->lg, FM_LOG_INFO, "partition_assigned",
               "group=%s topic=%s partition=%" PRId32 " next_offset=%s", w->group, pos->topic, pos->partition,
               next);
    }
assign:
    note_assignment(w);
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (w->cooperative)
        error = rd_kafka_incremental_assign(rk, go);
    else
        e = rd_kafka_assign(rk, go);
    if (error != NULL) {
        fm_log(w->lg, FM_LOG_ERROR, "assign_failed", "error=\"%s\"", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fm_log(w->lg, FM_LOG_ERROR, "assign_failed", "error=\"%s\"", rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(go);
}

static void on_revoke(worker *w, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
{
    int lost = rd_kafka_assignment_lost(rk);
    rd_kafka_topic_partition_list_t *gone =
        rd_kafka_topic_partition_list_new(parts->cnt > 0 ? parts->cnt : 1);
    for (int i = 0; i < parts->cnt; i++) {
        const char *topic = parts->elems[i].topic;
        int32_t partition = parts->elems[i].partition;
        /* Uncommitted messages of a revoked partition are dropped: the next owner starts from the stored
         * position, and our compare-and-set would fail anyway. */
        size_t dropped = fm_batch_drop_partition(&w->batch, topic, partition);
        fm_position *pos = fm_position_map_find(&w->map, topic, partition);
        if (pos != NULL && !pos->stopped)
            rd_kafka_topic_partition_list_add(gone, topic, partition);
        fm_position_map_remove(&w->map, topic, partition);
        fm_log(w->lg, lost ? FM_LOG_WARN : FM_LOG_INFO, lost ? "partition_lost" : "partition_revoked",
               "group=%s topic=%s partition=%" PRId32 " dropped_uncommitted=%zu", w->group, topic, partition,
               dropped);
    }
    if (w->cooperative) {
        rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, gone);
        if (error != NULL) {
            fm_log(w->lg, FM_LOG_WARN, "unassign_failed", "error=\"%s\"", rd_kafka_error_string(error));
            rd_kafka_error_destroy(error);
        }
    } else {
        rd_kafka_assign(rk, NULL);
        fm_position_map_clear(&w->map);
    }
    rd_kafka_topic_partition_list_destroy(gone);
    poison_prune(w);
    note_assignment(w);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                         void *opaque)
{
    worker *w = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        on_assign(w, rk, parts);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        on_revoke(w, rk, parts);
    } else {
        fm_log(w->lg, FM_LOG_ERROR, "rebalance_error", "error=\"%s\"", rd_kafka_err2str(err));
        if (w->cooperative)
            on_revoke(w, rk, parts);
        else {
            fm_batch_clear(&w->batch);
            fm_position_map_clear(&w->map);
            rd_kafka_assign(rk, NULL);
            note_assignment(w);
        }
    }
}

/* The counters kept in w->counters, mirrored into their metric families (no-ops when metrics are off). */
static void sync_counters(worker *w)
{
    const fm_worker_counters *c = &w->counters;
    fm_metric_set(w->wm.applied, NULL, (double)c->applied);
    fm_metric_set(w->wm.duplicates, NULL, (double)c->duplicates);
    fm_metric_set(w->wm.batches, NULL, (double)c->batches);
    fm_metric_set(w->wm.conflicts, NULL, (double)c->conflicts);
    fm_metric_set(w->wm.skipped, NULL, (double)c->skipped_below);
    fm_metric_set(w->wm.isolations, NULL, (double)c->isolations);
}

/* ---- redo -------------------------------------------------------------------------------------------- */

/* Rolls back what is open, drops the batch, reconnects, re-reads the stored positions and seeks every
 * assigned partition there: the batch is redone, never lost, never applied twice. */
static fm_status redo(worker *w, const char *reason, const fm_error *cause, fm_error *err)
{
    w->counters.replays++;
    fm_metric_add(w->wm.redos, (const char *const[]){reason}, 1);
    /* cause->text is the server's primary message only (fm_pg_result_text): no DETAIL quoting row values. */
    fm_log(w->lg, FM_LOG_WARN, "batch_redo", "reason=%s code=%s error=\"%s\"", reason, cause->code,
           cause->text);
    if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK &&
        PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
        fm_error ignored;
        fm_pg_exec(w->conn, "ROLLBACK", &ignored);
    }
    fm_batch_clear(&w->batch);
    fm_status st = load_positions(w, err);
    if (st != FM_OK)
        return st;
    sync_counters(w);
    rd_kafka_topic_partition_list_t *seek = rd_kafka_topic_partition_list_new((int)w->map.count + 1);
    for (size_t i = 0; i < w->map.count; i++) {
        fm_position *pos = &w->map.items[i];
        if (pos->stopped)
            continue;
        pos->resync = 1;
        pos->resync_attempts = 0;
        pos->resync_offset = FM_POSITION_NONE;
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(seek, pos->topic, pos->partition);
        tp->offset = pos->committed == FM_POSITION_NONE ? RD_KAFKA_OFFSET_BEGINNING : pos->committed;
    }
    /* Asynchronous: librdkafka 2.0.2's synchronous seek returns "timed out" at once when a rebalance event
     * arrives meanwhile, and serving that queue from here would run the rebalance callback mid-redo. The
     * asynchronous seek raises each partition's fetch version barrier before it returns, so no message
     * fetched before it is delivered after it; and should a seek not happen, the resync guard
     * (fm_position_accept) re-seeks instead of taking the next message as a gap. So nothing here is fatal. */
    rd_kafka_error_t *error = seek->cnt > 0 ? rd_kafka_seek_partitions(w->rk, seek, 0) : NULL;
    if (error != NULL) {
        fm_log(w->lg, FM_LOG_WARN, "seek_failed", "error=\"%s\" action=\"resync guard re-seeks\"",
               rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    for (int i = 0; i < seek->cnt; i++)
        if (seek->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR &&
            seek->elems[i].err != RD_KAFKA_RESP_ERR__IN_PROGRESS)
            fm_log(w->lg, FM_LOG_WARN, "seek_failed", "topic=%s partition=%" PRId32 " error=\"%s\"",
                   seek->elems[i].topic, seek->elems[i].partition, rd_kafka_err2str(seek->elems[i].err));
    rd_kafka_topic_partition_list_destroy(seek);
    return st;
}

/* ---- one batch ------------------------------------------------------------------------------------- */

static void raw_of(const rd_kafka_message_t *m, fm_raw_message *raw)
{
    *raw = (fm_raw_message){.topic = rd_kafka_topic_name(m->rkt),
                            .partition = m->partition,
                            .offset = m->offset,
                            .key = m->key,
                            .key_len = m->key_len,
                            .payload = m->payload ? m->payload : "",
                            .payload_len = m->len};
}

static void release_events(worker *w, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (w->events[i].decoded != NULL && w->opt->handler.release != NULL)
            w->opt->handler.release(w->opt->handler.ctx, &w->events[i]);
        w->events[i].decoded = NULL;
    }
}

/* Decodes every message (pure: no transaction open yet). FM_ENOMEM or a decode status other than FM_OK /
 * FM_EINVAL is fatal. */
static fm_status decode_all(worker *w, fm_error *err)
{
    size_t n = w->batch.count;
    if (n > w->events_cap) {
        fm_event *events = realloc(w->events, n * sizeof *events);
        if (events != NULL)
            w->events = events;
        int *kinds = realloc(w->kinds, n * sizeof *kinds);
        if (kinds != NULL)
            w->kinds = kinds;
        fm_error *errors = realloc(w->errors, n * sizeof *errors);
        if (errors != NULL)
            w->errors = errors;
        const fm_event **prepared = realloc(w->prepared, n * sizeof *prepared);
        if (prepared != NULL)
            w->prepared = prepared;
        if (events == NULL || kinds == NULL || errors == NULL || prepared == NULL)
            return FM_ENOMEM;
        w->events_cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        fm_raw_message raw;
        raw_of(w->batch.messages[i], &raw);
        w->events[i] = (fm_event){0};
        w->kinds[i] = KIND_DEAD;
        fm_error_clear(&w->errors[i]);
        const poison *p = poison_find(w, raw.topic, raw.partition, raw.offset);
        if (raw.payload_len > (size_t)w->max_bytes) {
            fm_error_set(&w->errors[i], "", "MESSAGE_TOO_LARGE", "%zu bytes, above the limit of %d",
                         raw.payload_len, w->max_bytes);
        } else if (p != NULL) {
            w->errors[i] = p->err;
        } else {
            fm_status st = w->opt->handler.decode(w->opt->handler.ctx, &raw, &w->events[i], &w->errors[i]);
            if (st == FM_OK && (w->events[i].event_id[0] == '\0' || w->events[i].content_hash[0] == '\0')) {
                /* Without an id or a hash there is no deduplication: refuse rather than apply blindly. */
                fm_error_set(&w->errors[i], "event_id", "SCHEMA_VIOLATION", "event_id: REQUIRED");
            } else if (st == FM_OK) {
                w->kinds[i] = KIND_APPLY;
            } else if (st != FM_EINVAL) {
                release_events(w, i);
                *err = w->errors[i];
                return st;
            } else if (w->errors[i].code[0] == '\0') {
                fm_error_set(&w->errors[i], "", "UNREADABLE", "the decoder refused the message");
            }
        }
    }
    return FM_OK;
}

/* One query for the batch's event ids already applied by the group. */
static fm_status lookup_known(worker *w, fm_error *err)
{
    fm_copybuf_reset(&w->ids);
    fm_map_clear(&w->seen);
    if (fm_map_reserve(&w->seen, w->batch.count) != FM_OK)
        return FM_ENOMEM;
    for (size_t i = 0; i < w->batch.count; i++)
        if (w->kinds[i] == KIND_APPLY && fm_copybuf_array_item(&w->ids, w->events[i].event_id) != FM_OK)
            return FM_ENOMEM;
    if (w->ids.rows == 0)
        return FM_OK;
    if (fm_copybuf_array_close(&w->ids) != FM_OK)
        return FM_ENOMEM;
    const char *params[2] = {w->group, w->ids.data};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(w->conn,
                               "SELECT event_id, content_hash FROM famins.own_processed_events "
                               "WHERE consumer_group = $1 AND event_id = ANY ($2::text[])",
                               2, params, &res, err);
    if (st != FM_OK)
        return st;
    for (int r = 0; r < PQntuples(res) && st == FM_OK; r++)
        st = fm_map_put_str(&w->seen, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
    PQclear(res);
    return st;
}

static fm_status stage_processed(worker *w, const fm_raw_message *raw, const fm_event *ev)
{
    fm_copybuf *b = &w->txn.processed;
    if (fm_copybuf_text_field(b, 1, w->group) != FM_OK ||
        fm_copybuf_text_field(b, 0, ev->event_id) != FM_OK ||
        fm_copybuf_text_field(b, 0, ev->content_hash) != FM_OK ||
        fm_copybuf_text_field(b, 0, raw->topic) != FM_OK ||
        fm_copybuf_int_field(b, 0, raw->partition) != FM_OK ||
        fm_copybuf_int_field(b, 0, raw->offset) != FM_OK || fm_copybuf_end_row(b) != FM_OK)
        return FM_ENOMEM;
    return FM_OK;
}

/* Whether the group's deduplication row of one event is there now (a fresh read, after the batch's first one). */
static fm_status processed_now(worker *w, const char *event_id, int *present, fm_error *err)
{
    const char *params[2] = {w->group, event_id};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(w->conn,
                               "SELECT 1 FROM famins.own_processed_events WHERE consumer_group = $1 AND event_id = $2",
                               2, params, &res, err);
    if (st != FM_OK)
        return st;
    *present = PQntuples(res) > 0;
    PQclear(res);
    return FM_OK;
}

typedef enum batch_outcome {
    BATCH_DONE = 0,
    BATCH_REDO,
    BATCH_ELSEWHERE, /* another member decided one of the batch's events after its deduplication read: redo */
    BATCH_SET_REFUSED,
    BATCH_FATAL
} batch_outcome;

/* Redos in a row for FM_ECONFLICT before the worker stops: a member that decided an event meanwhile committed
 * its processed-event row with its decision, so the first redo sees the event as a duplicate. A conflict that
 * survives this many redos is no race: the service's tables and famins.processed_events disagree. */
#define ELSEWHERE_REDOS_MAX 5

/* A row the database refused on its data: SQLSTATE class 22 (data exception) or 23 (integrity: unique, check,
 * foreign key, not null...). */
static int refused_row(const fm_error *cause)
{
    return strlen(cause->code) == 5 && cause->code[0] == '2' && (cause->code[1] == '2' || cause->code[1] == '3');
}

/* The events apply will be given: new to the group as far as the database knows. */
static size_t list_prepared(worker *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->batch.count; i++) {
        if (w->kinds[i] != KIND_APPLY)
            continue;
        if (fm_map_get(&w->seen, w->events[i].event_id) == NULL)
            w->prepared[n++] = &w->events[i];
    }
    return n;
}

/* Runs the batch's transaction. On BATCH_REDO *cause says why; on BATCH_FATAL err does. */
static batch_outcome run_transaction(worker *w, fm_error *cause, fm_error *err, fm_status *fatal)
{
    fm_worker_counters add = {0};
    fm_copybuf_reset(&w->txn.outbox);
    fm_copybuf_reset(&w->txn.dead);
    fm_copybuf_reset(&w->txn.processed);
    w->txn.conn = w->conn;

    int64_t t = now_us();
    fm_status st = fm_pg_exec(w->conn, "BEGIN", cause);
    if (st == FM_OK)
        st = lookup_known(w, cause);
    w->phase_us[1] = now_us() - t;
    t = now_us();
    if (st == FM_ENOMEM)
        goto fatal;
    if (st != FM_OK)
        return BATCH_REDO;
    if (w->opt->handler.begin_batch != NULL) {
        st = w->opt->handler.begin_batch(w->opt->handler.ctx, &w->txn, cause);
        if (st == FM_EDB)
            return BATCH_REDO;
        if (st != FM_OK) {
            *err = *cause;
            goto fatal;
        }
    }
    if (w->opt->handler.prepare_batch != NULL) {
        size_t n = list_prepared(w);
        st = n == 0 ? FM_OK : w->opt->handler.prepare_batch(w->opt->handler.ctx, &w->txn, w->prepared, n, cause);
        if (st == FM_EDB)
            return BATCH_REDO;
        if (st == FM_ECONFLICT)
            return BATCH_ELSEWHERE;
        if (st != FM_OK) {
            *err = *cause;
            goto fatal;
        }
    }

    for (size_t i = 0; i < w->batch.count; i++) {
        fm_raw_message raw;
        raw_of(w->batch.messages[i], &raw);
        fm_event *ev = &w->events[i];
        if (w->kinds[i] == KIND_APPLY) {
            const char *known = fm_map_get(&w->seen, ev->event_id); /* its content hash */
            if (known != NULL && strcmp(known, ev->content_hash) == 0) {
                add.duplicates++;
                continue;
            }
            if (known != NULL) {
                fm_error_set(&w->errors[i], "event_id", "EVENT_ID_CONFLICT",
                             "event_id %s was applied before with other content", ev->event_id);
                w->kinds[i] = KIND_DEAD;
            }
        }
        if (w->kinds[i] == KIND_DEAD) {
            fm_dead_source src = {.topic = raw.topic,
                                  .partition = raw.partition,
                                  .offset = raw.offset,
                                  .key = raw.key,
                                  .key_len = raw.key_len,
                                  .payload = raw.payload,
                                  .payload_len = raw.payload_len};
            st = fm_deadletter_stage(&w->txn, &src, w->errors[i].code, w->errors[i].text, err);
            if (st != FM_OK)
                goto fatal;
            fm_log(w->lg, FM_LOG_WARN, "dead_letter",
                   "topic=%s partition=%" PRId32 " offset=%" PRId64 " code=%s", raw.topic, raw.partition,
                   raw.offset, w->errors[i].code);
            add.dead_letters++;
            continue;
        }
        fm_error aerr = {0};
        st = w->opt->handler.apply(w->opt->handler.ctx, &w->txn, &raw, ev, &aerr);
        if (st == FM_EINVAL) {
            if (aerr.code[0] == '\0')
                fm_error_set(&aerr, "", "UNPROCESSABLE", "the service refused the message");
            if (poison_add(w, raw.topic, raw.partition, raw.offset, &aerr) != FM_OK) {
                st = FM_ENOMEM;
                goto fatal;
            }
            *cause = aerr;
            return BATCH_REDO;
        }
        if (st == FM_EDB) {
            *cause = aerr;
            return BATCH_REDO;
        }
        if (st == FM_ECONFLICT) {
            /* The service found the event decided in its own tables. With the group's deduplication row there
             * now, another member committed it after this batch's read: a redo sees a duplicate. Without it, the
             * row went with retention (an event re-sent after the deduplication window): the service's key
             * already holds its one effect, so it is a duplicate here and now, and its row is written again. */
            int present = 1;
            if (processed_now(w, ev->event_id, &present, &aerr) != FM_OK) {
                *cause = aerr;
                return BATCH_REDO;
            }
            if (present) {
                *cause = aerr;
                return BATCH_ELSEWHERE;
            }
            if (stage_processed(w, &raw, ev) != FM_OK ||
                fm_map_put_str(&w->seen, ev->event_id, ev->content_hash) != FM_OK) {
                st = FM_ENOMEM;
                goto fatal;
            }
            fm_log(w->lg, FM_LOG_INFO, "duplicate_after_window",
                   "topic=%s partition=%" PRId32 " offset=%" PRId64 " code=%s", raw.topic, raw.partition,
                   raw.offset, aerr.code);
            add.duplicates++;
            continue;
        }
        if (st != FM_OK) {
            *err = aerr;
            goto fatal;
        }
        if (stage_processed(w, &raw, ev) != FM_OK ||
            fm_map_put_str(&w->seen, ev->event_id, ev->content_hash) != FM_OK) {
            st = FM_ENOMEM;
            goto fatal;
        }
        add.applied++;
    }

    w->phase_us[2] = now_us() - t;
    t = now_us();
    if (w->opt->handler.end_batch != NULL) {
        st = w->opt->handler.end_batch(w->opt->handler.ctx, &w->txn, cause);
        if (st == FM_ECONFLICT || (st == FM_EDB && strcmp(cause->code, "23505") == 0 && w->elsewhere_redos == 0))
            /* Most likely another member's decision of one of these events, committed after the deduplication
             * read: one plain redo sees it as a duplicate. A unique violation that outlives it is isolated. */
            return BATCH_ELSEWHERE;
        if (st == FM_EINVAL || (st == FM_EDB && refused_row(cause))) {
            /* A unique violation may be a concurrent worker's row, which a redo resolves: it alone keeps FM_EDB
             * (three refusals in a row before a dead letter); every other refusal is the message's. */
            w->set_status = st == FM_EDB && strcmp(cause->code, "23505") == 0 ? FM_EDB : FM_EINVAL;
            return BATCH_SET_REFUSED;
        }
        if (st == FM_EDB && strncmp(cause->code, "42", 2) == 0 && strlen(cause->code) == 5)
            st = FM_ECONFIG; /* a missing privilege or table (class 42): a redo cannot mend the deployment */
        if (st == FM_EDB)
            return BATCH_REDO;
        if (st != FM_OK) {
            *err = *cause;
            goto fatal;
        }
    }
    /* Runtime rows last, one COPY each, then the compare-and-set of every partition, then COMMIT. */
    st = fm_copybuf_send(
        w->conn,
        "COPY famins.processed_events (consumer_group, event_id, content_hash, topic, partition, "
        "kafka_offset) FROM STDIN",
        &w->txn.processed, cause);
    if (st == FM_OK)
        st = fm_deadletter_flush(&w->txn, cause);
    if (st == FM_OK)
        st = fm_outbox_flush(&w->txn, cause);
    if (st == FM_OK && w->batch.range_count > 0) {
        fm_position_move moves[64];
        size_t n = 0;
        /* One statement for every partition of the batch (a batch spans at most the assigned partitions;
         * beyond 64 of them, a statement per 64). */
        for (size_t r = 0; st == FM_OK && r < w->batch.range_count; r++) {
            const fm_batch_range *range = &w->batch.ranges[r];
            moves[n++] = (fm_position_move){range->topic, range->partition, range->start, range->next};
            if (n == sizeof moves / sizeof moves[0] || r + 1 == w->batch.range_count) {
                st = fm_positions_cas_all(w->conn, w->group, moves, n, cause);
                n = 0;
            }
        }
        if (st == FM_ECONFLICT)
            add.conflicts++;
    }
    w->phase_us[3] = now_us() - t;
    if (st == FM_EDB && strncmp(cause->code, "42", 2) == 0) {
        /* Class 42 on the runtime's own rows (insufficient_privilege: a group or topic not bound to this
         * role, migration 060) is the deployment's error, not a transient one: a retry would be refused
         * forever. */
        *err = *cause;
        goto fatal;
    }
    t = now_us();
    if (st == FM_OK)
        st = fm_pg_exec(w->conn, "COMMIT", cause);
    w->phase_us[4] = now_us() - t;
    if (st != FM_OK) {
        w->counters.conflicts += add.conflicts;
        return BATCH_REDO;
    }
    w->counters.applied += add.applied;
    w->counters.duplicates += add.duplicates;
    w->counters.dead_letters += add.dead_letters;
    w->counters.messages += w->batch.count;
    w->counters.batches++;
    return BATCH_DONE;
fatal:
    *fatal = st;
    return BATCH_FATAL;
}

/* After the database commit: remember the new positions and tell Kafka, for lag tools only. */
static void after_commit(worker *w)
{
    rd_kafka_topic_partition_list_t *offsets =
        rd_kafka_topic_partition_list_new((int)w->batch.range_count + 1);
    for (size_t r = 0; r < w->batch.range_count; r++) {
        const fm_batch_range *range = &w->batch.ranges[r];
        fm_position *pos = fm_position_map_find(&w->map, range->topic, range->partition);
        if (pos != NULL)
            pos->committed = range->next;
        rd_kafka_topic_partition_list_add(offsets, range->topic, range->partition)->offset = range->next;
    }
    rd_kafka_commit(w->rk, offsets, 1); /* asynchronous; a failure only delays what lag tools see */
    rd_kafka_topic_partition_list_destroy(offsets);
    poison_prune(w);
}

/* A committed batch: its duration and size, its dead letters by code, each message's decision latency (its
 * Kafka timestamp to now, on the wall clock both use), and progress for /readyz. */
static void observe_commit(worker *w, int64_t started_us)
{
    if (w->ops == NULL)
        return;
    sync_counters(w);
    fm_metric_observe(w->wm.batch_seconds, NULL, (double)(now_us() - started_us) / 1e6);
    fm_metric_observe(w->wm.batch_messages, NULL, (double)w->batch.count);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    double latencies[128];
    size_t n = 0;
    for (size_t i = 0; i < w->batch.count; i++) {
        if (w->kinds[i] == KIND_DEAD)
            fm_metric_add(w->wm.dead_letters, (const char *const[]){w->errors[i].code}, 1);
        int64_t at = rd_kafka_message_timestamp(w->batch.messages[i], NULL);
        if (at >= 0)
            latencies[n++] = wall_ms > at ? (double)(wall_ms - at) / 1000.0 : 0.0; /* clocks may differ */
        if (n == sizeof latencies / sizeof latencies[0] || (i + 1 == w->batch.count && n > 0)) {
            fm_metric_observe_many(w->wm.latency_seconds, NULL, latencies, n);
            n = 0;
        }
    }
    w->last_db_ms = now_ms();
    fm_health_progress(&w->ops->health, fm_health_now_ms());
}

static fm_status process_batch(worker *w, fm_error *err)
{
    char ranges[512];
    fm_batch_describe(&w->batch, ranges, sizeof ranges);
    fm_log(w->lg, FM_LOG_DEBUG, "batch_begin", "messages=%zu ranges=%s", w->batch.count, ranges);
    int64_t t = now_us(), started_us = t;
    fm_metric_add(w->wm.consumed, NULL, (double)w->batch.count);
    if (w->ops != NULL)
        atomic_store(&w->ops->health.busy_since_ms, fm_health_now_ms());
    fm_status st = decode_all(w, err);
    w->phase_us[0] = now_us() - t;
    if (st != FM_OK)
        return st;
    fm_error cause = {0};
    fm_status fatal = FM_OK;
    st = ensure_db(w, err);
    batch_outcome out = st == FM_OK ? run_transaction(w, &cause, err, &fatal) : BATCH_FATAL;
    if (st != FM_OK)
        fatal = st;
    release_events(w, w->batch.count);
    if (w->ops != NULL)
        atomic_store(&w->ops->health.busy_since_ms, 0);
    switch (out) {
    case BATCH_DONE:
        after_commit(w);
        observe_commit(w, started_us);
        w->elsewhere_redos = 0;
        w->isolate_left = w->isolate_left > w->batch.count ? w->isolate_left - w->batch.count : 0;
        w->isolated_refusals = 0;
        fm_log(w->lg, FM_LOG_DEBUG, "batch_commit",
               "messages=%zu ranges=%s decode_us=%" PRId64 " lookup_us=%" PRId64 " apply_us=%" PRId64
               " write_us=%" PRId64 " commit_us=%" PRId64,
               w->batch.count, ranges, w->phase_us[0], w->phase_us[1], w->phase_us[2], w->phase_us[3],
               w->phase_us[4]);
        fm_batch_clear(&w->batch);
        return FM_OK;
    case BATCH_REDO:
        /* A zombie is fenced by whichever comes first: the processed-event key (the new owner applied the
         * same events: unique_violation 23505) or the position compare-and-set. Both roll everything back. */
        if (strcmp(cause.code, "23505") == 0)
            w->counters.conflicts++;
        return redo(w,
                    strcmp(cause.code, "POSITION_CONFLICT") == 0 ? "position_conflict"
                    : strcmp(cause.code, "23505") == 0           ? "event_applied_elsewhere"
                                                                 : "transient",
                    &cause, err);
    case BATCH_ELSEWHERE:
        /* Another member (a zombie, or one finishing a revoked partition's batch) committed one of these events
         * between the deduplication read and this batch's own write: roll back and redo from the dedup step,
         * where the event is a duplicate. Zombie fencing as much as the compare-and-set is: a conflict. */
        w->counters.conflicts++;
        if (++w->elsewhere_redos > ELSEWHERE_REDOS_MAX) {
            if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK &&
                PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
                fm_error ignored;
                fm_pg_exec(w->conn, "ROLLBACK", &ignored);
            }
            fm_batch_clear(&w->batch);
            fm_error_set(err, cause.path, cause.code,
                         "%d redos running still found an event decided but not processed: the tables disagree "
                         "(%s)",
                         ELSEWHERE_REDOS_MAX, cause.text);
            return FM_ECONFLICT;
        }
        return redo(w, "decided_elsewhere", &cause, err);
    case BATCH_SET_REFUSED:
        w->counters.isolations++;
        if (w->batch.count > 1) {
            /* Some message's rows were refused: apply these messages one per transaction to find it. */
            w->isolate_left = w->batch.count;
            w->isolated_refusals = 0;
            return redo(w, "set_write_refused", &cause, err);
        }
        if (w->set_status == FM_EINVAL || ++w->isolated_refusals >= 3) {
            /* Alone in its batch and refused (a unique violation three times running, so not a concurrent
             * worker's): this message is the one. The redo makes it a dead letter. */
            fm_error dead = {0};
            const rd_kafka_message_t *m = w->batch.messages[0];
            fm_error_set(&dead, cause.path, "WRITE_REJECTED", "SQLSTATE %s: %s", cause.code, cause.text);
            if (poison_add(w, rd_kafka_topic_name(m->rkt), m->partition, m->offset, &dead) != FM_OK)
                return FM_ENOMEM;
            w->isolated_refusals = 0;
        }
        return redo(w, "set_write_refused", &cause, err);
    case BATCH_FATAL:
    default:
        if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK &&
            PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
            fm_error ignored;
            fm_pg_exec(w->conn, "ROLLBACK", &ignored);
        }
        fm_batch_clear(&w->batch);
        return fatal != FM_OK ? fatal : FM_EDB;
    }
}

/* ---- the loop ----------------------------------------------------------------------------------------- */

static void log_counters(const worker *w, const char *event)
{
    const fm_worker_counters *c = &w->counters;
    fm_log(w->lg, FM_LOG_INFO, event,
           "group=%s messages=%" PRIu64 " applied=%" PRIu64 " batches=%" PRIu64 " dead_letters=%" PRIu64
           " duplicates=%" PRIu64 " replays=%" PRIu64 " conflicts=%" PRIu64 " skipped_below=%" PRIu64 " isolations=%" PRIu64,
           w->group, c->messages, c->applied, c->batches, c->dead_letters, c->duplicates, c->replays,
           c->conflicts, c->skipped_below, c->isolations);
}

/* A consumer error: out-of-range offsets stop the partition (auto.offset.reset=error), others are logged. */
static void consumer_error(worker *w, const rd_kafka_message_t *m)
{
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
        return;
    if ((m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) &&
        m->rkt != NULL) {
        fm_position *pos = fm_position_map_find(&w->map, rd_kafka_topic_name(m->rkt), m->partition);
        if (pos != NULL && !pos->stopped) {
            int64_t low = -1, high = -1;
            rd_kafka_query_watermark_offsets(w->rk, pos->topic, pos->partition, &low, &high, 5000);
            stop_partition(w, pos, "POSITION_OUT_OF_RANGE", low, high, rd_kafka_err2str(m->err));
            rd_kafka_topic_partition_list_t *p = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(p, pos->topic, pos->partition);
            rd_kafka_pause_partitions(w->rk, p);
            rd_kafka_topic_partition_list_destroy(p);
        }
        return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        /* e.g. another member took this group.instance.id: the consumer is unusable, stop (restart clean). */
        char reason[256];
        rd_kafka_fatal_error(w->rk, reason, sizeof reason);
        fm_error_set(&w->fatal_err, "", "KAFKA_FATAL", "%s", reason);
        w->fatal = FM_EKAFKA;
        fm_log(w->lg, FM_LOG_ERROR, "kafka_fatal", "error=\"%s\"", reason);
        return;
    }
    fm_log(w->lg, FM_LOG_WARN, "kafka_error", "error=\"%s\"", rd_kafka_message_errstr(m));
}

/* A message beyond the position arrived right after a seek back: seek again rather than skip anything. */
static void reseek(worker *w, const fm_position *pos, int64_t offset)
{
    fm_log(w->lg, FM_LOG_WARN, "partition_reseek",
           "topic=%s partition=%" PRId32 " position=%" PRId64 " got_offset=%" PRId64 " attempt=%d",
           pos->topic, pos->partition, pos->fetch_next, offset, pos->resync_attempts);
    rd_kafka_topic_partition_list_t *p = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(p, pos->topic, pos->partition)->offset = pos->fetch_next;
    rd_kafka_error_t *error = rd_kafka_seek_partitions(w->rk, p, 0);
    if (error != NULL) {
        fm_log(w->lg, FM_LOG_WARN, "partition_reseek_failed", "error=\"%s\"", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    rd_kafka_topic_partition_list_destroy(p);
}

/* Collects one batch: up to batch_max messages, or batch_ms after the first, or until *stop. */
static fm_status collect(worker *w, int64_t *last_stats)
{
    int64_t first_at = 0;
    size_t max = w->isolate_left > 0 ? 1 : (size_t)w->batch_max;
    while (w->batch.count < max && w->fatal == FM_OK) {
        if (w->opt->stop != NULL && *w->opt->stop)
            break;
        int timeout = 100;
        if (w->batch.count > 0) {
            int64_t left = first_at + w->batch_ms - now_ms();
            if (left <= 0)
                break;
            timeout = left < 100 ? (int)left : 100;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->rk, timeout);
        if (m == NULL)
            probe_idle_db(w);
        if (now_ms() - *last_stats >= (int64_t)w->stats_s * 1000) {
            log_counters(w, "worker_counters");
            *last_stats = now_ms();
        }
        if (m == NULL)
            continue;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            consumer_error(w, m);
            rd_kafka_message_destroy(m);
            continue;
        }
        const char *topic = rd_kafka_topic_name(m->rkt);
        fm_position *pos = fm_position_map_find(&w->map, topic, m->partition);
        fm_position_verdict v = fm_position_accept(pos, m->offset);
        if (v == FM_POS_RESEEK)
            reseek(w, pos, m->offset);
        if (v != FM_POS_ACCEPT) {
            if (v == FM_POS_REPLAY)
                w->counters.skipped_below++;
            rd_kafka_message_destroy(m);
            continue;
        }
        if (w->batch.count == 0)
            first_at = now_ms();
        if (fm_batch_add(&w->batch, m, topic, m->partition, m->offset, pos->committed) != FM_OK)
            return FM_ENOMEM;
    }
    return w->fatal;
}

/* librdkafka's statistics, served by consumer_poll on this thread: lag, broker state, group membership. */
static int stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
    (void)rk;
    fm_ops_kafka_stats(((worker *)opaque)->ops, json, json_len, 1);
    return 0; /* librdkafka frees json */
}

static fm_status make_consumer(worker *w, fm_error *err)
{
    const fm_settings *s = w->opt->settings;
    rd_kafka_conf_t *conf = NULL;
    char client_id[128], value[32];
    snprintf(client_id, sizeof client_id, "famins-%s", w->opt->service);
    fm_status st = fm_kafka_conf_new(s, client_id, &conf, err);
    if (st != FM_OK)
        return st;
    /* Offsets are PostgreSQL's: Kafka never commits or stores them on its own, and a position Kafka cannot
     * serve is an error to report, never a silent jump (auto.offset.reset=error). */
    st = fm_kafka_conf_set(conf, "group.id", w->group, err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "enable.auto.commit", "false", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "enable.auto.offset.store", "false", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "auto.offset.reset", "error", err);
    /* Only committed records (librdkafka's default, said explicitly): an aborted transaction's never decides. */
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "isolation.level", "read_committed", err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "partition.assignment.strategy", fm_settings_str(s, "FAMINS_ASSIGNOR"),
                               err);
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_SESSION_TIMEOUT_MS"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "session.timeout.ms", value, err);
    /* The heartbeat must be well inside the session timeout (a third, as Kafka advises). */
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_SESSION_TIMEOUT_MS") / 3);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "heartbeat.interval.ms", value, err);
    /* librdkafka's default prefetch (64 MiB) would hold a backlog's messages in memory for nothing: a batch
     * is at most FAMINS_BATCH_MAX_MESSAGES. */
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_PREFETCH_KBYTES"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "queued.max.messages.kbytes", value, err);
    snprintf(value, sizeof value, "%" PRId64, fm_settings_int(s, "FAMINS_MAX_POLL_INTERVAL_MS"));
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "max.poll.interval.ms", value, err);
    const char *instance = fm_settings_str(s, "FAMINS_GROUP_INSTANCE_ID");
    if (st == FM_OK && instance[0] != '\0')
        st = fm_kafka_conf_set(conf, "group.instance.id", instance, err);
    if (st == FM_OK)
        st = fm_ops_kafka_conf(w->ops, conf, stats_cb, err);
    if (st != FM_OK) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    fm_kafka_conf_log_to(conf, w->lg, &w->kafka_log);
    rd_kafka_conf_set_opaque(conf, w);
    char errstr[512];
    w->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (w->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        fm_error_set(err, "", "KAFKA_CLIENT", "%s", errstr);
        return FM_EKAFKA;
    }
    conf = NULL; /* owned by rk now */
    rd_kafka_poll_set_consumer(w->rk);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new((int)w->topic_count);
    for (size_t i = 0; i < w->topic_count; i++)
        rd_kafka_topic_partition_list_add(subs, w->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(w->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fm_error_set(err, "", "KAFKA_SUBSCRIBE", "%s", rd_kafka_err2str(e));
        return FM_EKAFKA;
    }
    return FM_OK;
}

/* The DSN with a fallback application_name, so pg_stat_activity names the worker, and an idle-in-transaction
 * timeout: a worker frozen inside a batch (a zombie: stopped VM, long pause) must not hold its row locks —
 * which would block the partition's new owner — longer than that; PostgreSQL ends its session and the batch
 * rolls back. A batch is never idle between its statements for more than the time one apply takes. */
static char *dsn_for_worker(const char *dsn, const char *service, int64_t idle_txn_ms)
{
    size_t len = strlen(dsn) + strlen(service) + 160;
    char *out = malloc(len);
    if (out == NULL)
        return NULL;
    if (strncmp(dsn, "postgres", 8) == 0) /* a URI: leave it as written */
        snprintf(out, len, "%s", dsn);
    else if (strstr(dsn, "options=") != NULL) /* the operator set server options: theirs win */
        snprintf(out, len, "%s fallback_application_name=famins-%s", dsn, service);
    else
        snprintf(
            out, len,
            "%s fallback_application_name=famins-%s options='-c idle_in_transaction_session_timeout=%lld'",
            dsn, service, (long long)idle_txn_ms);
    return out;
}

static void worker_free(worker *w)
{
    fm_batch_free(&w->batch);
    fm_position_map_free(&w->map);
    for (size_t i = 0; i < w->poison_count; i++)
        free(w->poisons[i].topic);
    free(w->poisons);
    free(w->events);
    free(w->kinds);
    free(w->errors);
    free(w->prepared);
    fm_map_free(&w->seen);
    fm_copybuf_free(&w->ids);
    fm_copybuf_free(&w->txn.outbox);
    fm_copybuf_free(&w->txn.dead);
    fm_copybuf_free(&w->txn.processed);
    PQfinish(w->conn);
    free((char *)w->dsn);
}

fm_status fm_worker_run(const fm_worker_options *opt, fm_worker_counters *counters, fm_error *err)
{
    worker w = {.opt = opt, .lg = opt->logger, .fatal = FM_OK};
#ifdef __GLIBC__
    /* A fixed threshold: blocks of 256 KiB and more (librdkafka's fetch buffers, large COPY buffers) are
     * mapped and unmapped, so a worker's resident memory follows what it holds. glibc's adaptive threshold
     * would move them onto the heap, whose fragmented pages made a long wave's peak creep up. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    const fm_settings *s = opt->settings;
    fm_status st = fm_worker_group_id(s, opt->service, w.group, sizeof w.group, err);
    if (st == FM_OK)
        st = fm_worker_assignor_parse(fm_settings_str(s, "FAMINS_ASSIGNOR"), &w.cooperative, err);
    if (st != FM_OK)
        goto done;
    /* librdkafka fixed its cooperative-sticky bugs in 2.3–2.10; on 2.0.2 our rebalance test has seen
     * consumption stall after an incremental assignment. Allowed, but never silently. */
    if (w.cooperative && rd_kafka_version() < 0x020a0000)
        fm_log(w.lg, FM_LOG_WARN, "assignor_not_recommended",
               "assignor=cooperative-sticky librdkafka=%s known_issue=\"consumption may stall after an incremental "
               "rebalance before librdkafka 2.10; use range\"",
               rd_kafka_version_str());
    if (opt->topic_count == 0 || opt->topic_count > sizeof w.topics / sizeof w.topics[0]) {
        fm_error_set(err, "", "BAD_TOPICS", "a worker consumes 1 to 8 topics");
        st = FM_ECONFIG;
        goto done;
    }
    for (size_t i = 0; i < opt->topic_count; i++) {
        st = fm_topic_name(fm_settings_str(s, "FAMINS_TOPIC_PREFIX"), fm_topic_base_name(opt->topics[i]),
                           w.topics[i], sizeof w.topics[i], err);
        if (st != FM_OK)
            goto done;
    }
    w.topic_count = opt->topic_count;
    w.batch_max = (int)fm_settings_int(s, "FAMINS_BATCH_MAX_MESSAGES");
    w.batch_ms = (int)fm_settings_int(s, "FAMINS_BATCH_MAX_MS");
    w.max_bytes = (int)fm_settings_int(s, "FAMINS_MAX_MESSAGE_BYTES");
    w.stats_s = (int)fm_settings_int(s, "FAMINS_STATS_INTERVAL_S");
    w.txn.group = w.group;
    w.txn.topic_prefix = fm_settings_str(s, "FAMINS_TOPIC_PREFIX");
    w.dsn = dsn_for_worker(opt->dsn != NULL ? opt->dsn : fm_settings_str(s, "FAMINS_PG_DSN"), opt->service,
                           fm_settings_int(s, "FAMINS_PG_IDLE_TXN_TIMEOUT_MS"));
    if (w.dsn == NULL) {
        st = FM_ENOMEM;
        goto done;
    }
    st = fm_ops_start(s, opt->service, w.lg, &w.ops, err);
    if (st == FM_OK && w.ops != NULL)
        st = fm_worker_metrics_register(w.ops->metrics, &w.wm);
    if (st != FM_OK)
        goto done;
    st = ensure_db(&w, err);
    if (st == FM_OK)
        st = fm_positions_check_group(w.conn, w.group, err);
    if (st != FM_OK)
        goto done;
    st = make_consumer(&w, err);
    if (st != FM_OK)
        goto done;
    if (w.ops != NULL)
        atomic_store(&w.ops->health.started, 1);
    fm_log(w.lg, FM_LOG_INFO, "worker_started", "group=%s topics=%s%s assignor=%s batch_max=%d batch_ms=%d",
           w.group, w.topics[0], w.topic_count > 1 ? ",..." : "", fm_settings_str(s, "FAMINS_ASSIGNOR"),
           w.batch_max, w.batch_ms);

    int64_t last_stats = now_ms();
    while (st == FM_OK) {
        st = collect(&w, &last_stats);
        if (st != FM_OK) {
            if (w.fatal != FM_OK)
                *err = w.fatal_err;
            else
                fm_error_set(err, "", "NO_MEMORY", "out of memory collecting a batch");
            break;
        }
        if (st == FM_OK && w.batch.count > 0)
            st = process_batch(&w, err);
        if (opt->stop != NULL && *opt->stop && w.batch.count == 0)
            break;
    }
    if (st != FM_OK && opt->stop != NULL && *opt->stop && st == FM_EDB)
        st = FM_OK; /* stopped while waiting for the database: nothing committed is lost */
    fm_batch_clear(&w.batch);
    log_counters(&w, st == FM_OK ? "worker_stopped" : "worker_failed");
done:
    if (w.rk != NULL) {
        /* Leaves the group (a static member keeps its place until session.timeout.ms). */
        rd_kafka_consumer_close(w.rk);
        rd_kafka_destroy(w.rk);
    }
    if (counters != NULL)
        *counters = w.counters;
    fm_ops_stop(w.ops);
    worker_free(&w);
    return st;
}
