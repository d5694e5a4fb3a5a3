/* wg_progress.h — progress on stderr: a bar on a terminal, plain periodic lines otherwise. */
#ifndef WG_PROGRESS_H
#define WG_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fm_log.h"

typedef struct wg_progress {
    FILE *out;
    bool tty;
    bool quiet;
    uint64_t total;       /* units of work (households, policies); 0 when unknown */
    double started;       /* monotonic seconds */
    double last;          /* last report */
    double interval;      /* seconds between reports */
    const char *unit;     /* "households", "policies" */
    const fm_logger *log; /* the plain lines when out is not a terminal; borrowed */
} wg_progress;

/* Monotonic seconds. */
double wg_now(void);

/* Starts a report of `total` units: a bar on out when it is a terminal, else `progress` lines through
 * log (borrowed). Plain value, nothing to free. */
void wg_progress_start(wg_progress *p, FILE *out, const fm_logger *log, uint64_t total, const char *unit,
                       bool quiet);

/* Reports done units and events so far, at most every interval (always when force). */
void wg_progress_update(wg_progress *p, uint64_t done, uint64_t events, bool force);

/* Ends the bar line on a terminal. */
void wg_progress_finish(wg_progress *p, uint64_t done, uint64_t events);

#endif
