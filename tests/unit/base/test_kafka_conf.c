/* test_kafka_conf.c — Kafka properties from the environment and a file: any value accepted, none echoed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fm_kafka.h"
#include "fm_settings.h"
#include "fm_test.h"

/* A value no error text could hold by chance: every 3-character piece of it is searched for. */
#define SECRET "Qz7Xj4Wv9Kq3Yp"

/* Fails when text holds any 3 consecutive characters of secret. */
static void assert_no_part_of(const char *text, const char *secret)
{
    size_t n = strlen(secret);
    for (size_t i = 0; i + 3 <= n; i++) {
        char piece[4] = {secret[i], secret[i + 1], secret[i + 2], '\0'};
        if (strstr(text, piece) != NULL) {
            print_error("\"%s\" holds \"%s\", a part of the secret\n", text, piece);
            fail();
        }
    }
}

static void assert_error_hides(const fm_error *err, const char *secret)
{
    assert_no_part_of(err->path, secret);
    assert_no_part_of(err->code, secret);
    assert_no_part_of(err->text, secret);
}

/* The value of a property as librdkafka holds it. */
static const char *conf_value(rd_kafka_conf_t *conf, const char *key, char *buf, size_t size)
{
    size_t len = size;
    assert_int_equal(rd_kafka_conf_get(conf, key, buf, &len), RD_KAFKA_CONF_OK);
    return buf;
}

/* Writes text to a new temporary file; path must be a mkstemp template. */
static void write_file(char *path, const char *text)
{
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void list_item_splits_at_unescaped_semicolons_and_undoes_escapes(void **state)
{
    (void)state;
    const char *list = "a=1\\;2;b=x\\\\;c=\\d\\";
    char item[64];
    size_t used = fm_kafka_list_item(list, item);
    assert_string_equal(item, "a=1;2");
    assert_int_equal(used, strlen("a=1\\;2;"));
    list += used;
    used = fm_kafka_list_item(list, item);
    assert_string_equal(item, "b=x\\"); /* "\\\\" is one backslash, and the ';' after it separates */
    list += used;
    used = fm_kafka_list_item(list, item);
    assert_string_equal(item, "c=\\d\\"); /* a backslash before anything else is kept */
    assert_int_equal(used, strlen("c=\\d\\"));
    assert_int_equal(fm_kafka_list_item("", item), 0);
    assert_string_equal(item, "");
}

static void list_value_may_hold_escaped_semicolons_and_backslashes(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    char value[128];
    const char *list = "client.id=a\\;b\\\\;linger.ms = 9 ;sasl.username=u=v\\x";
    assert_int_equal(fm_kafka_conf_apply_list(conf, list, &err), FM_OK);
    assert_string_equal(conf_value(conf, "client.id", value, sizeof value), "a;b\\");
    assert_string_equal(conf_value(conf, "linger.ms", value, sizeof value), "9");
    /* Split at the first '=' only. */
    assert_string_equal(conf_value(conf, "sasl.username", value, sizeof value), "u=v\\x");
    rd_kafka_conf_destroy(conf);
}

static void list_item_without_equals_is_named_by_position_and_not_shown(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    /* A password typed without its key, as the third item (the empty second item counts). */
    const char *list = "sasl.username=u;;" SECRET ";linger.ms=1";
    assert_int_equal(fm_kafka_conf_apply_list(conf, list, &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_KAFKA_PROPERTY");
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 3");
    assert_non_null(strstr(err.text, "FAMINS_KAFKA_PROPERTIES item 3"));
    assert_error_hides(&err, SECRET);
    rd_kafka_conf_destroy(conf);
}

static void list_key_that_is_not_a_property_name_is_not_shown(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    /* "sasl.password: Qz7X j4Wv=9Kq3Yp": the key part is half the secret. */
    assert_int_equal(fm_kafka_conf_apply_list(conf, "sasl.password: Qz7X j4Wv=9Kq3Yp", &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_KAFKA_PROPERTY");
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 1");
    assert_error_hides(&err, "Qz7Xj4Wv9Kq3Yp");
    assert_error_hides(&err, "Qz7X j4Wv");
    assert_int_equal(fm_kafka_conf_apply_list(conf, " =" SECRET, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 1");
    assert_error_hides(&err, SECRET);
    rd_kafka_conf_destroy(conf);
}

static void list_bad_value_names_key_and_position_never_the_value(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* librdkafka's own message quotes the value: what this test makes sure famins never passes on. */
    char errstr[512];
    assert_int_equal(rd_kafka_conf_set(conf, "security.protocol", SECRET, errstr, sizeof errstr),
                     RD_KAFKA_CONF_INVALID);
    assert_non_null(strstr(errstr, SECRET));

    fm_error err = {0};
    const char *list = "linger.ms=1;security.protocol=" SECRET;
    assert_int_equal(fm_kafka_conf_apply_list(conf, list, &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_KAFKA_VALUE");
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 2");
    assert_non_null(strstr(err.text, "\"security.protocol\""));
    assert_error_hides(&err, SECRET);

    assert_int_equal(fm_kafka_conf_apply_list(conf, "linger.ms=" SECRET, &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_KAFKA_VALUE");
    assert_error_hides(&err, SECRET);
    rd_kafka_conf_destroy(conf);
}

static void list_unknown_key_is_named_with_its_position_only(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_apply_list(conf, "linger.ms=1;sasl.passwrd=" SECRET, &err), FM_ECONFIG);
    assert_string_equal(err.code, "UNKNOWN_KAFKA_PROPERTY");
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 2");
    assert_string_equal(err.text,
                        "FAMINS_KAFKA_PROPERTIES item 2: librdkafka has no property \"sasl.passwrd\"");
    rd_kafka_conf_destroy(conf);
}

static void program_set_property_never_quotes_its_value(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_set(conf, "linger.ms", "5", &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(conf, "security.protocol", SECRET, &err), FM_ECONFIG);
    assert_string_equal(err.path, "security.protocol");
    assert_string_equal(err.code, "BAD_KAFKA_VALUE");
    assert_error_hides(&err, SECRET);
    assert_int_equal(fm_kafka_conf_set(conf, "no.such.property", "1", &err), FM_ECONFIG);
    assert_string_equal(err.code, "UNKNOWN_KAFKA_PROPERTY");
    rd_kafka_conf_destroy(conf);
}

static void file_value_may_hold_any_character(void **state)
{
    (void)state;
    char path[] = "/tmp/famins-props-XXXXXX";
    /* A comment, an indented comment, a blank line, CRLF, values holding '=', ';', '#', '\' and blanks. */
    write_file(path, "# secrets\n"
                     "   # indented comment\n"
                     "\n"
                     "sasl.username = #user;1\n"
                     "sasl.password=p=w;d#x\\;y\r\n"
                     "client.id=  spaced out  \n"
                     "  linger.ms=12\n"
                     "sasl.kerberos.service.name=kafka"); /* no newline at the end */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    char value[128];
    assert_int_equal(fm_kafka_conf_apply_file(conf, path, &err), FM_OK);
    /* librdkafka drops blanks at a value's start (its rule, for every property); the end is kept. */
    assert_string_equal(conf_value(conf, "sasl.username", value, sizeof value), "#user;1");
    assert_string_equal(conf_value(conf, "sasl.password", value, sizeof value), "p=w;d#x\\;y");
    assert_string_equal(conf_value(conf, "client.id", value, sizeof value), "spaced out  ");
    assert_string_equal(conf_value(conf, "linger.ms", value, sizeof value), "12");
    assert_string_equal(conf_value(conf, "sasl.kerberos.service.name", value, sizeof value), "kafka");
    rd_kafka_conf_destroy(conf);
    unlink(path);
}

static void file_line_longer_than_any_buffer_is_one_value(void **state)
{
    (void)state;
    size_t long_len = 20000;
    char *text = malloc(long_len + 64);
    assert_non_null(text);
    strcpy(text, "sasl.password=");
    size_t at = strlen(text);
    /* The value holds "x.y=" far beyond 4 KiB: were the line cut, its tail would be parsed as a property. */
    for (size_t i = 0; i < long_len; i++)
        text[at + i] = (i % 4096 == 4000) ? '=' : "abc.xyz"[i % 7];
    strcpy(text + at + long_len, "\nlinger.ms=3\n");
    char path[] = "/tmp/famins-props-XXXXXX";
    write_file(path, text);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_apply_file(conf, path, &err), FM_OK);
    char *value = malloc(long_len + 1);
    size_t len = long_len + 1;
    assert_int_equal(rd_kafka_conf_get(conf, "sasl.password", value, &len), RD_KAFKA_CONF_OK);
    assert_int_equal(strlen(value), long_len);
    assert_memory_equal(value, text + at, long_len);
    free(value);
    free(text);
    rd_kafka_conf_destroy(conf);
    unlink(path);
}

static void file_errors_name_the_line_never_the_value(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    char where[300];

    char bare[] = "/tmp/famins-props-XXXXXX";
    write_file(bare, "# comment\nlinger.ms=5\n" SECRET "\n");
    assert_int_equal(fm_kafka_conf_apply_file(conf, bare, &err), FM_ECONFIG);
    snprintf(where, sizeof where, "%s:3", bare);
    assert_string_equal(err.path, where);
    assert_string_equal(err.code, "BAD_KAFKA_PROPERTY");
    assert_non_null(strstr(err.text, where));
    assert_error_hides(&err, SECRET);
    unlink(bare);

    char value[] = "/tmp/famins-props-XXXXXX";
    write_file(value, "security.protocol=" SECRET " \n");
    assert_int_equal(fm_kafka_conf_apply_file(conf, value, &err), FM_ECONFIG);
    snprintf(where, sizeof where, "%s:1", value);
    assert_string_equal(err.path, where);
    assert_string_equal(err.code, "BAD_KAFKA_VALUE");
    assert_non_null(strstr(err.text, "\"security.protocol\""));
    assert_non_null(strstr(err.text, "blanks at its end included")); /* the hint, not the value */
    assert_error_hides(&err, SECRET);
    unlink(value);

    char unknown[] = "/tmp/famins-props-XXXXXX";
    write_file(unknown, "\n\nssl.key.passwd=" SECRET "\n");
    assert_int_equal(fm_kafka_conf_apply_file(conf, unknown, &err), FM_ECONFIG);
    snprintf(where, sizeof where, "%s:3", unknown);
    assert_string_equal(err.path, where);
    assert_string_equal(err.code, "UNKNOWN_KAFKA_PROPERTY");
    assert_non_null(strstr(err.text, "\"ssl.key.passwd\""));
    assert_error_hides(&err, SECRET);
    unlink(unknown);

    assert_int_equal(fm_kafka_conf_apply_file(conf, "/nonexistent/famins.properties", &err), FM_EIO);
    rd_kafka_conf_destroy(conf);
}

static const fm_setting print_settings[] = {
    {"FAMINS_PG_DSN", FM_SETTING_STRING, "host=127.0.0.1 user=famins_admin", 0, 0, "dsn"},
    {"FAMINS_RELAY_PG_DSN", FM_SETTING_STRING, "", 0, 0, "dsn"},
    {"FAMINS_REPORT_PG_DSN", FM_SETTING_STRING, "", 0, 0, "dsn"},
    {"FAMINS_OTHER_PG_DSN", FM_SETTING_STRING, "", 0, 0, "dsn"},
    {"FAMINS_KAFKA_PROPERTIES", FM_SETTING_STRING, "", 0, 0, "properties"},
    {"FAMINS_PERSON_KEY_SECRET", FM_SETTING_STRING, "dev-secret", 0, 0, "secret"},
    {"FAMINS_PERSON_KEY_SECRET_FILE", FM_SETTING_STRING, "", 0, 0, "secret file"},
    {"FAMINS_LOG_LEVEL", FM_SETTING_STRING, "info", 0, 0, "level"},
};

static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

static char *printed(const char *const *env)
{
    fm_settings *s = NULL;
    size_t count = sizeof print_settings / sizeof print_settings[0];
    assert_int_equal(fm_settings_load(print_settings, count, fake_env, (void *)env, &s, NULL), FM_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fm_settings_print(out, s);
    fclose(out);
    fm_settings_free(s);
    return text;
}

static void settings_print_shows_no_secret(void **state)
{
    (void)state;
    const char *env[] = {
        "FAMINS_PG_DSN=host=db user=famins_admin password=" SECRET,
        "FAMINS_RELAY_PG_DSN=postgresql://famins_relay:" SECRET "@db:5432/famins",
        "FAMINS_REPORT_PG_DSN=host=db user=famins_reporter sslmode=verify-full",
        "FAMINS_OTHER_PG_DSN=host=db sslpassword='" SECRET "'",
        "FAMINS_KAFKA_PROPERTIES=sasl.username=u;sasl.password=" SECRET ";sasl.jaas.config=x " SECRET
        ";ssl.key.pem=" SECRET ";ssl.key.password=" SECRET ";sasl.oauthbearer.client.secret=" SECRET
        ";sasl.password=Qz7Xj\\;4Wv9=Kq3Yp;" SECRET ";Qz7X j4Wv=9Kq3Yp",
        "FAMINS_PERSON_KEY_SECRET=" SECRET,
        "FAMINS_PERSON_KEY_SECRET_FILE=/run/secrets/person-key",
        NULL,
    };
    char *text = printed(env);
    assert_no_part_of(text, SECRET);
    assert_non_null(strstr(text, "FAMINS_KAFKA_PROPERTIES=sasl.username=***;sasl.password=***;"
                                 "sasl.jaas.config=***;ssl.key.pem=***;ssl.key.password=***;"
                                 "sasl.oauthbearer.client.secret=***;sasl.password=***;(item 8 not shown);"
                                 "(item 9 not shown)\n"));
    assert_non_null(strstr(text, "FAMINS_PERSON_KEY_SECRET=(set, not shown)\n"));
    assert_non_null(strstr(text, "FAMINS_PERSON_KEY_SECRET_FILE=/run/secrets/person-key\n"));
    assert_non_null(strstr(text, "FAMINS_REPORT_PG_DSN=host=db user=famins_reporter sslmode=verify-full\n"));
    assert_non_null(strstr(text, "FAMINS_LOG_LEVEL=info\n"));
    assert_null(strstr(text, "famins_relay")); /* the whole URI is withheld, not just its password */
    free(text);

    const char *defaults[] = {NULL};
    text = printed(defaults);
    assert_non_null(strstr(text, "FAMINS_PG_DSN=host=127.0.0.1 user=famins_admin\n"));
    assert_non_null(strstr(text, "FAMINS_KAFKA_PROPERTIES=\n"));
    assert_null(strstr(text, "dev-secret"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_item_splits_at_unescaped_semicolons_and_undoes_escapes),
        cmocka_unit_test(list_value_may_hold_escaped_semicolons_and_backslashes),
        cmocka_unit_test(list_item_without_equals_is_named_by_position_and_not_shown),
        cmocka_unit_test(list_key_that_is_not_a_property_name_is_not_shown),
        cmocka_unit_test(list_bad_value_names_key_and_position_never_the_value),
        cmocka_unit_test(list_unknown_key_is_named_with_its_position_only),
        cmocka_unit_test(program_set_property_never_quotes_its_value),
        cmocka_unit_test(file_value_may_hold_any_character),
        cmocka_unit_test(file_line_longer_than_any_buffer_is_one_value),
        cmocka_unit_test(file_errors_name_the_line_never_the_value),
        cmocka_unit_test(settings_print_shows_no_secret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
