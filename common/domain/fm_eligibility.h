/* fm_eligibility.h — deciding an enrollment: category, insured members, premium and subsidy split. */
#ifndef FM_ELIGIBILITY_H
#define FM_ELIGIBILITY_H

#include "fm_error.h"
#include "fm_model.h"
#include "fm_plan.h"
#include "fm_reasons.h"

#include <stdbool.h>

#define FM_MAX_HOUSEHOLD_REASONS 16
#define FM_MAX_MEMBER_REASONS 4
#define FM_MAX_NOTES 4
/* "FJ" + 4-digit year + "-" + household_id (<= 32 chars) + NUL, with room to spare. */
#define FM_POLICY_NUMBER_LEN 48

/* What the service looks up in the database before deciding (the rules do no I/O). */
typedef struct fm_member_facts {
    bool insured_elsewhere; /* insured in another household's policy for this plan year */
    bool insured_last_year; /* insured in famins in plan_year - 1 (a renewal) */
} fm_member_facts;

typedef struct fm_enrollment_facts {
    bool household_has_policy;               /* the household already holds a policy for this plan year */
    fm_member_facts members[FM_MAX_MEMBERS]; /* same index as fm_enrollment.members */
} fm_enrollment_facts;

typedef struct fm_member_decision {
    bool insured;
    bool renewal; /* insured last year in famins, or declared previously_insured */
    fm_reason reasons[FM_MAX_MEMBER_REASONS]; /* exclusions (CHILD_OVER_AGE, ...) or data reasons
                                                  (INVALID_ID_NUMBER, DUPLICATE_MEMBER) naming this member */
    size_t n_reasons;
} fm_member_decision;

typedef struct fm_enrollment_decision {
    fm_enrollment_outcome outcome;
    fm_category category;                        /* FM_CATEGORY_NONE when rejected */
    fm_reason reasons[FM_MAX_HOUSEHOLD_REASONS]; /* household reasons, sorted by enum order */
    size_t n_reasons;
    fm_reason notes[FM_MAX_NOTES]; /* CATEGORY_A_EVIDENCE_INCONSISTENT */
    size_t n_notes;
    fm_reason applicant_reasons[FM_MAX_MEMBER_REASONS]; /* INVALID_ID_NUMBER for the applicant */
    size_t n_applicant_reasons;
    fm_member_decision members[FM_MAX_MEMBERS]; /* same index as fm_enrollment.members */
    size_t n_members;
    size_t n_insured; /* insured members, children and adults */
    size_t n_insured_children;
    /* Household amounts (the premium is per household, not per head); 0 when rejected. */
    fm_fen premium;
    fm_fen subsidy;                 /* 4000 for category A, 0 for B */
    fm_fen self_paid;               /* premium - subsidy */
    fm_subsidy_split subsidy_split; /* the managing unit's split for A; all 0 for B */
    fm_date coverage_start;         /* accepted only */
    fm_date coverage_end;
    char plan_version[FM_VERSION_LEN];        /* "" when no plan for the year */
    char policy_number[FM_POLICY_NUMBER_LEN]; /* "FJ<plan_year>-<household_id>" when accepted, else "" */
} fm_enrollment_decision;

/*
 * Decides an enrollment against the catalogue (domain.md, Decisions / Enrollment). facts may be NULL
 * (nothing known: no policy, nobody insured elsewhere or last year). "Today" is e->submitted_on: the
 * identity numbers' birth dates must not be after it.
 * Returns FM_OK with *out filled (a rejection is FM_OK too), or FM_EINVAL (err says why) when the
 * input breaks the schema's limits (more than FM_MAX_MEMBERS members, NULL strings, household_id too
 * long for a policy number); *out is then zeroed.
 */
fm_status fm_decide_enrollment(const fm_plan_catalogue *cat, const fm_enrollment *e,
                               const fm_enrollment_facts *facts, fm_enrollment_decision *out, fm_error *err);

/* Writes "FJ<plan_year>-<household_id>" into buf; FM_EINVAL when it does not fit. */
fm_status fm_policy_number(int plan_year, const char *household_id, char *buf, size_t len);

#endif
