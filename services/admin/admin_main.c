/* admin_main.c — famins-admin: applies the SQL migrations, binds the default consumer groups and topics to
 * their roles and creates the Kafka topics, idempotently; binds a custom consumer group on request. */
#include <stdio.h>
#include <string.h>

#include "admin_bindings.h"
#include "admin_district.h"
#include "admin_migrations.h"
#include "admin_ops.h"
#include "admin_topics.h"
#include "fm_cli.h"
#include "fm_kafka.h"
#include "fm_log.h"
#include "fm_pg.h"
#include "fm_settings.h"

static const fm_setting admin_settings[] = {
    FM_COMMON_SETTINGS,
    {"FAMINS_SQL_DIR", FM_SETTING_DATA_DIR, "sql", 0, 0, "folder of the numbered SQL migrations"},
    {"FAMINS_TOPIC_PARTITIONS", FM_SETTING_INT, "6", 1, 10000, "partitions of each famins topic"},
    {"FAMINS_TOPIC_PARTITIONS_OVERRIDES", FM_SETTING_STRING, "", 0, 0,
     "per-topic partition counts, e.g. claim.events=12,enrollment.submitted=12"},
    {"FAMINS_TOPIC_REPLICATION", FM_SETTING_INT, "1", 1, 32, "replication factor of topics created"},
    {"FAMINS_TOPIC_MIN_INSYNC", FM_SETTING_INT, "0", 0, 32,
     "min.insync.replicas of topics created (0: broker's)"},
    {"FAMINS_ADMIN_TIMEOUT_MS", FM_SETTING_INT, "15000", 100, 600000, "bound on each Kafka admin request"},
};
#define ADMIN_SETTING_COUNT (sizeof admin_settings / sizeof admin_settings[0])

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_DRIFT = 3 };

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: famins-admin [migrate|topics|all]\n"
        "       famins-admin bind-group GROUP ROLE\n"
        "       famins-admin district-role UNIT ROLE   (bind a district association's login to its unit)\n"
        "  migrate     apply the SQL migrations not applied yet (each in a transaction, checksummed), then "
        "bind\n"
        "              the default consumer groups and outbox topics of FAMINS_TOPIC_PREFIX to their roles:\n"
        "              PREFIXfamins-eligibility, PREFIXenrollment.decided, PREFIXenrollment.submitted.dlq "
        "to\n"
        "              famins_eligibility; PREFIXfamins-subsidy, PREFIXsubsidy.allocated,\n"
        "              PREFIXenrollment.decided.dlq to famins_subsidy; PREFIXfamins-adjudicator,\n"
        "              PREFIXclaim.decided, PREFIXclaim.events.dlq to famins_adjudicator (existing bindings "
        "kept)\n"
        "  topics      create the famins topics that are missing; report partition counts that differ\n"
        "  all         both (the default)\n"
        "  bind-group  let ROLE (famins_eligibility, famins_subsidy or famins_adjudicator) use consumer "
        "group\n"
        "              GROUP: needed before a worker starts with FAMINS_GROUP_ID set to GROUP\n"
        "  --version   print the version; --help this text\n"
        "Exit: 0 done, 1 failed, 2 wrong usage or configuration, 3 done but a topic's partition count "
        "differs.\n\n");
    admin_ops_usage_summary(out);
    fputc('\n', out);
    fm_settings_print_help(out, admin_settings, ADMIN_SETTING_COUNT);
}

static int run_migrate(const fm_settings *settings, const fm_logger *logger)
{
    fm_error err = {0};
    admin_migration_set set = {0};
    PGconn *conn = NULL;
    int code = EXIT_FAILED;
    fm_backoff backoff = {.initial_ms = 200, .max_ms = 2000, .max_attempts = 10};
    if (admin_migrations_scan(fm_settings_str(settings, "FAMINS_SQL_DIR"), &set, &err) != FM_OK)
        goto done;
    if (fm_pg_connect(fm_settings_str(settings, "FAMINS_PG_DSN"), &backoff, NULL, logger, &conn, &err) !=
        FM_OK)
        goto done;
    int applied = 0;
    if (admin_migrations_apply(conn, &set, logger, &applied, &err) != FM_OK)
        goto done;
    fm_log(logger, FM_LOG_INFO, "migrations_done", "applied=%d known=%zu", applied, set.count);
    int bound = 0;
    if (admin_bindings_register(conn, fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"), logger, &bound,
                                &err) != FM_OK)
        goto done;
    fm_log(logger, FM_LOG_INFO, "bindings_done", "added=%d", bound);
    code = EXIT_OK;
done:
    if (code != EXIT_OK)
        fm_log(logger, FM_LOG_ERROR, "migrate_failed", "code=%s where=\"%s\" error=\"%s\"", err.code,
               err.path, err.text);
    PQfinish(conn);
    admin_migrations_free(&set);
    return code;
}

static int run_bind_group(const fm_settings *settings, const fm_logger *logger, const char *group,
                          const char *role)
{
    fm_error err = {0};
    PGconn *conn = NULL;
    int code = EXIT_FAILED;
    fm_backoff backoff = {.initial_ms = 200, .max_ms = 2000, .max_attempts = 10};
    if (!admin_binding_role_known(role)) {
        fprintf(stderr,
                "famins-admin: bind-group: unknown role \"%s\" (famins_eligibility, famins_subsidy or "
                "famins_adjudicator)\n",
                role);
        return EXIT_USAGE;
    }
    if (fm_pg_connect(fm_settings_str(settings, "FAMINS_PG_DSN"), &backoff, NULL, logger, &conn, &err) ==
            FM_OK &&
        admin_bindings_bind_group(conn, group, role, logger, &err) == FM_OK)
        code = EXIT_OK;
    else
        fm_log(logger, FM_LOG_ERROR, "bind_group_failed", "code=%s where=\"%s\" error=\"%s\"", err.code,
               err.path, err.text);
    PQfinish(conn);
    return code;
}

static int run_topics(const fm_settings *settings, const fm_logger *logger)
{
    fm_error err = {0};
    admin_topic_plan plan[FM_TOPIC_COUNT];
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_t *rk = NULL;
    int code = EXIT_FAILED;
    if (admin_topics_plan(fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"),
                          (int)fm_settings_int(settings, "FAMINS_TOPIC_PARTITIONS"),
                          (int)fm_settings_int(settings, "FAMINS_TOPIC_REPLICATION"),
                          fm_settings_str(settings, "FAMINS_TOPIC_PARTITIONS_OVERRIDES"), plan,
                          &err) != FM_OK ||
        admin_topics_plan_min_insync(plan, (int)fm_settings_int(settings, "FAMINS_TOPIC_MIN_INSYNC"), &err) !=
            FM_OK)
        goto done;
    if (fm_kafka_conf_new(settings, "famins-admin", &conf, &err) != FM_OK)
        goto done;
    char errstr[512];
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fm_error_set(&err, "", "KAFKA_CLIENT", "%s", errstr);
        goto done;
    }
    conf = NULL; /* owned by rk now */
    admin_topics_report report;
    if (admin_topics_ensure(rk, plan, (int)fm_settings_int(settings, "FAMINS_ADMIN_TIMEOUT_MS"), logger,
                            &report, &err) != FM_OK)
        goto done;
    fm_log(logger, FM_LOG_INFO, "topics_done", "created=%d existing=%d differing=%d", report.created,
           report.existing, report.differing);
    code = report.differing > 0 ? EXIT_DRIFT : EXIT_OK;
done:
    if (code == EXIT_FAILED)
        fm_log(logger, FM_LOG_ERROR, "topics_failed", "code=%s where=\"%s\" error=\"%s\"", err.code, err.path,
               err.text);
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    if (rk != NULL)
        rd_kafka_destroy(rk);
    return code;
}

int main(int argc, char **argv)
{
    /* The operator commands (dead-letters, alarms, outbox) have options of their own: admin_ops.c. */
    if (argc >= 2 && admin_ops_is_noun(argv[1]))
        return admin_ops_main(argc, argv);
    /* Options first, anywhere on the line: --help and --version answer at once (the first wins), an unknown
     * option is refused before the command is looked at; nothing is read or connected before this is done. */
    int ask = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0')
            continue;
        if (!fm_cli_is_help(a) && !fm_cli_is_version(a)) {
            char text[128];
            snprintf(text, sizeof text, "unknown option '%.64s'", a);
            fm_cli_print_usage_error(stderr, "famins-admin", text);
            return EXIT_USAGE;
        }
        if (ask == 0)
            ask = i;
    }
    if (ask != 0) {
        if (fm_cli_is_help(argv[ask]))
            usage(stdout);
        else
            fm_cli_print_version(stdout, "famins-admin");
        return EXIT_OK;
    }
    const char *command = argc >= 2 ? argv[1] : "all";
    if (strcmp(command, "district-role") == 0)
        return admin_district_main(argc, argv);
    int bind = strcmp(command, "bind-group") == 0;
    if (!bind && strcmp(command, "migrate") != 0 && strcmp(command, "topics") != 0 &&
        strcmp(command, "all") != 0) {
        char text[128];
        snprintf(text, sizeof text, "unknown command '%.64s'", command);
        fm_cli_print_usage_error(stderr, "famins-admin", text);
        return EXIT_USAGE;
    }
    if (bind ? argc != 4 : argc > 2) {
        char text[128];
        if (bind)
            snprintf(text, sizeof text, "bind-group wants GROUP ROLE");
        else
            snprintf(text, sizeof text, "unexpected argument '%.64s'", argv[2]);
        fm_cli_print_usage_error(stderr, "famins-admin", text);
        return EXIT_USAGE;
    }
    fm_error err = {0};
    fm_settings *settings = NULL;
    if (fm_settings_load(admin_settings, ADMIN_SETTING_COUNT, NULL, NULL, &settings, &err) != FM_OK) {
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
    int code = EXIT_OK;
    if (bind)
        code = run_bind_group(settings, &logger, argv[2], argv[3]);
    if (strcmp(command, "migrate") == 0 || strcmp(command, "all") == 0)
        code = run_migrate(settings, &logger);
    if (code == EXIT_OK && (strcmp(command, "topics") == 0 || strcmp(command, "all") == 0))
        code = run_topics(settings, &logger);
    fm_settings_free(settings);
    return code;
}
