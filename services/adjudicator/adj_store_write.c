/* adj_store_write.c — the adjudicator's writes: a batch's rows buffered for COPY, then written in one go. */
#include "adj_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_dates.h"
#include "fm_pgstmt.h"

static const char REVIEWS_SQL[] =
    "INSERT INTO famins.claim_reviews (claim_id, source_event_id, reviewer, action, amount, note, "
    "status_before,"
    " status_after, payable_after, decision_id, ignored_reason)"
    " SELECT q.cid, q.eid, q.reviewer, q.action, q.amount, q.note, q.sb, q.sa, q.pa, d.decision_id, q.ign"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], "
    "$8::text[],"
    "   $9::bigint[], $10::boolean[], $11::text[]) WITH ORDINALITY AS q(cid, eid, reviewer, action, amount, "
    "note,"
    "   sb, sa, pa, decided, ign, i)"
    /* LATERAL (... LIMIT 1) on the whole key: joined plainly, a plan made while claim_decisions was new
     * hashed all of it (adj_store_read.c, FACTS_SQL, says why). */
    " LEFT JOIN LATERAL (SELECT x.decision_id FROM famins.claim_decisions x"
    "   WHERE q.decided AND x.source_event_id = q.eid LIMIT 1) d ON true"
    " ORDER BY q.i";

static fm_status write_reviews(PGconn *conn, fm_pg_stmts *cache, const adj_batch *b, fm_error *err)
{
    size_t n = b->n_reviews;
    if (n == 0)
        return FM_OK;
    fm_pg_params p = {0};
    const char **t = calloc(7 * n, sizeof *t);
    int64_t *v = calloc(2 * n, sizeof *v);
    bool *has = calloc(2 * n, sizeof *has), *decided = calloc(n, sizeof *decided);
    const char **ign = calloc(n, sizeof *ign);
    fm_status st = FM_ENOMEM;
    if (t == NULL || v == NULL || has == NULL || decided == NULL || ign == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        const adj_review_row *r = &b->reviews[i];
        t[i] = r->claim_id;
        t[n + i] = r->event_id;
        t[2 * n + i] = r->reviewer;
        t[3 * n + i] = r->action;
        t[4 * n + i] = r->note;
        t[5 * n + i] = r->status_before;
        t[6 * n + i] = r->status_after;
        v[i] = r->amount;
        has[i] = r->has_amount;
        v[n + i] = r->payable_after;
        has[n + i] = true;
        decided[i] = r->has_decision;
    }
    for (size_t i = 0; i < n; i++)
        ign[i] = b->reviews[i].ignored_reason;
    fm_pg_p_text_array(&p, t, n);
    fm_pg_p_text_array(&p, t + n, n);
    fm_pg_p_text_array(&p, t + 2 * n, n);
    fm_pg_p_text_array(&p, t + 3 * n, n);
    fm_pg_p_i64_array_nulls(&p, v, has, n);
    fm_pg_p_text_array_nulls(&p, t + 4 * n, n);
    fm_pg_p_text_array(&p, t + 5 * n, n);
    fm_pg_p_text_array(&p, t + 6 * n, n);
    fm_pg_p_i64_array_nulls(&p, v + n, has + n, n);
    fm_pg_p_bool_array(&p, decided, n);
    fm_pg_p_text_array_nulls(&p, ign, n);
    st = fm_pg_run_prepared(conn, cache, ADJ_STMT_REVIEWS, REVIEWS_SQL, &p, NULL, err);
done:
    free(ign);
    free(t);
    free(v);
    free(has);
    free(decided);
    fm_pg_params_free(&p);
    return st;
}

/* Each claim found by its key (LATERAL ... LIMIT 1), then updated by its row id: joined on claim_id, a plan
 * made while claims was new scanned the whole table for every batch with a review (adj_store_read.c,
 * FACTS_SQL). The rows are this transaction's — locked by its read (FOR UPDATE) or inserted by its COPY —
 * so no one else moves them between the two. */
static const char UPDATE_CLAIMS_SQL[] =
    "UPDATE famins.claims c SET status = q.s, payable = q.p, decided_at = clock_timestamp()"
    " FROM (SELECT q.s, q.p, x.ctid AS t FROM unnest($1::text[], $2::text[], $3::bigint[]) AS q(id, s, p)"
    "   JOIN LATERAL (SELECT y.ctid FROM famins.claims y WHERE y.claim_id = q.id LIMIT 1) x ON true) q"
    " WHERE c.ctid = q.t";

/* Arrays of the changed claims, usage rows and households, gathered from the maps. */
typedef struct gather {
    const char **t1, **t2;
    int64_t *v; /* 8 per row */
    size_t n;
} gather;

static fm_status gather_claim(const char *key, void *value, void *ctx)
{
    adj_claim_fact *f = value;
    gather *g = ctx;
    if (f->status_dirty) {
        g->t1[g->n] = key;
        g->t2[g->n] = f->status;
        g->v[g->n] = f->payable;
        g->n++;
    }
    return FM_OK;
}

static const char PERSON_USAGE_SQL[] =
    "INSERT INTO famins.person_usage (plan_year, person_key, death_paid, disability_paid, ci_mild_paid,"
    " ci_severe_paid, accident_medical_deductible_used, accident_medical_paid, "
    "illness_hospital_deductible_used,"
    " illness_hospital_paid)"
    " SELECT * FROM unnest($1::integer[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],"
    "   $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])"
    " ON CONFLICT (plan_year, person_key) DO UPDATE SET death_paid = EXCLUDED.death_paid,"
    " disability_paid = EXCLUDED.disability_paid, ci_mild_paid = EXCLUDED.ci_mild_paid,"
    " ci_severe_paid = EXCLUDED.ci_severe_paid,"
    " accident_medical_deductible_used = EXCLUDED.accident_medical_deductible_used,"
    " accident_medical_paid = EXCLUDED.accident_medical_paid,"
    " illness_hospital_deductible_used = EXCLUDED.illness_hospital_deductible_used,"
    " illness_hospital_paid = EXCLUDED.illness_hospital_paid, updated_at = now()";

static fm_status gather_usage(const char *key, void *value, void *ctx)
{
    (void)key;
    adj_usage_fact *u = value;
    gather *g = ctx;
    if (u->dirty) {
        const fm_claim_usage *x = &u->usage;
        int64_t *v = g->v + 9 * g->n;
        g->t1[g->n] = u->person_key;
        v[0] = u->plan_year;
        v[1] = x->death_paid;
        v[2] = x->disability_paid;
        v[3] = x->ci_mild_paid;
        v[4] = x->ci_severe_paid;
        v[5] = x->deductible_used[FM_LIAB_ACCIDENT_MEDICAL];
        v[6] = x->medical_paid[FM_LIAB_ACCIDENT_MEDICAL];
        v[7] = x->deductible_used[FM_LIAB_ILLNESS_HOSPITAL];
        v[8] = x->medical_paid[FM_LIAB_ILLNESS_HOSPITAL];
        g->n++;
    }
    return FM_OK;
}

static const char HOUSEHOLD_USAGE_SQL[] =
    "INSERT INTO famins.household_usage (policy_number, accident_medical_paid, illness_hospital_paid)"
    " SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])"
    " ON CONFLICT (policy_number) DO UPDATE SET accident_medical_paid = EXCLUDED.accident_medical_paid,"
    " illness_hospital_paid = EXCLUDED.illness_hospital_paid, updated_at = now()";

static fm_status gather_household(const char *key, void *value, void *ctx)
{
    adj_household_fact *h = value;
    gather *g = ctx;
    if (h->dirty) {
        g->t1[g->n] = key;
        g->v[2 * g->n] = h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL];
        g->v[2 * g->n + 1] = h->medical_paid[FM_LIAB_ILLNESS_HOSPITAL];
        g->n++;
    }
    return FM_OK;
}

/* Column k of a gathered row-major int64 table (n rows of width w) as a bigint[] parameter. */
static void column(fm_pg_params *p, const int64_t *v, size_t n, size_t w, size_t k)
{
    int64_t *c = calloc(n + 1, sizeof *c);
    if (c == NULL) {
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        c[i] = v[i * w + k];
    fm_pg_p_i64_array(p, c, n);
    free(c);
}

static fm_status write_sets(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, fm_error *err)
{
    size_t most = b->claims.n > b->usage.n ? b->claims.n : b->usage.n;
    most = most > b->households.n ? most : b->households.n;
    gather g = {.t1 = calloc(most + 1, sizeof(char *)),
                .t2 = calloc(most + 1, sizeof(char *)),
                .v = calloc(9 * (most + 1), sizeof(int64_t))};
    fm_pg_params p = {0};
    fm_status st = FM_ENOMEM;
    if (g.t1 == NULL || g.t2 == NULL || g.v == NULL)
        goto done;
    (void)fm_map_each(&b->claims, gather_claim, &g);
    if (g.n > 0) {
        fm_pg_p_text_array(&p, g.t1, g.n);
        fm_pg_p_text_array(&p, g.t2, g.n);
        fm_pg_p_i64_array(&p, g.v, g.n);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_UPDATE_CLAIMS, UPDATE_CLAIMS_SQL, &p, NULL,
                                     err)) != FM_OK)
            goto done;
        fm_pg_params_free(&p);
    }
    g.n = 0;
    (void)fm_map_each(&b->usage, gather_usage, &g);
    if (g.n > 0) {
        column(&p, g.v, g.n, 9, 0);
        fm_pg_p_text_array(&p, g.t1, g.n);
        for (size_t k = 1; k < 9; k++)
            column(&p, g.v, g.n, 9, k);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_PERSON_USAGE, PERSON_USAGE_SQL, &p, NULL, err)) !=
            FM_OK)
            goto done;
        fm_pg_params_free(&p);
    }
    g.n = 0;
    (void)fm_map_each(&b->households, gather_household, &g);
    if (g.n > 0) {
        fm_pg_p_text_array(&p, g.t1, g.n);
        column(&p, g.v, g.n, 2, 0);
        column(&p, g.v, g.n, 2, 1);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_HOUSEHOLD, HOUSEHOLD_USAGE_SQL, &p, NULL, err)) !=
            FM_OK)
            goto done;
    }
    st = FM_OK;
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "write", FM_NO_MEMORY, "out of memory writing the batch");
    fm_pg_params_free(&p);
    free(g.t1);
    free(g.t2);
    free(g.v);
    return st;
}

fm_status adj_store_write(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, fm_error *err)
{
    fm_status st = fm_copybuf_send(
        conn,
        "COPY famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit,"
        " person_key, masked_id, role, liability, cause, incident_date, event_date, report_date,"
        " claimed_amount, critical_illness_code, documents, injury_grades, status, payable, receipt_at)"
        " FROM STDIN",
        &b->claim_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(
            conn,
            "COPY famins.claim_bills (claim_id, bill_index, invoice_code, invoice_number, amount,"
            " paid_by_social_insurance, paid_by_other_insurers, excluded_duplicate) FROM STDIN",
            &b->bill_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(
            conn, "COPY famins.invoices_claimed (invoice_code, invoice_number, first_claim_id) FROM STDIN",
            &b->invoice_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(
            conn,
            "COPY famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,"
            " reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic,"
            " source_partition, source_offset, event_at) FROM STDIN",
            &b->decision_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(
            conn,
            "COPY famins.fraud_signals (code, detail, claim_id, policy_number, plan_year, managing_unit,"
            " source_event_id) FROM STDIN",
            &b->signal_rows, err);
    if (st == FM_OK)
        st = write_reviews(conn, cache, b, err);
    if (st == FM_OK)
        st = write_sets(conn, cache, b, err);
    return st;
}

const char *adj_store_write_sql(adj_stmt id)
{
    switch (id) {
    case ADJ_STMT_REVIEWS: return REVIEWS_SQL;
    case ADJ_STMT_UPDATE_CLAIMS: return UPDATE_CLAIMS_SQL;
    case ADJ_STMT_PERSON_USAGE: return PERSON_USAGE_SQL;
    case ADJ_STMT_HOUSEHOLD: return HOUSEHOLD_USAGE_SQL;
    default: return NULL;
    }
}

/* ---- rows buffered for the COPYs, in the column order of adj_store_write ---- */

fm_status adj_store_buffer_claim(adj_batch *b, const fm_claim *c, const char *person_key,
                                 const char *masked_id, const adj_policy_fact *pol,
                                 const adj_person_fact *per, fm_fen claimed, const fm_claim_decision *d,
                                 const char *receipt_at)
{
    const char *docs[FM_DOC_COUNT];
    int64_t grades[FM_MAX_INJURIES];
    size_t n_docs = 0, n_inj = c->n_injuries < FM_MAX_INJURIES ? c->n_injuries : FM_MAX_INJURIES;
    for (int k = 0; k < FM_DOC_COUNT; k++)
        if (c->documents & FM_DOC_BIT(k))
            docs[n_docs++] = fm_document_name((fm_document)k);
    for (size_t i = 0; i < n_inj; i++)
        grades[i] = c->injuries[i].grade;
    bool found = pol->found;
    fm_copyrow r = fm_copyrow_start(&b->claim_rows);
    fm_copyrow_text(&r, c->claim_id);
    fm_copyrow_text(&r, c->event_id);
    fm_copyrow_text(&r, c->policy_number);
    if (found)
        fm_copyrow_int(&r, pol->plan_year);
    else
        fm_copyrow_null(&r);
    fm_copyrow_text(&r, found ? pol->managing_unit : NULL);
    fm_copyrow_text(&r, person_key);
    fm_copyrow_text(&r, masked_id);
    fm_copyrow_text(&r, found && per != NULL && per->found ? fm_role_name(per->role) : NULL);
    fm_copyrow_text(&r, fm_liability_name(c->liability));
    fm_copyrow_text(&r, fm_cause_name(c->cause));
    fm_copyrow_date(&r, c->incident_date);
    if (c->has_event_date)
        fm_copyrow_date(&r, c->event_date);
    else
        fm_copyrow_null(&r);
    fm_copyrow_date(&r, c->report_date);
    fm_copyrow_int(&r, claimed);
    fm_copyrow_text(&r, c->critical_illness_code);
    fm_copyrow_owned(&r, fm_pg_text_array_literal(docs, n_docs));
    fm_copyrow_owned(&r, fm_pg_i64_array_literal(grades, NULL, n_inj));
    fm_copyrow_text(&r, fm_claim_outcome_name(d->outcome));
    fm_copyrow_int(&r, d->payable);
    fm_copyrow_text(&r, receipt_at); /* migration 068 */
    if (fm_copyrow_end(&r) != FM_OK)
        return r.st;
    size_t n = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < n; i++) {
        const fm_bill *x = &c->bills[i];
        fm_copyrow br = fm_copyrow_start(&b->bill_rows);
        fm_copyrow_text(&br, c->claim_id);
        fm_copyrow_int(&br, (int64_t)i);
        fm_copyrow_text(&br, x->invoice_code);
        fm_copyrow_text(&br, x->invoice_number);
        fm_copyrow_int(&br, x->amount);
        fm_copyrow_int(&br, x->paid_by_social_insurance);
        fm_copyrow_int(&br, x->paid_by_other_insurers);
        fm_copyrow_text(&br, d->bill_excluded[i] ? "t" : "f");
        if (fm_copyrow_end(&br) != FM_OK)
            return br.st;
    }
    return FM_OK;
}

fm_status adj_store_buffer_invoice(adj_batch *b, const char *code, const char *number, const char *claim_id)
{
    fm_copyrow r = fm_copyrow_start(&b->invoice_rows);
    fm_copyrow_text(&r, code);
    fm_copyrow_text(&r, number);
    fm_copyrow_text(&r, claim_id);
    return fm_copyrow_end(&r);
}

fm_status adj_store_buffer_decision(adj_batch *b, const char *claim_id, const char *source_event_id,
                                    const char *kind, const fm_claim_decision *d, const char *parameters_json,
                                    const char *en, const char *zh, const adj_source *src)
{
    const char *reasons[FM_MAX_CLAIM_REASONS];
    size_t n_reasons = d->n_reasons < FM_MAX_CLAIM_REASONS ? d->n_reasons : FM_MAX_CLAIM_REASONS;
    for (size_t i = 0; i < n_reasons; i++)
        reasons[i] = fm_reason_id(d->reasons[i]);
    fm_copyrow r = fm_copyrow_start(&b->decision_rows);
    fm_copyrow_text(&r, claim_id);
    fm_copyrow_text(&r, source_event_id);
    fm_copyrow_text(&r, kind);
    fm_copyrow_text(&r, fm_claim_outcome_name(d->outcome));
    fm_copyrow_int(&r, d->payable);
    fm_copyrow_int(&r, d->full);
    fm_copyrow_owned(&r, fm_pg_text_array_literal(reasons, n_reasons));
    fm_copyrow_text(&r, parameters_json);
    fm_copyrow_text(&r, d->plan_version);
    fm_copyrow_text(&r, en);
    fm_copyrow_text(&r, zh);
    fm_copyrow_text(&r, src->topic);
    fm_copyrow_int(&r, src->partition);
    fm_copyrow_int(&r, src->offset);
    fm_copyrow_text(&r, src->occurred_at); /* migration 068 */
    return fm_copyrow_end(&r);
}

fm_status adj_store_buffer_signals(adj_batch *b, const adj_signals *sig, const char *claim_id,
                                   const char *policy_number, const adj_policy_fact *pol,
                                   const char *source_event_id)
{
    for (size_t i = 0; i < sig->n; i++) {
        fm_copyrow r = fm_copyrow_start(&b->signal_rows);
        fm_copyrow_text(&r, sig->items[i].code);
        fm_copyrow_text(&r, sig->items[i].detail);
        fm_copyrow_text(&r, claim_id);
        fm_copyrow_text(&r, policy_number);
        if (pol->found)
            fm_copyrow_int(&r, pol->plan_year);
        else
            fm_copyrow_null(&r);
        fm_copyrow_text(&r, pol->found ? pol->managing_unit : NULL);
        fm_copyrow_text(&r, source_event_id);
        if (fm_copyrow_end(&r) != FM_OK)
            return r.st;
    }
    return FM_OK;
}
