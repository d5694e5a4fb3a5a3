/* test_dates.c — calendar arithmetic: strict parsing, month arithmetic, ages with 29 February. */
#include "fm_test.h"

#include "fm_dates.h"

static fm_date D(const char *s)
{
    fm_date d = 0;
    fm_error err;
    assert_int_equal(fm_date_parse(s, &d, &err), FM_OK);
    return d;
}

static void epoch_is_day_zero(void **state)
{
    (void)state;
    assert_i64_equal(D("1970-01-01"), 0);
    assert_i64_equal(D("1970-01-02"), 1);
    assert_i64_equal(D("1969-12-31"), -1);
    assert_i64_equal(D("2000-03-01"), 11017);
    assert_i64_equal(D("2026-03-01"), 20513);
}

static void every_day_round_trips_through_text(void **state)
{
    (void)state;
    char buf[FM_DATE_TEXT_LEN];
    for (fm_date d = D("1896-01-01"); d <= D("2104-12-31"); d++) {
        assert_int_equal(fm_date_format(d, buf, sizeof buf), FM_OK);
        fm_date back = 0;
        assert_int_equal(fm_date_parse(buf, &back, NULL), FM_OK);
        assert_i64_equal(back, d);
    }
}

static void parse_refuses_anything_but_yyyy_mm_dd(void **state)
{
    (void)state;
    const char *bad[] = {"",           "2026-3-01",   "2026-03-1",   "26-03-01",
                         "2026/03/01", "2026-03-01 ", " 2026-03-01", "2026-03-01T00:00:00Z",
                         "+026-03-01", "2026-0a-01",  "20260301",    "2026-03-01x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fm_date d = 12345;
        fm_error err;
        assert_int_equal(fm_date_parse(bad[i], &d, &err), FM_EINVAL);
        assert_string_equal(err.code, "DATE_FORMAT");
        assert_i64_equal(d, 12345);
    }
    fm_error err;
    fm_date d;
    assert_int_equal(fm_date_parse(NULL, &d, &err), FM_EINVAL);
}

static void parse_refuses_impossible_dates(void **state)
{
    (void)state;
    const char *bad[] = {"1999-02-29", "2026-02-29", "1900-02-29", "2026-04-31",
                         "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fm_date d;
        fm_error err;
        assert_int_equal(fm_date_parse(bad[i], &d, &err), FM_EINVAL);
        assert_string_equal(err.code, "DATE_INVALID");
    }
    D("2000-02-29");
    D("2024-02-29");
}

static void format_needs_room_for_the_date(void **state)
{
    (void)state;
    char buf[10];
    assert_int_equal(fm_date_format(0, buf, sizeof buf), FM_EINVAL);
    assert_string_equal(buf, "");
    char ok[11];
    assert_int_equal(fm_date_format(D("2027-02-28"), ok, sizeof ok), FM_OK);
    assert_string_equal(ok, "2027-02-28");
}

static void last_day_of_february_follows_leap_years(void **state)
{
    (void)state;
    assert_i64_equal(fm_date_last_of_february(2027), D("2027-02-28"));
    assert_i64_equal(fm_date_last_of_february(2028), D("2028-02-29"));
    assert_i64_equal(fm_date_last_of_february(2100), D("2100-02-28"));
    assert_i64_equal(fm_date_last_of_february(2000), D("2000-02-29"));
}

static void adding_months_clamps_to_the_end_of_the_month(void **state)
{
    (void)state;
    assert_i64_equal(fm_date_add_months(D("2026-01-31"), 1), D("2026-02-28"));
    assert_i64_equal(fm_date_add_months(D("2028-01-31"), 1), D("2028-02-29"));
    assert_i64_equal(fm_date_add_months(D("2026-03-01"), -2), D("2026-01-01"));
    assert_i64_equal(fm_date_add_months(D("2026-03-31"), -1), D("2026-02-28"));
    assert_i64_equal(fm_date_add_months(D("2026-01-15"), -13), D("2024-12-15"));
    assert_i64_equal(fm_date_add_years(D("2024-02-29"), 1), D("2025-02-28"));
    assert_i64_equal(fm_date_add_years(D("2026-03-01"), -18), D("2008-03-01"));
    assert_i64_equal(fm_date_add_days(D("2026-02-28"), 1), D("2026-03-01"));
    assert_i64_equal(fm_date_add_days(D("2028-02-28"), 1), D("2028-02-29"));
}

static void person_born_on_29_february_is_older_on_1_march_in_common_years(void **state)
{
    (void)state;
    fm_date born = D("2008-02-29");
    assert_int_equal(fm_age_on(born, D("2026-02-28")), 17);
    assert_int_equal(fm_age_on(born, D("2026-03-01")), 18);
    assert_int_equal(fm_age_on(born, D("2028-02-28")), 19);
    assert_int_equal(fm_age_on(born, D("2028-02-29")), 20);
}

static void age_counts_full_years(void **state)
{
    (void)state;
    fm_date born = D("2008-03-01");
    assert_int_equal(fm_age_on(born, D("2026-02-28")), 17);
    assert_int_equal(fm_age_on(born, D("2026-03-01")), 18);
    assert_int_equal(fm_age_on(born, born), 0);
    assert_int_equal(fm_age_on(born, D("2008-02-29")), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epoch_is_day_zero),
        cmocka_unit_test(every_day_round_trips_through_text),
        cmocka_unit_test(parse_refuses_anything_but_yyyy_mm_dd),
        cmocka_unit_test(parse_refuses_impossible_dates),
        cmocka_unit_test(format_needs_room_for_the_date),
        cmocka_unit_test(last_day_of_february_follows_leap_years),
        cmocka_unit_test(adding_months_clamps_to_the_end_of_the_month),
        cmocka_unit_test(person_born_on_29_february_is_older_on_1_march_in_common_years),
        cmocka_unit_test(age_counts_full_years),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
