/* relay_retention.h — retention run by the relay under its lease: processed events past the deduplication
 * window and dead letters past theirs, deleted in bounded batches through migration 064's functions. */
#ifndef RELAY_RETENTION_H
#define RELAY_RETENTION_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_log.h"
#include "fm_settings.h"

/* The relay's settings table takes these (relay_main.c). Defaults: deploy/OPERATIONS.md, "Retention". */
/* clang-format off */
#define RELAY_RETENTION_SETTINGS                                                                            \
    {"FAMINS_PROCESSED_EVENTS_RETENTION_DAYS", FM_SETTING_INT, "1100", 1, 36500,                            \
     "deduplication window: processed events older than this are deleted, and an event re-sent after it is " \
     "no longer a duplicate to the runtime (default: a plan year plus the two-year run-off of its claims)"}, \
    {"FAMINS_DEAD_LETTER_RETENTION_DAYS", FM_SETTING_INT, "1100", 1, 36500,                                 \
     "dead letters older than this are deleted once their raw message was erased"},                         \
    {"FAMINS_RETENTION_BATCH", FM_SETTING_INT, "1000", 1, 10000,                                            \
     "most rows retention deletes in one transaction"},                                                     \
    {"FAMINS_RETENTION_MAX_MS", FM_SETTING_INT, "2000", 10, 600000,                                         \
     "longest retention run per clean-up (FAMINS_RELAY_CLEANUP_INTERVAL_S); the rest waits for the next"}
/* clang-format on */

typedef struct relay_retention_counts {
    uint64_t processed_events; /* rows deleted */
    uint64_t dead_letters;
    int batches; /* statements run (each its own short transaction) */
    int more;    /* 1 when the time budget ended the run with rows maybe left */
} relay_retention_counts;

/* One clean-up's share of retention on conn (autocommit; the relay's lease session): dead letters, then
 * processed events, FAMINS_RETENTION_BATCH rows a statement, calling again while a statement deleted a full
 * batch, until FAMINS_RETENTION_MAX_MS or *stop. Logs retention_batch (debug, one per statement: table,
 * deleted, limit, ms), retention_done (info, when anything was deleted) and retention_failed (warn). Returns
 * FM_OK or the failed statement's status (FM_EDB; err filled when not NULL); out (may be NULL) gets the
 * counts either way. */
fm_status relay_retention_run(PGconn *conn, const fm_settings *settings, const fm_logger *logger,
                              const volatile sig_atomic_t *stop, relay_retention_counts *out, fm_error *err);

#endif
