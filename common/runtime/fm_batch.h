/* fm_batch.h — the messages of one batch and, per partition, the offset range it moves the position over. */
#ifndef FM_BATCH_H
#define FM_BATCH_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"

/* One partition of a batch: the stored position it started from (the compare-and-set's expected value,
 * FM_POSITION_NONE for no row) and the position after its last message. */
typedef struct fm_batch_range {
    char *topic; /* owned */
    int32_t partition;
    int64_t start;
    int64_t next; /* last offset + 1 */
    size_t messages;
} fm_batch_range;

/* Zero-initialise; fm_batch_free releases. Messages are owned by the batch (rd_kafka_message_destroy). */
typedef struct fm_batch {
    rd_kafka_message_t **messages;
    size_t *sizes; /* each message's bytes (payload + key), as added */
    size_t count, cap;
    size_t bytes; /* the sum of sizes: what FAMINS_BATCH_MAX_BYTES bounds */
    fm_batch_range *ranges;
    size_t range_count, range_cap;
} fm_batch;

/* Adds a message (msg may be NULL in tests) of `bytes` bytes (payload + key: fm_batch_message_bytes) at
 * topic/partition/offset to the batch; start is the partition's stored position, used when the partition is
 * new to the batch. Takes ownership of msg even on failure. FM_ENOMEM. */
fm_status fm_batch_add(fm_batch *batch, rd_kafka_message_t *msg, size_t bytes, const char *topic,
                       int32_t partition, int64_t offset, int64_t start);

/* A message's bytes as a batch counts them: its payload and its key. */
size_t fm_batch_message_bytes(const rd_kafka_message_t *msg);

/* Whether the batch is closed: max_messages messages, or (max_bytes > 0) its bytes reached max_bytes. The
 * message that reaches the byte bound is in the batch (a message is never held back: it was consumed), so a
 * batch holds less than max_bytes plus one message; a message larger than the bound is a batch alone. */
bool fm_batch_full(const fm_batch *batch, size_t max_messages, size_t max_bytes);

/* Drops the messages and the range of one partition (revoked). Returns how many messages were dropped. */
size_t fm_batch_drop_partition(fm_batch *batch, const char *topic, int32_t partition);

/* Destroys the messages and forgets the ranges; the memory is kept for the next batch. */
void fm_batch_clear(fm_batch *batch);
void fm_batch_free(fm_batch *batch);

/* "topic:partition:start-next,..." into buf (truncated to fit), for the batch_begin/batch_commit log lines.
 */
void fm_batch_describe(const fm_batch *batch, char *buf, size_t len);

#endif
