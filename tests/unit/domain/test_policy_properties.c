/* test_policy_properties.c — the subsidy ledger reconciles to the fen after any sequence of policy changes
 * (random sequences, fixed seed): rows per payer never negative, never beyond the allocation, adding up. */
#include "domain_fixtures.h"

#include "fm_policy_rules.h"

#include <stdint.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Du;
static uint64_t next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}
static int64_t upto(int64_t n)
{
    return n <= 0 ? 0 : (int64_t)(next() % (uint64_t)(n + 1));
}

static fm_subsidy_split random_split(void)
{
    fm_fen city = upto(4000), district = upto(4000 - city);
    switch (next() % 4) {
    case 0: return (fm_subsidy_split){4000, 0, 0};
    case 1: return (fm_subsidy_split){city, 4000 - city, 0};
    case 2: return (fm_subsidy_split){city, 0, 4000 - city};
    default: return (fm_subsidy_split){city, district, 4000 - city - district};
    }
}

/* Reversals of random amounts until the subsidy is gone: every row >= 0, each reversal's rows add up to it,
 * and at the end every payer is reversed exactly its allocated share (the ledger nets to 0, not -1). */
static void reversal_rows_add_up_and_never_overdraw_a_payer(void **state)
{
    (void)state;
    for (int round = 0; round < 600; round++) {
        fm_subsidy_split s = random_split();
        fm_fen already = 0;
        fm_fen ledger[3] = {s.city, s.district_or_county, s.development_zone};
        while (already < 4000) {
            fm_fen amount = next() % 3 ? upto(4000 - already) : 1;
            fm_subsidy_split r;
            assert_int_equal(fm_subsidy_reversal_split(&s, already, amount, &r), FM_OK);
            assert_true(r.city >= 0 && r.district_or_county >= 0 && r.development_zone >= 0);
            assert_int_equal(r.city + r.district_or_county + r.development_zone, amount);
            ledger[0] -= r.city;
            ledger[1] -= r.district_or_county;
            ledger[2] -= r.development_zone;
            assert_true(ledger[0] >= 0 && ledger[1] >= 0 && ledger[2] >= 0);
            already += amount;
            assert_int_equal(ledger[0] + ledger[1] + ledger[2], 4000 - already);
            /* Close to the exact share: within one fen of amount x share / 4000 over the whole sequence. */
            fm_subsidy_split exact;
            assert_int_equal(fm_subsidy_apportion(&s, already, &exact), FM_OK);
            assert_true(exact.city * 4000 - already * s.city > -4000 &&
                        exact.city * 4000 - already * s.city < 4000);
        }
        assert_int_equal(ledger[0], 0);
        assert_int_equal(ledger[1], 0);
        assert_int_equal(ledger[2], 0);
    }
}

/* A policy's changes in random order and on random dates, applied as eligibility would: the subsidy
 * allocated minus the reversals booked per payer equals the policy's subsidy left, to the fen, and the
 * household's refunds never exceed what it owes. */
static void any_sequence_of_changes_reconciles(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    for (int round = 0; round < 1500; round++) {
        fm_plan *p = sample_plan(cat, 2026 + (int)(next() % 3));
        p->policy.cancellation_subsidy_reversal = (fm_prorata)(next() % FM_PRORATA_COUNT);
        p->policy.category_a_loss_reversal = next() % 4 ? FM_PRORATA_DAYS : FM_PRORATA_NONE;
        p->policy.refund_after_paid_claim = next() % 2;
        fm_policy_state st = {.exists = true,
                              .category = next() % 2 ? FM_CATEGORY_A : FM_CATEGORY_B,
                              .coverage_start = p->start + (fm_date)upto(200),
                              .coverage_end = p->end,
                              .n_children = 1,
                              .all_children_female = true};
        st.a_basis = next() % 2 ? FM_A_BASIS_ONLY_CHILD : FM_A_BASIS_TWO_DAUGHTERS;
        st.premium = fm_policy_premium(p, st.category, 1);
        st.subsidy = st.category == FM_CATEGORY_A ? 4000 : 0;
        st.split = st.category == FM_CATEGORY_A ? random_split() : (fm_subsidy_split){0, 0, 0};
        st.self_paid = st.premium - st.subsidy;
        fm_fen booked[3] = {st.split.city, st.split.district_or_county, st.split.development_zone};
        fm_date on = p->enrollment_opens + (fm_date)upto(60);
        for (int step = 0; step < 12; step++) {
            fm_policy_change ch = {.kind = (fm_change_kind)(next() % FM_CHANGE_KIND_COUNT),
                                   .on = on,
                                   .role = next() % 3 ? FM_ROLE_CHILD : FM_ROLE_PARENT,
                                   .id_valid = next() % 10 != 0,
                                   .birth = on,
                                   .female = next() % 2,
                                   .amount = 1 + upto(20000)};
            ch.already_member = ch.kind == FM_CHANGE_MEMBER_REMOVED;
            on += (fm_date)upto(60);
            fm_policy_change_decision d;
            fm_error err;
            assert_int_equal(fm_decide_policy_change(p, &st, &ch, &d, &err), FM_OK);
            assert_int_equal(d.reversal_split.city + d.reversal_split.district_or_county +
                                 d.reversal_split.development_zone,
                             d.subsidy_reversal);
            assert_true(d.subsidy_reversal >= 0 && d.refund >= 0);
            if (!d.accepted) {
                assert_int_equal(d.subsidy_reversal + d.refund + d.premium_delta, 0);
                continue;
            }
            if (d.subsidy_reversal > 0)
                assert_int_equal(st.category, FM_CATEGORY_A);
            booked[0] -= d.reversal_split.city;
            booked[1] -= d.reversal_split.district_or_county;
            booked[2] -= d.reversal_split.development_zone;
            st.subsidy_reversed += d.subsidy_reversal;
            st.self_paid += d.self_paid_delta;
            st.category = d.category_after;
            st.n_children = d.n_children_after;
            st.premium = d.premium_after;
            st.all_children_female = st.all_children_female && (ch.role != FM_ROLE_CHILD || ch.female);
            if (ch.kind == FM_CHANGE_CANCELLED) {
                st.cancelled = true;
                st.cancelled_on = ch.on;
                st.premium_refunded += d.refund;
                assert_true(d.refund <= st.self_paid);
            } else if (ch.kind == FM_CHANGE_PREMIUM_PAID) {
                st.premium_paid += ch.amount;
            } else if (ch.kind == FM_CHANGE_PREMIUM_REFUNDED) {
                st.premium_refunded += ch.amount;
            }
            assert_true(booked[0] >= 0 && booked[1] >= 0 && booked[2] >= 0);
            assert_int_equal(booked[0] + booked[1] + booked[2], st.subsidy - st.subsidy_reversed);
            assert_true(st.premium_refunded <= st.premium_paid || !p->policy.premium_tracking ||
                        ch.kind == FM_CHANGE_CANCELLED || st.cancelled);
        }
        p->policy = fm_policy_terms_default(); /* the next round starts from the file's terms */
    }
    fm_plan_catalogue_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reversal_rows_add_up_and_never_overdraw_a_payer),
        cmocka_unit_test(any_sequence_of_changes_reconciles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
