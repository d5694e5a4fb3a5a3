/* fm_encode.h — writing famins' output events (enrollment.decided, subsidy.allocated, claim.decided) as JSON.
 */
#ifndef FM_ENCODE_H
#define FM_ENCODE_H

#include "fm_claim_rules.h"
#include "fm_eligibility.h"
#include "fm_error.h"
#include "fm_explain.h"
#include "fm_model.h"

#include <jansson.h>
#include <stdbool.h>

/* The producer name famins writes into the envelope of its events. */
#define FM_PRODUCER "famins"

/*
 * The body of an enrollment.decided event (every field but the envelope), as in
 * schemas/events/enrollment.decided.schema.json. labels: each reason object also carries "en" and "zh"
 * labels (for people, e.g. famins-rules; the event itself has none). The explanation comes from
 * fm_explain_enrollment_both. On FM_OK *out is a new object the caller releases with json_decref;
 * FM_ENOMEM, or FM_EINVAL when the decision holds an out-of-range value.
 */
fm_status fm_enrollment_decision_json(const fm_enrollment *e, const fm_enrollment_decision *d, bool labels,
                                      json_t **out);

/* The body of a claim.decided event. review is the review this decision completes, or NULL.
 * Signals: DUPLICATE_INVOICE when a bill was excluded; NOT_IN_FORCE and PERSON_DECEASED when they are
 * the reason (claims for incidents outside cover, or for a deceased person, are recorded as fraud
 * signals). Parameters: plan_version and every applied parameter that is not 0. Same ownership. */
fm_status fm_claim_decision_json(const fm_claim *c, const fm_claim_decision *d, const fm_review *review,
                                 bool labels, json_t **out);

/*
 * Whole events, compact JSON, with the envelope (event_id, type, schema_version 1, occurred_at,
 * producer FM_PRODUCER). event_id and occurred_at are the caller's (a decision derived again from the
 * same input must get the same event_id). On FM_OK *json_out is a malloc'ed NUL-terminated string the
 * caller frees; otherwise *json_out is NULL. FM_EINVAL when event_id or occurred_at is NULL, or the
 * source event has no event_id (e->event_id, c->event_id or review->event_id).
 */
fm_status fm_encode_enrollment_decided(const fm_enrollment *e, const fm_enrollment_decision *d,
                                       const char *event_id, const char *occurred_at, char **json_out);
/* fm_encode_enrollment_decided with the explanation given: the event carries exactly x's two lines (from
 * fm_explain_enrollment_both, so that the decision's record can store the same ones); x NULL: built here. */
fm_status fm_encode_enrollment_decided_explained(const fm_enrollment *e, const fm_enrollment_decision *d,
                                                 const fm_explanation *x, const char *event_id,
                                                 const char *occurred_at, char **json_out);
/* The category-A subsidy of an accepted household; source_event_id is the enrollment.decided event's id.
 * Payers with a share of 0 are left out. FM_EINVAL unless the decision is accepted in category A. */
fm_status fm_encode_subsidy_allocated(const fm_enrollment *e, const fm_enrollment_decision *d,
                                      const char *source_event_id, const char *event_id,
                                      const char *occurred_at, char **json_out);
/* source_event_id is the review's event id when review is given, else the claim's. */
fm_status fm_encode_claim_decided(const fm_claim *c, const fm_claim_decision *d, const fm_review *review,
                                  const char *event_id, const char *occurred_at, char **json_out);
/* fm_encode_claim_decided from one body, which also gives the event's "parameters" object as compact JSON
 * with sorted keys (*params_out, "{}" when absent; params_out may be NULL), for the decision's record. On
 * failure both outputs are NULL; on FM_OK the caller frees both. */
fm_status fm_encode_claim_decided_params(const fm_claim *c, const fm_claim_decision *d,
                                         const fm_review *review, const char *event_id,
                                         const char *occurred_at, char **json_out, char **params_out);
/* fm_encode_claim_decided_params with the explanation given: the event carries exactly x's two lines (from
 * fm_explain_claim_both, so that the decision's record stores the same ones); x NULL: built here. */
fm_status fm_encode_claim_decided_explained(const fm_claim *c, const fm_claim_decision *d,
                                            const fm_review *review, const fm_explanation *x,
                                            const char *event_id, const char *occurred_at, char **json_out,
                                            char **params_out);

#endif
