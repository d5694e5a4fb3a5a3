/* admin_bindings.c — which role may use a consumer group and write a topic into the outbox (migration 060).
 */
#include "admin_bindings.h"

#include <stdio.h>
#include <string.h>

#include "fm_kafka.h"
#include "fm_pg.h"

static const char *const worker_roles[ADMIN_DEFAULT_GROUPS] = {"famins_eligibility", "famins_subsidy",
                                                               "famins_adjudicator"};
static const char *const worker_services[ADMIN_DEFAULT_GROUPS] = {"eligibility", "subsidy", "adjudicator"};
/* Per worker (same order): the topic it publishes and the .dlq of the topic it consumes. */
static const fm_topic_id worker_topics[ADMIN_DEFAULT_GROUPS][2] = {
    {FM_TOPIC_ENROLLMENT_DECIDED, FM_TOPIC_ENROLLMENT_SUBMITTED_DLQ},
    {FM_TOPIC_SUBSIDY_ALLOCATED, FM_TOPIC_ENROLLMENT_DECIDED_DLQ},
    {FM_TOPIC_CLAIM_DECIDED, FM_TOPIC_CLAIM_EVENTS_DLQ},
};

int admin_binding_role_known(const char *role)
{
    for (size_t i = 0; role != NULL && i < ADMIN_DEFAULT_GROUPS; i++)
        if (strcmp(role, worker_roles[i]) == 0)
            return 1;
    return 0;
}

fm_status admin_bindings_defaults(const char *prefix, admin_binding groups[ADMIN_DEFAULT_GROUPS],
                                  admin_binding topics[ADMIN_DEFAULT_TOPICS], fm_error *err)
{
    for (size_t i = 0; i < ADMIN_DEFAULT_GROUPS; i++) {
        char base[64];
        snprintf(base, sizeof base, "famins-%s", worker_services[i]);
        /* The group id follows the topic name rules: it is the prefix plus a fixed name, like a topic. */
        fm_status st = fm_topic_name(prefix, base, groups[i].name, sizeof groups[i].name, err);
        for (size_t t = 0; st == FM_OK && t < 2; t++) {
            admin_binding *b = &topics[i * 2 + t];
            st = fm_topic_name(prefix, fm_topic_base_name(worker_topics[i][t]), b->name, sizeof b->name, err);
            b->role = worker_roles[i];
        }
        if (st != FM_OK)
            return st;
        groups[i].role = worker_roles[i];
    }
    /* The adjudicator's second published topic: its payment instructions (issue 15). */
    topics[ADMIN_DEFAULT_TOPICS - 1].role = "famins_adjudicator";
    return fm_topic_name(prefix, fm_topic_base_name(FM_TOPIC_CLAIM_PAYMENT),
                         topics[ADMIN_DEFAULT_TOPICS - 1].name, sizeof topics[ADMIN_DEFAULT_TOPICS - 1].name,
                         err);
}

/* Inserts one binding unless its name is bound already; logs a binding to another role. */
static fm_status register_one(PGconn *conn, const char *table, const char *column, const admin_binding *b,
                              const fm_logger *logger, int *added, fm_error *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "WITH i AS (INSERT INTO famins.%s (%s, owner_role) VALUES ($1, $2) ON CONFLICT DO NOTHING "
             "RETURNING 1) "
             "SELECT (SELECT count(*) FROM i), (SELECT owner_role FROM famins.%s WHERE %s = $1)",
             table, column, table, column);
    const char *params[2] = {b->name, b->role};
    PGresult *res = NULL;
    fm_status st = fm_pg_query(conn, sql, 2, params, &res, err);
    if (st != FM_OK)
        return st;
    if (strcmp(PQgetvalue(res, 0, 0), "1") == 0)
        (*added)++;
    else if (!PQgetisnull(res, 0, 1) && strcmp(PQgetvalue(res, 0, 1), b->role) != 0)
        fm_log(logger, FM_LOG_WARN, "binding_kept", "table=%s name=%s role=%s default_role=%s", table,
               b->name, PQgetvalue(res, 0, 1), b->role);
    PQclear(res);
    return FM_OK;
}

fm_status admin_bindings_register(PGconn *conn, const char *prefix, const fm_logger *logger, int *added,
                                  fm_error *err)
{
    admin_binding groups[ADMIN_DEFAULT_GROUPS], topics[ADMIN_DEFAULT_TOPICS];
    *added = 0;
    fm_status st = admin_bindings_defaults(prefix, groups, topics, err);
    if (st != FM_OK)
        return st;
    if ((st = fm_pg_exec(conn, "BEGIN", err)) != FM_OK)
        return st;
    for (size_t i = 0; st == FM_OK && i < ADMIN_DEFAULT_GROUPS; i++)
        st = register_one(conn, "consumer_groups", "consumer_group", &groups[i], logger, added, err);
    for (size_t i = 0; st == FM_OK && i < ADMIN_DEFAULT_TOPICS; i++)
        st = register_one(conn, "outbox_topics", "topic", &topics[i], logger, added, err);
    if (st == FM_OK)
        return fm_pg_exec(conn, "COMMIT", err);
    PQclear(PQexec(conn, "ROLLBACK"));
    return st;
}

fm_status admin_bindings_bind_group(PGconn *conn, const char *group, const char *role,
                                    const fm_logger *logger, fm_error *err)
{
    if (!admin_binding_role_known(role)) {
        fm_error_set(err, "ROLE", "UNKNOWN_ROLE",
                     "a consumer group is bound to a worker's role: famins_eligibility, famins_subsidy or "
                     "famins_adjudicator");
        return FM_EINVAL;
    }
    size_t len = group != NULL ? strlen(group) : 0;
    if (len == 0 || len >= sizeof((admin_binding *)0)->name) {
        fm_error_set(err, "GROUP", "BAD_GROUP", "the consumer group name is empty or longer than 255 bytes");
        return FM_EINVAL;
    }
    const char *params[2] = {group, role};
    PGresult *res = NULL;
    fm_status st =
        fm_pg_query(conn,
                    "WITH old AS (SELECT owner_role FROM famins.consumer_groups WHERE consumer_group = $1) "
                    "INSERT INTO famins.consumer_groups (consumer_group, owner_role) VALUES ($1, $2) "
                    "ON CONFLICT (consumer_group) DO UPDATE SET owner_role = EXCLUDED.owner_role, "
                    "bound_at = now() RETURNING (SELECT owner_role FROM old)",
                    2, params, &res, err);
    if (st != FM_OK)
        return st;
    fm_log(logger, FM_LOG_INFO, "group_bound", "group=%s role=%s previous=%s", group, role,
           PQgetisnull(res, 0, 0) ? "(none)" : PQgetvalue(res, 0, 0));
    PQclear(res);
    return FM_OK;
}
