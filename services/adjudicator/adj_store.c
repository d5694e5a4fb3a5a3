/* adj_store.c — the adjudicator's reads and writes in PostgreSQL, inside the caller's batch transaction. */
#include "adj_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_sql.h"

static const char LOOKUP_SQL[] =
    "SELECT p.plan_year, p.managing_unit,"
    "  (p.coverage_start - DATE '1970-01-01') AS coverage_start,"
    "  (p.coverage_end - DATE '1970-01-01') AS coverage_end,"
    "  ip.role,"
    "  (ip.renewal OR EXISTS (SELECT 1 FROM famins.insured_persons pr"
    "                         WHERE pr.plan_year = p.plan_year - 1 AND pr.person_key = $2)) AS renewal,"
    "  EXISTS (SELECT 1 FROM famins.person_usage d WHERE d.person_key = $2 AND d.death_paid > 0) AS deceased,"
    "  u.death_paid, u.disability_paid, u.ci_mild_paid, u.ci_severe_paid,"
    "  u.accident_medical_deductible_used, u.accident_medical_paid,"
    "  u.illness_hospital_deductible_used, u.illness_hospital_paid,"
    "  h.accident_medical_paid AS hh_accident_medical_paid, h.illness_hospital_paid AS hh_illness_hospital_paid,"
    "  EXISTS (SELECT 1 FROM famins.claims c WHERE c.claim_id = $3) AS claim_exists,"
    "  EXISTS (SELECT 1 FROM famins.claims c WHERE c.source_event_id = $4) AS event_seen"
    " FROM (VALUES (1)) AS one(x)"
    " LEFT JOIN famins.policies p ON p.policy_number = $1"
    " LEFT JOIN famins.insured_persons ip ON ip.policy_number = p.policy_number AND ip.person_key = $2"
    " LEFT JOIN famins.person_usage u ON u.plan_year = p.plan_year AND u.person_key = $2"
    " LEFT JOIN famins.household_usage h ON h.policy_number = p.policy_number";

fm_status adj_store_lookup(PGconn *conn, const char *policy_number, const char *person_key, const char *claim_id,
                           const char *event_id, adj_facts *out, fm_error *err)
{
    adj_params p = {0};
    PGresult *res = NULL;
    memset(out, 0, sizeof *out);
    adj_p_str(&p, policy_number);
    adj_p_str(&p, person_key);
    adj_p_str(&p, claim_id);
    adj_p_str(&p, event_id);
    fm_status st = adj_sql_run(conn, LOOKUP_SQL, &p, &res, err);
    adj_params_free(&p);
    if (st != FM_OK)
        return st;
    fm_claim_context *x = &out->ctx;
    out->claim_exists = adj_col_bool(res, 0, "claim_exists");
    out->event_seen = adj_col_bool(res, 0, "event_seen");
    x->policy_found = !adj_col_null(res, 0, "plan_year");
    if (x->policy_found) {
        x->plan_year = (int)adj_col_i64(res, 0, "plan_year");
        snprintf(out->managing_unit, sizeof out->managing_unit, "%s", adj_col_str(res, 0, "managing_unit"));
        x->coverage_start = (fm_date)adj_col_i64(res, 0, "coverage_start");
        x->coverage_end = (fm_date)adj_col_i64(res, 0, "coverage_end");
        x->person_found = !adj_col_null(res, 0, "role");
        if (x->person_found && !fm_role_parse(adj_col_str(res, 0, "role"), &x->role)) {
            fm_error_set(err, "role", "DB_SCHEMA", "unknown role in insured_persons");
            PQclear(res);
            return FM_ECONFIG;
        }
        x->renewal = adj_col_bool(res, 0, "renewal");
        fm_claim_usage *u = &x->usage;
        u->death_paid = adj_col_i64(res, 0, "death_paid");
        u->disability_paid = adj_col_i64(res, 0, "disability_paid");
        u->ci_mild_paid = adj_col_i64(res, 0, "ci_mild_paid");
        u->ci_severe_paid = adj_col_i64(res, 0, "ci_severe_paid");
        u->deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = adj_col_i64(res, 0, "accident_medical_deductible_used");
        u->medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = adj_col_i64(res, 0, "accident_medical_paid");
        u->deductible_used[FM_LIAB_ILLNESS_HOSPITAL] = adj_col_i64(res, 0, "illness_hospital_deductible_used");
        u->medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = adj_col_i64(res, 0, "illness_hospital_paid");
        x->household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = adj_col_i64(res, 0, "hh_accident_medical_paid");
        x->household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = adj_col_i64(res, 0, "hh_illness_hospital_paid");
    }
    x->deceased = adj_col_bool(res, 0, "deceased");
    PQclear(res);
    return FM_OK;
}

/* text[] parameters of the bills' invoice codes and numbers. */
static void invoice_arrays(adj_params *p, const fm_claim *c)
{
    const char **codes = calloc(c->n_bills + 1, sizeof *codes);
    const char **numbers = calloc(c->n_bills + 1, sizeof *numbers);
    if (codes == NULL || numbers == NULL) {
        p->failed = true;
    } else {
        for (size_t i = 0; i < c->n_bills; i++) {
            codes[i] = c->bills[i].invoice_code;
            numbers[i] = c->bills[i].invoice_number;
        }
        adj_p_text_array(p, codes, c->n_bills);
        adj_p_text_array(p, numbers, c->n_bills);
    }
    free(codes);
    free(numbers);
}

static const char LOCK_SQL[] =
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(t.c || chr(31) || t.n, 6128) AS k"
    " FROM unnest($1::text[], $2::text[]) AS t(c, n)) s ORDER BY k";
static const char CLAIMED_SQL[] =
    "SELECT t.i - 1 AS bill_index FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(c, n, i)"
    " JOIN famins.invoices_claimed ic ON ic.invoice_code = t.c AND ic.invoice_number = t.n"
    " WHERE $3::text IS NULL OR ic.first_claim_id <> $3";

fm_status adj_store_claimed_bills(PGconn *conn, const fm_claim *c, const char *own_claim_id, bool lock,
                                  bool out[FM_MAX_BILLS], fm_error *err)
{
    memset(out, 0, FM_MAX_BILLS * sizeof out[0]);
    if (c->n_bills == 0)
        return FM_OK;
    adj_params p = {0};
    PGresult *res = NULL;
    fm_status st = FM_OK;
    invoice_arrays(&p, c);
    if (lock && (st = adj_sql_run(conn, LOCK_SQL, &p, NULL, err)) != FM_OK)
        goto done;
    adj_p_str(&p, own_claim_id);
    if ((st = adj_sql_run(conn, CLAIMED_SQL, &p, &res, err)) != FM_OK)
        goto done;
    for (int r = 0; r < PQntuples(res); r++) {
        int64_t i = adj_col_i64(res, r, "bill_index");
        if (i >= 0 && i < FM_MAX_BILLS && (size_t)i < c->n_bills)
            out[i] = true;
    }
done:
    PQclear(res);
    adj_params_free(&p);
    return st;
}

static const char INSERT_CLAIM_SQL[] =
    "INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit, person_key,"
    " masked_id, role, liability, cause, incident_date, event_date, report_date, claimed_amount,"
    " critical_illness_code, documents, injury_grades, status, payable)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
static const char INSERT_BILLS_SQL[] =
    "INSERT INTO famins.claim_bills (claim_id, bill_index, invoice_code, invoice_number, amount,"
    " paid_by_social_insurance, paid_by_other_insurers, excluded_duplicate)"
    " SELECT $3, t.i - 1, t.c, t.n, t.a, t.s, t.o, t.x"
    " FROM unnest($1::text[], $2::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::boolean[])"
    "   WITH ORDINALITY AS t(c, n, a, s, o, x, i)";
static const char INSERT_INVOICES_SQL[] =
    "INSERT INTO famins.invoices_claimed (invoice_code, invoice_number, first_claim_id)"
    " SELECT DISTINCT t.c, t.n, $3 FROM unnest($1::text[], $2::text[]) AS t(c, n)"
    " ON CONFLICT (invoice_code, invoice_number) DO NOTHING";

fm_status adj_store_insert_claim(PGconn *conn, const fm_claim *c, const char *person_key, const char *masked_id,
                                 const adj_facts *f, fm_fen claimed, const fm_claim_decision *d, fm_error *err)
{
    adj_params p = {0};
    fm_status st;
    const char *docs[FM_DOC_COUNT];
    size_t n_docs = 0;
    int64_t grades[FM_MAX_INJURIES];
    for (int k = 0; k < FM_DOC_COUNT; k++)
        if (c->documents & FM_DOC_BIT(k))
            docs[n_docs++] = fm_document_name((fm_document)k);
    for (size_t i = 0; i < c->n_injuries && i < FM_MAX_INJURIES; i++)
        grades[i] = c->injuries[i].grade;

    adj_p_str(&p, c->claim_id);
    adj_p_str(&p, c->event_id);
    adj_p_str(&p, c->policy_number);
    if (f->ctx.policy_found) {
        adj_p_i64(&p, f->ctx.plan_year);
        adj_p_str(&p, f->managing_unit);
    } else {
        adj_p_str(&p, NULL);
        adj_p_str(&p, NULL);
    }
    adj_p_str(&p, person_key);
    adj_p_str(&p, masked_id);
    adj_p_str(&p, f->ctx.policy_found && f->ctx.person_found ? fm_role_name(f->ctx.role) : NULL);
    adj_p_str(&p, fm_liability_name(c->liability));
    adj_p_str(&p, fm_cause_name(c->cause));
    adj_p_date(&p, c->incident_date);
    if (c->has_event_date)
        adj_p_date(&p, c->event_date);
    else
        adj_p_str(&p, NULL);
    adj_p_date(&p, c->report_date);
    adj_p_i64(&p, claimed);
    adj_p_str(&p, c->critical_illness_code);
    adj_p_text_array(&p, docs, n_docs);
    adj_p_i64_array(&p, grades, c->n_injuries < FM_MAX_INJURIES ? c->n_injuries : FM_MAX_INJURIES);
    adj_p_str(&p, fm_claim_outcome_name(d->outcome));
    adj_p_i64(&p, d->payable);
    st = adj_sql_run(conn, INSERT_CLAIM_SQL, &p, NULL, err);
    adj_params_free(&p);
    if (st != FM_OK || c->n_bills == 0)
        return st;

    size_t n = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    int64_t *amounts = calloc(3 * n, sizeof *amounts);
    if (amounts == NULL)
        return FM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        amounts[i] = c->bills[i].amount;
        amounts[n + i] = c->bills[i].paid_by_social_insurance;
        amounts[2 * n + i] = c->bills[i].paid_by_other_insurers;
    }
    invoice_arrays(&p, c);
    adj_p_str(&p, c->claim_id);
    adj_p_i64_array(&p, amounts, n);
    adj_p_i64_array(&p, amounts + n, n);
    adj_p_i64_array(&p, amounts + 2 * n, n);
    adj_p_bool_array(&p, d->bill_excluded, n);
    free(amounts);
    st = adj_sql_run(conn, INSERT_BILLS_SQL, &p, NULL, err);
    if (st == FM_OK) {
        p.n = 3; /* the invoices statement takes the first three: codes, numbers, claim id */
        st = adj_sql_run(conn, INSERT_INVOICES_SQL, &p, NULL, err);
        p.n = 7;
    }
    adj_params_free(&p);
    return st;
}

static const char INSERT_DECISION_SQL[] =
    "INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount, reasons,"
    " parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition, source_offset)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14) RETURNING decision_id";

fm_status adj_store_insert_decision(PGconn *conn, const char *claim_id, const char *source_event_id, const char *kind,
                                    const fm_claim_decision *d, const char *parameters_json, const char *en,
                                    const char *zh, const adj_source *src, int64_t *decision_id, fm_error *err)
{
    adj_params p = {0};
    PGresult *res = NULL;
    const char *reasons[FM_MAX_CLAIM_REASONS];
    for (size_t i = 0; i < d->n_reasons && i < FM_MAX_CLAIM_REASONS; i++)
        reasons[i] = fm_reason_id(d->reasons[i]);
    adj_p_str(&p, claim_id);
    adj_p_str(&p, source_event_id);
    adj_p_str(&p, kind);
    adj_p_str(&p, fm_claim_outcome_name(d->outcome));
    adj_p_i64(&p, d->payable);
    adj_p_i64(&p, d->full);
    adj_p_text_array(&p, reasons, d->n_reasons < FM_MAX_CLAIM_REASONS ? d->n_reasons : FM_MAX_CLAIM_REASONS);
    adj_p_str(&p, parameters_json);
    adj_p_str(&p, d->plan_version);
    adj_p_str(&p, en);
    adj_p_str(&p, zh);
    adj_p_str(&p, src->topic);
    adj_p_i64(&p, src->partition);
    adj_p_i64(&p, src->offset);
    fm_status st = adj_sql_run(conn, INSERT_DECISION_SQL, &p, &res, err);
    adj_params_free(&p);
    if (st == FM_OK && decision_id != NULL)
        *decision_id = adj_col_i64(res, 0, "decision_id");
    PQclear(res);
    return st;
}

static const char PERSON_USAGE_SQL[] =
    "INSERT INTO famins.person_usage (plan_year, person_key, death_paid, disability_paid, ci_mild_paid,"
    " ci_severe_paid, accident_medical_deductible_used, accident_medical_paid, illness_hospital_deductible_used,"
    " illness_hospital_paid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    " ON CONFLICT (plan_year, person_key) DO UPDATE SET death_paid = EXCLUDED.death_paid,"
    " disability_paid = EXCLUDED.disability_paid, ci_mild_paid = EXCLUDED.ci_mild_paid,"
    " ci_severe_paid = EXCLUDED.ci_severe_paid,"
    " accident_medical_deductible_used = EXCLUDED.accident_medical_deductible_used,"
    " accident_medical_paid = EXCLUDED.accident_medical_paid,"
    " illness_hospital_deductible_used = EXCLUDED.illness_hospital_deductible_used,"
    " illness_hospital_paid = EXCLUDED.illness_hospital_paid, updated_at = now()";
static const char HOUSEHOLD_USAGE_SQL[] =
    "INSERT INTO famins.household_usage (policy_number, accident_medical_paid, illness_hospital_paid)"
    " VALUES ($1, $2, $3) ON CONFLICT (policy_number) DO UPDATE SET"
    " accident_medical_paid = EXCLUDED.accident_medical_paid,"
    " illness_hospital_paid = EXCLUDED.illness_hospital_paid, updated_at = now()";

fm_status adj_store_save_usage(PGconn *conn, const fm_claim *c, int plan_year, const char *person_key,
                               const char *policy_number, const fm_claim_decision *d, fm_error *err)
{
    if (!d->usage_changed)
        return FM_OK;
    adj_params p = {0};
    const fm_claim_usage *u = &d->new_usage;
    adj_p_i64(&p, plan_year);
    adj_p_str(&p, person_key);
    adj_p_i64(&p, u->death_paid);
    adj_p_i64(&p, u->disability_paid);
    adj_p_i64(&p, u->ci_mild_paid);
    adj_p_i64(&p, u->ci_severe_paid);
    adj_p_i64(&p, u->deductible_used[FM_LIAB_ACCIDENT_MEDICAL]);
    adj_p_i64(&p, u->medical_paid[FM_LIAB_ACCIDENT_MEDICAL]);
    adj_p_i64(&p, u->deductible_used[FM_LIAB_ILLNESS_HOSPITAL]);
    adj_p_i64(&p, u->medical_paid[FM_LIAB_ILLNESS_HOSPITAL]);
    fm_status st = adj_sql_run(conn, PERSON_USAGE_SQL, &p, NULL, err);
    adj_params_free(&p);
    if (st != FM_OK || !fm_liability_is_medical(c->liability))
        return st;
    adj_p_str(&p, policy_number);
    adj_p_i64(&p, d->new_household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL]);
    adj_p_i64(&p, d->new_household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL]);
    st = adj_sql_run(conn, HOUSEHOLD_USAGE_SQL, &p, NULL, err);
    adj_params_free(&p);
    return st;
}

static const char INSERT_SIGNALS_SQL[] =
    "INSERT INTO famins.fraud_signals (code, detail, claim_id, policy_number, plan_year, managing_unit,"
    " source_event_id) SELECT t.c, t.d, $3, $4, $5, $6, $7 FROM unnest($1::text[], $2::text[]) AS t(c, d)";

fm_status adj_store_insert_signals(PGconn *conn, const fm_claim *c, const adj_facts *f, const adj_signals *s,
                                   fm_error *err)
{
    if (s->n == 0)
        return FM_OK;
    const char *codes[ADJ_MAX_SIGNALS], *details[ADJ_MAX_SIGNALS];
    for (size_t i = 0; i < s->n; i++) {
        codes[i] = s->items[i].code;
        details[i] = s->items[i].detail;
    }
    adj_params p = {0};
    adj_p_text_array(&p, codes, s->n);
    adj_p_text_array(&p, details, s->n);
    adj_p_str(&p, c->claim_id);
    adj_p_str(&p, c->policy_number);
    if (f->ctx.policy_found) {
        adj_p_i64(&p, f->ctx.plan_year);
        adj_p_str(&p, f->managing_unit);
    } else {
        adj_p_str(&p, NULL);
        adj_p_str(&p, NULL);
    }
    adj_p_str(&p, c->event_id);
    fm_status st = adj_sql_run(conn, INSERT_SIGNALS_SQL, &p, NULL, err);
    adj_params_free(&p);
    return st;
}

static const char LOAD_CLAIM_SQL[] =
    "SELECT claim_id, source_event_id, policy_number, person_key, liability, cause, status, payable,"
    " (incident_date - DATE '1970-01-01') AS incident_date, (event_date - DATE '1970-01-01') AS event_date,"
    " (report_date - DATE '1970-01-01') AS report_date, critical_illness_code,"
    " array_to_string(documents, ',') AS documents, array_to_string(injury_grades, ',') AS injury_grades"
    " FROM famins.claims WHERE claim_id = $1 FOR UPDATE";
static const char LOAD_BILLS_SQL[] =
    "SELECT invoice_code, invoice_number, amount, paid_by_social_insurance, paid_by_other_insurers"
    " FROM famins.claim_bills WHERE claim_id = $1 ORDER BY bill_index";

static char *dup_or_fail(const char *s, bool *failed)
{
    char *d = strdup(s);
    *failed = *failed || d == NULL;
    return d;
}

fm_status adj_store_load_claim(PGconn *conn, const char *claim_id, adj_stored_claim *out, bool *found, fm_error *err)
{
    adj_params p = {0};
    PGresult *res = NULL, *bills = NULL;
    bool failed = false;
    memset(out, 0, sizeof *out);
    *found = false;
    adj_p_str(&p, claim_id);
    fm_status st = adj_sql_run(conn, LOAD_CLAIM_SQL, &p, &res, err);
    if (st != FM_OK || PQntuples(res) == 0)
        goto done;
    if ((st = adj_sql_run(conn, LOAD_BILLS_SQL, &p, &bills, err)) != FM_OK)
        goto done;
    fm_claim *c = &out->claim;
    c->claim_id = dup_or_fail(adj_col_str(res, 0, "claim_id"), &failed);
    c->event_id = dup_or_fail(adj_col_str(res, 0, "source_event_id"), &failed);
    c->policy_number = dup_or_fail(adj_col_str(res, 0, "policy_number"), &failed);
    c->insured_id_number = dup_or_fail("", &failed);
    snprintf(out->person_key, sizeof out->person_key, "%s", adj_col_str(res, 0, "person_key"));
    snprintf(out->status, sizeof out->status, "%s", adj_col_str(res, 0, "status"));
    out->payable = adj_col_i64(res, 0, "payable");
    if (!fm_liability_parse(adj_col_str(res, 0, "liability"), &c->liability) ||
        !fm_cause_parse(adj_col_str(res, 0, "cause"), &c->cause)) {
        fm_error_set(err, "claims", "DB_SCHEMA", "unknown liability or cause in claims");
        st = FM_ECONFIG;
        goto done;
    }
    c->incident_date = (fm_date)adj_col_i64(res, 0, "incident_date");
    c->has_event_date = !adj_col_null(res, 0, "event_date");
    c->event_date = (fm_date)adj_col_i64(res, 0, "event_date");
    c->report_date = (fm_date)adj_col_i64(res, 0, "report_date");
    if (!adj_col_null(res, 0, "critical_illness_code"))
        c->critical_illness_code = dup_or_fail(adj_col_str(res, 0, "critical_illness_code"), &failed);
    char docs[512];
    snprintf(docs, sizeof docs, "%s", adj_col_str(res, 0, "documents"));
    for (char *save = NULL, *tok = strtok_r(docs, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        fm_document d;
        if (fm_document_parse(tok, &d))
            c->documents |= FM_DOC_BIT(d);
    }
    const char *g = adj_col_str(res, 0, "injury_grades");
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
    int nb = PQntuples(bills);
    if (nb > 0) {
        c->bills = calloc((size_t)nb, sizeof *c->bills);
        failed = failed || c->bills == NULL;
        for (int i = 0; c->bills && i < nb; i++) {
            fm_bill *b = &c->bills[i];
            b->invoice_code = dup_or_fail(adj_col_str(bills, i, "invoice_code"), &failed);
            b->invoice_number = dup_or_fail(adj_col_str(bills, i, "invoice_number"), &failed);
            b->amount = adj_col_i64(bills, i, "amount");
            b->paid_by_social_insurance = adj_col_i64(bills, i, "paid_by_social_insurance");
            b->paid_by_other_insurers = adj_col_i64(bills, i, "paid_by_other_insurers");
            c->n_bills = (size_t)i + 1;
        }
    }
    *found = true;
    if (failed)
        st = FM_ENOMEM;
done:
    PQclear(res);
    PQclear(bills);
    adj_params_free(&p);
    if (st != FM_OK) {
        adj_stored_claim_free(out);
        *found = false;
    }
    return st;
}

void adj_stored_claim_free(adj_stored_claim *s)
{
    if (s == NULL)
        return;
    fm_claim_free(&s->claim);
    memset(s, 0, sizeof *s);
}

static const char UPDATE_CLAIM_SQL[] =
    "UPDATE famins.claims SET status = $2, payable = $3, decided_at = now() WHERE claim_id = $1";

fm_status adj_store_update_claim(PGconn *conn, const char *claim_id, const fm_claim_decision *d, fm_error *err)
{
    adj_params p = {0};
    adj_p_str(&p, claim_id);
    adj_p_str(&p, fm_claim_outcome_name(d->outcome));
    adj_p_i64(&p, d->payable);
    fm_status st = adj_sql_run(conn, UPDATE_CLAIM_SQL, &p, NULL, err);
    adj_params_free(&p);
    return st;
}

static const char INSERT_REVIEW_SQL[] =
    "INSERT INTO famins.claim_reviews (claim_id, source_event_id, reviewer, action, amount, note, status_before,"
    " status_after, payable_after, decision_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

fm_status adj_store_insert_review(PGconn *conn, const fm_review *r, const char *status_before,
                                  const fm_claim_decision *d, int64_t decision_id, fm_error *err)
{
    adj_params p = {0};
    adj_p_str(&p, r->claim_id);
    adj_p_str(&p, r->event_id);
    adj_p_str(&p, r->reviewer);
    adj_p_str(&p, fm_review_action_name(r->action));
    if (r->has_amount)
        adj_p_i64(&p, r->amount);
    else
        adj_p_str(&p, NULL);
    adj_p_str(&p, r->note);
    adj_p_str(&p, status_before);
    adj_p_str(&p, fm_claim_outcome_name(d->outcome));
    adj_p_i64(&p, d->payable);
    adj_p_i64(&p, decision_id);
    fm_status st = adj_sql_run(conn, INSERT_REVIEW_SQL, &p, NULL, err);
    adj_params_free(&p);
    return st;
}
