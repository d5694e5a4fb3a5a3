/* elig_store.c — the eligibility service's SQL: the facts an enrollment is decided on, and the decision's rows. */
#include "elig_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_dates.h"
#include "fm_pg.h"
#include "fm_reasons.h"

/* A growing text buffer for PostgreSQL array literals ({"a","b",NULL}). oom sticks once set. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

/* Starts an element: "{" for the first, "," after. */
static void arr_sep(sbuf *b)
{
    sb_puts(b, b->len == 0 ? "{" : ",");
}

/* A quoted element (NULL: the SQL NULL). Quotes and backslashes are escaped as the array syntax wants. */
static void arr_text(sbuf *b, const char *s)
{
    arr_sep(b);
    if (s == NULL) {
        sb_puts(b, "NULL");
        return;
    }
    sb_putn(b, "\"", 1);
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            sb_putn(b, "\\", 1);
        sb_putn(b, c, 1);
    }
    sb_putn(b, "\"", 1);
}

static void arr_int(sbuf *b, long long v)
{
    char num[24];
    snprintf(num, sizeof num, "%lld", v);
    arr_sep(b);
    sb_puts(b, num);
}

static void arr_bool(sbuf *b, bool v)
{
    arr_sep(b);
    sb_puts(b, v ? "t" : "f");
}

/* Closes the literal; an empty one is "{}". Returns the text, or NULL when an allocation failed. */
static const char *arr_end(sbuf *b)
{
    if (b->len == 0)
        sb_puts(b, "{");
    sb_puts(b, "}");
    return b->oom ? NULL : b->p;
}

static void sb_free(sbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* Reason codes as an array literal. */
static const char *reasons_array(sbuf *b, const fm_reason *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        arr_text(b, fm_reason_id(r[i]));
    return arr_end(b);
}

/* Reason codes joined with ',' (codes never hold one) into buf; the SQL splits them with string_to_array. */
static void reasons_joined(char *buf, size_t len, const fm_reason *r, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "," : "", fm_reason_id(r[i]));
}

static const char *const FACTS_SQL;
static const char *const DECISION_SQL;

/* Runs a statement, prepared once per session when prep is given. Errors as fm_pg_query (err->code = SQLSTATE).
 * A session that lost its prepared statements (26000) is forgotten, so that the redone batch prepares again. */
static fm_status run(PGconn *conn, elig_prepared *prep, const char *name, const char *sql, int n,
                     const char *const *params, PGresult **out, fm_error *err)
{
    if (prep == NULL)
        return fm_pg_query(conn, sql, n, params, out, err);
    int pid = PQbackendPID(conn);
    if (prep->conn != conn || prep->backend_pid != pid) {
        /* Both statements at once, so that a later failure cannot leave one prepared and one not. */
        PGresult *r1 = PQprepare(conn, "elig_facts", FACTS_SQL, 0, NULL);
        PGresult *r2 = PQresultStatus(r1) == PGRES_COMMAND_OK ? PQprepare(conn, "elig_decision", DECISION_SQL, 0, NULL)
                                                               : NULL;
        bool ok = r2 != NULL && PQresultStatus(r2) == PGRES_COMMAND_OK;
        if (!ok) {
            PGresult *bad = r2 != NULL ? r2 : r1;
            const char *state = bad ? PQresultErrorField(bad, PG_DIAG_SQLSTATE) : NULL;
            fm_error_set(err, "", state ? state : "PG_ERROR", "prepare: %s", PQerrorMessage(conn));
        }
        PQclear(r1);
        PQclear(r2);
        /* "already exists": the same session under a reused pointer and pid; the statements are there. */
        if (!ok && strcmp(err->code, "42P05") != 0)
            return FM_EDB;
        prep->conn = conn;
        prep->backend_pid = pid;
    }
    PGresult *res = PQexecPrepared(conn, name, n, params, NULL, NULL, 0);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        *out = res;
        return FM_OK;
    }
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
    for (char *c = msg; *c; c++)
        if (*c == '\n')
            *c = ' ';
    fm_error_set(err, "", state ? state : "PG_ERROR", "%s", msg);
    if (state != NULL && strcmp(state, "26000") == 0)
        prep->conn = NULL;
    PQclear(res);
    return FM_EDB;
}

/* The facts in one round trip. kind 'decided': this event has a decision already; 'policy': the household
 * holds this plan year's policy; 'elsewhere': a member's key is insured under another policy this plan year
 * (policy numbers are FJ<year>-<household>, so "another policy" is "another household"); 'last_year': a
 * member's key was insured in plan_year - 1. Each branch is an index lookup (UNIQUE constraints of 010). */
static const char *const FACTS_SQL =
    "SELECT 'decided'::text, NULL::text, NULL::text FROM famins.enrollment_decisions WHERE source_event_id = $5 "
    "UNION ALL "
    "SELECT 'policy', NULL, policy_number FROM famins.policies WHERE household_id = $1 AND plan_year = $2::int "
    "UNION ALL "
    "SELECT 'elsewhere', person_key, policy_number FROM famins.insured_persons "
    " WHERE plan_year = $2::int AND person_key = ANY($3::text[]) AND policy_number <> $4 "
    "UNION ALL "
    "SELECT 'last_year', person_key, policy_number FROM famins.insured_persons "
    " WHERE plan_year = $2::int - 1 AND person_key = ANY($3::text[])";

fm_status elig_store_facts(PGconn *conn, elig_prepared *prep, const fm_enrollment *e, const elig_person *people,
                           elig_facts *out, fm_error *err)
{
    fm_status st = FM_OK;
    PGresult *res = NULL;
    sbuf keys = {0};
    memset(out, 0, sizeof *out);
    if (e->n_members > FM_MAX_MEMBERS) {
        fm_error_set(err, "members", "TOO_MANY", "an enrollment has at most %d members", FM_MAX_MEMBERS);
        return FM_EINVAL;
    }
    for (size_t i = 0; i < e->n_members; i++)
        if (people[i].valid)
            arr_text(&keys, people[i].key);
    char year[16], policy[FM_POLICY_NUMBER_LEN];
    snprintf(year, sizeof year, "%d", e->plan_year);
    /* An id too long for a policy number cannot hold one: nothing matches it as "own" policy. */
    if (fm_policy_number(e->plan_year, e->household_id, policy, sizeof policy) != FM_OK)
        policy[0] = '\0';
    const char *params[5] = {e->household_id, year, arr_end(&keys), policy, e->event_id ? e->event_id : ""};
    if (params[2] == NULL) {
        st = FM_ENOMEM;
        goto fail;
    }
    if ((st = run(conn, prep, "elig_facts", FACTS_SQL, 5, params, &res, err)) != FM_OK)
        goto fail;
    for (int r = 0; r < PQntuples(res); r++) {
        const char *kind = PQgetvalue(res, r, 0);
        const char *key = PQgetvalue(res, r, 1);
        const char *pol = PQgetvalue(res, r, 2);
        if (strcmp(kind, "decided") == 0) {
            out->already_decided = true;
        } else if (strcmp(kind, "policy") == 0) {
            out->facts.household_has_policy = true;
        } else {
            bool elsewhere = strcmp(kind, "elsewhere") == 0;
            /* The same key twice in one household is a DUPLICATE_MEMBER rejection: mark every listing. */
            for (size_t i = 0; i < e->n_members; i++) {
                if (!people[i].valid || strcmp(people[i].key, key) != 0)
                    continue;
                if (elsewhere) {
                    out->facts.members[i].insured_elsewhere = true;
                    snprintf(out->elsewhere_policy[i], sizeof out->elsewhere_policy[i], "%s", pol);
                } else {
                    out->facts.members[i].insured_last_year = true;
                }
            }
        }
    }
fail:
    PQclear(res);
    sb_free(&keys);
    return st;
}

/* One statement for every row of a decision, so a decision costs two round trips (facts, writes).
 * The policy and insured persons are inserted only when $8 = 'accepted' (the insured-person arrays are
 * empty otherwise); foreign keys between the CTEs are checked at the end of the statement. */
static const char *const DECISION_SQL =
    "WITH d AS ("
    " INSERT INTO famins.enrollment_decisions (source_event_id, household_id, plan_year, managing_unit,"
    "  submitted_on, agent_id, consent_channel, outcome, category, reasons, notes, applicant_reasons,"
    "  insured_children, insured_adults, premium, subsidy, self_paid, subsidy_city, subsidy_district,"
    "  subsidy_zone, policy_number, coverage_start, coverage_end, plan_version, explanation_en,"
    "  explanation_zh, source_topic, source_partition, source_offset)"
    " VALUES ($1::text, $2::text, $3::int, $4::text, $5::date, $6::text, $7::text, $8::text, $9::text,"
    "  $10::text[], $11::text[], $12::text[], $13::int, $14::int, $15::bigint, $16::bigint, $17::bigint,"
    "  $18::bigint, $19::bigint, $20::bigint, $21::text, $22::date, $23::date, $24::text, $25::text,"
    "  $26::text, $27::text, $28::int, $29::bigint)"
    " RETURNING decision_id),"
    "m AS ("
    " INSERT INTO famins.enrollment_members (decision_id, member_index, role, person_key, masked_id, insured,"
    "  renewal, reasons)"
    " SELECT d.decision_id, u.i, u.r, u.k, u.m, u.ins, u.ren, string_to_array(u.rs, ',')"
    " FROM d, unnest($30::int[], $31::text[], $32::text[], $33::text[], $34::bool[], $35::bool[], $36::text[])"
    "  AS u(i, r, k, m, ins, ren, rs)),"
    "p AS ("
    " INSERT INTO famins.policies (policy_number, household_id, plan_year, managing_unit, category, premium,"
    "  subsidy, self_paid, coverage_start, coverage_end, plan_version, decision_id)"
    " SELECT $21, $2, $3, $4, $9, $15, $16, $17, $22, $23, $24, d.decision_id FROM d WHERE $8 = 'accepted'"
    " RETURNING policy_number),"
    "ip AS ("
    " INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index, role, masked_id,"
    "  birth_date, sex, renewal)"
    " SELECT p.policy_number, $3, u.k, u.i, u.r, u.m, u.b, u.s, u.ren"
    " FROM p, unnest($37::int[], $38::text[], $39::text[], $40::text[], $41::date[], $42::text[], $43::bool[])"
    "  AS u(i, k, r, m, b, s, ren)),"
    "f AS ("
    " INSERT INTO famins.fraud_signals (code, household_id, policy_number, plan_year, managing_unit, detail,"
    "  source_event_id)"
    " SELECT 'ALREADY_INSURED_ELSEWHERE', $2, $21, $3, $4, $44::text, $1 WHERE $44::text IS NOT NULL)"
    "SELECT decision_id FROM d";

#define DECISION_PARAMS 44

/* The fraud signal's detail: which members (by position and role) are insured under which policy. NULL
 * when no member was excluded as insured elsewhere. */
static const char *fraud_detail(char *buf, size_t len, const fm_enrollment *e, const elig_facts *facts,
                                const fm_enrollment_decision *d)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < e->n_members && used < len; i++) {
        bool named = false;
        for (size_t k = 0; k < d->members[i].n_reasons; k++)
            named = named || d->members[i].reasons[k] == FM_REASON_ALREADY_INSURED_ELSEWHERE;
        if (!named)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%smember %zu (%s) is insured under %s", used ? "; " : "",
                                 i, fm_role_name(e->members[i].role), facts->elsewhere_policy[i]);
    }
    return buf[0] ? buf : NULL;
}

fm_status elig_store_decision(PGconn *conn, elig_prepared *prep, const fm_enrollment *e, const elig_person *people,
                              const elig_facts *facts, const fm_enrollment_decision *d,
                              const elig_explanation *explanation, const elig_source *src, fm_error *err)
{
    fm_status st = FM_ENOMEM;
    PGresult *res = NULL;
    sbuf b[17];
    memset(b, 0, sizeof b);
    bool accepted = d->outcome == FM_ENROLLMENT_ACCEPTED;
    char year[16], submitted[16], n_children[16], n_adults[16], premium[24], subsidy[24], self_paid[24];
    char city[24], district[24], zone[24], cov_start[16], cov_end[16], partition[16], offset[24];
    char detail[1024];
    snprintf(year, sizeof year, "%d", e->plan_year);
    fm_date_format(e->submitted_on, submitted, sizeof submitted);
    snprintf(n_children, sizeof n_children, "%zu", d->n_insured_children);
    snprintf(n_adults, sizeof n_adults, "%zu", d->n_insured - d->n_insured_children);
    snprintf(premium, sizeof premium, "%" PRId64, d->premium);
    snprintf(subsidy, sizeof subsidy, "%" PRId64, d->subsidy);
    snprintf(self_paid, sizeof self_paid, "%" PRId64, d->self_paid);
    snprintf(city, sizeof city, "%" PRId64, d->subsidy_split.city);
    snprintf(district, sizeof district, "%" PRId64, d->subsidy_split.district_or_county);
    snprintf(zone, sizeof zone, "%" PRId64, d->subsidy_split.development_zone);
    fm_date_format(d->coverage_start, cov_start, sizeof cov_start);
    fm_date_format(d->coverage_end, cov_end, sizeof cov_end);
    snprintf(partition, sizeof partition, "%" PRId32, src->partition);
    snprintf(offset, sizeof offset, "%" PRId64, src->offset);

    /* Members: b[3..9]; insured persons: b[10..16]. */
    for (size_t i = 0; i < e->n_members; i++) {
        const fm_member_decision *md = &d->members[i];
        char rs[256];
        reasons_joined(rs, sizeof rs, md->reasons, md->n_reasons);
        arr_int(&b[3], (long long)i);
        arr_text(&b[4], fm_role_name(e->members[i].role));
        arr_text(&b[5], people[i].valid ? people[i].key : NULL);
        arr_text(&b[6], people[i].masked);
        arr_bool(&b[7], md->insured);
        arr_bool(&b[8], md->renewal);
        arr_text(&b[9], rs);
        if (accepted && md->insured && people[i].valid) {
            char birth[16];
            fm_date_format(people[i].birth_date, birth, sizeof birth);
            arr_int(&b[10], (long long)i);
            arr_text(&b[11], people[i].key);
            arr_text(&b[12], fm_role_name(e->members[i].role));
            arr_text(&b[13], people[i].masked);
            arr_text(&b[14], birth);
            arr_text(&b[15], elig_sex_code(people[i].sex));
            arr_bool(&b[16], md->renewal);
        }
    }
    const char *params[DECISION_PARAMS] = {
        e->event_id ? e->event_id : "",
        e->household_id,
        year,
        e->managing_unit,
        submitted,
        e->agent.agent_id, /* NULL when the event has no agent */
        fm_consent_channel_name(e->consent.channel),
        fm_enrollment_outcome_name(d->outcome),
        accepted ? fm_category_name(d->category) : NULL,
        reasons_array(&b[0], d->reasons, d->n_reasons),
        reasons_array(&b[1], d->notes, d->n_notes),
        reasons_array(&b[2], d->applicant_reasons, d->n_applicant_reasons),
        n_children,
        n_adults,
        premium,
        subsidy,
        self_paid,
        city,
        district,
        zone,
        accepted ? d->policy_number : NULL,
        accepted ? cov_start : NULL,
        accepted ? cov_end : NULL,
        d->plan_version,
        explanation->en,
        explanation->zh,
        src->topic,
        partition,
        offset,
    };
    for (int k = 3; k <= 16; k++)
        params[29 + k - 3] = arr_end(&b[k]);
    params[43] = fraud_detail(detail, sizeof detail, e, facts, d);
    for (int k = 0; k < 17; k++)
        if (b[k].oom)
            goto fail;
    st = run(conn, prep, "elig_decision", DECISION_SQL, DECISION_PARAMS, params, &res, err);
fail:
    PQclear(res);
    for (int k = 0; k < 17; k++)
        sb_free(&b[k]);
    return st;
}
