/* subs_decode.h — a Kafka message of enrollment.decided made into what the ledger needs, or a dead-letter
 * code. */
#ifndef SUBS_DECODE_H
#define SUBS_DECODE_H

#include <stddef.h>

#include "fm_error.h"
#include "fm_worker.h"
#include "subs_apply.h"

/*
 * Decodes an enrollment.decided message (the codec's envelope and enrollment.decided decoders, then the
 * content hash). On FM_OK out->event_id, type, content_hash are set and out->decoded is a new subs_decided
 * (free with subs_decoded_free). On FM_EINVAL err->code is the dead-letter code (MESSAGE_TOO_LARGE,
 * INVALID_JSON, INVALID_UTF8, UNKNOWN_SCHEMA_VERSION, UNKNOWN_TYPE, SCHEMA_VIOLATION) and err->text "<path>:
 * <codec code>: <detail>". FM_ENOMEM otherwise.
 */
fm_status subs_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err);

void subs_decoded_free(fm_event *event);

#endif
