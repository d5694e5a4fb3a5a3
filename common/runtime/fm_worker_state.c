/* fm_worker_state.c — what every part of the worker shares: the database connection's upkeep, the poison
 * list (messages apply refused, dead letters on the redo) and the counters' metrics. The bottom layer of the
 * worker: it calls none of the other fm_worker*.c. */
#include <stdlib.h>
#include <string.h>

#include "fm_pg.h"
#include "fm_worker_int.h"

/* ---- poison list --------------------------------------------------------------------------------------- */

const fmw_poison *fmw_poison_find(const fmw_worker *w, const char *topic, int32_t partition, int64_t offset)
{
    for (size_t i = 0; i < w->poison_count; i++)
        if (w->poisons[i].offset == offset && w->poisons[i].partition == partition &&
            strcmp(w->poisons[i].topic, topic) == 0)
            return &w->poisons[i];
    return NULL;
}

fm_status fmw_poison_add(fmw_worker *w, const char *topic, int32_t partition, int64_t offset,
                         const fm_error *err)
{
    if (fmw_poison_find(w, topic, partition, offset) != NULL)
        return FM_OK;
    if (w->poison_count == w->poison_cap) {
        size_t cap = w->poison_cap ? w->poison_cap * 2 : 8;
        fmw_poison *grown = realloc(w->poisons, cap * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        w->poisons = grown;
        w->poison_cap = cap;
    }
    char *copy = strdup(topic);
    if (copy == NULL)
        return FM_ENOMEM;
    w->poisons[w->poison_count++] =
        (fmw_poison){.topic = copy, .partition = partition, .offset = offset, .err = *err};
    return FM_OK;
}

/* Forgets poisons the committed positions have passed. */
void fmw_poison_prune(fmw_worker *w)
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

/* Makes sure the connection works, waiting with backoff (until *stop). FM_EDB when it never came back. */
fm_status fmw_ensure_db(fmw_worker *w, fm_error *err)
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

/* Rolls back the batch's transaction if one is open (a lost connection has nothing to roll back). */
void fmw_rollback_open(fmw_worker *w)
{
    if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK &&
        PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
        fm_error ignored;
        fm_pg_exec(w->conn, "ROLLBACK", &ignored);
    }
}

/* The counters kept in w->counters, mirrored into their metric families (no-ops when metrics are off). */
void fmw_sync_counters(fmw_worker *w)
{
    const fm_worker_counters *c = &w->counters;
    fm_metric_set(w->wm.applied, NULL, (double)c->applied);
    fm_metric_set(w->wm.duplicates, NULL, (double)c->duplicates);
    fm_metric_set(w->wm.batches, NULL, (double)c->batches);
    fm_metric_set(w->wm.conflicts, NULL, (double)c->conflicts);
    fm_metric_set(w->wm.skipped, NULL, (double)c->skipped_below);
    fm_metric_set(w->wm.isolations, NULL, (double)c->isolations);
}
