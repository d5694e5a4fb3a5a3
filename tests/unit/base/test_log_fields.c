/* test_log_fields.c — unit tests of the logger's fields: JSON lines parsed back with jansson (every field its
 * own key, types, escaping, masking, a UTF-8 cut) and kv lines (quoting, escaping). */
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fm_log.h"
#include "fm_test.h"

/* A logger writing into memory; lines() closes it and returns the text (caller frees). */
typedef struct capture {
    char *text;
    size_t len;
    FILE *out;
    fm_logger lg;
} capture;

static void capture_open(capture *c, const char *format)
{
    c->text = NULL;
    c->len = 0;
    c->out = open_memstream(&c->text, &c->len);
    assert_non_null(c->out);
    assert_int_equal(fm_logger_init(&c->lg, "unit", "debug", format, c->out, NULL), FM_OK);
}

static char *capture_close(capture *c)
{
    assert_int_equal(fclose(c->out), 0);
    return c->text;
}

/* The one JSON line of text, parsed; the text must be exactly one line. */
static json_t *one_json_line(const char *text)
{
    const char *nl = strchr(text, '\n');
    assert_non_null(nl);
    assert_ptr_equal(nl, text + strlen(text) - 1);
    json_error_t jerr;
    json_t *line = json_loads(text, 0, &jerr);
    if (line == NULL)
        print_error("not JSON (%s): %s\n", jerr.text, text);
    assert_non_null(line);
    assert_true(json_is_object(line));
    return line;
}

static const char *str_field(json_t *line, const char *key)
{
    json_t *v = json_object_get(line, key);
    if (!json_is_string(v))
        print_error("field %s is not a string\n", key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void every_field_is_its_own_key_with_its_type(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(
        &c.lg, FM_LOG_INFO, "batch_committed",
        "partition=%d offset=%lld messages=%zu ratio=%.2f topic=%s error=\"%s\" hex=%x literal=42 big=%llu "
        "negative=%d",
        3, 1234567890123LL, (size_t)500, 0.25, "enrollment.submitted", "broker down: see log", 255U, 7ULL,
        -7);
    char *text = capture_close(&c);
    json_t *line = one_json_line(text);
    assert_string_equal(str_field(line, "level"), "info");
    assert_string_equal(str_field(line, "component"), "unit");
    assert_string_equal(str_field(line, "event"), "batch_committed");
    assert_non_null(strchr(str_field(line, "ts"), 'T'));
    assert_true(json_is_integer(json_object_get(line, "partition")));
    assert_i64_equal(json_integer_value(json_object_get(line, "partition")), 3);
    assert_i64_equal(json_integer_value(json_object_get(line, "offset")), 1234567890123LL);
    assert_i64_equal(json_integer_value(json_object_get(line, "messages")), 500);
    assert_i64_equal(json_integer_value(json_object_get(line, "negative")), -7);
    assert_true(json_is_real(json_object_get(line, "ratio")));
    assert_true(json_real_value(json_object_get(line, "ratio")) == 0.25);
    assert_string_equal(str_field(line, "topic"), "enrollment.submitted");
    assert_string_equal(str_field(line, "error"), "broker down: see log");
    /* what the logger cannot know as a number stays text: hex, a literal */
    assert_string_equal(str_field(line, "hex"), "ff");
    assert_string_equal(str_field(line, "literal"), "42");
    assert_i64_equal(json_integer_value(json_object_get(line, "big")), 7);
    assert_null(json_object_get(line, "detail"));
    assert_int_equal(json_object_size(line), 4 + 10);
    json_decref(line);
    free(text);
}

/* An argument's spaces, quotes and '=' never split a field: only the format's own delimit. */
static void an_argument_cannot_forge_fields(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_WARN, "e", "error=\"%s\" topic=%s n=%d", "x\" level=error fake=\"1", "a b=c", 1);
    char *text = capture_close(&c);
    json_t *line = one_json_line(text);
    assert_string_equal(str_field(line, "error"), "x\" level=error fake=\"1");
    assert_string_equal(str_field(line, "topic"), "a b=c");
    assert_string_equal(str_field(line, "level"), "warn");
    assert_null(json_object_get(line, "fake"));
    assert_null(json_object_get(line, "b"));
    assert_int_equal(json_object_size(line), 4 + 3);
    json_decref(line);
    free(text);
}

static void keys_and_values_are_escaped(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_ERROR, "ev\"il\n", "%s=%s path=%s bad=%s", "k\\ey",
           "tab\there \"q\" back\\slash\nnl", "C:\\tmp", "\xff\xfe ok \xe4\xb8\xad");
    char *text = capture_close(&c);
    json_t *line = one_json_line(text);
    assert_string_equal(str_field(line, "event"), "ev\"il\n");
    /* a key from an argument is still a key when it is made of key characters; here it is not: text */
    assert_string_equal(str_field(line, "detail"), "k\\ey=tab\there \"q\" back\\slash\nnl");
    assert_string_equal(str_field(line, "path"), "C:\\tmp");
    /* bytes that are not UTF-8 become U+FFFD; valid characters stay */
    assert_string_equal(str_field(line, "bad"), "\xef\xbf\xbd\xef\xbf\xbd ok \xe4\xb8\xad");
    json_decref(line);
    free(text);
}

static void identity_numbers_are_masked_in_every_field_and_type(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_WARN, "e", "id=%s quoted=\"holder %s\" number=%lld spaced=\"%s\" short=%lld",
           "61011319850101001X", "610113198501010011", 610113198501010011LL, "610113 19850101 0011",
           12345678901234LL);
    char *text = capture_close(&c);
    assert_null(strstr(text, "198501010"));
    assert_null(strstr(text, "19850101"));
    json_t *line = one_json_line(text);
    assert_string_equal(str_field(line, "id"), "******************");
    assert_string_equal(str_field(line, "quoted"), "holder ******************");
    /* a masked number is no number any more: text */
    assert_string_equal(str_field(line, "number"), "******************");
    assert_string_equal(str_field(line, "spaced"), "********************");
    assert_i64_equal(json_integer_value(json_object_get(line, "short")), 12345678901234LL);
    json_decref(line);
    free(text);
}

/* A value longer than the detail's 2047 bytes is cut before a character it would split; the line says so. */
static void a_utf8_cut_keeps_the_line_json_and_says_truncated(void **state)
{
    (void)state;
    char value[2100];
    memset(value, 'a', sizeof value);
    /* "note=" is 5 bytes, then 2040 'a': 中 (3 bytes) would end past the 2047th byte */
    memcpy(value + 2040, "\xe4\xb8\xad", 3);
    value[2099] = '\0';
    for (int json = 0; json <= 1; json++) {
        capture c;
        capture_open(&c, json ? "json" : "kv");
        fm_log(&c.lg, FM_LOG_INFO, "e", "note=%s after=%d", value, 1);
        char *text = capture_close(&c);
        if (json) {
            json_t *line = one_json_line(text);
            const char *note = str_field(line, "note");
            assert_int_equal(strlen(note), 2040);
            assert_null(strstr(note, "\xe4"));
            assert_true(json_is_true(json_object_get(line, "truncated")));
            assert_null(json_object_get(line, "after"));
            json_decref(line);
        } else {
            assert_non_null(strstr(text, " truncated=true\n"));
            assert_null(strstr(text, "\xe4"));
        }
        free(text);
    }
}

/* A number the cut goes through is not written as the number of its first digits. */
static void a_number_cut_short_is_text(void **state)
{
    (void)state;
    char pad[2100];
    memset(pad, 'p', sizeof pad);
    pad[2038] = '\0'; /* "pad=" + 2038 + " b=" = 2045 bytes: 2 digits fit in the 2047 */
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_INFO, "e", "pad=%s b=%lld", pad, 1234567LL);
    char *text = capture_close(&c);
    json_t *line = one_json_line(text);
    json_t *b = json_object_get(line, "b");
    assert_true(json_is_string(b));
    assert_string_equal(json_string_value(b), "12");
    assert_true(json_is_true(json_object_get(line, "truncated")));
    json_decref(line);
    free(text);
}

/* ts, level, component and event are the line's: a field of that name, or a repeated one, gets a suffix. */
static void reserved_and_repeated_keys_get_a_suffix(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_INFO, "real", "event=%s level=%s a=%d a=%d", "fake", "error", 1, 2);
    char *text = capture_close(&c);
    json_t *line = one_json_line(text);
    assert_string_equal(str_field(line, "event"), "real");
    assert_string_equal(str_field(line, "event_2"), "fake");
    assert_string_equal(str_field(line, "level"), "info");
    assert_string_equal(str_field(line, "level_2"), "error");
    assert_i64_equal(json_integer_value(json_object_get(line, "a")), 1);
    assert_i64_equal(json_integer_value(json_object_get(line, "a_2")), 2);
    json_decref(line);
    free(text);
}

/* Text outside any key=value joins the field before it, or "detail" when it comes first. */
static void text_outside_fields_is_kept(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    fm_log(&c.lg, FM_LOG_INFO, "e", "%s", "just a sentence");
    fm_log(&c.lg, FM_LOG_INFO, "e", "action=none (do it deliberately) n=%d", 2);
    fm_log(&c.lg, FM_LOG_INFO, "e", "%s", "");
    char *text = capture_close(&c);
    char *second = strchr(text, '\n') + 1;
    char *third = strchr(second, '\n') + 1;
    second[-1] = '\0';
    third[-1] = '\0';
    json_error_t jerr;
    json_t *l1 = json_loads(text, 0, &jerr), *l2 = json_loads(second, 0, &jerr),
           *l3 = json_loads(third, JSON_DISABLE_EOF_CHECK, &jerr);
    assert_non_null(l1);
    assert_non_null(l2);
    assert_non_null(l3);
    assert_string_equal(str_field(l1, "detail"), "just a sentence");
    assert_string_equal(str_field(l2, "action"), "none (do it deliberately)");
    assert_i64_equal(json_integer_value(json_object_get(l2, "n")), 2);
    assert_int_equal(json_object_size(l3), 4);
    json_decref(l1);
    json_decref(l2);
    json_decref(l3);
    free(text);
}

/* kv: quotes and backslashes escaped inside quoted values, a value with a space or a quote quoted, control
 * characters \xNN, masking as in JSON. */
static void kv_escapes_quotes_and_control_characters(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "kv");
    fm_log(&c.lg, FM_LOG_WARN, "said", "error=\"%s\" topic=%s tab=%s n=%d id=%s plain=%s", "say \"hi\" \\ok",
           "a b", "x\ty", 5, "610113198501010011", "a\\b");
    char *text = capture_close(&c);
    const char *want = " level=warn component=unit event=said error=\"say \\\"hi\\\" \\\\ok\" topic=\"a b\" "
                       "tab=x\\x09y n=5 id=****************** plain=a\\b\n";
    if (strstr(text, want) == NULL)
        print_error("got %s", text);
    assert_non_null(strstr(text, want));
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
}

/* kv: the component and the event are escaped like values (code names them, but a line stays a line). */
static void kv_escapes_the_event_and_component_too(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "kv");
    c.lg.component = "a b";
    fm_log(&c.lg, FM_LOG_INFO, "ev\n\"x\"", "n=%d", 1);
    char *text = capture_close(&c);
    assert_non_null(strstr(text, " component=\"a b\" event=\"ev\\x0a\\\"x\\\"\" n=1\n"));
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    free(text);
}

/* Below the logger's level nothing is written; every call above it writes exactly one line. */
static void one_line_per_call_above_the_level(void **state)
{
    (void)state;
    capture c;
    capture_open(&c, "json");
    c.lg.level = FM_LOG_WARN;
    fm_log(&c.lg, FM_LOG_INFO, "hidden", "x=%d", 1);
    for (int i = 0; i < 5; i++)
        fm_log(&c.lg, FM_LOG_ERROR, "shown", "i=%d note=\"two\nlines\"", i);
    char *text = capture_close(&c);
    int lines = 0;
    for (char *p = text; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    assert_int_equal(lines, 5);
    assert_null(strstr(text, "hidden"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_is_its_own_key_with_its_type),
        cmocka_unit_test(an_argument_cannot_forge_fields),
        cmocka_unit_test(keys_and_values_are_escaped),
        cmocka_unit_test(identity_numbers_are_masked_in_every_field_and_type),
        cmocka_unit_test(a_utf8_cut_keeps_the_line_json_and_says_truncated),
        cmocka_unit_test(a_number_cut_short_is_text),
        cmocka_unit_test(reserved_and_repeated_keys_get_a_suffix),
        cmocka_unit_test(text_outside_fields_is_kept),
        cmocka_unit_test(kv_escapes_quotes_and_control_characters),
        cmocka_unit_test(kv_escapes_the_event_and_component_too),
        cmocka_unit_test(one_line_per_call_above_the_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
