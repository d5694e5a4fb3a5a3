/* test_base.c — unit tests of configuration, logging, backoff, Kafka properties, topic names and SHA-256. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fm_kafka.h"
#include "fm_log.h"
#include "fm_pg.h"
#include "fm_settings.h"
#include "fm_test.h"

static const fm_setting test_settings[] = {
    FM_COMMON_SETTINGS,
    {"FAMINS_TEST_BATCH", FM_SETTING_INT, "500", 1, 100000, "batch size"},
};
#define TEST_SETTING_COUNT (sizeof test_settings / sizeof test_settings[0])

/* A fake environment: "NAME=value" strings. */
static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

static void settings_use_documented_defaults_when_unset(void **state)
{
    (void)state;
    const char *env[] = {NULL};
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(test_settings, TEST_SETTING_COUNT, fake_env, env, &s, NULL), FM_OK);
    assert_string_equal(fm_settings_str(s, "FAMINS_KAFKA_BOOTSTRAP"), "127.0.0.1:19092");
    assert_string_equal(fm_settings_str(s, "FAMINS_TOPIC_PREFIX"), "");
    assert_i64_equal(fm_settings_int(s, "FAMINS_MAX_MESSAGE_BYTES"), 262144);
    assert_i64_equal(fm_settings_int(s, "FAMINS_TEST_BATCH"), 500);
    assert_int_equal(fm_settings_is_set(s, "FAMINS_TEST_BATCH"), 0);
    fm_settings_free(s);
}

static void settings_take_values_from_the_environment(void **state)
{
    (void)state;
    const char *env[] = {"FAMINS_TOPIC_PREFIX=staging.", "FAMINS_TEST_BATCH=2000", NULL};
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(test_settings, TEST_SETTING_COUNT, fake_env, env, &s, NULL), FM_OK);
    assert_string_equal(fm_settings_str(s, "FAMINS_TOPIC_PREFIX"), "staging.");
    assert_i64_equal(fm_settings_int(s, "FAMINS_TEST_BATCH"), 2000);
    assert_int_equal(fm_settings_is_set(s, "FAMINS_TEST_BATCH"), 1);
    fm_settings_free(s);
}

static void settings_refuse_an_integer_out_of_range_naming_the_variable(void **state)
{
    (void)state;
    const char *bad[][2] = {{"FAMINS_TEST_BATCH=0", NULL},
                            {"FAMINS_TEST_BATCH=12abc", NULL},
                            {"FAMINS_TEST_BATCH=", NULL},
                            {"FAMINS_MAX_MESSAGE_BYTES=99999999999", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fm_settings *s = NULL;
        fm_error err = {0};
        assert_int_equal(
            fm_settings_load(test_settings, TEST_SETTING_COUNT, fake_env, (void *)bad[i], &s, &err),
            FM_EINVAL);
        assert_null(s);
        assert_string_equal(err.code, "BAD_INTEGER");
        assert_non_null(strstr(bad[i][0], err.path));
    }
}

static void settings_help_lists_every_variable_with_its_default(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fm_settings_print_help(out, test_settings, TEST_SETTING_COUNT);
    fclose(out);
    for (size_t i = 0; i < TEST_SETTING_COUNT; i++) {
        assert_non_null(strstr(text, test_settings[i].name));
        char def[600];
        /* a data folder's default is where it is looked for (tests/unit/paths checks the text) */
        snprintf(def, sizeof def, test_settings[i].type == FM_SETTING_DATA_DIR ? "share/famins/%s;" : "[%s]",
                 test_settings[i].default_value);
        assert_non_null(strstr(text, def));
    }
    free(text);
}

static void settings_print_masks_kafka_property_values(void **state)
{
    (void)state;
    const char *env[] = {"FAMINS_KAFKA_PROPERTIES=sasl.username=u;sasl.password=s3cret", NULL};
    fm_settings *s = NULL;
    assert_int_equal(fm_settings_load(test_settings, TEST_SETTING_COUNT, fake_env, env, &s, NULL), FM_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fm_settings_print(out, s);
    fclose(out);
    assert_null(strstr(text, "s3cret"));
    assert_non_null(strstr(text, "sasl.password=***"));
    free(text);
    fm_settings_free(s);
}

static void log_masks_identity_numbers(void **state)
{
    (void)state;
    char text[] = "household=H1 id=61011320120305002X old=610125850101001 claim=C2026000001 n=12345";
    fm_log_mask_identity_numbers(text);
    assert_null(strstr(text, "61011320120305002X"));
    assert_null(strstr(text, "610125850101001"));
    assert_non_null(strstr(text, "id=******************"));
    assert_non_null(strstr(text, "claim=C2026000001"));
    assert_non_null(strstr(text, "n=12345"));
}

static void log_writes_key_value_and_json_lines(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "test", "info", "json", out, NULL), FM_OK);
    fm_log(&lg, FM_LOG_DEBUG, "hidden", "x=1");
    fm_log(&lg, FM_LOG_WARN, "said", "quote=\"%s\" id=%s", "a", "610113198501010011");
    fclose(out);
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "\"level\":\"warn\""));
    assert_non_null(strstr(text, "\"event\":\"said\""));
    assert_non_null(strstr(text, "\"quote\":\"a\""));
    assert_null(strstr(text, "610113198501010011"));
    free(text);

    fm_error err = {0};
    assert_int_equal(fm_logger_init(&lg, "test", "loud", "kv", NULL, &err), FM_EINVAL);
    assert_string_equal(err.path, "FAMINS_LOG_LEVEL");
    assert_int_equal(fm_logger_init(&lg, "test", "info", "xml", NULL, &err), FM_EINVAL);
    assert_string_equal(err.path, "FAMINS_LOG_FORMAT");
}

static void backoff_doubles_up_to_its_cap(void **state)
{
    (void)state;
    fm_backoff b = {.initial_ms = 100, .max_ms = 1000, .max_attempts = 10};
    assert_int_equal(fm_backoff_delay_ms(&b, 0), 0);
    assert_int_equal(fm_backoff_delay_ms(&b, 1), 100);
    assert_int_equal(fm_backoff_delay_ms(&b, 2), 200);
    assert_int_equal(fm_backoff_delay_ms(&b, 4), 800);
    assert_int_equal(fm_backoff_delay_ms(&b, 5), 1000);
    assert_int_equal(fm_backoff_delay_ms(&b, 1000000), 1000);
}

static void pg_connect_gives_up_after_its_attempts(void **state)
{
    (void)state;
    fm_backoff b = {.initial_ms = 1, .max_ms = 2, .max_attempts = 2};
    PGconn *conn = NULL;
    fm_error err = {0};
    /* Port 1 on loopback: nothing listens there, the refusal is immediate. */
    assert_int_equal(
        fm_pg_connect("host=127.0.0.1 port=1 dbname=x connect_timeout=2", &b, NULL, NULL, &conn, &err),
        FM_EDB);
    assert_null(conn);
    assert_string_equal(err.code, "PG_UNREACHABLE");
}

/* The value libpq reads for keyword in dsn ("" when absent, "<unparsable>" when dsn is not a DSN). */
static const char *dsn_value(const char *dsn, const char *keyword, char *buf, size_t len)
{
    PQconninfoOption *opts = PQconninfoParse(dsn, NULL);
    snprintf(buf, len, "%s", opts == NULL ? "<unparsable>" : "");
    for (const PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val != NULL)
            snprintf(buf, len, "%s", o->val);
    PQconninfoFree(opts);
    return buf;
}

static void role_dsn_prefers_the_service_dsn_as_it_is(void **state)
{
    (void)state;
    char dsn[256];
    assert_int_equal(
        fm_pg_role_dsn("host=db user=elig password=x", "host=other", "famins_eligibility", dsn, sizeof dsn),
        FM_OK);
    assert_string_equal(dsn, "host=db user=elig password=x");
}

static void role_dsn_derives_from_the_shared_dsn_without_user_or_password(void **state)
{
    (void)state;
    char dsn[512], v[128];
    assert_int_equal(
        fm_pg_role_dsn("", "host=h port=1 dbname=d user=famins_admin password=s3cret application_name=x",
                       "famins_subsidy", dsn, sizeof dsn),
        FM_OK);
    assert_null(strstr(dsn, "s3cret"));
    assert_null(strstr(dsn, "password"));
    assert_null(strstr(dsn, "famins_admin"));
    assert_string_equal(dsn_value(dsn, "user", v, sizeof v), "famins_subsidy");
    assert_string_equal(dsn_value(dsn, "host", v, sizeof v), "h");
    assert_string_equal(dsn_value(dsn, "port", v, sizeof v), "1");
    assert_string_equal(dsn_value(dsn, "dbname", v, sizeof v), "d");
    assert_string_equal(dsn_value(dsn, "application_name", v, sizeof v), "x");
    /* Empty: the local stack's server, as the role. */
    assert_int_equal(fm_pg_role_dsn(NULL, NULL, "famins_adjudicator", dsn, sizeof dsn), FM_OK);
    assert_string_equal(dsn_value(dsn, "user", v, sizeof v), "famins_adjudicator");
    assert_string_equal(dsn_value(dsn, "port", v, sizeof v), "15432");
    assert_string_equal(dsn_value(dsn, "dbname", v, sizeof v), "famins");
}

static void role_dsn_keeps_multi_host_failover(void **state)
{
    (void)state;
    char dsn[512], v[128];
    /* After a standby's promotion the workers find the new primary only if every host, port and
     * target_session_attrs=read-write reach the role's DSN. */
    assert_int_equal(fm_pg_role_dsn("",
                                    "host=10.0.0.1,10.0.0.2 port=5432,5433 dbname=famins user=famins_admin "
                                    "target_session_attrs=read-write",
                                    "famins_eligibility", dsn, sizeof dsn),
                     FM_OK);
    assert_string_equal(dsn_value(dsn, "host", v, sizeof v), "10.0.0.1,10.0.0.2");
    assert_string_equal(dsn_value(dsn, "port", v, sizeof v), "5432,5433");
    assert_string_equal(dsn_value(dsn, "target_session_attrs", v, sizeof v), "read-write");
    assert_string_equal(dsn_value(dsn, "user", v, sizeof v), "famins_eligibility");
}

static void role_dsn_reads_quoted_values_and_uris_as_libpq_does(void **state)
{
    (void)state;
    char dsn[512], v[128];
    /* A quoted password holding spaces, a quote and "user=" must not survive, nor split into keywords. */
    assert_int_equal(fm_pg_role_dsn(NULL,
                                    "dbname='my db' password='a b\\'c user=famins_admin' user = famins_admin",
                                    "famins_relay", dsn, sizeof dsn),
                     FM_OK);
    assert_null(strstr(dsn, "a b"));
    assert_null(strstr(dsn, "famins_admin"));
    assert_string_equal(dsn_value(dsn, "dbname", v, sizeof v), "my db");
    assert_string_equal(dsn_value(dsn, "user", v, sizeof v), "famins_relay");
    assert_string_equal(dsn_value(dsn, "password", v, sizeof v), "");
    /* A value with a quote and a backslash is written back so that libpq reads the same value. */
    assert_int_equal(
        fm_pg_role_dsn(NULL, "options='-c search_path=a\\'b\\\\c' host=h", "famins_relay", dsn, sizeof dsn),
        FM_OK);
    assert_string_equal(dsn_value(dsn, "options", v, sizeof v), "-c search_path=a'b\\c");
    /* A URI with credentials: the server and database stay, the credentials go. */
    assert_int_equal(fm_pg_role_dsn(NULL,
                                    "postgresql://famins_admin:pw%20x@db.example:5433/famins?sslmode=require",
                                    "famins_reporter", dsn, sizeof dsn),
                     FM_OK);
    assert_null(strstr(dsn, "pw"));
    assert_string_equal(dsn_value(dsn, "host", v, sizeof v), "db.example");
    assert_string_equal(dsn_value(dsn, "port", v, sizeof v), "5433");
    assert_string_equal(dsn_value(dsn, "sslmode", v, sizeof v), "require");
    assert_string_equal(dsn_value(dsn, "user", v, sizeof v), "famins_reporter");
}

static void role_dsn_refuses_what_does_not_fit_or_parse(void **state)
{
    (void)state;
    char tiny[16], dsn[256];
    assert_int_equal(fm_pg_role_dsn(NULL, "host=a-rather-long-host", "famins_relay", tiny, sizeof tiny),
                     FM_EINVAL);
    assert_string_equal(tiny, "");
    assert_int_equal(fm_pg_role_dsn("host=a-rather-long-own-host", NULL, "famins_relay", tiny, sizeof tiny),
                     FM_EINVAL);
    assert_int_equal(fm_pg_role_dsn(NULL, "host='unterminated", "famins_relay", dsn, sizeof dsn), FM_EINVAL);
    assert_string_equal(dsn, "");
    assert_int_equal(fm_pg_role_dsn(NULL, "nosuchkeyword=1", "famins_relay", dsn, sizeof dsn), FM_EINVAL);
}

static void kafka_properties_pass_through_and_refuse_unknown_keys(void **state)
{
    (void)state;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_apply_list(conf, " linger.ms = 7 ; ;compression.type=lz4", &err), FM_OK);
    char value[64];
    size_t len = sizeof value;
    assert_int_equal(rd_kafka_conf_get(conf, "linger.ms", value, &len), RD_KAFKA_CONF_OK);
    assert_string_equal(value, "7");
    assert_int_equal(fm_kafka_conf_apply_list(conf, "no.such.property=1", &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_KAFKA_PROPERTIES item 1");
    assert_int_equal(fm_kafka_conf_apply_list(conf, "linger.ms", &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_KAFKA_PROPERTY");
    rd_kafka_conf_destroy(conf);
}

static void kafka_properties_file_reports_the_bad_line(void **state)
{
    (void)state;
    char path[] = "/tmp/famins-props-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# secrets\n\nlinger.ms=5\nnot a property\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_apply_file(conf, path, &err), FM_ECONFIG);
    char where[300];
    snprintf(where, sizeof where, "%s:4", path);
    assert_string_equal(err.path, where);
    assert_int_equal(fm_kafka_conf_apply_file(conf, "/nonexistent/famins.properties", &err), FM_EIO);
    rd_kafka_conf_destroy(conf);
    unlink(path);
}

static void topic_names_take_the_prefix_and_refuse_bad_characters(void **state)
{
    (void)state;
    char name[256];
    fm_error err = {0};
    assert_int_equal(
        fm_topic_name("staging.", fm_topic_base_name(FM_TOPIC_CLAIM_EVENTS), name, sizeof name, &err), FM_OK);
    assert_string_equal(name, "staging.claim.events");
    assert_int_equal(fm_topic_name("bad prefix/", "claim.events", name, sizeof name, &err), FM_EINVAL);
    assert_string_equal(err.code, "BAD_CHARACTER");
    char tiny[8];
    assert_int_equal(fm_topic_name("", "claim.events", tiny, sizeof tiny, &err), FM_EINVAL);
    assert_string_equal(err.code, "TOO_LONG");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_use_documented_defaults_when_unset),
        cmocka_unit_test(settings_take_values_from_the_environment),
        cmocka_unit_test(settings_refuse_an_integer_out_of_range_naming_the_variable),
        cmocka_unit_test(settings_help_lists_every_variable_with_its_default),
        cmocka_unit_test(settings_print_masks_kafka_property_values),
        cmocka_unit_test(log_masks_identity_numbers),
        cmocka_unit_test(log_writes_key_value_and_json_lines),
        cmocka_unit_test(backoff_doubles_up_to_its_cap),
        cmocka_unit_test(pg_connect_gives_up_after_its_attempts),
        cmocka_unit_test(role_dsn_prefers_the_service_dsn_as_it_is),
        cmocka_unit_test(role_dsn_derives_from_the_shared_dsn_without_user_or_password),
        cmocka_unit_test(role_dsn_keeps_multi_host_failover),
        cmocka_unit_test(role_dsn_reads_quoted_values_and_uris_as_libpq_does),
        cmocka_unit_test(role_dsn_refuses_what_does_not_fit_or_parse),
        cmocka_unit_test(kafka_properties_pass_through_and_refuse_unknown_keys),
        cmocka_unit_test(kafka_properties_file_reports_the_bad_line),
        cmocka_unit_test(topic_names_take_the_prefix_and_refuse_bad_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
