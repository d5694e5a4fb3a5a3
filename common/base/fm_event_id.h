/* fm_event_id.h — event ids: their length, and the ids derived from another event's id. */
#ifndef FM_EVENT_ID_H
#define FM_EVENT_ID_H

#include <stdint.h>

#include "fm_error.h"

/* The envelope's event_id limit in characters (schemas/events/envelope.schema.json); buffers hold one more.
 */
#define FM_EVENT_ID_LEN 64

/* How one service derives its events' ids from their sources': prefix + source id while that fits in
 * FM_EVENT_ID_LEN, else hashed_prefix + two 64-bit FNV-1a digests of the source id in hex (the first from
 * basis1; the second from basis2, adding add2 after each multiplication), then, when tail > 0,
 * '-' and the source id's first tail bytes. Formats are data so that the ids a service produced before stay
 * byte-identical: consumers deduplicate on them. */
typedef struct fm_derived_id_format {
    const char *prefix;
    const char *hashed_prefix;
    uint64_t basis1;
    uint64_t basis2;
    uint64_t add2;
    int tail;
} fm_derived_id_format;

/* The formats in use (each service's own; see services/<name>/README.md):
 * "dec-<id>", "dech-<hex><hex>-<26 bytes>"; "sub-<id>", "subh-<hex><hex>-<26 bytes>";
 * "famins-clm-dec-<id>", "famins-clm-dec-h<hex><hex>". */
extern const fm_derived_id_format FM_ID_ENROLLMENT_DECIDED;
extern const fm_derived_id_format FM_ID_SUBSIDY_ALLOCATED;
extern const fm_derived_id_format FM_ID_CLAIM_DECIDED;

/* The id derived from source_event_id in format f, into out. Pure and stable: a replayed source gets the same
 * id. FM_EINVAL (out empty) when source_event_id is NULL or empty. */
fm_status fm_derived_event_id(const fm_derived_id_format *f, const char *source_event_id,
                              char out[FM_EVENT_ID_LEN + 1]);

#endif
