/* fm_worker_seek.c — where the worker reads from: partitions assigned at their stored positions (or stopped
 * when Kafka no longer holds them), revoked ones dropped, a redo's seek back to the stored positions, a
 * re-seek when a seek did not take, and the positions a committed batch moved. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fm_batch.h"
#include "fm_pg.h"
#include "fm_positions.h"
#include "fm_worker_int.h"

/* Reads the stored positions, reconnecting as needed. */
static fm_status load_positions(fmw_worker *w, fm_error *err)
{
    for (int attempt = 0; attempt < 30; attempt++) {
        fm_status st = fmw_ensure_db(w, err);
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

/* Partitions held (stopped ones left out), for /readyz and famins_assigned_partitions. */
static void note_assignment(fmw_worker *w)
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
static void stop_partition(fmw_worker *w, fm_position *pos, const char *kind, int64_t low, int64_t high,
                           const char *detail)
{
    fm_error err = {0};
    pos->stopped = 1;
    fm_log(w->lg, FM_LOG_ERROR, "partition_stopped",
           "group=%s topic=%s partition=%" PRId32 " kind=%s stored=%" PRId64 " low=%" PRId64 " high=%" PRId64
           " detail=\"%s\" action=\"operator must resolve famins.consumer_alarms\"",
           w->group, pos->topic, pos->partition, kind, pos->committed, low, high, detail);
    if (fmw_ensure_db(w, &err) != FM_OK ||
        fm_positions_alarm(w->conn, w->group, pos->topic, pos->partition, kind, pos->committed, low, high,
                           detail, &err) != FM_OK)
        fm_log(w->lg, FM_LOG_ERROR, "alarm_not_recorded", "topic=%s partition=%" PRId32 " error=\"%s\"",
               pos->topic, pos->partition, err.text);
}

static void on_assign(fmw_worker *w, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
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

static void on_revoke(fmw_worker *w, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts)
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
    fmw_poison_prune(w);
    note_assignment(w);
}

void fmw_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                      void *opaque)
{
    fmw_worker *w = opaque;
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

/* Rolls back what is open, drops the batch, reconnects, re-reads the stored positions and seeks every
 * assigned partition there: the batch is redone, never lost, never applied twice. */
fm_status fmw_redo(fmw_worker *w, const char *reason, const fm_error *cause, fm_error *err)
{
    w->counters.replays++;
    fm_metric_add(w->wm.redos, (const char *const[]){reason}, 1);
    /* cause->text is the server's primary message only (fm_pg_result_text): no DETAIL quoting row values. */
    fm_log(w->lg, FM_LOG_WARN, "batch_redo", "reason=%s code=%s error=\"%s\"", reason, cause->code,
           cause->text);
    fmw_rollback_open(w);
    fm_batch_clear(&w->batch);
    fm_status st = load_positions(w, err);
    if (st != FM_OK)
        return st;
    fmw_sync_counters(w);
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

/* After the database commit: remember the new positions and tell Kafka, for lag tools only. */
void fmw_after_commit(fmw_worker *w)
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
    fmw_poison_prune(w);
}

/* A consumer error: out-of-range offsets stop the partition (auto.offset.reset=error), others are logged. */
void fmw_consumer_error(fmw_worker *w, const rd_kafka_message_t *m)
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
void fmw_reseek(fmw_worker *w, const fm_position *pos, int64_t offset)
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
