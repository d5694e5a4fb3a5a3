/* fm_intake.h — a message's way into a worker's decode step: parsed once, its envelope checked and its type
 * one the topic carries, and any refusal worded as one of the runtime's dead-letter codes. */
#ifndef FM_INTAKE_H
#define FM_INTAKE_H

#include <jansson.h>
#include <stddef.h>

#include "fm_decode.h"
#include "fm_error.h"

/*
 * Parses payload (at most max_bytes; 0: the codec's default) and checks its envelope and that its type is
 * want (the event type topic carries; topic names it in the message). FM_OK with *root (the caller
 * json_decref()s it) and *env; FM_EINVAL with *root NULL and err a dead letter (see fm_intake_dead):
 * MESSAGE_TOO_LARGE, INVALID_JSON, INVALID_UTF8, UNKNOWN_SCHEMA_VERSION, UNKNOWN_TYPE (no, an unknown or
 * another type), SCHEMA_VIOLATION (an envelope field); FM_ENOMEM.
 */
fm_status fm_intake_open(const void *payload, size_t len, size_t max_bytes, fm_event_type want,
                         const char *topic, json_t **root, fm_envelope *env, fm_error *err);

/* fm_intake_open for a topic that carries several event types: the type must be one of want[0..n_want). */
fm_status fm_intake_open_any(const void *payload, size_t len, size_t max_bytes, const fm_event_type *want,
                             size_t n_want, const char *topic, json_t **root, fm_envelope *env,
                             fm_error *err);

/* Rewords the codec's error in err as the dead letter code, keeping the codec's path and code in the text
 * ("members[2].role: NOT_ONE_OF: ..."). Returns FM_EINVAL. */
fm_status fm_intake_dead(fm_error *err, const char *code);

/* The dead-letter code of a body decoder's refusal: UNKNOWN_SCHEMA_VERSION as such, any other
 * SCHEMA_VIOLATION. */
const char *fm_intake_body_code(const fm_error *err);

#endif
