/* test_adj_payment_store.c — the payment step's reads and set-based writes (adj_payment_prepare,
 * adj_payment_write) against the real PostgreSQL: rows in their final state when a batch changes them twice,
 * new instructions in the order they were made, event rows in order with their texts intact, an unknown claim
 * time as the transaction's start, the state read back by the next batch, and a refused row failing the
 * write. Seeds as famins_admin, writes as famins_adjudicator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_payment.h"
#include "adj_testdb.h"
#include "fm_dates.h"
#include "fm_test.h"

#define POLICY "FJ2026-H610113000001"
#define PERSON "k1:ps-person"
#define REASON "account closed\tby the bank\nline 2 \\ back\\slash"

static PGconn *admin, *adj;
static fm_keyring keyring;

/* A formatted query's first value, on the adjudicator's session. */
#define q(...) tdb_i64f(adj, __VA_ARGS__)

#define text_of(buf, len, ...) tdb_textf(adj, buf, len, __VA_ARGS__)

/* Every payment instruction as "id:amount:status:paid_date:bank_reference:payee_version:replaces", by id. */
static void instructions_summary(char *got, size_t len)
{
    text_of(
        got, len,
        "SELECT string_agg(instruction_id || ':' || amount || ':' || status || ':' || "
        "coalesce(paid_date::text, '-')"
        " || ':' || coalesce(bank_reference, '-') || ':' || payee_version || ':' || coalesce(replaces, '-'),"
        " ' ' ORDER BY instruction_id) FROM famins.payment_instructions");
}

static void claim_row(const char *id, const char *liability, const char *status, int64_t payable)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, person_key,"
             " masked_id, liability, cause, incident_date, report_date, status, payable, received_at)"
             " VALUES ('%s', 'src-%s', '" POLICY "', 2026, '" PERSON "', '**************0027', '%s',"
             " 'accident', '2026-05-20', '2026-06-01', '%s', %lld, '2026-06-03T08:00:00Z')",
             id, id, liability, status, (long long)payable);
    assert_int_equal(tdb_exec(admin, sql), 0);
}

static int setup(void **state)
{
    (void)state;
    if (tdb_reset(admin) != 0 ||
        tdb_exec(admin, "TRUNCATE famins.payment_results, famins.payee_corrections, famins.claim_withdrawals,"
                        " famins.claim_payees, famins.payment_instructions, famins.claim_reservations") != 0)
        return -1;
    claim_row("PS-1", "death", "approved", 1001);
    claim_row("PS-2", "accident_medical", "approved", 800);
    claim_row("PS-3", "accident_medical", "approved", 700);
    /* PS-3: approved earlier without a payee; its reservation is all it has */
    return tdb_exec(admin,
                    "INSERT INTO famins.claim_reservations (claim_id, plan_year, person_key, policy_number,"
                    " payable, medical_am, household_am) VALUES ('PS-3', 2026, '" PERSON "', '" POLICY
                    "', 700, 700, 700)");
}

static fm_payee payee(fm_payee_kind kind, size_t n, const char *account)
{
    fm_payee p = {.present = true, .kind = kind, .n = n};
    for (size_t i = 0; i < n; i++) {
        snprintf(p.r[i].bank_code, sizeof p.r[i].bank_code, "%s", i == 0 ? "ICBC" : "BOC");
        snprintf(p.r[i].account, sizeof p.r[i].account, "%s%zu", account, i);
        p.r[i].share_percent = n == 1 ? 100 : i == 0 ? 60 : 40;
    }
    return p;
}

static adj_output decided(fm_fen payable)
{
    adj_output o = {.outcome = FM_CLAIM_APPROVED, .payable = payable, .reserved = true, .plan_year = 2026};
    snprintf(o.person_key, sizeof o.person_key, "%s", PERSON);
    o.usage_delta.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = payable;
    o.household_delta[FM_LIAB_ACCIDENT_MEDICAL] = payable;
    return o;
}

static fm_payment_result result(const char *event, const char *claim, const char *instruction, bool paid,
                                const char *text)
{
    fm_payment_result r = {.event_id = (char *)event,
                           .claim_id = (char *)claim,
                           .policy_number = POLICY,
                           .instruction_id = (char *)instruction,
                           .result = paid ? FM_PAYMENT_PAID : FM_PAYMENT_FAILED,
                           .bank_reference = paid ? (char *)text : NULL,
                           .failure_reason = paid ? NULL : (char *)text};
    if (paid)
        assert_int_equal(fm_date_parse("2026-06-20", &r.paid_date, NULL), FM_OK);
    return r;
}

static void drop_outputs(adj_payment *p)
{
    size_t n = 0;
    adj_pay_output *o = adj_payment_take_outputs(p, &n);
    adj_payment_outputs_free(o, n);
}

/* The instructed_at of instruction a is not after b's. */
static bool not_after(const char *a, const char *b)
{
    return q("SELECT ((SELECT instructed_at FROM famins.payment_instructions WHERE instruction_id = '%s') <="
             " (SELECT instructed_at FROM famins.payment_instructions WHERE instruction_id = '%s'))::int",
             a, b) == 1;
}

/* Batch 1: two claims submitted with payees, decided, paid and failed in the same batch; PS-2 decided twice.
 */
static void first_batch(void)
{
    adj_payment p = {.keyring = &keyring};
    fm_error err = {0};
    const char *ignored = NULL;
    char now[64] = "";
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    fm_payee two = payee(FM_PAYEE_BENEFICIARIES, 2, "62220202001122334"),
             one = payee(FM_PAYEE_INSURED, 1, "621661020088882222");
    assert_int_equal(
        adj_payment_claim_submitted(&p, "PS-1", "ps-clm-1", &two, "2026-06-02T10:00:00+08:00", &err), FM_OK);
    assert_int_equal(adj_payment_claim_submitted(&p, "PS-2", "ps-clm-2", &one, NULL, &err), FM_OK);
    adj_output d1 = decided(1001), d2a = decided(500), d2b = decided(800);
    assert_int_equal(adj_payment_instruct(&p, "PS-1", POLICY, "ps-clm-1", &d1, "2026-06-03T00:00:00Z", &err),
                     FM_OK);
    /* made in this batch and answered in it: written once, as answered */
    fm_payment_result r1 = result("ps-res-1", "PS-1", "famins-pay-ps-clm-1-0", false, REASON);
    fm_payment_result r2 = result("ps-res-2", "PS-1", "famins-pay-ps-clm-1-1", true, "BR-1");
    fm_payment_result r3 = result("ps-res-3", "PS-1", "famins-pay-nosuch-0", true, "BR-X");
    assert_int_equal(adj_payment_result(&p, &r1, &ignored, &err), FM_OK);
    assert_null(ignored);
    assert_int_equal(adj_payment_result(&p, &r2, &ignored, &err), FM_OK);
    assert_null(ignored);
    assert_int_equal(adj_payment_result(&p, &r3, &ignored, &err), FM_OK);
    assert_string_equal(ignored, "PAYMENT_UNKNOWN_INSTRUCTION");
    /* two decisions of PS-2: its reservation changes twice, the second instructs what the first did not */
    assert_int_equal(adj_payment_instruct(&p, "PS-2", POLICY, "ps-z-2", &d2a, "2026-06-03T00:00:00Z", &err),
                     FM_OK);
    assert_int_equal(adj_payment_instruct(&p, "PS-2", POLICY, "ps-a-2", &d2b, "2026-06-03T00:00:00Z", &err),
                     FM_OK);
    drop_outputs(&p);
    tdb_text(adj, "SELECT now()::text", now, sizeof now);
    assert_int_equal(adj_payment_write(&p, adj, &err), FM_OK);
    assert_int_equal(tdb_exec(adj, "COMMIT"), 0);
    adj_payment_free(&p);

    char got[1024];
    instructions_summary(got, sizeof got);
    assert_string_equal(
        got,
        "famins-pay-ps-a-2-0:300:instructed:-:-:0:- famins-pay-ps-clm-1-0:601:failed:-:-:0:-"
        " famins-pay-ps-clm-1-1:400:paid:2026-06-20:BR-1:0:- famins-pay-ps-z-2-0:500:instructed:-:-:0:-");
    /* the failure reason went through COPY's escaping unchanged */
    assert_i64_equal(q("SELECT count(*) FROM famins.payment_instructions WHERE failure_reason ="
                       " E'account closed\\tby the bank\\nline 2 \\\\ back\\\\slash'"),
                     1);
    /* the order they were made in: PS-1's two, then PS-2's first decision's, then its second's */
    assert_true(not_after("famins-pay-ps-clm-1-0", "famins-pay-ps-clm-1-1"));
    assert_true(not_after("famins-pay-ps-clm-1-1", "famins-pay-ps-z-2-0"));
    assert_true(not_after("famins-pay-ps-z-2-0", "famins-pay-ps-a-2-0"));
    /* claim times: the event's, or the transaction's start when unknown (now(), as the statements had it) */
    assert_i64_equal(q("SELECT count(*) FROM famins.payment_instructions WHERE claim_id = 'PS-1'"
                       " AND claim_received_at = '2026-06-02T10:00:00+08:00'"),
                     2);
    assert_i64_equal(q("SELECT count(*) FROM famins.payment_instructions WHERE claim_id = 'PS-2'"
                       " AND claim_received_at = '%s'",
                       now),
                     2);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_payees WHERE claim_id = 'PS-2' AND claim_received_at = '%s'",
          now),
        1);
    text_of(got, sizeof got,
            "SELECT string_agg(claim_id || ':' || payee_version || ':' || recipient_index || ':' || kind || "
            "':' ||"
            " share_percent || ':' || account_masked || ':' || source_event_id, ' ' ORDER BY claim_id, "
            "payee_version, recipient_index) FROM famins.claim_payees");
    assert_string_equal(got, "PS-1:0:0:beneficiaries:60:**************3340:ps-clm-1"
                             " PS-1:0:1:beneficiaries:40:**************3341:ps-clm-1"
                             " PS-2:0:0:insured:100:***************2220:ps-clm-2");
    /* results in the order they came (their ids), each as applied or ignored */
    text_of(
        got, sizeof got,
        "SELECT string_agg(source_event_id || ':' || result || ':' || coalesce(status_before, '-') || ':' ||"
        " coalesce(ignored_reason, 'applied') || ':' || coalesce(paid_date::text, '-'), ' ' ORDER BY "
        "result_id)"
        " FROM famins.payment_results");
    assert_string_equal(got,
                        "ps-res-1:failed:instructed:applied:- ps-res-2:paid:instructed:applied:2026-06-20"
                        " ps-res-3:paid:-:PAYMENT_UNKNOWN_INSTRUCTION:2026-06-20");
    assert_i64_equal(q("SELECT count(*) FROM famins.payment_results WHERE failure_reason ="
                       " E'account closed\\tby the bank\\nline 2 \\\\ back\\\\slash'"),
                     1);
    /* the reservations: PS-2's last decision's */
    text_of(
        got, sizeof got,
        "SELECT string_agg(claim_id || ':' || payable || ':' || medical_am || ':' || household_am || ':' ||"
        " released || ':' || plan_year || ':' || person_key, ' ' ORDER BY claim_id) FROM "
        "famins.claim_reservations");
    assert_string_equal(got, "PS-1:1001:1001:1001:false:2026:" PERSON " PS-2:800:800:800:false:2026:" PERSON
                             " PS-3:700:700:700:false:2026:" PERSON);
}

/* A claim fact of batch b for a recorded claim (the claims read's part the payment step uses). */
static void recorded(adj_batch *b, const char *id, fm_liability liability, const char *status, fm_fen payable)
{
    adj_stored_claim sc = {0};
    sc.claim.claim_id = strdup(id);
    sc.claim.policy_number = strdup(POLICY);
    sc.claim.liability = liability;
    snprintf(sc.person_key, sizeof sc.person_key, "%s", PERSON);
    long at = -1;
    assert_int_equal(adj_batch_add_stored(b, &sc, &at), FM_OK);
    adj_claim_fact *cf = fm_map_put(&b->claims, id, sizeof *cf, NULL);
    assert_non_null(cf);
    cf->recorded = true;
    cf->stored = at;
    snprintf(cf->status, sizeof cf->status, "%s", status);
    cf->payable = payable;
}

/* Batch 2: the state read back; a result for an instruction of an earlier batch (the UPDATE), a payee
 * correction re-issuing the failed one, a withdrawal releasing a reservation (the upsert of a row there). */
static void second_batch(void)
{
    adj_payment p = {.keyring = &keyring};
    adj_batch b = {0};
    fm_error err = {0};
    const char *ignored = NULL;
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    const char *claims[] = {"PS-1", "PS-2", "PS-1", "PS-3", ""};
    const char *named[] = {"famins-pay-ps-z-2-0"};
    assert_int_equal(adj_payment_prepare(&p, adj, claims, 5, named, 1, &err), FM_OK);
    const adj_pay_claim *c1 = fm_map_get(&p.claims, "PS-1"), *c2 = fm_map_get(&p.claims, "PS-2"),
                        *c3 = fm_map_get(&p.claims, "PS-3");
    assert_non_null(c1);
    assert_non_null(c2);
    assert_non_null(c3);
    assert_true(c1->has_payee);
    assert_int_equal(c1->n, 2);
    assert_int_equal(c1->kind, FM_PAYEE_BENEFICIARIES);
    assert_int_equal(c1->r[1].share_percent, 40);
    assert_string_equal(c1->r[1].masked, "**************3341");
    assert_int_equal(c1->n_ins, 2);
    assert_string_equal(c1->ins[0], "famins-pay-ps-clm-1-0");
    assert_string_equal(c1->ins[1], "famins-pay-ps-clm-1-1");
    assert_true(c1->res.present);
    assert_fen_equal(c1->res.payable, 1001);
    assert_int_equal(c2->n_ins, 2);
    assert_string_equal(c2->ins[0], "famins-pay-ps-z-2-0"); /* made first, though its id sorts last */
    assert_string_equal(c2->ins[1], "famins-pay-ps-a-2-0");
    assert_fen_equal(c2->res.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 800);
    assert_false(c3->has_payee); /* no payee: no instruction read for it */
    assert_int_equal(c3->n_ins, 0);
    assert_true(c3->res.present);
    assert_fen_equal(c3->res.household[FM_LIAB_ACCIDENT_MEDICAL], 700);
    /* the claim's own receipt (in the session's zone) */
    assert_i64_equal(q("SELECT ('%s'::timestamptz = '2026-06-03T08:00:00Z')::int", c3->received_at), 1);
    const adj_pay_instruction *in = fm_map_get(&p.instructions, "famins-pay-ps-clm-1-0");
    assert_non_null(in);
    assert_string_equal(in->status, "failed");
    assert_string_equal(in->failure_reason, REASON);

    recorded(&b, "PS-1", FM_LIAB_DEATH, "approved", 1001);
    recorded(&b, "PS-3", FM_LIAB_ACCIDENT_MEDICAL, "approved", 700);
    char key[128];
    adj_usage_fact *u = fm_map_put(&b.usage, adj_usage_key(key, sizeof key, 2026, PERSON), sizeof *u, NULL);
    assert_non_null(u);
    u->plan_year = 2026;
    snprintf(u->person_key, sizeof u->person_key, "%s", PERSON);
    u->usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 2501;
    adj_household_fact *h = fm_map_put(&b.households, POLICY, sizeof *h, NULL);
    assert_non_null(h);
    h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 2501;

    fm_payment_result r4 = result("ps-res-4", "PS-2", "famins-pay-ps-z-2-0", true, "BR-Z");
    assert_int_equal(adj_payment_result(&p, &r4, &ignored, &err), FM_OK);
    assert_null(ignored);
    fm_payee_correction pc = {.event_id = "ps-cor-1",
                              .claim_id = "PS-1",
                              .policy_number = POLICY,
                              .payee = payee(FM_PAYEE_BENEFICIARIES, 2, "62220202005555666")};
    assert_int_equal(adj_payment_correct(&p, &b, &pc, "2026-06-16T00:00:00Z", &ignored, &err), FM_OK);
    assert_null(ignored);
    fm_withdrawal w = {.event_id = "ps-wd-3",
                       .claim_id = "PS-3",
                       .policy_number = POLICY,
                       .reason = "the family\twithdraws"};
    assert_int_equal(adj_payment_withdraw(&p, &b, &w, "2026-06-17T00:00:00Z", &ignored, &err), FM_OK);
    assert_null(ignored);
    fm_fen left = u->usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL];
    assert_fen_equal(left, 1801);
    drop_outputs(&p);
    assert_int_equal(adj_payment_write(&p, adj, &err), FM_OK);
    assert_int_equal(tdb_exec(adj, "COMMIT"), 0);
    adj_payment_free(&p);
    adj_batch_free(&b);

    char got[1024];
    instructions_summary(got, sizeof got);
    assert_string_equal(got,
                        "famins-pay-ps-a-2-0:300:instructed:-:-:0:- famins-pay-ps-clm-1-0:601:failed:-:-:0:-"
                        " famins-pay-ps-clm-1-1:400:paid:2026-06-20:BR-1:0:-"
                        " famins-pay-ps-cor-1-0:601:instructed:-:-:1:famins-pay-ps-clm-1-0"
                        " famins-pay-ps-z-2-0:500:paid:2026-06-20:BR-Z:0:-");
    assert_i64_equal(
        q("SELECT count(*) FROM famins.payment_instructions WHERE instruction_id = 'famins-pay-ps-z-2-0'"
          " AND status_at > instructed_at"),
        1);
    /* the re-issue keeps the claim's time */
    assert_i64_equal(
        q("SELECT count(*) FROM famins.payment_instructions WHERE instruction_id = 'famins-pay-ps-cor-1-0'"
          " AND claim_received_at = '2026-06-02T10:00:00+08:00'"),
        1);
    assert_i64_equal(
        q("SELECT count(*) FROM famins.claim_payees WHERE claim_id = 'PS-1' AND payee_version = 1"
          " AND claim_received_at = '2026-06-02T10:00:00+08:00' AND source_event_id = 'ps-cor-1'"),
        2);
    text_of(got, sizeof got,
            "SELECT string_agg(source_event_id || ':' || payee_version || ':' || reissued || ':' ||"
            " coalesce(ignored_reason, '-'), ' ') FROM famins.payee_corrections");
    assert_string_equal(got, "ps-cor-1:1:1:-");
    text_of(got, sizeof got,
            "SELECT string_agg(source_event_id || ':' || claim_id || ':' || status_before || ':' || accepted "
            "|| ':' ||"
            " released || ':' || cancelled || ':' || reason, ' ') FROM famins.claim_withdrawals");
    assert_string_equal(got, "ps-wd-3:PS-3:approved:true:700:0:the family\twithdraws");
    text_of(got, sizeof got,
            "SELECT string_agg(claim_id || ':' || payable || ':' || released, ' ' ORDER BY claim_id) FROM "
            "famins.claim_reservations");
    assert_string_equal(got, "PS-1:1001:false PS-2:800:false PS-3:700:true");
}

static void batches_write_final_states_in_order(void **state)
{
    (void)state;
    first_batch();
    second_batch();
}

/* A row the database refuses (a claim it does not know) fails the write with its SQLSTATE: the runtime redoes
 * the batch (fm_worker.h's end_batch), nothing of it stored. */
static void a_refused_row_fails_the_write(void **state)
{
    (void)state;
    fm_error err = {0};
    /* a payee of an unknown claim: the payees' COPY */
    adj_payment p = {.keyring = &keyring};
    fm_payee one = payee(FM_PAYEE_INSURED, 1, "621661020088882222");
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    assert_int_equal(adj_payment_claim_submitted(&p, "PS-NONE", "ps-none", &one, NULL, &err), FM_OK);
    assert_int_equal(adj_payment_write(&p, adj, &err), FM_EDB);
    assert_string_equal(err.code, "23503");
    assert_int_equal(tdb_exec(adj, "ROLLBACK"), 0);
    adj_payment_free(&p);
    /* a reservation of an unknown claim (no payee): the upsert */
    adj_payment r = {.keyring = &keyring};
    adj_output d = decided(100);
    assert_int_equal(tdb_exec(adj, "BEGIN"), 0);
    assert_int_equal(adj_payment_claim_submitted(&r, "PS-NONE", "ps-none", NULL, NULL, &err), FM_OK);
    assert_int_equal(adj_payment_instruct(&r, "PS-NONE", POLICY, "ps-none", &d, "2026-06-03T00:00:00Z", &err),
                     FM_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(adj_payment_write(&r, adj, &err), FM_EDB);
    assert_string_equal(err.code, "23503");
    assert_int_equal(tdb_exec(adj, "ROLLBACK"), 0);
    adj_payment_free(&r);
    assert_i64_equal(q("SELECT count(*) FROM famins.claim_reservations WHERE claim_id = 'PS-NONE'"), 0);
}

int main(void)
{
    admin = PQconnectdb(getenv("FAMINS_PG_DSN"));
    adj = PQconnectdb(getenv("ADJ_TEST_DSN"));
    if (PQstatus(admin) != CONNECTION_OK || PQstatus(adj) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s %s\n", PQerrorMessage(admin), PQerrorMessage(adj));
        return 1;
    }
    tdb_keyring(&keyring);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(batches_write_final_states_in_order, setup),
        cmocka_unit_test_setup(a_refused_row_fails_the_write, setup),
    };
    int rc = cmocka_run_group_tests_name("adjudicator_payment_store", tests, NULL, NULL);
    PQfinish(admin);
    PQfinish(adj);
    return rc;
}
