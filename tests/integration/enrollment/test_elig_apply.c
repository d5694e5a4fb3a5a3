/* test_elig_apply.c — the eligibility service's apply step against the real PostgreSQL, as
 * famins_eligibility: the codec's hand-computed examples, people listed in two households, households
 * enrolling twice, renewals. */
#include <dirent.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elig_apply.h"
#include "fm_dates.h"
#include "fm_decode.h"
#include "fm_idnum.h"
#include "fm_person.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "fm_test.h"

#define SECRET "famins-test-secret"
#define KEY_ID "k1"

typedef struct fixture {
    PGconn *admin; /* seeds facts, reads every table */
    PGconn *elig;  /* famins_eligibility: what the service may do */
    fm_plan_catalogue *cat;
    elig_config cfg;
    fm_keyring keyring; /* k1 under SECRET: the service's keyring unless a test rotates it */
    char examples[1024];
} fixture;

static fixture fx;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

/* A one-value query as text ("" for NULL); the caller frees. */
static char *scalar(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s (%d rows)", sql, PQerrorMessage(c), PQntuples(r));
    char *v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static long long scalar_int(PGconn *c, const char *sql, int n, const char *const *params)
{
    char *v = scalar(c, sql, n, params);
    long long x = atoll(v);
    free(v);
    return x;
}

static void reset_tables(void)
{
    exec_ok(fx.admin, "TRUNCATE famins.insured_persons, famins.policies, famins.enrollment_members, "
                      "famins.enrollment_decisions, famins.fraud_signals, famins.member_coverage, "
                      "famins.policy_status, famins.premium_payments, famins.policy_changes"); /* 071 */
}

static int setup(void **state)
{
    (void)state;
    const char *admin = getenv("FAMINS_PG_DSN"), *elig = getenv("FAMINS_ELIG_DSN"),
               *src = getenv("FAMINS_SOURCE_DIR");
    if (admin == NULL || elig == NULL || src == NULL) {
        fprintf(stderr,
                "FAMINS_PG_DSN, FAMINS_ELIG_DSN and FAMINS_SOURCE_DIR must be set (run through CTest)\n");
        return -1;
    }
    fx.admin = PQconnectdb(admin);
    fx.elig = PQconnectdb(elig);
    if (PQstatus(fx.admin) != CONNECTION_OK || PQstatus(fx.elig) != CONNECTION_OK)
        return -1;
    char plans[1024];
    snprintf(plans, sizeof plans, "%s/schemas/plans", src);
    snprintf(fx.examples, sizeof fx.examples, "%s/schemas/examples/enrollment.submitted/valid", src);
    fm_error err;
    if (fm_plan_catalogue_load(plans, &fx.cat, &err) != FM_OK)
        return -1;
    fx.cfg.catalogue = fx.cat;
    if (fm_keyring_init(&fx.keyring, KEY_ID, SECRET, &err) != FM_OK)
        return -1;
    fx.cfg.keyring = &fx.keyring;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(fx.admin);
    PQfinish(fx.elig);
    fm_plan_catalogue_free(fx.cat);
    return 0;
}

/* Decodes the n texts and applies them as one batch on conn, inside the transaction the caller opened, the
 * way the service does: facts of all of them in one read, decisions in order, then the rows written. The
 * first failing step's status is returned (results before it are filled). */
static fm_status apply_batch(PGconn *conn, const char *const *texts, size_t n, int64_t first_offset,
                             elig_result *res, fm_error *err)
{
    fm_enrollment events[4];
    const fm_enrollment *list[4];
    assert_true(n <= 4);
    for (size_t i = 0; i < n; i++) {
        if (fm_decode_enrollment(texts[i], strlen(texts[i]), &events[i], err) != FM_OK)
            fail_msg("example does not decode: %s %s %s", err->path, err->code, err->text);
        list[i] = &events[i];
    }
    elig_batch b = {0};
    elig_batch_begin(&b);
    fm_status st = elig_batch_prepare(&b, conn, fx.cfg.keyring, list, n, err);
    for (size_t i = 0; i < n && st == FM_OK; i++) {
        elig_source src = {
            .topic = "enrollment.submitted", .partition = 0, .offset = first_offset + (int64_t)i};
        st = elig_apply(&b, &fx.cfg, &events[i], &src, "2026-01-15T10:00:00Z", &res[i], err);
    }
    if (st == FM_OK)
        st = elig_batch_write(&b, conn, err);
    elig_batch_free(&b);
    for (size_t i = 0; i < n; i++)
        fm_enrollment_free(&events[i]);
    return st;
}

static fm_status apply_text(PGconn *conn, const char *text, int64_t offset, elig_result *res, fm_error *err)
{
    const char *texts[1] = {text};
    return apply_batch(conn, texts, 1, offset, res, err);
}

/* Applies in a transaction of its own and commits. */
static void apply_commit(const char *text, int64_t offset, elig_result *res)
{
    fm_error err = {0};
    exec_ok(fx.elig, "BEGIN");
    fm_status st = apply_text(fx.elig, text, offset, res, &err);
    if (st != FM_OK)
        fail_msg("elig_apply: %s %s %s", fm_status_name(st), err.code, err.text);
    exec_ok(fx.elig, "COMMIT");
}

/* The identity number with the right check character for area + birth (YYYYMMDD) + sequence. */
static void make_id(const char *area, const char *birth, int seq, char out[19])
{
    char first17[18];
    snprintf(first17, sizeof first17, "%s%s%03d", area, birth, seq);
    snprintf(out, 19, "%s%c", first17, fm_idnum_check_char(first17));
}

/* Seeds a committed policy of household hh (plan year year) insuring the given numbers (may be 0 of them). */
static void seed_policy(const char *hh, int year, const char *const *ids, size_t n_ids)
{
    char y[8], policy[64], eid[80];
    snprintf(y, sizeof y, "%d", year);
    snprintf(policy, sizeof policy, "FJ%d-%s", year, hh);
    snprintf(eid, sizeof eid, "seed-%s-%d", hh, year);
    const char *p[4] = {eid, hh, y, policy};
    PGresult *r = PQexecParams(
        fx.admin,
        "WITH d AS (INSERT INTO famins.enrollment_decisions (source_event_id, household_id, plan_year, "
        "managing_unit,"
        " submitted_on, outcome, category, policy_number, plan_version, explanation_en, explanation_zh, "
        "source_topic,"
        " source_partition, source_offset) VALUES ($1, $2, $3::int, '610113', make_date($3::int, 1, 2), "
        "'accepted',"
        " 'B', $4, 'seed', 'seed', 'seed', 'seed', 0, 0) RETURNING decision_id) "
        "INSERT INTO famins.policies (policy_number, household_id, plan_year, managing_unit, category, "
        "premium,"
        " subsidy, self_paid, coverage_start, coverage_end, plan_version, decision_id) SELECT $4, $2, "
        "$3::int,"
        " '610113', 'B', 16500, 0, 16500, make_date($3::int, 3, 1), make_date($3::int + 1, 2, 28), 'seed',"
        " decision_id FROM d",
        4, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("seed policy: %s", PQerrorMessage(fx.admin));
    PQclear(r);
    for (size_t i = 0; i < n_ids; i++) {
        char key[FM_PERSON_KEY_LEN], idx[24];
        assert_int_equal(fm_person_key(KEY_ID, SECRET, ids[i], key), FM_OK);
        snprintf(idx, sizeof idx, "%zu", i);
        const char *q[5] = {policy, y, key, idx, "**************0000"};
        r = PQexecParams(
            fx.admin,
            "INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index, role,"
            " masked_id, birth_year, sex, renewal) VALUES ($1, $2::int, $3, $4::int, 'parent', $5,"
            " 1985, 'M', false)",
            5, NULL, q, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fail_msg("seed insured person: %s", PQerrorMessage(fx.admin));
        PQclear(r);
    }
}

/* ---- the examples ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "{A,B}" of the expected codes, as PostgreSQL prints a text[]. */
static void codes_text(json_t *arr, bool household_only, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "{");
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *code =
            json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "code"));
        if (household_only && json_object_get(v, "member_index") != NULL)
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s", n++ ? "," : "", code);
    }
    snprintf(buf + used, len - used, "}");
}

static const char *json_text_or_empty(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Seeds the facts file's facts for the example event (household policy, members insured elsewhere). */
static void seed_facts(json_t *event, json_t *facts)
{
    const char *hh = json_string_value(json_object_get(event, "household_id"));
    int year = (int)json_integer_value(json_object_get(event, "plan_year"));
    if (json_is_true(json_object_get(facts, "household_has_policy")))
        seed_policy(hh, year, NULL, 0);
    json_t *members = json_object_get(facts, "members"), *m;
    size_t i;
    json_array_foreach(members, i, m)
    {
        if (!json_is_true(json_object_get(m, "insured_elsewhere")))
            continue;
        char other[40];
        snprintf(other, sizeof other, "SEED%zu-%s", i, hh);
        const char *id = json_string_value(
            json_object_get(json_array_get(json_object_get(event, "members"), i), "id_number"));
        seed_policy(other, year, &id, 1);
    }
}

static void check_example(const char *name)
{
    char path[4096], base[2048];
    size_t stem = strlen(name) - 5 < 256 ? strlen(name) - 5 : 256;
    snprintf(base, sizeof base, "%.1024s/%.*s", fx.examples, (int)stem, name);
    snprintf(path, sizeof path, "%s.json", base);
    char *text = read_file(path);
    assert_non_null(text);
    json_t *event = json_loads(text, 0, NULL);
    snprintf(path, sizeof path, "%s.expected.json", base);
    json_t *want = json_load_file(path, 0, NULL);
    assert_non_null(want);
    snprintf(path, sizeof path, "%s.facts.json", base);
    json_t *facts = json_load_file(path, 0, NULL);

    print_message("example %s\n", name);
    reset_tables();
    if (facts != NULL)
        seed_facts(event, facts);
    elig_result res;
    apply_commit(text, 7, &res);

    const char *eid = json_string_value(json_object_get(event, "event_id"));
    const char *p[1] = {eid};
    PGresult *r =
        PQexecParams(fx.admin,
                     "SELECT outcome, coalesce(category, ''), reasons::text, notes::text,"
                     " applicant_reasons::text, premium, subsidy, self_paid, subsidy_city, subsidy_district,"
                     " subsidy_zone, coalesce(policy_number, ''), coalesce(coverage_start::text, ''),"
                     " coalesce(coverage_end::text, ''), plan_version, explanation_en, explanation_zh,"
                     " decision_id, insured_children + insured_adults"
                     " FROM famins.enrollment_decisions WHERE source_event_id = $1",
                     1, NULL, p, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    if (PQntuples(r) != 1)
        fail_msg("%s: %d decision rows", name, PQntuples(r));
    char codes[512];
    assert_string_equal(PQgetvalue(r, 0, 0), json_string_value(json_object_get(want, "outcome")));
    assert_string_equal(PQgetvalue(r, 0, 1), json_text_or_empty(json_object_get(want, "category")));
    codes_text(json_object_get(want, "reasons"), true, codes, sizeof codes);
    assert_string_equal(PQgetvalue(r, 0, 2), codes);
    codes_text(json_object_get(want, "notes"), false, codes, sizeof codes);
    assert_string_equal(PQgetvalue(r, 0, 3), codes);
    codes_text(json_object_get(want, "applicant_reasons"), false, codes, sizeof codes);
    assert_string_equal(PQgetvalue(r, 0, 4), codes);
    assert_fen_equal(atoll(PQgetvalue(r, 0, 5)), json_integer_value(json_object_get(want, "premium")));
    assert_fen_equal(atoll(PQgetvalue(r, 0, 6)), json_integer_value(json_object_get(want, "subsidy")));
    assert_fen_equal(atoll(PQgetvalue(r, 0, 7)), json_integer_value(json_object_get(want, "self_paid")));
    json_t *split = json_object_get(want, "subsidy_split");
    assert_fen_equal(atoll(PQgetvalue(r, 0, 8)), json_integer_value(json_object_get(split, "city")));
    assert_fen_equal(atoll(PQgetvalue(r, 0, 9)),
                     json_integer_value(json_object_get(split, "district_or_county")));
    assert_fen_equal(atoll(PQgetvalue(r, 0, 10)),
                     json_integer_value(json_object_get(split, "development_zone")));
    assert_string_equal(PQgetvalue(r, 0, 11), json_text_or_empty(json_object_get(want, "policy_number")));
    assert_string_equal(PQgetvalue(r, 0, 12), json_text_or_empty(json_object_get(want, "coverage_start")));
    assert_string_equal(PQgetvalue(r, 0, 13), json_text_or_empty(json_object_get(want, "coverage_end")));
    assert_true(strlen(PQgetvalue(r, 0, 15)) > 10);
    assert_true(strlen(PQgetvalue(r, 0, 16)) > 5);
    char *row_en = strdup(PQgetvalue(r, 0, 15)), *row_zh = strdup(PQgetvalue(r, 0, 16));
    assert_true(row_en != NULL && row_zh != NULL);
    char decision_id[24];
    snprintf(decision_id, sizeof decision_id, "%s", PQgetvalue(r, 0, 17));
    long long n_insured = atoll(PQgetvalue(r, 0, 18));
    PQclear(r);

    /* The members, each with its status and reasons. */
    const char *d[1] = {decision_id};
    r = PQexecParams(
        fx.admin,
        "SELECT member_index, insured, reasons::text, person_key IS NOT NULL FROM famins.enrollment_members"
        " WHERE decision_id = $1::bigint ORDER BY member_index",
        1, NULL, d, NULL, NULL, 0);
    json_t *members = json_object_get(want, "members");
    assert_int_equal((size_t)PQntuples(r), json_array_size(members));
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *m = json_array_get(members, (size_t)i);
        bool insured = strcmp(json_string_value(json_object_get(m, "status")), "insured") == 0;
        assert_string_equal(PQgetvalue(r, i, 1), insured ? "t" : "f");
        codes_text(json_object_get(m, "reasons"), false, codes, sizeof codes);
        assert_string_equal(PQgetvalue(r, i, 2), codes);
    }
    PQclear(r);

    /* Accepted: one policy, and one insured person per insured member, keyed, with birth date and sex. */
    bool accepted = strcmp(json_string_value(json_object_get(want, "outcome")), "accepted") == 0;
    long long policies =
        scalar_int(fx.admin, "SELECT count(*) FROM famins.policies WHERE decision_id = $1::bigint", 1, d);
    assert_int_equal(policies, accepted ? 1 : 0);
    long long persons =
        scalar_int(fx.admin,
                   "SELECT count(*) FROM famins.insured_persons ip JOIN famins.policies p USING"
                   " (policy_number) WHERE p.decision_id = $1::bigint",
                   1, d);
    assert_int_equal(persons, accepted ? n_insured : 0);
    if (accepted) {
        json_t *ms = json_object_get(event, "members"), *m;
        size_t i;
        json_array_foreach(ms, i, m)
        {
            if (strcmp(json_string_value(json_object_get(json_array_get(members, i), "status")), "insured") !=
                0)
                continue;
            fm_idnum id;
            assert_int_equal(
                fm_idnum_parse(json_string_value(json_object_get(m, "id_number")), 100000, &id, NULL), FM_OK);
            char key[FM_PERSON_KEY_LEN], birth[16];
            assert_int_equal(fm_person_key(KEY_ID, SECRET, id.canonical, key), FM_OK);
            int yy, mm, dd;
            fm_date_to_ymd(id.birth_date, &yy, &mm, &dd);
            snprintf(birth, sizeof birth, "%04d", yy);
            const char *q[4] = {key, birth, id.sex == FM_SEX_MALE ? "M" : "F", id.canonical + 14};
            /* The year of birth only, and a mask of the last 4 characters. */
            assert_int_equal(scalar_int(fx.admin,
                                        "SELECT count(*) FROM famins.insured_persons WHERE person_key = $1"
                                        " AND birth_year = $2::int AND sex = $3"
                                        " AND upper(masked_id) = repeat('*', 14) || $4",
                                        4, q),
                             1);
        }
    }

    /* The decided event: an enrollment.decided for this source, with the derived id. */
    json_t *dec = json_loads(res.payload, 0, NULL);
    assert_non_null(dec);
    assert_string_equal(json_string_value(json_object_get(dec, "type")), "enrollment.decided");
    assert_string_equal(json_string_value(json_object_get(dec, "source_event_id")), eid);
    char want_id[ELIG_EVENT_ID_LEN];
    snprintf(want_id, sizeof want_id, "dec-%s", eid);
    assert_string_equal(json_string_value(json_object_get(dec, "event_id")), want_id);
    assert_string_equal(json_string_value(json_object_get(dec, "outcome")),
                        json_string_value(json_object_get(want, "outcome")));
    fm_envelope env;
    fm_error err;
    assert_int_equal(fm_decode_envelope(res.payload, strlen(res.payload), 0, &env, &err), FM_OK);
    /* The row and the event carry the same explanation (built once, elig_apply). */
    json_t *expl = json_object_get(dec, "explanation");
    assert_string_equal(json_string_value(json_object_get(expl, "en")), row_en);
    assert_string_equal(json_string_value(json_object_get(expl, "zh")), row_zh);
    free(row_en);
    free(row_zh);
    json_decref(dec);
    elig_result_free(&res);
    json_decref(event);
    json_decref(want);
    json_decref(facts);
    free(text);
}

static void every_example_is_decided_and_stored_as_hand_computed(void **state)
{
    (void)state;
    DIR *dir = opendir(fx.examples);
    assert_non_null(dir);
    char *names[256];
    size_t n = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL && n < 256)
        if (ends_with(ent->d_name, ".json") && !ends_with(ent->d_name, ".expected.json") &&
            !ends_with(ent->d_name, ".facts.json"))
            names[n++] = strdup(ent->d_name);
    closedir(dir);
    qsort(names, n, sizeof names[0], cmp_str);
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        check_example(names[i]);
        free(names[i]);
    }
}

/* ---- people and households ---- */

/* A category-B household of hh with the given children (and one parent), as event text (caller frees). */
static char *household_event(const char *event_id, const char *hh, const char *const *children,
                             size_t n_children, const char *parent, bool previously_insured)
{
    json_t *o = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:b, s:n,"
        " s:{s:n, s:b}, s:{s:s, s:s, s:s}, s:{s:b, s:s, s:s}, s:{s:s, s:s}}",
        "event_id", event_id, "type", "enrollment.submitted", "schema_version", 1, "occurred_at",
        "2026-01-15T09:30:00+08:00", "producer", "test", "household_id", hh, "plan_year", 2026,
        "submitted_on", "2026-01-15", "managing_unit", "610113", "xian_registration", 1,
        "resident_in_xian_since", "category_evidence", "only_child_certificate", "rural_two_daughter", 0,
        "applicant", "id_number", parent, "name", "家长", "relation", "parent", "consent", "given", 1, "at",
        "2026-01-15T09:20:00+08:00", "channel", "paper", "agent", "agent_id", "AG-1", "name", "李娜");
    json_t *ms = json_array();
    for (size_t i = 0; i < n_children; i++)
        json_array_append_new(ms, json_pack("{s:s, s:s, s:s, s:b}", "role", "child", "id_number", children[i],
                                            "name", "孩子", "previously_insured", previously_insured));
    json_array_append_new(ms, json_pack("{s:s, s:s, s:s, s:b}", "role", "parent", "id_number", parent, "name",
                                        "家长", "previously_insured", previously_insured));
    json_object_set_new(o, "members", ms);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static void same_child_in_two_households_first_accepted_wins(bool one_transaction)
{
    reset_tables();
    char shared[19], own[19], p1[19], p2[19];
    make_id("610113", "20150302", 12, shared);
    make_id("610113", "20170407", 24, own);
    make_id("610113", "19860101", 31, p1);
    make_id("610104", "19870202", 41, p2);
    const char *c1[1] = {shared};
    const char *c2[2] = {own, shared};
    char *e1 = household_event("t-two-1", "HTWO1", c1, 1, p1, false);
    char *e2 = household_event("t-two-2", "HTWO2", c2, 2, p2, false);
    elig_result r1, r2;
    fm_error err = {0};
    if (one_transaction) { /* one batch: the second event must see the first one's uncommitted rows */
        const char *texts[2] = {e1, e2};
        elig_result rs[2];
        exec_ok(fx.elig, "BEGIN");
        assert_int_equal(apply_batch(fx.elig, texts, 2, 1, rs, &err), FM_OK);
        exec_ok(fx.elig, "COMMIT");
        r1 = rs[0];
        r2 = rs[1];
    } else {
        apply_commit(e1, 1, &r1);
        apply_commit(e2, 2, &r2);
    }
    assert_int_equal(r1.decision.outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(r2.decision.outcome, FM_ENROLLMENT_ACCEPTED);
    assert_true(r2.decision.members[0].insured);
    assert_false(r2.decision.members[1].insured);
    assert_int_equal(r2.decision.members[1].reasons[0], FM_REASON_ALREADY_INSURED_ELSEWHERE);

    char key[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key(KEY_ID, SECRET, shared, key), FM_OK);
    const char *k[1] = {key};
    char *policy =
        scalar(fx.admin, "SELECT policy_number FROM famins.insured_persons WHERE person_key = $1", 1, k);
    assert_string_equal(policy, "FJ2026-HTWO1");
    free(policy);
    char *members = scalar(
        fx.admin,
        "SELECT string_agg(m.reasons::text, ' ' ORDER BY m.member_index) FROM famins.enrollment_members m"
        " JOIN famins.enrollment_decisions d USING (decision_id) WHERE d.source_event_id = 't-two-2'",
        0, NULL);
    assert_string_equal(members, "{} {ALREADY_INSURED_ELSEWHERE} {}");
    free(members);
    /* One fraud signal for the second listing, naming the member by position and the policy, not the number.
     */
    assert_int_equal(scalar_int(fx.admin, "SELECT count(*) FROM famins.fraud_signals", 0, NULL), 1);
    char *detail = scalar(fx.admin,
                          "SELECT code || '|' || household_id || '|' || policy_number || '|' || detail"
                          " FROM famins.fraud_signals WHERE source_event_id = 't-two-2'",
                          0, NULL);
    assert_string_equal(detail,
                        "ALREADY_INSURED_ELSEWHERE|HTWO2|FJ2026-HTWO2|member 1 (child) is insured under "
                        "FJ2026-HTWO1");
    free(detail);
    elig_result_free(&r1);
    elig_result_free(&r2);
    free(e1);
    free(e2);
}

static void same_child_in_two_households_in_one_batch(void **state)
{
    (void)state;
    same_child_in_two_households_first_accepted_wins(true);
}

static void same_child_in_two_households_in_two_batches(void **state)
{
    (void)state;
    same_child_in_two_households_first_accepted_wins(false);
}

/* An only listing insured elsewhere leaves no eligible child: rejected, and still a fraud signal. */
static void household_whose_only_child_is_insured_elsewhere_is_rejected_with_a_signal(void **state)
{
    (void)state;
    reset_tables();
    char child[19], p1[19], p2[19];
    make_id("610113", "20150302", 52, child);
    make_id("610113", "19860101", 71, p1);
    make_id("610113", "19870101", 81, p2);
    const char *c[1] = {child};
    char *e1 = household_event("t-only-1", "HONLY1", c, 1, p1, false);
    char *e2 = household_event("t-only-2", "HONLY2", c, 1, p2, false);
    elig_result r1, r2;
    apply_commit(e1, 1, &r1);
    apply_commit(e2, 2, &r2);
    assert_int_equal(r2.decision.outcome, FM_ENROLLMENT_REJECTED);
    char *reasons = scalar(
        fx.admin, "SELECT reasons::text FROM famins.enrollment_decisions WHERE source_event_id = 't-only-2'",
        0, NULL);
    assert_string_equal(reasons, "{NO_ELIGIBLE_CHILD}");
    free(reasons);
    assert_int_equal(scalar_int(fx.admin, "SELECT count(*) FROM famins.policies", 0, NULL), 1);
    assert_int_equal(scalar_int(fx.admin,
                                "SELECT count(*) FROM famins.fraud_signals WHERE source_event_id = 't-only-2'"
                                " AND policy_number IS NULL",
                                0, NULL),
                     1);
    elig_result_free(&r1);
    elig_result_free(&r2);
    free(e1);
    free(e2);
}

static void household_enrolling_twice_gets_already_enrolled_and_one_policy(void **state)
{
    (void)state;
    reset_tables();
    char child[19], parent[19];
    make_id("610113", "20160505", 92, child);
    make_id("610113", "19850505", 13, parent);
    const char *c[1] = {child};
    char *e1 = household_event("t-twice-1", "HTWICE", c, 1, parent, false);
    char *e2 = household_event("t-twice-2", "HTWICE", c, 1, parent, false);
    elig_result r1, r2;
    fm_error err = {0};
    const char *texts[2] = {e1, e2};
    elig_result rs[2];
    exec_ok(fx.elig, "BEGIN"); /* one batch: the second must see the first policy */
    assert_int_equal(apply_batch(fx.elig, texts, 2, 1, rs, &err), FM_OK);
    exec_ok(fx.elig, "COMMIT");
    r1 = rs[0];
    r2 = rs[1];
    assert_int_equal(r1.decision.outcome, FM_ENROLLMENT_ACCEPTED);
    assert_int_equal(r2.decision.outcome, FM_ENROLLMENT_REJECTED);
    char *reasons =
        scalar(fx.admin,
               "SELECT reasons::text || coalesce(policy_number, '-') FROM famins.enrollment_decisions"
               " WHERE source_event_id = 't-twice-2'",
               0, NULL);
    assert_string_equal(reasons, "{ALREADY_ENROLLED}-");
    free(reasons);
    assert_int_equal(
        scalar_int(fx.admin, "SELECT count(*) FROM famins.policies WHERE household_id = 'HTWICE'", 0, NULL),
        1);
    /* Its own members are not "insured elsewhere": no fraud signal. */
    assert_int_equal(scalar_int(fx.admin, "SELECT count(*) FROM famins.fraud_signals", 0, NULL), 0);
    elig_result_free(&r1);
    elig_result_free(&r2);
    free(e1);
    free(e2);
}

static void member_insured_last_plan_year_is_a_renewal(void **state)
{
    (void)state;
    reset_tables();
    char child[19], parent[19];
    make_id("610113", "20160606", 14, child);
    make_id("610113", "19850606", 25, parent);
    const char *last[1] = {child};
    seed_policy("HRENEW", 2025, last, 1);
    const char *c[1] = {child};
    char *e = household_event("t-renew", "HRENEW", c, 1, parent, false);
    elig_result r;
    apply_commit(e, 1, &r);
    assert_int_equal(r.decision.outcome, FM_ENROLLMENT_ACCEPTED);
    char *renewals = scalar(fx.admin,
                            "SELECT string_agg(role || '=' || renewal::text, ',' ORDER BY member_index)"
                            " FROM famins.insured_persons WHERE policy_number = 'FJ2026-HRENEW'",
                            0, NULL);
    assert_string_equal(renewals, "child=true,parent=false");
    free(renewals);
    elig_result_free(&r);
    free(e);
}

/* After a rotation (current key k2, k1 previous), people stored under k1 are still found: insured in another
 * household this plan year, and insured the year before (a renewal); the new rows are keyed under k2. */
static void people_stored_under_a_previous_key_are_found_after_a_rotation(void **state)
{
    (void)state;
    reset_tables();
    char child[19], renewing[19], parent[19], parent2[19];
    make_id("610113", "20170808", 16, child);
    make_id("610113", "20170909", 27, renewing);
    make_id("610113", "19850808", 38, parent);
    make_id("610113", "19860808", 49, parent2);
    const char *elsewhere[1] = {child}, *last[1] = {renewing};
    seed_policy("HROTA", 2026, elsewhere, 1); /* under k1, as before the rotation */
    seed_policy("HROTB", 2025, last, 1);
    fm_keyring rotated;
    fm_error err = {0};
    assert_int_equal(fm_keyring_init(&rotated, "k2", "famins-test-secret-2", &err), FM_OK);
    assert_int_equal(fm_keyring_add(&rotated, KEY_ID, SECRET, &err), FM_OK);
    fx.cfg.keyring = &rotated;
    const char *c[2] = {child, renewing};
    char *e = household_event("t-rot", "HROTB", c, 2, parent, false);
    const char *c2[1] = {child};
    char *e2 = household_event("t-rot-2", "HROTC", c2, 1, parent2, false);
    elig_result r, r2;
    apply_commit(e, 1, &r);
    apply_commit(e2, 2, &r2);
    fx.cfg.keyring = &fx.keyring;
    assert_int_equal(r.decision.outcome, FM_ENROLLMENT_ACCEPTED);
    assert_false(r.decision.members[0].insured);
    assert_int_equal(r.decision.members[0].reasons[0], FM_REASON_ALREADY_INSURED_ELSEWHERE);
    assert_true(r.decision.members[1].insured);
    assert_true(r.decision.members[1].renewal);
    /* The child insured under k1 in HROTA is not insured again (under k2) by a third household either. */
    assert_int_equal(r2.decision.outcome, FM_ENROLLMENT_REJECTED);
    char *rows =
        scalar(fx.admin,
               "SELECT string_agg(role || '=' || renewal::text || '@' || split_part(person_key, ':', 1), ','"
               " ORDER BY member_index) FROM famins.insured_persons WHERE policy_number = 'FJ2026-HROTB'",
               0, NULL);
    assert_string_equal(rows, "child=true@k2,parent=false@k2");
    free(rows);
    char k2[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key("k2", "famins-test-secret-2", renewing, k2), FM_OK);
    const char *k[1] = {k2};
    assert_int_equal(
        scalar_int(fx.admin, "SELECT count(*) FROM famins.insured_persons WHERE person_key = $1", 1, k), 1);
    assert_int_equal(
        scalar_int(fx.admin,
                   "SELECT count(*) FROM famins.fraud_signals"
                   " WHERE source_event_id IN ('t-rot', 't-rot-2') AND detail LIKE '%FJ2026-HROTA%'",
                   0, NULL),
        2);
    fm_keyring_clear(&rotated);
    elig_result_free(&r);
    elig_result_free(&r2);
    free(e);
    free(e2);
}

/* What users rely on: the database never holds an identity number, in any table the service writes. */
static void no_identity_number_is_stored(void **state)
{
    (void)state;
    reset_tables();
    char child[19], shared[19], parent[19];
    make_id("610113", "20160707", 36, child);
    make_id("610113", "20150707", 47, shared);
    make_id("610113", "19850707", 58, parent);
    const char *c1[2] = {child, shared};
    const char *c2[1] = {shared};
    char *e1 = household_event("t-pii-1", "HPII1", c1, 2, parent, true);
    char *e2 = household_event("t-pii-2", "HPII2", c2, 1, parent, true);
    elig_result r1, r2;
    apply_commit(e1, 1, &r1);
    apply_commit(e2, 2, &r2);
    const char *ids[3] = {child, shared, parent};
    const char *tables[5] = {"enrollment_decisions", "enrollment_members", "policies", "insured_persons",
                             "fraud_signals"};
    for (int t = 0; t < 5; t++)
        for (int i = 0; i < 3; i++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM famins.%s t WHERE strpos(t::text, $1) > 0",
                     tables[t]);
            const char *p[1] = {ids[i]};
            assert_int_equal(scalar_int(fx.admin, sql, 1, p), 0);
            assert_null(strstr(r1.payload, ids[i]));
            assert_null(strstr(r2.payload, ids[i]));
        }
    /* Nor the parts a mask could be completed with: the birth date (8 digits) and the first 4 characters
     * before the last 4, in any column of the person tables. */
    for (int i = 0; i < 3; i++) {
        char birth[9], head[5];
        memcpy(birth, ids[i] + 6, 8);
        birth[8] = '\0';
        memcpy(head, ids[i], 4);
        head[4] = '\0';
        const char *p[2] = {birth, head};
        assert_int_equal(scalar_int(fx.admin,
                                    "SELECT (SELECT count(*) FROM famins.insured_persons t"
                                    "  WHERE strpos(t::text, $1) > 0 OR strpos(t.masked_id, $2) > 0)"
                                    " + (SELECT count(*) FROM famins.enrollment_members t"
                                    "  WHERE strpos(t::text, $1) > 0 OR strpos(t.masked_id, $2) > 0)",
                                    2, p),
                         0);
    }
    elig_result_free(&r1);
    elig_result_free(&r2);
    free(e1);
    free(e2);
}

/* Two workers insure the same person at once: the second waits for the first, then fails with a unique
 * violation (FM_EDB, SQLSTATE 23505) so that its batch is redone; redone, it sees the person insured. */
typedef struct racer {
    const char *text;
    fm_status st;
    fm_error err;
    elig_result res;
    PGconn *conn;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    r->st = apply_text(r->conn, r->text, 2, &r->res, &r->err);
    return NULL;
}

static void concurrent_workers_listing_one_person_the_later_batch_is_redone(void **state)
{
    (void)state;
    reset_tables();
    char shared[19], p1[19], p2[19];
    make_id("610113", "20150808", 69, shared);
    make_id("610113", "19860808", 73, p1);
    make_id("610113", "19870808", 85, p2);
    const char *c[1] = {shared};
    char *e1 = household_event("t-race-1", "HRACE1", c, 1, p1, false);
    char *e2 = household_event("t-race-2", "HRACE2", c, 1, p2, false);
    PGconn *other = PQconnectdb(getenv("FAMINS_ELIG_DSN"));
    assert_int_equal(PQstatus(other), CONNECTION_OK);
    elig_result r1;
    fm_error err = {0};
    exec_ok(fx.elig, "BEGIN");
    assert_int_equal(apply_text(fx.elig, e1, 1, &r1, &err), FM_OK);
    racer b = {.text = e2, .conn = other};
    exec_ok(other, "BEGIN");
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race, &b), 0);
    usleep(300 * 1000); /* let the second insert wait on the first's unique index entry */
    exec_ok(fx.elig, "COMMIT");
    pthread_join(t, NULL);
    assert_int_equal(b.st, FM_EDB);
    assert_string_equal(b.err.code, "23505");
    elig_result_free(&b.res);
    exec_ok(other, "ROLLBACK");
    exec_ok(other, "BEGIN");
    b.st = apply_text(other, e2, 2, &b.res, &b.err);
    assert_int_equal(b.st, FM_OK);
    exec_ok(other, "COMMIT");
    assert_int_equal(b.res.decision.outcome, FM_ENROLLMENT_REJECTED);
    assert_int_equal(b.res.decision.members[0].reasons[0], FM_REASON_ALREADY_INSURED_ELSEWHERE);
    elig_result_free(&r1);
    elig_result_free(&b.res);
    PQfinish(other);
    free(e1);
    free(e2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_example_is_decided_and_stored_as_hand_computed),
        cmocka_unit_test(same_child_in_two_households_in_one_batch),
        cmocka_unit_test(same_child_in_two_households_in_two_batches),
        cmocka_unit_test(household_whose_only_child_is_insured_elsewhere_is_rejected_with_a_signal),
        cmocka_unit_test(household_enrolling_twice_gets_already_enrolled_and_one_policy),
        cmocka_unit_test(member_insured_last_plan_year_is_a_renewal),
        cmocka_unit_test(people_stored_under_a_previous_key_are_found_after_a_rotation),
        cmocka_unit_test(no_identity_number_is_stored),
        cmocka_unit_test(concurrent_workers_listing_one_person_the_later_batch_is_redone),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
