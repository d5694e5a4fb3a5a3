/* adj_life_store.c — the SQL of a claim's later life: its current decision and open appeal, and its rows. */
#include "adj_life.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pgstmt.h"

/* The claims' rows are locked already (adj_store_load_claims, FOR UPDATE): a concurrent worker cannot answer
 * or open an appeal of them meanwhile. Run only in batches with claim-life events, so not prepared.
 * "ORDER BY id + 0": the latest row of a claim through the claim_id index and a sort of its few rows. Ordered
 * by the bare primary key, the planner may walk that key backwards filtering by claim whenever its statistics
 * lag the table (a table filling during a run; measured in a 20,000-household wave's claims phase: 0.86-0.95
 * s, 3.7 ms through the index; tests/bench/results/2026-12-03-claims-set-based.md). */
static const char LOAD_SQL[] =
    "SELECT q.id, d.source_event_id, d.kind, array_to_string(d.reasons, ',') AS reasons, d.full_amount,"
    " (SELECT a.source_event_id FROM famins.claim_appeals a"
    "   WHERE a.claim_id = q.id AND a.refused_reason IS NULL"
    "     AND NOT EXISTS (SELECT 1 FROM famins.claim_appeal_reviews r WHERE r.appeal_id = a.appeal_id)"
    "   ORDER BY a.appeal_id + 0 DESC LIMIT 1) AS open_appeal"
    " FROM (SELECT DISTINCT unnest($1::text[]) AS id) q"
    " LEFT JOIN LATERAL (SELECT x.source_event_id, x.kind, x.reasons, x.full_amount FROM "
    "famins.claim_decisions x"
    "   WHERE x.claim_id = q.id ORDER BY x.decision_id + 0 DESC LIMIT 1) d ON true";

fm_status adj_life_store_load(PGconn *conn, adj_life_batch *lb, const char *const *claim_ids, size_t n,
                              fm_error *err)
{
    fm_pg_params p = {0};
    PGresult *res = NULL;
    if (n == 0)
        return FM_OK;
    fm_pg_p_text_array(&p, claim_ids, n);
    fm_status st = fm_pg_run(conn, LOAD_SQL, &p, &res, err);
    for (int r = 0; st == FM_OK && r < PQntuples(res); r++) {
        int created = 0;
        adj_life_claim *lc = fm_map_put(&lb->claims, fm_pg_col_str(res, r, "id"), sizeof *lc, &created);
        if (lc == NULL) {
            fm_error_set(err, "claims", FM_NO_MEMORY, "out of memory loading claim-life facts");
            st = FM_ENOMEM;
            break;
        }
        if (!created || fm_pg_col_null(res, r, "source_event_id"))
            continue;
        lc->known = true;
        snprintf(lc->decision_event, sizeof lc->decision_event, "%s",
                 fm_pg_col_str(res, r, "source_event_id"));
        snprintf(lc->decision_kind, sizeof lc->decision_kind, "%s", fm_pg_col_str(res, r, "kind"));
        snprintf(lc->open_appeal, sizeof lc->open_appeal, "%s", fm_pg_col_str(res, r, "open_appeal"));
        lc->decision_full = fm_pg_col_i64(res, r, "full_amount");
        char reasons[512];
        snprintf(reasons, sizeof reasons, "%s", fm_pg_col_str(res, r, "reasons"));
        for (char *save = NULL, *tok = strtok_r(reasons, ",", &save);
             tok && lc->n_reasons < FM_MAX_CLAIM_REASONS; tok = strtok_r(NULL, ",", &save))
            if (fm_reason_parse(tok, &lc->reasons[lc->n_reasons]))
                lc->n_reasons++;
    }
    PQclear(res);
    fm_pg_params_free(&p);
    return st;
}

static const char APPEALS_SQL[] =
    "INSERT INTO famins.claim_appeals (claim_id, source_event_id, reason, documents, original_decision_id,"
    " status_at_appeal, payable_at_appeal, refused_reason)"
    " SELECT q.cid, q.eid, q.reason, q.docs::text[], d.decision_id, q.sb, q.pb, q.ref"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],"
    "   $8::text[]) WITH ORDINALITY AS q(cid, eid, reason, docs, orig, sb, pb, ref, i)"
    " LEFT JOIN famins.claim_decisions d ON d.source_event_id = q.orig"
    " ORDER BY q.i";

static const char APPEAL_REVIEWS_SQL[] =
    "INSERT INTO famins.claim_appeal_reviews (claim_id, source_event_id, appeal_id, reviewer, action, amount,"
    " note, status_before, status_after, payable_before, payable_after, decision_id, ignored_reason)"
    " SELECT q.cid, q.eid, a.appeal_id, q.reviewer, q.action, q.amount, q.note, q.sb, q.sa, q.pb, q.pa,"
    "   d.decision_id, q.ign"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[],"
    "   $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::boolean[], $13::text[]) WITH ORDINALITY"
    "   AS q(cid, eid, aev, reviewer, action, amount, note, sb, sa, pb, pa, decided, ign, i)"
    " LEFT JOIN famins.claim_appeals a ON a.source_event_id = q.aev"
    " LEFT JOIN famins.claim_decisions d ON q.decided AND d.source_event_id = q.eid"
    " ORDER BY q.i";

static const char DOCUMENTS_SQL[] =
    "INSERT INTO famins.claim_documents_received (claim_id, source_event_id, documents, status_before, "
    "result,"
    " ignored_reason, decision_id)"
    " SELECT q.cid, q.eid, q.docs::text[], q.sb, q.result, q.ign, d.decision_id"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])"
    "   WITH ORDINALITY AS q(cid, eid, docs, sb, result, ign, decided, i)"
    " LEFT JOIN famins.claim_decisions d ON q.decided AND d.source_event_id = q.eid"
    " ORDER BY q.i";

static const char CLAIM_DOCUMENTS_SQL[] =
    "UPDATE famins.claims c SET documents = q.docs::text[]"
    " FROM unnest($1::text[], $2::text[]) AS q(id, docs) WHERE c.claim_id = q.id";

/* Column arrays of one table's rows. */
typedef struct cols {
    const char **t[10];
    int64_t *v[3];
    bool *has[3];
    bool *decided;
    size_t n;
} cols;

static void cols_free(cols *c)
{
    for (size_t k = 0; k < 10; k++)
        free(c->t[k]);
    for (size_t k = 0; k < 3; k++) {
        free(c->v[k]);
        free(c->has[k]);
    }
    free(c->decided);
}

static bool cols_alloc(cols *c, size_t n)
{
    bool ok = true;
    memset(c, 0, sizeof *c);
    for (size_t k = 0; k < 10; k++)
        ok = ok && (c->t[k] = calloc(n + 1, sizeof(char *))) != NULL;
    for (size_t k = 0; k < 3; k++)
        ok = ok && (c->v[k] = calloc(n + 1, sizeof(int64_t))) != NULL &&
             (c->has[k] = calloc(n + 1, sizeof(bool))) != NULL;
    return ok && (c->decided = calloc(n + 1, sizeof(bool))) != NULL;
}

static fm_status write_table(PGconn *conn, const adj_life_batch *lb, int table, fm_error *err)
{
    cols c;
    fm_pg_params p = {0};
    fm_status st = FM_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < lb->n_rows; i++)
        n += lb->rows[i].table == table;
    if (n == 0)
        return FM_OK;
    if (!cols_alloc(&c, n))
        goto done;
    for (size_t i = 0; i < lb->n_rows; i++) {
        const adj_life_row *r = &lb->rows[i];
        size_t j = c.n;
        if (r->table != table)
            continue;
        c.t[0][j] = r->claim_id;
        c.t[1][j] = r->event_id;
        c.t[2][j] = r->status_before;
        c.t[3][j] = r->status_after;
        c.t[4][j] = r->reason;
        c.t[5][j] = r->documents;
        c.t[6][j] = r->text;
        c.t[7][j] = r->other_event;
        c.t[8][j] = r->reviewer;
        c.t[9][j] = r->note;
        c.v[0][j] = r->payable_before;
        c.v[1][j] = r->payable_after;
        c.v[2][j] = r->amount;
        c.has[0][j] = c.has[1][j] = true;
        c.has[2][j] = r->has_amount;
        c.decided[j] = r->has_decision;
        c.n++;
    }
    const char **results = calloc(n + 1, sizeof *results);
    if (results == NULL)
        goto done;
    for (size_t i = 0, j = 0; i < lb->n_rows; i++)
        if (lb->rows[i].table == table)
            results[j++] = lb->rows[i].result;
    if (table == 1) {
        fm_pg_p_text_array(&p, c.t[0], n);
        fm_pg_p_text_array(&p, c.t[1], n);
        fm_pg_p_text_array(&p, c.t[6], n);
        fm_pg_p_text_array(&p, c.t[5], n);
        fm_pg_p_text_array_nulls(&p, c.t[7], n);
        fm_pg_p_text_array(&p, c.t[2], n);
        fm_pg_p_i64_array(&p, c.v[0], n);
        fm_pg_p_text_array_nulls(&p, c.t[4], n);
        st = fm_pg_run(conn, APPEALS_SQL, &p, NULL, err);
    } else if (table == 2) {
        fm_pg_p_text_array(&p, c.t[0], n);
        fm_pg_p_text_array(&p, c.t[1], n);
        fm_pg_p_text_array_nulls(&p, c.t[7], n);
        fm_pg_p_text_array(&p, c.t[8], n);
        fm_pg_p_text_array(&p, results, n);
        fm_pg_p_i64_array_nulls(&p, c.v[2], c.has[2], n);
        fm_pg_p_text_array_nulls(&p, c.t[9], n);
        fm_pg_p_text_array(&p, c.t[2], n);
        fm_pg_p_text_array(&p, c.t[3], n);
        fm_pg_p_i64_array(&p, c.v[0], n);
        fm_pg_p_i64_array(&p, c.v[1], n);
        fm_pg_p_bool_array(&p, c.decided, n);
        fm_pg_p_text_array_nulls(&p, c.t[4], n);
        st = fm_pg_run(conn, APPEAL_REVIEWS_SQL, &p, NULL, err);
    } else {
        fm_pg_p_text_array(&p, c.t[0], n);
        fm_pg_p_text_array(&p, c.t[1], n);
        fm_pg_p_text_array(&p, c.t[5], n);
        fm_pg_p_text_array(&p, c.t[2], n);
        fm_pg_p_text_array(&p, results, n);
        fm_pg_p_text_array_nulls(&p, c.t[4], n);
        fm_pg_p_bool_array(&p, c.decided, n);
        st = fm_pg_run(conn, DOCUMENTS_SQL, &p, NULL, err);
    }
    free(results);
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "write", FM_NO_MEMORY, "out of memory writing claim-life rows");
    cols_free(&c);
    fm_pg_params_free(&p);
    return st;
}

/* The claims whose documents changed, with their new lists. */
typedef struct doc_gather {
    const char **ids;
    char **docs;
    size_t n;
    bool failed;
} doc_gather;

static fm_status gather_docs(const char *key, void *value, void *ctx)
{
    adj_life_claim *lc = value;
    doc_gather *g = ctx;
    if (!lc->documents_dirty)
        return FM_OK;
    const char *names[FM_DOC_COUNT];
    size_t k = 0;
    for (int d = 0; d < FM_DOC_COUNT; d++)
        if (lc->documents & FM_DOC_BIT(d))
            names[k++] = fm_document_name((fm_document)d);
    g->ids[g->n] = key;
    g->docs[g->n] = fm_pg_text_array_literal(names, k);
    g->failed = g->failed || g->docs[g->n] == NULL;
    g->n++;
    return FM_OK;
}

static fm_status write_claim_documents(PGconn *conn, const adj_life_batch *lb, fm_error *err)
{
    size_t most = fm_map_count(&lb->claims);
    doc_gather g = {.ids = calloc(most + 1, sizeof(char *)), .docs = calloc(most + 1, sizeof(char *))};
    fm_pg_params p = {0};
    fm_status st = FM_ENOMEM;
    if (g.ids == NULL || g.docs == NULL)
        goto done;
    (void)fm_map_each(&lb->claims, gather_docs, &g);
    if (g.failed)
        goto done;
    st = FM_OK;
    if (g.n > 0) {
        fm_pg_p_text_array(&p, g.ids, g.n);
        fm_pg_p_text_array(&p, (const char *const *)g.docs, g.n);
        st = fm_pg_run(conn, CLAIM_DOCUMENTS_SQL, &p, NULL, err);
    }
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "write", FM_NO_MEMORY, "out of memory writing claim documents");
    for (size_t i = 0; g.docs != NULL && i < g.n; i++)
        free(g.docs[i]);
    free(g.ids);
    free(g.docs);
    fm_pg_params_free(&p);
    return st;
}

fm_status adj_life_write(PGconn *conn, adj_life_batch *lb, fm_error *err)
{
    if (lb->n_rows == 0)
        return FM_OK;
    /* Appeals first: an answer in the same batch names its appeal by event id. */
    fm_status st = write_table(conn, lb, 1, err);
    if (st == FM_OK)
        st = write_table(conn, lb, 2, err);
    if (st == FM_OK)
        st = write_table(conn, lb, 0, err);
    if (st == FM_OK)
        st = write_claim_documents(conn, lb, err);
    return st;
}
