/* test_plan.c — the plan catalogue: the shipped samples load, and every bad catalogue is refused clearly. */
#include "fm_test.h"

#include "fm_dates.h"
#include "fm_plan.h"
#include "fm_plan_read.h"

#include <string.h>

static fm_date D(const char *s)
{
    fm_date d = 0;
    assert_int_equal(fm_date_parse(s, &d, NULL), FM_OK);
    return d;
}

static void shipped_samples_load_with_one_plan_per_year(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    fm_error_clear(&err);
    fm_status st = fm_plan_catalogue_load(FM_TEST_PLANS, &cat, &err);
    if (st != FM_OK)
        print_error("%s %s %s\n", err.path, err.code, err.text);
    assert_int_equal(st, FM_OK);
    assert_int_equal(cat->n_plans, 5);
    for (int y = 2025; y <= 2029; y++) {
        const fm_plan *p = fm_plan_for_year(cat, y);
        assert_non_null(p);
        assert_true(p->sample);
        int sy, sm, sd, ey, em, ed;
        fm_date_to_ymd(p->start, &sy, &sm, &sd);
        fm_date_to_ymd(p->end, &ey, &em, &ed);
        assert_int_equal(sy, y);
        assert_int_equal(sm, 3);
        assert_int_equal(sd, 1);
        assert_i64_equal(p->end, fm_date_last_of_february(y + 1));
        assert_i64_equal(p->child_born_on_or_after, fm_date_add_years(p->start, -18));
        assert_int_equal(p->n_units, 19);
        for (size_t i = 0; i < p->n_units; i++) {
            const fm_subsidy_split *s = &p->units[i].split;
            assert_fen_equal(s->city + s->district_or_county + s->development_zone, 4000);
        }
        assert_int_equal(p->n_diseases, 31);
        size_t severe = 0;
        for (size_t i = 0; i < p->n_diseases; i++)
            severe += p->diseases[i].severe;
        assert_int_equal(severe, 28);
        assert_fen_equal(p->premium_a[1], 16500);
        assert_fen_equal(p->premium_b[2], 17000);
        assert_int_equal(p->disability_grade_bp[1], 10000);
        assert_int_equal(p->disability_grade_bp[10], 1000);
    }
    const fm_plan *p26 = fm_plan_for_year(cat, 2026);
    assert_string_equal(p26->version, "2026-sample-1");
    assert_i64_equal(p26->child_born_on_or_after, D("2008-03-01"));
    assert_i64_equal(fm_plan_for_year(cat, 2027)->end, D("2028-02-29"));
    assert_null(fm_plan_for_year(cat, 2024));
    assert_null(fm_plan_for_year(cat, 2030));
    const fm_managing_unit *u = fm_plan_unit(p26, "610113");
    assert_non_null(u);
    assert_string_equal(u->name_zh, "雁塔区");
    u = fm_plan_unit(p26, "XXXQ");
    assert_non_null(u);
    assert_int_equal(u->kind, FM_UNIT_ZONE);
    assert_fen_equal(u->split.development_zone, 2000);
    assert_null(fm_plan_unit(p26, "610125"));
    assert_null(fm_plan_unit(p26, NULL));
    assert_non_null(fm_plan_disease(p26, "CI-M03"));
    assert_false(fm_plan_disease(p26, "CI-S17")->covered);
    assert_true(fm_plan_disease(p26, "CI-S01")->covered);
    assert_true(p26->liabilities[FM_LIAB_DEATH].documents_required & FM_DOC_BIT(FM_DOC_DEATH_CERTIFICATE));
    assert_fen_equal(p26->liabilities[FM_LIAB_ACCIDENTAL_DISABILITY].sum_insured[FM_ROLE_PARENT], 0);
    assert_int_equal(p26->liabilities[FM_LIAB_ILLNESS_HOSPITAL].ratio_bp, 8000);
    fm_plan_catalogue_free(cat);
}

static void one_file_loads_alone(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = NULL;
    assert_int_equal(fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/good/plan-2026.json", &cat, NULL),
                     FM_OK);
    assert_int_equal(cat->n_plans, 1);
    assert_int_equal(cat->plans[0].n_units, 3);
    /* A file without expected_loss_ratio_percent gets the documented default. */
    assert_int_equal(cat->plans[0].expected_loss_ratio_bp, FM_EXPECTED_LOSS_RATIO_BP_DEFAULT);
    fm_plan_catalogue_free(cat);
    fm_plan_catalogue_free(NULL);
}

static void expected_loss_ratio_is_read_when_given(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = NULL;
    assert_int_equal(
        fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/expected_loss_ratio/plan-2026.json", &cat, NULL),
        FM_OK);
    assert_int_equal(cat->plans[0].expected_loss_ratio_bp, 8500);
    fm_plan_catalogue_free(cat);
}

/* Every sample plan marks the 2020 definitions an accident can cause, and only those. */
static void samples_mark_the_accident_causable_critical_illnesses(void **state)
{
    (void)state;
    static const char *const causable[] = {"CI-S04", "CI-S07", "CI-S12", "CI-S13", "CI-S14",
                                           "CI-S15", "CI-S18", "CI-S20", "CI-S23", "CI-S25"};
    static const char *const not_causable[] = {"CI-S01", "CI-S02", "CI-S03", "CI-S06", "CI-M01", "CI-M03"};
    fm_plan_catalogue *cat = NULL;
    assert_int_equal(fm_plan_catalogue_load(FM_TEST_PLANS, &cat, NULL), FM_OK);
    for (size_t p = 0; p < cat->n_plans; p++) {
        size_t marked = 0;
        for (size_t i = 0; i < cat->plans[p].n_diseases; i++)
            marked += cat->plans[p].diseases[i].accident_causable;
        assert_int_equal(marked, sizeof causable / sizeof causable[0]);
        for (size_t i = 0; i < sizeof causable / sizeof causable[0]; i++)
            assert_true(fm_plan_disease(&cat->plans[p], causable[i])->accident_causable);
        for (size_t i = 0; i < sizeof not_causable / sizeof not_causable[0]; i++)
            assert_false(fm_plan_disease(&cat->plans[p], not_causable[i])->accident_causable);
    }
    fm_plan_catalogue_free(cat);
    /* A file without the list marks nothing. */
    assert_int_equal(fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/good/plan-2026.json", &cat, NULL),
                     FM_OK);
    for (size_t i = 0; i < cat->plans[0].n_diseases; i++)
        assert_false(cat->plans[0].diseases[i].accident_causable);
    fm_plan_catalogue_free(cat);
}

typedef struct bad_case {
    const char *dir;
    fm_status status;
    const char *code;
    const char *path_part; /* what the message must point at */
} bad_case;

static const bad_case bad_cases[] = {
    {"split_not_4000", FM_EINVAL, "SPLIT_NOT_4000", "managing_units[2].subsidy_split"},
    {"premium_below_subsidy", FM_EINVAL, "PREMIUM_BELOW_SUBSIDY", "premiums.A[0]"},
    {"negative_amount", FM_EINVAL, "NEGATIVE_AMOUNT", "liabilities.accident_medical.deductible"},
    {"unknown_liability", FM_EINVAL, "UNKNOWN_LIABILITY", "liabilities.theft"},
    {"missing_liability", FM_EINVAL, "MISSING_FIELD", "liabilities.critical_illness"},
    {"missing_field", FM_EINVAL, "MISSING_FIELD", "waiting_days"},
    {"unknown_field", FM_EINVAL, "UNKNOWN_FIELD", "waiting_dayz"},
    {"wrong_type", FM_EINVAL, "WRONG_TYPE", "plan_year"},
    {"unknown_role", FM_EINVAL, "UNKNOWN_ROLE", "sum_insured.grandparent"},
    {"unknown_document", FM_EINVAL, "UNKNOWN_DOCUMENT", "liabilities.death.documents[3]"},
    {"bad_date", FM_EINVAL, "BAD_DATE", "end"},
    {"bad_period", FM_EINVAL, "BAD_PERIOD", "start"},
    {"bad_ratio", FM_EINVAL, "BAD_RATIO", "ratio_percent"},
    {"bad_expected_loss_ratio", FM_EINVAL, "BAD_RATIO", "expected_loss_ratio_percent"},
    {"bad_expected_loss_ratio", FM_EINVAL, "BAD_RATIO", "expected_loss_ratio_percent"},
    {"duplicate_unit", FM_EINVAL, "DUPLICATE_CODE", "managing_units[3]"},
    {"split_missing_payer", FM_EINVAL, "MISSING_FIELD", "subsidy_split.city"},
    {"same_year_twice", FM_EINVAL, "OVERLAPPING_PLAN_YEARS", ""},
    {"overlapping_dates", FM_EINVAL, "OVERLAPPING_PLAN_YEARS", ""},
    {"bad_json", FM_EINVAL, "BAD_JSON", "plan-2026.json"},
    {"no_plans", FM_EINVAL, "NO_PLANS", ""},
    {"does_not_exist", FM_EIO, "UNREADABLE", ""},
};

static void every_bad_catalogue_is_refused_with_its_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *b = &bad_cases[i];
        char dir[512];
        snprintf(dir, sizeof dir, "%s/%s", FM_TEST_CATALOGUES, b->dir);
        fm_plan_catalogue *cat = (fm_plan_catalogue *)&dir; /* must be reset to NULL */
        fm_error err;
        fm_error_clear(&err);
        fm_status st = fm_plan_catalogue_load(dir, &cat, &err);
        if (st != b->status || strcmp(err.code, b->code) != 0 || strstr(err.path, b->path_part) == NULL)
            print_error("case %s: status %s code %s path %s text %s\n", b->dir, fm_status_name(st), err.code,
                        err.path, err.text);
        assert_int_equal(st, b->status);
        assert_string_equal(err.code, b->code);
        assert_non_null(strstr(err.path, b->path_part));
        assert_true(strlen(err.text) > 10);
        assert_null(cat);
    }
}

static void the_message_names_the_file(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    assert_int_equal(fm_plan_catalogue_load(FM_TEST_CATALOGUES "/split_not_4000", &cat, &err), FM_EINVAL);
    assert_non_null(strstr(err.text, "plan-2026.json"));
    assert_non_null(strstr(err.text, "4000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_samples_load_with_one_plan_per_year),
        cmocka_unit_test(one_file_loads_alone),
        cmocka_unit_test(expected_loss_ratio_is_read_when_given),
        cmocka_unit_test(expected_loss_ratio_is_read_when_given),
        cmocka_unit_test(every_bad_catalogue_is_refused_with_its_reason),
        cmocka_unit_test(samples_mark_the_accident_causable_critical_illnesses),
        cmocka_unit_test(the_message_names_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
