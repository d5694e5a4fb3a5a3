/* test_policy_rules.c — the rules of a policy's life after enrollment at their boundaries (hand-computed). */
#include "domain_fixtures.h"

#include "fm_policy_rules.h"

/* A category-B household of `children` children, enrolled before plan start (cover = the plan year). */
static fm_policy_state b_state(const fm_plan *p, int children)
{
    return (fm_policy_state){.exists = true,
                             .category = FM_CATEGORY_B,
                             .coverage_start = p->start,
                             .coverage_end = p->end,
                             .n_children = children,
                             .premium = p->premium_b[children],
                             .self_paid = p->premium_b[children]};
}

/* An only-child category-A household (split 1500 city / 2500 district). */
static fm_policy_state a_state(const fm_plan *p, fm_a_basis basis)
{
    return (fm_policy_state){.exists = true,
                             .category = FM_CATEGORY_A,
                             .a_basis = basis,
                             .coverage_start = p->start,
                             .coverage_end = p->end,
                             .n_children = 1,
                             .all_children_female = true,
                             .premium = p->premium_a[1],
                             .subsidy = 4000,
                             .self_paid = p->premium_a[1] - 4000,
                             .split = {1500, 2500, 0}};
}

static fm_policy_change add_child(const char *on, bool female)
{
    return (fm_policy_change){.kind = FM_CHANGE_MEMBER_ADDED,
                              .on = D(on),
                              .role = FM_ROLE_CHILD,
                              .id_valid = true,
                              .birth = D(on),
                              .female = female};
}

static fm_policy_change_decision decide(const fm_plan *p, const fm_policy_state *st,
                                        const fm_policy_change *ch)
{
    fm_policy_change_decision d;
    fm_error err;
    assert_int_equal(fm_decide_policy_change(p, st, ch, &d, &err), FM_OK);
    return d;
}

static void only_reason(const fm_policy_change_decision *d, fm_reason r)
{
    assert_int_equal(d->n_reasons, 1);
    assert_string_equal(fm_reason_id(d->reasons[0]), fm_reason_id(r));
}

/* Plan 2026: 2026-03-01 .. 2027-02-28, 365 days; premiums 16500 for one child, 17000 for two or three. */
static void newborn_on_plan_start_is_covered_from_the_next_day(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    fm_policy_change ch = add_child("2026-03-01", false);
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.n_reasons, 0);
    assert_int_equal(d.member_covered_from, D("2026-03-02"));
    assert_int_equal(d.member_covered_to, D("2027-02-28"));
    assert_int_equal(d.days_total, 365);
    assert_int_equal(d.days_left, 364);
    assert_int_equal(d.premium_after, 17000);
    assert_int_equal(d.premium_delta, 498); /* 500 x 364 / 365 = 498.6, down */
    assert_int_equal(d.self_paid_delta, 498);
    assert_int_equal(d.subsidy_reversal, 0);
    assert_int_equal(d.category_after, FM_CATEGORY_B);
    assert_int_equal(d.n_children_after, 2);
    fm_plan_catalogue_free(cat);
}

static void a_member_added_on_plan_end_has_no_day_left(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    fm_policy_change ch = add_child("2027-02-28", false);
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_false(d.accepted);
    only_reason(&d, FM_REASON_CHANGE_OUTSIDE_COVERAGE);
    assert_int_equal(d.premium_delta, 0);
    assert_int_equal(d.n_children_after, 1);
    /* The day before plan end: one day of cover, 500 x 1 / 365 = 1.4, down. */
    ch = add_child("2027-02-27", false);
    d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.member_covered_from, D("2027-02-28"));
    assert_int_equal(d.premium_delta, 1);
    /* After plan end, and before the plan's window opens: no policy of the year. */
    ch = add_child("2027-03-01", false);
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_CHANGE_OUTSIDE_COVERAGE);
    ch = add_child("2025-12-31", false);
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_CHANGE_OUTSIDE_COVERAGE);
    fm_plan_catalogue_free(cat);
}

static void second_child_of_an_only_child_household_moves_it_to_b(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = a_state(p, FM_A_BASIS_ONLY_CHILD);
    fm_policy_change ch = add_child("2026-09-01", true);
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    only_reason(&d, FM_REASON_CATEGORY_A_EVIDENCE_LOST);
    assert_int_equal(d.category_after, FM_CATEGORY_B);
    assert_int_equal(d.days_left, 180); /* 2026-09-02 .. 2027-02-28 */
    assert_int_equal(d.premium_after, 17000);
    assert_int_equal(d.premium_delta, 246);     /* (17000 - 16500) x 180 / 365 = 246.6 */
    assert_int_equal(d.subsidy_reversal, 1972); /* 4000 x 180 / 365 = 1972.6 */
    /* 1972 in 1500 : 2500: exact 739.5 / 1232.5; the last fen's tie goes to the city. */
    assert_int_equal(d.reversal_split.city, 740);
    assert_int_equal(d.reversal_split.district_or_county, 1232);
    assert_int_equal(d.reversal_split.development_zone, 0);
    assert_int_equal(d.self_paid_delta, 246 + 1972);
    fm_plan_catalogue_free(cat);
}

static void rural_two_daughters_stay_a_with_a_daughter_not_with_a_son(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = a_state(p, FM_A_BASIS_TWO_DAUGHTERS);
    fm_policy_change ch = add_child("2026-09-01", true);
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.n_reasons, 0);
    assert_int_equal(d.category_after, FM_CATEGORY_A);
    assert_int_equal(d.premium_after, p->premium_a[2]);
    assert_int_equal(d.subsidy_reversal, 0);
    ch = add_child("2026-09-01", false);
    d = decide(p, &st, &ch);
    only_reason(&d, FM_REASON_CATEGORY_A_EVIDENCE_LOST);
    assert_int_equal(d.subsidy_reversal, 1972);
    /* A third daughter: two daughters at most. */
    st.n_children = 2;
    ch = add_child("2026-09-01", true);
    d = decide(p, &st, &ch);
    assert_int_equal(d.category_after, FM_CATEGORY_B);
    fm_plan_catalogue_free(cat);
}

static void category_b_beyond_the_child_limit_is_refused(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 3);
    fm_policy_change ch = add_child("2026-06-01", false);
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_false(d.accepted);
    only_reason(&d, FM_REASON_TOO_MANY_CHILDREN);
    assert_int_equal(d.n_children_after, 3);
    assert_int_equal(d.premium_after, 17000);
    fm_plan_catalogue_free(cat);
}

static void member_data_is_checked_like_an_enrollment(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    fm_policy_change ch = add_child("2026-06-01", false);
    ch.birth = D("2008-02-29"); /* the cut-off is 2008-03-01 */
    fm_policy_change_decision d = decide(p, &st, &ch);
    only_reason(&d, FM_REASON_CHILD_OVER_AGE);
    ch.birth = D("2008-03-01");
    assert_true((d = decide(p, &st, &ch)).accepted);
    ch.id_valid = false;
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_INVALID_ID_NUMBER);
    ch = add_child("2026-06-01", false);
    ch.already_member = true;
    ch.insured_elsewhere = true;
    d = decide(p, &st, &ch);
    assert_int_equal(d.n_reasons, 2);
    assert_int_equal(d.reasons[0], FM_REASON_DUPLICATE_MEMBER);
    assert_int_equal(d.reasons[1], FM_REASON_ALREADY_INSURED_ELSEWHERE);
    /* A new guardian: covered from the next day, the household premium does not move. */
    ch = (fm_policy_change){.kind = FM_CHANGE_MEMBER_ADDED,
                            .on = D("2026-06-01"),
                            .role = FM_ROLE_GUARDIAN,
                            .id_valid = true,
                            .birth = D("1980-01-01")};
    d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.member_covered_from, D("2026-06-02"));
    assert_int_equal(d.premium_delta, 0);
    assert_int_equal(d.n_children_after, 1);
    fm_plan_catalogue_free(cat);
}

static void removing_a_member(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 2);
    fm_policy_change ch = {.kind = FM_CHANGE_MEMBER_REMOVED,
                           .on = D("2026-09-01"),
                           .role = FM_ROLE_CHILD,
                           .already_member = true,
                           .member_covered_from = D("2026-03-01")};
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.member_covered_to, D("2026-09-01")); /* covered through the day of the change */
    assert_int_equal(d.premium_after, 16500);
    assert_int_equal(d.premium_delta, -246); /* -500 x 180 / 365 = -246.6, toward zero */
    /* Not a member; the last child (the household cancels instead). */
    ch.already_member = false;
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_PERSON_NOT_INSURED);
    st = b_state(p, 1);
    ch.already_member = true;
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_NO_ELIGIBLE_CHILD);
    /* A parent leaves a one-child household: accepted, premium unchanged. */
    ch.role = FM_ROLE_PARENT;
    d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.premium_delta, 0);
    fm_plan_catalogue_free(cat);
}

static void cancellation_the_day_after_enrollment(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    /* Submitted 2026-05-10: cover 2026-05-11 .. 2027-02-28, 294 days. */
    fm_policy_state st = a_state(p, FM_A_BASIS_ONLY_CHILD);
    st.coverage_start = D("2026-05-11");
    st.split = (fm_subsidy_split){2000, 2000, 0};
    fm_policy_change ch = {.kind = FM_CHANGE_CANCELLED, .on = D("2026-05-11")};
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.days_total, 294);
    assert_int_equal(d.days_left, 293);
    assert_int_equal(d.covered_to, D("2026-05-11"));
    assert_int_equal(d.refund, 12457);          /* 12500 x 293 / 294 = 12457.5 */
    assert_int_equal(d.subsidy_reversal, 3986); /* 4000 x 293 / 294 = 3986.4 */
    assert_int_equal(d.reversal_split.city, 1993);
    assert_int_equal(d.reversal_split.district_or_county, 1993);
    /* On the day of submission, before cover starts: everything back. */
    ch.on = D("2026-05-10");
    d = decide(p, &st, &ch);
    assert_int_equal(d.refund, 12500);
    assert_int_equal(d.subsidy_reversal, 4000);
    /* On plan end: nothing left to refund; a second cancellation is refused. */
    ch.on = D("2027-02-28");
    d = decide(p, &st, &ch);
    assert_true(d.accepted);
    assert_int_equal(d.refund, 0);
    assert_int_equal(d.subsidy_reversal, 0);
    st.cancelled = true;
    st.cancelled_on = D("2026-06-01");
    only_reason((d = decide(p, &st, &ch), &d), FM_REASON_POLICY_CANCELLED);
    assert_int_equal(d.refund, 0);
    fm_plan_catalogue_free(cat);
}

static void refund_after_a_paid_claim_is_the_plans_choice(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    st.claim_paid = true;
    fm_policy_change ch = {.kind = FM_CHANGE_CANCELLED, .on = D("2026-09-01")};
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_true(d.accepted);
    only_reason(&d, FM_REASON_REFUND_WITHHELD_CLAIM_PAID);
    assert_int_equal(d.refund, 0);
    p->policy.refund_after_paid_claim = true;
    d = decide(p, &st, &ch);
    assert_int_equal(d.n_reasons, 0);
    assert_int_equal(d.refund, 8136); /* 16500 x 180 / 365 = 8136.9 */
    p->policy.cancellation_refund = FM_PRORATA_NONE;
    assert_int_equal(decide(p, &st, &ch).refund, 0);
    fm_plan_catalogue_free(cat);
}

static void cancellation_subsidy_reversal_rules(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = a_state(p, FM_A_BASIS_ONLY_CHILD);
    fm_policy_change ch = {.kind = FM_CHANGE_CANCELLED, .on = D("2026-09-01")};
    p->policy.cancellation_subsidy_reversal = FM_PRORATA_FULL;
    assert_int_equal(decide(p, &st, &ch).subsidy_reversal, 4000);
    p->policy.cancellation_subsidy_reversal = FM_PRORATA_NONE;
    assert_int_equal(decide(p, &st, &ch).subsidy_reversal, 0);
    /* Never beyond what remains: 3000 already reversed, full asks 4000, 1000 is reversed. */
    p->policy.cancellation_subsidy_reversal = FM_PRORATA_FULL;
    st.subsidy_reversed = 3000;
    fm_policy_change_decision d = decide(p, &st, &ch);
    assert_int_equal(d.subsidy_reversal, 1000);
    assert_int_equal(d.reversal_split.city + d.reversal_split.district_or_county, 1000);
    /* Premium difference off: no delta on a change of children. */
    p->policy.premium_difference = FM_PRORATA_NONE;
    fm_policy_state b = b_state(p, 1);
    fm_policy_change add = add_child("2026-09-01", false);
    assert_int_equal(decide(p, &b, &add).premium_delta, 0);
    fm_plan_catalogue_free(cat);
}

static void in_force_on_the_day_of_an_accident(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    /* Added on the day of the accident: not covered for it; covered from the next day. */
    fm_policy_change ch = add_child("2026-06-10", false);
    fm_policy_change_decision d = decide(p, &st, &ch);
    fm_policy_cover cov = {.member_from = d.member_covered_from, .member_to = d.member_covered_to};
    assert_false(fm_policy_in_force_on(&cov, D("2026-06-10")));
    assert_true(fm_policy_in_force_on(&cov, D("2026-06-11")));
    assert_true(fm_policy_in_force_on(&cov, D("2027-02-28")));
    assert_false(fm_policy_in_force_on(&cov, D("2027-03-01")));
    /* Removed, or the policy cancelled, on the day of the accident: still covered that day, not after. */
    cov = (fm_policy_cover){.member_from = p->start, .member_to = D("2026-06-10")};
    assert_true(fm_policy_in_force_on(&cov, D("2026-06-10")));
    assert_false(fm_policy_in_force_on(&cov, D("2026-06-11")));
    cov = (fm_policy_cover){
        .member_from = p->start, .member_to = p->end, .cancelled = true, .cancelled_on = D("2026-06-10")};
    assert_true(fm_policy_in_force_on(&cov, D("2026-06-10")));
    assert_false(fm_policy_in_force_on(&cov, D("2026-06-11")));
    fm_plan_catalogue_free(cat);
}

static void an_unpaid_premium_lapses_only_where_the_plan_tracks_it(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p26 = sample_plan(cat, 2026), *p28 = sample_plan(cat, 2028);
    assert_false(p26->policy.premium_tracking);
    assert_true(p28->policy.premium_tracking);
    assert_false(fm_policy_lapsed(p26, 12500, 0));
    assert_true(fm_policy_lapsed(p28, 12500, 12499));
    assert_false(fm_policy_lapsed(p28, 12500, 12500));
    assert_false(fm_policy_lapsed(p28, 0, 0)); /* nothing due */
    fm_date grace = fm_policy_grace_date(p28, p28->start);
    assert_int_equal(grace, D("2028-03-31")); /* 2028-03-01 + 30 days */
    fm_policy_cover cov = {
        .member_from = p28->start, .member_to = p28->end, .lapsed = true, .grace_date = grace};
    assert_true(fm_policy_in_force_on(&cov, D("2028-03-31")));
    assert_false(fm_policy_in_force_on(&cov, D("2028-04-01")));
    /* A payment after the grace date is recorded with a note; the lapse stands. */
    fm_policy_state st = b_state(p28, 1);
    fm_policy_change ch = {.kind = FM_CHANGE_PREMIUM_PAID, .on = D("2028-04-01"), .amount = st.self_paid};
    fm_policy_change_decision d = decide(p28, &st, &ch);
    assert_true(d.accepted);
    only_reason(&d, FM_REASON_PREMIUM_PAID_AFTER_GRACE);
    ch.on = D("2028-03-31");
    assert_int_equal(decide(p28, &st, &ch).n_reasons, 0);
    /* A refund beyond what was paid is refused. */
    st.premium_paid = 1000;
    ch = (fm_policy_change){.kind = FM_CHANGE_PREMIUM_REFUNDED, .on = D("2028-05-01"), .amount = 1001};
    only_reason((d = decide(p28, &st, &ch), &d), FM_REASON_REFUND_EXCEEDS_PAID);
    ch.amount = 1000;
    assert_true(decide(p28, &st, &ch).accepted);
    /* Tracked: the cancellation refunds what was actually paid, pro rata. */
    ch = (fm_policy_change){.kind = FM_CHANGE_CANCELLED, .on = D("2028-03-01")};
    assert_int_equal(decide(p28, &st, &ch).refund, 1000 * 364 / 365);
    fm_plan_catalogue_free(cat);
}

static void apportion_and_reversal_split(void **state)
{
    (void)state;
    fm_subsidy_split s = {1500, 2500, 0}, out;
    assert_int_equal(fm_subsidy_apportion(&s, 4000, &out), FM_OK);
    assert_int_equal(out.city, 1500);
    assert_int_equal(out.district_or_county, 2500);
    assert_int_equal(fm_subsidy_apportion(&s, 1, &out), FM_OK);
    assert_int_equal(out.district_or_county, 1); /* the larger exact share first */
    assert_int_equal(fm_subsidy_apportion(&s, 4001, &out), FM_EINVAL);
    assert_int_equal(fm_subsidy_apportion(&s, -1, &out), FM_EINVAL);
    fm_subsidy_split neg = {-1, 4001, 0};
    assert_int_equal(fm_subsidy_apportion(&neg, 1, &out), FM_EINVAL);
    /* 3999 then 1: the payers end exactly at their shares (a per-amount split would over-reverse one). */
    s = (fm_subsidy_split){2000, 2000, 0};
    fm_subsidy_split a, b;
    assert_int_equal(fm_subsidy_reversal_split(&s, 0, 3999, &a), FM_OK);
    assert_int_equal(fm_subsidy_reversal_split(&s, 3999, 1, &b), FM_OK);
    assert_int_equal(a.city + b.city, 2000);
    assert_int_equal(a.district_or_county + b.district_or_county, 2000);
    assert_int_equal(fm_subsidy_reversal_split(&s, 3999, 2, &b), FM_EINVAL);
    assert_int_equal(fm_subsidy_reversal_split(&s, -1, 2, &b), FM_EINVAL);
    assert_int_equal(fm_policy_pro_rata(100, 0, 365), 0);
    assert_int_equal(fm_policy_pro_rata(100, 365, 365), 100);
    assert_int_equal(fm_policy_pro_rata(100, 1, 0), 0);
    assert_int_equal(fm_policy_pro_rata(-100, 1, 3), -33);
}

static void bad_inputs_and_names(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = load_samples();
    const fm_plan *p = sample_plan(cat, 2026);
    fm_policy_state st = b_state(p, 1);
    fm_policy_change ch = {.kind = FM_CHANGE_KIND_COUNT, .on = D("2026-06-01")};
    fm_policy_change_decision d;
    fm_error err;
    assert_int_equal(fm_decide_policy_change(p, &st, &ch, &d, &err), FM_EINVAL);
    assert_int_equal(fm_decide_policy_change(NULL, &st, &ch, &d, &err), FM_EINVAL);
    ch = (fm_policy_change){.kind = FM_CHANGE_PREMIUM_PAID, .on = D("2026-06-01"), .amount = 0};
    assert_int_equal(fm_decide_policy_change(p, &st, &ch, &d, &err), FM_EINVAL);
    fm_policy_state none = {0};
    only_reason((d = decide(p, &none, &ch), &d), FM_REASON_POLICY_NOT_FOUND);
    assert_string_equal(fm_change_kind_name(FM_CHANGE_CANCELLED), "cancelled");
    assert_string_equal(fm_change_kind_name(FM_CHANGE_KIND_COUNT), "?");
    assert_string_equal(fm_prorata_name(FM_PRORATA_FULL), "full");
    fm_prorata r;
    assert_false(fm_prorata_parse("half", &r));
    assert_true(fm_prorata_parse("days", &r));
    assert_int_equal(r, FM_PRORATA_DAYS);
    assert_int_equal(fm_policy_premium(p, FM_CATEGORY_NONE, 1), -1);
    assert_int_equal(fm_policy_premium(p, FM_CATEGORY_B, 4), -1);
    assert_string_equal(fm_reason_id(FM_REASON_CATEGORY_A_EVIDENCE_LOST), "CATEGORY_A_EVIDENCE_LOST");
    fm_plan_catalogue_free(cat);
}

static void the_loader_reads_policy_changes(void **state)
{
    (void)state;
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    /* A file without the block: the defaults (no premium tracking, so older waves keep their decisions). */
    assert_int_equal(fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/good/plan-2026.json", &cat, &err),
                     FM_OK);
    const fm_plan *p = sample_plan(cat, 2026);
    assert_false(p->policy.premium_tracking);
    assert_int_equal(p->policy.premium_difference, FM_PRORATA_DAYS);
    assert_int_equal(p->policy.premium_grace_days, FM_PREMIUM_GRACE_DAYS_DEFAULT);
    fm_plan_catalogue_free(cat);
    cat = NULL;
    assert_int_equal(
        fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/policy_good/plan-2026.json", &cat, &err), FM_OK);
    p = sample_plan(cat, 2026);
    assert_true(p->policy.premium_tracking);
    assert_true(p->policy.refund_after_paid_claim);
    assert_int_equal(p->policy.premium_difference, FM_PRORATA_NONE);
    assert_int_equal(p->policy.cancellation_subsidy_reversal, FM_PRORATA_FULL);
    assert_int_equal(p->policy.premium_grace_days, 15);
    fm_plan_catalogue_free(cat);
    cat = NULL;
    fm_error_clear(&err);
    assert_int_equal(
        fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/policy_bad_rule/plan-2026.json", &cat, &err),
        FM_EINVAL);
    assert_string_equal(err.code, "BAD_RULE");
    assert_non_null(strstr(err.path, "policy_changes.premium_difference"));
    fm_error_clear(&err);
    assert_int_equal(
        fm_plan_catalogue_load_file(FM_TEST_CATALOGUES "/policy_unknown_key/plan-2026.json", &cat, &err),
        FM_EINVAL);
    assert_string_equal(err.code, "UNKNOWN_FIELD");
    assert_null(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(newborn_on_plan_start_is_covered_from_the_next_day),
        cmocka_unit_test(a_member_added_on_plan_end_has_no_day_left),
        cmocka_unit_test(second_child_of_an_only_child_household_moves_it_to_b),
        cmocka_unit_test(rural_two_daughters_stay_a_with_a_daughter_not_with_a_son),
        cmocka_unit_test(category_b_beyond_the_child_limit_is_refused),
        cmocka_unit_test(member_data_is_checked_like_an_enrollment),
        cmocka_unit_test(removing_a_member),
        cmocka_unit_test(cancellation_the_day_after_enrollment),
        cmocka_unit_test(refund_after_a_paid_claim_is_the_plans_choice),
        cmocka_unit_test(cancellation_subsidy_reversal_rules),
        cmocka_unit_test(in_force_on_the_day_of_an_accident),
        cmocka_unit_test(an_unpaid_premium_lapses_only_where_the_plan_tracks_it),
        cmocka_unit_test(apportion_and_reversal_split),
        cmocka_unit_test(bad_inputs_and_names),
        cmocka_unit_test(the_loader_reads_policy_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
