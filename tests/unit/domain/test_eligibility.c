/* test_eligibility.c — the enrollment decision: categories, exclusions, reasons and their reporting,
 * premiums. */
#include "domain_fixtures.h"

#include "fm_eligibility.h"

typedef struct fx {
    fm_plan_catalogue *cat;
    fm_enrollment e;
    fm_member members[FM_MAX_MEMBERS];
    char ids[FM_MAX_MEMBERS][19];
    char applicant_id[19];
    char household_id[33];
    char unit[16];
    char certificate[32];
    fm_enrollment_facts facts;
    fm_enrollment_decision d;
} fx;

static int setup(void **state)
{
    static fx f;
    memset(&f, 0, sizeof f);
    f.cat = load_samples();
    snprintf(f.household_id, sizeof f.household_id, "H610113000001");
    snprintf(f.unit, sizeof f.unit, "610113");
    snprintf(f.certificate, sizeof f.certificate, "610113-2010-004512");
    make_id(f.applicant_id, "610113", "19850101", 11);
    f.e.household_id = f.household_id;
    f.e.plan_year = 2026;
    f.e.submitted_on = D("2026-01-15");
    f.e.managing_unit = f.unit;
    f.e.xian_registration = true;
    f.e.only_child_certificate = f.certificate;
    f.e.applicant.id_number = f.applicant_id;
    f.e.applicant.relation = FM_ROLE_PARENT;
    f.e.consent.given = true;
    f.e.consent.channel = FM_CONSENT_PAPER;
    f.e.members = f.members;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fm_plan_catalogue_free(f->cat);
    return 0;
}

/* Adds a member born on birth ("YYYYMMDD"); returns its index. */
static size_t add(fx *f, fm_role role, const char *birth, bool female)
{
    size_t i = f->e.n_members++;
    make_id(f->ids[i], "610113", birth, (int)(10 * (i + 1)) + (female ? 2 : 1));
    f->members[i].role = role;
    f->members[i].id_number = f->ids[i];
    return i;
}

static const fm_enrollment_decision *decide(fx *f)
{
    fm_error err;
    assert_int_equal(fm_decide_enrollment(f->cat, &f->e, &f->facts, &f->d, &err), FM_OK);
    return &f->d;
}

static void assert_reasons(const fm_reason *got, size_t n, const fm_reason *want, size_t n_want)
{
    bool same = n == n_want;
    for (size_t i = 0; same && i < n; i++)
        same = got[i] == want[i];
    if (!same) {
        for (size_t i = 0; i < n; i++)
            print_error("got %s\n", fm_reason_id(got[i]));
        for (size_t i = 0; i < n_want; i++)
            print_error("want %s\n", fm_reason_id(want[i]));
    }
    assert_true(same);
}
#define REASONS(got, n, ...)                                                                                 \
    do {                                                                                                     \
        const fm_reason want_[] = {__VA_ARGS__};                                                             \
        assert_reasons((got), (n), want_, sizeof want_ / sizeof want_[0]);                                   \
    } while (0)

static void only_child_household_is_category_a_with_the_subsidy(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120305", true);
    add(f, FM_ROLE_PARENT, "19850101", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(d->category, FM_CATEGORY_A);
    assert_int_equal(d->n_reasons, 0);
    assert_int_equal(d->n_notes, 0);
    assert_int_equal(d->n_insured, 2);
    assert_int_equal(d->n_insured_children, 1);
    assert_fen_equal(d->premium, 16500);
    assert_fen_equal(d->subsidy, 4000);
    assert_fen_equal(d->self_paid, 12500);
    assert_fen_equal(d->subsidy_split.city, 2000);
    assert_fen_equal(d->subsidy_split.district_or_county, 2000);
    assert_fen_equal(d->subsidy_split.development_zone, 0);
    assert_i64_equal(d->coverage_start, D("2026-03-01"));
    assert_i64_equal(d->coverage_end, D("2027-02-28"));
    assert_string_equal(d->plan_version, "2026-sample-1");
    assert_string_equal(d->policy_number, "FJ2026-H610113000001");
    assert_true(d->members[0].insured);
    assert_true(d->members[1].insured);
}

static void subsidy_split_of_every_managing_unit_adds_to_4000(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120305", true);
    const fm_plan *p = fm_plan_for_year(f->cat, 2026);
    for (size_t i = 0; i < p->n_units; i++) {
        snprintf(f->unit, sizeof f->unit, "%s", p->units[i].code);
        const fm_enrollment_decision *d = decide(f);
        assert_int_equal(d->category, FM_CATEGORY_A);
        const fm_subsidy_split *s = &d->subsidy_split;
        assert_fen_equal(s->city + s->district_or_county + s->development_zone, 4000);
        assert_fen_equal(s->city, p->units[i].split.city);
        assert_fen_equal(s->district_or_county, p->units[i].split.district_or_county);
        assert_fen_equal(s->development_zone, p->units[i].split.development_zone);
        assert_fen_equal(d->premium - d->subsidy, d->self_paid);
    }
}

static void zone_split_goes_to_city_and_zone(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120305", true);
    snprintf(f->unit, sizeof f->unit, "GXQ");
    const fm_enrollment_decision *d = decide(f);
    assert_fen_equal(d->subsidy_split.city, 2000);
    assert_fen_equal(d->subsidy_split.district_or_county, 0);
    assert_fen_equal(d->subsidy_split.development_zone, 2000);
}

static void rural_two_daughter_household_is_category_a(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.rural_two_daughter = true;
    add(f, FM_ROLE_CHILD, "20120305", true);
    add(f, FM_ROLE_CHILD, "20150611", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(d->category, FM_CATEGORY_A);
    assert_fen_equal(d->premium, 17000);
    assert_fen_equal(d->self_paid, 13000);
}

static void rural_two_daughter_flag_with_a_son_falls_back_to_b_with_note(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.rural_two_daughter = true;
    add(f, FM_ROLE_CHILD, "20120305", true);
    add(f, FM_ROLE_CHILD, "20150611", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(d->category, FM_CATEGORY_B);
    REASONS(d->notes, d->n_notes, FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT);
    assert_fen_equal(d->premium, 17000);
    assert_fen_equal(d->subsidy, 0);
    assert_fen_equal(d->self_paid, 17000);
    assert_fen_equal(
        d->subsidy_split.city + d->subsidy_split.district_or_county + d->subsidy_split.development_zone, 0);
}

static void rural_two_daughter_household_with_one_daughter_over_age_is_still_a(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.rural_two_daughter = true;
    add(f, FM_ROLE_CHILD, "20050305", true);
    add(f, FM_ROLE_CHILD, "20150611", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->category, FM_CATEGORY_A);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_CHILD_OVER_AGE);
    assert_false(d->members[0].insured);
    assert_int_equal(d->n_insured_children, 1);
    assert_fen_equal(d->premium, 16500);
}

static void certificate_with_two_children_falls_back_to_b_with_note(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120305", true);
    add(f, FM_ROLE_CHILD, "20150611", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->category, FM_CATEGORY_B);
    REASONS(d->notes, d->n_notes, FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT);
    assert_fen_equal(d->self_paid, 17000);
}

static void only_child_over_age_with_certificate_is_rejected_with_every_reason(void **state)
{
    fx *f = *state;
    f->e.xian_registration = false;
    add(f, FM_ROLE_CHILD, "20060101", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    assert_int_equal(d->category, FM_CATEGORY_NONE);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NOT_REGISTERED_OR_RESIDENT, FM_REASON_NO_ELIGIBLE_CHILD);
    REASONS(d->notes, d->n_notes, FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_CHILD_OVER_AGE);
    assert_fen_equal(d->premium, 0);
    assert_string_equal(d->policy_number, "");
}

static void certificate_without_registration_is_b_when_resident(void **state)
{
    fx *f = *state;
    f->e.xian_registration = false;
    f->e.has_resident_since = true;
    f->e.resident_since = D("2020-06-01");
    add(f, FM_ROLE_CHILD, "20120305", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->category, FM_CATEGORY_B);
    REASONS(d->notes, d->n_notes, FM_REASON_CATEGORY_A_EVIDENCE_INCONSISTENT);
    assert_fen_equal(d->self_paid, 16500);
}

static void residence_since_plan_start_minus_one_year_counts_for_b(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.xian_registration = false;
    f->e.has_resident_since = true;
    f->e.resident_since = D("2025-03-01");
    add(f, FM_ROLE_CHILD, "20120305", true);
    assert_int_equal(decide(f)->category, FM_CATEGORY_B);
    f->e.resident_since = D("2025-03-02");
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NOT_REGISTERED_OR_RESIDENT);
    f->e.has_resident_since = false;
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_NOT_REGISTERED_OR_RESIDENT);
}

static void residence_does_not_count_when_the_plan_year_excludes_it(void **state)
{
    fx *f = *state;
    sample_plan(f->cat, 2026)->residence_counts_for_b = false;
    f->e.only_child_certificate = NULL;
    f->e.xian_registration = false;
    f->e.has_resident_since = true;
    f->e.resident_since = D("2015-03-01");
    add(f, FM_ROLE_CHILD, "20120305", true);
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_NOT_REGISTERED_OR_RESIDENT);
}

static void four_eligible_children_are_too_many_for_b(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20100101", true);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_CHILD, "20140101", false);
    add(f, FM_ROLE_CHILD, "20160101", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_TOO_MANY_CHILDREN);
}

static void three_children_are_b_at_17000(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20100101", true);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_CHILD, "20140101", false);
    add(f, FM_ROLE_GUARDIAN, "19700101", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->category, FM_CATEGORY_B);
    assert_int_equal(d->n_insured_children, 3);
    assert_int_equal(d->n_insured, 4);
    assert_fen_equal(d->premium, 17000);
    assert_fen_equal(d->self_paid, 17000);
}

static void four_children_with_one_over_age_are_three_for_b(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20070101", false);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_CHILD, "20140101", false);
    add(f, FM_ROLE_CHILD, "20160101", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(d->n_insured_children, 3);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_CHILD_OVER_AGE);
    assert_false(d->members[0].insured);
}

static void child_born_on_cutoff_date_is_covered(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20080301", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_true(d->members[0].insured);
}

static void child_born_the_day_before_cutoff_is_over_age(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20080229", true);
    add(f, FM_ROLE_PARENT, "19800101", false);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NO_ELIGIBLE_CHILD);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_CHILD_OVER_AGE);
    assert_int_equal(d->members[1].n_reasons, 0);
}

static void child_over_age_is_excluded_and_the_household_kept(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20010101", true);
    add(f, FM_ROLE_CHILD, "20120101", true);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(d->n_insured_children, 1);
    assert_fen_equal(d->premium, 16500);
}

static void person_insured_elsewhere_is_excluded(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20100101", true);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_PARENT, "19800101", false);
    f->facts.members[0].insured_elsewhere = true;
    f->facts.members[2].insured_elsewhere = true;
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_ALREADY_INSURED_ELSEWHERE);
    REASONS(d->members[2].reasons, d->members[2].n_reasons, FM_REASON_ALREADY_INSURED_ELSEWHERE);
    assert_false(d->members[2].insured);
    assert_int_equal(d->n_insured, 1);
    f->facts.members[1].insured_elsewhere = true;
    d = decide(f);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NO_ELIGIBLE_CHILD);
}

static void household_already_enrolled_is_rejected(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    f->facts.household_has_policy = true;
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_ALREADY_ENROLLED);
}

static void enrollment_without_consent_is_rejected(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    f->e.consent.given = false;
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_NO_CONSENT);
    assert_int_equal(f->d.outcome, FM_ENROLLMENT_REJECTED);
}

static void unknown_unit_and_unoffered_year_are_rejected(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    snprintf(f->unit, sizeof f->unit, "610125");
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_UNKNOWN_MANAGING_UNIT);
    f->e.plan_year = 2030;
    f->e.submitted_on = D("2030-01-15");
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_PLAN_YEAR_NOT_OFFERED);
    assert_string_equal(f->d.plan_version, "");
}

static void enrollment_window_boundaries(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    struct {
        const char *day;
        bool accepted;
        const char *start;
    } cases[] = {
        {"2025-12-31", false, NULL},
        {"2026-01-01", true, "2026-03-01"},
        {"2026-02-28", true, "2026-03-01"},
        {"2026-03-01", true, "2026-03-02"},
        {"2027-02-27", true, "2027-02-28"},
        {"2027-02-28", false, NULL}, /* inside the window, but not one day of cover left */
        {"2027-03-01", false, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f->e.submitted_on = D(cases[i].day);
        const fm_enrollment_decision *d = decide(f);
        if (cases[i].accepted) {
            assert_int_equal(d->outcome, FM_ENROLLMENT_ACCEPTED);
            assert_i64_equal(d->coverage_start, D(cases[i].start));
            assert_i64_equal(d->coverage_end, D("2027-02-28"));
        } else {
            assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
            REASONS(d->reasons, d->n_reasons, FM_REASON_OUTSIDE_ENROLLMENT_WINDOW);
        }
    }
}

static void invalid_member_id_rejects_the_household_and_names_the_member(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_PARENT, "19800101", false);
    f->ids[1][17] = f->ids[1][17] == '0' ? '1' : '0';
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_INVALID_ID_NUMBER);
    assert_int_equal(d->members[0].n_reasons, 0);
    REASONS(d->members[1].reasons, d->members[1].n_reasons, FM_REASON_INVALID_ID_NUMBER);
    assert_int_equal(d->n_applicant_reasons, 0);
}

static void child_born_after_submission_is_an_invalid_id_number(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20260116", true);
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_INVALID_ID_NUMBER);
}

static void invalid_applicant_id_is_reported_for_the_applicant(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    f->applicant_id[10] = '1';
    f->applicant_id[11] = '3'; /* month 13 */
    const fm_enrollment_decision *d = decide(f);
    REASONS(d->reasons, d->n_reasons, FM_REASON_INVALID_ID_NUMBER);
    REASONS(d->applicant_reasons, d->n_applicant_reasons, FM_REASON_INVALID_ID_NUMBER);
    assert_int_equal(d->members[0].n_reasons, 0);
}

static void duplicate_member_rejects_and_marks_both_lines(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20100101", false);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_CHILD, "20140101", true);
    memcpy(f->ids[2], f->ids[0], sizeof f->ids[0]);
    const fm_enrollment_decision *d = decide(f);
    assert_int_equal(d->outcome, FM_ENROLLMENT_REJECTED);
    REASONS(d->reasons, d->n_reasons, FM_REASON_DUPLICATE_MEMBER);
    REASONS(d->members[0].reasons, d->members[0].n_reasons, FM_REASON_DUPLICATE_MEMBER);
    assert_int_equal(d->members[1].n_reasons, 0);
    REASONS(d->members[2].reasons, d->members[2].n_reasons, FM_REASON_DUPLICATE_MEMBER);
}

static void lowercase_x_and_uppercase_x_are_the_same_person(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    size_t a = add(f, FM_ROLE_CHILD, "20120101", true);
    size_t b = add(f, FM_ROLE_CHILD, "20120101", true);
    /* find a sequence whose check character is X */
    for (int seq = 0; seq < 1000; seq++) {
        make_id(f->ids[a], "610113", "20120101", seq);
        if (f->ids[a][17] == 'X')
            break;
    }
    assert_int_equal(f->ids[a][17], 'X');
    memcpy(f->ids[b], f->ids[a], 19);
    f->ids[b][17] = 'x';
    decide(f);
    REASONS(f->d.reasons, f->d.n_reasons, FM_REASON_DUPLICATE_MEMBER);
}

static void data_reasons_suppress_eligibility_but_not_consent_or_window(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.xian_registration = false;
    f->e.consent.given = false;
    f->e.submitted_on = D("2025-11-01");
    f->facts.household_has_policy = true;
    add(f, FM_ROLE_CHILD, "20010101", true); /* over age: would be NO_ELIGIBLE_CHILD */
    add(f, FM_ROLE_PARENT, "19800101", false);
    f->ids[1][0] = 'A';
    const fm_enrollment_decision *d = decide(f);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NO_CONSENT, FM_REASON_OUTSIDE_ENROLLMENT_WINDOW,
            FM_REASON_INVALID_ID_NUMBER);
    assert_int_equal(d->members[0].n_reasons, 0); /* eligibility of members not evaluated either */
    assert_int_equal(d->n_notes, 0);
}

static void all_household_reasons_are_reported_in_stable_order(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    f->e.xian_registration = false;
    f->e.consent.given = false;
    f->e.submitted_on = D("2025-11-01");
    snprintf(f->unit, sizeof f->unit, "999999");
    f->facts.household_has_policy = true;
    add(f, FM_ROLE_PARENT, "19800101", false);
    const fm_enrollment_decision *d = decide(f);
    REASONS(d->reasons, d->n_reasons, FM_REASON_NO_CONSENT, FM_REASON_UNKNOWN_MANAGING_UNIT,
            FM_REASON_OUTSIDE_ENROLLMENT_WINDOW, FM_REASON_ALREADY_ENROLLED,
            FM_REASON_NOT_REGISTERED_OR_RESIDENT, FM_REASON_NO_ELIGIBLE_CHILD);
}

static void renewal_comes_from_the_declaration_or_last_years_policy(void **state)
{
    fx *f = *state;
    f->e.only_child_certificate = NULL;
    add(f, FM_ROLE_CHILD, "20100101", true);
    add(f, FM_ROLE_CHILD, "20120101", true);
    add(f, FM_ROLE_PARENT, "19800101", false);
    f->members[0].previously_insured = true;
    f->facts.members[1].insured_last_year = true;
    const fm_enrollment_decision *d = decide(f);
    assert_true(d->members[0].renewal);
    assert_true(d->members[1].renewal);
    assert_false(d->members[2].renewal);
}

static void too_many_members_is_an_input_error(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    f->e.n_members = FM_MAX_MEMBERS + 1;
    fm_error err;
    assert_int_equal(fm_decide_enrollment(f->cat, &f->e, NULL, &f->d, &err), FM_EINVAL);
    f->e.n_members = 1;
    f->e.household_id = NULL;
    assert_int_equal(fm_decide_enrollment(f->cat, &f->e, NULL, &f->d, &err), FM_EINVAL);
}

static void facts_may_be_absent(void **state)
{
    fx *f = *state;
    add(f, FM_ROLE_CHILD, "20120101", true);
    fm_error err;
    assert_int_equal(fm_decide_enrollment(f->cat, &f->e, NULL, &f->d, &err), FM_OK);
    assert_int_equal(f->d.outcome, FM_ENROLLMENT_ACCEPTED);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(only_child_household_is_category_a_with_the_subsidy),
        T(subsidy_split_of_every_managing_unit_adds_to_4000),
        T(zone_split_goes_to_city_and_zone),
        T(rural_two_daughter_household_is_category_a),
        T(rural_two_daughter_flag_with_a_son_falls_back_to_b_with_note),
        T(rural_two_daughter_household_with_one_daughter_over_age_is_still_a),
        T(certificate_with_two_children_falls_back_to_b_with_note),
        T(only_child_over_age_with_certificate_is_rejected_with_every_reason),
        T(certificate_without_registration_is_b_when_resident),
        T(residence_since_plan_start_minus_one_year_counts_for_b),
        T(residence_does_not_count_when_the_plan_year_excludes_it),
        T(four_eligible_children_are_too_many_for_b),
        T(three_children_are_b_at_17000),
        T(four_children_with_one_over_age_are_three_for_b),
        T(child_born_on_cutoff_date_is_covered),
        T(child_born_the_day_before_cutoff_is_over_age),
        T(child_over_age_is_excluded_and_the_household_kept),
        T(person_insured_elsewhere_is_excluded),
        T(household_already_enrolled_is_rejected),
        T(enrollment_without_consent_is_rejected),
        T(unknown_unit_and_unoffered_year_are_rejected),
        T(enrollment_window_boundaries),
        T(invalid_member_id_rejects_the_household_and_names_the_member),
        T(child_born_after_submission_is_an_invalid_id_number),
        T(invalid_applicant_id_is_reported_for_the_applicant),
        T(duplicate_member_rejects_and_marks_both_lines),
        T(lowercase_x_and_uppercase_x_are_the_same_person),
        T(data_reasons_suppress_eligibility_but_not_consent_or_window),
        T(all_household_reasons_are_reported_in_stable_order),
        T(renewal_comes_from_the_declaration_or_last_years_policy),
        T(too_many_members_is_an_input_error),
        T(facts_may_be_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
