/* fm_worker_metrics.h — the worker runtime's metric families (consumed, applied, dead letters by code,
 * duplicates, redos by reason, conflicts, batch duration and size, decision latency, partitions held). All
 * pointers NULL when metrics are off: every fm_metric_* call on them does nothing. */
#ifndef FM_WORKER_METRICS_H
#define FM_WORKER_METRICS_H

#include "fm_metrics.h"

typedef struct fm_worker_metrics {
    fm_metric *consumed, *applied, *dead_letters, *duplicates, *batches, *redos, *conflicts, *skipped,
        *isolations;
    fm_metric *batch_seconds, *batch_messages, *latency_seconds, *assigned;
} fm_worker_metrics;

/* Registers the families on m. FM_EINVAL (a duplicate name), FM_ENOMEM. */
fm_status fm_worker_metrics_register(fm_metrics *m, fm_worker_metrics *out);

#endif
