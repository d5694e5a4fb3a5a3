/* test_claims.c — claim adjudication: check order, waiting and accident windows, amounts, limits, review. */
#include "domain_fixtures.h"

#include "fm_claim_rules.h"

#include <stdint.h>

typedef struct fx {
    fm_plan_catalogue *cat;
    fm_plan *plan;
    fm_claim c;
    fm_bill bills[FM_MAX_BILLS];
    char codes[FM_MAX_BILLS][16];
    char numbers[FM_MAX_BILLS][16];
    fm_injury injuries[FM_MAX_INJURIES];
    char ci_code[16];
    fm_claim_context ctx;
    fm_claim_decision d;
} fx;

static const fm_documents ALL_DOCS = (1u << FM_DOC_COUNT) - 1;

static int setup(void **state)
{
    static fx f;
    memset(&f, 0, sizeof f);
    f.cat = load_samples();
    f.plan = sample_plan(f.cat, 2026);
    f.c.liability = FM_LIAB_ACCIDENT_MEDICAL;
    f.c.cause = FM_CAUSE_ACCIDENT;
    f.c.incident_date = D("2026-05-20");
    f.c.report_date = D("2026-06-01");
    f.c.bills = f.bills;
    f.c.injuries = f.injuries;
    f.c.documents = ALL_DOCS;
    f.ctx.policy_found = true;
    f.ctx.plan_year = 2026;
    f.ctx.coverage_start = D("2026-03-01");
    f.ctx.coverage_end = D("2027-02-28");
    f.ctx.person_found = true;
    f.ctx.role = FM_ROLE_CHILD;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fm_plan_catalogue_free(f->cat);
    return 0;
}

static size_t bill(fx *f, fm_fen amount, fm_fen social, fm_fen other)
{
    size_t i = f->c.n_bills++;
    snprintf(f->codes[i], sizeof f->codes[i], "161002300101");
    snprintf(f->numbers[i], sizeof f->numbers[i], "%08zu", 12345 + i);
    f->bills[i] = (fm_bill){f->codes[i], f->numbers[i], amount, social, other};
    return i;
}

static void injury(fx *f, int64_t grade)
{
    f->injuries[f->c.n_injuries++].grade = grade;
}

static void set_liability(fx *f, fm_liability l, fm_cause cause, const char *incident, const char *event)
{
    f->c.liability = l;
    f->c.cause = cause;
    f->c.incident_date = D(incident);
    f->c.has_event_date = event != NULL;
    f->c.event_date = event ? D(event) : 0;
}

static void set_ci(fx *f, const char *code)
{
    set_liability(f, FM_LIAB_CRITICAL_ILLNESS, FM_CAUSE_ILLNESS, "2026-08-01", NULL);
    snprintf(f->ci_code, sizeof f->ci_code, "%s", code);
    f->c.critical_illness_code = f->ci_code;
}

static const fm_claim_decision *decide(fx *f)
{
    fm_error err;
    fm_error_clear(&err);
    fm_status st = fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err);
    if (st != FM_OK)
        print_error("%s %s\n", err.code, err.text);
    assert_int_equal(st, FM_OK);
    return &f->d;
}

static void expect(const fm_claim_decision *d, fm_claim_outcome outcome, fm_fen payable, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
    bool same = d->outcome == outcome && d->payable == payable && d->n_reasons == n;
    for (size_t i = 0; same && i < n; i++)
        same = d->reasons[i] == (fm_reason)va_arg(ap, int);
    va_end(ap);
    if (!same) {
        print_error(
            "got %s payable %lld full %lld computed %lld, reasons:", fm_claim_outcome_name(d->outcome),
            (long long)d->payable, (long long)d->full, (long long)d->computed);
        for (size_t i = 0; i < d->n_reasons; i++)
            print_error(" %s", fm_reason_id(d->reasons[i]));
        print_error("\nwant %s payable %lld\n", fm_claim_outcome_name(outcome), (long long)payable);
    }
    assert_true(same);
}
#define DECLINED(d, r) expect((d), FM_CLAIM_DECLINED, 0, 1, (r))

/* ---- checks 1–5 ---- */

static void checks_run_in_order_and_only_the_first_failure_is_reported(void **state)
{
    fx *f = *state;
    /* A claim that fails every check: parent, disability, illness cause, before coverage, 200 days. */
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ILLNESS, "2026-02-01", "2026-09-10");
    injury(f, 3);
    f->ctx.role = FM_ROLE_PARENT;
    f->ctx.deceased = true;
    f->ctx.person_found = false;
    f->ctx.policy_found = false;
    DECLINED(decide(f), FM_REASON_POLICY_NOT_FOUND);
    f->ctx.policy_found = true;
    DECLINED(decide(f), FM_REASON_PERSON_NOT_INSURED);
    f->ctx.person_found = true;
    DECLINED(decide(f), FM_REASON_PERSON_DECEASED);
    f->ctx.deceased = false;
    f->ctx.usage.death_paid = 1;
    DECLINED(decide(f), FM_REASON_PERSON_DECEASED);
    f->ctx.usage.death_paid = 0;
    DECLINED(decide(f), FM_REASON_NOT_IN_FORCE);
    f->c.incident_date = D("2026-03-10");
    DECLINED(decide(f), FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE);
    f->ctx.role = FM_ROLE_CHILD;
    DECLINED(decide(f), FM_REASON_CAUSE_MISMATCH);
    f->c.cause = FM_CAUSE_ACCIDENT;
    DECLINED(decide(f), FM_REASON_ACCIDENT_WINDOW_EXCEEDED);
    f->c.event_date = D("2026-06-01");
    f->plan->review_threshold = INT64_MAX;
    expect(decide(f), FM_CLAIM_APPROVED, 4000000, 0);
}

static void incident_inside_coverage_boundaries_is_in_force(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    const char *days[] = {"2026-02-28", "2026-03-01", "2027-02-28", "2027-03-01"};
    const bool in_force[] = {false, true, true, false};
    for (int i = 0; i < 4; i++) {
        f->c.incident_date = D(days[i]);
        if (in_force[i])
            expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
        else
            DECLINED(decide(f), FM_REASON_NOT_IN_FORCE);
    }
    /* A policy that started later (enrolled mid-year) is not in force before its own start. */
    f->ctx.coverage_start = D("2026-05-21");
    f->c.incident_date = D("2026-05-20");
    DECLINED(decide(f), FM_REASON_NOT_IN_FORCE);
}

static void parents_disability_claim_is_declined(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-06-01");
    injury(f, 10);
    f->ctx.role = FM_ROLE_PARENT;
    DECLINED(decide(f), FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE);
    f->ctx.role = FM_ROLE_GUARDIAN;
    DECLINED(decide(f), FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE);
    f->ctx.role = FM_ROLE_CHILD;
    expect(decide(f), FM_CLAIM_APPROVED, 500000, 0);
}

static void illness_hospital_claimed_for_an_accident_is_a_cause_mismatch(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    set_liability(f, FM_LIAB_ILLNESS_HOSPITAL, FM_CAUSE_ACCIDENT, "2026-08-01", NULL);
    DECLINED(decide(f), FM_REASON_CAUSE_MISMATCH);
    set_liability(f, FM_LIAB_ACCIDENT_MEDICAL, FM_CAUSE_ILLNESS, "2026-08-01", NULL);
    DECLINED(decide(f), FM_REASON_CAUSE_MISMATCH);
}

static void waiting_period_ends_on_start_plus_waiting_days(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    set_liability(f, FM_LIAB_ILLNESS_HOSPITAL, FM_CAUSE_ILLNESS, "2026-04-29", NULL); /* start + 59 */
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    f->c.incident_date = D("2026-04-30"); /* start + 60 */
    expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
}

static void renewal_skips_the_waiting_period(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    set_liability(f, FM_LIAB_ILLNESS_HOSPITAL, FM_CAUSE_ILLNESS, "2026-03-01", NULL);
    f->ctx.renewal = true;
    expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
    f->plan->renewal_skips_waiting = false;
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
}

static void waiting_period_counts_from_a_mid_year_coverage_start(void **state)
{
    fx *f = *state;
    f->ctx.coverage_start = D("2026-06-16");
    set_ci(f, "CI-S01");
    f->c.incident_date = D("2026-08-14"); /* start + 59 */
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    f->c.incident_date = D("2026-08-15");
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
}

static void accidents_have_no_waiting_period(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    f->c.incident_date = D("2026-03-01");
    expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-03-01", "2026-03-01");
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ILLNESS, "2026-03-01", "2026-03-05");
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    set_ci(f, "CI-S18"); /* severe brain injury after an accident */
    f->c.cause = FM_CAUSE_ACCIDENT;
    f->c.incident_date = D("2026-03-02");
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
}

static void death_on_day_180_after_the_accident_pays_day_181_does_not(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-04-01", "2026-09-28"); /* +180 */
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
    f->c.event_date = D("2026-09-29");
    DECLINED(decide(f), FM_REASON_ACCIDENT_WINDOW_EXCEEDED);
    /* Death from illness has no 180-day rule. */
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ILLNESS, "2026-06-01", "2027-05-01");
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
    /* The accident in the plan year counts even when the death falls after plan end. */
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2027-02-20", "2027-04-01");
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
}

static void disability_assessed_on_day_181_is_declined(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-04-01", "2026-09-29");
    injury(f, 9);
    DECLINED(decide(f), FM_REASON_ACCIDENT_WINDOW_EXCEEDED);
    f->c.event_date = D("2026-09-28");
    expect(decide(f), FM_CLAIM_APPROVED, 1000000, 0);
}

/* ---- disability ---- */

static void disability_grade_g_pays_110_minus_10g_percent(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    f->c.n_injuries = 1;
    for (int g = 1; g <= 10; g++) {
        f->injuries[0].grade = g;
        const fm_claim_decision *d = decide(f);
        expect(d, FM_CLAIM_APPROVED, 5000000 * (110 - 10 * g) / 100, 0);
        assert_int_equal(d->applied.grade, g);
        assert_fen_equal(d->applied.sum_insured, 5000000);
        assert_fen_equal(d->new_usage.disability_paid, d->payable);
        assert_true(d->usage_changed);
    }
}

static void several_injuries_the_worst_grade_counts(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    injury(f, 7);
    injury(f, 5);
    injury(f, 9);
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0); /* grade 5: 60 % */
    assert_int_equal(f->d.applied.grade, 5);
}

static void two_injuries_at_the_worst_grade_raise_it_by_one(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    injury(f, 5);
    injury(f, 8);
    injury(f, 5);
    expect(decide(f), FM_CLAIM_APPROVED, 3500000, 0); /* grade 4: 70 % */
    assert_int_equal(f->d.applied.grade, 4);
    injury(f, 5); /* three at grade 5: still only one grade higher */
    expect(decide(f), FM_CLAIM_APPROVED, 3500000, 0);
    f->c.n_injuries = 0;
    injury(f, 1);
    injury(f, 1);
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0); /* never above grade 1 */
    assert_int_equal(f->d.applied.grade, 1);
}

static void grade_outside_1_to_10_is_invalid(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    const int64_t bad[] = {0, 11, -1, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < 5; i++) {
        f->c.n_injuries = 0;
        injury(f, 9);
        injury(f, bad[i]);
        DECLINED(decide(f), FM_REASON_INVALID_GRADE);
    }
    f->c.n_injuries = 0;
    DECLINED(decide(f), FM_REASON_INVALID_GRADE);
}

static void disability_is_capped_by_the_death_sum(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    injury(f, 3); /* 4,000,000 */
    f->ctx.usage.disability_paid = 4000000;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 1000000, 1, FM_REASON_LIMIT_REACHED);
    assert_fen_equal(d->full, 4000000);
    assert_fen_equal(d->new_usage.disability_paid, 5000000);
    f->ctx.usage.disability_paid = 5000000;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    assert_false(f->d.usage_changed);
}

static void death_after_disability_pays_the_remainder(void **state)
{
    fx *f = *state;
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    f->ctx.usage.disability_paid = 2000000;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 3000000, 1, FM_REASON_LIMIT_REACHED);
    assert_fen_equal(d->full, 5000000);
    assert_fen_equal(d->new_usage.death_paid, 3000000);
    f->ctx.usage.disability_paid = 5000000;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
}

static void parent_death_uses_the_parent_sum(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-05-01");
    f->ctx.role = FM_ROLE_PARENT;
    expect(decide(f), FM_CLAIM_APPROVED, 2000000, 0);
}

/* ---- critical illness ---- */

static void severe_critical_illness_pays_the_sum_insured(void **state)
{
    fx *f = *state;
    set_ci(f, "CI-S01");
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_APPROVED, 3000000, 0);
    assert_fen_equal(d->new_usage.ci_severe_paid, 3000000);
    assert_fen_equal(d->new_usage.ci_mild_paid, 0);
}

static void mild_critical_illness_pays_its_ratio_once(void **state)
{
    fx *f = *state;
    set_ci(f, "CI-M02");
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_APPROVED, 900000, 0);
    assert_fen_equal(d->new_usage.ci_mild_paid, 900000);
    f->ctx.usage.ci_mild_paid = 900000;
    DECLINED(decide(f), FM_REASON_CI_ALREADY_PAID);
}

static void severe_after_mild_pays_the_difference(void **state)
{
    fx *f = *state;
    set_ci(f, "CI-S02");
    f->ctx.usage.ci_mild_paid = 900000;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 2100000, 1, FM_REASON_LIMIT_REACHED);
    assert_fen_equal(d->full, 3000000);
}

static void nothing_more_after_a_severe_payment(void **state)
{
    fx *f = *state;
    f->ctx.usage.ci_severe_paid = 3000000;
    set_ci(f, "CI-S03");
    DECLINED(decide(f), FM_REASON_CI_ALREADY_PAID);
    set_ci(f, "CI-M01");
    DECLINED(decide(f), FM_REASON_CI_ALREADY_PAID);
}

static void disease_outside_the_covered_list_is_not_covered(void **state)
{
    fx *f = *state;
    set_ci(f, "CI-S17"); /* in the 2020 list, not in the sample plan's subset */
    DECLINED(decide(f), FM_REASON_CI_NOT_COVERED);
    set_ci(f, "CI-X99");
    DECLINED(decide(f), FM_REASON_CI_NOT_COVERED);
    f->c.critical_illness_code = NULL;
    DECLINED(decide(f), FM_REASON_CI_NOT_COVERED);
}

/* ---- settled after the first implementation (domain.md) ---- */

/* A declared accident waives a critical illness's waiting period only for a diagnosis the plan marks as
 * one an accident can cause; for any other the waiting period applies, as for an illness, and the claim is
 * signalled CAUSE_IMPLAUSIBLE. */
static void accident_waives_ci_waiting_only_for_accident_causable_diagnoses(void **state)
{
    fx *f = *state;
    static const char *const causable[] = {"CI-S04", "CI-S07", "CI-S12", "CI-S13", "CI-S14",
                                           "CI-S15", "CI-S18", "CI-S20", "CI-S23", "CI-S25"};
    for (size_t i = 0; i < sizeof causable / sizeof causable[0]; i++) {
        set_ci(f, causable[i]);
        f->c.cause = FM_CAUSE_ACCIDENT;
        f->c.incident_date = D("2026-03-01"); /* the first day of cover */
        expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
        assert_false(f->d.cause_implausible);
    }
    set_ci(f, "CI-S01"); /* a malignant tumour declared as accident */
    f->c.cause = FM_CAUSE_ACCIDENT;
    f->c.incident_date = D("2026-04-29"); /* start + 59: inside the waiting period */
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    assert_true(f->d.cause_implausible);
    f->c.incident_date = D("2026-04-30"); /* start + 60: after it, paid, still signalled */
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
    assert_true(f->d.cause_implausible);
    f->ctx.renewal = true; /* a renewal skips the waiting period whatever the cause */
    f->c.incident_date = D("2026-03-01");
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
    assert_true(f->d.cause_implausible);
    f->ctx.renewal = false;
    set_ci(f, "CI-M03"); /* a mild stroke: not accident-causable either */
    f->c.cause = FM_CAUSE_ACCIDENT;
    f->c.incident_date = D("2026-03-10");
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    set_ci(f, "CI-X99"); /* an unknown code counts as not causable: waiting first, then not covered */
    f->c.cause = FM_CAUSE_ACCIDENT;
    f->c.incident_date = D("2026-03-10");
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    assert_true(f->d.cause_implausible);
    f->c.incident_date = D("2026-05-10");
    DECLINED(decide(f), FM_REASON_CI_NOT_COVERED);
    assert_true(f->d.cause_implausible);
    set_ci(f, "CI-S01"); /* declared as illness: no signal */
    f->c.incident_date = D("2026-05-10");
    expect(decide(f), FM_CLAIM_APPROVED, 3000000, 0);
    assert_false(f->d.cause_implausible);
    /* A death keeps its declared cause: an accident has no waiting period and is never implausible. */
    f->plan->review_threshold = INT64_MAX;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-03-02", "2026-03-02");
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
    assert_false(f->d.cause_implausible);
}

/* A lump-sum claim asks for the plan's benefit for the person's role, whatever the decision; medical: 0. */
static void lump_sum_claims_ask_for_the_plans_benefit(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    assert_fen_equal(decide(f)->asked, 0); /* medical: the bills say what is claimed */
    f->c.n_bills = 0;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ILLNESS, "2026-03-05", "2026-03-06");
    DECLINED(decide(f), FM_REASON_WAITING_PERIOD);
    assert_fen_equal(f->d.asked, 5000000); /* the child's death sum, declined or not */
    f->ctx.role = FM_ROLE_PARENT;
    assert_fen_equal(decide(f)->asked, f->plan->liabilities[FM_LIAB_DEATH].sum_insured[FM_ROLE_PARENT]);
    f->ctx.role = FM_ROLE_CHILD;
    set_ci(f, "CI-S03");
    assert_fen_equal(decide(f)->asked, 3000000);
    set_ci(f, "CI-M01"); /* mild: its ratio of the sum */
    assert_fen_equal(decide(f)->asked, 3000000 / 10000 * f->plan->ci_mild_ratio_bp);
    set_ci(f, "CI-X99"); /* an unknown code asks for the critical-illness benefit */
    assert_fen_equal(decide(f)->asked, 3000000);
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-06-01");
    fm_fen dsum = f->plan->liabilities[FM_LIAB_ACCIDENTAL_DISABILITY].sum_insured[FM_ROLE_CHILD];
    injury(f, 3);
    const fm_claim_decision *d = decide(f);
    assert_fen_equal(d->asked, dsum / 100 * 80); /* grade 3: 80 % */
    assert_fen_equal(d->asked, d->full);
    injury(f, 3); /* two at grade 3: grade 2, 90 % */
    d = decide(f);
    assert_fen_equal(d->asked, dsum / 100 * 90);
    injury(f, 11); /* an invalid grade asks for nothing that can be graded */
    DECLINED(decide(f), FM_REASON_INVALID_GRADE);
    assert_fen_equal(f->d.asked, 0);
    f->c.n_injuries = 1;
    f->ctx.person_found = false;
    DECLINED(decide(f), FM_REASON_PERSON_NOT_INSURED);
    assert_fen_equal(f->d.asked, 0);
}

static void ci_not_covered_is_checked_before_ci_already_paid(void **state)
{
    fx *f = *state;
    f->ctx.usage.ci_severe_paid = 3000000;
    set_ci(f, "CI-S17"); /* not covered, and a severe benefit already paid */
    DECLINED(decide(f), FM_REASON_CI_NOT_COVERED);
}

static void medical_claim_without_bills_has_no_eligible_amount(void **state)
{
    fx *f = *state;
    DECLINED(decide(f), FM_REASON_NO_ELIGIBLE_AMOUNT);
    set_liability(f, FM_LIAB_ILLNESS_HOSPITAL, FM_CAUSE_ILLNESS, "2026-08-01", NULL);
    DECLINED(decide(f), FM_REASON_NO_ELIGIBLE_AMOUNT);
}

/* A report date after the receipt date is refused before any other check; on the receipt day it is not. */
static void report_after_receipt_is_refused_first(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    f->ctx.has_receipt = true;
    f->ctx.received_on = D("2026-06-01"); /* the report date of the fixture */
    expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
    f->ctx.received_on = D("2026-06-05");
    expect(decide(f), FM_CLAIM_APPROVED, 32000, 0);
    f->ctx.received_on = D("2026-05-31");
    DECLINED(decide(f), FM_REASON_REPORT_AFTER_RECEIPT);
    assert_false(f->d.usage_changed);
    f->ctx.policy_found = false; /* before the policy */
    DECLINED(decide(f), FM_REASON_REPORT_AFTER_RECEIPT);
    f->ctx.has_receipt = false; /* receipt unknown: not checked */
    DECLINED(decide(f), FM_REASON_POLICY_NOT_FOUND);
}

static void receipt_date_is_the_shanghai_date_of_occurred_at(void **state)
{
    (void)state;
    static const struct {
        const char *ts;
        const char *date; /* NULL: refused */
    } cases[] = {
        {"2026-05-20T10:00:00+08:00", "2026-05-20"},
        {"2026-05-20T23:59:59+08:00", "2026-05-20"},
        {"2026-05-20T15:59:59Z", "2026-05-20"},
        {"2026-05-20T16:00:00Z", "2026-05-21"},
        {"2026-05-20T16:00:00.123456789z", "2026-05-21"},
        {"2026-12-31T16:00:00Z", "2027-01-01"},
        {"2028-02-28T20:00:00-05:00", "2028-02-29"}, /* 01:00 UTC on the 29th, a leap day */
        {"2026-03-01T00:30:00+14:00", "2026-02-28"}, /* 10:30 UTC the day before */
        {"2026-03-01T07:59:59+00:00", "2026-03-01"},
        {"2026-03-01T00:00:00+08:00", "2026-03-01"},
        {"2026-02-30T10:00:00+08:00", NULL},
        {"2026-05-20 10:00:00+08:00", NULL},
        {"2026-05-20T10:00:00", NULL},
        {"2026-05-20T24:00:00Z", NULL},
        {"2026-05-20T10:00:00.Z", NULL},
        {"2026-05-20T10:00:00+0800", NULL},
        {"", NULL},
        {NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fm_date d = 0;
        fm_status st = fm_claim_receipt_date(cases[i].ts, &d);
        if (cases[i].date == NULL) {
            assert_int_equal(st, FM_EINVAL);
            continue;
        }
        assert_int_equal(st, FM_OK);
        if (d != D(cases[i].date))
            print_error("%s: got day %lld\n", cases[i].ts, (long long)d);
        assert_true(d == D(cases[i].date));
    }
}

/* ---- medical ---- */

static void medical_pays_what_social_insurance_left_above_the_deductible_at_80_percent(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_APPROVED, 96000, 0); /* (130000 - 10000) * 80 % */
    assert_fen_equal(d->full, 96000);
    assert_fen_equal(d->applied.deductible, 10000);
    assert_fen_equal(d->applied.deductible_applied, 10000);
    assert_int_equal(d->applied.ratio_bp, 8000);
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 10000);
    assert_fen_equal(d->new_usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 96000);
    assert_fen_equal(d->new_household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 96000);
    assert_true(d->usage_changed);
}

static void other_insurers_part_is_removed_too(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 30000);
    bill(f, 40000, 0, 0);
    expect(decide(f), FM_CLAIM_APPROVED, 104000, 0); /* (100000 + 40000 - 10000) * 80 % */
}

static void deductible_is_per_person_per_liability_per_year(void **state)
{
    fx *f = *state;
    bill(f, 60000, 0, 0);
    f->ctx.usage.deductible_used[FM_LIAB_ILLNESS_HOSPITAL] = 10000; /* another liability: irrelevant */
    expect(decide(f), FM_CLAIM_APPROVED, 40000, 0);
    f->ctx.usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = 4000;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_APPROVED, 43200, 0); /* (60000 - 6000) * 80 % */
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 10000);
    f->ctx.usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = 10000;
    expect(decide(f), FM_CLAIM_APPROVED, 48000, 0);
}

static void ratio_is_rounded_down_to_the_fen(void **state)
{
    fx *f = *state;
    size_t b = bill(f, 10007, 0, 0);
    expect(decide(f), FM_CLAIM_APPROVED, 5, 0); /* 7 * 0.8 = 5.6 */
    f->bills[b].amount = 10001;                 /* 1 * 0.8 = 0.8 -> 0 */
    const fm_claim_decision *d = decide(f);
    DECLINED(d, FM_REASON_BELOW_DEDUCTIBLE);
    /* the eligible expenses still used the deductible */
    assert_true(d->usage_changed);
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 10000);
    assert_fen_equal(d->new_usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 0);
}

static void bills_below_the_deductible_are_declined_and_count_toward_it(void **state)
{
    fx *f = *state;
    bill(f, 6000, 0, 0);
    const fm_claim_decision *d = decide(f);
    DECLINED(d, FM_REASON_BELOW_DEDUCTIBLE);
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 6000);
    f->ctx.usage = d->new_usage;
    expect(decide(f), FM_CLAIM_APPROVED, 1600, 0); /* 6000 - 4000 left, * 80 % */
}

static void person_limit_is_reached_to_the_last_fen(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0); /* 96000 */
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 1000000 - 96000;
    expect(decide(f), FM_CLAIM_APPROVED, 96000, 0);
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 1000000 - 96000 + 1;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 95999, 1, FM_REASON_LIMIT_REACHED);
    assert_fen_equal(d->full, 96000);
    assert_fen_equal(d->new_usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 1000000);
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 1000000;
    d = decide(f);
    DECLINED(d, FM_REASON_LIMIT_EXHAUSTED);
    assert_fen_equal(d->full, 96000);
}

static void household_shared_limit_is_reached_to_the_last_fen(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0); /* 96000 */
    set_liability(f, FM_LIAB_ILLNESS_HOSPITAL, FM_CAUSE_ILLNESS, "2026-08-01", NULL);
    f->ctx.household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = 1500000 - 50000;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 50000, 1, FM_REASON_LIMIT_REACHED);
    assert_fen_equal(d->new_household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL], 1500000);
    assert_true(d->applied.household_shared);
    assert_fen_equal(d->applied.household_limit, 1500000);
    f->ctx.household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = 1500000;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    /* accident medical does not share a household limit in the sample */
    set_liability(f, FM_LIAB_ACCIDENT_MEDICAL, FM_CAUSE_ACCIDENT, "2026-08-01", NULL);
    f->ctx.household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 50000000;
    expect(decide(f), FM_CLAIM_APPROVED, 96000, 0);
}

static void all_bills_already_claimed_is_a_duplicate_invoice(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    bill(f, 30000, 0, 0);
    f->ctx.bill_already_claimed[0] = true;
    f->ctx.bill_already_claimed[1] = true;
    const fm_claim_decision *d = decide(f);
    DECLINED(d, FM_REASON_DUPLICATE_INVOICE);
    assert_true(d->bill_excluded[0]);
    assert_true(d->bill_excluded[1]);
    assert_false(d->usage_changed);
}

static void some_bills_already_claimed_is_partial(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    bill(f, 30000, 0, 0);
    f->ctx.bill_already_claimed[1] = true;
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 96000, 1, FM_REASON_DUPLICATE_INVOICE);
    assert_fen_equal(d->full, 120000); /* (160000 - 10000) * 80 % */
    assert_false(d->bill_excluded[0]);
    assert_true(d->bill_excluded[1]);
    assert_int_equal(d->n_bills, 2);
}

static void a_bill_repeated_in_the_same_claim_counts_once(void **state)
{
    fx *f = *state;
    bill(f, 60000, 0, 0);
    size_t b = bill(f, 60000, 0, 0);
    snprintf(f->numbers[b], sizeof f->numbers[b], "%s", f->numbers[0]);
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PARTIAL, 40000, 1, FM_REASON_DUPLICATE_INVOICE);
    assert_true(d->bill_excluded[1]);
    /* the same number under another invoice code is another bill */
    snprintf(f->codes[b], sizeof f->codes[b], "161002300102");
    expect(decide(f), FM_CLAIM_APPROVED, 88000, 0);
}

static void bills_paid_in_full_by_others_have_no_eligible_amount(void **state)
{
    fx *f = *state;
    bill(f, 50000, 30000, 20000);
    bill(f, 10000, 20000, 20000); /* over-paid: counts 0, not negative */
    DECLINED(decide(f), FM_REASON_NO_ELIGIBLE_AMOUNT);
    f->c.n_bills = 0;
    DECLINED(decide(f), FM_REASON_NO_ELIGIBLE_AMOUNT);
}

static void over_paid_bill_does_not_reduce_other_bills(void **state)
{
    fx *f = *state;
    bill(f, 10000, 20000, 0);
    bill(f, 60000, 0, 0);
    expect(decide(f), FM_CLAIM_APPROVED, 40000, 0);
}

/* ---- review ---- */

static void missing_documents_put_the_claim_in_review_with_nothing_paid(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    f->c.documents &= ~FM_DOC_BIT(FM_DOC_INVOICE);
    const fm_claim_decision *d = decide(f);
    expect(d, FM_CLAIM_PENDING_REVIEW, 0, 1, FM_REASON_DOCUMENTS_MISSING);
    assert_fen_equal(d->computed, 96000);
    assert_false(d->usage_changed);
    assert_fen_equal(d->new_usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL], 0);
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 0);
}

static void missing_documents_do_not_matter_when_nothing_is_payable(void **state)
{
    fx *f = *state;
    bill(f, 5000, 0, 0);
    f->c.documents = 0;
    DECLINED(decide(f), FM_REASON_BELOW_DEDUCTIBLE);
}

static void amount_above_the_threshold_goes_to_review(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-05-02");
    expect(decide(f), FM_CLAIM_PENDING_REVIEW, 0, 1, FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD);
    assert_fen_equal(f->d.computed, 5000000);
    f->plan->review_threshold = 5000000; /* at the threshold: not above */
    expect(decide(f), FM_CLAIM_APPROVED, 5000000, 0);
    f->plan->review_threshold = 4999999;
    f->c.documents = 0;
    expect(decide(f), FM_CLAIM_PENDING_REVIEW, 0, 2, FM_REASON_DOCUMENTS_MISSING,
           FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD);
}

static fm_review approve(fm_fen amount)
{
    fm_review r = {0};
    r.action = FM_REVIEW_APPROVE;
    r.has_amount = true;
    r.amount = amount;
    return r;
}

static const fm_claim_decision *review(fx *f, fm_review r)
{
    fm_error err;
    assert_int_equal(fm_decide_review(f->plan, &f->c, &f->ctx, &r, &f->d, &err), FM_OK);
    return &f->d;
}

static void reviewer_approval_is_capped_by_the_recomputed_payable(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-05-02");
    const fm_claim_decision *d = review(f, approve(6000000));
    expect(d, FM_CLAIM_APPROVED, 5000000, 0);
    assert_fen_equal(d->new_usage.death_paid, 5000000);
    assert_true(d->usage_changed);
    /* Between submission and review, a disability benefit was paid: the limit is re-computed. */
    f->ctx.usage.disability_paid = 1000000;
    d = review(f, approve(5000000));
    expect(d, FM_CLAIM_PARTIAL, 4000000, 1, FM_REASON_LIMIT_REACHED);
}

static void reviewer_may_approve_less(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-05-02");
    const fm_claim_decision *d = review(f, approve(4500000));
    expect(d, FM_CLAIM_PARTIAL, 4500000, 1, FM_REASON_REVIEWER_REDUCED);
    assert_fen_equal(d->new_usage.death_paid, 4500000);
    d = review(f, approve(0));
    DECLINED(d, FM_REASON_REVIEWER_DECLINED);
    assert_false(d->usage_changed);
}

static void reviewer_decline_is_reviewer_declined(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    f->c.documents = 0;
    fm_review r = {0};
    r.action = FM_REVIEW_DECLINE;
    const fm_claim_decision *d = review(f, r);
    DECLINED(d, FM_REASON_REVIEWER_DECLINED);
    assert_false(d->usage_changed);
    assert_fen_equal(d->new_usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL], 0);
    assert_fen_equal(d->full, 96000); /* the reviewer's decline keeps full as the rules computed it */
}

static void review_of_a_claim_that_no_longer_pays_keeps_the_recomputed_decline(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 1000000;
    DECLINED(review(f, approve(96000)), FM_REASON_LIMIT_EXHAUSTED);
    f->ctx.deceased = true;
    DECLINED(review(f, approve(96000)), FM_REASON_PERSON_DECEASED);
}

static void approval_without_amount_is_an_input_error(void **state)
{
    fx *f = *state;
    bill(f, 250000, 120000, 0);
    fm_review r = approve(1);
    r.has_amount = false;
    fm_error err;
    assert_int_equal(fm_decide_review(f->plan, &f->c, &f->ctx, &r, &f->d, &err), FM_EINVAL);
    r = approve(-1);
    assert_int_equal(fm_decide_review(f->plan, &f->c, &f->ctx, &r, &f->d, &err), FM_EINVAL);
}

/* ---- limits of the input ---- */

static void amounts_near_int64_max_do_not_overflow(void **state)
{
    fx *f = *state;
    size_t b = bill(f, INT64_MAX, 0, 0);
    const fm_claim_decision *d = decide(f);
    /* one huge bill: capped by the person limit, reviewed by nobody since 1,000,000 <= threshold */
    expect(d, FM_CLAIM_PARTIAL, 1000000, 1, FM_REASON_LIMIT_REACHED);
    assert_true(d->full > 0);
    /* social insurance and other insurers both at the maximum: eligible 0, no overflow */
    f->bills[b] = (fm_bill){f->codes[b], f->numbers[b], 0, INT64_MAX, INT64_MAX};
    DECLINED(decide(f), FM_REASON_NO_ELIGIBLE_AMOUNT);
    /* two huge bills: the sum does not fit, an error code and no decision */
    f->bills[b].amount = INT64_MAX;
    f->bills[b].paid_by_social_insurance = 0;
    f->bills[b].paid_by_other_insurers = 0;
    bill(f, INT64_MAX, 0, 0);
    fm_error err;
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    assert_string_equal(err.code, "AMOUNT_OUT_OF_RANGE");
    /* usage at the maximum: nothing left, no overflow */
    f->c.n_bills = 1;
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = INT64_MAX;
    f->ctx.usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = INT64_MAX;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    /* the household total cannot take another payment: an error, not a wrap-around */
    f->ctx.usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = 0;
    f->ctx.usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = 0;
    f->ctx.household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = INT64_MAX;
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    assert_string_equal(err.code, "AMOUNT_OUT_OF_RANGE");
}

static void huge_earlier_payments_leave_nothing_without_overflow(void **state)
{
    fx *f = *state;
    set_liability(f, FM_LIAB_ACCIDENTAL_DISABILITY, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    injury(f, 10);
    f->ctx.usage.disability_paid = INT64_MAX;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-07-01");
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    set_ci(f, "CI-S01");
    f->ctx.usage.ci_mild_paid = INT64_MAX;
    DECLINED(decide(f), FM_REASON_LIMIT_EXHAUSTED);
    /* a death benefit already paid stops everything before any arithmetic */
    f->ctx.usage.death_paid = INT64_MAX;
    DECLINED(decide(f), FM_REASON_PERSON_DECEASED);
}

static void malformed_input_is_an_error_not_a_decision(void **state)
{
    fx *f = *state;
    fm_error err;
    bill(f, -1, 0, 0);
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    f->c.n_bills = FM_MAX_BILLS + 1;
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    f->c.n_bills = 0;
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", NULL);
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    set_liability(f, FM_LIAB_DEATH, FM_CAUSE_ACCIDENT, "2026-05-01", "2026-05-01");
    f->ctx.plan_year = 2025;
    assert_int_equal(fm_decide_claim(f->plan, &f->c, &f->ctx, &f->d, &err), FM_EINVAL);
    assert_string_equal(err.code, "PLAN_MISMATCH");
}

static void decision_names_the_plan_version(void **state)
{
    fx *f = *state;
    bill(f, 50000, 0, 0);
    assert_string_equal(decide(f)->plan_version, "2026-sample-1");
    f->ctx.policy_found = false;
    assert_string_equal(decide(f)->plan_version, "2026-sample-1");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(checks_run_in_order_and_only_the_first_failure_is_reported),
        T(incident_inside_coverage_boundaries_is_in_force),
        T(parents_disability_claim_is_declined),
        T(illness_hospital_claimed_for_an_accident_is_a_cause_mismatch),
        T(waiting_period_ends_on_start_plus_waiting_days),
        T(renewal_skips_the_waiting_period),
        T(waiting_period_counts_from_a_mid_year_coverage_start),
        T(accidents_have_no_waiting_period),
        T(death_on_day_180_after_the_accident_pays_day_181_does_not),
        T(disability_assessed_on_day_181_is_declined),
        T(disability_grade_g_pays_110_minus_10g_percent),
        T(several_injuries_the_worst_grade_counts),
        T(two_injuries_at_the_worst_grade_raise_it_by_one),
        T(grade_outside_1_to_10_is_invalid),
        T(disability_is_capped_by_the_death_sum),
        T(death_after_disability_pays_the_remainder),
        T(parent_death_uses_the_parent_sum),
        T(severe_critical_illness_pays_the_sum_insured),
        T(mild_critical_illness_pays_its_ratio_once),
        T(severe_after_mild_pays_the_difference),
        T(nothing_more_after_a_severe_payment),
        T(disease_outside_the_covered_list_is_not_covered),
        T(medical_pays_what_social_insurance_left_above_the_deductible_at_80_percent),
        T(other_insurers_part_is_removed_too),
        T(deductible_is_per_person_per_liability_per_year),
        T(ratio_is_rounded_down_to_the_fen),
        T(bills_below_the_deductible_are_declined_and_count_toward_it),
        T(person_limit_is_reached_to_the_last_fen),
        T(household_shared_limit_is_reached_to_the_last_fen),
        T(all_bills_already_claimed_is_a_duplicate_invoice),
        T(some_bills_already_claimed_is_partial),
        T(a_bill_repeated_in_the_same_claim_counts_once),
        T(bills_paid_in_full_by_others_have_no_eligible_amount),
        T(over_paid_bill_does_not_reduce_other_bills),
        T(missing_documents_put_the_claim_in_review_with_nothing_paid),
        T(missing_documents_do_not_matter_when_nothing_is_payable),
        T(amount_above_the_threshold_goes_to_review),
        T(reviewer_approval_is_capped_by_the_recomputed_payable),
        T(reviewer_may_approve_less),
        T(reviewer_decline_is_reviewer_declined),
        T(review_of_a_claim_that_no_longer_pays_keeps_the_recomputed_decline),
        T(approval_without_amount_is_an_input_error),
        T(amounts_near_int64_max_do_not_overflow),
        T(huge_earlier_payments_leave_nothing_without_overflow),
        T(malformed_input_is_an_error_not_a_decision),
        T(decision_names_the_plan_version),
        T(accident_waives_ci_waiting_only_for_accident_causable_diagnoses),
        T(ci_not_covered_is_checked_before_ci_already_paid),
        T(lump_sum_claims_ask_for_the_plans_benefit),
        T(medical_claim_without_bills_has_no_eligible_amount),
        T(report_after_receipt_is_refused_first),
        T(receipt_date_is_the_shanghai_date_of_occurred_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
