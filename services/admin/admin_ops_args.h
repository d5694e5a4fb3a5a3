/* admin_ops_args.h — the command lines of famins-admin's operator commands (dead-letters, alarms, outbox),
 * parsed into a request without touching anything: pure, so that every misuse is refused (exit 2) before a
 * connection is made, and tested as such. */
#ifndef ADMIN_OPS_ARGS_H
#define ADMIN_OPS_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "fm_error.h"

/* Most ids one command line may name with --id (a filter selects more). */
#define ADMIN_OPS_MAX_IDS 1000
/* Default and largest number of rows a list shows, or a filter selects. */
#define ADMIN_OPS_DEFAULT_LIMIT 1000
#define ADMIN_OPS_MAX_LIMIT 100000

typedef enum admin_op_kind {
    ADMIN_OP_NONE = 0, /* only the noun was given with --help: its usage */
    ADMIN_OP_DL_LIST,
    ADMIN_OP_DL_REPLAY,
    ADMIN_OP_DL_DISCARD,
    ADMIN_OP_ALARMS_LIST,
    ADMIN_OP_ALARMS_RESOLVE,
    ADMIN_OP_OUTBOX_BACKLOG,
    ADMIN_OP_OUTBOX_PARKED,
    ADMIN_OP_OUTBOX_REQUEUE,
    ADMIN_OP_OUTBOX_DISCARD,
} admin_op_kind;

typedef enum admin_op_noun {
    ADMIN_NOUN_DEAD_LETTERS = 1,
    ADMIN_NOUN_ALARMS,
    ADMIN_NOUN_OUTBOX
} admin_op_noun;

/* A parsed command. Strings are borrowed from argv, except the times, which are normalised copies. */
typedef struct admin_op_request {
    admin_op_noun noun;
    admin_op_kind kind;
    int help;         /* --help or -h: print the usage of kind (or of the noun when kind is ADMIN_OP_NONE) */
    int version;      /* --version or -V (when it comes before any --help): print the version */
    int json;         /* --json: lists print a JSON array instead of a table */
    int all;          /* --all: alarms and parked rows already handled too; dead letters of every state */
    int dry_run;      /* --dry-run: replay/discard print what they would select and change nothing */
    int by_partition; /* outbox backlog --partitions: per partition the relay's producer will choose */
    const char *group, *code, *state; /* filters; NULL: any (state defaults to "open") */
    char since[40], until[40];        /* UTC "YYYY-MM-DDTHH:MM:SSZ" or the ISO text given; "" when absent */
    const char *operator_name;        /* --operator NAME; NULL: none given */
    const char *reason;               /* --reason TEXT */
    int64_t ids[ADMIN_OPS_MAX_IDS];
    size_t id_count;
    int has_move_to, has_expect;
    int64_t move_to, expect; /* alarms resolve --move-to OFFSET [--expect OFFSET] */
    long limit;
} admin_op_request;

/* 1 when word names an operator command group (dead-letters, alarms, outbox). */
int admin_ops_is_noun(const char *word);

/* Parses argv[1] (the noun), argv[2] (the verb) and their options. now: the time relative --since/--until
 * values count back from. FM_OK with *out filled; FM_EINVAL with err->text a one-line reason (unknown
 * command or option, a missing or malformed value, a missing --reason on a discard, options that do not go
 * together) for the usage error. */
fm_status admin_ops_parse(int argc, char *const argv[], time_t now, admin_op_request *out, fm_error *err);

/* A time option's value as a UTC timestamp text: "30m", "2h", "7d" (that long before now) or an ISO date or
 * date-time ("2026-12-01", "2026-12-01T08:00:00Z", "2026-12-01 08:00+08:00"), which is kept as written for
 * the database to read. FM_EINVAL when it is neither or does not fit len. */
fm_status admin_ops_time_arg(const char *arg, time_t now, char *out, size_t len, fm_error *err);

/* Adds the ids of "12" or "12,13,20" to the request. FM_EINVAL on anything but positive integers, or more
 * than ADMIN_OPS_MAX_IDS. */
fm_status admin_ops_add_ids(admin_op_request *req, const char *arg, fm_error *err);

/* The ids as a PostgreSQL array literal "{1,2,3}" into buf. FM_EINVAL when it does not fit. */
fm_status admin_ops_ids_literal(const admin_op_request *req, char *buf, size_t len, fm_error *err);

/* Prints the usage of the request's command (or noun) to out. */
void admin_ops_usage(FILE *out, admin_op_noun noun, admin_op_kind kind);

/* Prints the summary of every operator command (for famins-admin --help). */
void admin_ops_usage_summary(FILE *out);

#endif
