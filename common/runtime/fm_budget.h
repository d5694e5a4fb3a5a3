/* fm_budget.h — a worker's memory budget (FAMINS_MEMORY_BUDGET_MB) split into librdkafka's fetch and queue
 * limits and the batch's byte bound, so that a worker's peak is set by configuration, not by the wave. */
#ifndef FM_BUDGET_H
#define FM_BUDGET_H

#include <stdint.h>

#include "fm_error.h"

/* What a worker may hold besides its messages: code, libraries, librdkafka's threads and metadata, the
 * service's catalogue (measured: an idle relay 17 MiB, subsidy 24 MiB at its peak). */
#define FM_BUDGET_BASE_MB 24
/* The smallest budget: the base plus room for one batch and one fetch of the largest message. */
#define FM_BUDGET_MIN_MB 48
/* How many bytes of memory a batch's raw byte may become while it is applied: the librdkafka buffer itself,
 * the decoded JSON tree, the COPY text, and for a dead letter its raw message hex-escaped twice (row and
 * outbox copy). An upper estimate; the benchmark's peaks at 10/50/100 % of a wave check it. */
#define FM_BUDGET_BATCH_EXPANSION 8
/* librdkafka's default per-partition fetch size: a budget lowers it, never raises it. */
#define FM_BUDGET_PARTITION_FETCH_MAX (1024 * 1024)

/* librdkafka's upper bounds of queued.max.messages.kbytes, fetch.max.bytes and queued.min.messages. */
#define FM_BUDGET_QUEUE_KBYTES_MAX 2097151
#define FM_BUDGET_FETCH_BYTES_MAX 2147483135
#define FM_BUDGET_QUEUE_MESSAGES_MAX 10000000

/* The limits derived from one budget (see common/runtime/README.md, "Memory"). */
typedef struct fm_memory_limits {
    int64_t queued_max_messages_kbytes; /* librdkafka: the consumer queue, all partitions together */
    int64_t fetch_max_bytes;            /* librdkafka: one fetch response */
    int64_t max_partition_fetch_bytes;  /* librdkafka: one partition's share of a fetch */
    int64_t queued_min_messages;        /* librdkafka: per partition; the kbytes bound has priority */
    int64_t batch_max_bytes;            /* the runtime: a batch closes once its messages reach this */
} fm_memory_limits;

/* Splits budget_mb: usable U = budget - FM_BUDGET_BASE_MB MiB; the prefetch queue U/4, a fetch U/8, the
 * batch and what it becomes U/2, i.e. batch_max_bytes = U / (2 * 2 * FM_BUDGET_BATCH_EXPANSION) (a batch
 * may go one message past its bound, at most twice the bound); the rest (U/8) for fetch buffers of a second
 * broker and slack. max_partition_fetch_bytes = min(fetch, 1 MiB); queued_min_messages = 2 x batch_messages.
 * prefetch_kbytes and batch_max_bytes, when > 0, replace the derived values (explicit settings win).
 * FM_ECONFIG (code MEMORY_BUDGET) when the budget is below FM_BUDGET_MIN_MB or its batch share cannot hold
 * one message of max_message_bytes. */
fm_status fm_memory_limits_derive(int64_t budget_mb, int64_t max_message_bytes, int64_t batch_messages,
                                  int64_t prefetch_kbytes, int64_t batch_max_bytes, fm_memory_limits *out,
                                  fm_error *err);

#endif
