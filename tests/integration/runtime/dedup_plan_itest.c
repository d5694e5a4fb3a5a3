/* dedup_plan_itest.c — the batch's deduplication read (fm_worker_dedup_read_sql) costs a few index probes per
 * event id whatever the statistics say. The database is set up by runtime_dedup_plan.sh the way a steady
 * claims run found it at 1,000,000 households: processed_events analysed while it held another group's rows
 * only, then GROUP_ROWS rows of the reading group that no ANALYZE has seen. The plain `event_id = ANY ($2)`
 * form then scanned the whole group's range per batch (buffers in the thousands here, 89,522 and 120-190 ms
 * at 134,605 rows); each probe of the whole key touches at most a handful of pages.
 *
 * Checks, with the read as the worker sends it (parameters bound, EXPLAIN ANALYZE BUFFERS):
 * - it returns exactly the known ids of the batch, each with its content hash, and none of the new ones;
 * - the shared buffers it touched stay under PAGES_PER_ID per id of the batch;
 * - a batch that repeats an id still gets one row for it.
 * Exit 0 when every check holds. Needs FAMINS_PG_DSN. */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_worker.h"

enum { BATCH_IDS = 40, KNOWN_IDS = 20, PAGES_PER_ID = 10 };

static const char GROUP[] = "dedup-plan-group";

static int failures = 0;

static void check(int ok, const char *what)
{
    fprintf(stderr, "%s: %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

/* The batch's ids as a text[] literal: KNOWN_IDS the group wrote (ev-<n>, n spread over its rows) and the
 * rest new. With repeat, the first id appears twice. */
static void batch_ids(char *buf, size_t len, int repeat)
{
    size_t used = (size_t)snprintf(buf, len, "{");
    for (int i = 0; i < BATCH_IDS && used < len; i++) {
        if (i < KNOWN_IDS)
            used += (size_t)snprintf(buf + used, len - used, "%sev-%d", i ? "," : "", 1 + i * 997);
        else
            used += (size_t)snprintf(buf + used, len - used, ",new-%d", i);
    }
    if (repeat && used < len)
        used += (size_t)snprintf(buf + used, len - used, ",ev-1");
    if (used < len)
        snprintf(buf + used, len - used, "}");
}

/* Shared buffers (hit + read) of the plan's top node, from EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON). */
static long plan_buffers(PGconn *conn, const char *const params[2])
{
    char sql[1024];
    snprintf(sql, sizeof sql, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", fm_worker_dedup_read_sql());
    PGresult *res = PQexecParams(conn, sql, 2, NULL, params, NULL, NULL, 0);
    long blocks = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        json_error_t jerr;
        json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
        json_t *plan = json_object_get(json_array_get(doc, 0), "Plan");
        json_t *hit = json_object_get(plan, "Shared Hit Blocks"),
               *read = json_object_get(plan, "Shared Read Blocks");
        if (json_is_integer(hit) && json_is_integer(read))
            blocks = (long)(json_integer_value(hit) + json_integer_value(read));
        if (blocks >= 0 && blocks > BATCH_IDS * PAGES_PER_ID)
            fprintf(stderr, "the plan:\n%s\n", PQgetvalue(res, 0, 0));
        json_decref(doc);
    } else {
        fprintf(stderr, "EXPLAIN: %s", PQerrorMessage(conn));
    }
    PQclear(res);
    return blocks;
}

/* Runs the read; 1 when it returned each known id once with its hash (h-<n> for ev-<n>) and nothing else. */
static int returns_known_only(PGconn *conn, const char *const params[2])
{
    PGresult *res = PQexecParams(conn, fm_worker_dedup_read_sql(), 2, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == KNOWN_IDS;
    for (int r = 0; ok && r < PQntuples(res); r++) {
        const char *id = PQgetvalue(res, r, 0), *hash = PQgetvalue(res, r, 1);
        ok = strncmp(id, "ev-", 3) == 0 && strncmp(hash, "h-", 2) == 0 && strcmp(id + 3, hash + 2) == 0;
    }
    if (!ok)
        fprintf(stderr, "read: status %s, %d rows: %s", PQresStatus(PQresultStatus(res)), PQntuples(res),
                PQerrorMessage(conn));
    PQclear(res);
    return ok;
}

int main(void)
{
    const char *dsn = getenv("FAMINS_PG_DSN");
    if (dsn == NULL) {
        fprintf(stderr, "FAIL: FAMINS_PG_DSN must be set\n");
        return 1;
    }
    PGconn *conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "FAIL: connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return 1;
    }
    PQclear(PQexec(conn, "SET jit = off")); /* as the workers' sessions (fm_worker_session_dsn) */
    char ids[2048];
    batch_ids(ids, sizeof ids, 0);
    const char *params[2] = {GROUP, ids};
    check(returns_known_only(conn, params),
          "the read returns the batch's known ids with their hashes, no new one");
    long blocks = plan_buffers(conn, params);
    char what[160];
    snprintf(what, sizeof what, "the read touched %ld shared buffers for %d ids (at most %d)", blocks,
             BATCH_IDS, BATCH_IDS * PAGES_PER_ID);
    check(blocks >= 0 && blocks <= BATCH_IDS * PAGES_PER_ID, what);
    batch_ids(ids, sizeof ids, 1);
    check(returns_known_only(conn, params), "an id twice in the batch is returned once");
    PQfinish(conn);
    return failures == 0 ? 0 : 1;
}
