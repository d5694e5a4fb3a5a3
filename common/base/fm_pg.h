/* fm_pg.h — PostgreSQL connections that come back: connect and reconnect with bounded backoff. */
#ifndef FM_PG_H
#define FM_PG_H

#include <libpq-fe.h>
#include <signal.h>

#include "fm_error.h"
#include "fm_log.h"

/* Exponential backoff: initial_ms, doubled each attempt, capped at max_ms; max_attempts tries in all
 * (0: try until *stop is set). */
typedef struct fm_backoff {
    int initial_ms;
    int max_ms;
    int max_attempts;
} fm_backoff;

#define FM_BACKOFF_DEFAULT ((fm_backoff){.initial_ms = 100, .max_ms = 5000, .max_attempts = 30})

/* The delay before attempt number `attempt` (1 = the first retry). Pure; never negative. */
int fm_backoff_delay_ms(const fm_backoff *backoff, int attempt);

/* Sleeps ms milliseconds in short steps, returning early when *stop becomes non-zero (stop may be NULL). */
void fm_sleep_ms(int ms, const volatile sig_atomic_t *stop);

/* Connects to dsn, retrying with backoff while the server refuses or is unreachable. On FM_OK *out is a
 * live connection the caller owns (PQfinish). FM_EDB when every attempt failed (err says the last error),
 * FM_ETIMEDOUT never; when *stop is set the wait ends with FM_EDB. The DSN is never logged (it may hold a
 * password). */
fm_status fm_pg_connect(const char *dsn, const fm_backoff *backoff, const volatile sig_atomic_t *stop,
                        const fm_logger *logger, PGconn **out, fm_error *err);

/* When *conn is gone (CONNECTION_BAD), replaces it with a new connection (same retries as above).
 * FM_OK when *conn is usable afterwards. */
fm_status fm_pg_ensure(PGconn **conn, const char *dsn, const fm_backoff *backoff,
                       const volatile sig_atomic_t *stop, const fm_logger *logger, fm_error *err);

/* Runs a statement that returns no rows to keep (DDL, BEGIN, COMMIT...). FM_EDB with the server's
 * message in err. */
fm_status fm_pg_exec(PGconn *conn, const char *sql, fm_error *err);

/* Runs a parameterised query; on FM_OK *out is the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK), owned by
 * the caller (PQclear). */
fm_status fm_pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params, PGresult **out,
                      fm_error *err);

/* The server and database of the local stack, when FAMINS_PG_DSN is not set. */
#define FM_PG_DEFAULT_SERVER "host=127.0.0.1 port=15432 dbname=famins"

/* A service's own connection string, for least privilege: own_dsn (FAMINS_<SERVICE>_PG_DSN) as it is when set
 * and not empty; else base_dsn (FAMINS_PG_DSN, the admin's; empty: FM_PG_DEFAULT_SERVER) parsed by libpq
 * (key=value or URI) and written back as key=value WITHOUT its user and password, plus user=<role>. The
 * admin's password never reaches a service: a derived DSN logs in with the role's own password from a
 * passfile (PGPASSFILE,
 * ~/.pgpass or passfile=, looked up by host, port, database and the role) or with the role's own DSN.
 * FM_EINVAL when out is too small or base_dsn is not a connection string (out is then empty). NULLs read as
 * empty. */
fm_status fm_pg_role_dsn(const char *own_dsn, const char *base_dsn, const char *role, char *out, size_t len);

/* The text of a failed result for an error or a log line, on one line: the severity and the server's primary
 * message only ("ERROR: duplicate key value violates unique constraint ..."). DETAIL, HINT and CONTEXT are
 * left out on purpose: they quote the refused row's values ("Failing row contains (...)", "Key (...)=(...)"),
 * which are the message's data and may be personal. Without a result (res NULL or no server fields), the
 * connection's message. Always NUL-terminates dst. */
void fm_pg_result_text(const PGconn *conn, const PGresult *res, char *dst, size_t len);

/* 1 when the last failure looks like a lost connection (retry on a new one), 0 for a real SQL error. */
int fm_pg_connection_lost(const PGconn *conn);

#endif
