/* fm_encode_policy.h — writing policy.change_decided and subsidy.reversed (issue 16) as JSON. */
#ifndef FM_ENCODE_POLICY_H
#define FM_ENCODE_POLICY_H

#include "fm_decode_policy.h"
#include "fm_encode.h"

/* What the decision names beside the rules' output: the policy it changed (NULL policy_number when none was
 * found) and the insured person's index in the policy (-1 when none). */
typedef struct fm_policy_change_record {
    const fm_policy_event *event;
    const fm_policy_state *before;
    const fm_policy_change_decision *decision;
    const char *managing_unit; /* "" when no policy */
    const char *policy_number; /* NULL when no policy */
    const char *plan_version;  /* NULL when no plan */
    int member_index;
} fm_policy_change_record;

/* The reason of the decision's subsidy reversal: category A lost or the policy cancelled (none without). */
fm_reversal_reason fm_policy_reversal_reason(const fm_policy_change_record *r);

/* The body of policy.change_decided (every field but the envelope); labels: reasons as {code, en, zh}
 * objects for people (famins-rules), else codes. FM_OK with *out (json_decref), FM_ENOMEM. */
fm_status fm_policy_change_json(const fm_policy_change_record *r, bool labels, json_t **out);

/* Whole events, compact JSON with the envelope; *json_out malloc'ed (free) on FM_OK. */
fm_status fm_encode_policy_change_decided(const fm_policy_change_record *r, const char *event_id,
                                          const char *occurred_at, char **json_out);
/* The reversal of a decided change: rows per payer (each >= 0; zero ones left out), adding up to the amount.
 * FM_EINVAL when nothing is reversed or the rows do not add up. */
fm_status fm_encode_subsidy_reversed(const fm_policy_change_decided *d, const fm_subsidy_split *rows,
                                     const char *event_id, const char *occurred_at, char **json_out);

#endif
