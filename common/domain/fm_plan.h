/* fm_plan.h — the versioned plan catalogue (one plan per plan year) and its lookups;
 * common/codec/fm_plan_read.h reads it. */
#ifndef FM_PLAN_H
#define FM_PLAN_H

#include "fm_error.h"
#include "fm_model.h"
#include "fm_policy_terms.h"

#include <stdbool.h>

/* The category-A subsidy fixed by 市卫发〔2024〕86号: 40 yuan per household per year. */
#define FM_SUBSIDY_A_FEN 4000
/* Death or disability must follow the accident within this many days (industry rule). */
#define FM_ACCIDENT_WINDOW_DAYS 180
/* Premiums are listed for 1..FM_MAX_PRICED_CHILDREN insured children. */
#define FM_MAX_PRICED_CHILDREN 3
#define FM_DISABILITY_GRADES 10
/* Ratios in basis points: 10000 = 100 %. */
#define FM_BP_ONE 10000
/* The expected loss ratio of a plan file that does not give one (70 %, a common target of such schemes). */
#define FM_EXPECTED_LOSS_RATIO_BP_DEFAULT 7000

#define FM_CODE_LEN 16
#define FM_NAME_LEN 128
#define FM_VERSION_LEN 48

typedef enum fm_unit_kind { FM_UNIT_DISTRICT = 0, FM_UNIT_COUNTY, FM_UNIT_ZONE } fm_unit_kind;

/* The category-A subsidy in fen per payer; the loader makes sure the three add up to 4000. */
typedef struct fm_subsidy_split {
    fm_fen city;
    fm_fen district_or_county;
    fm_fen development_zone;
} fm_subsidy_split;

typedef struct fm_managing_unit {
    char code[FM_CODE_LEN]; /* "610113" or a zone code such as "GXQ" */
    char name_zh[FM_NAME_LEN];
    char name_en[FM_NAME_LEN];
    fm_unit_kind kind;
    fm_subsidy_split split;
} fm_managing_unit;

typedef struct fm_ci_disease {
    char code[FM_CODE_LEN]; /* "CI-S01".."CI-S28" severe, "CI-M01".."CI-M03" mild */
    char name_zh[FM_NAME_LEN];
    char name_en[FM_NAME_LEN];
    bool severe;
    bool covered; /* in the plan's covered subset */
    /* an accident can cause it (severe burns, brain injury, loss of limbs...): a declared accident cause
     * waives the waiting period only for these (domain.md, settled readings) */
    bool accident_causable;
} fm_ci_disease;

/* Terms of one liability. Amounts indexed by fm_role; a role with sum 0 has no cover (a parent's
 * disability). Fields that do not apply to the liability are 0 / false. */
typedef struct fm_liability_terms {
    fm_fen sum_insured[FM_ROLE_COUNT];  /* death, critical illness, disability */
    fm_fen deductible;                  /* medical: per person, per liability, per plan year */
    int32_t ratio_bp;                   /* medical: reimbursement ratio, basis points */
    fm_fen person_limit[FM_ROLE_COUNT]; /* medical: per person per plan year */
    bool household_shared;              /* medical: a household limit applies as well */
    fm_fen household_limit;             /* medical, when household_shared */
    bool waiting_period;                /* illness liabilities: the plan's waiting_days apply */
    fm_documents documents_required;
} fm_liability_terms;

typedef struct fm_plan {
    int plan_year;
    char version[FM_VERSION_LEN];   /* e.g. "2026-sample-1": every decision names it */
    bool sample;                    /* true: sample values, not the contract's */
    fm_date start;                  /* plan start (1 March) */
    fm_date end;                    /* plan end (last day of February), inclusive */
    fm_date enrollment_opens;       /* inclusive */
    fm_date enrollment_closes;      /* inclusive */
    fm_date child_born_on_or_after; /* the "18 or under" cut-off */
    bool residence_counts_for_b;
    int32_t max_children_b;
    fm_fen premium_a[FM_MAX_PRICED_CHILDREN + 1]; /* index = insured children; [0] unused */
    fm_fen premium_b[FM_MAX_PRICED_CHILDREN + 1];
    int32_t waiting_days;
    bool renewal_skips_waiting;
    fm_fen review_threshold;                               /* payable above this goes to review */
    int32_t disability_grade_bp[FM_DISABILITY_GRADES + 1]; /* index = grade 1..10; [0] unused */
    int32_t ci_mild_ratio_bp;       /* mild critical illness: share of the CI sum insured */
    int32_t expected_loss_ratio_bp; /* paid / premium the plan was priced for (report); default when absent */
    fm_liability_terms liabilities[FM_LIAB_COUNT];
    fm_policy_terms policy;  /* changes after enrollment (issue 16); defaults when the file has none */
    fm_ci_disease *diseases; /* owned by the catalogue */
    size_t n_diseases;
    fm_managing_unit *units; /* owned by the catalogue */
    size_t n_units;
} fm_plan;

typedef struct fm_plan_catalogue {
    fm_plan *plans; /* sorted by plan_year, owned */
    size_t n_plans;
} fm_plan_catalogue;

/* Frees the catalogue and everything it owns; NULL is allowed. */
void fm_plan_catalogue_free(fm_plan_catalogue *cat);

/* The plan of plan_year, or NULL. The pointer lives as long as the catalogue. */
const fm_plan *fm_plan_for_year(const fm_plan_catalogue *cat, int plan_year);

/* The managing unit with this code in the plan, or NULL (also for a NULL code). */
const fm_managing_unit *fm_plan_unit(const fm_plan *plan, const char *code);

/* The disease with this code in the plan's list (covered or not), or NULL. */
const fm_ci_disease *fm_plan_disease(const fm_plan *plan, const char *code);

#endif
