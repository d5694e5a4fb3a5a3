/* fm_worker_txn.c — the batch's one transaction: what the group applied before, the service's apply of each
 * new event (dead letters staged for the rest), the runtime's rows (processed events, dead letters, outbox),
 * the positions' compare-and-set, COMMIT. Nothing here seeks or redoes: the outcome says what the loop does.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fm_deadletter.h"
#include "fm_outbox.h"
#include "fm_pg.h"
#include "fm_positions.h"
#include "fm_worker_int.h"

/* ---- the batch's event ids ----------------------------------------------------------------------------- */

/* One probe of the whole key (consumer_group, event_id) per event id. The plain form, event_id = ANY ($2),
 * let the planner trade the list's probes for one scan of the group's range with the list as a filter
 * whenever the statistics held few of the group's rows (a new group, a new wave, a group that grew faster
 * than autovacuum re-analyses a table of millions): the read then cost O(the group's rows) a batch, 20-120 ms
 * a steady claims batch at 1,000,000 households and growing with every batch, until the next ANALYZE. LATERAL
 * ... LIMIT 1 on the unique key is planned as one index probe per id whatever the statistics say
 * (adj_store_read.c does the same).
 */
static const char LOOKUP_SQL[] =
    "SELECT q.id AS event_id, p.content_hash FROM (SELECT DISTINCT unnest($2::text[]) AS id) q"
    " JOIN LATERAL (SELECT x.content_hash FROM famins.own_processed_events x"
    " WHERE x.consumer_group = $1 AND x.event_id = q.id LIMIT 1) p ON true";

const char *fm_worker_dedup_read_sql(void)
{
    return LOOKUP_SQL;
}

/* The error of a pipeline step: the result's, else the connection's. */
static void pipeline_error(PGconn *conn, const PGresult *res, fm_error *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[256];
    fm_pg_result_text(conn, res, msg, sizeof msg);
    fm_error_set(err, "", state != NULL ? state : "PG_ERROR", "%s", msg);
}

/* BEGIN, then the deduplication read, in one round trip (libpq's pipeline mode): the server runs the two in
 * this order, exactly as two calls would, and the worker waits once instead of twice — a batch's fixed cost,
 * which a steady low rate pays per few messages. *out: the read's rows (the caller's to PQclear). A failure
 * leaves the connection out of pipeline mode, or closed (*conn NULL: the redo connects anew). */
static fm_status begin_and_lookup(PGconn **conn, const char *const params[2], PGresult **out, fm_error *err)
{
    PGconn *c = *conn;
    *out = NULL;
    if (PQenterPipelineMode(c) != 1) {
        pipeline_error(c, NULL, err);
        return FM_EDB;
    }
    fm_status st = FM_OK;
    if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
        PQsendQueryParams(c, LOOKUP_SQL, 2, NULL, params, NULL, NULL, 0) != 1 || PQpipelineSync(c) != 1) {
        pipeline_error(c, NULL, err);
        st = FM_EDB;
    } else {
        /* Each step's results end with a NULL; then the sync. An error aborts the steps after it
         * (PGRES_PIPELINE_ABORTED), and the batch is redone from a ROLLBACK. */
        for (int step = 0; step < 2; step++) {
            PGresult *res;
            while ((res = PQgetResult(c)) != NULL) {
                ExecStatusType rs = PQresultStatus(res);
                if (step == 1 && rs == PGRES_TUPLES_OK && *out == NULL) {
                    *out = res;
                    continue;
                }
                if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK && st == FM_OK) {
                    pipeline_error(c, res, err);
                    st = FM_EDB;
                }
                PQclear(res);
            }
        }
        PGresult *sync = PQgetResult(c);
        if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC && st == FM_OK) {
            pipeline_error(c, sync, err);
            st = FM_EDB;
        }
        PQclear(sync);
    }
    if (PQexitPipelineMode(c) != 1) {
        /* Results left uncollected (a broken exchange): no later statement could run on this session. */
        if (st == FM_OK)
            pipeline_error(c, NULL, err);
        st = FM_EDB;
        PQfinish(c);
        *conn = NULL;
    }
    if (st != FM_OK || *out == NULL) {
        if (st == FM_OK) {
            fm_error_set(err, "", "PG_ERROR", "the deduplication read returned no result");
            st = FM_EDB;
        }
        PQclear(*out);
        *out = NULL;
    }
    return st;
}

/* BEGIN and one query for the batch's event ids already applied by the group (one round trip). */
static fm_status begin_lookup_known(fmw_worker *w, fm_error *err)
{
    fm_copybuf_reset(&w->ids);
    fm_map_clear(&w->seen);
    if (fm_map_reserve(&w->seen, w->batch.count) != FM_OK)
        return FM_ENOMEM;
    for (size_t i = 0; i < w->batch.count; i++)
        if (w->kinds[i] == FMW_APPLY && fm_copybuf_array_item(&w->ids, w->events[i].event_id) != FM_OK)
            return FM_ENOMEM;
    if (w->ids.rows == 0)
        return fm_pg_exec(w->conn, "BEGIN", err);
    if (fm_copybuf_array_close(&w->ids) != FM_OK)
        return FM_ENOMEM;
    const char *params[2] = {w->group, w->ids.data};
    PGresult *res = NULL;
    fm_status st = begin_and_lookup(&w->conn, params, &res, err);
    if (st != FM_OK)
        return st;
    for (int r = 0; r < PQntuples(res) && st == FM_OK; r++)
        st = fm_map_put_str(&w->seen, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
    PQclear(res);
    return st;
}

static fm_status stage_processed(fmw_worker *w, const fm_raw_message *raw, const fm_event *ev)
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

/* Whether the group's deduplication row of one event is there now (a fresh read, after the batch's first
 * one). */
static fm_status processed_now(fmw_worker *w, const char *event_id, int *present, fm_error *err)
{
    const char *params[2] = {w->group, event_id};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(
        w->conn, "SELECT 1 FROM famins.own_processed_events WHERE consumer_group = $1 AND event_id = $2", 2,
        params, &res, err);
    if (st != FM_OK)
        return st;
    *present = PQntuples(res) > 0;
    PQclear(res);
    return FM_OK;
}

/* A row the database refused on its data: SQLSTATE class 22 (data exception) or 23 (integrity: unique, check,
 * foreign key, not null...). */
static int refused_row(const fm_error *cause)
{
    return strlen(cause->code) == 5 && cause->code[0] == '2' &&
           (cause->code[1] == '2' || cause->code[1] == '3');
}

/* The events apply will be given: new to the group as far as the database knows. */
static size_t list_prepared(fmw_worker *w)
{
    size_t n = 0;
    for (size_t i = 0; i < w->batch.count; i++) {
        if (w->kinds[i] != FMW_APPLY)
            continue;
        if (fm_map_get(&w->seen, w->events[i].event_id) == NULL)
            w->prepared[n++] = &w->events[i];
    }
    return n;
}

static fmw_outcome stop_with(fm_status st, fm_status *fatal)
{
    *fatal = st;
    return FMW_BATCH_FATAL;
}

/* BEGIN and the deduplication read. */
static fmw_outcome open_transaction(fmw_worker *w, fm_error *cause, fm_status *fatal)
{
    fm_copybuf_reset(&w->txn.outbox);
    fm_copybuf_reset(&w->txn.dead);
    fm_copybuf_reset(&w->txn.processed);
    fm_status st = begin_lookup_known(w, cause);
    w->txn.conn = w->conn;
    if (st == FM_ENOMEM)
        return stop_with(st, fatal);
    return st == FM_OK ? FMW_BATCH_DONE : FMW_BATCH_REDO;
}

/* The service's begin_batch and prepare_batch (set-based services), both optional. */
static fmw_outcome prepare_service(fmw_worker *w, fm_error *cause, fm_error *err, fm_status *fatal)
{
    const fm_worker_handler *h = &w->opt->handler;
    if (h->begin_batch != NULL) {
        fm_status st = h->begin_batch(h->ctx, &w->txn, cause);
        if (st == FM_EDB)
            return FMW_BATCH_REDO;
        if (st != FM_OK) {
            *err = *cause;
            return stop_with(st, fatal);
        }
    }
    if (h->prepare_batch != NULL) {
        size_t n = list_prepared(w);
        fm_status st = n == 0 ? FM_OK : h->prepare_batch(h->ctx, &w->txn, w->prepared, n, cause);
        if (st == FM_EDB)
            return FMW_BATCH_REDO;
        if (st == FM_ECONFLICT)
            return FMW_BATCH_ELSEWHERE;
        if (st != FM_OK) {
            *err = *cause;
            return stop_with(st, fatal);
        }
    }
    return FMW_BATCH_DONE;
}

/* Message i, to be applied: 1 if the group applied it before with the same content (a duplicate); with other
 * content it becomes a dead letter. */
static int duplicate(fmw_worker *w, size_t i)
{
    const fm_event *ev = &w->events[i];
    const char *known = fm_map_get(&w->seen, ev->event_id); /* its content hash */
    if (known == NULL)
        return 0;
    if (strcmp(known, ev->content_hash) == 0)
        return 1;
    fm_error_set(&w->errors[i], "event_id", "EVENT_ID_CONFLICT",
                 "event_id %s was applied before with other content", ev->event_id);
    w->kinds[i] = FMW_DEAD;
    return 0;
}

/* Message i as a dead letter with its reason, w->errors[i]. */
static fm_status stage_dead(fmw_worker *w, size_t i, const fm_raw_message *raw, fm_error *err)
{
    fm_dead_source src = {.topic = raw->topic,
                          .partition = raw->partition,
                          .offset = raw->offset,
                          .key = raw->key,
                          .key_len = raw->key_len,
                          .payload = raw->payload,
                          .payload_len = raw->payload_len};
    fm_status st = fm_deadletter_stage(&w->txn, &src, w->errors[i].code, w->errors[i].text, err);
    if (st == FM_OK)
        fm_log(w->lg, FM_LOG_WARN, "dead_letter", "topic=%s partition=%" PRId32 " offset=%" PRId64 " code=%s",
               raw->topic, raw->partition, raw->offset, w->errors[i].code);
    return st;
}

/* The service's apply of one new event, and its processed-event row. *duplicate: the service found the event
 * decided and its deduplication row had gone with retention (counted a duplicate, the row written again). */
static fmw_outcome apply_one(fmw_worker *w, const fm_raw_message *raw, const fm_event *ev, int *duplicate,
                             fm_error *cause, fm_error *err, fm_status *fatal)
{
    *duplicate = 0;
    fm_error aerr = {0};
    fm_status st = w->opt->handler.apply(w->opt->handler.ctx, &w->txn, raw, ev, &aerr);
    if (st == FM_EINVAL) {
        if (aerr.code[0] == '\0')
            fm_error_set(&aerr, "", "UNPROCESSABLE", "the service refused the message");
        if (fmw_poison_add(w, raw->topic, raw->partition, raw->offset, &aerr) != FM_OK)
            return stop_with(FM_ENOMEM, fatal);
        *cause = aerr;
        return FMW_BATCH_REDO;
    }
    if (st == FM_EDB) {
        *cause = aerr;
        return FMW_BATCH_REDO;
    }
    if (st == FM_ECONFLICT) {
        /* The service found the event decided in its own tables. With the group's deduplication row there
         * now, another member committed it after this batch's read: a redo sees a duplicate. Without it, the
         * row went with retention (an event re-sent after the deduplication window): the service's key
         * already holds its one effect, so it is a duplicate here and now, and its row is written again. */
        int present = 1;
        if (processed_now(w, ev->event_id, &present, &aerr) != FM_OK) {
            *cause = aerr;
            return FMW_BATCH_REDO;
        }
        if (present) {
            *cause = aerr;
            return FMW_BATCH_ELSEWHERE;
        }
        if (stage_processed(w, raw, ev) != FM_OK ||
            fm_map_put_str(&w->seen, ev->event_id, ev->content_hash) != FM_OK)
            return stop_with(FM_ENOMEM, fatal);
        fm_log(w->lg, FM_LOG_INFO, "duplicate_after_window",
               "topic=%s partition=%" PRId32 " offset=%" PRId64 " code=%s", raw->topic, raw->partition,
               raw->offset, aerr.code);
        *duplicate = 1;
        return FMW_BATCH_DONE;
    }
    if (st != FM_OK) {
        *err = aerr;
        return stop_with(st, fatal);
    }
    if (stage_processed(w, raw, ev) != FM_OK ||
        fm_map_put_str(&w->seen, ev->event_id, ev->content_hash) != FM_OK)
        return stop_with(FM_ENOMEM, fatal);
    return FMW_BATCH_DONE;
}

/* Every message of the batch in order: duplicates skipped, dead letters staged, new events applied. */
static fmw_outcome apply_all(fmw_worker *w, fm_worker_counters *add, fm_error *cause, fm_error *err,
                             fm_status *fatal)
{
    for (size_t i = 0; i < w->batch.count; i++) {
        fm_raw_message raw;
        fmw_raw_of(w->batch.messages[i], &raw);
        if (w->kinds[i] == FMW_APPLY && duplicate(w, i)) {
            add->duplicates++;
            continue;
        }
        if (w->kinds[i] == FMW_DEAD) {
            fm_status st = stage_dead(w, i, &raw, err);
            if (st != FM_OK)
                return stop_with(st, fatal);
            add->dead_letters++;
            continue;
        }
        int duplicate = 0;
        fmw_outcome out = apply_one(w, &raw, &w->events[i], &duplicate, cause, err, fatal);
        if (out != FMW_BATCH_DONE)
            return out;
        if (duplicate)
            add->duplicates++;
        else
            add->applied++;
    }
    return FMW_BATCH_DONE;
}

/* The service's end_batch (optional): its buffered rows, written. */
static fmw_outcome end_service(fmw_worker *w, fm_error *cause, fm_error *err, fm_status *fatal)
{
    const fm_worker_handler *h = &w->opt->handler;
    if (h->end_batch == NULL)
        return FMW_BATCH_DONE;
    fm_status st = h->end_batch(h->ctx, &w->txn, cause);
    if (st == FM_ECONFLICT || (st == FM_EDB && strcmp(cause->code, "23505") == 0 && w->elsewhere_redos == 0))
        /* Most likely another member's decision of one of these events, committed after the deduplication
         * read: one plain redo sees it as a duplicate. A unique violation that outlives it is isolated. */
        return FMW_BATCH_ELSEWHERE;
    if (st == FM_EINVAL || (st == FM_EDB && refused_row(cause))) {
        /* A unique violation may be a concurrent worker's row, which a redo resolves: it alone keeps FM_EDB
         * (three refusals in a row before a dead letter); every other refusal is the message's. */
        w->set_status = st == FM_EDB && strcmp(cause->code, "23505") == 0 ? FM_EDB : FM_EINVAL;
        return FMW_BATCH_SET_REFUSED;
    }
    if (st == FM_EDB && strncmp(cause->code, "42", 2) == 0 && strlen(cause->code) == 5)
        st = FM_ECONFIG; /* a missing privilege or table (class 42): a redo cannot mend the deployment */
    if (st == FM_EDB)
        return FMW_BATCH_REDO;
    if (st != FM_OK) {
        *err = *cause;
        return stop_with(st, fatal);
    }
    return FMW_BATCH_DONE;
}

/* The runtime's own rows, one COPY each: processed events, dead letters, outbox. */
static fm_status write_runtime_rows(fmw_worker *w, fm_error *cause)
{
    fm_status st =
        fm_copybuf_send(w->conn,
                        "COPY famins.processed_events (consumer_group, event_id, content_hash, topic, "
                        "partition, kafka_offset) FROM STDIN",
                        &w->txn.processed, cause);
    if (st == FM_OK)
        st = fm_deadletter_flush(&w->txn, cause);
    if (st == FM_OK)
        st = fm_outbox_flush(&w->txn, cause);
    return st;
}

/* The compare-and-set of every partition of the batch: one statement (a batch spans at most the assigned
 * partitions; beyond 64 of them, a statement per 64). FM_ECONFLICT: a zombie was fenced. */
static fm_status move_positions(fmw_worker *w, fm_error *cause)
{
    fm_position_move moves[64];
    size_t n = 0;
    fm_status st = FM_OK;
    for (size_t r = 0; st == FM_OK && r < w->batch.range_count; r++) {
        const fm_batch_range *range = &w->batch.ranges[r];
        moves[n++] = (fm_position_move){range->topic, range->partition, range->start, range->next};
        if (n == sizeof moves / sizeof moves[0] || r + 1 == w->batch.range_count) {
            st = fm_positions_cas_all(w->conn, w->group, moves, n, cause);
            n = 0;
        }
    }
    return st;
}

fmw_outcome fmw_run_transaction(fmw_worker *w, fm_error *cause, fm_error *err, fm_status *fatal)
{
    fm_worker_counters add = {0};
    int64_t t = fmw_now_us();
    fmw_outcome out = open_transaction(w, cause, fatal);
    w->phase_us[1] = fmw_now_us() - t;
    t = fmw_now_us();
    if (out == FMW_BATCH_DONE)
        out = prepare_service(w, cause, err, fatal);
    if (out == FMW_BATCH_DONE)
        out = apply_all(w, &add, cause, err, fatal);
    w->phase_us[2] = fmw_now_us() - t;
    t = fmw_now_us();
    if (out == FMW_BATCH_DONE)
        out = end_service(w, cause, err, fatal);
    if (out != FMW_BATCH_DONE)
        return out;
    /* Runtime rows last, then the compare-and-set of every partition, then COMMIT. */
    fm_status st = write_runtime_rows(w, cause);
    if (st == FM_OK && (st = move_positions(w, cause)) == FM_ECONFLICT)
        add.conflicts++;
    w->phase_us[3] = fmw_now_us() - t;
    if (st == FM_EDB && strncmp(cause->code, "42", 2) == 0) {
        /* Class 42 on the runtime's own rows (insufficient_privilege: a group or topic not bound to this
         * role, migration 060) is the deployment's error, not a transient one: a retry would be refused
         * forever. */
        *err = *cause;
        return stop_with(st, fatal);
    }
    t = fmw_now_us();
    if (st == FM_OK)
        st = fm_pg_exec(w->conn, "COMMIT", cause);
    w->phase_us[4] = fmw_now_us() - t;
    if (st != FM_OK) {
        w->counters.conflicts += add.conflicts;
        return FMW_BATCH_REDO;
    }
    w->counters.applied += add.applied;
    w->counters.duplicates += add.duplicates;
    w->counters.dead_letters += add.dead_letters;
    w->counters.messages += w->batch.count;
    w->counters.batches++;
    return FMW_BATCH_DONE;
}
