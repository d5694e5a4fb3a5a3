/* fm_eligibility.c — the enrollment decision: data checks, category A or B, member exclusions, premium. */
#include "fm_eligibility.h"

#include "fm_dates.h"
#include "fm_idnum.h"

#include <stdio.h>
#include <string.h>

/*
 * Choices where domain.md is silent (each also listed in the report to the lead):
 *  - Without a plan for the year, nothing that needs the plan (managing unit, window, ages) is
 *    evaluated: the household gets PLAN_YEAR_NOT_OFFERED plus NO_CONSENT and data reasons.
 *  - A duplicated identity number marks every member carrying it with DUPLICATE_MEMBER: the agent
 *    must see both lines to decide which one is wrong.
 *  - A household submitted on the last day of the plan year would be covered from the day after
 *    plan end, i.e. not at all: it is rejected OUTSIDE_ENROLLMENT_WINDOW.
 *  - CATEGORY_A_EVIDENCE_INCONSISTENT is noted whenever A was asked for (a certificate or the rural
 *    two-daughter flag) and its evidence does not hold, also on a rejection, so the family hears why
 *    A was not applied.
 *  - Adults (parents, guardians) are insured unless ALREADY_INSURED_ELSEWHERE; their age is not checked.
 *  - An empty only-child certificate string counts as no certificate.
 */

typedef struct reason_set {
    bool has[FM_REASON_COUNT];
} reason_set;

/* Writes the set in enum order (the documented stable order); returns the count. */
static size_t emit(const reason_set *s, fm_reason *dst, size_t cap)
{
    size_t n = 0;
    for (int r = 1; r < FM_REASON_COUNT && n < cap; r++)
        if (s->has[r])
            dst[n++] = (fm_reason)r;
    return n;
}

fm_status fm_policy_number(int plan_year, const char *household_id, char *buf, size_t len)
{
    if (buf == NULL || len == 0 || household_id == NULL)
        return FM_EINVAL;
    int n = snprintf(buf, len, "FJ%d-%s", plan_year, household_id);
    if (n < 0 || (size_t)n >= len) {
        buf[0] = '\0';
        return FM_EINVAL;
    }
    return FM_OK;
}

static fm_status check_input(const fm_enrollment *e, fm_error *err)
{
    if (e == NULL || e->household_id == NULL || e->household_id[0] == '\0') {
        fm_error_set(err, "household_id", "REQUIRED", "an enrollment names its household");
        return FM_EINVAL;
    }
    if (strlen(e->household_id) > 32) {
        fm_error_set(err, "household_id", "TOO_LONG", "a household id has at most 32 characters");
        return FM_EINVAL;
    }
    if (e->n_members > FM_MAX_MEMBERS || (e->n_members > 0 && e->members == NULL)) {
        fm_error_set(err, "members", "TOO_MANY", "an enrollment has at most %d members", FM_MAX_MEMBERS);
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status fm_decide_enrollment(const fm_plan_catalogue *cat, const fm_enrollment *e,
                               const fm_enrollment_facts *facts, fm_enrollment_decision *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_input(e, err);
    if (st != FM_OK)
        return st;

    static const fm_enrollment_facts no_facts; /* const: nothing known, read only */
    if (facts == NULL)
        facts = &no_facts;

    reason_set household = {0};
    reason_set member[FM_MAX_MEMBERS];
    memset(member, 0, sizeof member);
    fm_idnum ids[FM_MAX_MEMBERS];
    bool id_ok[FM_MAX_MEMBERS] = {false};
    out->n_members = e->n_members;
    out->outcome = FM_ENROLLMENT_REJECTED;

    /* Household checks that need no eligibility evaluation. */
    if (!e->consent.given)
        household.has[FM_REASON_NO_CONSENT] = true;
    const fm_plan *plan = fm_plan_for_year(cat, e->plan_year);
    const fm_managing_unit *unit = NULL;
    if (plan == NULL) {
        household.has[FM_REASON_PLAN_YEAR_NOT_OFFERED] = true;
    } else {
        snprintf(out->plan_version, sizeof out->plan_version, "%s", plan->version);
        unit = fm_plan_unit(plan, e->managing_unit);
        if (unit == NULL)
            household.has[FM_REASON_UNKNOWN_MANAGING_UNIT] = true;
        fm_date start = fm_date_add_days(e->submitted_on, 1) > plan->start
                            ? fm_date_add_days(e->submitted_on, 1)
                            : plan->start;
        if (e->submitted_on < plan->enrollment_opens || e->submitted_on > plan->enrollment_closes ||
            start > plan->end)
            household.has[FM_REASON_OUTSIDE_ENROLLMENT_WINDOW] = true;
    }

    /* Data reasons: identity numbers are checked as of the day the association received them. */
    bool data_error = false;
    fm_idnum applicant_id;
    if (fm_idnum_parse(e->applicant.id_number, e->submitted_on, &applicant_id, NULL) != FM_OK) {
        out->applicant_reasons[out->n_applicant_reasons++] = FM_REASON_INVALID_ID_NUMBER;
        household.has[FM_REASON_INVALID_ID_NUMBER] = true;
        data_error = true;
    }
    for (size_t i = 0; i < e->n_members; i++) {
        id_ok[i] = fm_idnum_parse(e->members[i].id_number, e->submitted_on, &ids[i], NULL) == FM_OK;
        if (!id_ok[i]) {
            member[i].has[FM_REASON_INVALID_ID_NUMBER] = true;
            household.has[FM_REASON_INVALID_ID_NUMBER] = true;
            data_error = true;
        }
    }
    for (size_t i = 0; i < e->n_members; i++) {
        for (size_t j = i + 1; j < e->n_members; j++) {
            if (id_ok[i] && id_ok[j] && strcmp(ids[i].canonical, ids[j].canonical) == 0) {
                member[i].has[FM_REASON_DUPLICATE_MEMBER] = true;
                member[j].has[FM_REASON_DUPLICATE_MEMBER] = true;
                household.has[FM_REASON_DUPLICATE_MEMBER] = true;
                data_error = true;
            }
        }
    }

    /* Eligibility needs the plan and clean data; otherwise only the reasons above are reported. */
    if (plan != NULL && !data_error) {
        if (facts->household_has_policy)
            household.has[FM_REASON_ALREADY_ENROLLED] = true;

        size_t n_child_members = 0, n_eligible_children = 0;
        bool all_children_female = true;
        for (size_t i = 0; i < e->n_members; i++) {
            const fm_member *m = &e->members[i];
            if (facts->members[i].insured_elsewhere)
                member[i].has[FM_REASON_ALREADY_INSURED_ELSEWHERE] = true;
            if (m->role == FM_ROLE_CHILD) {
                n_child_members++;
                all_children_female = all_children_female && ids[i].sex == FM_SEX_FEMALE;
                if (ids[i].birth_date < plan->child_born_on_or_after)
                    member[i].has[FM_REASON_CHILD_OVER_AGE] = true;
                if (!member[i].has[FM_REASON_CHILD_OVER_AGE] &&
                    !member[i].has[FM_REASON_ALREADY_INSURED_ELSEWHERE])
                    n_eligible_children++;
            }
        }

        /* Residence counts from plan start minus one year, inclusive (居住1年以上 counts 以上 inclusively).
         */
        bool resident = plan->residence_counts_for_b && e->has_resident_since &&
                        e->resident_since <= fm_date_add_years(plan->start, -1);
        bool certificate = e->only_child_certificate != NULL && e->only_child_certificate[0] != '\0';
        bool wants_a = certificate || e->rural_two_daughter;
        bool a_only_child = certificate && n_child_members == 1 && n_eligible_children == 1;
        bool a_two_daughters = e->rural_two_daughter && n_child_members >= 1 && n_child_members <= 2 &&
                               all_children_female && n_eligible_children >= 1;
        bool a_ok = e->xian_registration && (a_only_child || a_two_daughters);

        bool b_place = e->xian_registration || resident;
        bool b_ok =
            b_place && n_eligible_children >= 1 && n_eligible_children <= (size_t)plan->max_children_b;

        if (a_ok) {
            out->category = FM_CATEGORY_A;
        } else {
            if (wants_a)
                out->notes[out->n_notes++] = FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT;
            if (b_ok) {
                out->category = FM_CATEGORY_B;
            } else {
                if (!b_place)
                    household.has[FM_REASON_NOT_REGISTERED_OR_RESIDENT] = true;
                if (n_eligible_children == 0)
                    household.has[FM_REASON_NO_ELIGIBLE_CHILD] = true;
                if (n_eligible_children > (size_t)plan->max_children_b)
                    household.has[FM_REASON_TOO_MANY_CHILDREN] = true;
            }
        }
    }

    out->n_reasons = emit(&household, out->reasons, FM_MAX_HOUSEHOLD_REASONS);
    for (size_t i = 0; i < e->n_members; i++)
        out->members[i].n_reasons = emit(&member[i], out->members[i].reasons, FM_MAX_MEMBER_REASONS);

    if (out->n_reasons > 0 || out->category == FM_CATEGORY_NONE) {
        out->category = FM_CATEGORY_NONE;
        return FM_OK;
    }

    /* Accepted: the members without exclusions are insured. */
    out->outcome = FM_ENROLLMENT_ACCEPTED;
    for (size_t i = 0; i < e->n_members; i++) {
        fm_member_decision *md = &out->members[i];
        md->renewal = e->members[i].previously_insured || facts->members[i].insured_last_year;
        md->insured = md->n_reasons == 0;
        if (md->insured) {
            out->n_insured++;
            out->n_insured_children += e->members[i].role == FM_ROLE_CHILD;
        }
    }
    /* A: at most two children; B: at most max_children_b <= FM_MAX_PRICED_CHILDREN (the loader checks). */
    size_t priced = out->n_insured_children;
    if (out->category == FM_CATEGORY_A) {
        out->premium = plan->premium_a[priced];
        out->subsidy = FM_SUBSIDY_A_FEN;
        out->subsidy_split = unit->split;
    } else {
        out->premium = plan->premium_b[priced];
    }
    out->self_paid = out->premium - out->subsidy; /* the loader keeps A premiums >= the subsidy */
    fm_date after = fm_date_add_days(e->submitted_on, 1);
    out->coverage_start = after > plan->start ? after : plan->start;
    out->coverage_end = plan->end;
    return fm_policy_number(e->plan_year, e->household_id, out->policy_number, sizeof out->policy_number);
}
