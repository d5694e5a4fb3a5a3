/* test_adj_batch.c — several claims and reviews decided in ONE batch (one prepare, in-memory decisions, one
 * write) give what they give applied one after the other: usage, household limits, invoices, deaths and
 * reviews of claims submitted earlier in the same batch. Expected values are the hand-computed ones of
 * test_adj_scenarios.c, where the same claims go one per call. Seeds as famins_admin, applies as
 * famins_adjudicator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_apply.h"
#include "adj_store.h"
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
#define MAX_EVENTS 8

static PGconn *admin, *adj;
static fm_plan_catalogue *cat;
static adj_env env;
static fm_keyring keyring;
static fm_pg_stmts sql_cache;
static int64_t offset_counter;

static int setup_household(void **state)
{
    (void)state;
    if (tdb_reset(admin) || tdb_policy(admin, POLICY, 2026, "610113", "2026-03-01", "2027-02-28") ||
        tdb_person(admin, POLICY, 2026, CHILD, "child", false) ||
        tdb_person(admin, POLICY, 2026, PARENT, "parent", false) ||
        tdb_person(admin, POLICY, 2026, GUARDIAN, "guardian", true) ||
        tdb_policy(admin, POLICY2, 2026, "610104", "2026-03-01", "2027-02-28") ||
        tdb_person(admin, POLICY2, 2026, CHILD2, "child", false))
        return -1;
    return 0;
}

/* One event of a batch: a claim or a review, decoded. */
typedef struct event {
    bool is_review;
    fm_claim claim;
    fm_review review;
} event;

typedef struct batch {
    event ev[MAX_EVENTS];
    size_t n;
} batch;

static void add_claim(batch *b, const char *event_id, const char *claim_id, const char *policy,
                      const char *id, const char *liability, const char *cause, const char *incident,
                      const char *event_date, const char *bills, const char *docs)
{
    char json[2048], ed[32];
    fm_error err = {0};
    snprintf(ed, sizeof ed, event_date ? "\"%s\"" : "null", event_date);
    snprintf(json, sizeof json,
             "{\"event_id\":\"%s\",\"type\":\"claim.submitted\",\"schema_version\":1,"
             "\"occurred_at\":\"2026-06-02T10:00:00+08:00\",\"producer\":\"test\",\"claim_id\":\"%s\","
             "\"policy_number\":\"%s\",\"insured_id_number\":\"%s\",\"liability\":\"%s\",\"cause\":\"%s\","
             "\"incident_date\":\"%s\",\"event_date\":%s,\"report_date\":\"2027-02-28\",\"bills\":%s,"
             "\"injuries\":[],\"critical_illness_code\":null,\"documents\":%s}",
             event_id, claim_id, policy, id, liability, cause, incident, ed, bills ? bills : "[]",
             docs ? docs : ALL_DOCS);
    assert_true(b->n < MAX_EVENTS);
    event *e = &b->ev[b->n++];
    if (fm_decode_claim(json, strlen(json), &e->claim, &err) != FM_OK)
        fail_msg("decode: %s %s", err.code, err.text);
}

static void add_review(batch *b, const char *event_id, const char *claim_id, const char *action, long amount)
{
    char json[1024], am[32];
    fm_error err = {0};
    snprintf(am, sizeof am, amount >= 0 ? "%ld" : "null", amount);
    snprintf(json, sizeof json,
             "{\"event_id\":\"%s\",\"type\":\"claim.reviewed\",\"schema_version\":1,"
             "\"occurred_at\":\"2026-06-10T15:00:00+08:00\",\"producer\":\"review-desk\",\"claim_id\":\"%s\","
             "\"policy_number\":\"%s\",\"reviewer\":\"R-0007\",\"action\":\"%s\",\"amount\":%s,\"note\":"
             "\"checked\"}",
             event_id, claim_id, POLICY, action, am);
    assert_true(b->n < MAX_EVENTS);
    event *e = &b->ev[b->n++];
    e->is_review = true;
    assert_int_equal(fm_decode_review(json, strlen(json), &e->review, &err), FM_OK);
}

static void free_batch(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        fm_claim_free(&b->ev[i].claim);
        fm_review_free(&b->ev[i].review);
    }
    b->n = 0;
}

/* The worker's three steps over b in the open transaction: one prepare, each event decided in order, one
 * write. Returns FM_OK, or the first failing status (err filled, *failed_at its event; nothing written then).
 */
static fm_status run_batch(batch *b, size_t *failed_at, fm_error *err)
{
    const fm_claim *claims[MAX_EVENTS];
    const fm_review *reviews[MAX_EVENTS];
    size_t nc = 0, nr = 0;
    adj_batch ab = {0};
    for (size_t i = 0; i < b->n; i++) {
        if (b->ev[i].is_review)
            reviews[nr++] = &b->ev[i].review;
        else
            claims[nc++] = &b->ev[i].claim;
    }
    fm_status st = adj_prepare(&env, adj, &ab, claims, nc, reviews, nr, err);
    for (size_t i = 0; st == FM_OK && i < b->n; i++) {
        adj_output out = {0};
        adj_source src = {.topic = "claim.events", .partition = 0, .offset = ++offset_counter};
        st =
            b->ev[i].is_review
                ? adj_decide_review(&env, &ab, &src, &b->ev[i].review, "2026-06-10T15:00:03+08:00", &out, err)
                : adj_decide_claim(&env, &ab, &src, &b->ev[i].claim, "2026-06-02T10:00:03+08:00", &out, err);
        adj_output_free(&out);
        if (st != FM_OK && failed_at != NULL)
            *failed_at = i;
    }
    if (st == FM_OK)
        st = adj_store_write(adj, &sql_cache, &ab, err);
    adj_batch_free(&ab);
    return st;
}

/* Runs b as one batch in its own transaction, which must succeed, then frees it. */
static void commit_batch(batch *b)
{
    fm_error err = {0};
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    fm_status st = run_batch(b, NULL, &err);
    if (st != FM_OK)
        fail_msg("batch: %s %s %s", fm_status_name(st), err.code, err.text);
    assert_int_equal(tdb_exec(adj, "COMMIT"), 0);
    free_batch(b);
}

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

static const char *bill(char *buf, size_t len, const char *code, const char *number, long amount)
{
    snprintf(buf, len,
             "[{\"invoice_code\":\"%s\",\"invoice_number\":\"%s\",\"amount\":%ld,"
             "\"paid_by_social_insurance\":0,\"paid_by_other_insurers\":0}]",
             code, number, amount);
    return buf;
}

/* As medical_sequence in test_adj_scenarios.c: 792 000, then 208 000 of the child's 1 000 000 limit, then
 * nothing — three claims of the same person in one batch. */
static void same_person_claims_in_one_batch_use_usage_in_order(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256], b2[256], b3[256];
    add_claim(&b, "ev-B1", "B1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "1001", "B1", 1000000), NULL);
    add_claim(&b, "ev-B2", "B2", POLICY, CHILD, "accident_medical", "accident", "2026-06-01", NULL,
              bill(b2, sizeof b2, "1001", "B2", 500000), NULL);
    add_claim(&b, "ev-B3", "B3", POLICY, CHILD, "accident_medical", "accident", "2026-07-01", NULL,
              bill(b3, sizeof b3, "1001", "B3", 10000), NULL);
    commit_batch(&b);
    expect("B1", "approved|792000|");
    expect("B2", "partial|208000|LIMIT_REACHED");
    expect("B3", "declined|0|LIMIT_EXHAUSTED");
    assert_fen_equal(usage("accident_medical_paid", CHILD), 1000000);
    assert_fen_equal(usage("accident_medical_deductible_used", CHILD), 10000);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id IN ('B1', 'B2', 'B3')"),
                     3);
}

/* After a rotation (k2 current, k1 previous) the same claims in one batch find the child stored under k1:
 * each claim and the usage stay on the k1 key, so the limit is reached as before; a person not stored in the
 * policy is looked up (and recorded) under the current key k2. */
static void person_stored_under_a_previous_key_keeps_it_in_one_batch(void **state)
{
    (void)state;
    fm_keyring rotated;
    fm_error err = {0};
    assert_int_equal(fm_keyring_init(&rotated, "k2", "adjudicator-test-secret-2", &err), FM_OK);
    assert_int_equal(fm_keyring_add(&rotated, ADJ_TEST_KEY_ID, ADJ_TEST_SECRET, &err), FM_OK);
    env.keyring = &rotated;
    batch b = {0};
    char b1[256], b2[256], b3[256];
    add_claim(&b, "ev-K1", "K1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "1001", "K1", 1000000), NULL);
    add_claim(&b, "ev-K2", "K2", POLICY, CHILD, "accident_medical", "accident", "2026-06-01", NULL,
              bill(b2, sizeof b2, "1001", "K2", 500000), NULL);
    add_claim(&b, "ev-K3", "K3", POLICY, CHILD2, "accident_medical", "accident", "2026-06-01", NULL,
              bill(b3, sizeof b3, "1001", "K3", 10000), NULL);
    commit_batch(&b);
    env.keyring = &keyring;
    fm_keyring_clear(&rotated);
    expect("K1", "approved|792000|");
    expect("K2", "partial|208000|LIMIT_REACHED");
    expect("K3", "declined|0|PERSON_NOT_INSURED");
    assert_fen_equal(usage("accident_medical_paid", CHILD), 1000000); /* usage() reads the k1 key */
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claims WHERE claim_id IN ('K1', 'K2') AND person_key LIKE 'k1:%%'"),
        2);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claims WHERE claim_id = 'K3' AND person_key LIKE 'k2:%%'"), 1);
    assert_i64_equal(q("SELECT count(*) FROM famins.person_usage WHERE person_key LIKE 'k2:%%'"), 0);
}

/* The household's illness limit (1 500 000) reached to the fen by three members in one batch. */
static void household_limit_in_one_batch_reached_to_the_fen(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256], b2[256], b3[256];
    add_claim(&b, "ev-H1", "H1", POLICY, PARENT, "illness_hospital", "illness", "2026-06-01", NULL,
              bill(b1, sizeof b1, "2001", "1", 700000), NULL);
    add_claim(&b, "ev-H2", "H2", POLICY, CHILD, "illness_hospital", "illness", "2026-06-02", NULL,
              bill(b2, sizeof b2, "2001", "2", 1260000), NULL);
    add_claim(&b, "ev-H3", "H3", POLICY, GUARDIAN, "illness_hospital", "illness", "2026-06-03", NULL,
              bill(b3, sizeof b3, "2001", "3", 30000), NULL);
    commit_batch(&b);
    expect("H1", "partial|500000|LIMIT_REACHED");
    expect("H2", "approved|1000000|");
    expect("H3", "declined|0|LIMIT_EXHAUSTED");
    assert_fen_equal(
        q("SELECT illness_hospital_paid FROM famins.household_usage WHERE policy_number = '%s'", POLICY),
        1500000);
}

/* The same invoice in two claims of one batch (two policies): the first claim wins. */
static void same_invoice_twice_in_one_batch_first_claim_wins(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256], b2[256];
    add_claim(&b, "ev-I1", "I1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "8001", "42", 60000), NULL);
    add_claim(&b, "ev-I2", "I2", POLICY2, CHILD2, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b2, sizeof b2, "8001", "42", 60000), NULL);
    commit_batch(&b);
    expect("I1", "approved|40000|");
    expect("I2", "declined|0|DUPLICATE_INVOICE");
    assert_i64_equal(
        q("SELECT count(*) FROM famins.fraud_signals WHERE claim_id = 'I2' AND code = 'DUPLICATE_INVOICE'"),
        1);
    assert_i64_equal(q("SELECT count(*) FROM famins.fraud_signals WHERE claim_id = 'I1'"), 0);
    assert_i64_equal(q("SELECT count(*) FROM famins.invoices_claimed WHERE invoice_code = '8001' AND"
                       " invoice_number = '42' AND first_claim_id = 'I1'"),
                     1);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_bills WHERE claim_id = 'I2' AND excluded_duplicate"), 1);
}

/* Two different invoices whose code + 0x1f + number read alike, ("A", "B<US>C") and ("A<US>B", "C"), in one
 * batch: both claims paid, no fraud signal (a separator-joined batch key made them one invoice: the second
 * was declined DUPLICATE_INVOICE). Then the same two again in a later batch: both duplicates, each of its own
 * first claim, as read back from invoices_claimed. */
static void invoices_alike_but_for_a_separator_are_two_invoices(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256], b2[256];
    add_claim(&b, "ev-U1", "U1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "A", "B\\u001fC", 60000), NULL);
    add_claim(&b, "ev-U2", "U2", POLICY2, CHILD2, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b2, sizeof b2, "A\\u001fB", "C", 60000), NULL);
    commit_batch(&b);
    expect("U1", "approved|40000|");
    expect("U2", "approved|40000|");
    assert_i64_equal(q("SELECT count(*) FROM famins.fraud_signals"), 0);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.invoices_claimed WHERE (invoice_code = 'A' AND"
          " invoice_number = E'B\\x1fC' AND first_claim_id = 'U1') OR (invoice_code = E'A\\x1fB' AND"
          " invoice_number = 'C' AND first_claim_id = 'U2')"),
        2);
    add_claim(&b, "ev-U3", "U3", POLICY2, CHILD2, "accident_medical", "accident", "2026-05-02", NULL,
              bill(b1, sizeof b1, "A", "B\\u001fC", 60000), NULL);
    add_claim(&b, "ev-U4", "U4", POLICY, CHILD, "accident_medical", "accident", "2026-05-02", NULL,
              bill(b2, sizeof b2, "A\\u001fB", "C", 60000), NULL);
    commit_batch(&b);
    expect("U3", "declined|0|DUPLICATE_INVOICE");
    expect("U4", "declined|0|DUPLICATE_INVOICE");
    assert_i64_equal(q("SELECT count(*) FROM famins.fraud_signals WHERE code = 'DUPLICATE_INVOICE'"
                       " AND claim_id IN ('U3', 'U4')"),
                     2);
}

/* The longest code and number the schema allows (32 code points each, 4-byte characters: 128 bytes each),
 * two invoices differing only in the number's last byte, in one batch: both paid (a 256-byte batch key cut
 * them to one). */
static void longest_invoices_differing_in_their_last_byte_are_two_invoices(void **state)
{
    (void)state;
    char code[4 * 32 + 1], n1[4 * 32 + 1], n2[4 * 32 + 1];
    for (size_t i = 0; i < 32; i++) {
        memcpy(code + 4 * i, "\xF0\x9F\x98\x80", 4); /* U+1F600 */
        memcpy(n1 + 4 * i, "\xF0\x9F\x98\x81", 4);   /* U+1F601 */
    }
    code[4 * 32] = n1[4 * 32] = '\0';
    memcpy(n2, n1, sizeof n2);
    n2[4 * 32 - 1] = '\x82'; /* U+1F602 last */
    batch b = {0};
    char b1[1024], b2[1024];
    add_claim(&b, "ev-L1", "L1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, code, n1, 60000), NULL);
    add_claim(&b, "ev-L2", "L2", POLICY2, CHILD2, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b2, sizeof b2, code, n2, 60000), NULL);
    commit_batch(&b);
    expect("L1", "approved|40000|");
    expect("L2", "approved|40000|");
    assert_i64_equal(q("SELECT count(*) FROM famins.fraud_signals"), 0);
    assert_i64_equal(q("SELECT count(DISTINCT invoice_number) FROM famins.invoices_claimed"
                       " WHERE length(invoice_code) = 32 AND length(invoice_number) = 32"
                       " AND octet_length(invoice_number) = 128"),
                     2);
}

/* Disability, then death (the remainder of the sum insured), then a medical claim of the now deceased child,
 * in one batch. */
static void death_paid_earlier_in_the_batch_makes_the_person_deceased(void **state)
{
    (void)state;
    batch b = {0};
    char b3[256];
    add_claim(&b, "ev-D1", "D1", POLICY, CHILD, "death", "accident", "2026-04-01", "2026-07-01", NULL, NULL);
    add_claim(&b, "ev-D2", "D2", POLICY, CHILD, "accident_medical", "accident", "2026-04-01", NULL,
              bill(b3, sizeof b3, "3001", "1", 50000), NULL);
    commit_batch(&b);
    /* A child's death above the review threshold waits for review; nothing is paid, so D2 is decided. */
    expect("D1", "pending_review|0|AMOUNT_ABOVE_REVIEW_THRESHOLD");
    expect("D2", "approved|32000|");
    /* The review of D1 and a medical claim after it, in one batch: the death paid by the review counts. */
    add_review(&b, "rev-D1", "D1", "approve", 5000000);
    add_claim(&b, "ev-D3", "D3", POLICY, CHILD, "accident_medical", "accident", "2026-04-02", NULL,
              bill(b3, sizeof b3, "3001", "2", 50000), NULL);
    commit_batch(&b);
    expect("D1", "approved|5000000|");
    expect("D3", "declined|0|PERSON_DECEASED");
    assert_fen_equal(usage("death_paid", CHILD), 5000000);
}

/* A pending claim and its reviews in the same batch: the first review decides it (as if the claim had been
 * written before), the second is recorded and ignored. */
static void review_in_the_same_batch_as_its_claim(void **state)
{
    (void)state;
    batch b = {0};
    add_claim(&b, "ev-R1", "R1", POLICY, CHILD, "death", "accident", "2026-05-01", "2026-05-20", NULL, NULL);
    add_review(&b, "rev-R1a", "R1", "approve", 5000000);
    add_review(&b, "rev-R1b", "R1", "decline", -1);
    commit_batch(&b);
    expect("R1", "approved|5000000|");
    assert_fen_equal(usage("death_paid", CHILD), 5000000);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'R1'"), 2);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_reviews r JOIN famins.claim_decisions d USING (decision_id)"
          " WHERE r.source_event_id = 'rev-R1a' AND d.source_event_id = 'rev-R1a' AND d.kind = 'review'"
          " AND r.status_before = 'pending_review' AND r.status_after = 'approved'"
          " AND r.payable_after = 5000000 AND r.amount = 5000000 AND r.note = 'checked'"),
        1);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_reviews WHERE source_event_id = 'rev-R1b'"
                       " AND ignored_reason = 'REVIEW_NOT_APPLICABLE' AND status_before = 'approved'"
                       " AND status_after = 'approved' AND payable_after = 5000000 AND decision_id IS NULL"
                       " AND amount IS NULL"),
                     1);
}

/* The same claim id twice in a batch, under two event ids: the second is refused as the service refuses it
 * across batches (the runtime then redoes the batch with it as a dead letter). */
static void duplicate_claim_id_in_one_batch_is_refused(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256], b2[256];
    fm_error err = {0};
    size_t at = 99;
    add_claim(&b, "ev-X1", "X1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "7001", "1", 60000), NULL);
    add_claim(&b, "ev-X2", "X1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b2, sizeof b2, "7001", "9", 90000), NULL);
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    assert_int_equal(run_batch(&b, &at, &err), FM_EINVAL);
    assert_string_equal(err.code, "DUPLICATE_CLAIM_ID");
    assert_int_equal(at, 1);
    assert_int_equal(tdb_exec(adj, "ROLLBACK"), 0);
    free_batch(&b);
}

/* decided_at is the time the row was written (clock_timestamp(), migration 041), not the transaction's start.
 */
static void decided_at_is_the_write_time_not_the_transaction_start(void **state)
{
    (void)state;
    batch b = {0};
    char b1[256];
    fm_error err = {0};
    add_claim(&b, "ev-T1", "T1", POLICY, CHILD, "accident_medical", "accident", "2026-05-01", NULL,
              bill(b1, sizeof b1, "9001", "1", 60000), NULL);
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    assert_int_equal(tdb_exec(adj, "SELECT pg_sleep(0.2)"), 0);
    assert_int_equal(run_batch(&b, NULL, &err), FM_OK);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_decisions WHERE claim_id = 'T1'"
                       " AND decided_at >= now() + interval '150 milliseconds'"),
                     1);
    assert_int_equal(tdb_exec(adj, "COMMIT"), 0);
    free_batch(&b);
}

/* fm_pg_run's classes, which the runtime reads: a refused value keeps FM_EDB with its SQLSTATE in err->code
 * (the runtime makes it a dead letter), a missing privilege is FM_ECONFIG (the worker stops); a prepared
 * statement survives a rollback, and one the session lost (DEALLOCATE: 26000) is prepared again on the redo.
 */
static void statements_leave_the_sqlstate_in_the_code(void **state)
{
    (void)state;
    fm_error err = {0};
    fm_pg_params p = {0};
    /* The connection's one cache (the adjudicator's statements are prepared on it too), a number they leave
     * free. */
    fm_pg_stmts *cache = &sql_cache;
    const int id = FM_PG_STMTS_MAX - 1;
    PGresult *res = NULL;
    assert_int_equal(fm_pg_run(adj, "SELECT 1/0", NULL, NULL, &err), FM_EDB);
    assert_string_equal(err.code, "22012");
    assert_string_equal(err.path, "");
    assert_int_equal(fm_pg_run(adj, "SELECT * FROM famins.subsidy_ledger", NULL, NULL, &err), FM_ECONFIG);
    assert_string_equal(err.code, "42501");
    const char *ids[] = {"a", "b\"c"};
    fm_pg_p_text_array(&p, ids, 2);
    assert_int_equal(
        fm_pg_run_prepared(adj, cache, id, "SELECT cardinality($1::text[]) AS n", &p, &res, &err), FM_OK);
    assert_i64_equal(fm_pg_col_i64(res, 0, "n"), 2);
    PQclear(res);
    assert_true(cache->prepared[id]);
    assert_int_equal(tdb_exec(adj, "DEALLOCATE fm_stmt_15"), 0);
    assert_int_equal(
        fm_pg_run_prepared(adj, cache, id, "SELECT cardinality($1::text[]) AS n", &p, NULL, &err), FM_EDB);
    assert_string_equal(err.code, "26000");
    assert_false(cache->prepared[id]);
    assert_int_equal(
        fm_pg_run_prepared(adj, cache, id, "SELECT cardinality($1::text[]) AS n", &p, NULL, &err), FM_OK);
    fm_pg_params_free(&p);
    p.failed = true;
    assert_int_equal(fm_pg_run(adj, "SELECT 1", &p, NULL, &err), FM_ENOMEM);
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
        cmocka_unit_test_setup(same_person_claims_in_one_batch_use_usage_in_order, setup_household),
        cmocka_unit_test_setup(person_stored_under_a_previous_key_keeps_it_in_one_batch, setup_household),
        cmocka_unit_test_setup(household_limit_in_one_batch_reached_to_the_fen, setup_household),
        cmocka_unit_test_setup(same_invoice_twice_in_one_batch_first_claim_wins, setup_household),
        cmocka_unit_test_setup(invoices_alike_but_for_a_separator_are_two_invoices, setup_household),
        cmocka_unit_test_setup(longest_invoices_differing_in_their_last_byte_are_two_invoices,
                               setup_household),
        cmocka_unit_test_setup(death_paid_earlier_in_the_batch_makes_the_person_deceased, setup_household),
        cmocka_unit_test_setup(review_in_the_same_batch_as_its_claim, setup_household),
        cmocka_unit_test_setup(duplicate_claim_id_in_one_batch_is_refused, setup_household),
        cmocka_unit_test_setup(decided_at_is_the_write_time_not_the_transaction_start, setup_household),
        cmocka_unit_test(statements_leave_the_sqlstate_in_the_code),
    };
    int failed = cmocka_run_group_tests_name("adjudicator_batch", tests, NULL, NULL);
    PQfinish(admin);
    PQfinish(adj);
    fm_plan_catalogue_free(cat);
    return failed;
}
