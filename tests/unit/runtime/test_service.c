/* test_service.c — fm_service, the services' one start-up: a service's own defaults, the connection string it
 * derives, what it makes and refuses before connecting, the stop signals and the exit codes. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fm_cli.h"
#include "fm_service.h"
#include "fm_test.h"

static const fm_setting test_settings[] = {
    FM_COMMON_SETTINGS,
    FM_WORKER_SETTINGS,
    FM_SERVICE_DSN_SETTING("FAMINS_TESTSVC_PG_DSN", "famins_testsvc"),
};
#define TEST_SETTING_COUNT (sizeof test_settings / sizeof test_settings[0])

static const fm_service_default test_defaults[] = {{"FAMINS_BATCH_MAX_MS", "5"},
                                                   {"FAMINS_BATCH_MAX_MESSAGES", "2000"}};

static fm_service service(unsigned needs)
{
    return (fm_service){.name = "testsvc",
                        .role = "famins_testsvc",
                        .dsn_setting = "FAMINS_TESTSVC_PG_DSN",
                        .usage = "Usage: famins-testsvc\n",
                        .settings = test_settings,
                        .setting_count = TEST_SETTING_COUNT,
                        .defaults = test_defaults,
                        .default_count = 2,
                        .needs = needs};
}

/* A fake environment: NULL-terminated "NAME=value" strings. */
static const char *lookup(const char *name, void *ctx)
{
    size_t n = strlen(name);
    for (const char *const *e = ctx; *e != NULL; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

/* Starts svc in the fake environment; the log goes to a memory stream read back with log_text(). */
static char *log_buf;
static size_t log_len;
static FILE *log_out;

static fm_status start(const fm_service *svc, const char *const *environ_, fm_service_env *env, fm_error *err)
{
    fm_error_clear(err);
    return fm_service_start(svc, lookup, (void *)environ_, log_out, env, err);
}

static const char *log_text(void)
{
    fflush(log_out);
    return log_buf;
}

static int setup(void **state)
{
    (void)state;
    log_out = open_memstream(&log_buf, &log_len);
    return log_out == NULL;
}

static int teardown(void **state)
{
    (void)state;
    fclose(log_out);
    free(log_buf);
    log_buf = NULL;
    return 0;
}

static void own_defaults_stand_in_for_the_tables_and_the_environment_still_wins(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_service_env env;
    fm_error err;
    const char *none[] = {NULL};
    assert_int_equal(start(&svc, none, &env, &err), FM_OK);
    assert_i64_equal(fm_settings_int(env.settings, "FAMINS_BATCH_MAX_MS"), 5);
    assert_i64_equal(fm_settings_int(env.settings, "FAMINS_BATCH_MAX_MESSAGES"), 2000);
    assert_i64_equal(fm_settings_int(env.settings, "FAMINS_SESSION_TIMEOUT_MS"), 45000); /* the table's own */
    assert_int_equal(fm_settings_is_set(env.settings, "FAMINS_BATCH_MAX_MS"), 0);
    fm_service_env_free(&env);

    const char *set[] = {"FAMINS_BATCH_MAX_MS=77", NULL};
    assert_int_equal(start(&svc, set, &env, &err), FM_OK);
    assert_i64_equal(fm_settings_int(env.settings, "FAMINS_BATCH_MAX_MS"), 77);
    assert_i64_equal(fm_settings_int(env.settings, "FAMINS_BATCH_MAX_MESSAGES"), 2000);
    fm_service_env_free(&env);
}

static void the_help_table_shows_the_services_defaults_and_leaves_the_shared_table_alone(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_setting *table = NULL;
    fm_error err;
    assert_int_equal(fm_service_settings_table(&svc, &table, &err), FM_OK);
    int seen = 0;
    for (size_t i = 0; i < TEST_SETTING_COUNT; i++) {
        assert_string_equal(table[i].name, test_settings[i].name); /* every setting, in order */
        if (strcmp(table[i].name, "FAMINS_BATCH_MAX_MS") == 0) {
            assert_string_equal(table[i].default_value, "5");
            assert_string_equal(test_settings[i].default_value, "200");
            seen++;
        }
    }
    assert_int_equal(seen, 1);
    free(table);
}

static void a_default_for_a_setting_the_service_does_not_read_is_refused(void **state)
{
    (void)state;
    static const fm_service_default bad[] = {{"FAMINS_BATCH_MAX_MS", "5"}, {"FAMINS_NO_SUCH", "1"}};
    fm_service svc = service(0);
    svc.defaults = bad;
    fm_setting *table = (fm_setting *)1;
    fm_error err;
    assert_int_equal(fm_service_settings_table(&svc, &table, &err), FM_ECONFIG);
    assert_null(table);
    assert_string_equal(err.code, "UNKNOWN_SETTING");
    assert_string_equal(err.path, "FAMINS_NO_SUCH");
    fm_service_env env;
    const char *none[] = {NULL};
    assert_int_equal(start(&svc, none, &env, &err), FM_ECONFIG);
    assert_null(env.settings);
}

static void a_service_without_its_connection_variable_or_role_is_refused(void **state)
{
    (void)state;
    fm_service svc = service(0);
    svc.dsn_setting = "FAMINS_OTHER_PG_DSN"; /* not in its table: --help would not list it */
    fm_setting *table = NULL;
    fm_error err;
    assert_int_equal(fm_service_settings_table(&svc, &table, &err), FM_ECONFIG);
    assert_string_equal(err.code, "NO_DSN_SETTING");
    svc = service(0);
    svc.role = "";
    assert_int_equal(fm_service_settings_table(&svc, &table, &err), FM_ECONFIG);
    assert_string_equal(err.code, "NO_DSN_SETTING");
    assert_null(table);
}

static void its_own_connection_string_is_used_as_it_is(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_service_env env;
    fm_error err;
    const char *e[] = {"FAMINS_TESTSVC_PG_DSN=host=db port=6432 user=other password=own application_name=x",
                       "FAMINS_PG_DSN=host=admin-db user=famins_admin", NULL};
    assert_int_equal(start(&svc, e, &env, &err), FM_OK);
    assert_string_equal(env.dsn, "host=db port=6432 user=other password=own application_name=x");
    fm_service_env_free(&env);
}

static void without_it_famins_pg_dsn_is_taken_with_the_services_role_and_no_password(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_service_env env;
    fm_error err;
    const char *e[] = {
        "FAMINS_TESTSVC_PG_DSN=",
        "FAMINS_PG_DSN=host=pg.example port=6543 dbname=prod user=famins_admin password=s3cret", NULL};
    assert_int_equal(start(&svc, e, &env, &err), FM_OK);
    assert_non_null(strstr(env.dsn, "host=pg.example"));
    assert_non_null(strstr(env.dsn, "port=6543"));
    assert_non_null(strstr(env.dsn, "dbname=prod"));
    assert_non_null(strstr(env.dsn, "user=famins_testsvc"));
    assert_null(strstr(env.dsn, "famins_admin"));
    assert_null(strstr(env.dsn, "s3cret"));
    fm_service_env_free(&env);

    /* Neither set: FAMINS_PG_DSN's documented default, the local stack, as the service's role. */
    const char *none[] = {NULL};
    assert_int_equal(start(&svc, none, &env, &err), FM_OK);
    assert_non_null(strstr(env.dsn, "host=127.0.0.1"));
    assert_non_null(strstr(env.dsn, "port=15432"));
    assert_non_null(strstr(env.dsn, "user=famins_testsvc"));
    assert_null(strstr(env.dsn, "famins_admin"));
    fm_service_env_free(&env);
}

static void a_connection_string_that_does_not_fit_or_parse_is_refused_naming_the_variable(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_error err;
    char long_dsn[FM_SERVICE_DSN_MAX + 40] = "FAMINS_TESTSVC_PG_DSN=host=";
    size_t at = strlen(long_dsn);
    memset(long_dsn + at, 'a', sizeof long_dsn - at - 1);
    long_dsn[sizeof long_dsn - 1] = '\0';
    const char *too_long[] = {long_dsn, NULL};
    fm_service_env env;
    assert_int_equal(start(&svc, too_long, &env, &err), FM_ECONFIG);
    assert_string_equal(err.path, "FAMINS_TESTSVC_PG_DSN");
    assert_string_equal(err.code, "BAD_DSN");
    assert_null(env.settings);

    const char *unparsed[] = {"FAMINS_PG_DSN=host='unterminated", NULL};
    assert_int_equal(start(&svc, unparsed, &env, &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_DSN");
    assert_null(strstr(err.text, "unterminated")); /* a DSN may hold a password: never echoed */

    /* fm_service_dsn alone, into a buffer too small: empty, refused. */
    const char *ok[] = {NULL};
    assert_int_equal(start(&svc, ok, &env, &err), FM_OK);
    char tiny[8] = "xxxxxxx";
    assert_int_equal(fm_service_dsn(&svc, env.settings, tiny, sizeof tiny, &err), FM_ECONFIG);
    assert_string_equal(tiny, "");
    fm_service_env_free(&env);
}

static void a_bad_setting_is_refused_before_anything_else_and_leaves_nothing_behind(void **state)
{
    (void)state;
    fm_service svc = service(FM_SERVICE_CATALOGUE | FM_SERVICE_KEYRING);
    fm_service_env env;
    fm_error err;
    const char *bad_int[] = {"FAMINS_BATCH_MAX_MS=soon", NULL};
    assert_int_equal(start(&svc, bad_int, &env, &err), FM_EINVAL);
    assert_string_equal(err.path, "FAMINS_BATCH_MAX_MS");
    assert_null(env.settings);
    assert_null(env.table);
    assert_null(env.catalogue);

    const char *bad_level[] = {"FAMINS_LOG_LEVEL=loud", NULL};
    assert_int_equal(start(&svc, bad_level, &env, &err), FM_EINVAL);
    assert_non_null(strstr(err.text, "loud"));
    assert_null(env.settings);
}

static void a_service_that_keys_persons_needs_a_secret(void **state)
{
    (void)state;
    fm_service svc = service(FM_SERVICE_KEYRING);
    fm_service_env env;
    fm_error err;
    const char *none[] = {NULL};
    assert_int_not_equal(start(&svc, none, &env, &err), FM_OK);
    assert_non_null(strstr(err.text, "FAMINS_PERSON_KEY_SECRET"));
    assert_null(env.settings);

    const char *secret[] = {"FAMINS_PERSON_KEY_SECRET=s3cr3t-for-the-test", NULL};
    assert_int_equal(start(&svc, secret, &env, &err), FM_OK);
    assert_int_equal(env.keyring.n, 1);
    assert_string_equal(env.keyring.keys[0].secret, "s3cr3t-for-the-test");
    assert_null(env.catalogue);
    assert_true(log_text() == NULL || strstr(log_text(), "person_key_secret_development") == NULL);
    fm_service_env_free(&env);
    assert_int_equal(env.keyring.n, 0); /* wiped */

    const char *dev[] = {"FAMINS_ALLOW_DEV_PERSON_KEY=1", NULL};
    assert_int_equal(start(&svc, dev, &env, &err), FM_OK);
    assert_int_equal(env.keyring.n, 1);
    assert_non_null(strstr(log_text(), "event=person_key_secret_development"));
    fm_service_env_free(&env);
}

static void the_catalogue_is_loaded_when_needed_and_a_bad_folder_is_refused(void **state)
{
    (void)state;
    fm_service svc = service(FM_SERVICE_CATALOGUE);
    fm_service_env env;
    fm_error err;
    const char *plans[] = {"FAMINS_PLAN_DIR=" FAMINS_SOURCE_DIR "/schemas/plans", NULL};
    assert_int_equal(start(&svc, plans, &env, &err), FM_OK);
    assert_non_null(env.catalogue);
    assert_true(env.catalogue->n_plans >= 1);
    assert_int_equal(env.keyring.n, 0); /* not asked for */
    fm_service_env_free(&env);
    assert_null(env.catalogue);

    const char *missing[] = {"FAMINS_PLAN_DIR=/nonexistent/famins-plans", NULL};
    assert_int_not_equal(start(&svc, missing, &env, &err), FM_OK);
    assert_string_equal(err.path, "FAMINS_PLAN_DIR");
    assert_non_null(strstr(err.text, "/nonexistent/famins-plans"));
    assert_null(env.settings);

    /* A service that does not need it never reads the folder. */
    svc = service(0);
    assert_int_equal(start(&svc, missing, &env, &err), FM_OK);
    assert_null(env.catalogue);
    fm_service_env_free(&env);
    fm_service_env_free(&env); /* idempotent */
    fm_service_env_free(NULL);
}

static void worker_options_carry_the_services_connection_name_logger_and_stop_flag(void **state)
{
    (void)state;
    fm_service svc = service(0);
    fm_service_env env;
    fm_error err;
    const char *none[] = {NULL};
    assert_int_equal(start(&svc, none, &env, &err), FM_OK);
    static const volatile sig_atomic_t flag = 0;
    env.stop = &flag;
    fm_worker_options opt = fm_service_worker_options(&env);
    assert_ptr_equal(opt.dsn, env.dsn);
    assert_ptr_equal(opt.settings, env.settings);
    assert_ptr_equal(opt.logger, &env.logger);
    assert_ptr_equal(opt.stop, &flag);
    assert_string_equal(opt.service, "testsvc");
    assert_null(opt.topics);
    fm_service_env_free(&env);
}

static void exit_codes_follow_the_documented_conventions(void **state)
{
    (void)state;
    assert_int_equal(fm_service_exit_code(FM_OK), FM_EXIT_OK);
    assert_int_equal(fm_service_exit_code(FM_ECONFIG), FM_EXIT_USAGE);
    const fm_status failures[] = {FM_EINVAL, FM_ENOMEM,    FM_EIO,       FM_EDB,
                                  FM_EKAFKA, FM_ENOTFOUND, FM_ECONFLICT, FM_ETIMEDOUT};
    for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++)
        assert_int_equal(fm_service_exit_code(failures[i]), FM_EXIT_FAILED);
}

/* The first SIGTERM only sets the flag; the second ends the process at once with 130. In a child. */
static void a_first_signal_asks_to_stop_and_a_second_exits_at_once(void **state)
{
    (void)state;
    const int sigs[] = {SIGTERM, SIGINT};
    for (size_t i = 0; i < 2; i++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            const volatile sig_atomic_t *stop = NULL;
            fm_service_signals_install(&stop);
            if (stop == NULL || *stop)
                _exit(10);
            raise(sigs[i]);
            if (*stop != 1)
                _exit(11);
            raise(sigs[i]);
            _exit(12); /* not reached */
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 130);
    }
}

/* The whole program, with a run that connects to nothing. */
typedef struct run_probe {
    int calls;
    fm_status result;
    int saw_dsn, saw_stop;
} run_probe;

static fm_status probe_run(void *arg, const fm_service_env *env, fm_error *err)
{
    run_probe *p = arg;
    p->calls++;
    p->saw_dsn = strstr(env->dsn, "user=famins_testsvc") != NULL;
    p->saw_stop = env->stop != NULL && *env->stop == 0;
    if (p->result != FM_OK)
        fm_error_set(err, "", "PROBE", "the probe says %s", fm_status_name(p->result));
    return p->result;
}

static void main_runs_the_service_and_maps_its_status_to_the_exit_code(void **state)
{
    (void)state;
    fm_service svc = service(0);
    char *argv[] = {"famins-testsvc", NULL};
    setenv("FAMINS_PG_DSN", "host=127.0.0.1 port=1 dbname=famins user=famins_admin", 1);
    unsetenv("FAMINS_TESTSVC_PG_DSN");
    unsetenv("FAMINS_BATCH_MAX_MS");
    setenv("FAMINS_LOG_LEVEL", "error", 1);
    const struct {
        fm_status result;
        int code;
    } cases[] = {{FM_OK, 0}, {FM_ECONFIG, 2}, {FM_EDB, 1}, {FM_EKAFKA, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_probe p = {.result = cases[i].result};
        assert_int_equal(fm_service_main(&svc, 1, argv, probe_run, &p), cases[i].code);
        assert_int_equal(p.calls, 1);
        assert_true(p.saw_dsn);
        assert_true(p.saw_stop);
    }
    /* Refused before run: a bad setting (2), and the command line (2, or 0 for --version). */
    run_probe p = {.result = FM_OK};
    setenv("FAMINS_BATCH_MAX_MS", "soon", 1);
    assert_int_equal(fm_service_main(&svc, 1, argv, probe_run, &p), FM_EXIT_USAGE);
    unsetenv("FAMINS_BATCH_MAX_MS");
    char *stray[] = {"famins-testsvc", "stray", NULL};
    assert_int_equal(fm_service_main(&svc, 2, stray, probe_run, &p), FM_EXIT_USAGE);
    char *version[] = {"famins-testsvc", "--version", NULL};
    assert_int_equal(fm_service_main(&svc, 2, version, probe_run, &p), FM_EXIT_OK);
    assert_int_equal(p.calls, 0);
    unsetenv("FAMINS_LOG_LEVEL");
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(own_defaults_stand_in_for_the_tables_and_the_environment_still_wins,
                                        setup, teardown),
        cmocka_unit_test(the_help_table_shows_the_services_defaults_and_leaves_the_shared_table_alone),
        cmocka_unit_test_setup_teardown(a_default_for_a_setting_the_service_does_not_read_is_refused, setup,
                                        teardown),
        cmocka_unit_test(a_service_without_its_connection_variable_or_role_is_refused),
        cmocka_unit_test_setup_teardown(its_own_connection_string_is_used_as_it_is, setup, teardown),
        cmocka_unit_test_setup_teardown(
            without_it_famins_pg_dsn_is_taken_with_the_services_role_and_no_password, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_connection_string_that_does_not_fit_or_parse_is_refused_naming_the_variable, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_bad_setting_is_refused_before_anything_else_and_leaves_nothing_behind, setup, teardown),
        cmocka_unit_test_setup_teardown(a_service_that_keys_persons_needs_a_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(the_catalogue_is_loaded_when_needed_and_a_bad_folder_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            worker_options_carry_the_services_connection_name_logger_and_stop_flag, setup, teardown),
        cmocka_unit_test(exit_codes_follow_the_documented_conventions),
        cmocka_unit_test(a_first_signal_asks_to_stop_and_a_second_exits_at_once),
        cmocka_unit_test(main_runs_the_service_and_maps_its_status_to_the_exit_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
