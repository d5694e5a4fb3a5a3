/* wg_claims.c — a plan year of claims per policy: incidence per liability, bills, grades, diagnoses,
 * injected faults, and the label of each claim from the generator's own accounting, in emission order. */
#include "wg_claims.h"
#include "wg_payment.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_corrupt.h"
#include "wg_date.h"
#include "wg_idnum.h"
#include "wg_rng.h"

#define STREAM_CLAIMS 2
#define MAX_PEOPLE 20
#define MAX_CLAIMS 64 /* claims and the reviews of pending ones */
#define MAX_BILLS 4
#define MAX_INJURIES 3
#define MAX_SEEN_BILLS (MAX_CLAIMS * MAX_BILLS)
#define ACCIDENT_WINDOW_DAYS 180 /* industry rule in domain.md, not a plan parameter */

enum { CAUSE_ACCIDENT = 0, CAUSE_ILLNESS };

/* Claim reasons, in the documented order in which decisions list them (the domain's reason order). */
enum {
    C_POLICY_NOT_FOUND = 0,
    C_PERSON_NOT_INSURED,
    C_PERSON_DECEASED,
    C_NOT_IN_FORCE,
    C_LIABILITY_NOT_COVERED_FOR_ROLE,
    C_CAUSE_MISMATCH,
    C_WAITING_PERIOD,
    C_ACCIDENT_WINDOW_EXCEEDED,
    C_INVALID_GRADE,
    C_CI_NOT_COVERED,
    C_CI_ALREADY_PAID,
    C_DUPLICATE_INVOICE,
    C_NO_ELIGIBLE_AMOUNT,
    C_BELOW_DEDUCTIBLE,
    C_LIMIT_EXHAUSTED,
    C_LIMIT_REACHED,
    C_DOCUMENTS_MISSING,
    C_AMOUNT_ABOVE_REVIEW_THRESHOLD,
    C_REVIEWER_DECLINED,
    C_REVIEWER_REDUCED,
    C_REPORT_AFTER_RECEIPT, /* last, as in the domain's order */
    C_COUNT
};
static const char *const claim_reason_ids[C_COUNT] = {"POLICY_NOT_FOUND",
                                                      "PERSON_NOT_INSURED",
                                                      "PERSON_DECEASED",
                                                      "NOT_IN_FORCE",
                                                      "LIABILITY_NOT_COVERED_FOR_ROLE",
                                                      "CAUSE_MISMATCH",
                                                      "WAITING_PERIOD",
                                                      "ACCIDENT_WINDOW_EXCEEDED",
                                                      "INVALID_GRADE",
                                                      "CI_NOT_COVERED",
                                                      "CI_ALREADY_PAID",
                                                      "DUPLICATE_INVOICE",
                                                      "NO_ELIGIBLE_AMOUNT",
                                                      "BELOW_DEDUCTIBLE",
                                                      "LIMIT_EXHAUSTED",
                                                      "LIMIT_REACHED",
                                                      "DOCUMENTS_MISSING",
                                                      "AMOUNT_ABOVE_REVIEW_THRESHOLD",
                                                      "REVIEWER_DECLINED",
                                                      "REVIEWER_REDUCED",
                                                      "REPORT_AFTER_RECEIPT"};

typedef struct cperson {
    char id[20];
    int role;
    bool prev;
    bool insured;
} cperson;

typedef struct bill {
    char code[16];
    char number[12];
    int64_t amount, social, other;
} bill;

typedef struct injury {
    const char *description;
    int grade;
} injury;

typedef struct claim {
    int seq;    /* generation order, the tie-break of the report order */
    int person; /* index into the policy's people, or -1: someone not on the policy */
    char insured_id[20];
    bool policy_not_found;
    int liab;
    int cause;
    int32_t incident, event_date, report; /* event_date INT32_MIN: null */
    int32_t receipt; /* the day the insurer received it (occurred_at's date): report + a few days; a review's
                        own day */
    bill bills[MAX_BILLS];
    int n_bills;
    int dup_of; /* claim seq whose bills this one repeats, or -1 */
    injury injuries[MAX_INJURIES];
    int n_injuries;
    char ci_code[17]; /* "" = null */
    uint32_t docs;
    const char *fault;
    /* a claim.reviewed of the claim whose seq is `ref`, sent only if that claim went to review */
    bool is_review;
    int ref;
    bool approve; /* the reviewer's action and amount, chosen when the review is sent */
    int64_t amount;
} claim;

/* What has been paid or used per person in the plan year (the generator's own accounting). */
typedef struct usage {
    int64_t death_paid, disability_paid, ci_mild_paid, ci_severe_paid;
    int64_t deductible_used[WG_LIAB_COUNT], medical_paid[WG_LIAB_COUNT];
} usage;

struct wg_claims {
    wg_claims_config cfg;
    int severe_covered[WG_MAX_DISEASES], n_severe_covered;
    int mild_covered[WG_MAX_DISEASES], n_mild_covered;
    int not_covered[WG_MAX_DISEASES], n_not_covered;
};

fm_status wg_claims_new(const wg_claims_config *cfg, wg_claims **out, fm_error *err)
{
    if (!(cfg->scale >= 0)) {
        fm_error_set(err, "scale", "OUT_OF_RANGE", "the claim rate scale must be >= 0");
        return FM_EINVAL;
    }
    wg_claims *g = calloc(1, sizeof *g);
    if (g == NULL)
        return FM_ENOMEM;
    g->cfg = *cfg;
    for (int i = 0; i < cfg->plan->n_diseases; i++) {
        const wg_disease *d = &cfg->plan->diseases[i];
        if (!d->covered)
            g->not_covered[g->n_not_covered++] = i;
        else if (d->severe)
            g->severe_covered[g->n_severe_covered++] = i;
        else
            g->mild_covered[g->n_mild_covered++] = i;
    }
    if (g->n_severe_covered == 0) {
        fm_error_set(err, "critical_illnesses", "NONE_COVERED", "the plan covers no severe critical illness");
        free(g);
        return FM_EINVAL;
    }
    *out = g;
    return FM_OK;
}

void wg_claims_free(wg_claims *g)
{
    free(g);
}

/* ---- reading a policy line ---- */

typedef struct policy {
    char number[64];
    char household_id[40];
    int32_t start, end;
    cperson people[MAX_PEOPLE];
    int n_people;
} policy;

static fm_status parse_policy(const wg_claims *g, const char *line, size_t len, policy *p, fm_error *err)
{
    json_error_t jerr;
    json_t *o = json_loadb(line, len, 0, &jerr);
    fm_status st = FM_EINVAL;
    if (o == NULL) {
        fm_error_set(err, "policies", "BAD_LINE", "not JSON: %s", jerr.text);
        return FM_EINVAL;
    }
    memset(p, 0, sizeof *p);
    const char *num = json_string_value(json_object_get(o, "policy_number"));
    const char *hh = json_string_value(json_object_get(o, "household_id"));
    json_t *ms = json_object_get(o, "members");
    if (num == NULL || hh == NULL || strlen(num) >= sizeof p->number ||
        strlen(hh) >= sizeof p->household_id ||
        json_integer_value(json_object_get(o, "plan_year")) != g->cfg.plan->plan_year ||
        wg_date_parse(json_string_value(json_object_get(o, "coverage_start")), &p->start) != FM_OK ||
        wg_date_parse(json_string_value(json_object_get(o, "coverage_end")), &p->end) != FM_OK ||
        !json_is_array(ms) || json_array_size(ms) == 0 || json_array_size(ms) > MAX_PEOPLE) {
        fm_error_set(err, "policies", "BAD_POLICY",
                     "a policy line lacks a field or is of another plan year than %d",
                     g->cfg.plan->plan_year);
        goto done;
    }
    snprintf(p->number, sizeof p->number, "%s", num);
    snprintf(p->household_id, sizeof p->household_id, "%s", hh);
    size_t i;
    json_t *m;
    json_array_foreach(ms, i, m)
    {
        cperson *c = &p->people[p->n_people++];
        const char *id = json_string_value(json_object_get(m, "id_number"));
        const char *role = json_string_value(json_object_get(m, "role"));
        if (id == NULL || strlen(id) != 18 || role == NULL) {
            fm_error_set(err, "policies", "BAD_MEMBER", "member %zu of a policy lacks id_number or role", i);
            goto done;
        }
        memcpy(c->id, id, 19);
        c->role = strcmp(role, "child") == 0    ? WG_ROLE_CHILD
                  : strcmp(role, "parent") == 0 ? WG_ROLE_PARENT
                                                : WG_ROLE_GUARDIAN;
        c->prev = json_is_true(json_object_get(m, "previously_insured"));
        c->insured = json_is_true(json_object_get(m, "insured"));
    }
    st = FM_OK;
done:
    json_decref(o);
    return st;
}

/* ---- building claims ---- */

static const char *const accident_injuries[] = {"右腿胫骨骨折", "左手三指缺失", "颅脑损伤",    "脊柱骨折",
                                                "右眼视力下降", "面部瘢痕",     "左臂神经损伤"};

static uint32_t required_docs(const wg_claims *g, int liab)
{
    return g->cfg.plan->liab[liab].documents_required;
}

static void make_bills(wg_rng *r, claim *c, uint64_t tag, bool small)
{
    bool medical_hospital = c->liab == WG_LIAB_ILLNESS_HOSPITAL;
    c->n_bills = 1 + (int)wg_rng_below(r, medical_hospital ? 3 : 2);
    bool others_pay_all = wg_rng_chance(r, 0.04);
    for (int i = 0; i < c->n_bills; i++) {
        bill *b = &c->bills[i];
        uint64_t h = wg_mix64(tag ^ (uint64_t)(i + 1) * 0x9E37ull);
        snprintf(b->code, sizeof b->code, "6101%08llu", (unsigned long long)(h % 100000000ull));
        snprintf(b->number, sizeof b->number, "%08llu", (unsigned long long)((h >> 32) % 100000000ull));
        if (small) /* below or near the deductible, nothing from social insurance */
            b->amount = wg_rng_range(r, 2000, 12000) / c->n_bills;
        else if (medical_hospital)
            b->amount = wg_rng_range(r, 50000, 1200000);
        else
            b->amount = wg_rng_range(r, 15000, 600000);
        b->social = small ? 0 : b->amount * wg_rng_range(r, 0, 70) / 100;
        b->other = others_pay_all ? b->amount - b->social : 0;
    }
}

static void supply_docs(const wg_claims *g, wg_rng *r, claim *c, bool drop_one)
{
    uint32_t need = required_docs(g, c->liab);
    c->docs = need;
    if (wg_rng_chance(r, 0.3))
        c->docs |= 1u << WG_DOC_HOUSEHOLD_REGISTER; /* an extra document changes nothing */
    if (drop_one && need != 0) {
        int bits[WG_DOC_COUNT], n = 0;
        for (int k = 0; k < WG_DOC_COUNT; k++)
            if (need & (1u << k))
                bits[n++] = k;
        c->docs &= ~(1u << bits[wg_rng_below(r, (uint32_t)n)]);
        c->fault = "DOCUMENTS_MISSING";
    }
}

/* A natural claim of liability liab for person pi, with its incident inside the coverage. */
static void natural_claim(const wg_claims *g, wg_rng *r, const policy *p, int pi, int liab, claim *c,
                          uint64_t tag)
{
    memset(c, 0, sizeof *c);
    c->person = pi;
    c->dup_of = -1;
    c->event_date = INT32_MIN;
    memcpy(c->insured_id, p->people[pi].id, sizeof c->insured_id);
    c->liab = liab;
    c->incident = (int32_t)wg_rng_range(r, p->start, p->end);
    switch (liab) {
    case WG_LIAB_DEATH:
        c->cause = wg_rng_chance(r, 0.5) ? CAUSE_ACCIDENT : CAUSE_ILLNESS;
        c->event_date = c->incident + (int32_t)wg_rng_range(r, 0, c->cause == CAUSE_ACCIDENT ? 30 : 120);
        break;
    case WG_LIAB_ACCIDENTAL_DISABILITY: {
        c->cause = CAUSE_ACCIDENT;
        c->event_date = c->incident + (int32_t)wg_rng_range(r, 30, 170);
        c->n_injuries = wg_rng_chance(r, 0.25) ? 2 : 1;
        for (int i = 0; i < c->n_injuries; i++) {
            c->injuries[i].description = accident_injuries[wg_rng_below(r, 7)];
            c->injuries[i].grade =
                wg_rng_chance(r, 0.1) ? (int)wg_rng_range(r, 1, 6) : (int)wg_rng_range(r, 7, 10);
        }
        break;
    }
    case WG_LIAB_CRITICAL_ILLNESS: {
        c->cause = CAUSE_ILLNESS;
        double x = wg_rng_unit(r);
        const wg_plan *plan = g->cfg.plan;
        int idx;
        if (x < 0.05 && g->n_not_covered > 0)
            idx = g->not_covered[wg_rng_below(r, (uint32_t)g->n_not_covered)];
        else if (x < 0.25 && g->n_mild_covered > 0)
            idx = g->mild_covered[wg_rng_below(r, (uint32_t)g->n_mild_covered)];
        else
            idx = g->severe_covered[wg_rng_below(r, (uint32_t)g->n_severe_covered)];
        snprintf(c->ci_code, sizeof c->ci_code, "%s", plan->diseases[idx].code);
        if (!plan->diseases[idx].covered)
            c->fault = "CI_NOT_COVERED";
        /* Half the accident-causable diagnoses follow an accident (no waiting period); now and then another
         * diagnosis is declared as accident too (the waiting period applies, CAUSE_IMPLAUSIBLE). */
        if (plan->diseases[idx].accident_causable ? wg_rng_chance(r, 0.5) : wg_rng_chance(r, 0.05)) {
            c->cause = CAUSE_ACCIDENT;
            if (!plan->diseases[idx].accident_causable && c->fault == NULL)
                c->fault = "CAUSE_IMPLAUSIBLE";
        }
        break;
    }
    case WG_LIAB_ACCIDENT_MEDICAL:
        c->cause = CAUSE_ACCIDENT;
        make_bills(r, c, tag, wg_rng_chance(r, 0.08));
        break;
    default:
        c->cause = CAUSE_ILLNESS;
        make_bills(r, c, tag, wg_rng_chance(r, 0.08));
        break;
    }
    int32_t last = c->event_date != INT32_MIN ? c->event_date : c->incident;
    c->report = last + (int32_t)wg_rng_range(r, 1, 45);
    supply_docs(g, r, c, false);
}

/* Yearly incidence per person by liability and role (child / adult), before --claim-rate-scale. */
static double incidence(int liab, bool child)
{
    switch (liab) {
    case WG_LIAB_DEATH: return child ? 0.0008 : 0.0015;
    case WG_LIAB_CRITICAL_ILLNESS: return child ? 0.003 : 0.006;
    case WG_LIAB_ACCIDENTAL_DISABILITY: return child ? 0.004 : 0.0;
    case WG_LIAB_ACCIDENT_MEDICAL: return child ? 0.10 : 0.06;
    default: return child ? 0.07 : 0.06;
    }
}

/* ---- the intended decision: domain.md "Decisions / Claims", in the generator's own words ---- */

typedef struct verdict {
    const char *outcome;
    int64_t payable, full;
    bool reasons[C_COUNT];
} verdict;

typedef struct book {
    usage people[MAX_PEOPLE];
    int64_t household_medical[WG_LIAB_COUNT];
    bool deceased[MAX_PEOPLE];
    char seen_bills[MAX_SEEN_BILLS][28]; /* "code/number" of every bill claimed under the policy */
    int seen_seq[MAX_SEEN_BILLS];        /* the claim that brought it */
    int n_seen;
    bool pending[MAX_CLAIMS];     /* by claim seq: went to review and was not reviewed yet */
    int64_t computed[MAX_CLAIMS]; /* by claim seq: what the amount rules gave when it went to review */
} book;

static int64_t pct_bp(int64_t amount, int32_t bp)
{
    return amount * bp / 10000; /* amounts are non-negative: division rounds down to the fen */
}

static int64_t max0(int64_t x)
{
    return x > 0 ? x : 0;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Was the bill claimed before in another claim than `seq` (a review re-decides its own claim's bills)? */
static bool seen_bill(const book *bk, const bill *b, int seq)
{
    char k[28];
    snprintf(k, sizeof k, "%s/%s", b->code, b->number);
    for (int i = 0; i < bk->n_seen; i++)
        if (bk->seen_seq[i] != seq && strcmp(bk->seen_bills[i], k) == 0)
            return true;
    return false;
}

static void remember_bill(book *bk, const bill *b, int seq)
{
    if (bk->n_seen < MAX_SEEN_BILLS && !seen_bill(bk, b, -1)) {
        bk->seen_seq[bk->n_seen] = seq;
        snprintf(bk->seen_bills[bk->n_seen++], sizeof bk->seen_bills[0], "%s/%s", b->code, b->number);
    }
}

static const wg_disease *find_disease(const wg_plan *plan, const char *code)
{
    for (int i = 0; i < plan->n_diseases; i++)
        if (strcmp(plan->diseases[i].code, code) == 0)
            return &plan->diseases[i];
    return NULL;
}

static void decline(verdict *v, int reason)
{
    v->outcome = "declined";
    v->payable = 0;
    v->reasons[reason] = true;
}

/* Decides claim c in the book's state and books what it pays. reviewer_cap < 0: the first decision
 * (documents and the review threshold may send it to review); >= 0: a reviewer's approval of that
 * amount, re-decided against the limits left now (domain.md: a pending claim reserves nothing). */
static void judge(const wg_claims *g, const policy *p, book *bk, const claim *c, int64_t reviewer_cap,
                  verdict *v)
{
    const wg_plan *plan = g->cfg.plan;
    memset(v, 0, sizeof *v);
    if (c->receipt < c->report) /* a report date after the receipt: refused before anything else */
        return decline(v, C_REPORT_AFTER_RECEIPT);
    if (c->policy_not_found)
        return decline(v, C_POLICY_NOT_FOUND);
    if (c->person < 0 || !p->people[c->person].insured)
        return decline(v, C_PERSON_NOT_INSURED);
    usage *u = &bk->people[c->person];
    int role = p->people[c->person].role;
    if (bk->deceased[c->person])
        return decline(v, C_PERSON_DECEASED);
    if (c->incident < p->start || c->incident > p->end)
        return decline(v, C_NOT_IN_FORCE);
    const wg_terms *t = &plan->liab[c->liab];
    bool medical = c->liab == WG_LIAB_ACCIDENT_MEDICAL || c->liab == WG_LIAB_ILLNESS_HOSPITAL;
    if ((medical ? t->person_limit[role] : t->sum_insured[role]) == 0)
        return decline(v, C_LIABILITY_NOT_COVERED_FOR_ROLE);
    /* A critical illness declared as accident counts as illness unless the plan marks its diagnosis as one an
     * accident can cause; a death keeps its declared cause. */
    const wg_disease *ci =
        c->liab == WG_LIAB_CRITICAL_ILLNESS && c->ci_code[0] ? find_disease(plan, c->ci_code) : NULL;
    bool illness = c->liab == WG_LIAB_ILLNESS_HOSPITAL ||
                   (c->liab == WG_LIAB_CRITICAL_ILLNESS &&
                    (c->cause == CAUSE_ILLNESS || ci == NULL || !ci->accident_causable)) ||
                   (c->liab == WG_LIAB_DEATH && c->cause == CAUSE_ILLNESS);
    bool renewal = p->people[c->person].prev && plan->renewal_skips_waiting;
    if (illness && t->waiting_period && !renewal && c->incident < p->start + plan->waiting_days)
        return decline(v, C_WAITING_PERIOD);
    bool accident_outcome =
        c->liab == WG_LIAB_ACCIDENTAL_DISABILITY || (c->liab == WG_LIAB_DEATH && c->cause == CAUSE_ACCIDENT);
    if (accident_outcome && c->event_date - c->incident > ACCIDENT_WINDOW_DAYS)
        return decline(v, C_ACCIDENT_WINDOW_EXCEEDED);

    /* The amount. */
    int64_t death_sum = plan->liab[WG_LIAB_DEATH].sum_insured[role];
    int zero_reason = C_LIMIT_EXHAUSTED;
    int64_t deductible_used_now = 0;
    bool mild = false;
    switch (c->liab) {
    case WG_LIAB_DEATH:
        v->full = t->sum_insured[role];
        v->payable = max0(v->full - u->disability_paid);
        break;
    case WG_LIAB_ACCIDENTAL_DISABILITY: {
        int best = 0, at_best = 0;
        for (int i = 0; i < c->n_injuries; i++) {
            int gr = c->injuries[i].grade;
            if (gr < 1 || gr > 10)
                return decline(v, C_INVALID_GRADE);
            if (best == 0 || gr < best)
                best = gr, at_best = 1;
            else if (gr == best)
                at_best++;
        }
        if (best == 0)
            return decline(v, C_INVALID_GRADE);
        int grade = at_best >= 2 && best > 1 ? best - 1 : best;
        v->full = pct_bp(t->sum_insured[role], plan->disability_grade_bp[grade]);
        v->payable = min64(v->full, max0(death_sum - u->disability_paid - u->death_paid));
        break;
    }
    case WG_LIAB_CRITICAL_ILLNESS: {
        const wg_disease *d = c->ci_code[0] ? find_disease(plan, c->ci_code) : NULL;
        if (d == NULL || !d->covered)
            return decline(v, C_CI_NOT_COVERED);
        if (u->ci_severe_paid > 0 || (!d->severe && u->ci_mild_paid > 0))
            return decline(v, C_CI_ALREADY_PAID);
        if (d->severe) {
            v->full = t->sum_insured[role];
            v->payable = max0(v->full - u->ci_mild_paid);
        } else {
            v->full = v->payable = pct_bp(t->sum_insured[role], plan->ci_mild_ratio_bp);
            mild = true;
        }
        break;
    }
    default: { /* medical */
        int64_t all = 0, kept = 0;
        int excluded = 0;
        for (int i = 0; i < c->n_bills; i++) {
            const bill *b = &c->bills[i];
            bool dup = seen_bill(bk, b, c->seq);
            for (int j = 0; j < i && !dup; j++)
                dup = strcmp(b->code, c->bills[j].code) == 0 && strcmp(b->number, c->bills[j].number) == 0;
            int64_t eligible = max0(b->amount - b->social - b->other);
            all += eligible;
            if (dup)
                excluded++;
            else
                kept += eligible;
        }
        int64_t ded_left = max0(t->deductible - u->deductible_used[c->liab]);
        v->full = pct_bp(max0(all - ded_left), t->ratio_bp);
        int64_t computed = pct_bp(max0(kept - ded_left), t->ratio_bp);
        deductible_used_now = min64(kept, ded_left);
        int64_t cap = max0(t->person_limit[role] - u->medical_paid[c->liab]);
        if (t->household_shared)
            cap = min64(cap, max0(t->household_limit - bk->household_medical[c->liab]));
        v->payable = min64(computed, cap);
        if (excluded > 0)
            v->reasons[C_DUPLICATE_INVOICE] = true;
        if (v->payable < computed)
            v->reasons[C_LIMIT_REACHED] = true;
        zero_reason = c->n_bills > 0 && excluded == c->n_bills ? C_DUPLICATE_INVOICE
                      : kept == 0                              ? C_NO_ELIGIBLE_AMOUNT
                      : computed == 0                          ? C_BELOW_DEDUCTIBLE
                                                               : C_LIMIT_EXHAUSTED;
        break;
    }
    }
    if (!medical && v->payable > 0 && v->payable < v->full)
        v->reasons[C_LIMIT_REACHED] = true; /* cut by earlier payments (the domain's documented choice) */
    if (v->payable == 0) {
        memset(v->reasons, 0, sizeof v->reasons);
        decline(v, zero_reason);
        if (medical) /* eligible expenses use up the deductible even when nothing is paid */
            bk->people[c->person].deductible_used[c->liab] += deductible_used_now;
        return;
    }
    if (reviewer_cap < 0) { /* review: only when something is payable; a pending claim reserves nothing */
        bool missing = (required_docs(g, c->liab) & ~c->docs) != 0;
        bool above = v->payable > plan->review_threshold;
        if (missing || above) {
            v->reasons[C_DOCUMENTS_MISSING] = missing;
            v->reasons[C_AMOUNT_ABOVE_REVIEW_THRESHOLD] = above;
            v->outcome = "pending_review";
            bk->pending[c->seq] = true;
            bk->computed[c->seq] = v->payable;
            v->payable = 0;
            return;
        }
    } else if (reviewer_cap == 0) {
        memset(v->reasons, 0, sizeof v->reasons);
        return decline(v, C_REVIEWER_DECLINED);
    } else if (reviewer_cap < v->payable) {
        v->payable = reviewer_cap;
        v->reasons[C_REVIEWER_REDUCED] = true;
    }
    v->outcome = v->payable == v->full ? "approved" : "partial";
    switch (c->liab) {
    case WG_LIAB_DEATH:
        u->death_paid += v->payable;
        bk->deceased[c->person] = true;
        break;
    case WG_LIAB_ACCIDENTAL_DISABILITY: u->disability_paid += v->payable; break;
    case WG_LIAB_CRITICAL_ILLNESS:
        if (mild)
            u->ci_mild_paid += v->payable;
        else
            u->ci_severe_paid += v->payable;
        break;
    default:
        u->medical_paid[c->liab] += v->payable;
        u->deductible_used[c->liab] += deductible_used_now;
        bk->household_medical[c->liab] += v->payable;
    }
}

/* ---- encoding ---- */

static json_t *jdate(int32_t day)
{
    char d[11];
    wg_date_format(day, d);
    return json_string(d);
}

/* The event's occurred_at: the day of receipt at secs past midnight, Asia/Shanghai time. */
static json_t *occurred_at(int32_t day, int secs)
{
    char d[11], ts[40];
    wg_date_format(day, d);
    snprintf(ts, sizeof ts, "%sT%02d:%02d:%02d+08:00", d, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    return json_string(ts);
}

static json_t *encode_claim(const wg_claims *g, const claim *c, const char *claim_id, const char *event_id,
                            const char *policy_number, int secs)
{
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "type", json_string("claim.submitted"));
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "occurred_at", occurred_at(c->receipt, secs));
    json_object_set_new(o, "producer", json_string(g->cfg.producer));
    json_object_set_new(o, "claim_id", json_string(claim_id));
    json_object_set_new(o, "policy_number", json_string(policy_number));
    json_object_set_new(o, "insured_id_number", json_string(c->insured_id));
    json_object_set_new(o, "liability", json_string(wg_liability_names[c->liab]));
    json_object_set_new(o, "cause", json_string(c->cause == CAUSE_ACCIDENT ? "accident" : "illness"));
    json_object_set_new(o, "incident_date", jdate(c->incident));
    json_object_set_new(o, "event_date", c->event_date == INT32_MIN ? json_null() : jdate(c->event_date));
    json_object_set_new(o, "report_date", jdate(c->report));
    json_t *bills = json_array();
    for (int i = 0; i < c->n_bills; i++) {
        const bill *b = &c->bills[i];
        json_t *jb = json_object();
        json_object_set_new(jb, "invoice_code", json_string(b->code));
        json_object_set_new(jb, "invoice_number", json_string(b->number));
        json_object_set_new(jb, "amount", json_integer(b->amount));
        json_object_set_new(jb, "paid_by_social_insurance", json_integer(b->social));
        json_object_set_new(jb, "paid_by_other_insurers", json_integer(b->other));
        json_array_append_new(bills, jb);
    }
    json_object_set_new(o, "bills", bills);
    json_t *inj = json_array();
    for (int i = 0; i < c->n_injuries; i++) {
        json_t *ji = json_object();
        json_object_set_new(ji, "description", json_string(c->injuries[i].description));
        json_object_set_new(ji, "grade", json_integer(c->injuries[i].grade));
        json_array_append_new(inj, ji);
    }
    json_object_set_new(o, "injuries", inj);
    json_object_set_new(o, "critical_illness_code", c->ci_code[0] ? json_string(c->ci_code) : json_null());
    json_t *docs = json_array();
    for (int k = 0; k < WG_DOC_COUNT; k++)
        if (c->docs & (1u << k))
            json_array_append_new(docs, json_string(wg_document_names[k]));
    json_object_set_new(o, "documents", docs);
    return o;
}

/* The claim as an unreadable message of a random kind; *path and *error name the schema fault. */
static fm_status unreadable_claim(const wg_claims *g, json_t *o, wg_rng *r, wg_unreadable *kind,
                                  const char **path, const char **error, char **out, size_t *len)
{
    *kind = (wg_unreadable)wg_rng_below(r, WG_U_COUNT);
    *path = *error = NULL;
    if (*kind == WG_U_INVALID_UTF8)
        json_object_set_new(o, "producer", json_string(WG_BAD_UTF8_MARKER));
    if (*kind == WG_U_SCHEMA_VERSION)
        *path = "schema_version", *error = "UNKNOWN_SCHEMA_VERSION";
    if (*kind == WG_U_SCHEMA) {
        switch (wg_rng_below(r, 4)) {
        case 0: json_object_del(o, "report_date"), *path = "report_date", *error = "MISSING"; break;
        case 1:
            json_object_set_new(o, "liability", json_string("dental")), *path = "liability",
                                                                        *error = "NOT_ONE_OF";
            break;
        case 2:
            json_object_set_new(o, "claim_id", json_integer(42)), *path = "claim_id", *error = "WRONG_TYPE";
            break;
        default:
            json_object_set_new(o, "remark", json_string("urgent")), *path = "", /* the object's path */
                                                                         *error = "UNKNOWN_FIELD";
        }
    }
    return wg_corrupt(o, *kind, g->cfg.max_message_bytes, r, out, len);
}

/* kind "valid" with the verdict; "resend" (ignored) and "unreadable" (dead letter `fault`) without. */
static char *encode_label(const char *kind, const char *fault, const verdict *v, const char *claim_id,
                          const char *event_id, const char *key, const char *path, const char *error)
{
    json_t *l = json_object();
    json_object_set_new(l, "event_id", json_string(event_id));
    json_object_set_new(l, "key", json_string(key));
    json_object_set_new(l, "kind", json_string(kind));
    json_object_set_new(l, "fault", fault ? json_string(fault) : json_null());
    json_t *e = json_object();
    if (strcmp(kind, "valid") != 0) {
        bool dead = strcmp(kind, "unreadable") == 0;
        json_object_set_new(e, "outcome", json_string(dead ? "dead_letter" : "ignored"));
        if (dead) {
            json_object_set_new(e, "dead_letter", json_string(fault));
            json_object_set_new(e, "path", path ? json_string(path) : json_null());
            json_object_set_new(e, "error", error ? json_string(error) : json_null());
        }
        json_object_set_new(l, "expected", e);
        char *text = json_dumps(l, JSON_COMPACT);
        json_decref(l);
        return text;
    }
    json_object_set_new(e, "claim_id", json_string(claim_id));
    json_object_set_new(e, "outcome", json_string(v->outcome));
    json_object_set_new(e, "payable", json_integer(v->payable));
    json_object_set_new(e, "full", json_integer(v->full));
    json_t *rs = json_array();
    for (int i = 0; i < C_COUNT; i++)
        if (v->reasons[i])
            json_array_append_new(rs, json_string(claim_reason_ids[i]));
    json_object_set_new(e, "reasons", rs);
    json_object_set_new(l, "expected", e);
    char *text = json_dumps(l, JSON_COMPACT);
    json_decref(l);
    return text;
}

/* The reviewer's decision on a pending claim, and its intended outcome; false when the claim it
 * refers to did not go to review (then nothing is sent). */
static bool review_decision(const wg_claims *g, const policy *p, book *bk, const claim *cl, int n, claim *c,
                            wg_rng *r, verdict *v)
{
    const claim *orig = NULL;
    for (int i = 0; i < n; i++)
        if (!cl[i].is_review && cl[i].seq == c->ref)
            orig = &cl[i];
    if (orig == NULL || !bk->pending[c->ref])
        return false;
    bk->pending[c->ref] = false;
    int64_t computed = bk->computed[c->ref];
    double x = wg_rng_unit(r);
    c->approve = x < 0.85;
    c->amount = x < 0.70 ? computed : computed * 8 / 10;
    if (c->amount <= 0)
        c->amount = computed;
    c->fault = !c->approve ? "REVIEW_DECLINE" : c->amount < computed ? "REVIEW_REDUCE" : "REVIEW_APPROVE";
    if (!c->approve) { /* a reviewer's decline stands whatever the amount; nothing is paid or used */
        memset(v, 0, sizeof *v);
        decline(v, C_REVIEWER_DECLINED);
        return true;
    }
    judge(g, p, bk, orig, c->amount, v);
    return true;
}

static char *encode_review(const wg_claims *g, const claim *c, const char *claim_id, const char *event_id,
                           const char *policy_number, int secs)
{
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "type", json_string("claim.reviewed"));
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "occurred_at", occurred_at(c->receipt, secs));
    json_object_set_new(o, "producer", json_string(g->cfg.producer));
    json_object_set_new(o, "claim_id", json_string(claim_id));
    json_object_set_new(o, "policy_number", json_string(policy_number));
    json_object_set_new(o, "reviewer", json_string("R-0007"));
    json_object_set_new(o, "action", json_string(c->approve ? "approve" : "decline"));
    json_object_set_new(o, "amount", c->approve ? json_integer(c->amount) : json_null());
    json_object_set_new(o, "note",
                        json_string(!c->approve ? "not supported by the documents"
                                    : strcmp(c->fault, "REVIEW_REDUCE") == 0 ? "part of the amount agreed"
                                                                             : "documents checked"));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* ---- one policy ---- */

/* Natural claims: each insured person, each liability, by incidence over the covered time. Returns the count.
 */
static int natural_claims(wg_claims *g, wg_rng *r, const policy *p, claim *cl, uint64_t ptag, double years)
{
    int n = 0;
    for (int pi = 0; pi < p->n_people && n < MAX_CLAIMS - 8; pi++) {
        if (!p->people[pi].insured)
            continue;
        bool child = p->people[pi].role == WG_ROLE_CHILD;
        for (int l = 0; l < WG_LIAB_COUNT && n < MAX_CLAIMS - 8; l++) {
            double lambda = incidence(l, child) * g->cfg.scale * years;
            /* up to three claims of one liability: a Poisson draw by successive chances */
            for (int k = 0; k < 3 && n < MAX_CLAIMS - 8 && wg_rng_chance(r, k == 0 ? lambda : lambda / 2);
                 k++) {
                natural_claim(g, r, p, pi, l, &cl[n], ptag + (uint64_t)n * 7919);
                cl[n].seq = n;
                if (wg_rng_chance(r, 0.02)) /* a document forgotten */
                    supply_docs(g, r, &cl[n], true);
                n++;
            }
        }
    }
    return n;
}

/* Injected faults, a few per hundred policies each (scaled like the incidences), after the n claims in cl.
 * Returns the new count. */
static int injected_claims(wg_claims *g, wg_rng *r, const policy *p, claim *cl, int n, uint64_t ptag)
{
    const wg_plan *plan = g->cfg.plan;
    double f = g->cfg.scale;
    int insured[MAX_PEOPLE], n_ins = 0, excluded = -1, adult = -1;
    for (int pi = 0; pi < p->n_people; pi++) {
        if (p->people[pi].insured)
            insured[n_ins++] = pi;
        else if (excluded < 0)
            excluded = pi;
        if (p->people[pi].insured && p->people[pi].role != WG_ROLE_CHILD && adult < 0)
            adult = pi;
    }
    if (n_ins > 0 && wg_rng_chance(r, 0.01 * f)) { /* someone not insured under this policy */
        claim *c = &cl[n];
        natural_claim(g, r, p, insured[0], WG_LIAB_ACCIDENT_MEDICAL, c, ptag + 101);
        if (excluded >= 0) {
            c->person = excluded;
            memcpy(c->insured_id, p->people[excluded].id, sizeof c->insured_id);
        } else {
            c->person = -1;
            int32_t birth =
                (int32_t)wg_rng_range(r, wg_date_from_ymd(1975, 1, 1), wg_date_from_ymd(2015, 12, 31));
            wg_idnum_format(c->insured_id, "650102", birth, (int)wg_rng_range(r, 1, 999));
        }
        c->fault = "PERSON_NOT_INSURED";
        c->seq = n++;
    }
    if (n_ins > 0 && wg_rng_chance(r, 0.005 * f)) { /* a policy number nobody holds */
        claim *c = &cl[n];
        natural_claim(g, r, p, insured[0], WG_LIAB_ACCIDENT_MEDICAL, c, ptag + 102);
        c->policy_not_found = true;
        c->fault = "POLICY_NOT_FOUND";
        c->seq = n++;
    }
    if (n_ins > 0 && wg_rng_chance(r, 0.01 * f)) { /* an accident before cover started */
        claim *c = &cl[n];
        natural_claim(g, r, p, insured[wg_rng_below(r, (uint32_t)n_ins)], WG_LIAB_ACCIDENT_MEDICAL, c,
                      ptag + 103);
        c->incident = p->start - (int32_t)wg_rng_range(r, 1, 40);
        c->report = p->start + (int32_t)wg_rng_range(r, 0, 20);
        c->fault = "NOT_IN_FORCE";
        c->seq = n++;
    }
    if (n_ins > 0 && wg_rng_chance(r, 0.01 * f)) { /* an illness inside the waiting period */
        int pi = insured[wg_rng_below(r, (uint32_t)n_ins)];
        claim *c = &cl[n];
        natural_claim(g, r, p, pi, WG_LIAB_ILLNESS_HOSPITAL, c, ptag + 104);
        c->incident =
            p->start + (int32_t)wg_rng_range(r, 0, plan->waiting_days > 0 ? plan->waiting_days - 1 : 0);
        c->report = c->incident + (int32_t)wg_rng_range(r, 3, 30);
        c->fault =
            p->people[pi].prev && plan->renewal_skips_waiting ? "WAITING_PERIOD_RENEWAL" : "WAITING_PERIOD";
        c->seq = n++;
    }
    if (adult >= 0 && wg_rng_chance(r, 0.005 * f)) { /* a parent's accidental disability */
        claim *c = &cl[n];
        natural_claim(g, r, p, adult, WG_LIAB_ACCIDENTAL_DISABILITY, c, ptag + 105);
        c->fault = "LIABILITY_NOT_COVERED_FOR_ROLE";
        c->seq = n++;
    }
    int child = -1;
    for (int i = 0; i < n_ins; i++)
        if (p->people[insured[i]].role == WG_ROLE_CHILD) {
            child = insured[i];
            break;
        }
    if (child >= 0 && wg_rng_chance(r, 0.004 * f)) { /* disability assessed long after the accident */
        claim *c = &cl[n];
        natural_claim(g, r, p, child, WG_LIAB_ACCIDENTAL_DISABILITY, c, ptag + 106);
        c->event_date = c->incident + (int32_t)wg_rng_range(r, ACCIDENT_WINDOW_DAYS + 1, 400);
        c->report = c->event_date + 5;
        c->fault = "ACCIDENT_WINDOW_EXCEEDED";
        c->seq = n++;
    }
    if (n_ins > 0 && wg_rng_chance(r, 0.003 * f)) { /* a report dated after the day it was received */
        claim *c = &cl[n];
        natural_claim(g, r, p, insured[wg_rng_below(r, (uint32_t)n_ins)], WG_LIAB_ACCIDENT_MEDICAL, c,
                      ptag + 108);
        c->fault = "REPORT_AFTER_RECEIPT"; /* receive_claims sets its receipt the day before the report */
        c->seq = n++;
    }
    if (child >= 0 && wg_rng_chance(r, 0.003 * f)) { /* a grade outside 1-10 */
        claim *c = &cl[n];
        natural_claim(g, r, p, child, WG_LIAB_ACCIDENTAL_DISABILITY, c, ptag + 107);
        c->injuries[0].grade = wg_rng_chance(r, 0.5) ? 0 : 11;
        c->fault = "INVALID_GRADE";
        c->seq = n++;
    }
    return n;
}

/* Invoices claimed twice: a medical claim sent again later under a new claim id. Returns the new count. */
static int duplicate_invoices(wg_claims *g, wg_rng *r, claim *cl, int n, uint64_t ptag)
{
    double f = g->cfg.scale;
    for (int i = 0, lim = n; i < lim && n < MAX_CLAIMS; i++)
        if (cl[i].n_bills > 0 && cl[i].fault == NULL && wg_rng_chance(r, 0.03 * (f > 1 ? 1 : f))) {
            cl[n] = cl[i];
            cl[n].dup_of = cl[i].seq;
            cl[n].report = cl[i].report + (int32_t)wg_rng_range(r, 1, 30);
            if (cl[n].n_bills > 1 && wg_rng_chance(r, 0.5)) { /* with one new bill beside the old ones */
                bill *b = &cl[n].bills[cl[n].n_bills - 1];
                uint64_t h = wg_mix64(ptag ^ 0xd0b1e ^ (uint64_t)n);
                snprintf(b->number, sizeof b->number, "%08llu", (unsigned long long)(h % 100000000ull));
            }
            cl[n].fault = "DUPLICATE_INVOICE";
            cl[n].seq = n;
            n++;
        }

    return n;
}

/* The day each claim (not yet the reviews) reaches the insurer: the report date, or a few days later for
 * claims sent by post; a claim that repeats another's invoices after it; REPORT_AFTER_RECEIPT the day before
 * its report date (the only claims whose receipt precedes their report). */
static void receive_claims(wg_rng *r, claim *cl, int n)
{
    for (int i = 0; i < n; i++) {
        claim *c = &cl[i];
        c->receipt = c->report + (wg_rng_chance(r, 0.6) ? 0 : (int32_t)wg_rng_range(r, 1, 5));
        if (c->dup_of >= 0 && c->dup_of < i && c->receipt <= cl[c->dup_of].receipt)
            c->receipt = cl[c->dup_of].receipt + 1;
        if (c->fault != NULL && strcmp(c->fault, "REPORT_AFTER_RECEIPT") == 0)
            c->receipt = c->report - 1;
    }
}

/* A reviewer's decision a few days after each claim that may go to review (documents missing, or amounts
 * above the threshold: deaths, critical illness, disability); sent only if it did. Returns the new count. */
static int review_claims(wg_rng *r, claim *cl, int n)
{
    for (int i = 0, lim = n; i < lim && n < MAX_CLAIMS; i++)
        if (!cl[i].policy_not_found &&
            (cl[i].fault != NULL ? strcmp(cl[i].fault, "DOCUMENTS_MISSING") == 0 : cl[i].n_bills == 0) &&
            wg_rng_chance(r, 0.9)) { /* one pending claim in ten is still waiting at the end of the run */
            cl[n] = cl[i];
            cl[n].is_review = true;
            cl[n].ref = cl[i].seq;
            cl[n].receipt = cl[i].receipt + (int32_t)wg_rng_range(r, 3, 30); /* the review's own day */
            cl[n].seq = n;
            n++;
        }

    return n;
}

/* Receipt order (stable): a policy's claims go out in the order the insurer received them. */
static void sort_by_receipt(claim *cl, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && (cl[j].receipt < cl[j - 1].receipt ||
                                  (cl[j].receipt == cl[j - 1].receipt && cl[j].seq < cl[j - 1].seq));
             j--) {
            claim t = cl[j];
            cl[j] = cl[j - 1];
            cl[j - 1] = t;
        }
}

/* Claim c sent unreadable (one of the five kinds): never decided, booked or remembered. */
static fm_status emit_unreadable(wg_claims *g, wg_rng *r, const claim *c, const char *claim_id,
                                 const char *event_id, const char *pn, int secs, wg_emit_fn emit, void *arg)
{
    fm_status st;
    wg_unreadable kind;
    const char *path, *error;
    char *payload = NULL;
    size_t plen = 0;
    json_t *o = encode_claim(g, c, claim_id, event_id, pn, secs);
    st = unreadable_claim(g, o, r, &kind, &path, &error, &payload, &plen);
    json_decref(o);
    char *label = st == FM_OK ? encode_label("unreadable", wg_unreadable_ids[kind], NULL, claim_id, event_id,
                                             pn, path, error)
                              : NULL;
    if (st == FM_OK && label == NULL)
        st = FM_ENOMEM;
    if (st == FM_OK) {
        wg_message m = {.key = pn,
                        .key_len = strlen(pn),
                        .payload = payload,
                        .len = plen,
                        .label = label,
                        .kind = "unreadable",
                        .fault = wg_unreadable_ids[kind],
                        .unit = "unreadable",
                        .outcome = "dead_letter"};
        st = emit(arg, &m);
    }
    free(payload);
    free(label);
    return st;
}

/* ---- claim-life (wg_claim_life.h): the verdicts it tracks, and a claim decided again with its documents
 * ---- */

static void to_life(const verdict *v, wg_life_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->outcome = v->outcome;
    out->payable = v->payable;
    out->full = v->full;
    for (int i = 0; i < C_COUNT; i++)
        if (v->reasons[i] && out->n_reasons < WG_LIFE_MAX_REASONS)
            out->reasons[out->n_reasons++] = claim_reason_ids[i];
}

typedef struct life_ctx {
    const wg_claims *g;
    const policy *p;
    book *bk;
    claim *cl;
    int n;
} life_ctx;

static void life_redecide(void *ctx, int seq, uint32_t *sent, wg_life_verdict *out)
{
    life_ctx *x = ctx;
    for (int i = 0; i < x->n; i++)
        if (!x->cl[i].is_review && x->cl[i].seq == seq) {
            verdict v;
            uint32_t need = required_docs(x->g, x->cl[i].liab);
            *sent = need & ~x->cl[i].docs;
            x->cl[i].docs |= need;
            judge(x->g, x->p, x->bk, &x->cl[i], -1, &v);
            to_life(&v, out);
        }
}

fm_status wg_claims_policy(wg_claims *g, const char *line, size_t len, wg_emit_fn emit, void *arg,
                           fm_error *err)
{
    policy *p = malloc(sizeof *p);
    claim *cl = malloc(sizeof *cl * MAX_CLAIMS);
    book *bk = calloc(1, sizeof *bk);
    wg_life_book *lb = malloc(sizeof *lb);
    fm_status st = FM_ENOMEM;
    if (p == NULL || cl == NULL || bk == NULL || lb == NULL)
        goto done;
    wg_life_begin(lb);
    if ((st = parse_policy(g, line, len, p, err)) != FM_OK)
        goto done;
    uint64_t ptag = wg_mix64(g->cfg.seed ^ 0x636c61696d73ull);
    for (const char *s = p->number; *s; s++) /* the policy's own stream: independent of file order */
        ptag = wg_mix64(ptag ^ (unsigned char)*s);
    wg_rng rr, *r = &rr;
    wg_rng_seed(r, g->cfg.seed, STREAM_CLAIMS, ptag);
    double years = (double)(p->end - p->start + 1) / 365.0;
    int n = natural_claims(g, r, p, cl, ptag, years);
    n = injected_claims(g, r, p, cl, n, ptag);
    n = duplicate_invoices(g, r, cl, n, ptag);
    receive_claims(r, cl, n);
    n = review_claims(r, cl, n);
    sort_by_receipt(cl, n);

    st = FM_OK;
    for (int i = 0; i < n && st == FM_OK; i++) {
        claim *c = &cl[i];
        char claim_id[48], event_id[64], pn[72];
        /* claim ids: C + the household id without its H + a number, at most 32 characters */
        snprintf(claim_id, sizeof claim_id, "C%.26s-%02d", p->household_id + 1,
                 c->is_review ? c->ref : c->seq);
        snprintf(event_id, sizeof event_id, "%s-%s", c->is_review ? "rev" : "clm", claim_id);
        snprintf(pn, sizeof pn, "%s%s", p->number, c->policy_not_found ? "X" : "");
        verdict v;
        int secs = 9 * 3600 + (int)wg_rng_below(r, 8 * 3600);
        /* An unreadable claim never reaches the rules: nothing is decided, booked or remembered. */
        double x = c->is_review ? 1.0 : wg_rng_unit(r);
        bool unreadable = x < g->cfg.unreadable;
        bool resend = !unreadable && x < g->cfg.unreadable + g->cfg.resend;
        if (unreadable) {
            st = emit_unreadable(g, r, c, claim_id, event_id, pn, secs, emit, arg);
            continue;
        }
        if (c->is_review) {
            if (!review_decision(g, p, bk, cl, n, c, r, &v))
                continue; /* the claim did not go to review: no review to send */
        } else {
            judge(g, p, bk, c, -1, &v);
        }
        for (int b = 0; b < c->n_bills && !c->is_review; b++) /* every bill now counts as claimed */
            remember_bill(bk, &c->bills[b], c->seq);
        char *payload = NULL;
        const claim *of = c->is_review ? &cl[0] : c; /* the reviewed claim, for its payee (issue 15) */
        for (int j = 0; c->is_review && j < n; j++)
            of = !cl[j].is_review && cl[j].seq == c->ref ? &cl[j] : of;
        bool later = false;
        for (int j = i + 1; !c->is_review && j < n; j++)
            later = later || (cl[j].is_review && cl[j].ref == c->seq);
        wg_payment_claim pc = {.key = pn,
                               .producer = g->cfg.producer,
                               .claim_id = claim_id,
                               .event_id = event_id,
                               .death = of->liab == WG_LIAB_DEATH,
                               .child = of->person >= 0 && p->people[of->person].role == WG_ROLE_CHILD,
                               .outcome = v.outcome,
                               .payable = v.payable,
                               .reviewed_later = later,
                               .report = of->report};
        if (c->is_review) {
            payload = encode_review(g, c, claim_id, event_id, pn, secs);
        } else {
            json_t *o = encode_claim(g, c, claim_id, event_id, pn, secs);
            if (g->cfg.payments && wg_payment_add_payee(o, &pc) != FM_OK) {
                json_decref(o);
                o = NULL; /* no payload: out of memory below */
            }
            payload = json_dumps(o, JSON_COMPACT);
            json_decref(o);
        }
        char *label = encode_label("valid", c->fault, &v, claim_id, event_id, pn, NULL, NULL);
        char *again =
            resend ? encode_label("resend", "RESEND", NULL, claim_id, event_id, pn, NULL, NULL) : NULL;
        if (payload == NULL || label == NULL || (resend && again == NULL)) {
            st = FM_ENOMEM;
        } else {
            wg_message m = {.key = pn,
                            .key_len = strlen(pn),
                            .payload = payload,
                            .len = strlen(payload),
                            .label = label,
                            .kind = "valid",
                            .fault = c->fault,
                            .unit = c->is_review ? "review" : wg_liability_names[c->liab],
                            .outcome = v.outcome};
            st = emit(arg, &m);
            wg_life_verdict lv;
            to_life(&v, &lv);
            wg_life_track(lb, c->is_review ? c->ref : c->seq, claim_id, pn, c->report, &lv);
            if (st == FM_OK && resend) { /* the same bytes again: recognised and ignored */
                m.label = again;
                m.kind = "resend";
                m.fault = "RESEND";
                m.outcome = "ignored";
                st = emit(arg, &m);
            }
            if (st == FM_OK && g->cfg.payments) {
                st = wg_payment_after(&pc, emit, arg);
                if (!c->is_review && wg_payment_withdraws(&pc)) { /* no longer pending: documents ignored */
                    wg_life_verdict wd = {.outcome = "withdrawn"};
                    wg_life_track(lb, c->seq, claim_id, pn, c->report, &wd);
                }
            }
        }
        free(payload);
        free(label);
        free(again);
    }
    if (st == FM_OK) { /* after the policy's claims and reviews: documents sent later, appeals */
        wg_life_config lc = g->cfg.life ? *g->cfg.life : wg_life_config_default();
        life_ctx x = {.g = g, .p = p, .bk = bk, .cl = cl, .n = n};
        st = wg_life_policy(&lc, g->cfg.producer, r, lb, life_redecide, &x, emit, arg);
    }
done:
    free(p);
    free(cl);
    free(bk);
    free(lb);
    return st;
}
