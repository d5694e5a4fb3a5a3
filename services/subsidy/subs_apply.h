/* subs_apply.h — the subsidy ledger: one accepted category-A decision becomes its payers' rows and an event.
 */
#ifndef SUBS_APPLY_H
#define SUBS_APPLY_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "fm_copybuf.h"

#include "fm_error.h"
#include "fm_log.h"
#include "fm_model.h"
#include "fm_plan.h"

#define SUBS_TEXT_LEN 65

/* The part of an enrollment.decided event the ledger needs. Fixed-size, owns nothing. Text the schema allows
 * beyond ASCII is sized in bytes for its code points (FM_UTF8_BYTES): a schema-valid decision is kept
 * whole. */
typedef struct subs_decided {
    char event_id[SUBS_TEXT_LEN]; /* the enrollment.decided event's own id: the ledger's source */
    char household_id[SUBS_TEXT_LEN];
    int plan_year;
    char managing_unit[FM_UTF8_BYTES(16)];
    char policy_number[SUBS_TEXT_LEN];    /* "" when rejected */
    char plan_version[FM_UTF8_BYTES(64)]; /* "" when none */
    fm_enrollment_outcome outcome;
    fm_category category;
    fm_fen subsidy;
    bool has_split;
    fm_subsidy_split split;
} subs_decided;

/* The subsidy.allocated event id for a decided event: "sub-<id>", or when that passes 64 characters
 * "subh-" + a 32-hex-digit digest + "-" + the first 26 characters of the id. Deterministic. */
fm_status subs_event_id(const char *decided_event_id, char out[SUBS_TEXT_LEN]);

typedef struct subs_config {
    const fm_plan_catalogue *catalogue; /* for the cross-check; borrowed */
    const fm_logger *logger;            /* may be NULL */
} subs_config;

typedef struct subs_result {
    bool allocated;               /* false: rejected or category B, nothing written */
    bool catalogue_mismatch;      /* the catalogue's split for the same plan version differs */
    char event_id[SUBS_TEXT_LEN]; /* of the subsidy.allocated event, when allocated */
    char *payload;                /* the subsidy.allocated event (malloc'ed) when allocated, else NULL */
} subs_result;

/*
 * Allocates d's subsidy: for an accepted category-A decision, buffers in ledger (subs_ledger_write writes
 * them) one subsidy_ledger row per payer with a non-zero share (a zero share owes nothing and gets no row,
 * like the subsidy.allocated event, which lists only paying payers), then the subsidy.allocated payload for
 * the caller to queue (key: household id). Rejected and category-B decisions: FM_OK, nothing written. The
 * decision's own split is what is booked: it is the split of the plan version the decision names and was
 * published with it. The catalogue is only cross-checked (same plan year and version, same unit): a
 * difference is logged (warn, subsidy_split_mismatch) and reported in out->catalogue_mismatch. FM_EINVAL (a
 * dead letter; err->code SUBSIDY_INCONSISTENT) when an accepted A decision has no split, a negative share, a
 * total other than 4000 or shares that do not add up to it, or no policy number; FM_ENOMEM (the ledger buffer
 * is then unusable: fail the batch). On failure *out owns nothing.
 */
fm_status subs_apply(fm_copybuf *ledger, const subs_config *cfg, const subs_decided *d,
                     const char *occurred_at, subs_result *out, fm_error *err);

/* Writes the buffered ledger rows with one COPY in the open transaction on conn. FM_OK; FM_EDB with err->code
 * the SQLSTATE (a lost connection, or a refused row, class 22/23, which the runtime ties to its message). */
fm_status subs_ledger_write(PGconn *conn, const fm_copybuf *ledger, fm_error *err);

/* Frees out->payload and zeroes *out; NULL allowed. */
void subs_result_free(subs_result *out);

#endif
