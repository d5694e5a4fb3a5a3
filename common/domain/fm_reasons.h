/* fm_reasons.h — every reason code of famins decisions: stable id, English and Chinese label. */
#ifndef FM_REASONS_H
#define FM_REASONS_H

#include <stdbool.h>

/*
 * The enum order is the documented, stable order in which a decision lists its reasons (a
 * decision's reasons are always sorted by this enum). New codes are appended at the end of their
 * group only when the order of reporting allows; the string ids never change.
 */
typedef enum fm_reason {
    FM_REASON_NONE = 0,

    /* Enrollment, household level: checks that need no eligibility evaluation. */
    FM_REASON_NO_CONSENT,                /* the applicant did not give consent */
    FM_REASON_PLAN_YEAR_NOT_OFFERED,     /* no plan in the catalogue for plan_year */
    FM_REASON_UNKNOWN_MANAGING_UNIT,     /* managing_unit not in the plan's units */
    FM_REASON_OUTSIDE_ENROLLMENT_WINDOW, /* submitted_on outside the enrollment window */
    /* Enrollment, data reasons (suppress eligibility reasons). */
    FM_REASON_INVALID_ID_NUMBER, /* an identity number is malformed (member or applicant) */
    FM_REASON_DUPLICATE_MEMBER,  /* the same identity number twice among the members */
    /* Enrollment, eligibility reasons. */
    FM_REASON_ALREADY_ENROLLED,           /* the household already holds a policy for the plan year */
    FM_REASON_NOT_REGISTERED_OR_RESIDENT, /* neither Xi'an registration nor (where counted) residence */
    FM_REASON_NO_ELIGIBLE_CHILD,          /* no child member 18 or under and insurable */
    FM_REASON_TOO_MANY_CHILDREN,          /* category B: more eligible children than the plan's maximum */
    /* Enrollment, member exclusions. */
    FM_REASON_CHILD_OVER_AGE,            /* child born before child_born_on_or_after */
    FM_REASON_ALREADY_INSURED_ELSEWHERE, /* insured in another household this plan year */
    /* Enrollment, notes (the household is still decided). */
    FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT, /* asked for A, evidence does not hold, decided as B */

    /* Claims, in the order of the checks. */
    FM_REASON_POLICY_NOT_FOUND,
    FM_REASON_PERSON_NOT_INSURED,
    FM_REASON_PERSON_DECEASED,
    FM_REASON_NOT_IN_FORCE,
    FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE,
    FM_REASON_CAUSE_MISMATCH, /* famins choice: e.g. accident medical claimed for an illness */
    FM_REASON_WAITING_PERIOD,
    FM_REASON_ACCIDENT_WINDOW_EXCEEDED,
    /* Claims, the amount. */
    FM_REASON_INVALID_GRADE,
    FM_REASON_CI_NOT_COVERED,
    FM_REASON_CI_ALREADY_PAID,
    FM_REASON_DUPLICATE_INVOICE,
    FM_REASON_NO_ELIGIBLE_AMOUNT,
    FM_REASON_BELOW_DEDUCTIBLE,
    FM_REASON_LIMIT_EXHAUSTED,
    FM_REASON_LIMIT_REACHED,
    /* Claims, review. */
    FM_REASON_DOCUMENTS_MISSING,
    FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD,
    FM_REASON_REVIEWER_DECLINED,
    FM_REASON_REVIEWER_REDUCED, /* famins choice: the reviewer approved less than payable */
    /* claim-rules (issue 15): appended at the end so that the stable order of existing codes holds. */
    FM_REASON_REPORT_AFTER_RECEIPT, /* the claim's report date is after the date it was received */
    /* claim-life: documents added later, appeals (services/adjudicator/adj_life.c). */
    FM_REASON_DOCUMENTS_NOT_PENDING,    /* documents for a claim not pending for DOCUMENTS_MISSING: ignored */
    FM_REASON_APPEAL_CLAIM_NOT_DECIDED, /* appeal refused: the claim is pending (or withdrawn) */
    FM_REASON_APPEAL_NOT_ADVERSE,       /* appeal refused: approved in full, nothing to appeal */
    FM_REASON_APPEAL_OF_APPEAL_OUTCOME, /* appeal refused: the decision is an appeal's outcome */
    FM_REASON_APPEAL_ALREADY_OPEN,      /* appeal refused: another appeal of the claim awaits review */
    FM_REASON_APPEAL_NOT_OPEN,          /* appeal review ignored: no appeal of the claim awaits review */
    FM_REASON_APPEAL_UPHELD,            /* the decision stands after the appeal's review */
    FM_REASON_APPEAL_OVERTURNED,        /* the decision was changed by the appeal's review */

    /* claim-pay (issue 15): why a withdrawal, payment result or payee correction was recorded and ignored. */
    FM_REASON_CLAIM_UNKNOWN,
    FM_REASON_CLAIM_POLICY_MISMATCH,
    FM_REASON_WITHDRAWAL_DUPLICATE,
    FM_REASON_WITHDRAWAL_NOT_APPLICABLE,
    FM_REASON_WITHDRAWAL_AFTER_PAYMENT,
    FM_REASON_PAYMENT_UNKNOWN_INSTRUCTION,
    FM_REASON_PAYMENT_CLAIM_MISMATCH,
    FM_REASON_PAYMENT_DUPLICATE_RESULT,
    FM_REASON_PAYMENT_ALREADY_PAID,
    FM_REASON_PAYMENT_ALREADY_FAILED,
    FM_REASON_PAYMENT_INSTRUCTION_CANCELLED,
    FM_REASON_PAYEE_CLAIM_NOT_PAYABLE,
    FM_REASON_PAYEE_KIND_MISMATCH,
    FM_REASON_PAYEE_SHARES_CHANGED,
    FM_REASON_PAYMENT_TOO_MANY_ATTEMPTS,
    FM_REASON_CLAIM_WITHDRAWN,

    /* policy: changes after enrollment (issue 16). Refusals, then notes of an accepted change. */
    FM_REASON_POLICY_CANCELLED,           /* the policy was cancelled: no further member change */
    FM_REASON_CHANGE_OUTSIDE_COVERAGE,    /* dated outside the plan year, or no day of cover left */
    FM_REASON_REFUND_EXCEEDS_PAID,        /* a refund above what the household paid and was not refunded */
    FM_REASON_CATEGORY_A_EVIDENCE_LOST,   /* note: A's evidence no longer holds; B from the change on */
    FM_REASON_REFUND_WITHHELD_CLAIM_PAID, /* note: cancelled after a paid claim, the plan refunds nothing */
    FM_REASON_PREMIUM_PAID_AFTER_GRACE,   /* note: paid after the grace date; the lapse stands */

    FM_REASON_COUNT
} fm_reason;

/* Stable id ("CHILD_OVER_AGE"), English label, Chinese label; "?" when out of range, never NULL. */
const char *fm_reason_id(fm_reason r);
const char *fm_reason_label_en(fm_reason r);
const char *fm_reason_label_zh(fm_reason r);
/* Looks up a stable id; true and *out set when known. */
bool fm_reason_parse(const char *id, fm_reason *out);

#endif
