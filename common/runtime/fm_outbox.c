/* fm_outbox.c — messages to publish, staged in the batch transaction's outbox rows (famins.outbox).
 * Rows are buffered during the batch and written with one COPY before the positions move, so a batch of
 * 500 decisions costs one round trip, not 500. */
#include "fm_outbox.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

PGconn *fm_txn_conn(fm_txn *txn)
{
    return txn->conn;
}

fm_status fm_outbox_headers_json(const fm_header *headers, size_t n_headers, char **out, fm_error *err)
{
    fm_status st = FM_ENOMEM;
    json_t *obj = json_object();
    if (obj == NULL)
        goto fail;
    for (size_t i = 0; i < n_headers; i++) {
        json_t *value = json_string(headers[i].value ? headers[i].value : "");
        if (value == NULL || json_object_set_new(obj, headers[i].name, value) != 0) {
            fm_error_set(err, headers[i].name, "BAD_HEADER", "header name or value is not valid UTF-8");
            st = FM_EINVAL;
            goto fail;
        }
    }
    *out = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    if (*out == NULL)
        goto fail;
    json_decref(obj);
    return FM_OK;
fail:
    json_decref(obj);
    return st;
}

fm_status fm_outbox_stage(fm_txn *txn, const char *topic, const void *key, size_t key_len,
                          const void *payload, size_t payload_len, const char *headers_json,
                          const char *event_id)
{
    fm_copybuf *b = &txn->outbox;
    size_t mark = b->len;
    if (fm_copybuf_text_field(b, 1, topic) != FM_OK ||
        fm_copybuf_bytea_field(b, 0, key, key_len, key == NULL) != FM_OK ||
        fm_copybuf_bytea_field(b, 0, payload, payload_len, 0) != FM_OK ||
        fm_copybuf_text_field(b, 0, headers_json ? headers_json : "{}") != FM_OK ||
        fm_copybuf_text_field(b, 0, event_id) != FM_OK || fm_copybuf_end_row(b) != FM_OK) {
        b->len = mark; /* drop the half-built row */
        return FM_ENOMEM;
    }
    return FM_OK;
}

fm_status fm_outbox_add(fm_txn *txn, fm_topic_id topic, const char *key, const char *event_id,
                        const char *payload_json, const fm_header *headers, size_t n_headers, fm_error *err)
{
    char name[256];
    char *headers_json = NULL;
    if (topic < 0 || topic >= FM_TOPIC_COUNT) {
        fm_error_set(err, "topic", "UNKNOWN_TOPIC", "no famins topic %d", (int)topic);
        return FM_EINVAL;
    }
    fm_status st = fm_topic_name(txn->topic_prefix, fm_topic_base_name(topic), name, sizeof name, err);
    if (st == FM_OK)
        st = fm_outbox_headers_json(headers, n_headers, &headers_json, err);
    if (st == FM_OK)
        st = fm_outbox_stage(txn, name, key, key ? strlen(key) : 0, payload_json, strlen(payload_json),
                             headers_json, event_id);
    free(headers_json);
    return st;
}

fm_status fm_outbox_flush(fm_txn *txn, fm_error *err)
{
    return fm_copybuf_send(txn->conn,
                           "COPY famins.outbox (topic, message_key, payload, headers, event_id) FROM STDIN",
                           &txn->outbox, err);
}
