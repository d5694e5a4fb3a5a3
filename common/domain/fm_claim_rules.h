/* fm_claim_rules.h — adjudicating a claim and a reviewer's decision on a pending claim. */
#ifndef FM_CLAIM_RULES_H
#define FM_CLAIM_RULES_H

#include "fm_error.h"
#include "fm_model.h"
#include "fm_plan.h"
#include "fm_reasons.h"

#include <stdbool.h>

#define FM_MAX_CLAIM_REASONS 8

/* What has been paid to a person (or counted against them) in the plan year. */
typedef struct fm_claim_usage {
    fm_fen death_paid;
    fm_fen disability_paid;
    fm_fen ci_mild_paid;                   /* > 0: the once-a-year mild benefit was paid */
    fm_fen ci_severe_paid;                 /* > 0: no further critical-illness payment */
    fm_fen deductible_used[FM_LIAB_COUNT]; /* medical liabilities only */
    fm_fen medical_paid[FM_LIAB_COUNT];    /* medical liabilities only */
} fm_claim_usage;

/* What the service looked up for the claim (the rules do no I/O). */
typedef struct fm_claim_context {
    bool policy_found;
    int plan_year; /* of the policy; must equal plan->plan_year */
    fm_date coverage_start;
    fm_date coverage_end;
    bool person_found; /* the insured_id_number is an insured member of the policy */
    fm_role role;
    bool renewal;         /* insured the previous plan year (famins or previously_insured) */
    bool deceased;        /* a death benefit was already paid for the person */
    fm_claim_usage usage; /* the person's usage in the plan year before this claim */
    fm_fen household_medical_paid[FM_LIAB_COUNT]; /* the household's medical paid, per liability */
    bool bill_already_claimed[FM_MAX_BILLS];      /* per claim bill: (code, number) seen in any claim */
    bool has_receipt;    /* the service knows when it received the claim (false: the check is skipped) */
    fm_date received_on; /* the receipt date: the claim event's occurred_at in Asia/Shanghai */
} fm_claim_context;

/* The parameters of the plan that the decision applied (0 when not relevant). */
typedef struct fm_claim_params {
    fm_fen sum_insured;
    int32_t grade; /* the effective disability grade after the several-injuries rule */
    int32_t grade_bp;
    fm_fen deductible;
    fm_fen deductible_applied; /* the part of the deductible this claim used */
    int32_t ratio_bp;
    fm_fen person_limit;
    bool household_shared;
    fm_fen household_limit;
    int32_t waiting_days;
    fm_fen review_threshold;
} fm_claim_params;

typedef struct fm_claim_decision {
    fm_claim_outcome outcome;
    fm_fen payable;                          /* 0 unless approved or partial */
    fm_fen full;                             /* before earlier payments, limits and excluded bills */
    fm_fen computed;                         /* what the amount rules give (for pending_review: what a review
                                                approval would pay now); equals payable when not pending */
    fm_reason reasons[FM_MAX_CLAIM_REASONS]; /* sorted by enum order */
    size_t n_reasons;
    fm_claim_params applied;
    bool usage_changed;       /* write new_usage / new_household_medical_paid when true */
    fm_claim_usage new_usage; /* the person's usage after this decision */
    fm_fen new_household_medical_paid[FM_LIAB_COUNT];
    bool bill_excluded[FM_MAX_BILLS]; /* DUPLICATE_INVOICE, per claim bill */
    size_t n_bills;
    char plan_version[FM_VERSION_LEN];
    /* fraud signal CAUSE_IMPLAUSIBLE: a critical illness declared as accident whose diagnosis the plan does
     * not mark as accident-causable (fm_claim_cause_implausible); set whatever the outcome */
    bool cause_implausible;
    /* Lump-sum liabilities (death, critical illness, disability): the benefit the claim asks for under the
     * plan, for the person's role (the sum insured; a mild critical illness its ratio of it; disability by
     * the effective grade), before any check or earlier payment, so that claimed and paid can be compared. 0
     * when the policy or the person is not found, for an invalid grade, and for medical claims (their bills
     * say what is claimed). */
    fm_fen asked;
} fm_claim_decision;

/*
 * The receipt date of a claim from its event's occurred_at (RFC 3339 with Z or an offset, as the envelope
 * schema spells it): the calendar date in Asia/Shanghai (UTC+8, no daylight saving since 1991). FM_OK, or
 * FM_EINVAL for text that is not such a timestamp. Settlement time is measured from this receipt.
 */
fm_status fm_claim_receipt_date(const char *occurred_at, fm_date *out);

/* True for a critical illness declared as accident whose diagnosis the plan does not mark as one an accident
 * can cause (an unknown code included): the waiting period applies as for an illness (domain.md, settled). */
bool fm_claim_cause_implausible(const fm_plan *plan, const fm_claim *c);

/*
 * Decides a claim (domain.md, Decisions / Claims): checks in order, the first failing one declines
 * with its reason only (first of all REPORT_AFTER_RECEIPT: a report date after the receipt date, when
 * ctx->has_receipt); then the amount; then documents and the review threshold (pending_review,
 * payable 0, nothing reserved, usage unchanged).
 * Usage: changes on approved/partial (amounts paid) and also on a medical claim declined
 * BELOW_DEDUCTIBLE or LIMIT_EXHAUSTED (the deductible is consumed by eligible expenses even when
 * nothing is paid) — see usage_changed.
 * plan must be the plan of the policy's year (ctx->plan_year). Returns FM_OK with *out filled, or
 * FM_EINVAL with err filled when input breaks limits (too many bills/injuries, negative amounts,
 * missing event_date for death/disability, plan year mismatch) or when a sum would overflow int64
 * (err->code "AMOUNT_OUT_OF_RANGE"); *out is zeroed then.
 */
fm_status fm_decide_claim(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                          fm_claim_decision *out, fm_error *err);

/*
 * A reviewer's decision on a pending claim, with ctx as it is at review time.
 * decline: declined, REVIEWER_DECLINED, payable 0. approve: the claim is re-computed without the
 * review step; if that declines, the re-computed decline stands; otherwise payable = min(review amount,
 * re-computed payable): approved when it equals full, else partial with the cutting reasons
 * (LIMIT_REACHED, DUPLICATE_INVOICE, and REVIEWER_REDUCED when the reviewer gave less). An approval of
 * 0 is declined with REVIEWER_DECLINED. Errors as fm_decide_claim (approve without amount: FM_EINVAL).
 */
fm_status fm_decide_review(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                           const fm_review *review, fm_claim_decision *out, fm_error *err);

#endif
