/* admin_ops.c — famins-admin's operator commands, run as famins_operator: lists by plain queries that never
 * select a raw message or a key, changes by one call of an audited function of migration 063 each (the change
 * and its famins.operator_audit row commit together). */
#include "admin_ops.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_backlog.h"
#include "admin_table.h"
#include "fm_cli.h"
#include "fm_kafka.h"
#include "fm_log.h"
#include "fm_pg.h"
#include "fm_settings.h"

static const fm_setting ops_settings[] = {
    FM_COMMON_SETTINGS,
    {"FAMINS_OPERATOR_PG_DSN", FM_SETTING_STRING, "", 0, 0,
     "the operator commands' connection (role famins_operator); empty: FAMINS_PG_DSN without its user and "
     "password, with user=famins_operator (the password then comes from a passfile)"},
    {"FAMINS_OPERATOR_NAME", FM_SETTING_STRING, "", 0, 0,
     "the operator name recorded in famins.operator_audit when --operator is not given"},
};
#define OPS_SETTING_COUNT (sizeof ops_settings / sizeof ops_settings[0])

/* UTC timestamps as ISO text, whatever the session's TimeZone. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The dead-letter filters: $1 group, $2 code, $3 since, $4 until, $5 state ('all': any), $6 ids (NULL: any).
 */
#define DL_WHERE                                                                                             \
    " WHERE ($1::text IS NULL OR consumer_group = $1) AND ($2::text IS NULL OR error_code = $2)"             \
    " AND ($3::timestamptz IS NULL OR received_at >= $3::timestamptz)"                                       \
    " AND ($4::timestamptz IS NULL OR received_at < $4::timestamptz)"                                        \
    " AND ($5::text = 'all' OR state = $5) AND ($6::bigint[] IS NULL OR id = ANY ($6::bigint[]))"

/* What a list shows of a dead letter: never raw_message or message_key (personal data), their sizes only. */
static const char dl_list_sql[] =
    "SELECT id, consumer_group AS \"group\", topic, partition, kafka_offset AS \"offset\", error_code AS "
    "code, "
    "state, octet_length(raw_message) AS bytes, " UTC("received_at") " AS received_at, error_text AS text "
                                                                     "FROM famins.dead_letters" DL_WHERE
                                                                     " ORDER BY id DESC LIMIT $7::int";

/* The open dead letters a filter selects, for replay/discard (same parameters, $5 unused but typed). */
#define DL_SELECTION                                                                                         \
    "ARRAY(SELECT id FROM famins.dead_letters" DL_WHERE " AND state = 'open' ORDER BY id LIMIT $7::int)"

static const char dl_replay_filter_sql[] =
    "SELECT dead_letter_id, outcome, outbox_id FROM famins.op_replay_dead_letters(" DL_SELECTION ", $8, $9)";
static const char dl_replay_ids_sql[] =
    "SELECT dead_letter_id, outcome, outbox_id FROM famins.op_replay_dead_letters($1::bigint[], $2, $3)";
static const char dl_discard_filter_sql[] =
    "SELECT dead_letter_id, outcome FROM famins.op_discard_dead_letters(" DL_SELECTION ", $8, $9)";
static const char dl_discard_ids_sql[] =
    "SELECT dead_letter_id, outcome FROM famins.op_discard_dead_letters($1::bigint[], $2, $3)";

static const char alarms_list_sql[] =
    "SELECT id, consumer_group AS \"group\", topic, partition, kind, stored_offset AS stored, low_watermark "
    "AS low, "
    "high_watermark AS high, " UTC("raised_at") " AS raised_at, " UTC(
        "resolved_at") " AS resolved_at, detail "
                       "FROM famins.consumer_alarms WHERE ($1::text IS NULL OR consumer_group = $1) "
                       "AND ($2::boolean OR resolved_at IS NULL) ORDER BY id LIMIT $3::int";

static const char alarm_resolve_sql[] =
    "SELECT from_offset, to_offset FROM famins.op_resolve_alarm($1::bigint, $2::bigint, $3::bigint, $4, $5)";

static const char backlog_sql[] =
    "WITH u AS (SELECT topic, count(*) AS unsent, min(created_at) AS oldest FROM famins.outbox "
    "           WHERE sent_at IS NULL GROUP BY topic), "
    "f AS (SELECT o.topic, count(*) AS failing FROM famins.outbox_failures x "
    "      JOIN famins.outbox o ON o.id = x.outbox_id AND o.sent_at IS NULL GROUP BY o.topic), "
    "p AS (SELECT topic, count(*) AS parked FROM famins.outbox_parked WHERE state = 'parked' GROUP BY topic) "
    "SELECT t.topic, coalesce(u.unsent, 0) AS unsent, floor(extract(epoch FROM now() - u.oldest))::bigint "
    "AS oldest_age_s, coalesce(f.failing, 0) AS failing, coalesce(p.parked, 0) AS parked "
    "FROM (SELECT topic FROM u UNION SELECT topic FROM f UNION SELECT topic FROM p) t "
    "LEFT JOIN u USING (topic) LEFT JOIN f USING (topic) LEFT JOIN p USING (topic) ORDER BY t.topic";

static const char parked_list_sql[] =
    "SELECT outbox_id AS id, topic, payload_bytes AS bytes, attempts, state, " UTC(
        "parked_at") " AS parked_at, "
                     "requeued_outbox_id AS requeued_as, last_error FROM famins.outbox_parked "
                     "WHERE ($1::boolean OR state = 'parked') ORDER BY outbox_id LIMIT $2::int";

static const char parked_handle_sql[] = "SELECT parked_id AS id, outcome, outbox_id FROM "
                                        "famins.op_handle_parked($1::bigint[], $2::boolean, $3, $4)";

static int is_int_type(Oid type)
{
    return type == 20 || type == 21 || type == 23;
}

/* Prints a query's answer as a table or JSON. */
static fm_status print_result(FILE *out, const PGresult *res, int json, fm_error *err)
{
    size_t cols = (size_t)PQnfields(res), rows = (size_t)PQntuples(res);
    const char **names = calloc(cols ? cols : 1, sizeof *names);
    const char **cells = calloc(rows * cols > 0 ? rows * cols : 1, sizeof *cells);
    int *numeric = calloc(cols ? cols : 1, sizeof *numeric);
    fm_status st = FM_ENOMEM;
    if (names == NULL || cells == NULL || numeric == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
        goto done;
    }
    for (size_t c = 0; c < cols; c++) {
        names[c] = PQfname(res, (int)c);
        numeric[c] = is_int_type(PQftype(res, (int)c));
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            cells[r * cols + c] = PQgetisnull(res, (int)r, (int)c) ? NULL : PQgetvalue(res, (int)r, (int)c);
    admin_table t = {.cols = cols, .rows = rows, .names = names, .cells = cells, .numeric = numeric};
    st = admin_table_print(out, &t, json, err);
done:
    free(names);
    free(cells);
    free(numeric);
    return st;
}

/* Counts rows of res whose column col equals value. */
static int count_value(const PGresult *res, int col, const char *value)
{
    int n = 0;
    for (int r = 0; r < PQntuples(res); r++)
        n += strcmp(PQgetvalue(res, r, col), value) == 0;
    return n;
}

static int exit_for_db_error(const fm_error *err)
{
    /* The functions' refusals by state: unknown alarm, already resolved, position moved, no position. */
    const char *refusals[] = {"P0002", "55000", "40001", "22023"};
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (strcmp(err->code, refusals[i]) == 0)
            return ADMIN_EXIT_REFUSED;
    return FM_EXIT_FAILED;
}

static int run_query(PGconn *conn, const char *sql, int n, const char *const *params, int json, FILE *out,
                     PGresult **keep, fm_error *err)
{
    PGresult *res = NULL;
    if (fm_pg_query(conn, sql, n, params, &res, err) != FM_OK)
        return exit_for_db_error(err);
    fm_status st = print_result(out, res, json, err);
    if (keep != NULL)
        *keep = res;
    else
        PQclear(res);
    return st == FM_OK ? FM_EXIT_OK : FM_EXIT_FAILED;
}

static int run_dead_letters(PGconn *conn, const admin_op_request *req, const char *operator_name, FILE *out,
                            fm_error *err)
{
    char ids[ADMIN_OPS_MAX_IDS * 21 + 3], limit[24];
    if (admin_ops_ids_literal(req, ids, sizeof ids, err) != FM_OK)
        return FM_EXIT_USAGE;
    snprintf(limit, sizeof limit, "%ld", req->limit);
    /* A list names states; ids name dead letters whatever their state; replay and discard select open ones.
     */
    const char *state = req->kind != ADMIN_OP_DL_LIST ? "open"
                        : req->all                    ? "all"
                        : req->state != NULL          ? req->state
                        : req->id_count > 0           ? "all"
                                                      : "open";
    const char *params[9] = {req->group,
                             req->code,
                             req->since[0] ? req->since : NULL,
                             req->until[0] ? req->until : NULL,
                             state,
                             req->id_count > 0 ? ids : NULL,
                             limit,
                             operator_name,
                             req->reason};
    if (req->kind == ADMIN_OP_DL_LIST || req->dry_run) {
        if (req->dry_run && req->id_count > 0)
            params[4] = "all"; /* named ids are shown whatever their state: the outcome would say it */
        return run_query(conn, dl_list_sql, 7, params, req->json, out, NULL, err);
    }
    int replay = req->kind == ADMIN_OP_DL_REPLAY;
    const char *sql = replay ? (req->id_count > 0 ? dl_replay_ids_sql : dl_replay_filter_sql)
                             : (req->id_count > 0 ? dl_discard_ids_sql : dl_discard_filter_sql);
    /* By ids: only those three parameters (every parameter of a statement must have a type). */
    const char *by_ids[3] = {params[5], operator_name, req->reason};
    PGresult *res = NULL;
    int code = req->id_count > 0 ? run_query(conn, sql, 3, by_ids, req->json, out, &res, err)
                                 : run_query(conn, sql, 9, params, req->json, out, &res, err);
    if (code != FM_EXIT_OK)
        return code;
    int done = count_value(res, 1, replay ? "replayed" : "discarded");
    fprintf(stderr, "famins-admin: %s %d of %d dead letters (audited)\n", replay ? "replayed" : "discarded",
            done, PQntuples(res));
    PQclear(res);
    return FM_EXIT_OK;
}

static int run_alarms(PGconn *conn, const admin_op_request *req, const char *operator_name, FILE *out,
                      fm_error *err)
{
    char a[24], b[24], c[24];
    if (req->kind == ADMIN_OP_ALARMS_LIST) {
        snprintf(a, sizeof a, "%ld", req->limit);
        const char *params[3] = {req->group, req->all ? "true" : "false", a};
        return run_query(conn, alarms_list_sql, 3, params, req->json, out, NULL, err);
    }
    snprintf(a, sizeof a, "%lld", (long long)req->ids[0]);
    snprintf(b, sizeof b, "%lld", (long long)req->move_to);
    snprintf(c, sizeof c, "%lld", (long long)req->expect);
    const char *params[5] = {a, req->has_move_to ? b : NULL, req->has_expect ? c : NULL, operator_name,
                             req->reason};
    PGresult *res = NULL;
    if (fm_pg_query(conn, alarm_resolve_sql, 5, params, &res, err) != FM_OK)
        return exit_for_db_error(err);
    if (req->has_move_to)
        fprintf(out, "alarm %s resolved; position moved from %s to %s\n", a,
                PQgetisnull(res, 0, 0) ? "none" : PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    else
        fprintf(out, "alarm %s resolved\n", a);
    PQclear(res);
    return FM_EXIT_OK;
}

static int run_outbox(PGconn *conn, rd_kafka_t *rk, const admin_op_request *req, const char *operator_name,
                      FILE *out, fm_error *err)
{
    if (req->kind == ADMIN_OP_OUTBOX_BACKLOG && req->by_partition)
        return admin_backlog_by_partition(conn, rk, 10000, req->json, out, err) == FM_OK ? FM_EXIT_OK
                                                                                         : FM_EXIT_FAILED;
    char ids[ADMIN_OPS_MAX_IDS * 21 + 3], limit[24];
    snprintf(limit, sizeof limit, "%ld", req->limit);
    if (req->kind == ADMIN_OP_OUTBOX_BACKLOG)
        return run_query(conn, backlog_sql, 0, NULL, req->json, out, NULL, err);
    if (req->kind == ADMIN_OP_OUTBOX_PARKED) {
        const char *params[2] = {req->all ? "true" : "false", limit};
        return run_query(conn, parked_list_sql, 2, params, req->json, out, NULL, err);
    }
    if (admin_ops_ids_literal(req, ids, sizeof ids, err) != FM_OK)
        return FM_EXIT_USAGE;
    int requeue = req->kind == ADMIN_OP_OUTBOX_REQUEUE;
    const char *params[4] = {ids, requeue ? "true" : "false", operator_name, req->reason};
    PGresult *res = NULL;
    int code = run_query(conn, parked_handle_sql, 4, params, req->json, out, &res, err);
    if (code != FM_EXIT_OK)
        return code;
    fprintf(stderr, "famins-admin: %s %d of %d parked rows (audited)\n", requeue ? "re-queued" : "discarded",
            count_value(res, 1, requeue ? "requeued" : "discarded"), PQntuples(res));
    PQclear(res);
    return FM_EXIT_OK;
}

int admin_ops_run(PGconn *conn, rd_kafka_t *rk, const admin_op_request *req, const char *operator_default,
                  FILE *out, fm_error *err)
{
    const char *operator_name = req->operator_name;
    if (operator_name == NULL && operator_default != NULL && operator_default[0] != '\0')
        operator_name = operator_default;
    switch (req->noun) {
    case ADMIN_NOUN_DEAD_LETTERS: return run_dead_letters(conn, req, operator_name, out, err);
    case ADMIN_NOUN_ALARMS: return run_alarms(conn, req, operator_name, out, err);
    case ADMIN_NOUN_OUTBOX:
    default: return run_outbox(conn, rk, req, operator_name, out, err);
    }
}

int admin_ops_main(int argc, char *const argv[])
{
    fm_error err = {0};
    admin_op_request *req = calloc(1, sizeof *req);
    if (req == NULL) {
        fprintf(stderr, "famins-admin: out of memory\n");
        return FM_EXIT_FAILED;
    }
    int code = FM_EXIT_USAGE;
    fm_settings *settings = NULL;
    PGconn *conn = NULL;
    rd_kafka_t *rk = NULL;
    if (admin_ops_parse(argc, argv, time(NULL), req, &err) != FM_OK) {
        fm_cli_print_usage_error(stderr, "famins-admin", err.text);
        goto done;
    }
    if (req->version) {
        fm_cli_print_version(stdout, "famins-admin");
        code = FM_EXIT_OK;
        goto done;
    }
    if (req->help) {
        admin_ops_usage(stdout, req->noun, req->kind);
        fputc('\n', stdout);
        fm_settings_print_help(stdout, ops_settings, OPS_SETTING_COUNT);
        code = FM_EXIT_OK;
        goto done;
    }
    if (fm_settings_load(ops_settings, OPS_SETTING_COUNT, NULL, NULL, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-admin: %s\n", err.text);
        goto done;
    }
    fm_logger logger;
    if (fm_logger_init(&logger, "admin", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-admin: %s\n", err.text);
        goto done;
    }
    /* Least privilege: operator commands run as famins_operator, never as the admin role that migrates. */
    char dsn[2048];
    if (fm_pg_role_dsn(fm_settings_str(settings, "FAMINS_OPERATOR_PG_DSN"),
                       fm_settings_str(settings, "FAMINS_PG_DSN"), "famins_operator", dsn,
                       sizeof dsn) != FM_OK) {
        fprintf(stderr,
                "famins-admin: FAMINS_OPERATOR_PG_DSN or FAMINS_PG_DSN is too long or not a connection "
                "string\n");
        goto done;
    }
    code = FM_EXIT_FAILED;
    fm_backoff backoff = {.initial_ms = 200, .max_ms = 2000, .max_attempts = 3};
    if (fm_pg_connect(dsn, &backoff, NULL, &logger, &conn, &err) != FM_OK) {
        fm_log(&logger, FM_LOG_ERROR, "operator_command_failed", "code=%s error=\"%s\"", err.code, err.text);
        goto done;
    }
    if (req->kind == ADMIN_OP_OUTBOX_BACKLOG && req->by_partition) {
        /* Only Kafka's partition counts are needed: a producer handle never produces here. */
        rd_kafka_conf_t *conf = NULL;
        char errstr[512] = "";
        if (fm_kafka_conf_new(settings, "famins-admin", &conf, &err) == FM_OK)
            rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        if (rk == NULL) {
            if (conf != NULL)
                rd_kafka_conf_destroy(conf);
            fm_log(&logger, FM_LOG_ERROR, "operator_command_failed", "code=KAFKA_CLIENT error=\"%s%s\"",
                   err.text, errstr);
            goto done;
        }
    }
    code = admin_ops_run(conn, rk, req, fm_settings_str(settings, "FAMINS_OPERATOR_NAME"), stdout, &err);
    if (code != FM_EXIT_OK)
        fm_log(&logger, FM_LOG_ERROR,
               code == ADMIN_EXIT_REFUSED ? "operator_command_refused" : "operator_command_failed",
               "command=\"%s %s\" code=%s error=\"%s\"", argv[1], argv[2], err.code, err.text);
done:
    if (rk != NULL)
        rd_kafka_destroy(rk);
    PQfinish(conn);
    fm_settings_free(settings);
    free(req);
    return code;
}
