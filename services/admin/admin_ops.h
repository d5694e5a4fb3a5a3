/* admin_ops.h — famins-admin's operator commands (dead-letters, alarms, outbox), run as famins_operator:
 * reads with plain queries, every change through one audited SECURITY DEFINER function of migration 063. */
#ifndef ADMIN_OPS_H
#define ADMIN_OPS_H

#include <libpq-fe.h>
#include <librdkafka/rdkafka.h>

#include "admin_ops_args.h"
#include "fm_error.h"

/* Exit code of an operator command refused by what it found (unknown or resolved alarm, a position that is
 * not the expected one); 0, 1 and 2 as fm_cli.h. */
#define ADMIN_EXIT_REFUSED 4

/* Runs famins-admin NOUN VERB [options]: parses (misuse: the one-line usage error, exit 2, before anything is
 * read or connected), answers --help, loads the settings, connects as famins_operator and runs the command.
 * Returns the exit code. */
int admin_ops_main(int argc, char *const argv[]);

/* Runs a parsed request on conn, printing the answer on out. rk: a Kafka client for outbox backlog
 * --partitions (metadata only), else may be NULL. operator_default: the operator name recorded when the
 * request has none (NULL or "": none). Returns the exit code; err says why on 1 and 4. */
int admin_ops_run(PGconn *conn, rd_kafka_t *rk, const admin_op_request *req, const char *operator_default,
                  FILE *out, fm_error *err);

#endif
