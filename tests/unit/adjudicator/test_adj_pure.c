/* test_adj_pure.c — the adjudicator's pure helpers: factor parsing, array literals, decided event ids, the
 * plan a claim is decided with, and the fraud signals' definitions at their boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_apply.h"
#include "adj_batch.h"
#include "adj_config.h"
#include "adj_signals.h"
#include "fm_dates.h"
#include "fm_map.h"
#include "fm_pgstmt.h"
#include "fm_plan_read.h"
#include "fm_test.h"

static fm_plan_catalogue *cat;

static void factor_accepts_decimals_with_up_to_four_places(void **state)
{
    (void)state;
    int32_t bp = 0;
    assert_int_equal(adj_factor_parse("2", &bp, NULL), FM_OK);
    assert_int_equal(bp, 20000);
    assert_int_equal(adj_factor_parse("1.5", &bp, NULL), FM_OK);
    assert_int_equal(bp, 15000);
    assert_int_equal(adj_factor_parse("0.0001", &bp, NULL), FM_OK);
    assert_int_equal(bp, 1);
    assert_int_equal(adj_factor_parse("10000", &bp, NULL), FM_OK);
    assert_int_equal(bp, 100000000);
}

static void factor_refuses_zero_signs_junk_and_excess(void **state)
{
    (void)state;
    int32_t bp = 7;
    fm_error err = {0};
    const char *bad[] = {"0",       "0.0", "-1", "+1", "1.",         ".5",
                         "1.23456", "abc", "",   "2x", "10000.0001", "100000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(adj_factor_parse(bad[i], &bp, &err), FM_EINVAL);
        assert_string_equal(err.code, "BAD_FACTOR");
    }
    assert_int_equal(bp, 7);
}

static void text_array_literal_quotes_what_needs_it(void **state)
{
    (void)state;
    const char *items[] = {"a", "b\"c", "d\\e", "", "x,y{}"};
    char *s = fm_pg_text_array_literal(items, 5);
    assert_string_equal(s, "{\"a\",\"b\\\"c\",\"d\\\\e\",\"\",\"x,y{}\"}");
    free(s);
    s = fm_pg_text_array_literal(NULL, 0);
    assert_string_equal(s, "{}");
    free(s);
}

static void decided_event_id_is_stable_and_within_64_characters(void **state)
{
    (void)state;
    char a[65], b[65];
    adj_decided_event_id("clm-2026-000001", a);
    assert_string_equal(a, "famins-clm-dec-clm-2026-000001");
    char longid[65];
    memset(longid, 'x', 64);
    longid[64] = '\0';
    adj_decided_event_id(longid, a);
    adj_decided_event_id(longid, b);
    assert_string_equal(a, b);
    assert_true(strlen(a) <= 64);
    longid[63] = 'y';
    adj_decided_event_id(longid, b);
    assert_string_not_equal(a, b);
}

static void unknown_policy_is_decided_with_the_plan_of_the_incident(void **state)
{
    (void)state;
    fm_claim_context ctx = {0};
    fm_date d;
    assert_int_equal(fm_date_parse("2026-02-28", &d, NULL), FM_OK);
    assert_int_equal(adj_plan_for_claim(cat, &ctx, d)->plan_year, 2025);
    assert_int_equal(fm_date_parse("2026-03-01", &d, NULL), FM_OK);
    assert_int_equal(adj_plan_for_claim(cat, &ctx, d)->plan_year, 2026);
    assert_int_equal(fm_date_parse("2020-01-01", &d, NULL), FM_OK);
    assert_int_equal(adj_plan_for_claim(cat, &ctx, d)->plan_year, 2025); /* before every plan: the first */
    ctx.policy_found = true;
    ctx.plan_year = 2027;
    assert_int_equal(adj_plan_for_claim(cat, &ctx, d)->plan_year, 2027); /* a known policy: its plan year */
    ctx.plan_year = 2031;
    assert_null(adj_plan_for_claim(cat, &ctx, d));
}

/* A child insured from 2026-03-01 claiming accident medical, with one bill. */
static void setup_claim(fm_claim *c, fm_bill *bill, fm_claim_context *ctx, const char *incident,
                        fm_fen amount)
{
    memset(c, 0, sizeof *c);
    memset(ctx, 0, sizeof *ctx);
    memset(bill, 0, sizeof *bill);
    bill->amount = amount;
    bill->invoice_code = "1";
    bill->invoice_number = "2";
    c->claim_id = "C1";
    c->policy_number = "FJ2026-H1";
    c->liability = FM_LIAB_ACCIDENT_MEDICAL;
    c->cause = FM_CAUSE_ACCIDENT;
    c->bills = bill;
    c->n_bills = 1;
    assert_int_equal(fm_date_parse(incident, &c->incident_date, NULL), FM_OK);
    ctx->policy_found = ctx->person_found = true;
    ctx->plan_year = 2026;
    ctx->role = FM_ROLE_CHILD;
    assert_int_equal(fm_date_parse("2026-03-01", &ctx->coverage_start, NULL), FM_OK);
    assert_int_equal(fm_date_parse("2027-02-28", &ctx->coverage_end, NULL), FM_OK);
}

static bool has(const adj_signals *s, const char *code)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].code, code) == 0)
            return true;
    return false;
}

static void early_claim_is_day_0_to_29_of_a_new_persons_cover(void **state)
{
    (void)state;
    const fm_plan *plan = fm_plan_for_year(cat, 2026);
    adj_config cfg = adj_config_default();
    fm_claim c;
    fm_bill b;
    fm_claim_context ctx;
    fm_claim_decision d = {0};
    adj_signals s;
    setup_claim(&c, &b, &ctx, "2026-03-30", 1000);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "EARLY_CLAIM"));
    setup_claim(&c, &b, &ctx, "2026-03-31", 1000);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_false(has(&s, "EARLY_CLAIM"));
    setup_claim(&c, &b, &ctx, "2026-03-01", 1000);
    ctx.renewal = true;
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_false(has(&s, "EARLY_CLAIM"));
    setup_claim(&c, &b, &ctx, "2026-02-28", 1000);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "INCIDENT_BEFORE_COVERAGE"));
    assert_false(has(&s, "EARLY_CLAIM"));
}

static void amount_unusual_is_strictly_above_factor_times_the_person_limit(void **state)
{
    (void)state;
    const fm_plan *plan = fm_plan_for_year(cat, 2026); /* child accident medical limit 1 000 000 */
    adj_config cfg = adj_config_default();
    fm_claim c;
    fm_bill b;
    fm_claim_context ctx;
    fm_claim_decision d = {0};
    adj_signals s;
    setup_claim(&c, &b, &ctx, "2026-06-01", 2000000);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_false(has(&s, "AMOUNT_UNUSUAL"));
    setup_claim(&c, &b, &ctx, "2026-06-01", 2000001);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "AMOUNT_UNUSUAL"));
    cfg.unusual_factor_bp = 15000;
    setup_claim(&c, &b, &ctx, "2026-06-01", 1500001);
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "AMOUNT_UNUSUAL"));
    /* Lump-sum liabilities have no bills to be unusual. */
    setup_claim(&c, &b, &ctx, "2026-06-01", 90000000);
    c.liability = FM_LIAB_DEATH;
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_false(has(&s, "AMOUNT_UNUSUAL"));
}

static void person_not_insured_only_when_the_policy_exists(void **state)
{
    (void)state;
    const fm_plan *plan = fm_plan_for_year(cat, 2026);
    adj_config cfg = adj_config_default();
    fm_claim c;
    fm_bill b;
    fm_claim_context ctx;
    fm_claim_decision d = {0};
    adj_signals s;
    setup_claim(&c, &b, &ctx, "2026-06-01", 1000);
    ctx.person_found = false;
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "PERSON_NOT_INSURED"));
    ctx.policy_found = false;
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_int_equal(s.n, 0);
    /* A bill already claimed is a signal even when an earlier check declines the claim. */
    ctx.bill_already_claimed[0] = true;
    assert_int_equal(adj_find_signals(&cfg, plan, &c, &ctx, &d, &s, NULL), FM_OK);
    assert_true(has(&s, "DUPLICATE_INVOICE"));
}

/* The batch's facts are found by key whatever the table's growth; an existing key keeps its value. */
static void map_finds_every_key_through_growth_and_keeps_existing_values(void **state)
{
    (void)state;
    fm_map m = {0};
    char key[64];
    int created = 0;
    for (int i = 0; i < 5000; i++) {
        char num[20];
        snprintf(num, sizeof num, "%d", i);
        int *v = fm_map_put(&m, fm_map_key2(key, sizeof key, "FJ2026-H", num), sizeof *v, &created);
        assert_non_null(v);
        assert_int_equal(created, 1);
        assert_int_equal(*v, 0); /* new values are zeroed */
        *v = i;
    }
    assert_int_equal(m.n, 5000);
    for (int i = 0; i < 5000; i++) {
        char num[20];
        snprintf(num, sizeof num, "%d", i);
        int *v = fm_map_get(&m, fm_map_key2(key, sizeof key, "FJ2026-H", num));
        assert_non_null(v);
        assert_int_equal(*v, i);
    }
    int *again = fm_map_put(&m, fm_map_key2(key, sizeof key, "FJ2026-H", "17"), sizeof *again, &created);
    assert_int_equal(created, 0);
    assert_int_equal(*again, 17);
    /* Composite keys stay apart: ("a", "bc") is not ("ab", "c"). */
    assert_non_null(fm_map_put(&m, fm_map_key2(key, sizeof key, "a", "bc"), 1, NULL));
    assert_null(fm_map_get(&m, fm_map_key2(key, sizeof key, "ab", "c")));
    assert_null(fm_map_get(&m, "nope"));
    fm_map_clear(&m);
    assert_int_equal(m.n, 0);
    assert_null(fm_map_get(&m, fm_map_key2(key, sizeof key, "FJ2026-H", "17")));
    fm_map_free(&m);
}

/* A claim decided in a batch and reviewed later in it is re-decided from what the database would hold. */
static void stored_copy_of_a_claim_is_what_the_database_keeps(void **state)
{
    (void)state;
    fm_bill bills[2] = {
        {.invoice_code = "1001", .invoice_number = "7", .amount = 500, .paid_by_social_insurance = 100},
        {.invoice_code = "1001", .invoice_number = "8", .amount = 900}};
    fm_injury injuries[1] = {{.grade = 6, .description = "leg"}};
    fm_claim c = {.event_id = "ev-1",
                  .claim_id = "C1",
                  .policy_number = "FJ2026-H1",
                  .insured_id_number = "610113201203050027",
                  .liability = FM_LIAB_ACCIDENT_MEDICAL,
                  .incident_date = 100,
                  .report_date = 120,
                  .bills = bills,
                  .n_bills = 2,
                  .injuries = injuries,
                  .n_injuries = 1,
                  .critical_illness_code = "CI-S01",
                  .documents = FM_DOC_BIT(FM_DOC_INVOICE)};
    fm_claim s = {0};
    assert_int_equal(adj_claim_clone_stored(&c, &s), FM_OK);
    assert_string_equal(s.insured_id_number, ""); /* never stored */
    assert_string_equal(s.claim_id, "C1");
    assert_string_equal(s.event_id, "ev-1");
    assert_string_equal(s.policy_number, "FJ2026-H1");
    assert_string_equal(s.critical_illness_code, "CI-S01");
    assert_int_equal(s.n_bills, 2);
    assert_string_equal(s.bills[1].invoice_number, "8");
    assert_true(s.bills[1].invoice_number != bills[1].invoice_number); /* its own copy */
    assert_fen_equal(s.bills[0].paid_by_social_insurance, 100);
    assert_int_equal(s.n_injuries, 1);
    assert_fen_equal(s.injuries[0].grade, 6);
    assert_string_equal(s.injuries[0].description, ""); /* descriptions are not stored */
    assert_int_equal(s.documents, c.documents);
    assert_int_equal(s.incident_date, 100);
    fm_claim_free(&s);
}

int main(void)
{
    fm_error err = {0};
    if (fm_plan_catalogue_load(FAMINS_SOURCE_DIR "/schemas/plans", &cat, &err) != FM_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(factor_accepts_decimals_with_up_to_four_places),
        cmocka_unit_test(factor_refuses_zero_signs_junk_and_excess),
        cmocka_unit_test(text_array_literal_quotes_what_needs_it),
        cmocka_unit_test(decided_event_id_is_stable_and_within_64_characters),
        cmocka_unit_test(unknown_policy_is_decided_with_the_plan_of_the_incident),
        cmocka_unit_test(early_claim_is_day_0_to_29_of_a_new_persons_cover),
        cmocka_unit_test(amount_unusual_is_strictly_above_factor_times_the_person_limit),
        cmocka_unit_test(person_not_insured_only_when_the_policy_exists),
        cmocka_unit_test(map_finds_every_key_through_growth_and_keeps_existing_values),
        cmocka_unit_test(stored_copy_of_a_claim_is_what_the_database_keeps),
    };
    int failed = cmocka_run_group_tests_name("adjudicator_pure", tests, NULL, NULL);
    fm_plan_catalogue_free(cat);
    return failed;
}
