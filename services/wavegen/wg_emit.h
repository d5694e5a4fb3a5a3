/* wg_emit.h — one generated message and its label, as handed from the builders to the writers. */
#ifndef WG_EMIT_H
#define WG_EMIT_H

#include <stddef.h>

#include "fm_error.h"

typedef struct wg_message {
    const char *key; /* the Kafka key: household id or policy number */
    size_t key_len;
    const char *payload; /* the message bytes (not always JSON, not always UTF-8) */
    size_t len;
    const char *label;   /* one JSON line, no newline: the intended decision */
    const char *kind;    /* valid | resend | conflict | unreadable */
    const char *fault;   /* what was injected ("NO_CONSENT", "INVALID_UTF8", ...) or NULL */
    const char *unit;    /* managing unit (enrollments) or NULL */
    const char *outcome; /* intended outcome ("accepted", "declined", "dead_letter", "ignored") */
} wg_message;

/* Receives each message in order; the pointers are valid only during the call. */
typedef fm_status (*wg_emit_fn)(void *arg, const wg_message *m);

#endif
