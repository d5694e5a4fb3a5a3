/* admin_bindings.h — which role may use a consumer group and write a topic into the outbox (migration 060).
 */
#ifndef ADMIN_BINDINGS_H
#define ADMIN_BINDINGS_H

#include <libpq-fe.h>

#include "fm_error.h"
#include "fm_log.h"

#define ADMIN_DEFAULT_GROUPS 3 /* one per worker service */
#define ADMIN_DEFAULT_TOPICS 7 /* each worker's output topic and the .dlq of its input, + claim.payment */

typedef struct admin_binding {
    char name[256];   /* the consumer group or the topic, with the prefix */
    const char *role; /* static: the owning role */
} admin_binding;

/* 1 when role may own consumer groups and outbox topics: a worker service's role (famins_eligibility,
 * famins_subsidy, famins_adjudicator). Other roles (the relay, the reporter, the operator, the admin,
 * anything unknown) never run a worker, so a binding to them is refused. */
int admin_binding_role_known(const char *role);

/* The default bindings of a topic prefix: groups prefix + "famins-<service>" (the runtime's default group id)
 * and the topics each service writes: famins_eligibility enrollment.decided and enrollment.submitted.dlq,
 * famins_subsidy subsidy.allocated and enrollment.decided.dlq, famins_adjudicator claim.decided,
 * claim.events.dlq and claim.payment (its payment instructions, issue 15; last, so the others keep their
 * places). FM_EINVAL (err says which) when a name would not be a legal topic or group name. */
fm_status admin_bindings_defaults(const char *prefix, admin_binding groups[ADMIN_DEFAULT_GROUPS],
                                  admin_binding topics[ADMIN_DEFAULT_TOPICS], fm_error *err);

/* Registers the default bindings of prefix in one transaction. Idempotent: a binding that exists is kept, and
 * one that names another role than the default (an operator's choice) is logged, not changed. *added gets the
 * number of new rows. FM_EDB (err has the server's message). */
fm_status admin_bindings_register(PGconn *conn, const char *prefix, const fm_logger *logger, int *added,
                                  fm_error *err);

/* Binds a consumer group to a role (replacing its earlier binding): what a worker started with
 * FAMINS_GROUP_ID needs. FM_EINVAL for an unknown role (see admin_binding_role_known) or an empty or
 * over-long group name, FM_EDB. */
fm_status admin_bindings_bind_group(PGconn *conn, const char *group, const char *role,
                                    const fm_logger *logger, fm_error *err);

#endif
