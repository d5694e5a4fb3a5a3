/* adj_store_read.c — the adjudicator's reads: a batch's claims, facts and invoices, a few statements per
 * batch. */
#include "adj_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pgstmt.h"

/* Each claim by its whole key, LATERAL (... LIMIT 1), locked in the order of its id (two members never lock
 * two claims in opposite orders): filtered plainly, a plan made while claims was small hashed or scanned the
 * whole table for every batch with a review (see FACTS_SQL). */
static const char LOAD_CLAIMS_SQL[] =
    "SELECT c.claim_id, c.source_event_id, c.policy_number, c.person_key, c.liability, c.cause, c.status, "
    "c.payable,"
    " (c.incident_date - DATE '1970-01-01') AS incident_date, (c.event_date - DATE '1970-01-01') AS "
    "event_date,"
    " (c.report_date - DATE '1970-01-01') AS report_date, c.critical_illness_code,"
    " array_to_string(c.documents, ',') AS documents, array_to_string(c.injury_grades, ',') AS injury_grades"
    " FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) q"
    " JOIN LATERAL (SELECT x.* FROM famins.claims x WHERE x.claim_id = q.id LIMIT 1 FOR UPDATE) c ON true"
    " ORDER BY c.claim_id";
/* LATERAL with its own ORDER BY: not pulled up, so an index scan per claim (joined plainly, the generic plan
 * hashed a scan of the whole claim_bills table). */
static const char LOAD_BILLS_SQL[] =
    "SELECT q.id AS claim_id, b.invoice_code, b.invoice_number, b.amount, b.paid_by_social_insurance,"
    " b.paid_by_other_insurers FROM (SELECT DISTINCT unnest($1::text[]) AS id) q"
    " JOIN LATERAL (SELECT x.* FROM famins.claim_bills x WHERE x.claim_id = q.id ORDER BY x.bill_index) b ON "
    "true"
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
        adj_claim_fact *f = fm_map_put(&b->claims, sc.claim.claim_id, sizeof *f, &created);
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
        fm_error_set(err, "claims", FM_NO_MEMORY, "out of memory loading claims");
    fm_claim_free(&sc.claim);
    PQclear(res);
    PQclear(bills);
    fm_pg_params_free(&p);
    return st;
}

/* Every lookup is written so that its plan takes the index on tables never analysed: the prepared
 * statement's generic plan is made once per session, often while the claims tables are new (PostgreSQL
 * guesses their size). (Analysed while empty, they still get whole-table plans until autovacuum's next
 * ANALYZE rebuilds them: README, "statements are prepared once per session".) Written plainly, that plan read
 * person_usage whole for every claim ("deceased": an EXISTS costed to stop at an early match that never
 * comes) and hashed claims whole twice per batch ("claim id known", "event seen"): a cost growing with every
 * claim decided until the next ANALYZE — 100 claims took 104 ms against 6,000 claims, and the steady run at
 * 1,000,000 policies fell 6 s behind in 20 s (README, Figures). So: a count of the rows of a key (an
 * aggregate is costed over all its rows, so the index wins), and LATERAL (... LIMIT 1) on whole unique keys
 * (estimated one row, so the LIMIT does not make a sequential scan look cheap). */
static const char FACTS_SQL[] =
    "SELECT q.i, p.plan_year, p.managing_unit,"
    "  (p.coverage_start - DATE '1970-01-01') AS coverage_start,"
    "  (p.coverage_end - DATE '1970-01-01') AS coverage_end,"
    "  ip.role,"
    "  (ip.renewal OR (SELECT count(*) FROM famins.insured_persons pr"
    "                  WHERE pr.plan_year = p.plan_year - 1 AND pr.person_key = ANY (k.ks)) > 0) AS renewal,"
    "  (SELECT count(*) FROM famins.person_usage d WHERE d.person_key = ANY (k.ks) AND d.death_paid > 0) > 0"
    "    AS deceased,"
    "  u.death_paid, u.disability_paid, u.ci_mild_paid, u.ci_severe_paid,"
    "  u.accident_medical_deductible_used, u.accident_medical_paid,"
    "  u.illness_hospital_deductible_used, u.illness_hospital_paid,"
    "  h.accident_medical_paid AS hh_accident_medical_paid, h.illness_hospital_paid AS "
    "hh_illness_hospital_paid,"
    "  (SELECT count(*) FROM famins.claims c WHERE c.claim_id = q.cid) > 0 AS claim_exists,"
    "  (SELECT count(*) FROM famins.claims c WHERE c.source_event_id = q.eid) > 0 AS event_seen,"
    "  e.pk AS person_key,"
    /* Issue 16: the member's own cover, the cancellation, the premium (adj_policy.c). */
    "  (mc.covered_from - DATE '1970-01-01') AS member_from, (mc.covered_to - DATE '1970-01-01') AS "
    "member_to,"
    "  (ps.cancelled_on - DATE '1970-01-01') AS cancelled_on, p.self_paid AS premium_due,"
    "  (pp.fully_paid_on - DATE '1970-01-01') AS fully_paid_on,"
    /* The batch's invoice locks, in one sorted order (an uncorrelated subquery: run once, before the first
     * row is returned). What this statement reads does not depend on them; the invoice read does, and comes
     * next. */
    "  (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT"
    "     hashtextextended(t.c || chr(31) || t.n, 6128) AS k FROM unnest($5::text[], $6::text[]) AS t(c, n)"
    "     ORDER BY k) s1) s2) AS locked"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS q(pol, pks, cid, eid, i)"
    /* The person's keys under every key of the keyring, current first (adj_fact_item.person_keys). */
    " CROSS JOIN LATERAL (SELECT string_to_array(q.pks, ',') AS ks) k"
    " LEFT JOIN LATERAL (SELECT x.* FROM famins.policies x WHERE x.policy_number = q.pol LIMIT 1) p"
    "   ON true"
    /* LATERAL ... LIMIT 1 (each finds at most one row by its primary key anyway): the subquery cannot be
     * pulled up, so each lookup is an index scan on the whole key. Joined plainly, the prepared statement's
     * generic plan, made while the tables were small, scanned person_usage by plan_year alone and filtered by
     * person: 1 ms per claim once the table had grown. */
    " LEFT JOIN LATERAL (SELECT x.role, x.renewal, x.person_key FROM famins.insured_persons x"
    "   WHERE x.policy_number = p.policy_number AND x.person_key = ANY (k.ks)"
    "   ORDER BY array_position(k.ks, x.person_key) LIMIT 1) ip ON true"
    /* The key the person is stored under in the policy (a previous key for a person keyed before a
     * rotation), else the current key: the person's usage and claims stay on that one key. */
    " CROSS JOIN LATERAL (SELECT COALESCE(ip.person_key, k.ks[1]) AS pk) e"
    " LEFT JOIN LATERAL (SELECT x.* FROM famins.person_usage x"
    "   WHERE x.plan_year = p.plan_year AND x.person_key = e.pk LIMIT 1) u ON true"
    " LEFT JOIN LATERAL (SELECT x.accident_medical_paid, x.illness_hospital_paid FROM famins.household_usage "
    "x"
    "   WHERE x.policy_number = p.policy_number LIMIT 1) h ON true"
    " LEFT JOIN famins.member_coverage mc ON mc.policy_number = p.policy_number AND mc.person_key = "
    "ip.person_key"
    " LEFT JOIN famins.policy_status ps ON ps.policy_number = p.policy_number"
    " LEFT JOIN LATERAL (SELECT min(x.paid_on) FILTER (WHERE x.running >= p.self_paid) AS fully_paid_on"
    "   FROM (SELECT y.paid_on, sum(y.amount) OVER (ORDER BY y.paid_on, y.payment_id) AS running"
    "         FROM famins.premium_payments y WHERE y.policy_number = p.policy_number AND y.kind = 'paid') x) "
    "pp"
    "   ON true";

/* Column numbers of FACTS_SQL, looked up once per result. */
enum {
    F_I,
    F_YEAR,
    F_UNIT,
    F_START,
    F_END,
    F_ROLE,
    F_RENEWAL,
    F_DECEASED,
    F_DEATH,
    F_DISAB,
    F_CI_MILD,
    F_CI_SEVERE,
    F_AM_DED,
    F_AM_PAID,
    F_IH_DED,
    F_IH_PAID,
    F_HH_AM,
    F_HH_IH,
    F_CLAIM_EXISTS,
    F_EVENT_SEEN,
    F_PK,
    F_MEMBER_FROM,
    F_MEMBER_TO,
    F_CANCELLED_ON,
    F_PREMIUM_DUE,
    F_FULLY_PAID_ON,
    F_COUNT
};

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
    adj_policy_fact *pol = fm_map_put(&b->policies, it->policy_number, sizeof *pol, &created);
    if (pol == NULL)
        return FM_ENOMEM;
    if (created && (pol->found = !PQgetisnull(res, r, F_YEAR))) {
        pol->plan_year = (int)i64_at(res, r, F_YEAR);
        snprintf(pol->managing_unit, sizeof pol->managing_unit, "%s", PQgetvalue(res, r, F_UNIT));
        pol->coverage_start = (fm_date)i64_at(res, r, F_START);
        pol->coverage_end = (fm_date)i64_at(res, r, F_END);
        pol->cancelled = !PQgetisnull(res, r, F_CANCELLED_ON);
        pol->cancelled_on = (fm_date)i64_at(res, r, F_CANCELLED_ON);
        pol->premium_due = i64_at(res, r, F_PREMIUM_DUE);
        pol->fully_paid = !PQgetisnull(res, r, F_FULLY_PAID_ON);
        pol->fully_paid_on = (fm_date)i64_at(res, r, F_FULLY_PAID_ON);
    }
    if (pol->found) {
        adj_person_fact *per = fm_map_put(
            &b->persons, fm_map_key2(key, sizeof key, it->policy_number, person_key), sizeof *per, &created);
        if (per == NULL)
            return FM_ENOMEM;
        if (created && (per->found = !PQgetisnull(res, r, F_ROLE))) {
            if (!fm_role_parse(PQgetvalue(res, r, F_ROLE), &per->role)) {
                fm_error_set(err, "role", "DB_SCHEMA", "unknown role in insured_persons");
                return FM_ECONFIG;
            }
            per->renewal = bool_at(res, r, F_RENEWAL);
            per->own_cover = !PQgetisnull(res, r, F_MEMBER_FROM);
            per->covered_from = (fm_date)i64_at(res, r, F_MEMBER_FROM);
            per->covered_to = (fm_date)i64_at(res, r, F_MEMBER_TO);
        }
        adj_usage_fact *u = fm_map_put(&b->usage, adj_usage_key(key, sizeof key, pol->plan_year, person_key),
                                       sizeof *u, &created);
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
        adj_household_fact *h = fm_map_put(&b->households, it->policy_number, sizeof *h, &created);
        if (h == NULL)
            return FM_ENOMEM;
        if (created) {
            h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = i64_at(res, r, F_HH_AM);
            h->medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = i64_at(res, r, F_HH_IH);
        }
    }
    if (bool_at(res, r, F_DECEASED) && adj_batch_set_deceased(b, person_key, true) != FM_OK)
        return FM_ENOMEM;
    if (it->claim_id != NULL) {
        adj_claim_fact *c = fm_map_put(&b->claims, it->claim_id, sizeof *c, &created);
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
        char *seen = fm_map_put(&b->events, it->event_id, 1, NULL);
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
    static const char *const names[F_COUNT] = {"i",
                                               "plan_year",
                                               "managing_unit",
                                               "coverage_start",
                                               "coverage_end",
                                               "role",
                                               "renewal",
                                               "deceased",
                                               "death_paid",
                                               "disability_paid",
                                               "ci_mild_paid",
                                               "ci_severe_paid",
                                               "accident_medical_deductible_used",
                                               "accident_medical_paid",
                                               "illness_hospital_deductible_used",
                                               "illness_hospital_paid",
                                               "hh_accident_medical_paid",
                                               "hh_illness_hospital_paid",
                                               "claim_exists",
                                               "event_seen",
                                               "person_key",
                                               "member_from",
                                               "member_to",
                                               "cancelled_on",
                                               "premium_due",
                                               "fully_paid_on"};
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
        fm_error_set(err, "facts", FM_NO_MEMORY, "out of memory loading facts");
    PQclear(res);
    fm_pg_params_free(&p);
    return st;
}

/* LATERAL (... LIMIT 1) on the whole key, as the facts' lookups: joined plainly, a plan made while the table
 * was small hashed all of invoices_claimed for every batch. */
static const char INVOICES_SQL[] =
    "SELECT DISTINCT ic.invoice_code, ic.invoice_number, ic.first_claim_id"
    " FROM unnest($1::text[], $2::text[]) AS t(c, n)"
    " JOIN LATERAL (SELECT x.invoice_code, x.invoice_number, x.first_claim_id FROM famins.invoices_claimed x"
    "   WHERE x.invoice_code = t.c AND x.invoice_number = t.n LIMIT 1) ic ON true";

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
        char *v = fm_map_put2(&b->invoices, PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), strlen(first) + 1,
                              &created);
        if (v == NULL) {
            fm_error_set(err, "invoices", FM_NO_MEMORY, "out of memory loading invoices");
            st = FM_ENOMEM;
        } else if (created) {
            memcpy(v, first, strlen(first) + 1);
        }
    }
    PQclear(res);
    fm_pg_params_free(&p);
    return st;
}

const char *adj_store_read_sql(adj_stmt id)
{
    switch (id) {
    case ADJ_STMT_LOAD_CLAIMS: return LOAD_CLAIMS_SQL;
    case ADJ_STMT_LOAD_BILLS: return LOAD_BILLS_SQL;
    case ADJ_STMT_FACTS: return FACTS_SQL;
    case ADJ_STMT_INVOICES: return INVOICES_SQL;
    default: return NULL;
    }
}
