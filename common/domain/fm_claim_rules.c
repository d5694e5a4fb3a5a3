/* fm_claim_rules.c — claim adjudication: ordered checks, the amount per liability, review and usage. */
#include "fm_claim_rules.h"

#include "fm_dates.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/*
 * Choices where domain.md is silent (each also listed in the report to the lead):
 *  - CAUSE_MISMATCH (check 3b, after the role check): accidental disability or accident medical
 *    claimed with cause "illness", or illness hospitalisation claimed with cause "accident".
 *    Critical illness accepts both causes (the 2020 list holds accident outcomes such as 严重脑损伤);
 *    an accident waives its waiting period only for a diagnosis the plan marks accident-causable,
 *    otherwise the cause counts as illness (and CAUSE_IMPLAUSIBLE is signalled). A death keeps the
 *    declared cause: an illness death declared as accident cannot be told from the data.
 *  - REPORT_AFTER_RECEIPT (check 0, before the policy): a report date after the date the claim was
 *    received is a contradiction in the claim's own data; nothing else is evaluated.
 *  - LIABILITY_NOT_COVERED_FOR_ROLE also when the plan gives the role no cover at all for the
 *    liability (sum insured or person limit 0): the sample only has this for a parent's disability.
 *  - Death after disability cut by what disability paid, and a severe CI after a mild one, are
 *    `partial` with LIMIT_REACHED (a reduction for earlier payments); nothing left is LIMIT_EXHAUSTED.
 *  - A bill repeated inside the same claim counts once: the later copies are DUPLICATE_INVOICE.
 *  - DUPLICATE_INVOICE is listed whenever a bill was excluded, even if the claim is still approved
 *    (the excluded bill had nothing eligible): it is a fraud signal to record.
 *  - A pending claim lists the review reasons together with the amount's cutting reasons.
 *  - The deductible is consumed by eligible expenses even when nothing is paid (BELOW_DEDUCTIBLE,
 *    LIMIT_EXHAUSTED): two small bills in a year add up against one deductible. Not for pending claims.
 *  - An approval with a reviewer amount of 0 is a decline (REVIEWER_DECLINED); a lower amount than
 *    the re-computed payable is `partial` with REVIEWER_REDUCED.
 */

typedef struct reason_set {
    bool has[FM_REASON_COUNT];
} reason_set;

static void emit(const reason_set *s, fm_claim_decision *out)
{
    out->n_reasons = 0;
    for (int r = 1; r < FM_REASON_COUNT && out->n_reasons < FM_MAX_CLAIM_REASONS; r++)
        if (s->has[r])
            out->reasons[out->n_reasons++] = (fm_reason)r;
}

static fm_fen max0(fm_fen x)
{
    return x > 0 ? x : 0;
}
static fm_fen min2(fm_fen a, fm_fen b)
{
    return a < b ? a : b;
}

/* floor(amount * bp / 10000) for amount >= 0, 0 <= bp <= 10000, without an intermediate overflow. */
static fm_fen apply_bp(fm_fen amount, int32_t bp)
{
    return (amount / FM_BP_ONE) * bp + ((amount % FM_BP_ONE) * bp) / FM_BP_ONE;
}

static fm_status out_of_range(fm_error *err, const char *what)
{
    fm_error_set(err, what, "AMOUNT_OUT_OF_RANGE", "the sum of %s does not fit in 64 bits", what);
    return FM_EINVAL;
}

/* Digits at s[0..n-1] as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

fm_status fm_claim_receipt_date(const char *ts, fm_date *out)
{
    /* YYYY-MM-DDThh:mm:ss[.f{1,9}](Z|+hh:mm|-hh:mm) */
    if (ts == NULL || strlen(ts) < 20 || ts[4] != '-' || ts[7] != '-' || (ts[10] != 'T' && ts[10] != 't') ||
        ts[13] != ':' || ts[16] != ':')
        return FM_EINVAL;
    int y = digits(ts, 4), mo = digits(ts + 5, 2), d = digits(ts + 8, 2);
    int h = digits(ts + 11, 2), mi = digits(ts + 14, 2), sec = digits(ts + 17, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
        !fm_date_valid(y, mo, d))
        return FM_EINVAL;
    const char *p = ts + 19;
    if (*p == '.') {
        size_t n = strspn(p + 1, "0123456789");
        if (n < 1 || n > 9)
            return FM_EINVAL;
        p += 1 + n;
    }
    int offset = 0; /* minutes east of UTC */
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59)
            return FM_EINVAL;
        offset = (*p == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
        return FM_EINVAL;
    }
    /* Minutes of the day in Asia/Shanghai (UTC+8), possibly outside 0..1439: carried into the date. */
    int64_t minutes = (int64_t)h * 60 + mi - offset + 8 * 60;
    int64_t day_shift = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
    *out = fm_date_add_days(fm_date_from_ymd(y, mo, d), (int32_t)day_shift);
    return FM_OK;
}

bool fm_claim_cause_implausible(const fm_plan *plan, const fm_claim *c)
{
    if (plan == NULL || c == NULL || c->liability != FM_LIAB_CRITICAL_ILLNESS ||
        c->cause != FM_CAUSE_ACCIDENT)
        return false;
    const fm_ci_disease *d = fm_plan_disease(plan, c->critical_illness_code);
    return d == NULL || !d->accident_causable;
}

static bool is_illness_liability(const fm_plan *plan, const fm_claim *c)
{
    switch (c->liability) {
    case FM_LIAB_DEATH: return c->cause == FM_CAUSE_ILLNESS;
    case FM_LIAB_CRITICAL_ILLNESS: return c->cause == FM_CAUSE_ILLNESS || fm_claim_cause_implausible(plan, c);
    case FM_LIAB_ILLNESS_HOSPITAL: return true;
    default: return false;
    }
}

static bool cause_mismatch(const fm_claim *c)
{
    switch (c->liability) {
    case FM_LIAB_ACCIDENTAL_DISABILITY:
    case FM_LIAB_ACCIDENT_MEDICAL: return c->cause != FM_CAUSE_ACCIDENT;
    case FM_LIAB_ILLNESS_HOSPITAL: return c->cause != FM_CAUSE_ILLNESS;
    default: return false;
    }
}

static bool role_has_cover(const fm_plan *plan, const fm_claim *c, fm_role role)
{
    const fm_liability_terms *t = &plan->liabilities[c->liability];
    if (c->liability == FM_LIAB_ACCIDENTAL_DISABILITY && role != FM_ROLE_CHILD)
        return false;
    return fm_liability_is_medical(c->liability) ? t->person_limit[role] > 0 : t->sum_insured[role] > 0;
}

static bool same_invoice(const fm_bill *a, const fm_bill *b)
{
    const char *ac = a->invoice_code ? a->invoice_code : "", *bc = b->invoice_code ? b->invoice_code : "";
    const char *an = a->invoice_number ? a->invoice_number : "",
               *bn = b->invoice_number ? b->invoice_number : "";
    return strcmp(ac, bc) == 0 && strcmp(an, bn) == 0;
}

static fm_status check_input(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                             fm_error *err)
{
    if (plan == NULL || c == NULL || ctx == NULL) {
        fm_error_set(err, "", "REQUIRED", "a plan, a claim and its context are required");
        return FM_EINVAL;
    }
    if ((int)c->liability < 0 || c->liability >= FM_LIAB_COUNT || (int)c->cause < 0 ||
        c->cause >= FM_CAUSE_COUNT) {
        fm_error_set(err, "liability", "NOT_ONE_OF", "unknown liability or cause");
        return FM_EINVAL;
    }
    if (c->n_bills > FM_MAX_BILLS || (c->n_bills > 0 && c->bills == NULL)) {
        fm_error_set(err, "bills", "TOO_MANY", "a claim has at most %d bills", FM_MAX_BILLS);
        return FM_EINVAL;
    }
    if (c->n_injuries > FM_MAX_INJURIES || (c->n_injuries > 0 && c->injuries == NULL)) {
        fm_error_set(err, "injuries", "TOO_MANY", "a claim has at most %d injuries", FM_MAX_INJURIES);
        return FM_EINVAL;
    }
    for (size_t i = 0; i < c->n_bills; i++) {
        const fm_bill *b = &c->bills[i];
        if (b->amount < 0 || b->paid_by_social_insurance < 0 || b->paid_by_other_insurers < 0) {
            fm_error_set(err, "bills", "NEGATIVE_AMOUNT", "bill %zu has a negative amount", i);
            return FM_EINVAL;
        }
    }
    if ((c->liability == FM_LIAB_DEATH || c->liability == FM_LIAB_ACCIDENTAL_DISABILITY) &&
        !c->has_event_date) {
        fm_error_set(err, "event_date", "REQUIRED", "death and disability claims carry an event date");
        return FM_EINVAL;
    }
    if (ctx->policy_found && ctx->plan_year != plan->plan_year) {
        fm_error_set(err, "plan_year", "PLAN_MISMATCH", "the plan given is for %d, the policy for %d",
                     plan->plan_year, ctx->plan_year);
        return FM_EINVAL;
    }
    if (ctx->policy_found && ctx->person_found && ((int)ctx->role < 0 || ctx->role >= FM_ROLE_COUNT)) {
        fm_error_set(err, "role", "NOT_ONE_OF", "unknown role");
        return FM_EINVAL;
    }
    const fm_claim_usage *u = &ctx->usage;
    bool negative =
        u->death_paid < 0 || u->disability_paid < 0 || u->ci_mild_paid < 0 || u->ci_severe_paid < 0;
    for (int l = 0; l < FM_LIAB_COUNT; l++)
        negative = negative || u->deductible_used[l] < 0 || u->medical_paid[l] < 0 ||
                   ctx->household_medical_paid[l] < 0;
    if (negative) {
        fm_error_set(err, "usage", "NEGATIVE_AMOUNT", "usage amounts are >= 0");
        return FM_EINVAL;
    }
    return FM_OK;
}

/* The effective disability grade of the injuries (several at the worst grade: one higher), 0 when invalid. */
static int32_t effective_grade(const fm_claim *c)
{
    int64_t best = 0;
    size_t at_best = 0;
    for (size_t i = 0; i < c->n_injuries; i++) {
        int64_t g = c->injuries[i].grade;
        if (g < 1 || g > FM_DISABILITY_GRADES)
            return 0;
        if (best == 0 || g < best) {
            best = g;
            at_best = 1;
        } else if (g == best) {
            at_best++;
        }
    }
    return (int32_t)(at_best >= 2 && best > 1 ? best - 1 : best);
}

/* The result of the amount step. */
typedef struct amount {
    fm_fen payable; /* after earlier payments, limits, excluded bills */
    fm_fen full;
    fm_reason zero_reason;     /* why nothing is payable, when payable == 0 */
    reason_set cuts;           /* LIMIT_REACHED, DUPLICATE_INVOICE */
    fm_fen deductible_applied; /* medical */
    bool ci_mild;              /* a mild critical illness: paid from the mild bucket */
} amount;

static fm_status medical_amount(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                                fm_claim_decision *out, amount *a, fm_error *err)
{
    const fm_liability_terms *t = &plan->liabilities[c->liability];
    fm_fen total_all = 0, total_kept = 0;
    size_t excluded = 0;
    for (size_t i = 0; i < c->n_bills; i++) {
        const fm_bill *b = &c->bills[i];
        bool dup = ctx->bill_already_claimed[i];
        for (size_t j = 0; j < i && !dup; j++)
            dup = same_invoice(b, &c->bills[j]);
        out->bill_excluded[i] = dup;
        excluded += dup;
        /* Subtracting what others paid one part at a time cannot overflow and stops at 0. */
        fm_fen eligible = b->amount;
        eligible -= min2(eligible, b->paid_by_social_insurance);
        eligible -= min2(eligible, b->paid_by_other_insurers);
        if (__builtin_add_overflow(total_all, eligible, &total_all))
            return out_of_range(err, "bills");
        if (!dup && __builtin_add_overflow(total_kept, eligible, &total_kept))
            return out_of_range(err, "bills");
    }
    fm_fen deductible_left = max0(t->deductible - ctx->usage.deductible_used[c->liability]);
    a->full = apply_bp(max0(total_all - deductible_left), t->ratio_bp);
    fm_fen computed = apply_bp(max0(total_kept - deductible_left), t->ratio_bp);
    a->deductible_applied = min2(total_kept, deductible_left);
    fm_fen person_left = max0(t->person_limit[ctx->role] - ctx->usage.medical_paid[c->liability]);
    fm_fen cap = person_left;
    if (t->household_shared)
        cap = min2(cap, max0(t->household_limit - ctx->household_medical_paid[c->liability]));
    a->payable = min2(computed, cap);

    out->applied.deductible = t->deductible;
    out->applied.deductible_applied = a->deductible_applied;
    out->applied.ratio_bp = t->ratio_bp;
    out->applied.person_limit = t->person_limit[ctx->role];
    out->applied.household_shared = t->household_shared;
    out->applied.household_limit = t->household_limit;

    if (excluded > 0)
        a->cuts.has[FM_REASON_DUPLICATE_INVOICE] = true;
    if (a->payable < computed)
        a->cuts.has[FM_REASON_LIMIT_REACHED] = true;
    if (c->n_bills > 0 && excluded == c->n_bills)
        a->zero_reason = FM_REASON_DUPLICATE_INVOICE;
    else if (total_kept == 0)
        a->zero_reason = FM_REASON_NO_ELIGIBLE_AMOUNT;
    else if (computed == 0)
        a->zero_reason = FM_REASON_BELOW_DEDUCTIBLE;
    else
        a->zero_reason = FM_REASON_LIMIT_EXHAUSTED;
    return FM_OK;
}

/* The amount per liability (domain.md, Decisions / Claims, step 6). */
static fm_status compute_amount(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                                fm_claim_decision *out, amount *a, fm_error *err)
{
    const fm_claim_usage *u = &ctx->usage;
    const fm_liability_terms *t = &plan->liabilities[c->liability];
    fm_fen death_sum = plan->liabilities[FM_LIAB_DEATH].sum_insured[ctx->role];
    memset(a, 0, sizeof *a);
    switch (c->liability) {
    case FM_LIAB_DEATH:
        a->full = t->sum_insured[ctx->role];
        a->payable = max0(a->full - u->disability_paid);
        a->zero_reason = FM_REASON_LIMIT_EXHAUSTED;
        out->applied.sum_insured = a->full;
        break;
    case FM_LIAB_ACCIDENTAL_DISABILITY: {
        /* Several injuries at the most severe grade raise it by one grade, never above grade 1; an injury
         * outside 1-10, or none at all, leaves nothing to grade. */
        int32_t grade = effective_grade(c);
        if (grade == 0)
            return (a->zero_reason = FM_REASON_INVALID_GRADE), FM_OK;
        out->applied.sum_insured = t->sum_insured[ctx->role];
        out->applied.grade = grade;
        out->applied.grade_bp = plan->disability_grade_bp[grade];
        a->full = apply_bp(t->sum_insured[ctx->role], plan->disability_grade_bp[grade]);
        /* Disability and death together never exceed the death sum insured. */
        /* Two steps, each between non-negatives, so that huge usage values cannot overflow. */
        fm_fen room = max0(max0(death_sum - u->disability_paid) - u->death_paid);
        a->payable = min2(a->full, room);
        a->zero_reason = FM_REASON_LIMIT_EXHAUSTED;
        break;
    }
    case FM_LIAB_CRITICAL_ILLNESS: {
        const fm_ci_disease *d = fm_plan_disease(plan, c->critical_illness_code);
        out->applied.sum_insured = t->sum_insured[ctx->role];
        if (d == NULL || !d->covered)
            return (a->zero_reason = FM_REASON_CI_NOT_COVERED), FM_OK;
        if (u->ci_severe_paid > 0 || (!d->severe && u->ci_mild_paid > 0))
            return (a->zero_reason = FM_REASON_CI_ALREADY_PAID), FM_OK;
        if (d->severe) {
            a->full = t->sum_insured[ctx->role];
            a->payable = max0(a->full - u->ci_mild_paid);
        } else {
            a->full = a->payable = apply_bp(t->sum_insured[ctx->role], plan->ci_mild_ratio_bp);
            a->ci_mild = true;
        }
        a->zero_reason = FM_REASON_LIMIT_EXHAUSTED;
        break;
    }
    case FM_LIAB_ACCIDENT_MEDICAL:
    case FM_LIAB_ILLNESS_HOSPITAL: return medical_amount(plan, c, ctx, out, a, err);
    default: break;
    }
    if (a->payable > 0 && a->payable < a->full)
        a->cuts.has[FM_REASON_LIMIT_REACHED] = true;
    return FM_OK;
}

/* Adds this decision's payment (and the medical deductible it used) to the usage. */
static fm_status apply_usage(const fm_claim *c, fm_claim_decision *out, const amount *a, fm_error *err)
{
    fm_fen deductible_applied = a->deductible_applied;
    fm_claim_usage *u = &out->new_usage;
    fm_fen p = out->payable;
    bool overflow = false;
    switch (c->liability) {
    case FM_LIAB_DEATH: overflow = __builtin_add_overflow(u->death_paid, p, &u->death_paid); break;
    case FM_LIAB_ACCIDENTAL_DISABILITY:
        overflow = __builtin_add_overflow(u->disability_paid, p, &u->disability_paid);
        break;
    case FM_LIAB_CRITICAL_ILLNESS:
        if (a->ci_mild)
            overflow = __builtin_add_overflow(u->ci_mild_paid, p, &u->ci_mild_paid);
        else
            overflow = __builtin_add_overflow(u->ci_severe_paid, p, &u->ci_severe_paid);
        break;
    default:
        overflow = __builtin_add_overflow(u->medical_paid[c->liability], p, &u->medical_paid[c->liability]) ||
                   __builtin_add_overflow(u->deductible_used[c->liability], deductible_applied,
                                          &u->deductible_used[c->liability]) ||
                   __builtin_add_overflow(out->new_household_medical_paid[c->liability], p,
                                          &out->new_household_medical_paid[c->liability]);
        break;
    }
    if (overflow)
        return out_of_range(err, "usage");
    out->usage_changed = p > 0 || deductible_applied > 0;
    return FM_OK;
}

/* The benefit a lump-sum claim asks for (fm_claim_decision.asked). */
static fm_fen asked_benefit(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx)
{
    if (!ctx->policy_found || !ctx->person_found)
        return 0;
    fm_fen sum = plan->liabilities[c->liability].sum_insured[ctx->role];
    switch (c->liability) {
    case FM_LIAB_DEATH: return sum;
    case FM_LIAB_CRITICAL_ILLNESS: {
        const fm_ci_disease *d = fm_plan_disease(plan, c->critical_illness_code);
        return d != NULL && !d->severe ? apply_bp(sum, plan->ci_mild_ratio_bp) : sum;
    }
    case FM_LIAB_ACCIDENTAL_DISABILITY: {
        int32_t g = effective_grade(c);
        return g == 0 ? 0 : apply_bp(sum, plan->disability_grade_bp[g]);
    }
    default: return 0;
    }
}

static void decline(fm_claim_decision *out, fm_reason r)
{
    out->outcome = FM_CLAIM_DECLINED;
    out->payable = 0;
    out->computed = 0;
    out->reasons[0] = r;
    out->n_reasons = 1;
}

/* reviewer_cap < 0: a first decision (with the review step); >= 0: a reviewer's approval of that amount. */
static fm_status adjudicate(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                            fm_fen reviewer_cap, fm_claim_decision *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_input(plan, c, ctx, err);
    if (st != FM_OK)
        return st;
    snprintf(out->plan_version, sizeof out->plan_version, "%s", plan->version);
    out->n_bills = c->n_bills;
    out->new_usage = ctx->usage;
    memcpy(out->new_household_medical_paid, ctx->household_medical_paid,
           sizeof out->new_household_medical_paid);
    out->applied.review_threshold = plan->review_threshold;
    out->applied.waiting_days = plan->waiting_days;
    out->cause_implausible = fm_claim_cause_implausible(plan, c);
    out->asked = asked_benefit(plan, c, ctx);

    /* 0–5: the first failing check declines with its reason only. */
    if (ctx->has_receipt && c->report_date > ctx->received_on)
        return decline(out, FM_REASON_REPORT_AFTER_RECEIPT), FM_OK;
    if (!ctx->policy_found)
        return decline(out, FM_REASON_POLICY_NOT_FOUND), FM_OK;
    if (!ctx->person_found)
        return decline(out, FM_REASON_PERSON_NOT_INSURED), FM_OK;
    /* A death benefit paid this plan year is as good as the service's flag (which also covers earlier years).
     */
    if (ctx->deceased || ctx->usage.death_paid > 0)
        return decline(out, FM_REASON_PERSON_DECEASED), FM_OK;
    if (c->incident_date < ctx->coverage_start || c->incident_date > ctx->coverage_end)
        return decline(out, FM_REASON_NOT_IN_FORCE), FM_OK;
    if (!role_has_cover(plan, c, ctx->role))
        return decline(out, FM_REASON_LIABILITY_NOT_COVERED_FOR_ROLE), FM_OK;
    if (cause_mismatch(c))
        return decline(out, FM_REASON_CAUSE_MISMATCH), FM_OK;
    bool renewal_skips = ctx->renewal && plan->renewal_skips_waiting;
    if (is_illness_liability(plan, c) && plan->liabilities[c->liability].waiting_period && !renewal_skips &&
        c->incident_date < fm_date_add_days(ctx->coverage_start, plan->waiting_days))
        return decline(out, FM_REASON_WAITING_PERIOD), FM_OK;
    bool accident_outcome = (c->liability == FM_LIAB_DEATH && c->cause == FM_CAUSE_ACCIDENT) ||
                            c->liability == FM_LIAB_ACCIDENTAL_DISABILITY;
    if (accident_outcome && (int64_t)c->event_date - c->incident_date > FM_ACCIDENT_WINDOW_DAYS)
        return decline(out, FM_REASON_ACCIDENT_WINDOW_EXCEEDED), FM_OK;

    /* 6: the amount. */
    amount a;
    if ((st = compute_amount(plan, c, ctx, out, &a, err)) != FM_OK) {
        memset(out, 0, sizeof *out);
        return st;
    }
    out->full = a.full;
    if (a.payable == 0) {
        decline(out, a.zero_reason);
        /* The deductible is still consumed by the eligible expenses (see the choices above). */
        if ((st = apply_usage(c, out, &a, err)) != FM_OK)
            memset(out, 0, sizeof *out);
        return st;
    }
    out->payable = a.payable;
    out->computed = a.payable;
    reason_set reasons = a.cuts;

    /* 7: documents and the review threshold, only when something is payable. */
    if (reviewer_cap < 0) {
        const fm_documents missing = plan->liabilities[c->liability].documents_required & ~c->documents;
        reasons.has[FM_REASON_DOCUMENTS_MISSING] = missing != 0;
        reasons.has[FM_REASON_AMOUNT_ABOVE_REVIEW_THRESHOLD] = a.payable > plan->review_threshold;
        if (missing != 0 || a.payable > plan->review_threshold) {
            out->outcome = FM_CLAIM_PENDING_REVIEW;
            out->payable = 0; /* a pending claim reserves nothing: usage stays as it was */
            emit(&reasons, out);
            return FM_OK;
        }
    } else {
        if (reviewer_cap == 0) {
            decline(out, FM_REASON_REVIEWER_DECLINED);
            return FM_OK;
        }
        if (reviewer_cap < out->payable) {
            out->payable = reviewer_cap;
            reasons.has[FM_REASON_REVIEWER_REDUCED] = true;
        }
    }
    out->outcome = out->payable == out->full ? FM_CLAIM_APPROVED : FM_CLAIM_PARTIAL;
    emit(&reasons, out);
    if ((st = apply_usage(c, out, &a, err)) != FM_OK)
        memset(out, 0, sizeof *out);
    return st;
}

fm_status fm_decide_claim(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                          fm_claim_decision *out, fm_error *err)
{
    return adjudicate(plan, c, ctx, -1, out, err);
}

fm_status fm_decide_review(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx,
                           const fm_review *review, fm_claim_decision *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    if (review == NULL ||
        (review->action == FM_REVIEW_APPROVE && (!review->has_amount || review->amount < 0)) ||
        ((int)review->action < 0 || review->action >= FM_REVIEW_ACTION_COUNT)) {
        fm_error_set(err, "amount", "REQUIRED", "an approval carries an amount >= 0");
        return FM_EINVAL;
    }
    if (review->action == FM_REVIEW_DECLINE) {
        fm_status st = adjudicate(plan, c, ctx, 0, out, err);
        if (st != FM_OK)
            return st;
        /* The reviewer's decline stands whatever the amount; nothing is paid or used. */
        out->new_usage = ctx->usage;
        memcpy(out->new_household_medical_paid, ctx->household_medical_paid,
               sizeof out->new_household_medical_paid);
        out->usage_changed = false;
        decline(out, FM_REASON_REVIEWER_DECLINED);
        return FM_OK;
    }
    return adjudicate(plan, c, ctx, review->amount, out, err);
}
