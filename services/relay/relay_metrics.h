/* relay_metrics.h — the relay's metrics (published rows, rounds, failures, the lease, the outbox backlog and
 * the age of its oldest row) and its readiness (database reachable; holds or waits for the lease; not stuck
 * with a backlog it does not publish). Every call is a no-op when metrics are off (ops NULL). */
#ifndef RELAY_METRICS_H
#define RELAY_METRICS_H

#include <libpq-fe.h>
#include <stdint.h>

#include "fm_ops.h"
#include "relay.h"

typedef struct relay_metrics {
    fm_metric *published, *rounds, *failures, *leases, *deleted, *raw_erased, *lease_held, *backlog,
        *oldest_age;
    int64_t last_backlog_ms; /* when the backlog was last counted */
    uint64_t last_published; /* counters.published then */
} relay_metrics;

/* Registers the families on ops->metrics. FM_EINVAL, FM_ENOMEM. */
fm_status relay_metrics_register(fm_ops *ops, relay_metrics *out);

/* Called once per loop turn with a working connection: mirrors the counters, marks the relay started and a
 * member (it holds or waits for the lease), and every FAMINS_METRICS_KAFKA_STATS_MS counts the unsent outbox
 * rows and the age of the oldest (the lease holder's lag for /readyz). A failed count is left for the next
 * turn: the loop itself notices a lost connection. */
void relay_metrics_update(fm_ops *ops, relay_metrics *rm, PGconn *conn, int leased, const relay_counters *c);

/* A round begins (busy = 1) or ends (0): a round blocked longer than FAMINS_READY_STUCK_S (in the database,
 * or waiting for Kafka) makes /readyz not ready. */
void relay_metrics_busy(fm_ops *ops, int busy);

#endif
