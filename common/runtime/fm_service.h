/* fm_service.h — the start-up every long-running famins service shares: a service describes itself as data,
 * and one function parses the command line, loads its settings (with its own defaults), derives its own
 * role's connection string, makes the logger, the person keyring and the plan catalogue, installs the stop
 * signals, runs the service and maps the result to the exit codes of README, "Command-line conventions". */
#ifndef FM_SERVICE_H
#define FM_SERVICE_H

#include <signal.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_keyring.h"
#include "fm_log.h"
#include "fm_plan.h"
#include "fm_settings.h"
#include "fm_worker.h"

/* The longest connection string a service derives or takes (a libpq conninfo, with TLS file paths). */
#define FM_SERVICE_DSN_MAX 2048

/* The entry of a service's own connection string in its settings table, with the wording every service uses:
 * VAR is FAMINS_<SERVICE>_PG_DSN, ROLE the PostgreSQL role it logs in as. */
/* clang-format off */
#define FM_SERVICE_DSN_SETTING(VAR, ROLE)                                                                    \
    {VAR, FM_SETTING_STRING, "", 0, 0,                                                                       \
     "the service's own connection (role " ROLE "), used as it is; empty: FAMINS_PG_DSN without its user "  \
     "and password, with user=" ROLE " (the password then comes from a passfile)"}
/* clang-format on */

/* A default of the service's own for a setting of its table, e.g. the adjudicator's FAMINS_BATCH_MAX_MS 5
 * where the runtime's is 200: used when the variable is not set, and shown by --help. */
typedef struct fm_service_default {
    const char *name;  /* a setting of the service's table */
    const char *value; /* as text, like the environment would give it */
} fm_service_default;

/* What a service needs made before it runs (fm_service.needs). */
enum {
    FM_SERVICE_CATALOGUE = 1u << 0, /* the plan catalogue of FAMINS_PLAN_DIR */
    FM_SERVICE_KEYRING = 1u << 1,   /* the person-key secrets (a service that keys identity numbers) */
};

/* A service, as data. Everything is static and borrowed. */
typedef struct fm_service {
    const char *name;        /* "eligibility": program famins-eligibility, log component, worker client id */
    const char *role;        /* "famins_eligibility": the PostgreSQL role it logs in as */
    const char *dsn_setting; /* "FAMINS_ELIGIBILITY_PG_DSN": its own connection string; must be in settings */
    const char *usage;       /* --help: what it does, printed before the settings (ends with a newline) */
    const fm_setting *settings; /* every variable it reads: FM_COMMON_SETTINGS, ..., FM_SERVICE_DSN_SETTING */
    size_t setting_count;
    const fm_service_default *defaults; /* its own defaults (may be NULL) */
    size_t default_count;
    unsigned needs; /* FM_SERVICE_CATALOGUE | FM_SERVICE_KEYRING */
} fm_service;

/* What the start-up made, handed to the service's run. Owned by fm_service_main (fm_service_env_free). */
typedef struct fm_service_env {
    const fm_service *service;
    fm_setting *table; /* the service's settings with its own defaults in place (settings points into it) */
    fm_settings *settings; /* loaded from table */
    fm_logger logger;
    char dsn[FM_SERVICE_DSN_MAX];      /* its own role's connection string (fm_service_dsn) */
    fm_keyring keyring;                /* empty unless FM_SERVICE_KEYRING */
    fm_plan_catalogue *catalogue;      /* NULL unless FM_SERVICE_CATALOGUE */
    const volatile sig_atomic_t *stop; /* set by the first SIGTERM/SIGINT: finish the batch, return FM_OK */
} fm_service_env;

/* The service's own part, after start-up: runs until *env->stop (FM_OK) or a failure (its status, with err
 * saying why). FM_ECONFIG says the configuration is wrong (exit 2: e.g. a setting only the service checks, a
 * consumer group not bound to its role). */
typedef fm_status (*fm_service_run_fn)(void *arg, const fm_service_env *env, fm_error *err);

/* The whole program: the command line (fm_cli_answer_bare: --help prints svc->usage and every setting with
 * the service's defaults, --version, misuse exits 2 before anything is read), fm_service_start, the signals,
 * run, and the exit code (fm_service_exit_code). A start-up refusal is one line "famins-NAME: ..." on stderr
 * and exit 2, before any connection; a run failure is logged (event service_exit). Returns the exit code. */
int fm_service_main(const fm_service *svc, int argc, char *const argv[], fm_service_run_fn run, void *arg);

/* The start-up without the command line and the signals, in this order: the settings through lookup (NULL:
 * getenv) with the service's defaults, its connection string, the logger (writing to log_out), the keyring
 * and the catalogue when needed. Connects to nothing. On FM_OK env is filled (free with fm_service_env_free;
 * stop is left NULL); otherwise env is freed and empty and err says why: FM_EINVAL/FM_ECONFIG for the
 * configuration (err->path the variable when one is to blame), FM_EIO for an unreadable file, FM_ENOMEM. */
fm_status fm_service_start(const fm_service *svc, fm_env_lookup lookup, void *ctx, FILE *log_out,
                           fm_service_env *env, fm_error *err);

/* Frees what fm_service_start made and wipes the keyring; env is empty afterwards. NULL-safe, idempotent. */
void fm_service_env_free(fm_service_env *env);

/* svc->settings with svc->defaults in place of the table's defaults, in *out (the caller frees it with
 * free()). FM_ECONFIG (code UNKNOWN_SETTING) when a default names a setting not in the table, or (code
 * NO_DSN_SETTING) when svc->dsn_setting is not in it or svc->role is empty: programming errors, reported,
 * never silent. FM_ENOMEM. Pure. */
fm_status fm_service_settings_table(const fm_service *svc, fm_setting **out, fm_error *err);

/* The service's own connection string, the one way every famins program finds its connection: its own
 * variable (svc->dsn_setting) as it is when not empty; else FAMINS_PG_DSN without its user and password,
 * with user=svc->role (fm_pg_role_dsn). FM_ECONFIG (path: the variable, code BAD_DSN) when it does not fit in
 * len or FAMINS_PG_DSN is not a connection string; out is then empty. Pure. */
fm_status fm_service_dsn(const fm_service *svc, const fm_settings *settings, char *out, size_t len,
                         fm_error *err);

/* The exit code of a run's status: FM_OK 0 (FM_EXIT_OK), FM_ECONFIG 2 (FM_EXIT_USAGE: configuration), any
 * other 1 (FM_EXIT_FAILED). */
int fm_service_exit_code(fm_status st);

/* Installs the SIGTERM and SIGINT handlers: the first sets *stop (the service finishes its batch and
 * returns), a second exits at once with 130 (nothing committed is lost: the open transaction is rolled back
 * by the server). *stop is the one flag of the process, static in fm_service.c. */
void fm_service_signals_install(const volatile sig_atomic_t **stop);

/* The fields of fm_worker_options every worker fills the same way from env: settings, service name, logger,
 * stop flag and its own connection string. The caller adds topics and handler. */
fm_worker_options fm_service_worker_options(const fm_service_env *env);

#endif
