/* test_explain.c — one-line explanations a claims officer reads to a family, in English and Chinese. */
#include "domain_fixtures.h"

#include "fm_explain.h"

static fm_enrollment_decision accepted_a(void)
{
    fm_enrollment_decision d = {0};
    d.outcome = FM_ENROLLMENT_ACCEPTED;
    d.category = FM_CATEGORY_A;
    d.n_members = 3;
    d.n_insured = 2;
    d.n_insured_children = 1;
    d.premium = 16500;
    d.subsidy = 4000;
    d.self_paid = 12500;
    d.coverage_start = D("2026-03-01");
    d.coverage_end = D("2027-02-28");
    snprintf(d.policy_number, sizeof d.policy_number, "FJ2026-H610113000001");
    snprintf(d.plan_version, sizeof d.plan_version, "2026-sample-1");
    d.members[2].reasons[0] = FM_REASON_CHILD_OVER_AGE;
    d.members[2].n_reasons = 1;
    return d;
}

static void accepted_enrollment_is_explained_with_amounts_dates_and_exclusions(void **state)
{
    (void)state;
    fm_enrollment_decision d = accepted_a();
    char buf[512];
    assert_int_equal(fm_explain_enrollment(&d, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "Accepted as category A: 2 of 3 members insured from 2026-03-01 to 2027-02-28; premium "
             "165.00 yuan, subsidy 40.00, the family pays 125.00 (policy FJ2026-H610113000001, plan "
             "2026-sample-1). Member 3 not insured: Child over the age limit.");
    assert_int_equal(fm_explain_enrollment(&d, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "同意参保，按独生子女和农村双女户家庭（A类）参保：3位成员中2位参保，保险期间2026-03-01至2027-"
             "02-28；保费165.00元，财政补贴40.00元，家庭自付125.00元（保单号 FJ2026-H610113000001，方案 "
             "2026-sample-1）。第3位成员未参保：子女超过年龄上限。");
}

static void rejected_enrollment_lists_every_reason(void **state)
{
    (void)state;
    fm_enrollment_decision d = {0};
    d.outcome = FM_ENROLLMENT_REJECTED;
    d.reasons[0] = FM_REASON_NO_CONSENT;
    d.reasons[1] = FM_REASON_INVALID_ID_NUMBER;
    d.n_reasons = 2;
    d.n_members = 2;
    d.members[1].reasons[0] = FM_REASON_INVALID_ID_NUMBER;
    d.members[1].n_reasons = 1;
    char buf[256];
    assert_int_equal(fm_explain_enrollment(&d, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "Rejected: The household did not consent; Invalid identity number. Member 2 not insured: "
             "Invalid identity number.");
    assert_int_equal(fm_explain_enrollment(&d, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "不予参保：投保人未同意投保；身份证号码无效。第2位成员未参保：身份证号码无效。");
}

static void claim_outcomes_are_explained(void **state)
{
    (void)state;
    fm_claim_decision d = {0};
    char buf[256];
    d.outcome = FM_CLAIM_APPROVED;
    d.payable = d.full = d.computed = 96000;
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ACCIDENT_MEDICAL, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "Approved: 960.00 yuan for accident medical expenses.");
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ACCIDENT_MEDICAL, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "同意赔付：意外伤害医疗费 960.00元。");

    d.outcome = FM_CLAIM_PARTIAL;
    d.payable = 95999;
    d.reasons[0] = FM_REASON_LIMIT_REACHED;
    d.n_reasons = 1;
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ACCIDENT_MEDICAL, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "Partly approved: 959.99 of 960.00 yuan for accident medical expenses (Paid up to the "
             "remaining benefit limit).");
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ACCIDENT_MEDICAL, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "部分赔付：意外伤害医疗费应赔 960.00元，实赔 959.99元（按剩余保险金额给付）。");

    d.outcome = FM_CLAIM_DECLINED;
    d.payable = 0;
    d.reasons[0] = FM_REASON_WAITING_PERIOD;
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ILLNESS_HOSPITAL, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "Declined: The illness began within the waiting period.");
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_ILLNESS_HOSPITAL, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(buf, "拒赔：疾病发生在等待期内。");

    d.outcome = FM_CLAIM_PENDING_REVIEW;
    d.computed = 5000000;
    d.reasons[0] = FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD;
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_DEATH, FM_LANG_EN, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "Sent to review: The amount needs a reviewer's approval; nothing is paid until a reviewer "
             "decides (50000.00 yuan would be payable now).");
    assert_int_equal(fm_explain_claim(&d, FM_LIAB_DEATH, FM_LANG_ZH, buf, sizeof buf), FM_OK);
    assert_string_equal(
        buf, "转人工审核：赔付金额超过审核限额，需人工审核；审核前暂不赔付（按目前计算可赔 50000.00元）。");
}

/* Both lines at once, for the record and the event: "-" where a line would be empty (no decision). */
static void a_claims_two_lines_are_built_once_and_never_empty(void **state)
{
    (void)state;
    fm_explanation x;
    fm_explain_claim_both(NULL, FM_LIAB_DEATH, &x);
    assert_string_equal(x.en, "-");
    assert_string_equal(x.zh, "-");
    fm_claim_decision d = {0};
    d.outcome = FM_CLAIM_DECLINED;
    d.reasons[0] = FM_REASON_WAITING_PERIOD;
    d.n_reasons = 1;
    fm_explain_claim_both(&d, FM_LIAB_ILLNESS_HOSPITAL, &x);
    assert_string_equal(x.en, "Declined: The illness began within the waiting period.");
    assert_string_equal(x.zh, "拒赔：疾病发生在等待期内。");
}

static void a_short_buffer_is_cut_at_a_character_boundary(void **state)
{
    (void)state;
    fm_enrollment_decision d = accepted_a();
    for (size_t len = 1; len < 80; len++) {
        char buf[80];
        memset(buf, 'Z', sizeof buf);
        assert_int_equal(fm_explain_enrollment(&d, FM_LANG_ZH, buf, len), FM_EINVAL);
        size_t n = strlen(buf);
        assert_true(n < len);
        /* valid UTF-8: every lead byte is followed by all its continuation bytes */
        for (size_t i = 0; i < n;) {
            unsigned char c = (unsigned char)buf[i];
            size_t need = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            assert_true(c < 0x80 || c >= 0xC0);
            assert_true(i + need <= n);
            i += need;
        }
    }
    assert_int_equal(fm_explain_enrollment(&d, FM_LANG_EN, NULL, 10), FM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted_enrollment_is_explained_with_amounts_dates_and_exclusions),
        cmocka_unit_test(rejected_enrollment_lists_every_reason),
        cmocka_unit_test(claim_outcomes_are_explained),
        cmocka_unit_test(a_claims_two_lines_are_built_once_and_never_empty),
        cmocka_unit_test(a_short_buffer_is_cut_at_a_character_boundary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
