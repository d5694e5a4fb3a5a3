/* fm_decode_policy.h — decoding the policy's life events (issue 16): the five inputs on enrollment.submitted
 * and policy.change_decided, which famins-subsidy consumes (schemas/events/policy.*.schema.json). */
#ifndef FM_DECODE_POLICY_H
#define FM_DECODE_POLICY_H

#include "fm_decode.h"
#include "fm_policy_rules.h"

/* One input event: policy.member_added, .member_removed, .cancelled, .premium_paid, .premium_refunded.
 * Owns id_number and name (personal data: never logged); free with fm_policy_event_free. */
typedef struct fm_policy_event {
    char event_id[FM_ASCII_BYTES(64)];
    fm_event_type type;
    fm_change_kind kind;
    char household_id[FM_ASCII_BYTES(32)];
    int plan_year;
    fm_date effective_on;
    fm_role role;    /* member_added */
    char *id_number; /* member_added, member_removed; NULL otherwise */
    char *name;      /* member_added; NULL otherwise */
    fm_fen amount;   /* premium_paid, premium_refunded */
    char reference[FM_UTF8_BYTES(64)];
} fm_policy_event;

void fm_policy_event_free(fm_policy_event *e);

/* True for the five input types above. */
bool fm_event_type_is_policy_change(fm_event_type t);

/* Decodes any of the five (the envelope's type chooses), with the codec's paths and codes; another type is
 * WRONG_EVENT_TYPE at "type". On FM_EINVAL / FM_ENOMEM *out owns nothing. */
fm_status fm_decode_policy_event_json(const json_t *root, fm_policy_event *out, fm_error *err);
fm_status fm_decode_policy_event(const char *buf, size_t len, fm_policy_event *out, fm_error *err);

/* The part of policy.change_decided that famins-subsidy books. Fixed-size. */
typedef enum fm_reversal_reason {
    FM_REVERSAL_NONE = 0,
    FM_REVERSAL_CATEGORY_A_LOST,
    FM_REVERSAL_CANCELLED,
    FM_REVERSAL_REASON_COUNT
} fm_reversal_reason;
const char *fm_reversal_reason_name(fm_reversal_reason r); /* "none" | "category_a_lost" | "cancelled" */

typedef struct fm_policy_change_decided {
    char event_id[FM_ASCII_BYTES(64)];
    char source_event_id[FM_ASCII_BYTES(64)];
    fm_change_kind change;
    char household_id[FM_ASCII_BYTES(32)];
    int plan_year;
    char managing_unit[FM_UTF8_BYTES(16)];
    char policy_number[FM_ASCII_BYTES(48)]; /* "" when null */
    bool accepted;
    fm_fen premium_delta;
    fm_fen refund;
    fm_fen reversal_amount;
    fm_reversal_reason reversal_reason;
    fm_fen reversed_before;
    fm_subsidy_split split;
    char plan_version[FM_UTF8_BYTES(64)]; /* "" when null */
} fm_policy_change_decided;

/* Decodes policy.change_decided. Beyond the schema: a reversal (amount > 0) needs a reason other than none,
 * an accepted outcome and a policy number (INCONSISTENT at subsidy_reversal). */
fm_status fm_decode_policy_change_decided_json(const json_t *root, fm_policy_change_decided *out,
                                               fm_error *err);
fm_status fm_decode_policy_change_decided(const char *buf, size_t len, fm_policy_change_decided *out,
                                          fm_error *err);

#endif
