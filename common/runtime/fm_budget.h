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
/* How many bytes of memory a fetched byte may become. Fetch sizes count bytes as they travel, compressed;
 * librdkafka decompresses each record batch into a buffer of its own (lz4: guessed at 4x the compressed size,
 * grown by 1.75x until it fits), which the batch's messages keep alive until the last of them is destroyed.
 * Enrollment JSON compresses 5-8x under lz4 (a wave's 100 KB to 1 MB producer batches), and the guess's
 * growth adds up to 75 %: 16 covers that. The memory of one fetch response is what the budget bounds, so the
 * fetch sizes are the share divided by this.
 * It is 1 (no division) for now: with 16 (an 832 KiB fetch) the 1,000,000-household benchmark's
 * famins-subsidy consumed a flat ~1,900 messages/s, its main thread waiting in rd_kafka_consumer_poll with
 * the machine 77 % idle (librdkafka 2.0.2 waits a second before it looks at a partition again once its queue
 * is above queued.min.messages, and small responses fill one partition at a time). Bounding the decompressed
 * response without starving the consumer is open (common/runtime/README.md, "Memory"). */
#define FM_BUDGET_FETCH_EXPANSION 1
/* librdkafka's default per-partition fetch size: a budget lowers it, never raises it. */
#define FM_BUDGET_PARTITION_FETCH_MAX (1024 * 1024)
/* librdkafka's default message.max.bytes, which a consumer's fetch.max.bytes may not be below. A consumer
 * produces nothing, so it is lowered with the fetch (it then only caps lz4's first guess of a decompressed
 * batch, which grows as needed). */
#define FM_BUDGET_MESSAGE_MAX 1000000

/* Blocks this large and larger are mapped on their own (M_MMAP_THRESHOLD, fixed: glibc's adaptive threshold
 * would move them into the arenas, whose fragmented pages made a long wave's peak creep up). */
#define FM_BUDGET_MMAP_THRESHOLD (256 * 1024)

/* librdkafka's upper bounds of queued.max.messages.kbytes, fetch.max.bytes and queued.min.messages. */
#define FM_BUDGET_QUEUE_KBYTES_MAX 2097151
#define FM_BUDGET_FETCH_BYTES_MAX 2147483135
#define FM_BUDGET_QUEUE_MESSAGES_MAX 10000000

/* The limits derived from one budget (see common/runtime/README.md, "Memory"). */
typedef struct fm_memory_limits {
    int64_t queued_max_messages_kbytes; /* librdkafka: the consumer queue, all partitions together */
    int64_t fetch_max_bytes;            /* librdkafka: one fetch response, compressed */
    int64_t max_partition_fetch_bytes;  /* librdkafka: one partition's share of a fetch */
    int64_t message_max_bytes;          /* librdkafka: at most fetch_max_bytes, which it may not exceed */
    int64_t queued_min_messages; /* librdkafka: the consumer queue's count (the kbytes bound binds first) */
    int64_t batch_max_bytes;     /* the runtime: a batch closes once its messages reach this */
} fm_memory_limits;

/* Splits budget_mb: usable U = budget - FM_BUDGET_BASE_MB MiB; the prefetch queue U/4, a fetch response U/8
 * once decompressed (fetch_max_bytes = U / (8 * FM_BUDGET_FETCH_EXPANSION)), the batch and what it becomes
 * U/2, i.e. batch_max_bytes = U / (2 * 2 * FM_BUDGET_BATCH_EXPANSION) (a batch may go one message past its
 * bound, at most twice the bound); the rest (U/8) for a second broker's response and slack.
 * max_partition_fetch_bytes = min(fetch, 1 MiB); message_max_bytes = min(fetch, 1,000,000);
 * prefetch_kbytes and batch_max_bytes, when > 0, replace the derived values (explicit settings win);
 * queued_min_messages = the queue's kbytes (after prefetch_kbytes), at least 2 x batch_messages.
 * FM_ECONFIG (code MEMORY_BUDGET) when the budget is below FM_BUDGET_MIN_MB or its batch share cannot hold
 * one message of max_message_bytes. */
fm_status fm_memory_limits_derive(int64_t budget_mb, int64_t max_message_bytes, int64_t batch_messages,
                                  int64_t prefetch_kbytes, int64_t batch_max_bytes, fm_memory_limits *out,
                                  fm_error *err);

/* What the process holds now, for the runtime's batch_commit debug line (which batch raised the peak, and
 * whether the allocator or the live data did). Each figure is -1 where it cannot be read (not Linux, not
 * glibc). */
typedef struct fm_memory_usage {
    int64_t rss_kib;       /* VmRSS: resident now */
    int64_t hwm_kib;       /* VmHWM: the peak resident set so far */
    int64_t heap_used_kib; /* glibc: bytes in allocated chunks of every arena (mallinfo2 uordblks) */
    int64_t heap_free_kib; /* glibc: free bytes the arenas keep (fordblks): fragmentation and trim slack */
    int64_t mapped_kib;    /* glibc: blocks mapped on their own (hblkhd: at or above M_MMAP_THRESHOLD) */
} fm_memory_usage;

/* Fills *out (costs a read of /proc/self/status and a walk of the allocator's bins: debug level only). */
void fm_memory_usage_read(fm_memory_usage *out);

/* The allocator's settings for a worker, before any thread starts: blocks of FM_BUDGET_MMAP_THRESHOLD bytes
 * and more are mapped on their own (and unmapped when freed). glibc only; elsewhere nothing. */
void fm_memory_allocator_init(void);

/* Gives the allocator's free pages back to the system (every arena's, not only the top of each heap): called
 * after each batch, so that the resident set follows what the worker holds, not how fragmented the arenas
 * where librdkafka's threads decompress fetched messages became. glibc only; elsewhere nothing. */
void fm_memory_release(void);

#endif
