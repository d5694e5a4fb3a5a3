/* test_idnum.c — GB 11643-1999 identity numbers: check character, birth date, province, format. */
#include "fm_test.h"

#include "fm_dates.h"
#include "fm_idnum.h"

#include <string.h>

static fm_date D(const char *s)
{
    fm_date d = 0;
    assert_int_equal(fm_date_parse(s, &d, NULL), FM_OK);
    return d;
}

static const char *code_of(const char *s, fm_date today)
{
    static fm_error err;
    fm_idnum id;
    fm_error_clear(&err);
    if (fm_idnum_parse(s, today, &id, &err) == FM_OK)
        return "OK";
    return err.code;
}

/* The example of GB 11643-1999 itself: a check character X. */
static void standard_example_with_check_x_is_valid(void **state)
{
    (void)state;
    fm_idnum id;
    fm_error err;
    assert_int_equal(fm_idnum_parse("11010519491231002X", D("2026-01-01"), &id, &err), FM_OK);
    assert_string_equal(id.canonical, "11010519491231002X");
    assert_string_equal(id.area_code, "110105");
    assert_i64_equal(id.birth_date, D("1949-12-31"));
    assert_int_equal(id.sex, FM_SEX_FEMALE);
    assert_int_equal(fm_idnum_check_char("11010519491231002"), 'X');
}

static void valid_numbers_give_birth_date_and_sex(void **state)
{
    (void)state;
    fm_idnum id;
    assert_int_equal(fm_idnum_parse("440524188001010014", D("2026-01-01"), &id, NULL),
                     FM_EINVAL); /* before 1900 */
    assert_int_equal(fm_idnum_parse("610113198501010010", D("2026-01-01"), &id, NULL), FM_OK);
    assert_int_equal(id.sex, FM_SEX_MALE);
    assert_i64_equal(id.birth_date, D("1985-01-01"));
    assert_int_equal(fm_idnum_parse("610113201203050027", D("2026-01-01"), &id, NULL), FM_OK);
    assert_int_equal(id.sex, FM_SEX_FEMALE);
    assert_i64_equal(id.birth_date, D("2012-03-05"));
}

static void lowercase_x_is_accepted_and_made_uppercase(void **state)
{
    (void)state;
    fm_idnum id;
    assert_int_equal(fm_idnum_parse("11010519491231002x", D("2026-01-01"), &id, NULL), FM_OK);
    assert_string_equal(id.canonical, "11010519491231002X");
}

static void wrong_check_character_is_refused(void **state)
{
    (void)state;
    assert_string_equal(code_of("110105194912310029", D("2026-01-01")), "CHECK_CHARACTER");
    /* The examples of schemas/events/README.md carry wrong check characters. */
    assert_string_equal(code_of("61011320120305002X", D("2026-01-01")), "CHECK_CHARACTER");
    assert_string_equal(code_of("610113198501010011", D("2026-01-01")), "CHECK_CHARACTER");
}

static void impossible_birth_date_19990230_is_refused(void **state)
{
    (void)state;
    char s[19] = "61011319990230001";
    s[17] = fm_idnum_check_char(s); /* a right check character: the date alone is wrong */
    s[18] = '\0';
    assert_string_equal(code_of(s, D("2026-01-01")), "BIRTH_DATE");
}

static void birth_date_after_today_is_refused_and_today_is_allowed(void **state)
{
    (void)state;
    char s[19] = "61011320260115002";
    s[17] = fm_idnum_check_char(s);
    s[18] = '\0';
    assert_string_equal(code_of(s, D("2026-01-14")), "BIRTH_DATE");
    assert_string_equal(code_of(s, D("2026-01-15")), "OK");
}

static void length_and_characters_are_checked_first(void **state)
{
    (void)state;
    fm_date t = D("2026-01-01");
    assert_string_equal(code_of(NULL, t), "LENGTH");
    assert_string_equal(code_of("", t), "LENGTH");
    assert_string_equal(code_of("61011320120305002", t), "LENGTH");
    assert_string_equal(code_of("6101132012030500277", t), "LENGTH");
    assert_string_equal(code_of("610113 01203050027", t), "CHARACTERS");
    assert_string_equal(code_of("61011320120305002Y", t), "CHARACTERS");
    assert_string_equal(code_of("X10113201203050027", t), "CHARACTERS");
    /* 15-digit numbers of the first generation are not accepted: the scheme uses 18 characters. */
    assert_string_equal(code_of("610113120305002", t), "LENGTH");
}

static void old_and_other_province_area_codes_are_valid(void **state)
{
    (void)state;
    const char *areas[] = {"610125", "610126", "110105", "440305", "810000", "999999"};
    const char *expect[] = {"OK", "OK", "OK", "OK", "OK", "AREA_CODE"};
    for (size_t i = 0; i < 6; i++) {
        char s[19];
        memcpy(s, areas[i], 6);
        memcpy(s + 6, "20100101003", 11);
        s[17] = fm_idnum_check_char(s);
        s[18] = '\0';
        assert_string_equal(code_of(s, D("2026-01-01")), expect[i]);
    }
    assert_false(fm_idnum_province_valid(10));
    assert_false(fm_idnum_province_valid(16));
    assert_false(fm_idnum_province_valid(66));
    assert_true(fm_idnum_province_valid(61));
}

static void error_text_never_contains_the_number(void **state)
{
    (void)state;
    fm_idnum id;
    fm_error err;
    assert_int_equal(fm_idnum_parse("610113201203050028", D("2026-01-01"), &id, &err), FM_EINVAL);
    assert_null(strstr(err.text, "610113"));
    assert_null(strstr(err.path, "610113"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(standard_example_with_check_x_is_valid),
        cmocka_unit_test(valid_numbers_give_birth_date_and_sex),
        cmocka_unit_test(lowercase_x_is_accepted_and_made_uppercase),
        cmocka_unit_test(wrong_check_character_is_refused),
        cmocka_unit_test(impossible_birth_date_19990230_is_refused),
        cmocka_unit_test(birth_date_after_today_is_refused_and_today_is_allowed),
        cmocka_unit_test(length_and_characters_are_checked_first),
        cmocka_unit_test(old_and_other_province_area_codes_are_valid),
        cmocka_unit_test(error_text_never_contains_the_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
