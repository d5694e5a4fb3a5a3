/* fm_worker.c — the consumer loop every famins service runs: collect a batch, decode it, run its transaction
 * (fm_worker_txn.c), and act on the outcome: commit, redo from the stored positions (fm_worker_seek.c), or
 * stop. The consumer is built in fm_worker_consumer.c; fm_worker_int.h says how the parts fit together.
 *
 * Positions live in PostgreSQL: the rebalance callback assigns partitions at their stored positions, and a
 * failed batch is redone by re-reading the stored positions and seeking there (a rolled-back batch left them
 * at its start; a commit whose acknowledgement was lost left them at its end: both are right). */
#include "fm_worker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_batch.h"
#include "fm_ops.h"
#include "fm_pg.h"
#include "fm_positions.h"
#include "fm_worker_int.h"
#include "fm_worker_metrics.h"

/* With metrics on, an idle worker checks its connection every FAMINS_METRICS_DB_PROBE_S, so that /readyz
 * sees a lost database without waiting for the next message; one connection attempt, no waiting (the next
 * batch's ensure_db waits with backoff as ever). */
static void probe_idle_db(fmw_worker *w)
{
    if (w->ops == NULL || w->batch.count > 0 || fmw_now_ms() - w->last_db_ms < w->ops->probe_ms)
        return;
    w->last_db_ms = fmw_now_ms();
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

static void release_events(fmw_worker *w, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (w->events[i].decoded != NULL && w->opt->handler.release != NULL)
            w->opt->handler.release(w->opt->handler.ctx, &w->events[i]);
        w->events[i].decoded = NULL;
    }
}

/* Decodes every message (pure: no transaction open yet). FM_ENOMEM or a decode status other than FM_OK /
 * FM_EINVAL is fatal. */
static fm_status decode_all(fmw_worker *w, fm_error *err)
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
        fmw_raw_of(w->batch.messages[i], &raw);
        w->events[i] = (fm_event){0};
        w->kinds[i] = FMW_DEAD;
        fm_error_clear(&w->errors[i]);
        const fmw_poison *p = fmw_poison_find(w, raw.topic, raw.partition, raw.offset);
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
                w->kinds[i] = FMW_APPLY;
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

/* Redos in a row for FM_ECONFLICT before the worker stops: a member that decided an event meanwhile committed
 * its processed-event row with its decision, so the first redo sees the event as a duplicate. A conflict that
 * survives this many redos is no race: the service's tables and famins.processed_events disagree. */
#define ELSEWHERE_REDOS_MAX 5

/* A committed batch: its duration and size, its dead letters by code, each message's decision latency (its
 * Kafka timestamp to now, on the wall clock both use), and progress for /readyz. */
static void observe_commit(fmw_worker *w, int64_t started_us)
{
    if (w->ops == NULL)
        return;
    fmw_sync_counters(w);
    fm_metric_observe(w->wm.batch_seconds, NULL, (double)(fmw_now_us() - started_us) / 1e6);
    fm_metric_observe(w->wm.batch_messages, NULL, (double)w->batch.count);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    double latencies[128];
    size_t n = 0;
    for (size_t i = 0; i < w->batch.count; i++) {
        if (w->kinds[i] == FMW_DEAD)
            fm_metric_add(w->wm.dead_letters, (const char *const[]){w->errors[i].code}, 1);
        int64_t at = rd_kafka_message_timestamp(w->batch.messages[i], NULL);
        if (at >= 0)
            latencies[n++] = wall_ms > at ? (double)(wall_ms - at) / 1000.0 : 0.0; /* clocks may differ */
        if (n == sizeof latencies / sizeof latencies[0] || (i + 1 == w->batch.count && n > 0)) {
            fm_metric_observe_many(w->wm.latency_seconds, NULL, latencies, n);
            n = 0;
        }
    }
    w->last_db_ms = fmw_now_ms();
    fm_health_progress(&w->ops->health, fm_health_now_ms());
}

/* A committed batch: positions, metrics, the isolation countdown, the phases' log line. */
static fm_status batch_done(fmw_worker *w, const char *ranges, int64_t started_us)
{
    fmw_after_commit(w);
    observe_commit(w, started_us);
    w->elsewhere_redos = 0;
    w->isolate_left = w->isolate_left > w->batch.count ? w->isolate_left - w->batch.count : 0;
    w->isolated_refusals = 0;
    if (w->lg->level <= FM_LOG_DEBUG) {
        /* With the batch's bytes and the process's memory, so that a profile tells which batch raised the
         * peak and whether live data or the allocator's free memory did
         * (tests/bench/tools/memory_profile.sh).
         */
        fm_memory_usage mu;
        fm_memory_usage_read(&mu);
        fm_log(w->lg, FM_LOG_DEBUG, "batch_commit",
               "messages=%zu bytes=%zu ranges=%s decode_us=%" PRId64 " lookup_us=%" PRId64
               " apply_us=%" PRId64 " write_us=%" PRId64 " commit_us=%" PRId64 " rss_kib=%" PRId64
               " hwm_kib=%" PRId64 " heap_used_kib=%" PRId64 " heap_free_kib=%" PRId64 " mapped_kib=%" PRId64,
               w->batch.count, w->batch.bytes, ranges, w->phase_us[0], w->phase_us[1], w->phase_us[2],
               w->phase_us[3], w->phase_us[4], mu.rss_kib, mu.hwm_kib, mu.heap_used_kib, mu.heap_free_kib,
               mu.mapped_kib);
    }
    fm_batch_clear(&w->batch);
    fm_memory_release(); /* the batch's messages and rows are freed: see fm_budget.h */
    return FM_OK;
}

/* Another member (a zombie, or one finishing a revoked partition's batch) committed one of these events
 * between the deduplication read and this batch's own write: roll back and redo from the dedup step, where
 * the event is a duplicate. Zombie fencing as much as the compare-and-set is: a conflict. */
static fm_status batch_elsewhere(fmw_worker *w, const fm_error *cause, fm_error *err)
{
    w->counters.conflicts++;
    if (++w->elsewhere_redos > ELSEWHERE_REDOS_MAX) {
        fmw_rollback_open(w);
        fm_batch_clear(&w->batch);
        fm_error_set(
            err, cause->path, cause->code,
            "%d redos running still found an event decided but not processed: the tables disagree (%s)",
            ELSEWHERE_REDOS_MAX, cause->text);
        return FM_ECONFLICT;
    }
    return fmw_redo(w, "decided_elsewhere", cause, err);
}

/* The service's set write was refused: isolate the messages, or, alone in its batch, make the message a
 * dead letter on the redo. */
static fm_status batch_set_refused(fmw_worker *w, const fm_error *cause, fm_error *err)
{
    w->counters.isolations++;
    if (w->batch.count > 1) {
        /* Some message's rows were refused: apply these messages one per transaction to find it. */
        w->isolate_left = w->batch.count;
        w->isolated_refusals = 0;
        return fmw_redo(w, "set_write_refused", cause, err);
    }
    if (w->set_status == FM_EINVAL || ++w->isolated_refusals >= 3) {
        /* Alone in its batch and refused (a unique violation three times running, so not a concurrent
         * worker's): this message is the one. The redo makes it a dead letter. */
        fm_error dead = {0};
        const rd_kafka_message_t *m = w->batch.messages[0];
        fm_error_set(&dead, cause->path, "WRITE_REJECTED", "SQLSTATE %s: %s", cause->code, cause->text);
        if (fmw_poison_add(w, rd_kafka_topic_name(m->rkt), m->partition, m->offset, &dead) != FM_OK)
            return FM_ENOMEM;
        w->isolated_refusals = 0;
    }
    return fmw_redo(w, "set_write_refused", cause, err);
}

static fm_status process_batch(fmw_worker *w, fm_error *err)
{
    char ranges[512];
    fm_batch_describe(&w->batch, ranges, sizeof ranges);
    fm_log(w->lg, FM_LOG_DEBUG, "batch_begin", "messages=%zu ranges=%s", w->batch.count, ranges);
    int64_t t = fmw_now_us(), started_us = t;
    fm_metric_add(w->wm.consumed, NULL, (double)w->batch.count);
    if (w->ops != NULL)
        atomic_store(&w->ops->health.busy_since_ms, fm_health_now_ms());
    fm_status st = decode_all(w, err);
    w->phase_us[0] = fmw_now_us() - t;
    if (st != FM_OK)
        return st;
    fm_error cause = {0};
    fm_status fatal = FM_OK;
    st = fmw_ensure_db(w, err);
    fmw_outcome out = st == FM_OK ? fmw_run_transaction(w, &cause, err, &fatal) : FMW_BATCH_FATAL;
    if (st != FM_OK)
        fatal = st;
    release_events(w, w->batch.count);
    if (w->ops != NULL)
        atomic_store(&w->ops->health.busy_since_ms, 0);
    switch (out) {
    case FMW_BATCH_DONE: return batch_done(w, ranges, started_us);
    case FMW_BATCH_REDO:
        /* A zombie is fenced by whichever comes first: the processed-event key (the new owner applied the
         * same events: unique_violation 23505) or the position compare-and-set. Both roll everything back. */
        if (strcmp(cause.code, "23505") == 0)
            w->counters.conflicts++;
        return fmw_redo(w,
                        strcmp(cause.code, "POSITION_CONFLICT") == 0 ? "position_conflict"
                        : strcmp(cause.code, "23505") == 0           ? "event_applied_elsewhere"
                                                                     : "transient",
                        &cause, err);
    case FMW_BATCH_ELSEWHERE: return batch_elsewhere(w, &cause, err);
    case FMW_BATCH_SET_REFUSED: return batch_set_refused(w, &cause, err);
    case FMW_BATCH_FATAL:
    default:
        fmw_rollback_open(w);
        fm_batch_clear(&w->batch);
        return fatal != FM_OK ? fatal : FM_EDB;
    }
}

static void log_counters(const fmw_worker *w, const char *event)
{
    const fm_worker_counters *c = &w->counters;
    fm_log(w->lg, FM_LOG_INFO, event,
           "group=%s messages=%" PRIu64 " applied=%" PRIu64 " batches=%" PRIu64 " dead_letters=%" PRIu64
           " duplicates=%" PRIu64 " replays=%" PRIu64 " conflicts=%" PRIu64 " skipped_below=%" PRIu64
           " isolations=%" PRIu64,
           w->group, c->messages, c->applied, c->batches, c->dead_letters, c->duplicates, c->replays,
           c->conflicts, c->skipped_below, c->isolations);
}

/* Collects one batch: up to batch_max messages, or batch_ms after the first, or until *stop. */
static fm_status collect(fmw_worker *w, int64_t *last_stats)
{
    int64_t first_at = 0;
    size_t max = w->isolate_left > 0 ? 1 : (size_t)w->batch_max;
    /* Bounded in bytes as well as messages: a batch of near-limit messages (and its decoded events, COPY
     * text, dead letters) would otherwise hold max x FAMINS_MAX_MESSAGE_BYTES. */
    size_t max_bytes = (size_t)w->limits.batch_max_bytes;
    while (!fm_batch_full(&w->batch, max, max_bytes) && w->fatal == FM_OK) {
        if (w->opt->stop != NULL && *w->opt->stop)
            break;
        int timeout = 100;
        if (w->batch.count > 0) {
            int64_t left = first_at + w->batch_ms - fmw_now_ms();
            if (left <= 0)
                break;
            timeout = left < 100 ? (int)left : 100;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->rk, timeout);
        if (m == NULL)
            probe_idle_db(w);
        if (fmw_now_ms() - *last_stats >= (int64_t)w->stats_s * 1000) {
            log_counters(w, "worker_counters");
            *last_stats = fmw_now_ms();
        }
        if (m == NULL)
            continue;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fmw_consumer_error(w, m);
            rd_kafka_message_destroy(m);
            continue;
        }
        const char *topic = rd_kafka_topic_name(m->rkt);
        fm_position *pos = fm_position_map_find(&w->map, topic, m->partition);
        fm_position_verdict v = fm_position_accept(pos, m->offset);
        if (v == FM_POS_RESEEK)
            fmw_reseek(w, pos, m->offset);
        if (v != FM_POS_ACCEPT) {
            if (v == FM_POS_REPLAY)
                w->counters.skipped_below++;
            rd_kafka_message_destroy(m);
            continue;
        }
        if (w->batch.count == 0)
            first_at = fmw_now_ms();
        if (fm_batch_add(&w->batch, m, fm_batch_message_bytes(m), topic, m->partition, m->offset,
                         pos->committed) != FM_OK)
            return FM_ENOMEM;
    }
    return w->fatal;
}

static void worker_free(fmw_worker *w)
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
    fmw_worker w = {.opt = opt, .lg = opt->logger, .fatal = FM_OK};
    fm_memory_allocator_init(); /* before librdkafka's threads: see fm_budget.h */
    const fm_settings *s = opt->settings;
    fm_status st = fmw_configure(&w, err);
    if (st != FM_OK)
        goto done;
    st = fm_ops_start(s, opt->service, w.lg, &w.ops, err);
    if (st == FM_OK && w.ops != NULL)
        st = fm_worker_metrics_register(w.ops->metrics, &w.wm);
    if (st != FM_OK)
        goto done;
    st = fmw_ensure_db(&w, err);
    if (st == FM_OK)
        st = fm_positions_check_group(w.conn, w.group, err);
    if (st != FM_OK)
        goto done;
    st = fmw_make_consumer(&w, err);
    if (st != FM_OK)
        goto done;
    if (w.ops != NULL)
        atomic_store(&w.ops->health.started, 1);
    fm_log(w.lg, FM_LOG_INFO, "worker_started",
           "group=%s topics=%s%s assignor=%s batch_max=%d batch_ms=%d batch_max_bytes=%" PRId64
           " queued_max_messages_kbytes=%" PRId64 " fetch_max_bytes=%" PRId64
           " max_partition_fetch_bytes=%" PRId64 " message_max_bytes=%" PRId64
           " queued_min_messages=%" PRId64,
           w.group, w.topics[0], w.topic_count > 1 ? ",..." : "", fm_settings_str(s, "FAMINS_ASSIGNOR"),
           w.batch_max, w.batch_ms, w.limits.batch_max_bytes, w.limits.queued_max_messages_kbytes,
           w.limits.fetch_max_bytes, w.limits.max_partition_fetch_bytes, w.limits.message_max_bytes,
           w.limits.queued_min_messages);

    int64_t last_stats = fmw_now_ms();
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
