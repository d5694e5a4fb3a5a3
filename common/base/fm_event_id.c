/* fm_event_id.c — event ids derived from another event's: one function, each service's format as data. */
#include "fm_event_id.h"

#include <stdio.h>
#include <string.h>

#define FNV_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* Eligibility's and subsidy's first basis lacks the standard basis's last digit (14695981039346656037): kept,
 * as their ids must stay what they were. */
const fm_derived_id_format FM_ID_ENROLLMENT_DECIDED = {.prefix = "dec-",
                                                       .hashed_prefix = "dech-",
                                                       .basis1 = 1469598103934665603ULL,
                                                       .basis2 = FNV_PRIME * 31ULL,
                                                       .add2 = 0x9e3779b97f4a7c15ULL,
                                                       .tail = 26};
const fm_derived_id_format FM_ID_SUBSIDY_ALLOCATED = {.prefix = "sub-",
                                                      .hashed_prefix = "subh-",
                                                      .basis1 = 1469598103934665603ULL,
                                                      .basis2 = FNV_PRIME * 31ULL,
                                                      .add2 = 0x9e3779b97f4a7c15ULL,
                                                      .tail = 26};
const fm_derived_id_format FM_ID_CLAIM_DECIDED = {.prefix = "famins-clm-dec-",
                                                  .hashed_prefix = "famins-clm-dec-h",
                                                  .basis1 = FNV_BASIS,
                                                  .basis2 = 0x84222325cbf29ce4ULL,
                                                  .add2 = 0,
                                                  .tail = 0};

fm_status fm_derived_event_id(const fm_derived_id_format *f, const char *source_event_id,
                              char out[FM_EVENT_ID_LEN + 1])
{
    out[0] = '\0';
    if (source_event_id == NULL || source_event_id[0] == '\0')
        return FM_EINVAL;
    size_t lp = strlen(f->prefix), ls = strlen(source_event_id);
    if (lp + ls <= FM_EVENT_ID_LEN) {
        memcpy(out, f->prefix, lp);
        memcpy(out + lp, source_event_id, ls + 1);
        return FM_OK;
    }
    /* Too long to prefix: 128 bits of two FNV-1a digests tell ids apart, within the envelope's limit. */
    uint64_t h1 = f->basis1, h2 = f->basis2;
    for (const unsigned char *c = (const unsigned char *)source_event_id; *c; c++) {
        h1 = (h1 ^ *c) * FNV_PRIME;
        h2 = (h2 ^ *c) * FNV_PRIME + f->add2;
    }
    int n = snprintf(out, FM_EVENT_ID_LEN + 1, "%s%016llx%016llx", f->hashed_prefix, (unsigned long long)h1,
                     (unsigned long long)h2);
    if (f->tail > 0 && n > 0 && n < FM_EVENT_ID_LEN) {
        /* The tail is cut to what is left (the formats in use fill the limit exactly). */
        size_t room = (size_t)(FM_EVENT_ID_LEN - n) - 1, take = ls < (size_t)f->tail ? ls : (size_t)f->tail;
        take = take < room ? take : room;
        out[n] = '-';
        memcpy(out + n + 1, source_event_id, take);
        out[n + 1 + take] = '\0';
    }
    return FM_OK;
}
