/* wg_plan.h — the plan parameters the generator builds to, read from the catalogue JSON on its own. */
#ifndef WG_PLAN_H
#define WG_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"

/* Read with jansson from schemas/plans/plan-<year>.json, not through the domain's loader: the labels
 * are an oracle, and an oracle that shares the loader would share its misreadings. */

enum { WG_ROLE_CHILD = 0, WG_ROLE_PARENT, WG_ROLE_GUARDIAN, WG_ROLE_COUNT };
enum {
    WG_LIAB_DEATH = 0,
    WG_LIAB_CRITICAL_ILLNESS,
    WG_LIAB_ACCIDENTAL_DISABILITY,
    WG_LIAB_ACCIDENT_MEDICAL,
    WG_LIAB_ILLNESS_HOSPITAL,
    WG_LIAB_COUNT
};
enum {
    WG_DOC_CLAIM_FORM = 0,
    WG_DOC_ID_DOCUMENT,
    WG_DOC_INVOICE,
    WG_DOC_MEDICAL_RECORD,
    WG_DOC_DEATH_CERTIFICATE,
    WG_DOC_DISABILITY_ASSESSMENT,
    WG_DOC_DIAGNOSIS_REPORT,
    WG_DOC_ACCIDENT_REPORT,
    WG_DOC_HOUSEHOLD_REGISTER,
    WG_DOC_COUNT
};

#define WG_SUBSIDY_A_FEN 4000 /* 40 yuan per category-A household: fixed by the policy document */
#define WG_MAX_PLAN_UNITS 64
#define WG_MAX_DISEASES 64

extern const char *const wg_role_names[WG_ROLE_COUNT];
extern const char *const wg_liability_names[WG_LIAB_COUNT];
extern const char *const wg_document_names[WG_DOC_COUNT];

typedef struct wg_terms {
    int64_t sum_insured[WG_ROLE_COUNT];
    int64_t deductible;
    int32_t ratio_bp;
    int64_t person_limit[WG_ROLE_COUNT];
    bool household_shared;
    int64_t household_limit;
    bool waiting_period;
    uint32_t documents_required; /* bit per WG_DOC_* */
} wg_terms;

typedef struct wg_disease {
    char code[17];
    bool severe;
    bool covered;
    bool accident_causable; /* in the plan's ci_accident_causable list */
} wg_disease;

/* One plan year. Plain value (fixed arrays), nothing to free. */
typedef struct wg_plan {
    int plan_year;
    char version[48];
    int32_t start, end, opens, closes, child_born_on_or_after; /* day numbers, inclusive */
    bool residence_counts_for_b;
    int32_t max_children_b;
    int64_t premium_a[4], premium_b[4]; /* index = insured children, 1..3 */
    int32_t waiting_days;
    bool renewal_skips_waiting;
    int64_t review_threshold;
    int32_t disability_grade_bp[11]; /* index = grade 1..10 */
    int32_t ci_mild_ratio_bp;
    wg_terms liab[WG_LIAB_COUNT];
    wg_disease diseases[WG_MAX_DISEASES];
    int n_diseases;
    char units[WG_MAX_PLAN_UNITS][17];
    int n_units;
} wg_plan;

/* Loads dir/plan-<year>.json into *out. FM_ENOTFOUND when there is no such file (the year is not
 * offered), FM_EIO when unreadable, FM_EINVAL (err names the field) when a field is missing or wrong. */
fm_status wg_plan_load(const char *dir, int year, wg_plan *out, fm_error *err);

/* true when the plan lists the managing-unit code. */
bool wg_plan_has_unit(const wg_plan *plan, const char *code);

#endif
