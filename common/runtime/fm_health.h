/* fm_health.h — what /healthz and /readyz answer: a process's readiness state, written by its main loop and
 * read by the HTTP thread (atomics), and the pure rule that turns it into ready or not ready. */
#ifndef FM_HEALTH_H
#define FM_HEALTH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Written by the worker (or relay) thread, read by the HTTP thread. Zero-initialised: not started. */
typedef struct fm_health {
    atomic_int started;            /* the main loop runs (consumer subscribed, relay producing) */
    atomic_int db_up;              /* the last database use or probe worked */
    atomic_int member;             /* worker: in the consumer group (librdkafka cgrp "up"); relay: 1 */
    atomic_int assigned;           /* worker: partitions held; relay: 1 while it holds the lease */
    atomic_llong lag;              /* messages (relay: outbox rows) waiting; -1 unknown */
    atomic_llong lag_since_ms;     /* monotonic ms when lag last went from 0 or unknown to > 0 */
    atomic_llong last_progress_ms; /* monotonic ms of the last committed batch (relay: round), or start */
    atomic_llong busy_since_ms;    /* monotonic ms when the batch in hand began (0: none): one blocked in the
                                      database shows no lag change, since statistics wait for the next poll */
    int64_t stuck_ms;              /* FAMINS_READY_STUCK_S in ms, fixed before the HTTP thread starts */
} fm_health;

/* A consistent copy of the state, plus the time of the question: what the rule reads. */
typedef struct fm_health_view {
    int started, db_up, member, assigned;
    int64_t lag, lag_since_ms, last_progress_ms, busy_since_ms, now_ms, stuck_ms;
} fm_health_view;

/* The readiness rule. Ready when started, the database is reachable, the process holds partitions or is in
 * its group, and it is not stuck: no batch in hand for longer than stuck_ms, and with lag > 0, a batch
 * committed within stuck_ms (counted from the later of the last commit and the moment lag appeared). Returns
 * 1 (ready) or 0 and writes the reason into reason (cap bytes; e.g. "database unreachable"). Pure. */
int fm_health_ready(const fm_health_view *v, char *reason, size_t cap);

/* Reads h into a view at now_ms. */
void fm_health_view_of(fm_health *h, int64_t now_ms, fm_health_view *out);

/* Writer helpers (NULL h: ignored). */
void fm_health_set_lag(fm_health *h, int64_t lag, int64_t now_ms);
void fm_health_progress(fm_health *h, int64_t now_ms);

/* CLOCK_MONOTONIC in ms, the clock every field above uses. */
int64_t fm_health_now_ms(void);

#endif
