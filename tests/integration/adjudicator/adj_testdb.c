/* adj_testdb.c — test fixtures for the adjudicator: policies, insured persons and usage seeded as
 * famins_admin. */
#include "adj_testdb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fm_person.h"
#include "fm_pgstmt.h"

static int run(PGconn *admin, const char *sql, fm_pg_params *p)
{
    fm_error err = {0};
    fm_status st = fm_pg_run(admin, sql, p, NULL, &err);
    if (p != NULL)
        fm_pg_params_free(p);
    if (st != FM_OK) {
        fprintf(stderr, "seed failed: %s: %s\n", err.code, err.text);
        return -1;
    }
    return 0;
}

int tdb_exec(PGconn *admin, const char *sql)
{
    return run(admin, sql, NULL);
}

int tdb_reset(PGconn *admin)
{
    return tdb_exec(admin, "TRUNCATE famins.fraud_signals, famins.claim_reviews, famins.claim_decisions,"
                           " famins.invoices_claimed, famins.claim_bills, famins.claims, famins.person_usage,"
                           " famins.household_usage, famins.insured_persons, famins.policies,"
                           " famins.enrollment_members, famins.enrollment_decisions CASCADE");
}

int tdb_policy(PGconn *admin, const char *policy_number, int plan_year, const char *unit, const char *start,
               const char *end)
{
    fm_pg_params p = {0};
    fm_pg_p_str(&p, policy_number);
    fm_pg_p_i64(&p, plan_year);
    fm_pg_p_str(&p, unit);
    fm_pg_p_str(&p, start);
    fm_pg_p_str(&p, end);
    return run(
        admin,
        "WITH d AS (INSERT INTO famins.enrollment_decisions (source_event_id, household_id, plan_year,"
        " managing_unit, submitted_on, outcome, category, policy_number, coverage_start, coverage_end,"
        " plan_version, explanation_en, explanation_zh, source_topic, source_partition, source_offset)"
        " VALUES ('seed-' || $1, substr($1, 8), $2, $3, $4::date - 1, 'accepted', 'B', $1, $4, $5, 'seed',"
        " 'seed', 'seed', 'seed', 0, 0) RETURNING decision_id)"
        " INSERT INTO famins.policies (policy_number, household_id, plan_year, managing_unit, category,"
        " premium, subsidy, self_paid, coverage_start, coverage_end, plan_version, decision_id)"
        " SELECT $1, substr($1, 8), $2, $3, 'B', 16500, 0, 16500, $4, $5, 'seed', decision_id FROM d",
        &p);
}

void tdb_keyring(fm_keyring *ring)
{
    if (fm_keyring_init(ring, ADJ_TEST_KEY_ID, ADJ_TEST_SECRET, NULL) != FM_OK)
        memset(ring, 0, sizeof *ring);
}

int tdb_person(PGconn *admin, const char *policy_number, int plan_year, const char *id_number,
               const char *role, bool renewal)
{
    return tdb_person_keyed(admin, policy_number, plan_year, id_number, role, renewal, ADJ_TEST_KEY_ID,
                            ADJ_TEST_SECRET);
}

int tdb_person_keyed(PGconn *admin, const char *policy_number, int plan_year, const char *id_number,
                     const char *role, bool renewal, const char *key_id, const char *secret)
{
    char key[FM_PERSON_KEY_LEN], masked[FM_PERSON_MASK_LEN];
    if (fm_person_key(key_id, secret, id_number, key) != FM_OK)
        return -1;
    fm_person_mask(id_number, masked);
    fm_pg_params p = {0};
    fm_pg_p_str(&p, policy_number);
    fm_pg_p_i64(&p, plan_year);
    fm_pg_p_str(&p, key);
    fm_pg_p_str(&p, role);
    fm_pg_p_str(&p, masked);
    fm_pg_p_bool(&p, renewal);
    return run(
        admin,
        "INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index, role,"
        " masked_id, birth_year, sex, renewal) SELECT $1, $2, $3,"
        " (SELECT count(*) FROM famins.insured_persons WHERE policy_number = $1), $4, $5, 2012, 'F', $6",
        &p);
}

int tdb_usage(PGconn *admin, int plan_year, const char *id_number, int64_t death, int64_t disability,
              int64_t ci_mild, int64_t ci_severe, int64_t am_deductible, int64_t am_paid,
              int64_t ih_deductible, int64_t ih_paid)
{
    char key[FM_PERSON_KEY_LEN];
    if (fm_person_key(ADJ_TEST_KEY_ID, ADJ_TEST_SECRET, id_number, key) != FM_OK)
        return -1;
    fm_pg_params p = {0};
    fm_pg_p_i64(&p, plan_year);
    fm_pg_p_str(&p, key);
    fm_pg_p_i64(&p, death);
    fm_pg_p_i64(&p, disability);
    fm_pg_p_i64(&p, ci_mild);
    fm_pg_p_i64(&p, ci_severe);
    fm_pg_p_i64(&p, am_deductible);
    fm_pg_p_i64(&p, am_paid);
    fm_pg_p_i64(&p, ih_deductible);
    fm_pg_p_i64(&p, ih_paid);
    return run(
        admin,
        "INSERT INTO famins.person_usage (plan_year, person_key, death_paid, disability_paid, ci_mild_paid,"
        " ci_severe_paid, accident_medical_deductible_used, accident_medical_paid,"
        " illness_hospital_deductible_used, illness_hospital_paid) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        &p);
}

int tdb_household(PGconn *admin, const char *policy_number, int64_t am_paid, int64_t ih_paid)
{
    fm_pg_params p = {0};
    fm_pg_p_str(&p, policy_number);
    fm_pg_p_i64(&p, am_paid);
    fm_pg_p_i64(&p, ih_paid);
    return run(
        admin,
        "INSERT INTO famins.household_usage (policy_number, accident_medical_paid, illness_hospital_paid)"
        " VALUES ($1, $2, $3)",
        &p);
}

int tdb_claimed_invoice(PGconn *admin, const char *policy_number, const char *code, const char *number)
{
    fm_pg_params p = {0};
    fm_pg_p_str(&p, policy_number);
    fm_pg_p_str(&p, code);
    fm_pg_p_str(&p, number);
    return run(admin,
               "WITH c AS (INSERT INTO famins.claims (claim_id, source_event_id, policy_number, person_key, "
               "masked_id,"
               " liability, cause, incident_date, report_date, status)"
               " VALUES ('EARLIER-' || $2 || '-' || $3, 'seed-earlier-' || $2 || '-' || $3, $1, 'k', '****',"
               " 'accident_medical', 'accident', '2026-04-01', '2026-04-02', 'approved') RETURNING claim_id)"
               " INSERT INTO famins.invoices_claimed (invoice_code, invoice_number, first_claim_id)"
               " SELECT $2, $3, claim_id FROM c",
               &p);
}

int64_t tdb_i64(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    int64_t v = -1;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        sscanf(PQgetvalue(res, 0, 0), "%ld", &v);
    else if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "query failed: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    return v;
}

void tdb_text(PGconn *conn, const char *sql, char *buf, size_t len)
{
    PGresult *res = PQexec(conn, sql);
    buf[0] = '\0';
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        snprintf(buf, len, "%s", PQgetvalue(res, 0, 0));
    else if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "query failed: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
}

int64_t tdb_i64f(PGconn *conn, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return tdb_i64(conn, sql);
}

void tdb_textf(PGconn *conn, char *buf, size_t len, const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    tdb_text(conn, sql, buf, len);
}
