/* fm_budget.c — a worker's memory budget split into librdkafka's fetch and queue limits and the batch's byte
 * bound. */
#include "fm_budget.h"

#include <inttypes.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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
    /* A response's share is what it becomes in memory: its record batches decompressed. */
    l.fetch_max_bytes = usable / 8 / FM_BUDGET_FETCH_EXPANSION;
    l.max_partition_fetch_bytes =
        l.fetch_max_bytes < FM_BUDGET_PARTITION_FETCH_MAX ? l.fetch_max_bytes : FM_BUDGET_PARTITION_FETCH_MAX;
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
    l.message_max_bytes =
        l.fetch_max_bytes < FM_BUDGET_MESSAGE_MAX ? l.fetch_max_bytes : FM_BUDGET_MESSAGE_MAX;
    if (prefetch_kbytes > 0)
        l.queued_max_messages_kbytes = prefetch_kbytes;
    /* librdkafka 2.0.2 stops fetching once the consumer queue holds queued.min.messages and looks again only
     * when its broker thread wakes, up to a second later: a queue of a few batches, drained in a quarter of
     * a second, left the worker waiting the rest (famins-subsidy consumed 2,500 messages/s of a backlog it
     * could apply at 8,000). One message per KiB of the queue's bound leaves the bytes to bound the prefetch
     * for messages of 1 KiB and more, and at least two batches are queued for any. */
    int64_t two_batches = 2 * (batch_messages > 0 ? batch_messages : 1);
    l.queued_min_messages =
        l.queued_max_messages_kbytes > two_batches ? l.queued_max_messages_kbytes : two_batches;
    if (l.queued_min_messages > FM_BUDGET_QUEUE_MESSAGES_MAX)
        l.queued_min_messages = FM_BUDGET_QUEUE_MESSAGES_MAX;
    if (batch_max_bytes > 0)
        l.batch_max_bytes = batch_max_bytes;
    *out = l;
    return FM_OK;
}

void fm_memory_usage_read(fm_memory_usage *out)
{
    *out = (fm_memory_usage){-1, -1, -1, -1, -1};
    FILE *f = fopen("/proc/self/status", "r");
    if (f != NULL) {
        char line[128];
        long long v;
        while (fgets(line, sizeof line, f) != NULL) {
            if (sscanf(line, "VmRSS: %lld", &v) == 1)
                out->rss_kib = v;
            else if (sscanf(line, "VmHWM: %lld", &v) == 1)
                out->hwm_kib = v;
        }
        fclose(f);
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    out->heap_used_kib = (int64_t)(mi.uordblks / 1024);
    out->heap_free_kib = (int64_t)(mi.fordblks / 1024);
    out->mapped_kib = (int64_t)(mi.hblkhd / 1024);
#endif
}

void fm_memory_allocator_init(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, FM_BUDGET_MMAP_THRESHOLD);
#endif
}

void fm_memory_release(void)
{
#ifdef __GLIBC__
    /* Every arena's free pages, not only each heap's top: librdkafka's threads decompress fetched record
     * batches into blocks of many sizes in their own arenas, and the worker frees them in another order, so
     * freed memory sat in holes that later blocks did not fit and the arenas grew with the wave. Measured on
     * 200,000 households (tests/bench/tools/memory_profile.sh, which also reports each worker's CPU seconds):
     * eligibility's peak at 10/50/100 % 34.2/36.3/37.3 MiB without, 31.9/32.8/34.0 MiB with; CPU seconds
     * no higher. */
    malloc_trim(0);
#endif
}
