/* fm_decode_claim_life.h — decoding a claim's later life: documents added, an appeal, an appeal's review. */
#ifndef FM_DECODE_CLAIM_LIFE_H
#define FM_DECODE_CLAIM_LIFE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_model.h"

/* claim.documents_added: documents sent after the claim (1..20 of claim.submitted's vocabulary). */
typedef struct fm_documents_added {
    char *event_id;
    char *claim_id;
    char *policy_number;
    fm_documents documents;
} fm_documents_added;

/* claim.appealed: the family disagrees with a decline or a partial decision. */
typedef struct fm_appeal {
    char *event_id;
    char *claim_id;
    char *policy_number;
    char *reason;           /* 1..1000 code points: the family's words (never logged) */
    fm_documents documents; /* new documents with the appeal, 0..20 */
} fm_appeal;

typedef enum fm_appeal_action {
    FM_APPEAL_UPHOLD = 0,
    FM_APPEAL_OVERTURN,
    FM_APPEAL_ACTION_COUNT
} fm_appeal_action;

/* claim.appeal_reviewed: a reviewer upholds the decision or overturns it (with the amount it should pay). */
typedef struct fm_appeal_review {
    char *event_id;
    char *claim_id;
    char *policy_number;
    char *reviewer;
    fm_appeal_action action;
    bool has_amount; /* true exactly for overturn */
    fm_fen amount;   /* overturn: what the claim should pay in all, fen */
    char *note;      /* NULL when null */
} fm_appeal_review;

/* "uphold" / "overturn"; "?" out of range. */
const char *fm_appeal_action_name(fm_appeal_action a);

/*
 * Decoders with the contract of fm_decode.h's (field codes: schemas/events/README.md): another type is
 * WRONG_EVENT_TYPE at "type"; on FM_OK *out owns its strings (free with the matching *_free); on FM_EINVAL or
 * FM_ENOMEM *out is zeroed. Beyond the schema's types: an overturn's amount MISSING when null, an uphold's
 * MUST_BE_NULL when set. The *_json forms take a document parsed by fm_decode_parse.
 */
fm_status fm_decode_documents_added(const char *buf, size_t len, fm_documents_added *out, fm_error *err);
fm_status fm_decode_appeal(const char *buf, size_t len, fm_appeal *out, fm_error *err);
fm_status fm_decode_appeal_review(const char *buf, size_t len, fm_appeal_review *out, fm_error *err);
fm_status fm_decode_documents_added_json(const json_t *root, fm_documents_added *out, fm_error *err);
fm_status fm_decode_appeal_json(const json_t *root, fm_appeal *out, fm_error *err);
fm_status fm_decode_appeal_review_json(const json_t *root, fm_appeal_review *out, fm_error *err);

/* Free what the struct owns and zero it; NULL is allowed. */
void fm_documents_added_free(fm_documents_added *d);
void fm_appeal_free(fm_appeal *a);
void fm_appeal_review_free(fm_appeal_review *r);

#endif
