/* elig_decode.h — a Kafka message of enrollment.submitted made into a decoded event, or a dead-letter code.
 */
#ifndef ELIG_DECODE_H
#define ELIG_DECODE_H

#include <stddef.h>

#include "fm_error.h"
#include "fm_model.h"
#include "fm_worker.h"

/*
 * Decodes an enrollment.submitted message: the codec's envelope check (size limit max_bytes), then the
 * enrollment decoder, then the content hash (hex SHA-256 of the canonical JSON) that recognises a re-send.
 * On FM_OK, out->event_id, type and content_hash are set and out->decoded is a new fm_enrollment the caller
 * frees with elig_decoded_free. On FM_EINVAL err->code is the dead-letter code: MESSAGE_TOO_LARGE,
 * INVALID_JSON, INVALID_UTF8, UNKNOWN_SCHEMA_VERSION, UNKNOWN_TYPE (no or an unknown type, or another event
 * type than enrollment.submitted), SCHEMA_VIOLATION (any other field error); err->text says
 * "<path>: <codec code>: <detail>" (never an identity number: the codec's texts name fields, not values).
 * FM_ENOMEM otherwise.
 */
fm_status elig_decode(const void *payload, size_t len, size_t max_bytes, fm_event *out, fm_error *err);

/* Frees what elig_decode put in event->decoded and clears it; NULL-safe. */
void elig_decoded_free(fm_event *event);

#endif
