/* test_adj_scenarios.c — the adjudicator's apply against the real PostgreSQL, scenario by scenario: usage
 * shared by claims in one transaction and across transactions, limits to the fen, death after disability, the
 * waiting period and the 180-day rule at their boundaries, every liability and role, reviews both ways,
 * duplicates and fraud signals. Seeds as famins_admin, applies as famins_adjudicator. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_apply.h"
#include "adj_testdb.h"
#include "fm_decode.h"
#include "fm_plan_read.h"
#include "fm_test.h"

#define POLICY "FJ2026-H610113000001"
#define POLICY2 "FJ2026-H610113000002"
#define CHILD "610113201203050027"
#define CHILD2 "610113201405060021"
#define PARENT "610113198501010011"
#define GUARDIAN "610113196001010013"
#define ALL_DOCS                                                                                             \
    "[\"claim_form\",\"id_document\",\"invoice\",\"medical_record\",\"death_certificate\","                  \
    "\"disability_assessment\",\"diagnosis_report\",\"accident_report\"]"

static PGconn *admin, *adj;
static fm_plan_catalogue *cat;
static adj_env env;
static fm_keyring keyring;
static fm_pg_stmts sql_cache; /* the prepared path, as the service runs it */
static int64_t offset_counter;

static void begin(void)
{
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
}
static void commit(void)
{
    assert_int_equal(tdb_exec(adj, "COMMIT"), 0);
}
static void rollback(void)
{
    assert_int_equal(tdb_exec(adj, "ROLLBACK"), 0);
}

/* A household: POLICY with a child, a parent and a guardian, coverage the whole 2026 plan year. */
static int setup_household(void **state)
{
    (void)state;
    env.cfg = adj_config_default();
    if (tdb_reset(admin) || tdb_policy(admin, POLICY, 2026, "610113", "2026-03-01", "2027-02-28") ||
        tdb_person(admin, POLICY, 2026, CHILD, "child", false) ||
        tdb_person(admin, POLICY, 2026, PARENT, "parent", false) ||
        tdb_person(admin, POLICY, 2026, GUARDIAN, "guardian", true) ||
        tdb_policy(admin, POLICY2, 2026, "610104", "2026-03-01", "2027-02-28") ||
        tdb_person(admin, POLICY2, 2026, CHILD2, "child", false))
        return -1;
    return 0;
}

/* Builds a claim.submitted. bills (malloc'ed by bill(), taken) and injuries are JSON arrays; event_date and
 * ci may be NULL. */
/* noinline: inlined, gcc -O3 takes the returned heap text for the address of the local `buf` and
 * warns (-Wdangling-pointer) at its callers. */
__attribute__((noinline)) static char *claim_json(const char *claim_id, const char *policy, const char *id,
                                                  const char *liability, const char *cause,
                                                  const char *incident, const char *event_date, char *bills,
                                                  const char *injuries, const char *ci, const char *docs)
{
    char *buf = NULL;
    char ed[32], cc[32];
    snprintf(ed, sizeof ed, event_date ? "\"%s\"" : "null", event_date);
    snprintf(cc, sizeof cc, ci ? "\"%s\"" : "null", ci);
    int n = asprintf(
        &buf,
        "{\"event_id\":\"ev-%s\",\"type\":\"claim.submitted\",\"schema_version\":1,"
        "\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"test\",\"claim_id\":\"%s\","
        "\"policy_number\":\"%s\",\"insured_id_number\":\"%s\",\"liability\":\"%s\",\"cause\":\"%s\","
        "\"incident_date\":\"%s\",\"event_date\":%s,\"report_date\":\"2027-02-28\",\"bills\":%s,"
        "\"injuries\":%s,\"critical_illness_code\":%s,\"documents\":%s}",
        claim_id, claim_id, policy, id, liability, cause, incident, ed, bills ? bills : "[]",
        injuries ? injuries : "[]", cc, docs ? docs : ALL_DOCS);
    assert_true(n > 0);
    free(bills); /* claim_json takes the bills text bill() made */
    return buf;
}

static char *bill(const char *code, const char *number, long amount, long social)
{
    char *buf = NULL;
    assert_true(asprintf(&buf,
                         "[{\"invoice_code\":\"%s\",\"invoice_number\":\"%s\",\"amount\":%ld,"
                         "\"paid_by_social_insurance\":%ld,\"paid_by_other_insurers\":0}]",
                         code, number, amount, social) > 0);
    return buf;
}

/* Decodes and applies json in the open transaction; takes json. Returns apply's status. */
static fm_status submit(char *json, fm_error *err)
{
    fm_claim c = {0};
    adj_output out = {0};
    assert_int_equal(fm_decode_claim(json, strlen(json), &c, err), FM_OK);
    adj_source src = {.topic = "claim.events", .partition = 0, .offset = ++offset_counter};
    fm_status st = adj_apply_claim(&env, adj, &src, &c, "2026-06-02T10:00:03+08:00", &out, err);
    if (st == FM_OK) {
        assert_non_null(out.payload);
        assert_string_equal(out.key, c.policy_number);
    }
    adj_output_free(&out);
    fm_claim_free(&c);
    free(json);
    return st;
}

static void submit_ok(char *json)
{
    fm_error err = {0};
    fm_status st = submit(json, &err);
    if (st != FM_OK)
        fail_msg("apply: %s %s %s", fm_status_name(st), err.code, err.text);
}

static fm_status review(const char *event_id, const char *claim_id, const char *policy, const char *action,
                        long amount, fm_error *err)
{
    char json[1024], am[32];
    snprintf(am, sizeof am, amount >= 0 ? "%ld" : "null", amount);
    snprintf(json, sizeof json,
             "{\"event_id\":\"%s\",\"type\":\"claim.reviewed\",\"schema_version\":1,"
             "\"occurred_at\":\"2026-06-10T15:00:00+08:00\",\"producer\":\"review-desk\",\"claim_id\":\"%s\","
             "\"policy_number\":\"%s\",\"reviewer\":\"R-0007\",\"action\":\"%s\",\"amount\":%s,\"note\":"
             "\"checked\"}",
             event_id, claim_id, policy, action, am);
    fm_review r = {0};
    adj_output out = {0};
    assert_int_equal(fm_decode_review(json, strlen(json), &r, err), FM_OK);
    adj_source src = {.topic = "claim.events", .partition = 0, .offset = ++offset_counter};
    fm_status st = adj_apply_review(&env, adj, &src, &r, "2026-06-10T15:00:03+08:00", &out, err);
    adj_output_free(&out);
    fm_review_free(&r);
    return st;
}

/* The claim's current decision: "status|payable|reasons of its latest decision". */
static void expect(const char *claim_id, const char *want)
{
    char sql[640], text[512];
    snprintf(
        sql, sizeof sql,
        "SELECT c.status || '|' || c.payable || '|' || array_to_string(d.reasons, ',') FROM famins.claims c"
        " JOIN famins.claim_decisions d USING (claim_id) WHERE c.claim_id = '%s'"
        " ORDER BY d.decision_id DESC LIMIT 1",
        claim_id);
    tdb_text(adj, sql, text, sizeof text);
    if (strcmp(text, want) != 0)
        fail_msg("claim %s: got '%s', want '%s'", claim_id, text, want);
}

/* A formatted query's first value, on the adjudicator's session. */
#define q(...) tdb_i64f(adj, __VA_ARGS__)

static int64_t usage(const char *column, const char *id_number)
{
    char key[FM_PERSON_KEY_LEN];
    assert_int_equal(fm_person_key(ADJ_TEST_KEY_ID, ADJ_TEST_SECRET, id_number, key), FM_OK);
    return q("SELECT COALESCE((SELECT %s FROM famins.person_usage WHERE plan_year = 2026 AND person_key = "
             "'%s'), 0)",
             column, key);
}

/* 1 000 000 billed: (1 000 000 − 10 000 deductible) × 80 % = 792 000; then 400 000 computed but only 208 000
 * of the child's 1 000 000 limit left; then nothing left. */
static void medical_sequence(const char *prefix, bool one_transaction)
{
    char id1[32], id2[32], id3[32];
    snprintf(id1, sizeof id1, "%s1", prefix);
    snprintf(id2, sizeof id2, "%s2", prefix);
    snprintf(id3, sizeof id3, "%s3", prefix);
    begin();
    submit_ok(claim_json(id1, POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("1001", id1, 1000000, 0), NULL, NULL, NULL));
    if (!one_transaction) {
        commit();
        begin();
    }
    submit_ok(claim_json(id2, POLICY, CHILD, "accident_medical", "accident", "2026-06-01", NULL,
                         bill("1001", id2, 500000, 0), NULL, NULL, NULL));
    if (!one_transaction) {
        commit();
        begin();
    }
    submit_ok(claim_json(id3, POLICY, CHILD, "accident_medical", "accident", "2026-07-01", NULL,
                         bill("1001", id3, 10000, 0), NULL, NULL, NULL));
    commit();
    expect(id1, "approved|792000|");
    expect(id2, "partial|208000|LIMIT_REACHED");
    expect(id3, "declined|0|LIMIT_EXHAUSTED");
    assert_fen_equal(usage("accident_medical_paid", CHILD), 1000000);
    assert_fen_equal(usage("accident_medical_deductible_used", CHILD), 10000);
}

static void claims_in_one_transaction_see_each_others_usage(void **state)
{
    (void)state;
    medical_sequence("ONE", true);
}

static void claims_in_consecutive_transactions_keep_usage_exact(void **state)
{
    (void)state;
    medical_sequence("SEQ", false);
}

/* The household limit (illness hospitalisation, 1 500 000 shared) is reached to the fen across members. */
static void household_limit_reached_to_the_fen_then_declined(void **state)
{
    (void)state;
    begin();
    /* Parent (limit 500 000): 700 000 billed → 552 000 computed, capped to 500 000. */
    submit_ok(claim_json("HH1", POLICY, PARENT, "illness_hospital", "illness", "2026-06-01", NULL,
                         bill("2001", "1", 700000, 0), NULL, NULL, NULL));
    /* Child (limit 1 000 000): 1 260 000 billed → 1 000 000 computed, all of it. */
    submit_ok(claim_json("HH2", POLICY, CHILD, "illness_hospital", "illness", "2026-06-02", NULL,
                         bill("2001", "2", 1260000, 0), NULL, NULL, NULL));
    /* Guardian (renewal, limit 500 000): the household has 0 left. */
    submit_ok(claim_json("HH3", POLICY, GUARDIAN, "illness_hospital", "illness", "2026-06-03", NULL,
                         bill("2001", "3", 30000, 0), NULL, NULL, NULL));
    commit();
    expect("HH1", "partial|500000|LIMIT_REACHED");
    expect("HH2", "approved|1000000|");
    expect("HH3", "declined|0|LIMIT_EXHAUSTED");
    assert_fen_equal(
        q("SELECT illness_hospital_paid FROM famins.household_usage WHERE policy_number = '%s'", POLICY),
        1500000);
}

static void death_after_disability_pays_the_remainder_then_person_deceased(void **state)
{
    (void)state;
    begin();
    /* Grade 6: (110 − 60) % = 50 % of 5 000 000 = 2 500 000 (not above the 3 000 000 threshold). */
    submit_ok(claim_json("DD1", POLICY, CHILD, "accidental_disability", "accident", "2026-04-01",
                         "2026-06-01", NULL, "[{\"description\":\"leg\",\"grade\":6}]", NULL, NULL));
    submit_ok(claim_json("DD2", POLICY, CHILD, "death", "accident", "2026-04-01", "2026-07-01", NULL, NULL,
                         NULL, NULL));
    submit_ok(claim_json("DD3", POLICY, CHILD, "accident_medical", "accident", "2026-04-01", NULL,
                         bill("3001", "1", 50000, 0), NULL, NULL, NULL));
    commit();
    expect("DD1", "approved|2500000|");
    expect("DD2", "partial|2500000|LIMIT_REACHED");
    expect("DD3", "declined|0|PERSON_DECEASED");
    assert_fen_equal(usage("disability_paid", CHILD) + usage("death_paid", CHILD), 5000000);
}

static void parent_disability_is_declined(void **state)
{
    (void)state;
    begin();
    submit_ok(claim_json("PD1", POLICY, PARENT, "accidental_disability", "accident", "2026-04-01",
                         "2026-05-01", NULL, "[{\"description\":\"arm\",\"grade\":8}]", NULL, NULL));
    submit_ok(claim_json("PD2", POLICY, GUARDIAN, "accidental_disability", "accident", "2026-04-01",
                         "2026-05-01", NULL, "[{\"description\":\"arm\",\"grade\":8}]", NULL, NULL));
    commit();
    expect("PD1", "declined|0|LIABILITY_NOT_COVERED_FOR_ROLE");
    expect("PD2", "declined|0|LIABILITY_NOT_COVERED_FOR_ROLE");
    assert_fen_equal(usage("disability_paid", PARENT), 0);
}

/* Coverage starts 2026-03-01 and the plan waits 60 days: 2026-04-29 is the last day of waiting. The guardian
 * renews and waits for nothing. */
static void waiting_period_at_its_boundary(void **state)
{
    (void)state;
    begin();
    submit_ok(claim_json("WP1", POLICY, CHILD, "illness_hospital", "illness", "2026-04-29", NULL,
                         bill("4001", "1", 110000, 0), NULL, NULL, NULL));
    submit_ok(claim_json("WP2", POLICY, CHILD, "illness_hospital", "illness", "2026-04-30", NULL,
                         bill("4001", "2", 110000, 0), NULL, NULL, NULL));
    submit_ok(claim_json("WP3", POLICY, GUARDIAN, "illness_hospital", "illness", "2026-03-01", NULL,
                         bill("4001", "3", 110000, 0), NULL, NULL, NULL));
    submit_ok(claim_json("WP4", POLICY, PARENT, "accident_medical", "accident", "2026-03-01", NULL,
                         bill("4001", "4", 110000, 0), NULL, NULL, NULL));
    commit();
    expect("WP1", "declined|0|WAITING_PERIOD");
    expect("WP2", "approved|80000|");
    expect("WP3", "approved|80000|");
    expect("WP4", "approved|80000|");
}

/* An accident on 2026-03-10: death on day 180 (2026-09-06) is covered, on day 181 it is not. */
static void accident_window_at_180_days(void **state)
{
    (void)state;
    begin();
    submit_ok(claim_json("AW1", POLICY, PARENT, "death", "accident", "2026-03-10", "2026-09-07", NULL, NULL,
                         NULL, NULL));
    submit_ok(claim_json("AW2", POLICY, PARENT, "death", "accident", "2026-03-10", "2026-09-06", NULL, NULL,
                         NULL, NULL));
    commit();
    expect("AW1", "declined|0|ACCIDENT_WINDOW_EXCEEDED");
    expect("AW2", "approved|2000000|");
    assert_fen_equal(usage("death_paid", PARENT), 2000000);
}

/* Every liability for every role, each on a fresh household (so no usage carries over). */
static void every_liability_and_role(void **state)
{
    struct {
        const char *liability, *cause, *event_date, *bills, *injuries, *ci;
        const char *want[3]; /* child, parent, guardian */
    } cases[] = {
        {"death",
         "accident",
         "2026-06-01",
         NULL,
         NULL,
         NULL,
         {"pending_review|0|AMOUNT_ABOVE_REVIEW_THRESHOLD", "approved|2000000|", "approved|2000000|"}},
        {"death",
         "illness",
         "2026-06-01",
         NULL,
         NULL,
         NULL,
         {"pending_review|0|AMOUNT_ABOVE_REVIEW_THRESHOLD", "approved|2000000|", "approved|2000000|"}},
        {"critical_illness",
         "illness",
         NULL,
         NULL,
         NULL,
         "CI-S01",
         {"approved|3000000|", "approved|2000000|", "approved|2000000|"}},
        {"critical_illness",
         "illness",
         NULL,
         NULL,
         NULL,
         "CI-M01",
         {"approved|900000|", "approved|600000|", "approved|600000|"}},
        {"accidental_disability",
         "accident",
         "2026-06-01",
         NULL,
         "[{\"description\":\"x\",\"grade\":10}]",
         NULL,
         {"approved|500000|", "declined|0|LIABILITY_NOT_COVERED_FOR_ROLE",
          "declined|0|LIABILITY_NOT_COVERED_FOR_ROLE"}},
        {"accident_medical",
         "accident",
         NULL,
         "B",
         NULL,
         NULL,
         {"approved|80000|", "approved|80000|", "approved|80000|"}},
        {"illness_hospital",
         "illness",
         NULL,
         "B",
         NULL,
         NULL,
         {"approved|80000|", "approved|80000|", "approved|80000|"}},
    };
    const char *ids[3] = {CHILD, PARENT, GUARDIAN};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        assert_int_equal(setup_household(state), 0);
        begin();
        for (int r = 0; r < 3; r++) {
            char claim_id[32], number[16];
            snprintf(claim_id, sizeof claim_id, "LR%zu-%d", k, r);
            snprintf(number, sizeof number, "%zu%d", k, r);
            submit_ok(claim_json(claim_id, POLICY, ids[r], cases[k].liability, cases[k].cause, "2026-06-01",
                                 cases[k].event_date, cases[k].bills ? bill("5001", number, 110000, 0) : NULL,
                                 cases[k].injuries, cases[k].ci, NULL));
        }
        commit();
        for (int r = 0; r < 3; r++) {
            char claim_id[32];
            snprintf(claim_id, sizeof claim_id, "LR%zu-%d", k, r);
            expect(claim_id, cases[k].want[r]);
        }
    }
}

static void review_approves_a_pending_claim(void **state)
{
    (void)state;
    fm_error err = {0};
    begin();
    submit_ok(claim_json("RV1", POLICY, CHILD, "death", "accident", "2026-05-01", "2026-05-20", NULL, NULL,
                         NULL, NULL));
    commit();
    expect("RV1", "pending_review|0|AMOUNT_ABOVE_REVIEW_THRESHOLD");
    assert_fen_equal(usage("death_paid", CHILD), 0); /* pending reserves nothing */
    begin();
    assert_int_equal(review("rev-1", "RV1", POLICY, "approve", 5000000, &err), FM_OK);
    commit();
    expect("RV1", "approved|5000000|");
    assert_fen_equal(usage("death_paid", CHILD), 5000000);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_reviews WHERE claim_id = 'RV1' AND reviewer = 'R-0007'"
          " AND action = 'approve' AND amount = 5000000 AND status_before = 'pending_review'"
          " AND status_after = 'approved' AND payable_after = 5000000 AND decision_id IS NOT NULL"),
        1);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'RV1'"), 2);
    /* A second review of the decided claim is not applicable: recorded and ignored, nothing changes. */
    begin();
    assert_int_equal(review("rev-2", "RV1", POLICY, "decline", -1, &err), FM_OK);
    commit();
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_reviews WHERE source_event_id = 'rev-2'"
                       " AND ignored_reason = 'REVIEW_NOT_APPLICABLE' AND status_before = 'approved'"
                       " AND status_after = 'approved' AND payable_after = 5000000 AND decision_id IS NULL"),
                     1);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'RV1'"), 2);
    /* Nor is a review of an unknown claim, or one naming another policy. */
    begin();
    assert_int_equal(review("rev-3", "NOPE", POLICY, "approve", 100, &err), FM_EINVAL);
    assert_string_equal(err.code, "REVIEW_NOT_APPLICABLE");
    rollback();
    expect("RV1", "approved|5000000|");
}

static void review_declines_a_pending_claim(void **state)
{
    (void)state;
    fm_error err = {0};
    begin();
    /* A severe critical illness without the diagnosis report: pending, DOCUMENTS_MISSING. */
    submit_ok(claim_json("RV2", POLICY, PARENT, "critical_illness", "illness", "2026-06-01", NULL, NULL, NULL,
                         "CI-S01", "[\"claim_form\",\"id_document\",\"medical_record\"]"));
    commit();
    expect("RV2", "pending_review|0|DOCUMENTS_MISSING");
    begin();
    assert_int_equal(review("rev-4", "RV2", POLICY2, "decline", -1, &err), FM_EINVAL); /* wrong policy */
    assert_string_equal(err.code, "REVIEW_NOT_APPLICABLE");
    rollback();
    begin();
    assert_int_equal(review("rev-5", "RV2", POLICY, "decline", -1, &err), FM_OK);
    commit();
    expect("RV2", "declined|0|REVIEWER_DECLINED");
    assert_fen_equal(usage("ci_severe_paid", PARENT), 0);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_reviews WHERE claim_id = 'RV2' AND action = 'decline'"
          " AND amount IS NULL AND status_after = 'declined'"),
        1);
}

/* A pending medical claim is re-computed at review time against what is left then. */
static void review_uses_the_limits_available_at_review_time(void **state)
{
    (void)state;
    fm_error err = {0};
    begin();
    /* Parent accident medical, limit 500 000: 400 000 payable but the invoice document is missing. */
    submit_ok(claim_json("RT1", POLICY, PARENT, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("6001", "1", 510000, 0), NULL, NULL,
                         "[\"claim_form\",\"id_document\",\"medical_record\"]"));
    /* Meanwhile 300 000 is paid: (385 000 − 0 deductible left... ) the deductible was not used by the pending
     * one. */
    submit_ok(claim_json("RT2", POLICY, PARENT, "accident_medical", "accident", "2026-05-02", NULL,
                         bill("6001", "2", 385000, 0), NULL, NULL, NULL));
    commit();
    expect("RT1", "pending_review|0|DOCUMENTS_MISSING");
    expect("RT2", "approved|300000|"); /* (385 000 − 10 000) × 80 % */
    begin();
    assert_int_equal(review("rev-6", "RT1", POLICY, "approve", 400000, &err), FM_OK);
    commit();
    /* Deductible already used: 510 000 × 80 % = 408 000 computed, 200 000 of the limit left. */
    expect("RT1", "partial|200000|LIMIT_REACHED");
    assert_fen_equal(usage("accident_medical_paid", PARENT), 500000);
}

static void duplicate_claim_id_is_a_dead_letter_and_the_first_claim_stands(void **state)
{
    (void)state;
    fm_error err = {0};
    begin();
    submit_ok(claim_json("DUP1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("7001", "1", 60000, 0), NULL, NULL, NULL));
    commit();
    char *again = claim_json("DUP1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                             bill("7001", "9", 90000, 0), NULL, NULL, NULL);
    /* Same claim id, another event id. */
    char *ev = strstr(again, "ev-DUP1");
    assert_non_null(ev);
    memcpy(ev, "ev-DUPX", 7);
    begin();
    assert_int_equal(submit(again, &err), FM_EINVAL);
    assert_string_equal(err.code, "DUPLICATE_CLAIM_ID");
    rollback();
    expect("DUP1", "approved|40000|");
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'DUP1'"), 1);
}

static bool signal(const char *claim_id, const char *code)
{
    return q("SELECT count(*) FROM famins.fraud_signals WHERE claim_id = '%s' AND code = '%s'", claim_id,
             code) == 1;
}

/* The same invoice claimed on two policies: the first claim wins, the second excludes it and is signalled. */
static void duplicate_invoice_across_policies_first_claim_wins(void **state)
{
    (void)state;
    begin();
    submit_ok(claim_json("INV1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("8001", "42", 60000, 0), NULL, NULL, NULL));
    commit();
    begin();
    submit_ok(claim_json("INV2", POLICY2, CHILD2, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("8001", "42", 60000, 0), NULL, NULL, NULL));
    commit();
    expect("INV1", "approved|40000|");
    expect("INV2", "declined|0|DUPLICATE_INVOICE");
    assert_false(signal("INV1", "DUPLICATE_INVOICE"));
    assert_true(signal("INV2", "DUPLICATE_INVOICE"));
    assert_i64_equal(q("SELECT count(*) FROM famins.invoices_claimed WHERE invoice_code = '8001' AND"
                       " invoice_number = '42' AND first_claim_id = 'INV1'"),
                     1);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_bills WHERE claim_id = 'INV2' AND excluded_duplicate"), 1);
}

static void fraud_signals_are_recorded_without_changing_the_decision(void **state)
{
    (void)state;
    begin();
    /* Not insured under the policy it names (a person of another policy). */
    submit_ok(claim_json("SG1", POLICY, CHILD2, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("9001", "1", 60000, 0), NULL, NULL, NULL));
    /* Incident before coverage. */
    submit_ok(claim_json("SG2", POLICY, CHILD, "accident_medical", "accident", "2026-02-27", NULL,
                         bill("9001", "2", 60000, 0), NULL, NULL, NULL));
    /* Early claims: day 29 of a new person's cover is early, day 30 is not; a renewing guardian never is. */
    submit_ok(claim_json("SG3", POLICY, CHILD, "accident_medical", "accident", "2026-03-30", NULL,
                         bill("9001", "3", 60000, 0), NULL, NULL, NULL));
    submit_ok(claim_json("SG4", POLICY, PARENT, "accident_medical", "accident", "2026-03-31", NULL,
                         bill("9001", "4", 60000, 0), NULL, NULL, NULL));
    submit_ok(claim_json("SG5", POLICY, GUARDIAN, "accident_medical", "accident", "2026-03-02", NULL,
                         bill("9001", "5", 60000, 0), NULL, NULL, NULL));
    /* Unusual amounts: above 2 × the parent's 500 000 limit, and exactly at it. */
    submit_ok(claim_json("SG6", POLICY, PARENT, "accident_medical", "accident", "2026-06-01", NULL,
                         bill("9001", "6", 1000001, 900000), NULL, NULL, NULL));
    submit_ok(claim_json("SG7", POLICY2, CHILD2, "accident_medical", "accident", "2026-06-01", NULL,
                         bill("9001", "7", 2000000, 1990000), NULL, NULL, NULL));
    commit();
    expect("SG1", "declined|0|PERSON_NOT_INSURED");
    assert_true(signal("SG1", "PERSON_NOT_INSURED"));
    expect("SG2", "declined|0|NOT_IN_FORCE");
    assert_true(signal("SG2", "INCIDENT_BEFORE_COVERAGE"));
    expect("SG3", "approved|40000|");
    assert_true(signal("SG3", "EARLY_CLAIM"));
    assert_false(signal("SG4", "EARLY_CLAIM"));
    assert_false(signal("SG5", "EARLY_CLAIM"));
    assert_true(signal("SG6", "AMOUNT_UNUSUAL"));
    expect("SG6",
           "approved|80000|"); /* SG4 used the parent's deductible: 100 001 × 80 % = 80 000.8 → 80 000 */
    assert_false(signal("SG7", "AMOUNT_UNUSUAL"));
    assert_i64_equal(
        q("SELECT count(*) FROM famins.fraud_signals WHERE claim_id = 'SG2' AND plan_year = 2026"
          " AND managing_unit = '610113' AND policy_number = '%s' AND source_event_id = 'ev-SG2'",
          POLICY),
        1);
}

static void review_threshold_setting_overrides_the_plan(void **state)
{
    (void)state;
    env.cfg.review_threshold_override = true;
    env.cfg.review_threshold = 50000;
    begin();
    submit_ok(claim_json("TH1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("9101", "1", 72500, 0), NULL, NULL, NULL)); /* 50 000 payable: not above */
    submit_ok(claim_json("TH2", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("9101", "2", 62501, 0), NULL, NULL,
                         NULL)); /* 50 000.8 → 50 000 after the first */
    submit_ok(claim_json("TH3", POLICY, PARENT, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("9101", "3", 72502, 0), NULL, NULL, NULL)); /* 50 001 */
    commit();
    expect("TH1", "approved|50000|");
    expect("TH2", "approved|50000|");
    expect("TH3", "pending_review|0|AMOUNT_ABOVE_REVIEW_THRESHOLD");
    assert_true(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'TH3'"
                  " AND (parameters->>'review_threshold')::bigint = 50000") == 1);
    env.cfg = adj_config_default();
}

static void unknown_policy_is_a_decision(void **state)
{
    (void)state;
    begin();
    submit_ok(claim_json("UP1", "FJ2026-NOSUCH", CHILD, "accident_medical", "accident", "2026-05-01", NULL,
                         bill("9201", "1", 60000, 0), NULL, NULL, NULL));
    commit();
    expect("UP1", "declined|0|POLICY_NOT_FOUND");
    assert_i64_equal(q("SELECT count(*) FROM famins.claims WHERE claim_id = 'UP1' AND plan_year IS NULL"
                       " AND role IS NULL AND masked_id = '**************0027'"),
                     1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOURCE_DIR (env FAMINS_PG_DSN admin, ADJ_TEST_DSN adjudicator)\n",
                argv[0]);
        return 2;
    }
    char plans[1100];
    snprintf(plans, sizeof plans, "%s/schemas/plans", argv[1]);
    fm_error err = {0};
    if (fm_plan_catalogue_load(plans, &cat, &err) != FM_OK) {
        fprintf(stderr, "catalogue: %s %s\n", err.code, err.text);
        return 1;
    }
    admin = PQconnectdb(getenv("FAMINS_PG_DSN"));
    adj = PQconnectdb(getenv("ADJ_TEST_DSN"));
    if (PQstatus(admin) != CONNECTION_OK || PQstatus(adj) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s %s\n", PQerrorMessage(admin), PQerrorMessage(adj));
        return 1;
    }
    tdb_keyring(&keyring);
    env = (adj_env){.catalogue = cat, .keyring = &keyring, .cfg = adj_config_default(), .cache = &sql_cache};
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(claims_in_one_transaction_see_each_others_usage, setup_household),
        cmocka_unit_test_setup(claims_in_consecutive_transactions_keep_usage_exact, setup_household),
        cmocka_unit_test_setup(household_limit_reached_to_the_fen_then_declined, setup_household),
        cmocka_unit_test_setup(death_after_disability_pays_the_remainder_then_person_deceased,
                               setup_household),
        cmocka_unit_test_setup(parent_disability_is_declined, setup_household),
        cmocka_unit_test_setup(waiting_period_at_its_boundary, setup_household),
        cmocka_unit_test_setup(accident_window_at_180_days, setup_household),
        cmocka_unit_test_setup(every_liability_and_role, setup_household),
        cmocka_unit_test_setup(review_approves_a_pending_claim, setup_household),
        cmocka_unit_test_setup(review_declines_a_pending_claim, setup_household),
        cmocka_unit_test_setup(review_uses_the_limits_available_at_review_time, setup_household),
        cmocka_unit_test_setup(duplicate_claim_id_is_a_dead_letter_and_the_first_claim_stands,
                               setup_household),
        cmocka_unit_test_setup(duplicate_invoice_across_policies_first_claim_wins, setup_household),
        cmocka_unit_test_setup(fraud_signals_are_recorded_without_changing_the_decision, setup_household),
        cmocka_unit_test_setup(review_threshold_setting_overrides_the_plan, setup_household),
        cmocka_unit_test_setup(unknown_policy_is_a_decision, setup_household),
    };
    int failed = cmocka_run_group_tests_name("adjudicator_scenarios", tests, NULL, NULL);
    PQfinish(admin);
    PQfinish(adj);
    fm_plan_catalogue_free(cat);
    return failed;
}
