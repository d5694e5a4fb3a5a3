/* fm_policy_terms.h — the plan parameters of a policy's life after enrollment (issue 16): how member
 * changes, cancellations, the loss of category A and the premium are priced (schemas/plans/README.md). */
#ifndef FM_POLICY_TERMS_H
#define FM_POLICY_TERMS_H

#include <stdbool.h>
#include <stdint.h>

/* How an amount is carried over to the part of the cover still to come. */
typedef enum fm_prorata {
    FM_PRORATA_NONE = 0, /* nothing moves */
    FM_PRORATA_DAYS,     /* amount x days of cover left / days of the policy's cover, rounded down */
    FM_PRORATA_FULL,     /* all that remains (subsidy reversal on cancellation only) */
    FM_PRORATA_COUNT
} fm_prorata;

/* The premium is paid by the household within this many days after cover starts, by default. */
#define FM_PREMIUM_GRACE_DAYS_DEFAULT 30

typedef struct fm_policy_terms {
    fm_prorata premium_difference;            /* a change of the insured children's count: none | days */
    fm_prorata category_a_loss_reversal;      /* A evidence lost mid-year: subsidy reversed, none | days */
    fm_prorata cancellation_refund;           /* the household's own premium back: none | days */
    bool refund_after_paid_claim;             /* false: no refund once any claim of the policy was paid */
    fm_prorata cancellation_subsidy_reversal; /* category A cancelled: none | days | full */
    bool premium_tracking;                    /* true: an unpaid premium lapses the policy */
    int32_t premium_grace_days;               /* paid by cover start + this many days */
} fm_policy_terms;

/* The terms of a plan file without "policy_changes" (and the starting point of one that has it). */
fm_policy_terms fm_policy_terms_default(void);

/* "none" | "days" | "full"; "?" out of range. parse: true and *out set when known. */
const char *fm_prorata_name(fm_prorata v);
bool fm_prorata_parse(const char *s, fm_prorata *out);

#endif
