/* fm_batch.c — the messages of one batch and, per partition, the offset range it moves the position over. */
#include "fm_batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static fm_batch_range *find_range(const fm_batch *b, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < b->range_count; i++)
        if (b->ranges[i].partition == partition && strcmp(b->ranges[i].topic, topic) == 0)
            return &b->ranges[i];
    return NULL;
}

size_t fm_batch_message_bytes(const rd_kafka_message_t *msg)
{
    return msg->len + msg->key_len;
}

bool fm_batch_full(const fm_batch *b, size_t max_messages, size_t max_bytes)
{
    return b->count >= max_messages || (max_bytes > 0 && b->bytes >= max_bytes);
}

fm_status fm_batch_add(fm_batch *b, rd_kafka_message_t *msg, size_t bytes, const char *topic,
                       int32_t partition, int64_t offset, int64_t start)
{
    fm_batch_range *r = find_range(b, topic, partition);
    if (r == NULL) {
        if (b->range_count == b->range_cap) {
            size_t cap = b->range_cap ? b->range_cap * 2 : 8;
            fm_batch_range *grown = realloc(b->ranges, cap * sizeof *grown);
            if (grown == NULL)
                goto fail;
            b->ranges = grown;
            b->range_cap = cap;
        }
        char *copy = strdup(topic);
        if (copy == NULL)
            goto fail;
        r = &b->ranges[b->range_count++];
        *r = (fm_batch_range){.topic = copy, .partition = partition, .start = start, .next = offset + 1};
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        rd_kafka_message_t **grown = realloc(b->messages, cap * sizeof *grown);
        if (grown == NULL)
            goto fail;
        b->messages = grown;
        size_t *sizes = realloc(b->sizes, cap * sizeof *sizes);
        if (sizes == NULL)
            goto fail; /* messages grew: cap stays, the next add grows both again */
        b->sizes = sizes;
        b->cap = cap;
    }
    b->sizes[b->count] = bytes;
    b->messages[b->count++] = msg;
    b->bytes += bytes;
    if (offset + 1 > r->next)
        r->next = offset + 1;
    r->messages++;
    return FM_OK;
fail:
    if (msg != NULL)
        rd_kafka_message_destroy(msg);
    return FM_ENOMEM;
}

size_t fm_batch_drop_partition(fm_batch *b, const char *topic, int32_t partition)
{
    fm_batch_range *r = find_range(b, topic, partition);
    if (r == NULL)
        return 0;
    size_t dropped = 0, kept = 0;
    for (size_t i = 0; i < b->count; i++) {
        rd_kafka_message_t *m = b->messages[i];
        if (m != NULL && m->partition == partition && strcmp(rd_kafka_topic_name(m->rkt), topic) == 0) {
            rd_kafka_message_destroy(m);
            b->bytes -= b->sizes[i];
            dropped++;
        } else {
            b->sizes[kept] = b->sizes[i];
            b->messages[kept++] = m;
        }
    }
    b->count = kept;
    free(r->topic);
    *r = b->ranges[--b->range_count];
    return dropped;
}

void fm_batch_clear(fm_batch *b)
{
    for (size_t i = 0; i < b->count; i++)
        if (b->messages[i] != NULL)
            rd_kafka_message_destroy(b->messages[i]);
    for (size_t i = 0; i < b->range_count; i++)
        free(b->ranges[i].topic);
    b->count = 0;
    b->bytes = 0;
    b->range_count = 0;
}

void fm_batch_free(fm_batch *b)
{
    fm_batch_clear(b);
    free(b->messages);
    free(b->sizes);
    free(b->ranges);
    *b = (fm_batch){0};
}

void fm_batch_describe(const fm_batch *b, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < b->range_count && used + 1 < len; i++) {
        const fm_batch_range *r = &b->ranges[i];
        int n = snprintf(buf + used, len - used, "%s%s:%" PRId32 ":%" PRId64 "-%" PRId64, i ? "," : "",
                         r->topic, r->partition, r->start, r->next);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
