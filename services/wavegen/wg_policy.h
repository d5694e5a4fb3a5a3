/* wg_policy.h — a household's policy events through the year (issue 16: newborns, members leaving,
 * cancellations, premium payments), each labelled with the decision it was built to get — computed from the
 * construction, never by the rules' code. */
#ifndef WG_POLICY_H
#define WG_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"
#include "wg_emit.h"
#include "wg_idnum.h"
#include "wg_plan.h"
#include "wg_rng.h"

#define WG_POLICY_MAX_CHILDREN 8

/* The plan's "policy_changes" block (schemas/plans/README.md), read by wavegen itself. */
typedef struct wg_policy_terms {
    bool premium_difference_days;
    bool category_a_loss_days;
    bool refund_days;
    int cancel_reversal; /* 0 none, 1 days, 2 full */
    bool tracking;
    int32_t grace_days;
} wg_policy_terms;

/* dir/plan-<year>.json's policy_changes (absent: the catalogue's defaults). FM_EIO, FM_EINVAL. */
fm_status wg_policy_terms_load(const char *dir, int year, wg_policy_terms *out, fm_error *err);

/* An accepted household as enrolled (the generator's own knowledge of it). Strings borrowed. */
typedef struct wg_policy_household {
    const char *household_id;
    const char *event_id; /* its enrollment's: the policy events' ids derive from it */
    const char *producer;
    char category; /* 'A' or 'B' */
    int n_children;
    bool children_female;                          /* every insured child is a girl */
    const char *child_ids[WG_POLICY_MAX_CHILDREN]; /* the insured children's numbers (canonical) */
    int64_t premium, subsidy;
    int32_t cov_start, cov_end;
    int area_index; /* of the registry, for a newborn's number */
    const char *surname;
} wg_policy_household;

/* One to three policy events for h (a premium payment, a newborn, a child leaving, a cancellation and its
 * repeat), handed to emit in order with their labels (kind "policy"). ids issues a newborn's number.
 * FM_OK, the first error of emit, FM_ENOMEM, or wg_idreg_issue's error. */
fm_status wg_policy_emit(const wg_plan *plan, const wg_policy_terms *t, wg_idreg *ids, wg_rng *r,
                         const wg_policy_household *h, wg_emit_fn emit, void *arg);

#endif
