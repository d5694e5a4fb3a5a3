/* fm_service.c — the start-up every long-running famins service shares (see fm_service.h). */
#include "fm_service.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fm_cli.h"
#include "fm_pg.h"
#include "fm_plan_read.h"

/* The one flag of the process a signal handler may set (style.md: the only mutable global). */
static volatile sig_atomic_t stop_requested = 0;

/* First signal: finish the batch and leave. Second: leave now — nothing committed is lost, and the server
 * rolls the open transaction back. */
static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested)
        _exit(130);
    stop_requested = 1;
}

void fm_service_signals_install(const volatile sig_atomic_t **stop)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    *stop = &stop_requested;
}

static const fm_setting *find_setting(const fm_setting *defs, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

fm_status fm_service_settings_table(const fm_service *svc, fm_setting **out, fm_error *err)
{
    *out = NULL;
    if (svc->dsn_setting == NULL || svc->role == NULL || svc->role[0] == '\0' ||
        find_setting(svc->settings, svc->setting_count, svc->dsn_setting) == NULL) {
        fm_error_set(
            err, svc->dsn_setting ? svc->dsn_setting : "", "NO_DSN_SETTING",
            "service %s: its own connection variable and role must be given, the variable in its table",
            svc->name);
        return FM_ECONFIG;
    }
    fm_setting *table = malloc(svc->setting_count * sizeof *table);
    if (table == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory reading the configuration");
        return FM_ENOMEM;
    }
    memcpy(table, svc->settings, svc->setting_count * sizeof *table);
    for (size_t i = 0; i < svc->default_count; i++) {
        fm_setting *s = (fm_setting *)find_setting(table, svc->setting_count, svc->defaults[i].name);
        if (s == NULL) {
            fm_error_set(err, svc->defaults[i].name, "UNKNOWN_SETTING",
                         "service %s: a default for %s, which is not one of its settings", svc->name,
                         svc->defaults[i].name);
            free(table);
            return FM_ECONFIG;
        }
        s->default_value = svc->defaults[i].value;
    }
    *out = table;
    return FM_OK;
}

fm_status fm_service_dsn(const fm_service *svc, const fm_settings *settings, char *out, size_t len,
                         fm_error *err)
{
    if (fm_pg_role_dsn(fm_settings_str(settings, svc->dsn_setting),
                       fm_settings_str(settings, "FAMINS_PG_DSN"), svc->role, out, len) != FM_OK) {
        if (len > 0)
            out[0] = '\0';
        fm_error_set(err, svc->dsn_setting, "BAD_DSN",
                     "%s or FAMINS_PG_DSN is too long or not a connection string", svc->dsn_setting);
        return FM_ECONFIG;
    }
    return FM_OK;
}

int fm_service_exit_code(fm_status st)
{
    if (st == FM_OK)
        return FM_EXIT_OK;
    return st == FM_ECONFIG ? FM_EXIT_USAGE : FM_EXIT_FAILED;
}

/* The plan catalogue: the one place a service finds and reads it. */
static fm_status load_catalogue(const fm_settings *settings, fm_plan_catalogue **out, fm_error *err)
{
    const char *dir = fm_settings_str(settings, "FAMINS_PLAN_DIR");
    fm_error why = {0};
    fm_status st = fm_plan_catalogue_load(dir, out, &why);
    if (st != FM_OK)
        fm_error_set(err, "FAMINS_PLAN_DIR", why.code[0] ? why.code : "BAD_CATALOGUE",
                     "plan catalogue %s refused: %s%s%s", dir, why.path, why.path[0] ? ": " : "", why.text);
    return st;
}

void fm_service_env_free(fm_service_env *env)
{
    if (env == NULL)
        return;
    fm_plan_catalogue_free(env->catalogue);
    fm_keyring_clear(&env->keyring);
    fm_settings_free(env->settings);
    free(env->table);
    memset(env, 0, sizeof *env);
}

fm_status fm_service_start(const fm_service *svc, fm_env_lookup lookup, void *ctx, FILE *log_out,
                           fm_service_env *env, fm_error *err)
{
    memset(env, 0, sizeof *env);
    env->service = svc;
    fm_status st = fm_service_settings_table(svc, &env->table, err);
    if (st == FM_OK)
        st = fm_settings_load(env->table, svc->setting_count, lookup, ctx, &env->settings, err);
    if (st == FM_OK)
        st = fm_service_dsn(svc, env->settings, env->dsn, sizeof env->dsn, err);
    if (st == FM_OK)
        st = fm_logger_init(&env->logger, svc->name, fm_settings_str(env->settings, "FAMINS_LOG_LEVEL"),
                            fm_settings_str(env->settings, "FAMINS_LOG_FORMAT"), log_out, err);
    /* Before any connection: without a secret of its own the service would key persons under a public one. */
    bool dev_secret = false;
    if (st == FM_OK && (svc->needs & FM_SERVICE_KEYRING))
        st = fm_keyring_from_settings(env->settings, &env->keyring, &dev_secret, err);
    if (st == FM_OK && (svc->needs & FM_SERVICE_CATALOGUE))
        st = load_catalogue(env->settings, &env->catalogue, err);
    if (st != FM_OK) {
        fm_service_env_free(env);
        return st;
    }
    if (dev_secret)
        fm_log(&env->logger, FM_LOG_WARN, "person_key_secret_development",
               "detail=\"FAMINS_ALLOW_DEV_PERSON_KEY=1: persons are keyed under the public development "
               "secret\"");
    return FM_OK;
}

fm_worker_options fm_service_worker_options(const fm_service_env *env)
{
    return (fm_worker_options){.settings = env->settings,
                               .service = env->service->name,
                               .dsn = env->dsn,
                               .logger = &env->logger,
                               .stop = env->stop};
}

int fm_service_main(const fm_service *svc, int argc, char *const argv[], fm_service_run_fn run, void *arg)
{
    char program[64];
    snprintf(program, sizeof program, "famins-%s", svc->name);
    /* The command line first: --version or a typo must never read settings or connect. */
    int help = 0, code = FM_EXIT_OK;
    if (fm_cli_answer_bare(argc, argv, program, &help, &code))
        return code;
    fm_error err = {0};
    if (help) {
        fm_setting *table = NULL;
        if (fm_service_settings_table(svc, &table, &err) != FM_OK) {
            fprintf(stderr, "%s: %s\n", program, err.text);
            return FM_EXIT_FAILED;
        }
        fputs(svc->usage, stdout);
        fm_settings_print_help(stdout, table, svc->setting_count);
        free(table);
        return FM_EXIT_OK;
    }
    fm_service_env env;
    fm_status st = fm_service_start(svc, NULL, NULL, stderr, &env, &err);
    if (st != FM_OK) {
        /* One line, before any connection. The texts name the variable and never hold a secret's value. */
        fprintf(stderr, "%s: %s\n", program, err.text);
        return st == FM_ENOMEM ? FM_EXIT_FAILED : FM_EXIT_USAGE;
    }
    fm_service_signals_install(&env.stop);
    st = run(arg, &env, &err);
    if (st != FM_OK)
        fm_log(&env.logger, FM_LOG_ERROR, "service_exit",
               "status=%s exit=%d code=%s path=\"%s\" error=\"%s\"", fm_status_name(st),
               fm_service_exit_code(st), err.code, err.path, err.text);
    fm_service_env_free(&env);
    return fm_service_exit_code(st);
}
