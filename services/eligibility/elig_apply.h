/* elig_apply.h — one enrollment.submitted event of a batch taken to its decision: facts, rules, rows, decided
 * event. */
#ifndef ELIG_APPLY_H
#define ELIG_APPLY_H

#include "elig_batch.h"
#include "fm_eligibility.h"
#include "fm_error.h"
#include "fm_event_id.h"
#include "fm_model.h"
#include "fm_plan.h"

/* The event id of the enrollment.decided event for a source event: "dec-<source>", or, when that would
 * pass the envelope's 64 characters, "dech-" + a 32-hex-digit digest + "-" + the first 26 characters of the
 * source id. The same source always gives the same id, so consumers deduplicate a decision published twice.
 */
#define ELIG_EVENT_ID_LEN (FM_EVENT_ID_LEN + 1)
fm_status elig_decided_event_id(const char *source_event_id, char out[ELIG_EVENT_ID_LEN]);

/* What the service needs besides the event. Borrowed; must outlive the calls. */
typedef struct elig_config {
    const fm_plan_catalogue *catalogue;
    const fm_keyring *keyring; /* person keys: the current key for new rows, every key for lookups */
} elig_config;

/* The result of one applied event. payload is malloc'ed (the caller frees it, or elig_result_free). */
typedef struct elig_result {
    fm_enrollment_decision decision;
    char event_id[ELIG_EVENT_ID_LEN]; /* of the enrollment.decided event */
    char *payload;                    /* the enrollment.decided event, compact JSON */
} elig_result;

/*
 * Decides e (decoded, with its event_id), one of the events elig_batch_prepare read the facts of, after the
 * batch's earlier events, and buffers its rows in b (elig_batch_add; elig_batch_write writes them).
 * occurred_at is the decided event's timestamp (RFC 3339). The caller queues out->payload on the
 * enrollment.decided topic, keyed by household id, in the same transaction. Returns FM_OK with *out filled;
 * FM_EINVAL when the event breaks the rules' input limits (a dead letter; err says why); FM_ECONFLICT when a
 * decision for this event exists although the runtime's deduplication read did not find the event processed:
 * another member committed it meanwhile, and the runtime redoes the batch (which then skips it as a
 * duplicate; fm_worker.h); FM_ENOMEM. On failure *out owns nothing. That e was prepared is asserted (the
 * runtime applies only prepared events).
 */
fm_status elig_apply(elig_batch *b, const elig_config *cfg, const fm_enrollment *e, const elig_source *src,
                     const char *occurred_at, elig_result *out, fm_error *err);

/* Frees out->payload and zeroes *out; NULL allowed. */
void elig_result_free(elig_result *out);

#endif
