/* elig_apply.c — one enrollment.submitted event of a batch taken to its decision: facts, rules, rows, decided
 * event. */
#include "elig_apply.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_encode.h"
#include "fm_event_id.h"
#include "fm_explain.h"

fm_status elig_decided_event_id(const char *source_event_id, char out[ELIG_EVENT_ID_LEN])
{
    return fm_derived_event_id(&FM_ID_ENROLLMENT_DECIDED, source_event_id, out);
}

void elig_result_free(elig_result *out)
{
    if (out == NULL)
        return;
    free(out->payload);
    memset(out, 0, sizeof *out);
}

fm_status elig_apply(elig_batch *b, const elig_config *cfg, const fm_enrollment *e, const elig_source *src,
                     const char *occurred_at, elig_result *out, fm_error *err)
{
    fm_status st;
    elig_person people[FM_MAX_MEMBERS];
    elig_facts facts;
    memset(out, 0, sizeof *out);
    if (e->n_members > FM_MAX_MEMBERS || e->event_id == NULL || e->household_id == NULL) {
        fm_error_set(err, "members", "SCHEMA_VIOLATION", "the event breaks the enrollment schema's limits");
        return FM_EINVAL;
    }
    if ((st = elig_decided_event_id(e->event_id, out->event_id)) != FM_OK) {
        fm_error_set(err, "event_id", "SCHEMA_VIOLATION", "the event has no event_id");
        return st;
    }
    /* Identity numbers were read as of the submission day, like the rules read them, by the batch's prepare
     * step: an event it was not given has no facts and no decision id either. */
    const elig_person *read = elig_batch_people(b, e);
    assert(read != NULL && "the runtime applies only events it gave prepare_batch (fm_worker.h)");
    memcpy(people, read, e->n_members * sizeof *people);
    if ((st = elig_batch_facts(b, e, people, &facts, err)) != FM_OK)
        return st;
    if (facts.already_decided) {
        /* Decided already: by another member (a zombie, or one finishing a revoked partition's batch) after
         * the runtime's deduplication read — the runtime redoes the batch, which then sees a duplicate — or
         * before the deduplication window ended, when the runtime finds no row and counts a duplicate. */
        fm_error_set(err, "event_id", "ALREADY_DECIDED",
                     "event %s was decided by another member after the deduplication read", e->event_id);
        return FM_ECONFLICT;
    }
    if ((st = fm_decide_enrollment(cfg->catalogue, e, &facts.facts, &out->decision, err)) != FM_OK) {
        if (st == FM_EINVAL)
            snprintf(err->code, sizeof err->code, "SCHEMA_VIOLATION");
        return st;
    }
    /* Built once: the decision's row and its enrollment.decided event carry the same two lines. */
    fm_explanation explanation;
    fm_explain_enrollment_both(&out->decision, &explanation);
    if ((st = elig_batch_add(b, e, people, &facts, &out->decision, &explanation, src)) != FM_OK)
        return st;
    st = fm_encode_enrollment_decided_explained(e, &out->decision, &explanation, out->event_id, occurred_at,
                                                &out->payload);
    if (st != FM_OK) {
        fm_error_set(err, "", "ENCODE", "the enrollment.decided event could not be written (%s)",
                     fm_status_name(st));
        return st;
    }
    return FM_OK;
}
