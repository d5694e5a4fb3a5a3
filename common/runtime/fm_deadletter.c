/* fm_deadletter.c — unreadable messages: a famins.dead_letters row (with the raw message, operators only)
 * and a reference to it on <topic>.dlq through the outbox, both in the batch transaction (so exactly once
 * per source offset). */
#include "fm_deadletter.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_log.h"
#include "fm_outbox.h"

fm_status fm_deadletter_headers(const fm_dead_source *src, const char *group, const char *code,
                                const char *text, char **out, fm_error *err)
{
    char partition[16], offset[32];
    snprintf(partition, sizeof partition, "%" PRId32, src->partition);
    snprintf(offset, sizeof offset, "%" PRId64, src->offset);
    fm_header headers[] = {
        {FM_DLQ_HEADER_TOPIC, src->topic}, {FM_DLQ_HEADER_PARTITION, partition},
        {FM_DLQ_HEADER_OFFSET, offset},    {FM_DLQ_HEADER_CODE, code},
        {FM_DLQ_HEADER_TEXT, text},        {FM_DLQ_HEADER_GROUP, group},
    };
    return fm_outbox_headers_json(headers, sizeof headers / sizeof headers[0], out, err);
}

fm_status fm_deadletter_payload(const fm_dead_source *src, const char *group, const char *code,
                                const char *text, char **out, fm_error *err)
{
    json_t *o = json_object();
    int bad = o == NULL;
    /* json_string() is NULL for a text that is not UTF-8 (or no memory): the set fails, counted in bad. */
    if (!bad) {
        bad |= json_object_set_new(o, "dead_letter", json_string("famins.dead_letters"));
        bad |= json_object_set_new(o, "consumer_group", json_string(group));
        bad |= json_object_set_new(o, "topic", json_string(src->topic));
        bad |= json_object_set_new(o, "partition", json_integer(src->partition));
        bad |= json_object_set_new(o, "offset", json_integer(src->offset));
        bad |= json_object_set_new(o, "error_code", json_string(code));
        bad |= json_object_set_new(o, "error_text", json_string(text));
        bad |= json_object_set_new(o, "message_bytes", json_integer((json_int_t)src->payload_len));
    }
    char *dumped = bad ? NULL : json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (dumped == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "the .dlq reference could not be written");
        return FM_ENOMEM;
    }
    *out = dumped;
    return FM_OK;
}

fm_status fm_deadletter_event_id(const char *group, const char *topic, int32_t partition, int64_t offset,
                                 char *buf, size_t len)
{
    int n = snprintf(buf, len, "dlq:%s:%s:%" PRId32 ":%" PRId64, group, topic, partition, offset);
    return (n > 0 && (size_t)n < len) ? FM_OK : FM_EINVAL;
}

/* Error texts come from code that may quote input (a server message, an event id): identity-number-like
 * runs are masked first, in any form (full-width, escaped), then only printable ASCII is kept, so that the
 * row, the .dlq payload and header and the log line can never fail on (or carry) odd bytes. */
static void safe_copy(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src != NULL ? src : "");
    fm_log_mask_identity_numbers(dst);
    for (char *p = dst; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c >= 0x7f)
            *p = '?';
    }
}

fm_status fm_deadletter_stage(fm_txn *txn, const fm_dead_source *src, const char *raw_code,
                              const char *raw_text, fm_error *err)
{
    char code[64], text[512];
    safe_copy(code, sizeof code, raw_code);
    safe_copy(text, sizeof text, raw_text);
    char dlq_topic[300], event_id[600];
    char *headers = NULL, *payload = NULL;
    fm_status st;
    if (snprintf(dlq_topic, sizeof dlq_topic, "%s.dlq", src->topic) >= (int)sizeof dlq_topic ||
        fm_deadletter_event_id(txn->group, src->topic, src->partition, src->offset, event_id,
                               sizeof event_id) != FM_OK) {
        fm_error_set(err, src->topic, "TOO_LONG", "dead-letter topic or event id too long");
        return FM_EINVAL;
    }
    st = fm_deadletter_headers(src, txn->group, code, text, &headers, err);
    if (st == FM_OK)
        st = fm_deadletter_payload(src, txn->group, code, text, &payload, err);
    if (st != FM_OK)
        goto done;
    fm_copybuf *b = &txn->dead;
    size_t mark = b->len;
    if (fm_copybuf_text_field(b, 1, txn->group) != FM_OK ||
        fm_copybuf_text_field(b, 0, src->topic) != FM_OK ||
        fm_copybuf_int_field(b, 0, src->partition) != FM_OK ||
        fm_copybuf_int_field(b, 0, src->offset) != FM_OK ||
        fm_copybuf_bytea_field(b, 0, src->key, src->key_len, src->key == NULL) != FM_OK ||
        fm_copybuf_text_field(b, 0, code) != FM_OK || fm_copybuf_text_field(b, 0, text) != FM_OK ||
        fm_copybuf_bytea_field(b, 0, src->payload, src->payload_len, 0) != FM_OK ||
        fm_copybuf_end_row(b) != FM_OK) {
        b->len = mark;
        st = FM_ENOMEM;
        goto done;
    }
    /* The reference, not the raw message: the key stays the source's (a household id or a policy number),
     * so the .dlq message lands on the partition of its key's events. */
    st = fm_outbox_stage(txn, dlq_topic, src->key, src->key_len, payload, strlen(payload), headers, event_id);
    if (st != FM_OK) {
        b->len = mark; /* both rows or neither */
        b->rows--;
    }
done:
    free(headers);
    free(payload);
    return st;
}

fm_status fm_deadletter_flush(fm_txn *txn, fm_error *err)
{
    return fm_copybuf_send(
        txn->conn,
        "COPY famins.dead_letters (consumer_group, topic, partition, kafka_offset, message_key, "
        "error_code, error_text, raw_message) FROM STDIN",
        &txn->dead, err);
}
