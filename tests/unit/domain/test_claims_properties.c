/* test_claims_properties.c — invariants of medical adjudication over many generated claims (fixed seed). */
#include "domain_fixtures.h"

#include "fm_claim_rules.h"

#include <stdint.h>

/* xorshift64*: a fixed seed keeps the run reproducible. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}
static fm_fen upto(fm_fen n)
{
    return n <= 0 ? 0 : (fm_fen)(next() % (uint64_t)(n + 1));
}

static void medical_decisions_keep_their_invariants(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *plan = sample_plan(cat, 2026);
    static fm_bill bills[FM_MAX_BILLS];
    static char codes[FM_MAX_BILLS][8], numbers[FM_MAX_BILLS][8];
    for (int round = 0; round < 20000; round++) {
        fm_claim c = {0};
        fm_claim_context ctx = {0};
        fm_claim_decision d;
        c.liability = next() % 2 ? FM_LIAB_ACCIDENT_MEDICAL : FM_LIAB_ILLNESS_HOSPITAL;
        c.cause = c.liability == FM_LIAB_ACCIDENT_MEDICAL ? FM_CAUSE_ACCIDENT : FM_CAUSE_ILLNESS;
        c.incident_date = D("2026-08-01");
        c.documents = (fm_documents)(next() % 8 ? 0x1FF : next() & 0x1FF);
        c.n_bills = (size_t)upto(6);
        c.bills = bills;
        for (size_t i = 0; i < c.n_bills; i++) {
            snprintf(codes[i], sizeof codes[i], "C%d", (int)upto(2));
            snprintf(numbers[i], sizeof numbers[i], "N%d", (int)upto(3));
            bills[i] = (fm_bill){codes[i], numbers[i], upto(400000), upto(200000), upto(50000)};
            ctx.bill_already_claimed[i] = next() % 5 == 0;
        }
        ctx.policy_found = ctx.person_found = true;
        ctx.plan_year = 2026;
        ctx.coverage_start = D("2026-03-01");
        ctx.coverage_end = D("2027-02-28");
        ctx.role = (fm_role)(next() % FM_ROLE_COUNT);
        ctx.renewal = true;
        ctx.usage.deductible_used[c.liability] = upto(12000);
        ctx.usage.medical_paid[c.liability] = upto(1100000);
        ctx.household_medical_paid[c.liability] = ctx.usage.medical_paid[c.liability] + upto(600000);

        fm_error err;
        assert_int_equal(fm_decide_claim(plan, &c, &ctx, &d, &err), FM_OK);
        const fm_liability_terms *t = &plan->liabilities[c.liability];
        fm_fen person_limit = t->person_limit[ctx.role];
        assert_true(d.payable >= 0 && d.full >= 0);
        switch (d.outcome) {
        case FM_CLAIM_APPROVED: assert_true(d.payable > 0 && d.payable == d.full); break;
        case FM_CLAIM_PARTIAL: assert_true(d.payable > 0 && d.payable < d.full); break;
        case FM_CLAIM_DECLINED:
        case FM_CLAIM_PENDING_REVIEW: assert_fen_equal(d.payable, 0); break;
        }
        assert_true(d.n_reasons > 0 || d.outcome == FM_CLAIM_APPROVED);
        /* never more than the limits left */
        fm_fen person_left = person_limit - ctx.usage.medical_paid[c.liability];
        assert_true(d.payable <= (person_left > 0 ? person_left : 0));
        if (t->household_shared) {
            fm_fen house_left = t->household_limit - ctx.household_medical_paid[c.liability];
            assert_true(d.payable <= (house_left > 0 ? house_left : 0));
        }
        /* usage moves by exactly what was paid, the deductible never beyond the plan's */
        assert_fen_equal(d.new_usage.medical_paid[c.liability] - ctx.usage.medical_paid[c.liability],
                         d.payable);
        fm_fen ded_before = ctx.usage.deductible_used[c.liability];
        fm_fen ded_after = d.new_usage.deductible_used[c.liability];
        assert_true(ded_after >= ded_before);
        assert_true(ded_after <= (ded_before > t->deductible ? ded_before : t->deductible));
        if (d.outcome == FM_CLAIM_PENDING_REVIEW)
            assert_false(d.usage_changed);
        /* payable is at most the ratio of the remaining eligible amount */
        assert_true(d.computed <= d.full);
    }
    fm_plan_catalogue_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(medical_decisions_keep_their_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
