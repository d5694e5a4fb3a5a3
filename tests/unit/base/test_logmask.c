/* test_logmask.c — the log's identity-number mask: every way the number may be written is masked, ordinary
 * numbers are not. */
#include "fm_log.h"
#include "fm_test.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Masks a copy of in and compares it with want. */
static void expect_mask(const char *in, const char *want)
{
    char *text = strdup(in);
    assert_non_null(text);
    fm_log_mask_identity_numbers(text);
    assert_string_equal(text, want);
    free(text);
}

/* Masks a copy of in and checks that no digit of the number (in any form) is left, with the rest intact. */
static void expect_masked(const char *in)
{
    char *text = strdup(in);
    assert_non_null(text);
    fm_log_mask_identity_numbers(text);
    for (const char *p = text; *p; p++)
        if (*p >= '0' && *p <= '9' && !(p > text && (p[-1] == 'u' || (p > text + 1 && p[-2] == 'u')))) {
            print_error("digit left in [%s] from [%s]\n", text, in);
            fail();
        }
    assert_null(strstr(text, "\xef\xbc\x91")); /* full-width 1 */
    assert_null(strstr(text, "\\u003"));
    assert_null(strstr(text, "\\uff1"));
    assert_null(strstr(text, "\\uFF1"));
    assert_non_null(strstr(text, "id="));
    assert_non_null(strstr(text, " end"));
    free(text);
}

static void plain_numbers_of_15_and_18_characters_are_masked(void **state)
{
    (void)state;
    expect_mask("id=11010519491231002X end", "id=****************** end");
    expect_mask("id=110105194912310 end", "id=*************** end");
    expect_mask("id=11010519491231002x end", "id=****************** end");
    expect_mask("id=110105194912310020 end", "id=****************** end");
}

static void spaced_and_dashed_numbers_are_masked(void **state)
{
    (void)state;
    expect_mask("id=110105 19491231 002X end", "id=******************** end");
    expect_mask("id=1101-0519-4912-3100-2X end", "id=********************** end");
    /* one digit at a time; an X after a space is a word of its own, and says nothing alone */
    expect_mask("id=1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2 X end", "id=********************************* X end");
    expect_masked("id=110105-19491231-002X end");
    expect_masked("id=110105 19491231-0020 end");
    /* ideographic space and full-width dash */
    expect_masked("id=110105\xe3\x80\x80"
                  "19491231\xef\xbc\x8d"
                  "002X end");
}

static void full_width_digits_are_masked(void **state)
{
    (void)state;
    /* １１０１０５１９４９１２３１００２Ｘ */
    expect_masked("id=\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95\xef\xbc\x91"
                  "\xef\xbc\x99\xef\xbc\x94\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x91"
                  "\xef\xbc\x90\xef\xbc\x90\xef\xbc\x92\xef\xbc\xb8 end");
    /* mixed with ASCII digits, and the full-width X masked too */
    expect_mask("id=1101051949123100\xef\xbc\x92\xef\xbc\xb8 end", "id=********************** end");
    /* spaced full-width */
    expect_masked("id=\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95 1949123100"
                  "\xef\xbc\x92X end");
}

static void json_escaped_digits_are_masked(void **state)
{
    (void)state;
    expect_mask("id=\\u0031\\u0031\\u0030\\u0031\\u0030\\u0035\\u0031\\u0039\\u0034\\u0039\\u0031\\u0032"
                "\\u0033\\u0031\\u0030\\u0030\\u0032\\u0058 end",
                "id=************************************************************************************"
                "************************ end");
    expect_masked("id=110105\\u00319491231002\\u0058 end");
    expect_masked("id=\\\\u0031\\\\u00311010519491231002X end");   /* escaped twice */
    expect_masked("id=\\uff11\\uFF111010519491231002\\uff38 end"); /* escaped full-width */
    expect_masked("id=110105\\u002019491231\\u002d002X end");      /* escaped separators */
}

static void ordinary_numbers_are_not_masked(void **state)
{
    (void)state;
    static const char *const keep[] = {
        "n=12345 claim=C2026000001 offset=99999999999999",      /* 14 digits */
        "at=2026-01-15T09:30:00Z partition=3 next_offset=1200", /* a timestamp */
        "range=t:0:100-600,t:1:0-500 amount=250000",            /* offset ranges */
        "a=1234567 890123",                                     /* 13 digits spaced */
        "a=1234567  89012345678",                               /* two spaces part the groups */
        "a=1234567 - 89012345678",                              /* a spaced dash parts them */
        "id=1101051949123 X",                                   /* an X after a space is a word */
        "key=\\u0041\\u0042 text=\\n\\\\ \\u00e9 done",         /* other escapes */
        "zh=\xe7\x8e\x8b\xe5\xb0\x8f\xe9\xbe\x99 \xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", /* a name, １２３ */
        "broken=\xe7\x8e trail\xef", /* a cut UTF-8 sequence */
        "backslash at the end \\",
        "u=\\u003", /* a cut escape */
        "",
    };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        expect_mask(keep[i], keep[i]);
    /* an escape-like prefix takes 4 of the digits: the 14 left are still masked by the plain rule (fuzzer) */
    expect_mask("\\\\u999999999999999999 end", "\\\\u****************** end");
    expect_mask("\\u110105194912310020 end", "\\u****************** end");
    /* 14 digits then X: 15 characters, masked as before */
    expect_mask("id=11010519491231X!", "id=***************!");
}

static void the_logger_masks_every_form(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "t", "info", "json", out, NULL), FM_OK);
    fm_log(&lg, FM_LOG_WARN, "e", "a=%s b=%s c=%s", "110105 19491231 002X", "\\u0031\\u00311010519491231002X",
           "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95\xef\xbc\x91\xef\xbc\x99"
           "\xef\xbc\x94\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x91\xef\xbc\x90\xef\xbc\x90"
           "\xef\xbc\x92\xef\xbc\xb8");
    fclose(out);
    assert_null(strstr(text, "19491231"));
    assert_null(strstr(text, "u0031"));
    assert_null(strstr(text, "\xef\xbc\x91"));
    assert_non_null(strstr(text, "\"event\":\"e\""));
    free(text);
}

/* A detail longer than the logger's buffer is cut on a character boundary: the JSON line still parses. */
static void a_cut_detail_keeps_json_lines_valid(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "t", "info", "json", out, NULL), FM_OK);
    char detail[2100];
    memset(detail, 'a', 2046);
    strcpy(detail + 2046, "\xe4\xb8\xad tail"); /* 中 straddles the 2047-byte limit */
    fm_log(&lg, FM_LOG_WARN, "e", "%s", detail);
    fclose(out);
    json_error_t jerr;
    json_t *line = json_loads(text, 0, &jerr);
    assert_non_null(line);
    const char *got = json_string_value(json_object_get(line, "detail"));
    assert_non_null(got);
    assert_int_equal(strlen(got), 2046);
    json_decref(line);
    free(text);
}

/* A newline in a kv detail cannot start a forged line of its own. */
static void a_newline_in_a_kv_detail_stays_on_its_line(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "t", "info", "kv", out, NULL), FM_OK);
    fm_log(&lg, FM_LOG_WARN, "e", "note=%s", "x\nts=forged level=error event=fake");
    fclose(out);
    assert_non_null(strstr(text, "note=\"x\\x0ats=forged level=error event=fake\""));
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_numbers_of_15_and_18_characters_are_masked),
        cmocka_unit_test(spaced_and_dashed_numbers_are_masked),
        cmocka_unit_test(full_width_digits_are_masked),
        cmocka_unit_test(json_escaped_digits_are_masked),
        cmocka_unit_test(ordinary_numbers_are_not_masked),
        cmocka_unit_test(the_logger_masks_every_form),
        cmocka_unit_test(a_cut_detail_keeps_json_lines_valid),
        cmocka_unit_test(a_newline_in_a_kv_detail_stays_on_its_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
