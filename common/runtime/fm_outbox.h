/* fm_outbox.h — messages to publish, staged in the batch transaction's outbox rows (famins.outbox). */
#ifndef FM_OUTBOX_H
#define FM_OUTBOX_H

#include <stddef.h>

#include "fm_error.h"
#include "fm_txn.h"

/* The JSON object text {"name":"value",...} of headers, for famins.outbox.headers. On FM_OK *out is owned
 * by the caller (free). FM_EINVAL when a name or value is not valid UTF-8, FM_ENOMEM. */
fm_status fm_outbox_headers_json(const fm_header *headers, size_t n_headers, char **out, fm_error *err);

/* Stages one outbox row for the literal topic name (already prefixed). key may be NULL (no key). */
fm_status fm_outbox_stage(fm_txn *txn, const char *topic, const void *key, size_t key_len,
                          const void *payload, size_t payload_len, const char *headers_json,
                          const char *event_id);

/* Writes the staged rows (COPY) inside the open transaction. FM_EDB. */
fm_status fm_outbox_flush(fm_txn *txn, fm_error *err);

#endif
