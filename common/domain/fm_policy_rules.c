/* fm_policy_rules.c — the rules of a policy's life after enrollment, pure (no I/O, no clock). */
#include "fm_policy_rules.h"

#include "fm_dates.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[FM_CHANGE_KIND_COUNT] = {"member_added", "member_removed", "cancelled",
                                                             "premium_paid", "premium_refunded"};
static const char *const prorata_names[FM_PRORATA_COUNT] = {"none", "days", "full"};

fm_policy_terms fm_policy_terms_default(void)
{
    /* Without a "policy_changes" block a plan prices changes by days and tracks no premium: the waves made
     * before issue 16 carry no premium events and must keep their decisions. */
    return (fm_policy_terms){.premium_difference = FM_PRORATA_DAYS,
                             .category_a_loss_reversal = FM_PRORATA_DAYS,
                             .cancellation_refund = FM_PRORATA_DAYS,
                             .refund_after_paid_claim = false,
                             .cancellation_subsidy_reversal = FM_PRORATA_DAYS,
                             .premium_tracking = false,
                             .premium_grace_days = FM_PREMIUM_GRACE_DAYS_DEFAULT};
}

const char *fm_prorata_name(fm_prorata v)
{
    return (int)v >= 0 && v < FM_PRORATA_COUNT ? prorata_names[v] : "?";
}

bool fm_prorata_parse(const char *s, fm_prorata *out)
{
    for (int i = 0; s != NULL && i < FM_PRORATA_COUNT; i++)
        if (strcmp(s, prorata_names[i]) == 0) {
            *out = (fm_prorata)i;
            return true;
        }
    return false;
}

const char *fm_change_kind_name(fm_change_kind k)
{
    return (int)k >= 0 && k < FM_CHANGE_KIND_COUNT ? kind_names[k] : "?";
}

int32_t fm_policy_days_after(fm_date d, fm_date coverage_start, fm_date coverage_end)
{
    if (coverage_end < coverage_start || d >= coverage_end)
        return 0;
    if (d < coverage_start)
        return coverage_end - coverage_start + 1;
    return coverage_end - d;
}

fm_fen fm_policy_pro_rata(fm_fen amount, int32_t days_left, int32_t days_total)
{
    if (days_total <= 0 || days_left <= 0)
        return 0;
    if (days_left >= days_total)
        return amount;
    /* C division truncates toward zero: a decrease is rounded toward zero as well. */
    return amount * days_left / days_total;
}

static fm_fen split_total(const fm_subsidy_split *s)
{
    return s->city + s->district_or_county + s->development_zone;
}

fm_status fm_subsidy_apportion(const fm_subsidy_split *split, fm_fen amount, fm_subsidy_split *out)
{
    const fm_fen share[3] = {split->city, split->district_or_county, split->development_zone};
    fm_fen total = split_total(split);
    if (share[0] < 0 || share[1] < 0 || share[2] < 0 || amount < 0 || amount > total)
        return FM_EINVAL;
    fm_fen given[3] = {0, 0, 0};
    /* Fen k goes to the payer whose exact share k*share/total exceeds what it holds the most (scaled by
     * total, in integers). The exact shares add up to k and the holdings to k-1, so the largest deficit is
     * positive: a payer with no share never receives a fen, and none ever holds more than its share. */
    for (fm_fen k = 1; k <= amount; k++) {
        int best = -1;
        fm_fen best_deficit = 0;
        for (int i = 0; i < 3; i++) {
            fm_fen deficit = k * share[i] - total * given[i];
            if (best < 0 || deficit > best_deficit) {
                best = i;
                best_deficit = deficit;
            }
        }
        given[best]++;
    }
    *out = (fm_subsidy_split){given[0], given[1], given[2]};
    return FM_OK;
}

fm_status fm_subsidy_reversal_split(const fm_subsidy_split *split, fm_fen already, fm_fen amount,
                                    fm_subsidy_split *out)
{
    if (already < 0 || amount < 0 || already > split_total(split) - amount)
        return FM_EINVAL;
    fm_subsidy_split before, after;
    fm_status st = fm_subsidy_apportion(split, already, &before);
    if (st != FM_OK || (st = fm_subsidy_apportion(split, already + amount, &after)) != FM_OK)
        return st;
    *out = (fm_subsidy_split){after.city - before.city, after.district_or_county - before.district_or_county,
                              after.development_zone - before.development_zone};
    return FM_OK;
}

fm_fen fm_policy_premium(const fm_plan *plan, fm_category category, int n_children)
{
    if (plan == NULL || n_children < 1 || n_children > FM_MAX_PRICED_CHILDREN)
        return -1;
    if (category == FM_CATEGORY_A)
        return plan->premium_a[n_children];
    if (category == FM_CATEGORY_B)
        return plan->premium_b[n_children];
    return -1;
}

fm_date fm_policy_grace_date(const fm_plan *plan, fm_date coverage_start)
{
    return fm_date_add_days(coverage_start, plan->policy.premium_grace_days);
}

bool fm_policy_lapsed(const fm_plan *plan, fm_fen due, fm_fen paid_by_grace)
{
    return plan->policy.premium_tracking && due > 0 && paid_by_grace < due;
}

bool fm_policy_in_force_on(const fm_policy_cover *cov, fm_date incident)
{
    if (incident < cov->member_from || incident > cov->member_to)
        return false;
    if (cov->cancelled && incident > cov->cancelled_on)
        return false;
    return !(cov->lapsed && incident > cov->grace_date);
}

static void add_reason(fm_policy_change_decision *out, fm_reason r)
{
    for (size_t i = 0; i < out->n_reasons; i++)
        if (out->reasons[i] == r)
            return;
    if (out->n_reasons < FM_MAX_CHANGE_REASONS)
        out->reasons[out->n_reasons++] = r;
}

static int by_reason(const void *a, const void *b)
{
    return (int)*(const fm_reason *)a - (int)*(const fm_reason *)b;
}

/* A subsidy reversal of `amount` (capped by what remains), with its per-payer rows. */
static fm_status reverse(const fm_policy_state *st, fm_fen amount, fm_policy_change_decision *out)
{
    fm_fen remaining = st->subsidy - st->subsidy_reversed;
    if (amount > remaining)
        amount = remaining;
    if (amount <= 0)
        return FM_OK;
    out->subsidy_reversal = amount;
    return fm_subsidy_reversal_split(&st->split, st->subsidy_reversed, amount, &out->reversal_split);
}

/* Premium and category after the insured children's count becomes n (n >= 1). */
static fm_status reprice(const fm_plan *plan, const fm_policy_state *st, fm_category cat, int n,
                         fm_policy_change_decision *out)
{
    fm_fen premium = fm_policy_premium(plan, cat, n);
    if (premium < 0)
        return FM_EINVAL;
    out->category_after = cat;
    out->n_children_after = n;
    out->premium_after = premium;
    if (plan->policy.premium_difference == FM_PRORATA_DAYS)
        out->premium_delta = fm_policy_pro_rata(premium - st->premium, out->days_left, out->days_total);
    if (st->category == FM_CATEGORY_A && cat == FM_CATEGORY_B &&
        plan->policy.category_a_loss_reversal == FM_PRORATA_DAYS) {
        fm_status s = reverse(st, fm_policy_pro_rata(st->subsidy, out->days_left, out->days_total), out);
        if (s != FM_OK)
            return s;
    }
    return FM_OK;
}

static fm_status decide_added(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                              fm_policy_change_decision *out)
{
    /* No day of cover would be left: the change is refused (as an enrollment on plan end is). */
    if (ch->on >= st->coverage_end)
        add_reason(out, FM_REASON_CHANGE_OUTSIDE_COVERAGE);
    if (!ch->id_valid)
        add_reason(out, FM_REASON_INVALID_ID_NUMBER);
    if (ch->already_member)
        add_reason(out, FM_REASON_DUPLICATE_MEMBER);
    if (ch->insured_elsewhere)
        add_reason(out, FM_REASON_ALREADY_INSURED_ELSEWHERE);
    if (ch->role == FM_ROLE_CHILD && ch->id_valid && ch->birth < plan->child_born_on_or_after)
        add_reason(out, FM_REASON_CHILD_OVER_AGE);
    if (out->n_reasons > 0)
        return FM_OK;
    out->member_covered_from = ch->on + 1 > st->coverage_start ? ch->on + 1 : st->coverage_start;
    out->member_covered_to = st->coverage_end;
    if (ch->role != FM_ROLE_CHILD)
        return FM_OK; /* the household premium is priced by children alone */
    int n = st->n_children + 1;
    fm_category cat = st->category;
    if (cat == FM_CATEGORY_A) {
        /* A holds only while its evidence does: one child under the certificate; one or two daughters. */
        bool holds =
            st->a_basis == FM_A_BASIS_TWO_DAUGHTERS && n <= 2 && st->all_children_female && ch->female;
        if (!holds) {
            cat = FM_CATEGORY_B;
            add_reason(out, FM_REASON_CATEGORY_A_EVIDENCE_LOST);
        }
    }
    if (cat == FM_CATEGORY_B && n > plan->max_children_b) {
        out->n_reasons = 0;
        add_reason(out, FM_REASON_TOO_MANY_CHILDREN);
        return FM_OK;
    }
    return reprice(plan, st, cat, n, out);
}

static fm_status decide_removed(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                                fm_policy_change_decision *out)
{
    if (!ch->already_member)
        add_reason(out, FM_REASON_PERSON_NOT_INSURED);
    else if (ch->role == FM_ROLE_CHILD && st->n_children <= 1)
        add_reason(out, FM_REASON_NO_ELIGIBLE_CHILD); /* the last child: the household cancels instead */
    if (out->n_reasons > 0)
        return FM_OK;
    out->member_covered_from = ch->member_covered_from;
    out->member_covered_to = ch->on; /* covered through the day of the change */
    if (ch->role != FM_ROLE_CHILD)
        return FM_OK;
    /* Fewer children never breaks category A's evidence (one of two daughters stays a two-daughter
     * household's child): the category is kept. */
    return reprice(plan, st, st->category, st->n_children - 1, out);
}

static fm_status decide_cancelled(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                                  fm_policy_change_decision *out)
{
    (void)ch;
    out->covered_to = ch->on;
    const fm_policy_terms *t = &plan->policy;
    if (t->cancellation_refund == FM_PRORATA_DAYS) {
        if (st->claim_paid && !t->refund_after_paid_claim) {
            add_reason(out, FM_REASON_REFUND_WITHHELD_CLAIM_PAID);
        } else {
            /* What the household paid for itself: its own share, or (tracked) what it actually paid. */
            fm_fen base = st->self_paid;
            if (t->premium_tracking && st->premium_paid - st->premium_refunded < base)
                base = st->premium_paid - st->premium_refunded;
            if (base > 0)
                out->refund = fm_policy_pro_rata(base, out->days_left, out->days_total);
        }
    }
    if (st->category == FM_CATEGORY_A) {
        fm_fen amount = 0;
        if (t->cancellation_subsidy_reversal == FM_PRORATA_DAYS)
            amount = fm_policy_pro_rata(st->subsidy, out->days_left, out->days_total);
        else if (t->cancellation_subsidy_reversal == FM_PRORATA_FULL)
            amount = st->subsidy;
        return reverse(st, amount, out);
    }
    return FM_OK;
}

static fm_status decide_premium(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                                fm_policy_change_decision *out)
{
    if (ch->amount <= 0)
        return FM_EINVAL; /* the schema requires a positive amount */
    if (ch->kind == FM_CHANGE_PREMIUM_REFUNDED) {
        if (ch->amount > st->premium_paid - st->premium_refunded)
            add_reason(out, FM_REASON_REFUND_EXCEEDS_PAID);
        return FM_OK;
    }
    /* A payment after the grace date is recorded, but a lapsed policy is not reinstated by it. */
    if (plan->policy.premium_tracking && ch->on > fm_policy_grace_date(plan, st->coverage_start) &&
        fm_policy_lapsed(plan, st->self_paid, st->premium_paid))
        add_reason(out, FM_REASON_PREMIUM_PAID_AFTER_GRACE);
    return FM_OK;
}

fm_status fm_decide_policy_change(const fm_plan *plan, const fm_policy_state *st, const fm_policy_change *ch,
                                  fm_policy_change_decision *out, fm_error *err)
{
    if (plan == NULL || st == NULL || ch == NULL || out == NULL || (int)ch->kind < 0 ||
        ch->kind >= FM_CHANGE_KIND_COUNT) {
        fm_error_set(err, "change", "INVALID_ARGUMENT", "no plan, state or change, or an unknown kind");
        return FM_EINVAL;
    }
    memset(out, 0, sizeof *out);
    out->category_after = st->category;
    out->n_children_after = st->n_children;
    out->premium_after = st->premium;
    if (!st->exists) {
        add_reason(out, FM_REASON_POLICY_NOT_FOUND);
        return FM_OK;
    }
    out->days_total = fm_policy_days_after(st->coverage_start - 1, st->coverage_start, st->coverage_end);
    out->days_left = fm_policy_days_after(ch->on, st->coverage_start, st->coverage_end);
    bool money = ch->kind == FM_CHANGE_PREMIUM_PAID || ch->kind == FM_CHANGE_PREMIUM_REFUNDED;
    /* A cancelled policy takes no further change, but its money still moves (a late payment, a refund). */
    if (st->cancelled && !money)
        add_reason(out, FM_REASON_POLICY_CANCELLED);
    /* A change dated before the plan's enrollment opens or after plan end belongs to no policy of the year.
     */
    if (!money && (ch->on < plan->enrollment_opens || ch->on > st->coverage_end))
        add_reason(out, FM_REASON_CHANGE_OUTSIDE_COVERAGE);
    fm_status s = FM_OK;
    if (out->n_reasons == 0) {
        switch (ch->kind) {
        case FM_CHANGE_MEMBER_ADDED: s = decide_added(plan, st, ch, out); break;
        case FM_CHANGE_MEMBER_REMOVED: s = decide_removed(plan, st, ch, out); break;
        case FM_CHANGE_CANCELLED: s = decide_cancelled(plan, st, ch, out); break;
        default: s = decide_premium(plan, st, ch, out); break;
        }
    }
    if (s != FM_OK) {
        fm_error_set(err, "change", "INVALID_ARGUMENT", "the policy state cannot be priced");
        return s;
    }
    /* Notes (an A lost, a refund withheld, a late payment) leave the change accepted. */
    out->accepted = true;
    for (size_t i = 0; i < out->n_reasons; i++) {
        fm_reason r = out->reasons[i];
        if (r != FM_REASON_CATEGORY_A_EVIDENCE_LOST && r != FM_REASON_REFUND_WITHHELD_CLAIM_PAID &&
            r != FM_REASON_PREMIUM_PAID_AFTER_GRACE)
            out->accepted = false;
    }
    if (!out->accepted) {
        /* A refusal changes nothing. */
        fm_policy_change_decision refused = {.accepted = false, .n_reasons = out->n_reasons};
        memcpy(refused.reasons, out->reasons, sizeof refused.reasons);
        refused.category_after = st->category;
        refused.n_children_after = st->n_children;
        refused.premium_after = st->premium;
        refused.days_left = out->days_left;
        refused.days_total = out->days_total;
        *out = refused;
    }
    qsort(out->reasons, out->n_reasons, sizeof out->reasons[0], by_reason);
    out->self_paid_delta = out->premium_delta + out->subsidy_reversal;
    return FM_OK;
}
