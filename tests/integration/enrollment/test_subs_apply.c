/* test_subs_apply.c — the subsidy service's apply step against the real PostgreSQL, as famins_subsidy. */
#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_plan.h"
#include "fm_plan_read.h"
#include "fm_test.h"
#include "subs_apply.h"
#include "subs_decode.h"

typedef struct fixture {
    PGconn *admin;
    PGconn *subs;
    fm_plan_catalogue *cat;
    subs_config cfg;
} fixture;

static fixture fx;

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static char *scalar(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    char *v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static int setup(void **state)
{
    (void)state;
    const char *admin = getenv("FAMINS_PG_DSN"), *subs = getenv("FAMINS_SUBS_DSN"),
               *src = getenv("FAMINS_SOURCE_DIR");
    if (admin == NULL || subs == NULL || src == NULL)
        return -1;
    fx.admin = PQconnectdb(admin);
    fx.subs = PQconnectdb(subs);
    if (PQstatus(fx.admin) != CONNECTION_OK || PQstatus(fx.subs) != CONNECTION_OK)
        return -1;
    char plans[1024];
    snprintf(plans, sizeof plans, "%s/schemas/plans", src);
    fm_error err;
    if (fm_plan_catalogue_load(plans, &fx.cat, &err) != FM_OK)
        return -1;
    fx.cfg.catalogue = fx.cat;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PQfinish(fx.admin);
    PQfinish(fx.subs);
    fm_plan_catalogue_free(fx.cat);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    exec_ok(fx.admin, "TRUNCATE famins.subsidy_ledger");
    return 0;
}

static subs_decided accepted_a(const char *event_id, const char *hh, const char *unit, fm_fen city,
                               fm_fen district, fm_fen zone)
{
    subs_decided d = {.plan_year = 2026,
                      .outcome = FM_ENROLLMENT_ACCEPTED,
                      .category = FM_CATEGORY_A,
                      .subsidy = 4000,
                      .has_split = true,
                      .split = {city, district, zone}};
    snprintf(d.event_id, sizeof d.event_id, "%s", event_id);
    snprintf(d.household_id, sizeof d.household_id, "%s", hh);
    snprintf(d.managing_unit, sizeof d.managing_unit, "%s", unit);
    snprintf(d.policy_number, sizeof d.policy_number, "FJ2026-%s", hh);
    snprintf(d.plan_version, sizeof d.plan_version, "2026-sample-1");
    return d;
}

static fm_status apply_commit(const subs_decided *d, subs_result *res, fm_error *err)
{
    fm_copybuf ledger = {0};
    exec_ok(fx.subs, "BEGIN");
    fm_status st = subs_apply(&ledger, &fx.cfg, d, "2026-01-15T10:00:00Z", res, err);
    if (st == FM_OK)
        st = subs_ledger_write(fx.subs, &ledger, err);
    exec_ok(fx.subs, st == FM_OK ? "COMMIT" : "ROLLBACK");
    fm_copybuf_free(&ledger);
    if (st != FM_OK)
        subs_result_free(res);
    return st;
}

static void district_household_books_city_and_district_shares_and_no_zero_row(void **state)
{
    (void)state;
    subs_decided d = accepted_a("dec-e1", "H1", "610122", 2400, 1600, 0);
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&d, &res, &err), FM_OK);
    assert_true(res.allocated);
    assert_false(res.catalogue_mismatch);
    char *rows = scalar(
        fx.admin, "SELECT string_agg(payer || '=' || amount || '/' || policy_number || '/' ||"
                  " managing_unit || '/' || plan_version, ',' ORDER BY payer) FROM famins.subsidy_ledger"
                  " WHERE source_event_id = 'dec-e1'");
    assert_string_equal(rows, "city=2400/FJ2026-H1/610122/2026-sample-1,"
                              "district_or_county=1600/FJ2026-H1/610122/2026-sample-1");
    free(rows);
    json_t *ev = json_loads(res.payload, 0, NULL);
    assert_non_null(ev);
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "subsidy.allocated");
    assert_string_equal(json_string_value(json_object_get(ev, "event_id")), "sub-dec-e1");
    assert_string_equal(json_string_value(json_object_get(ev, "source_event_id")), "dec-e1");
    assert_int_equal(json_integer_value(json_object_get(ev, "total")), 4000);
    assert_int_equal(json_array_size(json_object_get(ev, "payers")), 2);
    json_decref(ev);
    subs_result_free(&res);
}

static void zone_household_books_city_and_zone_shares(void **state)
{
    (void)state;
    subs_decided d = accepted_a("dec-e2", "H2", "GXQ", 2000, 0, 2000);
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&d, &res, &err), FM_OK);
    char *rows =
        scalar(fx.admin, "SELECT string_agg(payer || '=' || amount, ',' ORDER BY payer) || ' total ' ||"
                         " sum(amount) FROM famins.subsidy_ledger");
    assert_string_equal(rows, "city=2000,development_zone=2000 total 4000");
    free(rows);
    subs_result_free(&res);
}

static void rejected_and_category_b_decisions_book_nothing(void **state)
{
    (void)state;
    subs_decided b = accepted_a("dec-b", "HB", "610113", 0, 0, 0);
    b.category = FM_CATEGORY_B;
    b.subsidy = 0;
    b.has_split = false;
    subs_decided r = accepted_a("dec-r", "HR", "610113", 0, 0, 0);
    r.outcome = FM_ENROLLMENT_REJECTED;
    r.category = FM_CATEGORY_NONE;
    r.policy_number[0] = '\0';
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&b, &res, &err), FM_OK);
    assert_false(res.allocated);
    assert_null(res.payload);
    assert_int_equal(apply_commit(&r, &res, &err), FM_OK);
    assert_false(res.allocated);
    char *n = scalar(fx.admin, "SELECT count(*) FROM famins.subsidy_ledger");
    assert_string_equal(n, "0");
    free(n);
}

static void split_not_adding_to_4000_is_refused_and_books_nothing(void **state)
{
    (void)state;
    subs_decided d = accepted_a("dec-bad", "HBAD", "610113", 2000, 1999, 0);
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&d, &res, &err), FM_EINVAL);
    assert_string_equal(err.code, "SUBSIDY_INCONSISTENT");
    assert_null(res.payload);
    d = accepted_a("dec-bad2", "HBAD2", "610113", 2000, 2000, 0);
    d.has_split = false;
    assert_int_equal(apply_commit(&d, &res, &err), FM_EINVAL);
    char *n = scalar(fx.admin, "SELECT count(*) FROM famins.subsidy_ledger");
    assert_string_equal(n, "0");
    free(n);
}

static void catalogue_mismatch_is_flagged_and_the_decisions_split_is_booked(void **state)
{
    (void)state;
    /* 610113's catalogue split is 2000/2000/0; the decision, under the same plan version, says 3000/1000/0.
     */
    subs_decided d = accepted_a("dec-mm", "HMM", "610113", 3000, 1000, 0);
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&d, &res, &err), FM_OK);
    assert_true(res.catalogue_mismatch);
    char *rows = scalar(fx.admin, "SELECT string_agg(payer || '=' || amount, ',' ORDER BY payer) FROM"
                                  " famins.subsidy_ledger");
    assert_string_equal(rows, "city=3000,district_or_county=1000");
    free(rows);
    subs_result_free(&res);
    /* Under another plan version of the year, the decision keeps its own split and is no mismatch. */
    d = accepted_a("dec-mm2", "HMM2", "610113", 3000, 1000, 0);
    snprintf(d.plan_version, sizeof d.plan_version, "2026-amended-2");
    assert_int_equal(apply_commit(&d, &res, &err), FM_OK);
    assert_false(res.catalogue_mismatch);
    subs_result_free(&res);
}

static void the_ledger_never_books_one_decision_twice(void **state)
{
    (void)state;
    subs_decided d = accepted_a("dec-twice", "HT", "610113", 2000, 2000, 0);
    subs_result res;
    fm_error err = {0};
    assert_int_equal(apply_commit(&d, &res, &err), FM_OK);
    subs_result_free(&res);
    assert_int_equal(apply_commit(&d, &res, &err), FM_EDB);
    assert_string_equal(err.code, "23505");
    char *sum = scalar(fx.admin, "SELECT sum(amount) FROM famins.subsidy_ledger");
    assert_string_equal(sum, "4000");
    free(sum);
}

/* n copies of the UTF-8 character ch (NUL-terminated in out). */
static const char *repeat(char *out, const char *ch, size_t n)
{
    size_t w = strlen(ch);
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * w, ch, w);
    out[n * w] = '\0';
    return out;
}

/* schemas/examples' accepted category-A decision with another event id, plan version and managing unit, as
 * the subsidy service decodes it from Kafka (subs_decode). */
static fm_event decoded_example(const char *event_id, const char *plan_version, const char *unit)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/schemas/examples/enrollment.decided/valid/accepted-a.json",
             getenv("FAMINS_SOURCE_DIR"));
    json_t *ev = json_load_file(path, 0, NULL);
    assert_non_null(ev);
    json_object_set_new(ev, "event_id", json_string(event_id));
    json_object_set_new(ev, "plan_version", json_string(plan_version));
    json_object_set_new(ev, "managing_unit", json_string(unit));
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    fm_event out;
    fm_error err = {0};
    fm_status st = subs_decode(text, strlen(text), 0, &out, &err);
    free(text);
    if (st != FM_OK)
        fail_msg("decode: %s %s", err.code, err.text);
    return out;
}

/* Books the decision through decode, apply and COPY as famins_subsidy; its texts are in the ledger whole. */
static void book_and_read_back(const char *event_id, const char *plan_version, const char *unit)
{
    fm_event ev = decoded_example(event_id, plan_version, unit);
    const subs_decided *d = ev.decoded;
    assert_string_equal(d->plan_version, plan_version);
    assert_string_equal(d->managing_unit, unit);
    subs_result res;
    fm_error err = {0};
    fm_status st = apply_commit(d, &res, &err);
    if (st != FM_OK)
        fail_msg("apply: %s %s %s", fm_status_name(st), err.code, err.text);
    assert_true(res.allocated);
    subs_result_free(&res);
    subs_decoded_free(&ev);

    const char *params[] = {event_id, plan_version, unit};
    PGresult *r = PQexecParams(fx.admin,
                               "SELECT count(*) FILTER (WHERE plan_version = $2 AND managing_unit = $3),"
                               " count(*) FROM famins.subsidy_ledger WHERE source_event_id = $1",
                               3, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_string_equal(PQgetvalue(r, 0, 1), "2"); /* city and district_or_county */
    assert_string_equal(PQgetvalue(r, 0, 0), "2"); /* both hold the texts whole */
    PQclear(r);
}

/* The schema allows 64 code points of plan_version and 16 of managing_unit: 30 CJK characters (90 bytes,
 * cut mid-character at 64 before, then refused by COPY as WRITE_REJECTED), and the longest values in 3- and
 * 4-byte characters, are decoded, booked and stored intact. */
static void plan_version_of_cjk_characters_is_booked_whole(void **state)
{
    (void)state;
    char version[4 * 64 + 1], unit[4 * 16 + 1];
    book_and_read_back("dec-cjk-30", repeat(version, "\xE7\x89\x88", 30), "610113"); /* 版 x 30 */
    book_and_read_back("dec-cjk-64", repeat(version, "\xE8\xAE\xA1", 64), repeat(unit, "\xE5\x8C\xBA", 16));
    book_and_read_back("dec-emoji-64", repeat(version, "\xF0\x9F\x98\x80", 64),
                       repeat(unit, "\xF0\x9F\x8F\xA0", 16));
}

static void long_event_ids_get_a_derived_id_within_64_characters(void **state)
{
    (void)state;
    char id[65], out[SUBS_TEXT_LEN], again[SUBS_TEXT_LEN];
    memset(id, 'a', 64);
    id[64] = '\0';
    assert_int_equal(subs_event_id(id, out), FM_OK);
    assert_int_equal(strlen(out), 64);
    assert_int_equal(subs_event_id(id, again), FM_OK);
    assert_string_equal(out, again);
    id[10] = 'b';
    assert_int_equal(subs_event_id(id, again), FM_OK);
    assert_string_not_equal(out, again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(district_household_books_city_and_district_shares_and_no_zero_row, reset),
        cmocka_unit_test_setup(zone_household_books_city_and_zone_shares, reset),
        cmocka_unit_test_setup(rejected_and_category_b_decisions_book_nothing, reset),
        cmocka_unit_test_setup(split_not_adding_to_4000_is_refused_and_books_nothing, reset),
        cmocka_unit_test_setup(catalogue_mismatch_is_flagged_and_the_decisions_split_is_booked, reset),
        cmocka_unit_test_setup(the_ledger_never_books_one_decision_twice, reset),
        cmocka_unit_test_setup(plan_version_of_cjk_characters_is_booked_whole, reset),
        cmocka_unit_test(long_event_ids_get_a_derived_id_within_64_characters),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
