/* elig_policy.h — famins-eligibility's side of issue 16: the five policy-change events decided against the
 * policy as it stands, their rows written, and policy.change_decided made for the outbox. */
#ifndef ELIG_POLICY_H
#define ELIG_POLICY_H

#include <libpq-fe.h>

#include "elig_batch.h"
#include "fm_decode_policy.h"
#include "fm_event_id.h"
#include "fm_keyring.h"
#include "fm_plan.h"
#include "fm_worker.h"

/* The decoded form of a policy event in fm_event.decoded (its fm_event.type starts with "policy."). */
bool elig_policy_is_change(const fm_event *event);

/* Decodes a policy change already parsed by the intake (root, env): the codec's decoder, then the content
 * hash. FM_OK with out filled (out->decoded an fm_policy_event); FM_EINVAL with a dead-letter code;
 * FM_ENOMEM. */
fm_status elig_policy_decode(const json_t *root, const fm_envelope *env, fm_event *out, fm_error *err);
void elig_policy_decoded_free(fm_event *event);

typedef struct elig_policy_result {
    char event_id[FM_EVENT_ID_LEN + 1]; /* policy.change_decided's: "dec-<source>" */
    char *payload;                      /* the event's JSON, malloc'ed */
    bool accepted;
    fm_reason first_reason;
    fm_fen subsidy_reversal;
} elig_policy_result;
void elig_policy_result_free(elig_policy_result *r);

/*
 * Decides one policy change in the open transaction on conn: writes the batch's buffered rows first
 * (elig_batch_flush), reads the policy (famins.policies, policy_status, member coverage, premiums, paid
 * claims), decides with fm_decide_policy_change, writes policy_changes and, when accepted, what it moves
 * (insured_persons and member_coverage, policy_status, premium_payments), and returns the decided event.
 * FM_OK; FM_EDB / FM_ECONFIG as fm_pg_run; FM_ECONFLICT when a decision of this source event exists (another
 * member decided it); FM_ENOMEM.
 */
fm_status elig_policy_apply(elig_batch *b, PGconn *conn, const fm_plan_catalogue *cat, const fm_keyring *ring,
                            const fm_policy_event *ev, const elig_source *src, const char *occurred_at,
                            elig_policy_result *out, fm_error *err);

#endif
