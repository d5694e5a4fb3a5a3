/* fm_kstats.h — librdkafka's statistics (the stats_cb JSON) turned into the metrics that matter to an
 * operator: consumer lag and fetch queue per partition, broker state and request queues, the client's queues,
 * and the consumer group's state. */
#ifndef FM_KSTATS_H
#define FM_KSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_metrics.h"

typedef struct fm_kstats_metrics {
    fm_metric *lag;             /* famins_kafka_consumer_lag{topic,partition} */
    fm_metric *fetchq;          /* famins_kafka_fetch_queue_messages{topic,partition} */
    fm_metric *broker_up;       /* famins_kafka_broker_up{broker} */
    fm_metric *broker_outbuf;   /* famins_kafka_broker_outbuf_requests{broker} */
    fm_metric *broker_waitresp; /* famins_kafka_broker_waitresp_requests{broker} */
    fm_metric *msg_cnt;         /* famins_kafka_queue_messages (producer queue) */
    fm_metric *replyq;          /* famins_kafka_reply_queue_ops */
    fm_metric *group_up;        /* famins_kafka_group_up */
} fm_kstats_metrics;

/* What the readiness rule needs from one statistics report. */
typedef struct fm_kstats_summary {
    int64_t lag;  /* sum of the known consumer lags of fetched partitions; -1 when none is known */
    int group_up; /* the consumer group state is "up" (0 for a producer) */
    int assigned; /* cgrp.assignment_size */
} fm_kstats_summary;

/* Registers the families in m. FM_EINVAL (a duplicate name), FM_ENOMEM. */
fm_status fm_kstats_register(fm_metrics *m, fm_kstats_metrics *out);

/* Reads one statistics JSON (json_len bytes, not NUL-terminated) and replaces the per-partition and
 * per-broker series with what it says. Partition -1 (librdkafka's unassigned placeholder) and partitions not
 * being fetched are left out; a lag of -1 (unknown) is not exported. FM_EINVAL when it is not librdkafka's
 * statistics object; FM_ENOMEM. Metrics pointers may be NULL. */
fm_status fm_kstats_apply(const char *json, size_t json_len, const fm_kstats_metrics *k,
                          fm_kstats_summary *sum);

#endif
