/* test_report_access.c — which unit a report or export covers for the city and for a district login; the CSV
 * byte-order mark; the export's file errors before any database work. */
#include <stdio.h>
#include <string.h>

#include "fm_test.h"
#include "report_access.h"
#include "report_export.h"
#include "report_format.h"

static const report_scope city = {.login = "famins_reporter", .all_units = true, .unit = ""};
static const report_scope district = {.login = "assoc_lantian", .all_units = false, .unit = "610122"};
static const report_scope unbound = {.login = "assoc_new", .all_units = false, .unit = ""};

static void the_city_reports_what_it_asks(void **state)
{
    (void)state;
    const char *unit = "x";
    fm_error err = {0};
    assert_int_equal(report_scope_unit(&city, NULL, &unit, &err), FM_OK);
    assert_null(unit);
    assert_int_equal(report_scope_unit(&city, "GXQ", &unit, &err), FM_OK);
    assert_string_equal(unit, "GXQ");
}

static void a_district_reports_its_own_unit_only(void **state)
{
    (void)state;
    const char *unit = NULL;
    fm_error err = {0};
    assert_int_equal(report_scope_unit(&district, NULL, &unit, &err), FM_OK);
    assert_string_equal(unit, "610122");
    unit = NULL;
    assert_int_equal(report_scope_unit(&district, "610122", &unit, &err), FM_OK);
    assert_string_equal(unit, "610122");
    unit = "untouched";
    assert_int_equal(report_scope_unit(&district, "GXQ", &unit, &err), FM_EINVAL);
    assert_string_equal(unit, "untouched");
    assert_string_equal(err.code, "OTHER_UNIT");
    assert_non_null(strstr(err.text, "may read managing unit 610122 only, not GXQ"));
    /* A prefix or a longer code is another unit too. */
    assert_int_equal(report_scope_unit(&district, "61012", &unit, &err), FM_EINVAL);
    assert_int_equal(report_scope_unit(&district, "6101220", &unit, &err), FM_EINVAL);
}

static void a_role_bound_to_nothing_reports_nothing(void **state)
{
    (void)state;
    const char *unit = "untouched";
    fm_error err = {0};
    assert_int_equal(report_scope_unit(&unbound, NULL, &unit, &err), FM_EINVAL);
    assert_string_equal(err.code, "NO_UNIT");
    assert_non_null(strstr(err.text, "famins-admin district-role UNIT assoc_new"));
    assert_int_equal(report_scope_unit(&unbound, "610122", &unit, &err), FM_EINVAL);
    assert_string_equal(unit, "untouched");
}

static void the_byte_order_mark_is_three_bytes(void **state)
{
    (void)state;
    char buf[16] = {0};
    FILE *f = fmemopen(buf, sizeof buf, "w");
    assert_non_null(f);
    report_csv_bom(f);
    fclose(f);
    assert_int_equal(strlen(buf), 3);
    assert_memory_equal(buf, "\xEF\xBB\xBF", 3);
}

static void an_export_into_a_folder_that_cannot_be_made_fails_clearly(void **state)
{
    (void)state;
    report_export_request req = {.plan_year = 2026, .unit = "610122", .dir = "/proc/famins-no-such/export"};
    fm_error err = {0};
    long long rows = -1;
    assert_int_equal(report_export_write(NULL, &req, &rows, &err), FM_EIO);
    assert_string_equal(err.code, "UNWRITABLE");
    assert_non_null(strstr(err.text, "cannot create /proc/famins-no-such/export"));
    assert_int_equal(rows, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_city_reports_what_it_asks),
        cmocka_unit_test(a_district_reports_its_own_unit_only),
        cmocka_unit_test(a_role_bound_to_nothing_reports_nothing),
        cmocka_unit_test(the_byte_order_mark_is_three_bytes),
        cmocka_unit_test(an_export_into_a_folder_that_cannot_be_made_fails_clearly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
