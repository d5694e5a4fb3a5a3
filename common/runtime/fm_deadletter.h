/* fm_deadletter.h — unreadable messages: a famins.dead_letters row (with the raw message, operators only)
 * and a reference to it on <topic>.dlq through the outbox, both in the batch transaction (so exactly once
 * per source offset). The .dlq message never carries the raw message: it may hold personal data. */
#ifndef FM_DEADLETTER_H
#define FM_DEADLETTER_H

#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_txn.h"

/* The source message of a dead letter. Pointers are borrowed. */
typedef struct fm_dead_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key; /* NULL: no key */
    size_t key_len;
    const void *payload; /* the raw bytes */
    size_t payload_len;
} fm_dead_source;

/* Header names on <topic>.dlq messages, in the spirit of Kafka Connect's __connect.errors.* headers. */
#define FM_DLQ_HEADER_TOPIC "famins.errors.topic"
#define FM_DLQ_HEADER_PARTITION "famins.errors.partition"
#define FM_DLQ_HEADER_OFFSET "famins.errors.offset"
#define FM_DLQ_HEADER_CODE "famins.errors.code"
#define FM_DLQ_HEADER_TEXT "famins.errors.text"
#define FM_DLQ_HEADER_GROUP "famins.errors.group"

/* The headers JSON of a dead letter's copy on the .dlq topic. *out owned by the caller (free). FM_ENOMEM,
 * FM_EINVAL when the error text is not UTF-8. */
fm_status fm_deadletter_headers(const fm_dead_source *src, const char *group, const char *code,
                                const char *text, char **out, fm_error *err);

/* The payload of a dead letter's .dlq message: a JSON object that refers to its famins.dead_letters row by
 * the row's unique key, without the raw message (common/runtime/README.md, "The .dlq messages"):
 *   {"dead_letter":"famins.dead_letters","consumer_group":G,"topic":T,"partition":P,"offset":O,
 *    "error_code":C,"error_text":X,"message_bytes":N}
 * *out (NUL-terminated) owned by the caller (free). FM_ENOMEM when it cannot be built (out of memory, or a
 * text that is not UTF-8, which fm_deadletter_stage rules out by keeping texts to printable ASCII). */
fm_status fm_deadletter_payload(const fm_dead_source *src, const char *group, const char *code,
                                const char *text, char **out, fm_error *err);

/* The event id of a dead letter's .dlq message: "dlq:<group>:<topic>:<partition>:<offset>" (stable, so a
 * replayed dead letter deduplicates downstream). FM_EINVAL when it does not fit len. */
fm_status fm_deadletter_event_id(const char *group, const char *topic, int32_t partition, int64_t offset,
                                 char *buf, size_t len);

/* Stages both rows in txn: the table row with the raw message, the outbox row with the reference payload and
 * the context headers, keyed like the source. The code and text are kept to printable ASCII and the text's
 * identity-number-like runs masked (fm_log_mask_identity_numbers), whatever the caller passed: they reach a
 * view reporters read, the .dlq topic and logs. FM_ENOMEM, FM_EINVAL. */
fm_status fm_deadletter_stage(fm_txn *txn, const fm_dead_source *src, const char *code, const char *text,
                              fm_error *err);

/* Writes the staged dead_letters rows (COPY). FM_EDB. */
fm_status fm_deadletter_flush(fm_txn *txn, fm_error *err);

#endif
