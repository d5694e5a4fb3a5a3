/* wg_corrupt.h — turns an event into an unreadable message of a chosen kind (the dead letters famins must
 * catch). */
#ifndef WG_CORRUPT_H
#define WG_CORRUPT_H

#include <jansson.h>
#include <stddef.h>

#include "fm_error.h"
#include "wg_rng.h"

typedef enum wg_unreadable {
    WG_U_INVALID_JSON = 0, /* cut short on a character boundary: an object never closed */
    WG_U_INVALID_UTF8,     /* a string field with bytes that are not UTF-8 */
    WG_U_SCHEMA,           /* the caller breaks one field before calling (path and code are its own) */
    WG_U_SCHEMA_VERSION,   /* schema_version 2 */
    WG_U_TOO_LARGE,        /* valid JSON padded with spaces just past famins' size limit */
    WG_U_COUNT
} wg_unreadable;

/* The dead-letter code of each kind ("INVALID_JSON", ..., "MESSAGE_TOO_LARGE"). */
extern const char *const wg_unreadable_ids[WG_U_COUNT];

/* The placeholder a caller puts in one string field of the event for WG_U_INVALID_UTF8: it is replaced
 * by invalid bytes after serialisation. */
#define WG_BAD_UTF8_MARKER "~BADUTF8~"

/* Serialises o (borrowed; schema_version is set to 2 in it for WG_U_SCHEMA_VERSION) and applies the
 * kind's damage. *out is a malloc'd buffer of *len bytes (NUL-terminated) that the caller frees.
 * max_bytes: famins' limit, for WG_U_TOO_LARGE. FM_ENOMEM, or FM_EINVAL when the marker is missing
 * for WG_U_INVALID_UTF8. */
fm_status wg_corrupt(json_t *o, wg_unreadable kind, size_t max_bytes, wg_rng *r, char **out, size_t *len);

#endif
