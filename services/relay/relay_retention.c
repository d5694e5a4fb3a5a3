/* relay_retention.c — retention run by the relay under its lease: processed events past the deduplication
 * window and dead letters past theirs, deleted in bounded batches through migration 064's functions. */
#include "relay_retention.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fm_pg.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One table's retention: the function deletes at most `batch` rows a call in its own statement (autocommit:
 * its own short transaction, so a worker's batch never waits long for a row lock, and SKIP LOCKED in the
 * function never waits for a worker). */
typedef struct purge {
    const char *table;
    const char *sql;
    const char *days_setting;
} purge;

static const purge purges[] = {
    /* Dead letters first: few rows, and a long processed-events backlog must not starve them. */
    {"dead_letters", "SELECT famins.purge_dead_letters(make_interval(days => $1::int), $2::int)",
     "FAMINS_DEAD_LETTER_RETENTION_DAYS"},
    {"processed_events", "SELECT famins.purge_processed_events(make_interval(days => $1::int), $2::int)",
     "FAMINS_PROCESSED_EVENTS_RETENTION_DAYS"},
};

fm_status relay_retention_run(PGconn *conn, const fm_settings *settings, const fm_logger *logger,
                              const volatile sig_atomic_t *stop, relay_retention_counts *out, fm_error *err)
{
    relay_retention_counts c = {0};
    fm_error local = {0};
    fm_error *e = err != NULL ? err : &local;
    int64_t batch = fm_settings_int(settings, "FAMINS_RETENTION_BATCH");
    int64_t started = now_ms(), deadline = started + fm_settings_int(settings, "FAMINS_RETENTION_MAX_MS");
    char batch_text[24];
    snprintf(batch_text, sizeof batch_text, "%" PRId64, batch);
    fm_status st = FM_OK;
    for (size_t p = 0; p < sizeof purges / sizeof purges[0] && st == FM_OK; p++) {
        char days[24];
        snprintf(days, sizeof days, "%" PRId64, fm_settings_int(settings, purges[p].days_setting));
        const char *params[2] = {days, batch_text};
        for (;;) {
            if ((stop != NULL && *stop) || now_ms() >= deadline) {
                c.more = 1;
                break;
            }
            int64_t t0 = now_ms();
            PGresult *res = NULL;
            st = fm_pg_query(conn, purges[p].sql, 2, params, &res, e);
            if (st != FM_OK) {
                fm_log(logger, FM_LOG_WARN, "retention_failed", "table=%s code=%s error=\"%s\"",
                       purges[p].table, e->code, e->text);
                break;
            }
            long deleted = strtol(PQgetvalue(res, 0, 0), NULL, 10);
            PQclear(res);
            c.batches++;
            if (p == 0)
                c.dead_letters += (uint64_t)deleted;
            else
                c.processed_events += (uint64_t)deleted;
            fm_log(logger, FM_LOG_DEBUG, "retention_batch",
                   "table=%s deleted=%ld limit=%" PRId64 " ms=%" PRId64, purges[p].table, deleted, batch,
                   now_ms() - t0);
            if (deleted < batch)
                break;
        }
    }
    if (c.processed_events > 0 || c.dead_letters > 0)
        fm_log(logger, FM_LOG_INFO, "retention_done",
               "processed_events=%" PRIu64 " dead_letters=%" PRIu64 " batches=%d ms=%" PRId64 " more=%s",
               c.processed_events, c.dead_letters, c.batches, now_ms() - started, c.more ? "yes" : "no");
    if (out != NULL)
        *out = c;
    return st;
}
