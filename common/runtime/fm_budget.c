/* fm_budget.c — a worker's memory budget split into librdkafka's fetch and queue limits and the batch's byte
 * bound. */
#include "fm_budget.h"

#include <inttypes.h>

#define MIB ((int64_t)1024 * 1024)

fm_status fm_memory_limits_derive(int64_t budget_mb, int64_t max_message_bytes, int64_t batch_messages,
                                  int64_t prefetch_kbytes, int64_t batch_max_bytes, fm_memory_limits *out,
                                  fm_error *err)
{
    if (budget_mb < FM_BUDGET_MIN_MB) {
        fm_error_set(err, "", "MEMORY_BUDGET", "FAMINS_MEMORY_BUDGET_MB %" PRId64 " is below the minimum %d",
                     budget_mb, FM_BUDGET_MIN_MB);
        return FM_ECONFIG;
    }
    int64_t usable = (budget_mb - FM_BUDGET_BASE_MB) * MIB;
    fm_memory_limits l = {0};
    l.queued_max_messages_kbytes = usable / 4 / 1024;
    l.fetch_max_bytes = usable / 8;
    l.max_partition_fetch_bytes =
        l.fetch_max_bytes < FM_BUDGET_PARTITION_FETCH_MAX ? l.fetch_max_bytes : FM_BUDGET_PARTITION_FETCH_MAX;
    l.queued_min_messages = 2 * (batch_messages > 0 ? batch_messages : 1);
    l.batch_max_bytes = usable / (2 * 2 * FM_BUDGET_BATCH_EXPANSION);
    /* The batch share must hold one largest message, or the bound would be a batch of one for every
     * large message and the estimate above would not hold. */
    if (l.batch_max_bytes < max_message_bytes) {
        fm_error_set(err, "", "MEMORY_BUDGET",
                     "FAMINS_MEMORY_BUDGET_MB %" PRId64 " leaves a batch %" PRId64
                     " bytes, less than FAMINS_MAX_MESSAGE_BYTES %" PRId64 "; needs at least %" PRId64,
                     budget_mb, l.batch_max_bytes, max_message_bytes,
                     FM_BUDGET_BASE_MB +
                         (max_message_bytes * 2 * 2 * FM_BUDGET_BATCH_EXPANSION + MIB - 1) / MIB);
        return FM_ECONFIG;
    }
    /* librdkafka's ranges: a large budget stops at their ends rather than being refused. */
    if (l.queued_max_messages_kbytes > FM_BUDGET_QUEUE_KBYTES_MAX)
        l.queued_max_messages_kbytes = FM_BUDGET_QUEUE_KBYTES_MAX;
    if (l.fetch_max_bytes > FM_BUDGET_FETCH_BYTES_MAX)
        l.fetch_max_bytes = FM_BUDGET_FETCH_BYTES_MAX;
    if (l.queued_min_messages > FM_BUDGET_QUEUE_MESSAGES_MAX)
        l.queued_min_messages = FM_BUDGET_QUEUE_MESSAGES_MAX;
    if (prefetch_kbytes > 0)
        l.queued_max_messages_kbytes = prefetch_kbytes;
    if (batch_max_bytes > 0)
        l.batch_max_bytes = batch_max_bytes;
    *out = l;
    return FM_OK;
}
