/* adj_testdb.h — test fixtures for the adjudicator: policies, insured persons and usage seeded as
 * famins_admin. */
#ifndef ADJ_TESTDB_H
#define ADJ_TESTDB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "fm_keyring.h"

#define ADJ_TEST_KEY_ID "k1"
#define ADJ_TEST_SECRET "adjudicator-test-secret"

/* The tests' keyring: the one key ADJ_TEST_KEY_ID under ADJ_TEST_SECRET. */
void tdb_keyring(fm_keyring *ring);

/* Each returns 0 on success, -1 (message on stderr) otherwise. They commit (autocommit connection). */
int tdb_exec(PGconn *admin, const char *sql);
int tdb_reset(PGconn *admin); /* empties every claims and enrollment table */
int tdb_policy(PGconn *admin, const char *policy_number, int plan_year, const char *unit, const char *start,
               const char *end);
int tdb_person(PGconn *admin, const char *policy_number, int plan_year, const char *id_number,
               const char *role, bool renewal);
/* The same, keyed under the key key_id with secret (a person keyed before a rotation). */
int tdb_person_keyed(PGconn *admin, const char *policy_number, int plan_year, const char *id_number,
                     const char *role, bool renewal, const char *key_id, const char *secret);
/* Sets a person's usage row (absolute values) for plan_year. */
int tdb_usage(PGconn *admin, int plan_year, const char *id_number, int64_t death, int64_t disability,
              int64_t ci_mild, int64_t ci_severe, int64_t am_deductible, int64_t am_paid,
              int64_t ih_deductible, int64_t ih_paid);
int tdb_household(PGconn *admin, const char *policy_number, int64_t am_paid, int64_t ih_paid);
/* Records an invoice as claimed by an earlier claim (made up, on policy_number). */
int tdb_claimed_invoice(PGconn *admin, const char *policy_number, const char *code, const char *number);
/* The first column of the first row of a query without parameters as int64 (or -1 on error / no row). */
int64_t tdb_i64(PGconn *conn, const char *sql);
/* Same, text into buf ("" on error / no row / NULL). */
void tdb_text(PGconn *conn, const char *sql, char *buf, size_t len);
/* tdb_i64 and tdb_text of a query formatted printf-style (at most 1,023 characters). */
int64_t tdb_i64f(PGconn *conn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tdb_textf(PGconn *conn, char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
