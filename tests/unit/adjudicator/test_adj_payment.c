/* test_adj_payment.c — the payment step's pure parts: the payee decoder's rules (kinds, shares, the death
 * check), the account mask, the keyed reference, the split of an amount, instruction ids, and the
 * payment-side decoders' refusals (paths and codes, never the account). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_payment.h"
#include "fm_decode_payment.h"
#include "fm_test.h"

#define ACCOUNT "6222020200998877665"

static fm_status payee_of(const char *payee_json, int liability, fm_payee *out, fm_error *err)
{
    char doc[2048];
    snprintf(doc, sizeof doc, "{\"payee\":%s}", payee_json);
    json_t *root = json_loads(doc, 0, NULL);
    assert_non_null(root);
    fm_error_clear(err);
    fm_status st = fm_decode_payee_json(root, liability, out, err);
    json_decref(root);
    return st;
}

static void payee_block_is_optional(void **state)
{
    (void)state;
    fm_payee p;
    fm_error err;
    json_t *root = json_loads("{\"claim_id\":\"C1\"}", 0, NULL);
    assert_int_equal(fm_decode_payee_json(root, FM_LIAB_DEATH, &p, &err), FM_OK);
    assert_false(p.present);
    json_decref(root);
    assert_int_equal(payee_of("null", FM_LIAB_DEATH, &p, &err), FM_OK);
    assert_false(p.present);
}

static void guardian_and_beneficiaries_decode(void **state)
{
    (void)state;
    fm_payee p;
    fm_error err;
    assert_int_equal(
        payee_of("{\"kind\":\"guardian\",\"recipients\":[{\"bank_code\":\"CCB\",\"account_number\":\"" ACCOUNT
                 "\",\"share_percent\":100}]}",
                 FM_LIAB_ACCIDENT_MEDICAL, &p, &err),
        FM_OK);
    assert_true(p.present);
    assert_int_equal(p.kind, FM_PAYEE_GUARDIAN);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.r[0].account, ACCOUNT);
    fm_payee_wipe(&p);
    assert_int_equal(p.r[0].account[0], 0);
    assert_int_equal(payee_of("{\"kind\":\"beneficiaries\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_"
                              "number\":\"12345678\",\"share_percent\":60},{\"bank_code\":\"BOC\",\"account_"
                              "number\":\"87654321\",\"share_percent\":40}]}",
                              FM_LIAB_DEATH, &p, &err),
                     FM_OK);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.r[1].share_percent, 40);
}

static void expect_refused(const char *payee_json, int liability, const char *path, const char *code)
{
    fm_payee p;
    fm_error err;
    assert_int_equal(payee_of(payee_json, liability, &p, &err), FM_EINVAL);
    assert_string_equal(err.path, path);
    assert_string_equal(err.code, code);
    assert_null(strstr(err.text, ACCOUNT)); /* the account is never quoted */
    assert_false(p.present);
}

static void payee_rules_refuse_with_path_and_code(void **state)
{
    (void)state;
    /* beneficiaries' shares must sum to 100 */
    expect_refused(
        "{\"kind\":\"beneficiaries\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":60},{\"bank_code\":\"BOC\",\"account_number\":\"87654321\",\"share_"
        "percent\":30}]}",
        FM_LIAB_DEATH, "payee.recipients", "SHARES_NOT_100");
    /* insured and guardian: exactly one recipient */
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":50},{\"bank_code\":\"BOC\",\"account_number\":\"87654321\",\"share_"
        "percent\":50}]}",
        FM_LIAB_ACCIDENT_MEDICAL, "payee.recipients", "TOO_MANY");
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":90}]}",
        FM_LIAB_ACCIDENT_MEDICAL, "payee.recipients", "SHARES_NOT_100");
    /* a death is paid to beneficiaries, anything else is not */
    expect_refused(
        "{\"kind\":\"guardian\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":100}]}",
        FM_LIAB_DEATH, "payee.kind", "PAYEE_KIND_MISMATCH");
    expect_refused(
        "{\"kind\":\"beneficiaries\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":100}]}",
        FM_LIAB_CRITICAL_ILLNESS, "payee.kind", "PAYEE_KIND_MISMATCH");
    /* forms: account digits 8..32, bank code letters/digits 2..16, share 1..100 */
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"1234567\","
        "\"share_percent\":100}]}",
        -1, "payee.recipients[0].account_number", "BAD_FORMAT");
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"IC-BC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":100}]}",
        -1, "payee.recipients[0].bank_code", "BAD_FORMAT");
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":0}]}",
        -1, "payee.recipients[0].share_percent", "OUT_OF_RANGE");
    expect_refused("{\"kind\":\"insured\",\"recipients\":[]}", -1, "payee.recipients", "TOO_SHORT");
    expect_refused(
        "{\"kind\":\"insured\",\"recipients\":[{\"bank_code\":\"ICBC\",\"account_number\":\"" ACCOUNT
        "\",\"share_percent\":100}],\"name\":\"x\"}",
        -1, "payee", "UNKNOWN_FIELD");
}

static void mask_shows_the_last_four_of_a_long_account_only(void **state)
{
    (void)state;
    char m[FM_ACCOUNT_MASK_LEN];
    fm_payee_mask_account(ACCOUNT, m);
    assert_string_equal(m, "***************7665");
    fm_payee_mask_account("123456789", m);
    assert_string_equal(m, "*****6789");
    fm_payee_mask_account("12345678", m); /* 8 digits: half would be shown */
    assert_string_equal(m, "********");
    fm_payee_mask_account("", m);
    assert_string_equal(m, "");
    fm_payee_mask_account("123456789012345678901234567890123456789012345", m); /* cut, never overflows */
    assert_int_equal(strlen(m), FM_ACCOUNT_MASK_LEN - 1);
}

static void account_reference_is_keyed_and_stable(void **state)
{
    (void)state;
    fm_keyring ring, other;
    fm_error err;
    char a[ADJ_PAY_REF_LEN], b[ADJ_PAY_REF_LEN], c[ADJ_PAY_REF_LEN], d[ADJ_PAY_REF_LEN];
    assert_int_equal(fm_keyring_init(&ring, "k1", "secret-one", &err), FM_OK);
    assert_int_equal(fm_keyring_init(&other, "k1", "secret-two", &err), FM_OK);
    assert_int_equal(adj_payment_account_ref(&ring, "CCB", ACCOUNT, a), FM_OK);
    assert_int_equal(adj_payment_account_ref(&ring, "CCB", ACCOUNT, b), FM_OK);
    assert_int_equal(adj_payment_account_ref(&other, "CCB", ACCOUNT, c), FM_OK);
    assert_int_equal(adj_payment_account_ref(&ring, "ICBC", ACCOUNT, d), FM_OK);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c); /* another key, another reference: a plain hash could be brute-forced */
    assert_string_not_equal(a, d); /* the bank is part of the account */
    assert_int_equal(strncmp(a, "k1:", 3), 0);
    assert_int_equal(strlen(a), 3 + 64);
    assert_null(strstr(a, "7665"));
    fm_keyring empty = {0};
    assert_int_equal(adj_payment_account_ref(&empty, "CCB", ACCOUNT, a), FM_EINVAL);
    assert_string_equal(a, "");
}

static void split_gives_every_fen_and_the_rest_to_the_first(void **state)
{
    (void)state;
    fm_fen out[3];
    int s6040[] = {60, 40}, s333[] = {34, 33, 33}, s100[] = {100};
    adj_payment_split(5000000, s6040, 2, out);
    fm_assert_i64_equal(out[0], 3000000, "60 %", __FILE__, __LINE__);
    fm_assert_i64_equal(out[1], 2000000, "40 %", __FILE__, __LINE__);
    adj_payment_split(100, s333, 3, out); /* 34 + 33 + 33 */
    fm_assert_i64_equal(out[0] + out[1] + out[2], 100, "sum", __FILE__, __LINE__);
    adj_payment_split(101, s6040, 2, out); /* 60.6 -> 60, 40.4 -> 40, 1 fen left to the first */
    fm_assert_i64_equal(out[0], 61, "first", __FILE__, __LINE__);
    fm_assert_i64_equal(out[1], 40, "second", __FILE__, __LINE__);
    adj_payment_split(99999999999LL, s100, 1, out);
    fm_assert_i64_equal(out[0], 99999999999LL, "whole", __FILE__, __LINE__);
    int s13[] = {1, 99};
    adj_payment_split(99999999999LL, s13, 2, out); /* near the fen maximum: no overflow */
    fm_assert_i64_equal(out[0] + out[1], 99999999999LL, "big sum", __FILE__, __LINE__);
}

static void instruction_ids_derive_from_the_source(void **state)
{
    (void)state;
    char a[ADJ_PAY_ID_LEN], b[ADJ_PAY_ID_LEN];
    adj_payment_instruction_id("clm-A", 0, a);
    assert_string_equal(a, "famins-pay-clm-A-0");
    adj_payment_instruction_id("clm-A", 1, b);
    assert_string_equal(b, "famins-pay-clm-A-1");
    char longid[80];
    memset(longid, 'x', 64);
    longid[64] = '\0';
    adj_payment_instruction_id(longid, 0, a);
    adj_payment_instruction_id(longid, 0, b);
    assert_string_equal(a, b); /* hashed, stable */
    assert_true(strlen(a) <= FM_EVENT_ID_LEN);
    assert_int_equal(strncmp(a, "famins-pay-h", 12), 0);
}

static void payment_result_fields_follow_the_result(void **state)
{
    (void)state;
    fm_payment_result r;
    fm_error err;
#define BASE                                                                                                 \
    "{\"event_id\":\"r1\",\"type\":\"claim.payment_result\",\"schema_version\":1,"                           \
    "\"occurred_at\":\"2026-06-20T09:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C1\","                  \
    "\"policy_number\":\"FJ2026-H1\",\"instruction_id\":\"famins-pay-x-0\",%s}"
    struct {
        const char *body, *path, *code;
    } cases[] = {
        {"\"result\":\"paid\",\"paid_date\":\"2026-06-20\",\"bank_reference\":\"B1\",\"failure_reason\":null",
         NULL, NULL},
        {"\"result\":\"failed\",\"paid_date\":null,\"bank_reference\":null,\"failure_reason\":\"closed\"",
         NULL, NULL},
        {"\"result\":\"paid\",\"paid_date\":\"2026-06-20\",\"bank_reference\":null,\"failure_reason\":null",
         "bank_reference", "MISSING"},
        {"\"result\":\"paid\",\"paid_date\":\"2026-06-20\",\"bank_reference\":\"B\",\"failure_reason\":\"x\"",
         "failure_reason", "MUST_BE_NULL"},
        {"\"result\":\"failed\",\"paid_date\":\"2026-06-20\",\"bank_reference\":null,\"failure_reason\":"
         "\"x\"",
         "paid_date", "MUST_BE_NULL"},
        {"\"result\":\"failed\",\"paid_date\":null,\"bank_reference\":null,\"failure_reason\":null",
         "failure_reason", "MISSING"},
        {"\"result\":\"paid\",\"paid_date\":\"2026-02-30\",\"bank_reference\":\"B\",\"failure_reason\":null",
         "paid_date", "BAD_DATE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char doc[1024];
        snprintf(doc, sizeof doc, BASE, cases[i].body);
        json_t *root = json_loads(doc, 0, NULL);
        assert_non_null(root);
        fm_status st = fm_decode_payment_result_json(root, &r, &err);
        json_decref(root);
        if (cases[i].path == NULL) {
            assert_int_equal(st, FM_OK);
            assert_string_equal(r.instruction_id, "famins-pay-x-0");
            fm_payment_result_free(&r);
        } else {
            assert_int_equal(st, FM_EINVAL);
            assert_string_equal(err.path, cases[i].path);
            assert_string_equal(err.code, cases[i].code);
            assert_null(r.claim_id); /* freed and zeroed */
        }
    }
}

static void wrong_type_is_refused_by_each_decoder(void **state)
{
    (void)state;
    fm_error err;
    fm_withdrawal w;
    fm_payee_correction c;
    json_t *root =
        json_loads("{\"event_id\":\"r1\",\"type\":\"claim.reviewed\",\"schema_version\":1,\"occurred_at\":"
                   "\"2026-06-20T09:00:00+08:00\",\"producer\":\"t\",\"claim_id\":\"C1\"}",
                   0, NULL);
    assert_int_equal(fm_decode_withdrawal_json(root, &w, &err), FM_EINVAL);
    assert_string_equal(err.code, "WRONG_EVENT_TYPE");
    assert_int_equal(fm_decode_payee_correction_json(root, &c, &err), FM_EINVAL);
    assert_string_equal(err.code, "WRONG_EVENT_TYPE");
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(payee_block_is_optional),
        cmocka_unit_test(guardian_and_beneficiaries_decode),
        cmocka_unit_test(payee_rules_refuse_with_path_and_code),
        cmocka_unit_test(mask_shows_the_last_four_of_a_long_account_only),
        cmocka_unit_test(account_reference_is_keyed_and_stable),
        cmocka_unit_test(split_gives_every_fen_and_the_rest_to_the_first),
        cmocka_unit_test(instruction_ids_derive_from_the_source),
        cmocka_unit_test(payment_result_fields_follow_the_result),
        cmocka_unit_test(wrong_type_is_refused_by_each_decoder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
