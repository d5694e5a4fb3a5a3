/* adj_store.c — the adjudicator's SQL: a batch's reads (a few statements per batch) and its writes (COPY). */
#include "adj_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pgstmt.h"
#include "fm_dates.h"

/* ---- reads ---- */

static const char LOAD_CLAIMS_SQL[] =
    "SELECT c.claim_id, c.source_event_id, c.policy_number, c.person_key, c.liability, c.cause, c.status, c.payable,"
    " (c.incident_date - DATE '1970-01-01') AS incident_date, (c.event_date - DATE '1970-01-01') AS event_date,"
    " (c.report_date - DATE '1970-01-01') AS report_date, c.critical_illness_code,"
    " array_to_string(c.documents, ',') AS documents, array_to_string(c.injury_grades, ',') AS injury_grades"
    " FROM famins.claims c WHERE c.claim_id IN (SELECT DISTINCT unnest($1::text[]))"
    " ORDER BY c.claim_id FOR UPDATE OF c";
/* LATERAL with its own ORDER BY: not pulled up, so an index scan per claim (joined plainly, the generic plan
 * hashed a scan of the whole claim_bills table). */
static const char LOAD_BILLS_SQL[] =
    "SELECT q.id AS claim_id, b.invoice_code, b.invoice_number, b.amount, b.paid_by_social_insurance,"
    " b.paid_by_other_insurers FROM (SELECT DISTINCT unnest($1::text[]) AS id) q"
    " JOIN LATERAL (SELECT x.* FROM famins.claim_bills x WHERE x.claim_id = q.id ORDER BY x.bill_index) b ON true"
    " ORDER BY q.id, b.bill_index";

static char *dup_or_fail(const char *s, bool *failed)
{
    char *d = strdup(s);
    *failed = *failed || d == NULL;
    return d;
}

/* Row r of LOAD_CLAIMS_SQL into out (bills come later). */
static fm_status parse_claim(const PGresult *res, int r, adj_stored_claim *out, fm_error *err)
{
    bool failed = false;
    fm_claim *c = &out->claim;
    memset(out, 0, sizeof *out);
    c->claim_id = dup_or_fail(fm_pg_col_str(res, r, "claim_id"), &failed);
    c->event_id = dup_or_fail(fm_pg_col_str(res, r, "source_event_id"), &failed);
    c->policy_number = dup_or_fail(fm_pg_col_str(res, r, "policy_number"), &failed);
    c->insured_id_number = dup_or_fail("", &failed);
    snprintf(out->person_key, sizeof out->person_key, "%s", fm_pg_col_str(res, r, "person_key"));
    if (!fm_liability_parse(fm_pg_col_str(res, r, "liability"), &c->liability) ||
        !fm_cause_parse(fm_pg_col_str(res, r, "cause"), &c->cause)) {
        fm_error_set(err, "claims", "DB_SCHEMA", "unknown liability or cause in claims");
        fm_claim_free(c);
        return FM_ECONFIG;
    }
    c->incident_date = (fm_date)fm_pg_col_i64(res, r, "incident_date");
    c->has_event_date = !fm_pg_col_null(res, r, "event_date");
    c->event_date = (fm_date)fm_pg_col_i64(res, r, "event_date");
    c->report_date = (fm_date)fm_pg_col_i64(res, r, "report_date");
    if (!fm_pg_col_null(res, r, "critical_illness_code"))
        c->critical_illness_code = dup_or_fail(fm_pg_col_str(res, r, "critical_illness_code"), &failed);
    char docs[512];
    snprintf(docs, sizeof docs, "%s", fm_pg_col_str(res, r, "documents"));
    for (char *save = NULL, *tok = strtok_r(docs, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        fm_document d;
        if (fm_document_parse(tok, &d))
            c->documents |= FM_DOC_BIT(d);
    }
    const char *g = fm_pg_col_str(res, r, "injury_grades");
    size_t n_inj = *g ? 1 : 0;
    for (const char *q = g; *q; q++)
        n_inj += *q == ',';
    if (n_inj > 0) {
        c->injuries = calloc(n_inj, sizeof *c->injuries);
        failed = failed || c->injuries == NULL;
        for (size_t i = 0; c->injuries && i < n_inj; i++) {
            char *end;
            c->injuries[i].grade = strtoll(g, &end, 10);
            c->injuries[i].description = dup_or_fail("", &failed);
            g = *end == ',' ? end + 1 : end;
            c->n_injuries = i + 1;
        }
    }
    if (failed) {
        fm_claim_free(c);
        return FM_ENOMEM;
    }
    return FM_OK;
}

/* Rows [from, to) of LOAD_BILLS_SQL, all of one claim, into c. */
static fm_status parse_bills(const PGresult *res, int from, int to, fm_claim *c)
{
    bool failed = false;
    if ((c->bills = calloc((size_t)(to - from), sizeof *c->bills)) == NULL)
        return FM_ENOMEM;
    for (int i = from; i < to; i++) {
        fm_bill *b = &c->bills[i - from];
        b->invoice_code = dup_or_fail(fm_pg_col_str(res, i, "invoice_code"), &failed);
        b->invoice_number = dup_or_fail(fm_pg_col_str(res, i, "invoice_number"), &failed);
        b->amount = fm_pg_col_i64(res, i, "amount");
        b->paid_by_social_insurance = fm_pg_col_i64(res, i, "paid_by_social_insurance");
        b->paid_by_other_insurers = fm_pg_col_i64(res, i, "paid_by_other_insurers");
        c->n_bills = (size_t)(i - from) + 1;
    }
    return failed ? FM_ENOMEM : FM_OK;
}

fm_status adj_store_load_claims(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const char *const *claim_ids,
                                size_t n, fm_error *err)
{
    fm_pg_params p = {0};
    PGresult *res = NULL, *bills = NULL;
    adj_stored_claim sc = {0};
    if (n == 0)
        return FM_OK;
    fm_pg_p_text_array(&p, claim_ids, n);
    fm_status st = fm_pg_run_prepared(conn, cache, ADJ_STMT_LOAD_CLAIMS, LOAD_CLAIMS_SQL, &p, &res, err);
    if (st != FM_OK || PQntuples(res) == 0)
        goto done;
    if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_LOAD_BILLS, LOAD_BILLS_SQL, &p, &bills, err)) != FM_OK)
        goto done;
    for (int r = 0, nb = PQntuples(bills), bi = 0; r < PQntuples(res); r++) {
        if ((st = parse_claim(res, r, &sc, err)) != FM_OK)
            goto done;
        /* Both results are ordered by claim id (the same collation): the bills of claim r come next. */
        int from = bi;
        while (bi < nb && strcmp(fm_pg_col_str(bills, bi, "claim_id"), sc.claim.claim_id) == 0)
            bi++;
        if (bi > from && (st = parse_bills(bills, from, bi, &sc.claim)) != FM_OK)
            goto done;
        int created = 0;
        adj_claim_fact *f = adj_map_put(&b->claims, sc.claim.claim_id, sizeof *f, &created);
        if (f == NULL) {
            st = FM_ENOMEM;
            goto done;
        }
        if (!created) {
            fm_claim_free(&sc.claim);
            continue;
        }
        f->recorded = true;
        snprintf(f->status, sizeof f->status, "%s", fm_pg_col_str(res, r, "status"));
        f->payable = fm_pg_col_i64(res, r, "payable");
        if ((st = adj_batch_add_stored(b, &sc, &f->stored)) != FM_OK)
            goto done;
    }
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "claims", "ENOMEM", "out of memory loading claims");
    fm_claim_free(&sc.claim);
    PQclear(res);
    PQclear(bills);
    fm_pg_params_free(&p);
    return st;
}

static const char FACTS_SQL[] =
    "SELECT q.i, p.plan_year, p.managing_unit,"
    "  (p.coverage_start - DATE '1970-01-01') AS coverage_start,"
    "  (p.coverage_end - DATE '1970-01-01') AS coverage_end,"
    "  ip.role,"
    "  (ip.renewal OR EXISTS (SELECT 1 FROM famins.insured_persons pr"
    "                         WHERE pr.plan_year = p.plan_year - 1 AND pr.person_key = ANY (k.ks))) AS renewal,"
    "  EXISTS (SELECT 1 FROM famins.person_usage d WHERE d.person_key = ANY (k.ks) AND d.death_paid > 0)"
    "    AS deceased,"
    "  u.death_paid, u.disability_paid, u.ci_mild_paid, u.ci_severe_paid,"
    "  u.accident_medical_deductible_used, u.accident_medical_paid,"
    "  u.illness_hospital_deductible_used, u.illness_hospital_paid,"
    "  h.accident_medical_paid AS hh_accident_medical_paid, h.illness_hospital_paid AS hh_illness_hospital_paid,"
    "  EXISTS (SELECT 1 FROM famins.claims c WHERE c.claim_id = q.cid) AS claim_exists,"
    "  EXISTS (SELECT 1 FROM famins.claims c WHERE c.source_event_id = q.eid) AS event_seen,"
    "  e.pk AS person_key,"
    /* The batch's invoice locks, in one sorted order (an uncorrelated subquery: run once, before the first row
     * is returned). What this statement reads does not depend on them; the invoice read does, and comes next. */
    "  (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT"
    "     hashtextextended(t.c || chr(31) || t.n, 6128) AS k FROM unnest($5::text[], $6::text[]) AS t(c, n)"
    "     ORDER BY k) s1) s2) AS locked"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS q(pol, pks, cid, eid, i)"
    /* The person's keys under every key of the keyring, current first (adj_fact_item.person_keys). */
    " CROSS JOIN LATERAL (SELECT string_to_array(q.pks, ',') AS ks) k"
    " LEFT JOIN famins.policies p ON p.policy_number = q.pol"
    /* LATERAL ... LIMIT 1 (each finds at most one row by its primary key anyway): the subquery cannot be pulled
     * up, so each lookup is an index scan on the whole key. Joined plainly, the prepared statement's generic
     * plan, made while the tables were small, scanned person_usage by plan_year alone and filtered by person:
     * 1 ms per claim once the table had grown. */
    " LEFT JOIN LATERAL (SELECT x.role, x.renewal, x.person_key FROM famins.insured_persons x"
    "   WHERE x.policy_number = p.policy_number AND x.person_key = ANY (k.ks)"
    "   ORDER BY array_position(k.ks, x.person_key) LIMIT 1) ip ON true"
    /* The key the person is stored under in the policy (a previous key for a person keyed before a
     * rotation), else the current key: the person's usage and claims stay on that one key. */
    " CROSS JOIN LATERAL (SELECT COALESCE(ip.person_key, k.ks[1]) AS pk) e"
    " LEFT JOIN LATERAL (SELECT x.* FROM famins.person_usage x"
    "   WHERE x.plan_year = p.plan_year AND x.person_key = e.pk LIMIT 1) u ON true"
    " LEFT JOIN LATERAL (SELECT x.accident_medical_paid, x.illness_hospital_paid FROM famins.household_usage x"
    "   WHERE x.policy_number = p.policy_number LIMIT 1) h ON true";

/* Column numbers of FACTS_SQL, looked up once per result. */
enum { F_I, F_YEAR, F_UNIT, F_START, F_END, F_ROLE, F_RENEWAL, F_DECEASED, F_DEATH, F_DISAB, F_CI_MILD, F_CI_SEVERE,
       F_AM_DED, F_AM_PAID, F_IH_DED, F_IH_PAID, F_HH_AM, F_HH_IH, F_CLAIM_EXISTS, F_EVENT_SEEN, F_PK, F_COUNT };

static int64_t i64_at(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? 0 : strtoll(PQgetvalue(res, r, c), NULL, 10);
}

static bool bool_at(const PGresult *res, int r, int c)
{
    return !PQgetisnull(res, r, c) && PQgetvalue(res, r, c)[0] == 't';
}

/* Row r of FACTS_SQL for item it into b's maps. The person's entries go under the key they are stored
 * under (F_PK): adj_decide_claim finds it among the person's keys in b->persons. */
static fm_status take_facts(adj_batch *b, const adj_fact_item *it, const PGresult *res, int r, fm_error *err)
{
    char key[256];
    int created = 0;
    const char *person_key = PQgetvalue(res, r, F_PK);
    adj_policy_fact *pol = adj_map_put(&b->policies, it->policy_number, sizeof *pol, &created);
    if (pol == NULL)
        return FM_ENOMEM;
    if (created && (pol->found = !PQgetisnull(res, r, F_YEAR))) {
        pol->plan_year = (int)i64_at(res, r, F_YEAR);
        snprintf(pol->managing_unit, sizeof pol->managing_unit, "%s", PQgetvalue(res, r, F_UNIT));
        pol->coverage_start = (fm_date)i64_at(res, r, F_START);
        pol->coverage_end = (fm_date)i64_at(res, r, F_END);
    }
    if (pol->found) {
        adj_person_fact *per =
            adj_map_put(&b->persons, adj_map_key2(key, sizeof key, it->policy_number, person_key), sizeof *per,
                        &created);
        if (per == NULL)
            return FM_ENOMEM;
        if (created && (per->found = !PQgetisnull(res, r, F_ROLE))) {
            if (!fm_role_parse(PQgetvalue(res, r, F_ROLE), &per->role)) {
                fm_error_set(err, "role", "DB_SCHEMA", "unknown role in insured_persons");
                return FM_ECONFIG;
            }
            per->renewal = bool_at(res, r, F_RENEWAL);
        }
        adj_usage_fact *u =
            adj_map_put(&b->usage, adj_usage_key(key, sizeof key, pol->plan_year, person_key), sizeof *u, &created);
        if (u == NULL)
            return FM_ENOMEM;
        if (created) {
            u->plan_year = pol->plan_year;
            snprintf(u->person_key, sizeof u->person_key, "%s", person_key);
            u->usage.death_paid = i64_at(res, r, F_DEATH);
            u->usage.disability_paid = i64_at(res, r, F_DISAB);
            u->usage.ci_mild_paid = i64_at(res, r, F_CI_MILD);
            u->usage.ci_severe_paid = i64_at(res, r, F_CI_SEVERE);
            u->usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = i64_at(res, r, F_AM_DED);
            u->usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = i64_at(res, r, F_AM_PAID);
            u->usage.deductible_used[FM_LIAB_ILLNESS_HOSPITAL] = i64_at(res, r, F_IH_DED);
            u->usage.medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = i64_at(res, r, F_IH_PAID);
        }
        adj_household_fact *h = adj_map_put(&b->households, it->policy_number, sizeof *h, &created);
        if (h == NULL)
            return FM_ENOMEM;
        if (created) {
            h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = i64_at(res, r, F_HH_AM);
            h->medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = i64_at(res, r, F_HH_IH);
        }
    }
    if (bool_at(res, r, F_DECEASED) && adj_map_put(&b->deceased, person_key, 1, NULL) == NULL)
        return FM_ENOMEM;
    if (it->claim_id != NULL) {
        adj_claim_fact *c = adj_map_put(&b->claims, it->claim_id, sizeof *c, &created);
        if (c == NULL)
            return FM_ENOMEM;
        if (created)
            c->stored = -1;
        /* Entries made before (a claim reviewed in the batch) keep what they know; all facts are read
         * before the first decision, so "recorded" here is the database's. */
        if (bool_at(res, r, F_CLAIM_EXISTS))
            c->recorded = true;
    }
    if (it->event_id != NULL && bool_at(res, r, F_EVENT_SEEN)) {
        /* Marked as the database's: the event was recorded by a commit after the deduplication read. */
        char *seen = adj_map_put(&b->events, it->event_id, 1, NULL);
        if (seen == NULL)
            return FM_ENOMEM;
        *seen = ADJ_EVENT_IN_DATABASE;
    }
    return FM_OK;
}

fm_status adj_store_load_facts(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const adj_fact_item *items,
                               size_t n, const char *const *lock_codes, const char *const *lock_numbers,
                               size_t n_locks, fm_error *err)
{
    static const char *const names[F_COUNT] = {
        "i", "plan_year", "managing_unit", "coverage_start", "coverage_end", "role", "renewal", "deceased",
        "death_paid", "disability_paid", "ci_mild_paid", "ci_severe_paid", "accident_medical_deductible_used",
        "accident_medical_paid", "illness_hospital_deductible_used", "illness_hospital_paid",
        "hh_accident_medical_paid", "hh_illness_hospital_paid", "claim_exists", "event_seen", "person_key"};
    fm_pg_params p = {0};
    PGresult *res = NULL;
    fm_status st = FM_OK;
    if (n == 0)
        return FM_OK;
    const char **cols = calloc(4 * n, sizeof *cols);
    if (cols == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        cols[i] = items[i].policy_number;
        cols[n + i] = items[i].person_keys;
        cols[2 * n + i] = items[i].claim_id;
        cols[3 * n + i] = items[i].event_id;
    }
    /* NULL items become "" in the literal: an empty claim id or event id is never recorded (the decoder
     * requires both), so "" finds nothing, as NULL would. */
    for (int k = 0; k < 4; k++)
        fm_pg_p_text_array(&p, cols + (size_t)k * n, n);
    fm_pg_p_text_array(&p, lock_codes, n_locks);
    fm_pg_p_text_array(&p, lock_numbers, n_locks);
    free(cols);
    if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_FACTS, FACTS_SQL, &p, &res, err)) != FM_OK)
        goto done;
    int col[F_COUNT];
    for (int k = 0; k < F_COUNT; k++)
        if ((col[k] = PQfnumber(res, names[k])) != k) {
            fm_error_set(err, "facts", "DB_SCHEMA", "unexpected column order in the facts query");
            st = FM_ECONFIG;
            goto done;
        }
    for (int r = 0; r < PQntuples(res); r++) {
        int64_t i = i64_at(res, r, F_I);
        if (i < 1 || (size_t)i > n)
            continue;
        if ((st = take_facts(b, &items[i - 1], res, r, err)) != FM_OK)
            goto done;
    }
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "facts", "ENOMEM", "out of memory loading facts");
    PQclear(res);
    fm_pg_params_free(&p);
    return st;
}

static const char INVOICES_SQL[] =
    "SELECT DISTINCT ic.invoice_code, ic.invoice_number, ic.first_claim_id"
    " FROM unnest($1::text[], $2::text[]) AS t(c, n)"
    " JOIN famins.invoices_claimed ic ON ic.invoice_code = t.c AND ic.invoice_number = t.n";

fm_status adj_store_load_invoices(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const char *const *codes,
                                  const char *const *numbers, size_t n, fm_error *err)
{
    fm_pg_params p = {0};
    PGresult *res = NULL;
    if (n == 0)
        return FM_OK;
    fm_pg_p_text_array(&p, codes, n);
    fm_pg_p_text_array(&p, numbers, n);
    fm_status st = fm_pg_run_prepared(conn, cache, ADJ_STMT_INVOICES, INVOICES_SQL, &p, &res, err);
    for (int r = 0; st == FM_OK && r < PQntuples(res); r++) {
        const char *first = PQgetvalue(res, r, 2);
        int created = 0;
        char *v = adj_map_put2(&b->invoices, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), strlen(first) + 1,
                               &created);
        if (v == NULL) {
            fm_error_set(err, "invoices", "ENOMEM", "out of memory loading invoices");
            st = FM_ENOMEM;
        } else if (created) {
            memcpy(v, first, strlen(first) + 1);
        }
    }
    PQclear(res);
    fm_pg_params_free(&p);
    return st;
}

/* ---- writes ---- */

static const char REVIEWS_SQL[] =
    "INSERT INTO famins.claim_reviews (claim_id, source_event_id, reviewer, action, amount, note, status_before,"
    " status_after, payable_after, decision_id, ignored_reason)"
    " SELECT q.cid, q.eid, q.reviewer, q.action, q.amount, q.note, q.sb, q.sa, q.pa, d.decision_id, q.ign"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],"
    "   $9::bigint[], $10::boolean[], $11::text[]) WITH ORDINALITY AS q(cid, eid, reviewer, action, amount, note,"
    "   sb, sa, pa, decided, ign, i)"
    " LEFT JOIN famins.claim_decisions d ON q.decided AND d.source_event_id = q.eid"
    " ORDER BY q.i";

/* text[] / bigint[] literals with NULL elements: items NULL (or has[i] false) become NULL. */
static char *nullable_text_array(const char *const *items, size_t n)
{
    fm_copybuf a = {0};
    fm_status st = fm_copybuf_append(&a, "{", 1);
    for (size_t i = 0; st == FM_OK && i < n; i++) {
        if (i > 0)
            st = fm_copybuf_append(&a, ",", 1);
        if (st != FM_OK)
            break;
        if (items[i] == NULL) {
            st = fm_copybuf_append(&a, "NULL", 4);
            continue;
        }
        char *one = fm_pg_text_array_literal(&items[i], 1); /* {"..."} */
        if (one == NULL) {
            st = FM_ENOMEM;
            break;
        }
        st = fm_copybuf_append(&a, one + 1, strlen(one) - 2);
        free(one);
    }
    if (st == FM_OK)
        st = fm_copybuf_append(&a, "}", 2); /* with the NUL */
    if (st != FM_OK) {
        fm_copybuf_free(&a);
        return NULL;
    }
    return a.data;
}

static char *nullable_i64_array(const int64_t *v, const bool *has, size_t n)
{
    fm_copybuf a = {0};
    char num[24];
    fm_status st = fm_copybuf_append(&a, "{", 1);
    for (size_t i = 0; st == FM_OK && i < n; i++) {
        int len = has[i] ? snprintf(num, sizeof num, "%s%lld", i ? "," : "", (long long)v[i])
                         : snprintf(num, sizeof num, "%sNULL", i ? "," : "");
        st = fm_copybuf_append(&a, num, (size_t)len);
    }
    if (st == FM_OK)
        st = fm_copybuf_append(&a, "}", 2);
    if (st != FM_OK) {
        fm_copybuf_free(&a);
        return NULL;
    }
    return a.data;
}

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
    fm_pg_p_own(&p, nullable_i64_array(v, has, n));
    fm_pg_p_own(&p, nullable_text_array(t + 4 * n, n));
    fm_pg_p_text_array(&p, t + 5 * n, n);
    fm_pg_p_text_array(&p, t + 6 * n, n);
    fm_pg_p_own(&p, nullable_i64_array(v + n, has + n, n));
    fm_pg_p_bool_array(&p, decided, n);
    fm_pg_p_own(&p, nullable_text_array(ign, n));
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

static const char UPDATE_CLAIMS_SQL[] =
    "UPDATE famins.claims c SET status = q.s, payable = q.p, decided_at = clock_timestamp()"
    " FROM unnest($1::text[], $2::text[], $3::bigint[]) AS q(id, s, p) WHERE c.claim_id = q.id";

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
    " ci_severe_paid, accident_medical_deductible_used, accident_medical_paid, illness_hospital_deductible_used,"
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
    gather g = {.t1 = calloc(most + 1, sizeof(char *)), .t2 = calloc(most + 1, sizeof(char *)),
                .v = calloc(9 * (most + 1), sizeof(int64_t))};
    fm_pg_params p = {0};
    fm_status st = FM_ENOMEM;
    if (g.t1 == NULL || g.t2 == NULL || g.v == NULL)
        goto done;
    (void)adj_map_each(&b->claims, gather_claim, &g);
    if (g.n > 0) {
        fm_pg_p_text_array(&p, g.t1, g.n);
        fm_pg_p_text_array(&p, g.t2, g.n);
        fm_pg_p_i64_array(&p, g.v, g.n);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_UPDATE_CLAIMS, UPDATE_CLAIMS_SQL, &p, NULL, err)) != FM_OK)
            goto done;
        fm_pg_params_free(&p);
    }
    g.n = 0;
    (void)adj_map_each(&b->usage, gather_usage, &g);
    if (g.n > 0) {
        column(&p, g.v, g.n, 9, 0);
        fm_pg_p_text_array(&p, g.t1, g.n);
        for (size_t k = 1; k < 9; k++)
            column(&p, g.v, g.n, 9, k);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_PERSON_USAGE, PERSON_USAGE_SQL, &p, NULL, err)) != FM_OK)
            goto done;
        fm_pg_params_free(&p);
    }
    g.n = 0;
    (void)adj_map_each(&b->households, gather_household, &g);
    if (g.n > 0) {
        fm_pg_p_text_array(&p, g.t1, g.n);
        column(&p, g.v, g.n, 2, 0);
        column(&p, g.v, g.n, 2, 1);
        if ((st = fm_pg_run_prepared(conn, cache, ADJ_STMT_HOUSEHOLD, HOUSEHOLD_USAGE_SQL, &p, NULL, err)) != FM_OK)
            goto done;
    }
    st = FM_OK;
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "write", "ENOMEM", "out of memory writing the batch");
    fm_pg_params_free(&p);
    free(g.t1);
    free(g.t2);
    free(g.v);
    return st;
}

fm_status adj_store_write(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, fm_error *err)
{
    fm_status st = fm_copybuf_send(conn,
                             "COPY famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit,"
                             " person_key, masked_id, role, liability, cause, incident_date, event_date, report_date,"
                             " claimed_amount, critical_illness_code, documents, injury_grades, status, payable)"
                             " FROM STDIN",
                             &b->claim_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(conn,
                       "COPY famins.claim_bills (claim_id, bill_index, invoice_code, invoice_number, amount,"
                       " paid_by_social_insurance, paid_by_other_insurers, excluded_duplicate) FROM STDIN",
                       &b->bill_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(conn, "COPY famins.invoices_claimed (invoice_code, invoice_number, first_claim_id) FROM STDIN",
                       &b->invoice_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(conn,
                       "COPY famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,"
                       " reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic,"
                       " source_partition, source_offset) FROM STDIN",
                       &b->decision_rows, err);
    if (st == FM_OK)
        st = fm_copybuf_send(conn,
                       "COPY famins.fraud_signals (code, detail, claim_id, policy_number, plan_year, managing_unit,"
                       " source_event_id) FROM STDIN",
                       &b->signal_rows, err);
    if (st == FM_OK)
        st = write_reviews(conn, cache, b, err);
    if (st == FM_OK)
        st = write_sets(conn, cache, b, err);
    return st;
}

/* ---- rows buffered for the COPYs, in the column order of adj_store_write ---- */

/* A row being built: fields appended in order, the first status that is not FM_OK kept. */
typedef struct row {
    fm_copybuf *buf;
    int first;
    fm_status st;
} row;

static void r_text(row *r, const char *s)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_text_field(r->buf, r->first, s);
    r->first = 0;
}

static void r_int(row *r, int64_t v)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_int_field(r->buf, r->first, v);
    r->first = 0;
}

static void r_date(row *r, fm_date d)
{
    char s[FM_DATE_TEXT_LEN];
    if (r->st == FM_OK && fm_date_format(d, s, sizeof s) != FM_OK)
        r->st = FM_EINVAL;
    r_text(r, r->st == FM_OK ? s : NULL);
}

/* A literal ({...}) as one field; lit NULL (allocation failed) fails the row. */
static void r_owned(row *r, char *lit)
{
    if (lit == NULL && r->st == FM_OK)
        r->st = FM_ENOMEM;
    r_text(r, lit);
    free(lit);
}

static fm_status r_end(row *r)
{
    if (r->st == FM_OK)
        r->st = fm_copybuf_end_row(r->buf);
    return r->st;
}

fm_status adj_store_buffer_claim(adj_batch *b, const fm_claim *c, const char *person_key, const char *masked_id,
                                 const adj_policy_fact *pol, const adj_person_fact *per, fm_fen claimed,
                                 const fm_claim_decision *d)
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
    row r = {.buf = &b->claim_rows, .first = 1};
    r_text(&r, c->claim_id);
    r_text(&r, c->event_id);
    r_text(&r, c->policy_number);
    if (found)
        r_int(&r, pol->plan_year);
    else
        r_text(&r, NULL);
    r_text(&r, found ? pol->managing_unit : NULL);
    r_text(&r, person_key);
    r_text(&r, masked_id);
    r_text(&r, found && per != NULL && per->found ? fm_role_name(per->role) : NULL);
    r_text(&r, fm_liability_name(c->liability));
    r_text(&r, fm_cause_name(c->cause));
    r_date(&r, c->incident_date);
    if (c->has_event_date)
        r_date(&r, c->event_date);
    else
        r_text(&r, NULL);
    r_date(&r, c->report_date);
    r_int(&r, claimed);
    r_text(&r, c->critical_illness_code);
    r_owned(&r, fm_pg_text_array_literal(docs, n_docs));
    fm_copybuf lit = {0};
    fm_status st = fm_copybuf_append(&lit, "{", 1);
    for (size_t i = 0; st == FM_OK && i < n_inj; i++) {
        char num[24];
        int len = snprintf(num, sizeof num, "%s%lld", i ? "," : "", (long long)grades[i]);
        st = fm_copybuf_append(&lit, num, (size_t)len);
    }
    if (st == FM_OK)
        st = fm_copybuf_append(&lit, "}", 2);
    r_owned(&r, st == FM_OK ? lit.data : (fm_copybuf_free(&lit), NULL));
    r_text(&r, fm_claim_outcome_name(d->outcome));
    r_int(&r, d->payable);
    if (r_end(&r) != FM_OK)
        return r.st;
    size_t n = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < n; i++) {
        const fm_bill *x = &c->bills[i];
        row br = {.buf = &b->bill_rows, .first = 1};
        r_text(&br, c->claim_id);
        r_int(&br, (int64_t)i);
        r_text(&br, x->invoice_code);
        r_text(&br, x->invoice_number);
        r_int(&br, x->amount);
        r_int(&br, x->paid_by_social_insurance);
        r_int(&br, x->paid_by_other_insurers);
        r_text(&br, d->bill_excluded[i] ? "t" : "f");
        if (r_end(&br) != FM_OK)
            return br.st;
    }
    return FM_OK;
}

fm_status adj_store_buffer_invoice(adj_batch *b, const char *code, const char *number, const char *claim_id)
{
    row r = {.buf = &b->invoice_rows, .first = 1};
    r_text(&r, code);
    r_text(&r, number);
    r_text(&r, claim_id);
    return r_end(&r);
}

fm_status adj_store_buffer_decision(adj_batch *b, const char *claim_id, const char *source_event_id, const char *kind,
                                    const fm_claim_decision *d, const char *parameters_json, const char *en,
                                    const char *zh, const adj_source *src)
{
    const char *reasons[FM_MAX_CLAIM_REASONS];
    size_t n_reasons = d->n_reasons < FM_MAX_CLAIM_REASONS ? d->n_reasons : FM_MAX_CLAIM_REASONS;
    for (size_t i = 0; i < n_reasons; i++)
        reasons[i] = fm_reason_id(d->reasons[i]);
    row r = {.buf = &b->decision_rows, .first = 1};
    r_text(&r, claim_id);
    r_text(&r, source_event_id);
    r_text(&r, kind);
    r_text(&r, fm_claim_outcome_name(d->outcome));
    r_int(&r, d->payable);
    r_int(&r, d->full);
    r_owned(&r, fm_pg_text_array_literal(reasons, n_reasons));
    r_text(&r, parameters_json);
    r_text(&r, d->plan_version);
    r_text(&r, en);
    r_text(&r, zh);
    r_text(&r, src->topic);
    r_int(&r, src->partition);
    r_int(&r, src->offset);
    return r_end(&r);
}

fm_status adj_store_buffer_signals(adj_batch *b, const adj_signals *sig, const char *claim_id,
                                   const char *policy_number, const adj_policy_fact *pol, const char *source_event_id)
{
    for (size_t i = 0; i < sig->n; i++) {
        row r = {.buf = &b->signal_rows, .first = 1};
        r_text(&r, sig->items[i].code);
        r_text(&r, sig->items[i].detail);
        r_text(&r, claim_id);
        r_text(&r, policy_number);
        if (pol->found)
            r_int(&r, pol->plan_year);
        else
            r_text(&r, NULL);
        r_text(&r, pol->found ? pol->managing_unit : NULL);
        r_text(&r, source_event_id);
        if (r_end(&r) != FM_OK)
            return r.st;
    }
    return FM_OK;
}
