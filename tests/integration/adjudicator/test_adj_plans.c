/* test_adj_plans.c — the adjudicator's prepared statements keep plans that take their indexes: on a new,
 * migrated database (empty tables, never analysed), every ADJ_STMT_* statement's generic plan (what a session
 * keeps after five executions) reads no table whole. Written plainly, those plans read person_usage whole for
 * every claim and hashed claims, invoices_claimed and claim_decisions whole per batch (adj_store_read.c,
 * FACTS_SQL, says why); the old shapes are kept here as controls, so the test cannot pass by seeing nothing.
 * Statements are explained, never executed: nothing is written. Runs as famins_adjudicator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_store.h"
#include "fm_test.h"

static PGconn *adj;

/* Tables a generic plan may read whole, with the reason. None: every statement finds its rows by a key. */
static const char *const ALLOWED_SEQ_SCANS[] = {NULL};

static const char *const NAMES[ADJ_STMT_COUNT] = {
    [ADJ_STMT_LOAD_CLAIMS] = "ADJ_STMT_LOAD_CLAIMS",
    [ADJ_STMT_LOAD_BILLS] = "ADJ_STMT_LOAD_BILLS",
    [ADJ_STMT_FACTS] = "ADJ_STMT_FACTS",
    [ADJ_STMT_INVOICES] = "ADJ_STMT_INVOICES",
    [ADJ_STMT_REVIEWS] = "ADJ_STMT_REVIEWS",
    [ADJ_STMT_UPDATE_CLAIMS] = "ADJ_STMT_UPDATE_CLAIMS",
    [ADJ_STMT_PERSON_USAGE] = "ADJ_STMT_PERSON_USAGE",
    [ADJ_STMT_HOUSEHOLD] = "ADJ_STMT_HOUSEHOLD",
};

/* Representative parameters of each statement, as the service builds them (text array literals; the casts in
 * the statement's text type them). Test constants, not input. */
static const char *const ARGS[ADJ_STMT_COUNT] = {
    [ADJ_STMT_LOAD_CLAIMS] = "'{C-1,C-2}'",
    [ADJ_STMT_LOAD_BILLS] = "'{C-1,C-2}'",
    /* policy numbers, person keys (current key first), claim ids and event ids ("" for a review's item),
     * the invoices to lock */
    [ADJ_STMT_FACTS] = "'{FJ2026-H1,FJ2026-H2}', '{\"k2:pa,k1:pa\",k2:pb}', '{C-1,\"\"}', '{E-1,\"\"}',"
                       " '{X1,X2}', '{N1,N2}'",
    [ADJ_STMT_INVOICES] = "'{X1,X2}', '{N1,N2}'",
    [ADJ_STMT_REVIEWS] =
        "'{C-1,C-2}', '{R-1,R-2}', '{rev,rev}', '{approve,reject}', '{100,NULL}',"
        " '{NULL,note}', '{pending_review,pending_review}', '{approved,rejected}', '{100,0}',"
        " '{t,f}', '{NULL,NULL}'",
    [ADJ_STMT_UPDATE_CLAIMS] = "'{C-1,C-2}', '{approved,rejected}', '{100,0}'",
    [ADJ_STMT_PERSON_USAGE] = "'{2026,2026}', '{k2:pa,k2:pb}', '{0,0}', '{0,0}', '{0,0}', '{0,0}', '{0,0}',"
                              " '{100,0}', '{0,0}', '{0,0}'",
    [ADJ_STMT_HOUSEHOLD] = "'{FJ2026-H1,FJ2026-H2}', '{100,0}', '{0,0}'",
};

/* Shapes known to read a table whole under a generic plan on a new database. */
typedef struct control {
    const char *what;
    const char *sql;
    const char *args;
} control;

static const control CONTROLS[] = {
    /* no index on masked_id at all */
    {"claims by an unindexed column", "SELECT count(*) FROM famins.claims WHERE masked_id = $1::text",
     "'**************0027'"},
    /* "deceased" before 2026-12-03: an EXISTS, costed to stop at an early match */
    {"the old deceased EXISTS",
     "SELECT q.i, EXISTS (SELECT 1 FROM famins.person_usage d WHERE d.person_key = ANY "
     "(string_to_array(q.pks, "
     "','))"
     "   AND d.death_paid > 0) AS deceased FROM unnest($1::text[]) WITH ORDINALITY AS q(pks, i)",
     "'{\"k2:pa,k1:pa\",k2:pb}'"},
    /* "claim id known" and "event seen" before 2026-12-03 */
    {"the old claim and event EXISTS",
     "SELECT q.i, EXISTS (SELECT 1 FROM famins.claims c WHERE c.claim_id = q.cid) AS claim_exists,"
     " EXISTS (SELECT 1 FROM famins.claims c WHERE c.source_event_id = q.eid) AS event_seen"
     " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(cid, eid, i)",
     "'{C-1,C-2}', '{E-1,E-2}'"},
    /* the invoices read before 2026-12-03: a plain join */
    {"the old invoices join",
     "SELECT DISTINCT ic.invoice_code, ic.invoice_number, ic.first_claim_id FROM unnest($1::text[], "
     "$2::text[])"
     " AS t(c, n) JOIN famins.invoices_claimed ic ON ic.invoice_code = t.c AND ic.invoice_number = t.n",
     "'{X1,X2}', '{N1,N2}'"},
};

static const char *stmt_sql(adj_stmt id)
{
    const char *r = adj_store_read_sql(id), *w = adj_store_write_sql(id);
    /* each statement's text is in exactly one of the two files */
    return r != NULL && w != NULL ? NULL : r != NULL ? r : w;
}

/* The generic plan of sql, prepared as name the way fm_pg_run_prepared does (PQprepare without types), then
 * EXPLAIN EXECUTE with args, into plan (lines joined by '\n'). 0, or -1 with the error in plan. */
static int generic_plan(const char *name, const char *sql, const char *args, char *plan, size_t len)
{
    char explain[1024];
    size_t used = 0;
    plan[0] = '\0';
    PGresult *res = PQprepare(adj, name, sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        goto fail;
    PQclear(res);
    snprintf(explain, sizeof explain, "EXPLAIN (FORMAT TEXT) EXECUTE %s(%s)", name, args);
    res = PQexec(adj, explain);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        goto fail;
    for (int r = 0; r < PQntuples(res) && used < len; r++)
        used += (size_t)snprintf(plan + used, len - used, "%s\n", PQgetvalue(res, r, 0));
    PQclear(res);
    return 0;
fail:
    snprintf(plan, len, "%s", PQerrorMessage(adj));
    PQclear(res);
    return -1;
}

static bool allowed(const char *table, size_t n)
{
    for (size_t i = 0; ALLOWED_SEQ_SCANS[i] != NULL; i++)
        if (strlen(ALLOWED_SEQ_SCANS[i]) == n && strncmp(ALLOWED_SEQ_SCANS[i], table, n) == 0)
            return true;
    return false;
}

/* The tables plan reads whole ("Seq Scan on <table>") that are not allowed, joined by ' ' into out; their
 * number. */
static int seq_scans(const char *plan, char *out, size_t len)
{
    static const char MARK[] = "Seq Scan on ";
    int n = 0;
    size_t used = 0;
    out[0] = '\0';
    for (const char *s = strstr(plan, MARK); s != NULL; s = strstr(s, MARK)) {
        s += sizeof MARK - 1;
        size_t k = strcspn(s, " \n");
        if (allowed(s, k))
            continue;
        n++;
        if (used < len)
            used += (size_t)snprintf(out + used, len - used, "%s%.*s", n > 1 ? " " : "", (int)k, s);
    }
    return n;
}

static int setup(void **state)
{
    (void)state;
    PGresult *res = PQexec(adj, "DEALLOCATE ALL; SET plan_cache_mode = force_generic_plan");
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : -1;
}

static void no_generic_plan_reads_a_table_whole_on_a_new_database(void **state)
{
    (void)state;
    static char plan[32768];
    char name[32], tables[512];
    int failures = 0;
    for (int id = 0; id < ADJ_STMT_COUNT; id++) {
        const char *sql = stmt_sql((adj_stmt)id), *what = NAMES[id] ? NAMES[id] : "(unnamed)";
        if (sql == NULL || ARGS[id] == NULL) {
            print_error("statement %d %s: %s\n", id, what,
                        sql == NULL ? "no text (or two) from adj_store_read_sql/adj_store_write_sql"
                                    : "no parameters in this test's ARGS");
            failures++;
            continue;
        }
        snprintf(name, sizeof name, "adj_plan_%d", id);
        if (generic_plan(name, sql, ARGS[id], plan, sizeof plan) != 0) {
            print_error("%s: %s\n", what, plan);
            failures++;
        } else if (seq_scans(plan, tables, sizeof tables) > 0) {
            print_error("%s reads whole: %s; its generic plan:\n%s\n", what, tables, plan);
            failures++;
        } else {
            print_message("%s: no table read whole\n", what);
        }
    }
    assert_int_equal(failures, 0);
}

static void the_old_shapes_are_seen_reading_tables_whole(void **state)
{
    (void)state;
    static char plan[32768];
    char name[32], tables[512];
    int missed = 0;
    for (size_t i = 0; i < sizeof CONTROLS / sizeof CONTROLS[0]; i++) {
        snprintf(name, sizeof name, "adj_plan_control_%zu", i);
        assert_int_equal(generic_plan(name, CONTROLS[i].sql, CONTROLS[i].args, plan, sizeof plan), 0);
        if (seq_scans(plan, tables, sizeof tables) == 0) {
            print_error("control '%s' not seen reading a table whole; its generic plan:\n%s\n",
                        CONTROLS[i].what, plan);
            missed++;
        } else {
            print_message("control '%s': reads whole %s\n", CONTROLS[i].what, tables);
        }
    }
    assert_int_equal(missed, 0);
}

int main(void)
{
    adj = PQconnectdb(getenv("ADJ_TEST_DSN"));
    if (PQstatus(adj) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s\n", PQerrorMessage(adj));
        PQfinish(adj);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(no_generic_plan_reads_a_table_whole_on_a_new_database, setup),
        cmocka_unit_test_setup(the_old_shapes_are_seen_reading_tables_whole, setup),
    };
    int rc = cmocka_run_group_tests_name("adjudicator_plans", tests, NULL, NULL);
    PQfinish(adj);
    return rc;
}
