/* fm_policy_rules.h — pure rules of a policy's life after enrollment: member changes, cancellation, premium
 * payments, lapse, and the subsidy reversal split (domain.md, "Policy changes"; issue 16). */
#ifndef FM_POLICY_RULES_H
#define FM_POLICY_RULES_H

#include "fm_error.h"
#include "fm_model.h"
#include "fm_plan.h"
#include "fm_reasons.h"

#include <stdbool.h>

#define FM_MAX_CHANGE_REASONS 8

typedef enum fm_change_kind {
    FM_CHANGE_MEMBER_ADDED = 0,
    FM_CHANGE_MEMBER_REMOVED,
    FM_CHANGE_CANCELLED,
    FM_CHANGE_PREMIUM_PAID,
    FM_CHANGE_PREMIUM_REFUNDED,
    FM_CHANGE_KIND_COUNT
} fm_change_kind;

/* Why a category-A household was A: the only-child certificate or the rural two-daughter flag. */
typedef enum fm_a_basis { FM_A_BASIS_NONE = 0, FM_A_BASIS_ONLY_CHILD, FM_A_BASIS_TWO_DAUGHTERS } fm_a_basis;

/* The policy as it stands before the change (eligibility's facts). */
typedef struct fm_policy_state {
    bool exists;
    fm_category category;
    fm_a_basis a_basis; /* for category A */
    bool cancelled;     /* cancelled_on set */
    fm_date cancelled_on;
    fm_date coverage_start;
    fm_date coverage_end;
    int n_children;           /* insured children now */
    bool all_children_female; /* of the insured children now */
    fm_fen premium;           /* the household premium now (the plan's table for category and children) */
    fm_fen subsidy;           /* subsidy allocated (4000 for A, else 0) */
    fm_fen subsidy_reversed;  /* reversed so far */
    fm_fen self_paid;         /* what the household owes in all: premium - subsidy + every delta so far */
    fm_fen premium_paid;      /* premium payments recorded */
    fm_fen premium_refunded;  /* refunds recorded (events and cancellation refunds) */
    bool claim_paid;          /* a claim of the policy was paid (approved or partial) */
    fm_subsidy_split split;   /* the allocation, category A */
} fm_policy_state;

/* The change, with what the service read of the person (never the identity number itself). */
typedef struct fm_policy_change {
    fm_change_kind kind;
    fm_date on; /* the change's date (birth registered, left, cancelled, paid, refunded) */
    /* member added / removed */
    fm_role role;
    bool id_valid;               /* added: the identity number is well formed */
    fm_date birth;               /* added: read from the number */
    bool female;                 /* added: read from the number */
    bool already_member;         /* added: already insured in this policy; removed: insured in it now */
    bool insured_elsewhere;      /* added: insured in another household this plan year */
    fm_date member_covered_from; /* removed: the member's own cover start (for the decision's record) */
    /* premium paid / refunded */
    fm_fen amount;
} fm_policy_change;

typedef struct fm_policy_change_decision {
    bool accepted;
    fm_reason reasons[FM_MAX_CHANGE_REASONS]; /* refusal reasons, or notes on an acceptance */
    size_t n_reasons;
    fm_category category_after;
    int n_children_after;
    fm_date member_covered_from;     /* added: the day after the change (or cover start, if later) */
    fm_date member_covered_to;       /* added: plan end; removed: the change date */
    fm_date covered_to;              /* cancelled: the cancellation date (claims after it: NOT_IN_FORCE) */
    int32_t days_left;               /* days of cover after the change date */
    int32_t days_total;              /* days of the policy's cover */
    fm_fen premium_after;            /* the household premium from the change on */
    fm_fen premium_delta;            /* pro-rata difference the household pays (+) or gets back (-) */
    fm_fen refund;                   /* cancellation: the household's premium refunded */
    fm_fen subsidy_reversal;         /* the subsidy reversed (category A lost or cancelled) */
    fm_subsidy_split reversal_split; /* subsidy_reversal per payer (each >= 0, adding up to it) */
    fm_fen self_paid_delta;          /* premium_delta + subsidy_reversal: what the household owes more */
} fm_policy_change_decision;

/* "member_added", ...; "?" out of range. */
const char *fm_change_kind_name(fm_change_kind k);

/* Days of cover after date d: all of them when d is before cover start, none from cover end on. */
int32_t fm_policy_days_after(fm_date d, fm_date coverage_start, fm_date coverage_end);

/* amount x days_left / days_total rounded toward zero (so a pro-rata amount never exceeds the exact share);
 * 0 when days_total <= 0. Works for negative amounts (a premium decrease). */
fm_fen fm_policy_pro_rata(fm_fen amount, int32_t days_left, int32_t days_total);

/*
 * The allocation of `amount` fen (0..sum of split) among the payers in the split's proportions, by handing
 * out fen one at a time to the payer furthest below its exact share (ties: city, district or county, zone).
 * It is monotone (one more fen never takes a fen from a payer), gives each payer at most its share of the
 * split, and at the full subsidy gives the split itself. FM_EINVAL for a negative share or amount out of
 * range.
 */
fm_status fm_subsidy_apportion(const fm_subsidy_split *split, fm_fen amount, fm_subsidy_split *out);

/*
 * The reversal rows of `amount` fen when `already` fen were reversed before: apportion(already + amount) -
 * apportion(already), every payer >= 0, adding up to amount, and a payer never reversed beyond its share.
 * FM_EINVAL when already + amount exceeds the subsidy or either is negative.
 */
fm_status fm_subsidy_reversal_split(const fm_subsidy_split *split, fm_fen already, fm_fen amount,
                                    fm_subsidy_split *out);

/* The household premium of the plan for a category and a number of insured children (1..3), or -1. */
fm_fen fm_policy_premium(const fm_plan *plan, fm_category category, int n_children);

/* Decides one change of a policy. FM_OK with *out filled (accepted or refused with reasons), FM_EINVAL for an
 * impossible input (no plan, a kind out of range). Pure: the same inputs, the same decision. */
fm_status fm_decide_policy_change(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                                  fm_policy_change_decision *out, fm_error *err);

/* The premium's grace date: cover start + the plan's grace days. */
fm_date fm_policy_grace_date(const fm_plan *plan, fm_date coverage_start);

/* Premium tracking: the policy lapses after the grace date when what was paid on or before it is less than
 * the household's due (self_paid at enrollment). Never with tracking off, never when nothing is due. */
bool fm_policy_lapsed(const fm_plan *plan, fm_fen due, fm_fen paid_by_grace);

/* The in-force check of a claim's incident date against the policy's life: the member's own cover
 * [member_from, member_to], the cancellation date, and the lapse (incident after the grace date). */
typedef struct fm_policy_cover {
    fm_date member_from;
    fm_date member_to;
    bool cancelled;
    fm_date cancelled_on;
    bool lapsed;
    fm_date grace_date;
} fm_policy_cover;
bool fm_policy_in_force_on(const fm_policy_cover *cov, fm_date incident);

#endif
