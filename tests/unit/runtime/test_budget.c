/* test_budget.c — FAMINS_MEMORY_BUDGET_MB split into librdkafka's limits and the batch's byte bound. */
#include <stdlib.h>
#include <string.h>

#include "fm_budget.h"
#include "fm_test.h"

#define MIB ((int64_t)1024 * 1024)

/* The default budget (128 MiB, 256 KiB messages, batches of 500): 104 MiB usable above the base. */
static void the_default_budget_splits_into_the_documented_shares(void **state)
{
    (void)state;
    fm_memory_limits l;
    fm_error err = {0};
    assert_int_equal(fm_memory_limits_derive(128, 262144, 500, 0, 0, &l, &err), FM_OK);
    assert_i64_equal(l.queued_max_messages_kbytes, 104 * 1024 / 4); /* 26 MiB */
    /* A response's share is 13 MiB as fetched (FM_BUDGET_FETCH_EXPANSION is 1 for now: fm_budget.h says why).
     */
    assert_i64_equal(l.fetch_max_bytes, 104 * MIB / 8 / FM_BUDGET_FETCH_EXPANSION);
    assert_i64_equal(l.fetch_max_bytes, 13 * MIB);
    assert_i64_equal(l.max_partition_fetch_bytes, MIB); /* never above librdkafka's 1 MiB */
    /* message.max.bytes stays at librdkafka's default when the fetch is above it. */
    assert_i64_equal(l.message_max_bytes, FM_BUDGET_MESSAGE_MAX);
    /* One message per KiB of the queue: its bytes bound the prefetch (fm_budget.c says why). */
    assert_i64_equal(l.queued_min_messages, l.queued_max_messages_kbytes);
    assert_i64_equal(l.batch_max_bytes, 104 * MIB / 32); /* 3.25 MiB */
    /* What the limits add up to stays inside the budget: the queue, a fetch in flight, and a batch of at
     * most twice its bound grown FM_BUDGET_BATCH_EXPANSION times. While FM_BUDGET_FETCH_EXPANSION is 1 the
     * fetch is counted as fetched, not decompressed: the bound is not a bound on its decompressed blocks. */
    int64_t used = FM_BUDGET_BASE_MB * MIB + l.queued_max_messages_kbytes * 1024 +
                   l.fetch_max_bytes * FM_BUDGET_FETCH_EXPANSION +
                   2 * l.batch_max_bytes * FM_BUDGET_BATCH_EXPANSION;
    assert_true(used <= 128 * MIB);
}

/* A smaller budget lowers every limit; the per-partition fetch follows the fetch below 1 MiB... */
static void a_budget_scales_every_limit(void **state)
{
    (void)state;
    fm_memory_limits small, large;
    fm_error err = {0};
    assert_int_equal(fm_memory_limits_derive(48, 262144, 2000, 0, 0, &small, &err), FM_OK);
    assert_int_equal(fm_memory_limits_derive(1024, 262144, 2000, 0, 0, &large, &err), FM_OK);
    assert_i64_equal(small.queued_max_messages_kbytes, 24 * 1024 / 4);
    assert_i64_equal(small.fetch_max_bytes, 3 * MIB / FM_BUDGET_FETCH_EXPANSION);
    /* librdkafka refuses a consumer whose fetch is below message.max.bytes: never above the fetch. */
    assert_i64_equal(small.message_max_bytes, small.fetch_max_bytes < FM_BUDGET_MESSAGE_MAX
                                                  ? small.fetch_max_bytes
                                                  : FM_BUDGET_MESSAGE_MAX);
    assert_i64_equal(small.batch_max_bytes, 24 * MIB / 32);
    assert_i64_equal(small.queued_min_messages, small.queued_max_messages_kbytes); /* 6,144 > two batches */
    assert_true(large.queued_max_messages_kbytes > small.queued_max_messages_kbytes);
    assert_true(large.fetch_max_bytes > small.fetch_max_bytes);
    assert_true(large.batch_max_bytes > small.batch_max_bytes);
    assert_i64_equal(large.max_partition_fetch_bytes, MIB);
    /* A fetch above librdkafka's message.max.bytes leaves that at its default. */
    assert_i64_equal(large.message_max_bytes, FM_BUDGET_MESSAGE_MAX);
    assert_true(large.fetch_max_bytes >= large.message_max_bytes);
    /* ... and a batch always holds at least one largest message. */
    assert_true(small.batch_max_bytes >= 262144);
}

/* The largest budget the setting allows stays inside librdkafka's ranges (which would refuse the values). */
static void the_largest_budget_stops_at_librdkafkas_ranges(void **state)
{
    (void)state;
    fm_memory_limits l;
    fm_error err = {0};
    assert_int_equal(fm_memory_limits_derive(65536, 262144, 100000, 0, 0, &l, &err), FM_OK);
    assert_i64_equal(l.queued_max_messages_kbytes, FM_BUDGET_QUEUE_KBYTES_MAX);
    int64_t share = (65536 - FM_BUDGET_BASE_MB) * MIB / 8 / FM_BUDGET_FETCH_EXPANSION;
    assert_i64_equal(l.fetch_max_bytes,
                     share < FM_BUDGET_FETCH_BYTES_MAX ? share : FM_BUDGET_FETCH_BYTES_MAX);
    assert_true(l.fetch_max_bytes <= FM_BUDGET_FETCH_BYTES_MAX);
    assert_true(l.queued_min_messages <= FM_BUDGET_QUEUE_MESSAGES_MAX);
}

/* FAMINS_PREFETCH_KBYTES and FAMINS_BATCH_MAX_BYTES, when set, win over the budget's shares. */
static void explicit_settings_replace_the_derived_values(void **state)
{
    (void)state;
    fm_memory_limits l;
    fm_error err = {0};
    assert_int_equal(fm_memory_limits_derive(128, 262144, 500, 4096, 300000, &l, &err), FM_OK);
    assert_i64_equal(l.queued_max_messages_kbytes, 4096);
    assert_i64_equal(l.batch_max_bytes, 300000);
    assert_i64_equal(l.fetch_max_bytes, 104 * MIB / 8 / FM_BUDGET_FETCH_EXPANSION);
    /* The queue's count follows an explicit FAMINS_PREFETCH_KBYTES ... */
    assert_i64_equal(l.queued_min_messages, 4096);
    /* ... and never falls below two batches, whatever few KiB the queue is given. */
    assert_int_equal(fm_memory_limits_derive(128, 262144, 500, 100, 0, &l, &err), FM_OK);
    assert_i64_equal(l.queued_max_messages_kbytes, 100);
    assert_i64_equal(l.queued_min_messages, 1000);
}

/* A budget below the minimum, or one whose batch share cannot hold a largest message, is refused. */
static void a_budget_too_small_is_refused(void **state)
{
    (void)state;
    fm_memory_limits l = {0};
    fm_error err = {0};
    assert_int_equal(fm_memory_limits_derive(47, 262144, 500, 0, 0, &l, &err), FM_ECONFIG);
    assert_string_equal(err.code, "MEMORY_BUDGET");
    fm_error err2 = {0};
    assert_int_equal(fm_memory_limits_derive(48, 1000000000, 500, 0, 0, &l, &err2), FM_ECONFIG);
    assert_string_equal(err2.code, "MEMORY_BUDGET");
    assert_non_null(strstr(err2.text, "FAMINS_MAX_MESSAGE_BYTES"));
    assert_i64_equal(l.fetch_max_bytes, 0); /* nothing filled on a refusal */
}

/* The process's memory as the batch_commit debug line reports it: a block allocated and touched shows in the
 * allocator's figures and in the resident set, which never exceeds its peak. */
static void the_memory_usage_reads_the_process_and_the_allocator(void **state)
{
    (void)state;
    fm_memory_usage before, during;
    fm_memory_usage_read(&before);
    assert_true(before.rss_kib > 0);
    assert_true(before.hwm_kib >= before.rss_kib);
    size_t size = 64 * 1024; /* below the mapping threshold: an arena chunk */
    char *block = malloc(size);
    assert_non_null(block);
    memset(block, 1, size);
    fm_memory_usage_read(&during);
    assert_true(during.hwm_kib >= during.rss_kib);
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    /* glibc's own counters (a sanitizer's allocator replaces them with its own, so only without one). */
    assert_true(during.heap_used_kib >= before.heap_used_kib + 60);
    assert_true(during.heap_free_kib >= 0 && during.mapped_kib >= 0);
#endif
    free(block);
}

/* After a batch the allocator's free pages go back to the system: a large freed arena block stops counting
 * in the resident set (glibc's own trim would keep it, below the heap's top). */
static void the_release_after_a_batch_returns_free_pages(void **state)
{
    (void)state;
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    fm_memory_allocator_init();
    enum { N = 64, SIZE = 128 * 1024 }; /* arena chunks: below the mapping threshold */
    char *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(SIZE);
        assert_non_null(blocks[i]);
        memset(blocks[i], 1, SIZE);
    }
    char *keep = malloc(64); /* above them: the heap's top stays in use, so only holes are freed */
    assert_non_null(keep);
    fm_memory_usage held, released;
    for (int i = 0; i < N; i++)
        free(blocks[i]);
    fm_memory_usage_read(&held);
    fm_memory_release();
    fm_memory_usage_read(&released);
    /* 8 MiB were freed; at least 6 of them left the resident set. */
    assert_true(held.rss_kib - released.rss_kib >= 6 * 1024);
    free(keep);
#else
    fm_memory_release(); /* callable everywhere; nothing to observe without glibc's own allocator */
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_default_budget_splits_into_the_documented_shares),
        cmocka_unit_test(a_budget_scales_every_limit),
        cmocka_unit_test(the_largest_budget_stops_at_librdkafkas_ranges),
        cmocka_unit_test(explicit_settings_replace_the_derived_values),
        cmocka_unit_test(a_budget_too_small_is_refused),
        cmocka_unit_test(the_memory_usage_reads_the_process_and_the_allocator),
        cmocka_unit_test(the_release_after_a_batch_returns_free_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
