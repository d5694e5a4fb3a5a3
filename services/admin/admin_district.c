/* admin_district.c — famins-admin district-role UNIT ROLE: binds an association's login to its unit. */
#include "admin_district.h"

#include <stdio.h>
#include <string.h>

#include "fm_cli.h"
#include "fm_pg.h"
#include "fm_settings.h"

static const fm_setting district_settings[] = {FM_COMMON_SETTINGS};
#define DISTRICT_SETTING_COUNT (sizeof district_settings / sizeof district_settings[0])

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* Letters, digits, '_' and '-', 1 to 31 characters: what a unit code of the plan catalogue is. */
static int valid_code(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

fm_status admin_district_bind(PGconn *conn, const char *unit, const char *role, const fm_logger *logger,
                              fm_error *err)
{
    if (!valid_code(unit, 31) || strcmp(unit, "UNKNOWN") == 0) {
        fm_error_set(err, "UNIT", "BAD_UNIT", "a managing-unit code is 1 to 31 letters, digits, '_' or '-'");
        return FM_EINVAL;
    }
    if (!valid_code(role, 63)) {
        fm_error_set(err, "ROLE", "BAD_ROLE", "a role name here is 1 to 63 letters, digits, '_' or '-'");
        return FM_EINVAL;
    }
    const char *params[2] = {role, unit};
    PGresult *res = NULL;
    fm_status st =
        fm_pg_query(conn, "SELECT famins.bind_district_login($1::name, $2::text)", 2, params, &res, err);
    if (st != FM_OK) {
        /* The function's refusals carry their SQLSTATE: a missing role is not a database failure. */
        if (strstr(err->text, "does not exist") != NULL)
            return FM_ENOTFOUND;
        if (strstr(err->text, "cannot be a district login") != NULL ||
            strstr(err->text, "not a unit code") != NULL)
            return FM_EINVAL;
        return st;
    }
    PQclear(res);
    fm_log(logger, FM_LOG_INFO, "district_role_bound", "unit=%s role=%s", unit, role);
    return FM_OK;
}

int admin_district_main(int argc, char **argv)
{
    if (argc != 4) {
        fm_cli_print_usage_error(stderr, "famins-admin", "district-role wants UNIT ROLE");
        return EXIT_USAGE;
    }
    fm_error err = {0};
    fm_settings *settings = NULL;
    if (fm_settings_load(district_settings, DISTRICT_SETTING_COUNT, NULL, NULL, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-admin: %s\n", err.text);
        return EXIT_USAGE;
    }
    fm_logger logger;
    if (fm_logger_init(&logger, "admin", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-admin: %s\n", err.text);
        fm_settings_free(settings);
        return EXIT_USAGE;
    }
    PGconn *conn = NULL;
    int code = EXIT_FAILED;
    fm_backoff backoff = {.initial_ms = 200, .max_ms = 2000, .max_attempts = 10};
    if (fm_pg_connect(fm_settings_str(settings, "FAMINS_PG_DSN"), &backoff, NULL, &logger, &conn, &err) ==
            FM_OK &&
        admin_district_bind(conn, argv[2], argv[3], &logger, &err) == FM_OK)
        code = EXIT_OK;
    else
        fprintf(stderr, "famins-admin: district-role: %s\n", err.text);
    PQfinish(conn);
    fm_settings_free(settings);
    return code;
}
