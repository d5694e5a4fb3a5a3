/* wg_enroll.c — household construction: composition, identity numbers, injected faults, and the label
 * each household was built to earn (computed from the construction, never by the rules' code). */
#include "wg_enroll.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_corrupt.h"
#include "wg_date.h"
#include "wg_idnum.h"
#include "wg_rng.h"

#define STREAM_ENROLL 1
#define MAX_PEOPLE 12

/* Household reasons in the order decisions list them (the domain's documented reason order). */
enum {
    R_NO_CONSENT = 0,
    R_PLAN_YEAR_NOT_OFFERED,
    R_UNKNOWN_MANAGING_UNIT,
    R_OUTSIDE_ENROLLMENT_WINDOW,
    R_INVALID_ID_NUMBER,
    R_DUPLICATE_MEMBER,
    R_ALREADY_ENROLLED,
    R_NOT_REGISTERED_OR_RESIDENT,
    R_NO_ELIGIBLE_CHILD,
    R_TOO_MANY_CHILDREN,
    R_COUNT
};
static const char *const reason_ids[R_COUNT] = {
    "NO_CONSENT",        "PLAN_YEAR_NOT_OFFERED", "UNKNOWN_MANAGING_UNIT", "OUTSIDE_ENROLLMENT_WINDOW",
    "INVALID_ID_NUMBER", "DUPLICATE_MEMBER",      "ALREADY_ENROLLED",      "NOT_REGISTERED_OR_RESIDENT",
    "NO_ELIGIBLE_CHILD", "TOO_MANY_CHILDREN",
};
/* Second reasons that combine with NO_CONSENT without hiding each other (domain.md: a data reason
 * suppresses eligibility reasons, so INVALID_ID_NUMBER is never paired with one of those). */
static const int second_reasons[] = {R_UNKNOWN_MANAGING_UNIT, R_OUTSIDE_ENROLLMENT_WINDOW,
                                     R_INVALID_ID_NUMBER,     R_NOT_REGISTERED_OR_RESIDENT,
                                     R_NO_ELIGIBLE_CHILD,     R_TOO_MANY_CHILDREN};

/* Member reasons. */
enum { M_NONE = 0, M_CHILD_OVER_AGE, M_ALREADY_INSURED_ELSEWHERE, M_INVALID_ID_NUMBER, M_DUPLICATE_MEMBER };
static const char *const member_reason_ids[] = {"", "CHILD_OVER_AGE", "ALREADY_INSURED_ELSEWHERE",
                                                "INVALID_ID_NUMBER", "DUPLICATE_MEMBER"};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周",
                                       "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
                                       "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩",
                                       "冯", "邓", "曹", "彭", "曾", "田", "董", "袁", "潘"};
static const char *const given[] = {"建", "国", "华", "明", "强", "伟", "芳", "娜", "静", "丽", "军", "磊",
                                    "洋", "勇", "艳", "杰", "娟", "涛", "超", "秀", "霞", "平", "刚", "桂",
                                    "雨", "欣", "浩", "宇", "轩", "梓", "涵", "萱", "子", "怡", "晨", "博",
                                    "思", "佳", "嘉", "睿", "悦", "琪", "安", "然", "瑶", "泽", "辰", "可"};
static const char *const channels[] = {"paper", "app", "agent_device"};

typedef struct person {
    char id[20];    /* as written in the event (may be corrupted or carry a lowercase x) */
    char canon[20]; /* the true number, uppercase */
    char name[40];
    int role; /* WG_ROLE_* */
    bool male;
    int32_t birth;
    bool prev;    /* previously_insured */
    int mreason;  /* M_*: why this member is excluded or named */
    bool insured; /* intended status */
} person;

typedef struct household {
    uint64_t index;
    char household_id[40];
    char event_id[72];
    char unit[17];       /* managing_unit as written */
    const wg_unit *home; /* the unit the household really belongs to */
    int plan_year;
    int32_t submitted;
    int occurred_secs; /* seconds after midnight */
    bool registration;
    int32_t resident_since; /* INT32_MIN: null */
    char certificate[64];   /* "" = null */
    bool rural;
    person applicant;
    int applicant_member; /* index of the applicant among members, or -1 */
    bool consent;
    int consent_secs;
    int channel;
    bool has_agent;
    char agent_id[33];
    char agent_name[40];
    person members[MAX_PEOPLE];
    int n_members;
    /* intent */
    bool accepted;
    char category; /* 'A', 'B' or 0 */
    bool note_inconsistent;
    uint32_t reasons; /* bit per R_* */
    bool applicant_invalid;
    int n_insured_children;
    int64_t premium, subsidy;
    int32_t cov_start, cov_end;
    const char *fault;
} household;

struct wg_enroll {
    wg_enroll_config cfg;
    wg_idreg *ids;
    char tag[8];        /* 4 hex digits from the seed: keeps two waves' ids apart */
    char shared_id[20]; /* an insured adult of an earlier household, for shared_person */
    char shared_name[40];
    bool shared_male;
    bool have_shared;
};

wg_enroll_shares wg_enroll_default_shares(void)
{
    wg_enroll_shares s = {.unreadable = 0.01,
                          .resend = 0.01,
                          .conflict = 0.005,
                          .ineligible = 0.10,
                          .two_reasons = 0.01,
                          .shared_person = 0.0,
                          .over_age = 0.05};
    return s;
}

fm_status wg_enroll_new(const wg_enroll_config *cfg, wg_enroll **out, fm_error *err)
{
    const wg_enroll_shares *s = &cfg->shares;
    double shares[] = {s->unreadable,  s->resend,        s->conflict, s->ineligible,
                       s->two_reasons, s->shared_person, s->over_age, s->policy};
    double sum = 0;
    for (size_t i = 0; i < sizeof shares / sizeof shares[0]; i++) {
        if (!(shares[i] >= 0.0 && shares[i] <= 1.0)) {
            fm_error_set(err, "shares", "OUT_OF_RANGE", "every share must be within 0..1");
            return FM_EINVAL;
        }
        if (i < 6)
            sum += shares[i];
    }
    if (sum > 1.0 + 1e-9) {
        fm_error_set(err, "shares", "OUT_OF_RANGE", "the fault shares add up to %.3f, above 1", sum);
        return FM_EINVAL;
    }
    for (int i = 0; i < cfg->places->n_units; i++)
        if (!wg_plan_has_unit(cfg->plan, cfg->places->units[i].code)) {
            fm_error_set(
                err, "managing_unit", "UNKNOWN_UNIT",
                "unit %s of the population table is not in plan %d: its households would be rejected",
                cfg->places->units[i].code, cfg->plan->plan_year);
            return FM_EINVAL;
        }
    wg_enroll *g = calloc(1, sizeof *g);
    if (g == NULL)
        return FM_ENOMEM;
    g->cfg = *cfg;
    snprintf(g->tag, sizeof g->tag, "%04x", (unsigned)(wg_mix64(cfg->seed ^ 0x7761766567656eull) & 0xffff));
    const char *areas[WG_MAX_AREAS];
    for (int i = 0; i < cfg->places->n_areas; i++)
        areas[i] = cfg->places->areas[i];
    fm_status st = wg_idreg_new(areas, cfg->places->n_areas, wg_date_from_ymd(1920, 1, 1),
                                cfg->plan->end + 366, &g->ids);
    if (st != FM_OK) {
        free(g);
        return st;
    }
    *out = g;
    return FM_OK;
}

void wg_enroll_free(wg_enroll *g)
{
    if (g == NULL)
        return;
    wg_idreg_free(g->ids);
    free(g);
}

/* ---- construction ---- */

static void make_name(wg_rng *r, const char *surname, char *out, size_t len)
{
    size_t ng = sizeof given / sizeof given[0];
    if (wg_rng_chance(r, 0.6))
        snprintf(out, len, "%s%s%s", surname, given[wg_rng_below(r, (uint32_t)ng)],
                 given[wg_rng_below(r, (uint32_t)ng)]);
    else
        snprintf(out, len, "%s%s", surname, given[wg_rng_below(r, (uint32_t)ng)]);
}

/* Where a person's number was issued: mostly the household's own unit; adults sometimes an old code
 * or another city (domain.md, Places: both are valid). */
static int pick_area(const wg_enroll *g, wg_rng *r, const wg_unit *u, bool adult)
{
    const wg_places *p = g->cfg.places;
    double x = wg_rng_unit(r);
    if (adult && x < 0.05 && p->n_old > 0)
        return p->old_idx[wg_rng_below(r, (uint32_t)p->n_old)];
    if (x < (adult ? 0.18 : 0.04))
        return p->elsewhere_idx[wg_rng_below(r, (uint32_t)p->n_elsewhere)];
    return adult ? u->area_idx[wg_rng_below(r, (uint32_t)u->n_areas)] : u->area_idx[0];
}

static fm_status new_person(wg_enroll *g, wg_rng *r, person *p, int role, bool male, int32_t birth,
                            const char *surname, const wg_unit *u)
{
    memset(p, 0, sizeof *p);
    p->role = role;
    p->male = male;
    p->birth = birth;
    p->insured = true;
    make_name(r, surname, p->name, sizeof p->name);
    fm_status st = wg_idreg_issue(g->ids, pick_area(g, r, u, role != WG_ROLE_CHILD), birth, male, p->canon);
    if (st != FM_OK)
        return st;
    memcpy(p->id, p->canon, sizeof p->id);
    /* Agents type a lowercase x now and then; it is the same number (the domain accepts it). */
    if (p->id[17] == 'X' && wg_rng_chance(r, 0.2))
        p->id[17] = 'x';
    return FM_OK;
}

/* A birth date for an eligible child: on or after the cut-off, before the submission; now and then
 * exactly on the cut-off (18 on plan start, still covered). */
static int32_t eligible_birth(const wg_plan *plan, wg_rng *r, int32_t submitted)
{
    int32_t lo = plan->child_born_on_or_after, hi = submitted - 20;
    if (wg_rng_chance(r, 0.01))
        return lo;
    return (int32_t)wg_rng_range(r, lo, hi);
}

/* Born before the cut-off: "just over" 18 (the day before the cut-off now and then). */
static int32_t over_age_birth(const wg_plan *plan, wg_rng *r)
{
    if (wg_rng_chance(r, 0.2))
        return plan->child_born_on_or_after - 1;
    return plan->child_born_on_or_after - (int32_t)wg_rng_range(r, 1, 700);
}

typedef enum comp { C_A_ONLY, C_A_RURAL, C_B } comp;

/* The shape a household is built to: composition, and the one or two reasons it should fail on. */
typedef struct shape {
    comp composition;
    int n_children;      /* child members */
    int n_over_age;      /* of which born before the cut-off (the oldest ones) */
    bool inconsistent_a; /* B household that shows A evidence that does not hold */
    bool guardians;
    uint32_t fail; /* R_* bits built in */
    bool shared_person;
} shape;

static void choose_shape(wg_enroll *g, wg_rng *r, const wg_unit *u, uint32_t fail, bool shared, shape *s)
{
    memset(s, 0, sizeof *s);
    s->fail = fail;
    s->shared_person = shared;
    s->guardians = wg_rng_chance(r, 0.05);
    double x = wg_rng_unit(r);
    bool plain = fail == 0;
    if (plain && x < 0.25 * u->rural_share) {
        s->composition = C_A_RURAL;
        s->n_children = wg_rng_chance(r, 0.6) ? 2 : 1;
        if (s->n_children == 2 && wg_rng_chance(r, g->cfg.shares.over_age))
            s->n_over_age = 1;
        return;
    }
    if (plain && x < 0.45) {
        s->composition = C_A_ONLY;
        s->n_children = 1;
        return;
    }
    s->composition = C_B;
    double y = wg_rng_unit(r);
    s->n_children = y < 0.40 ? 1 : y < 0.85 ? 2 : 3;
    if (plain && s->n_children >= 2 && wg_rng_chance(r, g->cfg.shares.over_age)) {
        s->n_over_age = 1;
        if (wg_rng_chance(r, 0.2))
            s->n_children++; /* four children listed, the oldest over age: three insured */
    }
    if (plain && s->n_children >= 2 && wg_rng_chance(r, 0.03))
        s->inconsistent_a = true;
    if (fail & (1u << R_TOO_MANY_CHILDREN))
        s->n_children = wg_rng_chance(r, 0.7) ? 4 : 5;
    if (fail & (1u << R_NO_ELIGIBLE_CHILD)) {
        s->n_children = wg_rng_chance(r, 0.3) ? 0 : 1;
        s->n_over_age = s->n_children;
    }
    if (fail & (1u << R_DUPLICATE_MEMBER))
        s->n_children = s->n_children < 2 ? 2 : s->n_children;
}

static void corrupt_id(wg_rng *r, char id[20], const char **how)
{
    static const char checks[] = "10X98765432";
    uint32_t v = wg_rng_below(r, 10);
    if (v < 6) { /* a wrong check character */
        char c;
        do
            c = checks[wg_rng_below(r, 11)];
        while (c == id[17] || (c == 'X' && id[17] == 'x'));
        id[17] = c;
        *how = "check_character";
    } else if (v < 8) { /* an impossible birth date, with the check character right for it */
        id[10] = '1';
        id[11] = '3';
        id[17] = wg_idnum_check_char(id);
        *how = "birth_date";
    } else if (v < 9) { /* a digit left out */
        memmove(id + 9, id + 10, 9);
        *how = "length";
    } else { /* a letter typed for a digit */
        id[8] = 'O';
        *how = "characters";
    }
}

/* The household's people: its children (the over-age ones oldest), the adults (two parents, or one or two
 * guardians), the applicant, the members listed and whether each renews. FM_ENOTFOUND when the identity
 * numbers of an area and day ran out. */
static fm_status make_people(wg_enroll *g, wg_rng *r, household *h, const shape *sp, bool flag_instead)
{
    const wg_plan *plan = g->cfg.plan;
    const shape s = *sp;
    /* Children, oldest first: the over-age ones are the oldest. */
    const char *surname = surnames[wg_rng_below(r, sizeof surnames / sizeof surnames[0])];
    int32_t births[MAX_PEOPLE];
    for (int i = 0; i < s.n_children; i++)
        births[i] = i < s.n_over_age ? over_age_birth(plan, r) : eligible_birth(plan, r, h->submitted);
    for (int i = s.n_over_age; i < s.n_children; i++) /* sort the eligible ones, oldest first */
        for (int j = i + 1; j < s.n_children; j++)
            if (births[j] < births[i]) {
                int32_t t = births[i];
                births[i] = births[j];
                births[j] = t;
            }
    int32_t oldest =
        s.n_children > 0 ? births[0] : h->submitted - (int32_t)wg_rng_range(r, 19 * 365, 25 * 365);

    person kids[MAX_PEOPLE];
    fm_status st;
    for (int i = 0; i < s.n_children; i++) {
        bool male = s.composition == C_A_RURAL ? false : wg_rng_chance(r, 0.52);
        if ((st = new_person(g, r, &kids[i], WG_ROLE_CHILD, male, births[i], surname, h->home)) != FM_OK)
            return st;
        if (i < s.n_over_age) {
            kids[i].insured = false;
            kids[i].mreason = M_CHILD_OVER_AGE;
        }
    }
    /* A B household that shows the rural two-daughter flag with a son among its (two or more)
     * children: the youngest is made a son. */
    if (flag_instead) {
        h->rural = true;
        person *y = &kids[s.n_children - 1];
        if (!y->male && (st = new_person(g, r, y, WG_ROLE_CHILD, true, y->birth, surname, h->home)) != FM_OK)
            return st;
    }

    /* Adults: two parents, or one or two guardians (grandparents). */
    person adults[2];
    int n_adults = s.guardians ? (wg_rng_chance(r, 0.5) ? 1 : 2) : 2;
    for (int i = 0; i < n_adults; i++) {
        bool male = i == 0;
        int32_t birth = s.guardians ? oldest - (int32_t)wg_rng_range(r, 42 * 365, 60 * 365)
                                    : oldest - (int32_t)wg_rng_range(r, 21 * 365, 38 * 365);
        if (birth < wg_date_from_ymd(1925, 1, 1))
            birth = wg_date_from_ymd(1925, 1, 1) + (int32_t)wg_rng_below(r, 3000);
        const char *sn = male ? surname : surnames[wg_rng_below(r, sizeof surnames / sizeof surnames[0])];
        if ((st = new_person(g, r, &adults[i], s.guardians ? WG_ROLE_GUARDIAN : WG_ROLE_PARENT, male, birth,
                             sn, h->home)) != FM_OK)
            return st;
    }
    int applicant = (int)wg_rng_below(r, (uint32_t)n_adults);
    h->applicant = adults[applicant];

    /* Members: children and, mostly, the adults; now and then the adults first. */
    bool adult_member[2] = {false, false};
    for (int i = 0; i < n_adults; i++)
        adult_member[i] = wg_rng_chance(r, 0.75);
    bool adults_first = wg_rng_chance(r, 0.3);
    h->applicant_member = -1;
    for (int pass = 0; pass < 2; pass++) {
        bool do_adults = (pass == 0) == adults_first;
        if (do_adults) {
            for (int i = 0; i < n_adults; i++)
                if (adult_member[i]) {
                    if (i == applicant)
                        h->applicant_member = h->n_members;
                    h->members[h->n_members++] = adults[i];
                }
        } else {
            for (int i = 0; i < s.n_children; i++)
                h->members[h->n_members++] = kids[i];
        }
    }
    if (h->n_members == 0) { /* no child and no adult chosen: the applicant at least */
        h->applicant_member = 0;
        h->members[h->n_members++] = h->applicant;
    }
    bool renewal = wg_rng_chance(r, 0.5);
    for (int i = 0; i < h->n_members; i++)
        h->members[i].prev = renewal ? wg_rng_chance(r, 0.95) : wg_rng_chance(r, 0.03);

    return FM_OK;
}

/* The faults the household was drawn to carry, each a single reason (fail: the reasons' bits). */
static void inject_faults(wg_enroll *g, wg_rng *r, household *h, const shape *sp, uint32_t fail)
{
    const shape s = *sp;
    if (fail & (1u << R_NO_CONSENT))
        h->consent = false;
    if (fail & (1u << R_UNKNOWN_MANAGING_UNIT))
        snprintf(h->unit, sizeof h->unit, "%s", wg_rng_chance(r, 0.5) ? "610199" : "ZZKFQ");
    if (fail & (1u << R_PLAN_YEAR_NOT_OFFERED))
        h->plan_year = g->cfg.not_offered_year;
    if (fail & (1u << R_INVALID_ID_NUMBER)) {
        const char *how;
        int target = (int)wg_rng_below(r, (uint32_t)h->n_members + 1);
        if (target == h->n_members || target == h->applicant_member) { /* the applicant's number */
            corrupt_id(r, h->applicant.id, &how);
            h->applicant_invalid = true;
            if (h->applicant_member >= 0) {
                memcpy(h->members[h->applicant_member].id, h->applicant.id, sizeof h->applicant.id);
                h->members[h->applicant_member].mreason = M_INVALID_ID_NUMBER;
            }
        } else {
            corrupt_id(r, h->members[target].id, &how);
            h->members[target].mreason = M_INVALID_ID_NUMBER;
        }
        (void)how;
    }
    if (fail & (1u << R_DUPLICATE_MEMBER)) { /* the second child listed with the first one's number */
        int first = -1, second = -1;
        for (int i = 0; i < h->n_members; i++)
            if (h->members[i].role == WG_ROLE_CHILD) {
                if (first < 0)
                    first = i;
                else if (second < 0)
                    second = i;
            }
        memcpy(h->members[second].id, h->members[first].id, sizeof h->members[first].id);
        memcpy(h->members[second].canon, h->members[first].canon, sizeof h->members[first].canon);
        h->members[first].mreason = M_DUPLICATE_MEMBER;
        h->members[second].mreason = M_DUPLICATE_MEMBER;
    }
    if (s.shared_person && g->have_shared) { /* an adult member insured in an earlier household */
        for (int i = 0; i < h->n_members; i++)
            if (h->members[i].role != WG_ROLE_CHILD && i != h->applicant_member) {
                memcpy(h->members[i].id, g->shared_id, sizeof g->shared_id);
                memcpy(h->members[i].canon, g->shared_id, sizeof g->shared_id);
                memcpy(h->members[i].name, g->shared_name, sizeof g->shared_name);
                h->members[i].male = g->shared_male;
                h->members[i].insured = false;
                h->members[i].mreason = M_ALREADY_INSURED_ELSEWHERE;
                h->fault = "ALREADY_INSURED_ELSEWHERE";
                break;
            }
    }
}

/* The decision the household was built to get, from what was built. */
static void intended_decision(const wg_plan *plan, household *h, const shape *sp, uint32_t fail)
{
    const shape s = *sp;
    h->reasons = fail;
    if (fail == 0) {
        int eligible = 0;
        for (int i = 0; i < h->n_members; i++)
            if (h->members[i].role == WG_ROLE_CHILD && h->members[i].insured)
                eligible++;
        h->accepted = true;
        h->n_insured_children = eligible;
        h->category = s.composition == C_B ? 'B' : 'A';
        h->note_inconsistent = s.inconsistent_a;
        h->premium = h->category == 'A' ? plan->premium_a[eligible] : plan->premium_b[eligible];
        h->subsidy = h->category == 'A' ? WG_SUBSIDY_A_FEN : 0;
        h->cov_start = h->submitted + 1 > plan->start ? h->submitted + 1 : plan->start;
        h->cov_end = plan->end;
        if (s.n_over_age > 0 && h->fault == NULL)
            h->fault = "CHILD_OVER_AGE";
        if (s.inconsistent_a && h->fault == NULL)
            h->fault = "CATEGORY_A_EVIDENCE_INCONSISTENT";
    } else {
        for (int i = 0; i < h->n_members; i++)
            h->members[i].insured = false;
    }
}

static fm_status build(wg_enroll *g, uint64_t index, household *h, uint32_t fail, bool shared)
{
    const wg_plan *plan = g->cfg.plan;
    wg_rng rr, *r = &rr;
    wg_rng_seed(r, g->cfg.seed, STREAM_ENROLL + 100, index);
    memset(h, 0, sizeof *h);
    h->index = index;
    h->home = wg_places_pick(g->cfg.places, r);
    snprintf(h->unit, sizeof h->unit, "%s", h->home->code);
    snprintf(h->household_id, sizeof h->household_id, "H%s-%s-%07llu", h->home->code, g->tag,
             (unsigned long long)index);
    snprintf(h->event_id, sizeof h->event_id, "enr-%d-%s-%07llu", plan->plan_year, g->tag,
             (unsigned long long)index);
    h->plan_year = plan->plan_year;
    h->resident_since = INT32_MIN;

    shape s;
    choose_shape(g, r, h->home, fail, shared, &s);

    /* When: mostly in the two months before plan start, the rest during the year (a later start of
     * cover, which the claims mode respects). */
    int32_t late_end = plan->closes < plan->end - 60 ? plan->closes : plan->end - 60;
    if (wg_rng_chance(r, 0.75) && plan->opens < plan->start)
        h->submitted = (int32_t)wg_rng_range(r, plan->opens, plan->start - 1);
    else
        h->submitted = (int32_t)wg_rng_range(r, plan->start, late_end);
    if (fail & (1u << R_OUTSIDE_ENROLLMENT_WINDOW))
        h->submitted = wg_rng_chance(r, 0.5) || plan->closes >= plan->end
                           ? plan->opens - (int32_t)wg_rng_range(r, 1, 60)
                           : plan->closes + (int32_t)wg_rng_range(r, 1, 20);
    h->occurred_secs = (int)wg_rng_range(r, 8 * 3600, 18 * 3600);

    /* Registration: always for category A; most B households; the others by residence. */
    const int32_t year_before = wg_date_add_years(plan->start, -1);
    h->registration = s.composition != C_B || wg_rng_chance(r, 0.85) || !plan->residence_counts_for_b;
    if (!h->registration) /* resident since plan start minus one year or earlier (inclusive) */
        h->resident_since = year_before - (wg_rng_chance(r, 0.1) ? 0 : (int32_t)wg_rng_range(r, 1, 3000));
    if (fail & (1u << R_NOT_REGISTERED_OR_RESIDENT)) {
        h->registration = false;
        h->resident_since =
            wg_rng_chance(r, 0.5) ? INT32_MIN : year_before + (int32_t)wg_rng_range(r, 1, 300);
        if (!plan->residence_counts_for_b && wg_rng_chance(r, 0.5))
            h->resident_since = plan->start - 3000;
    }
    if (h->resident_since != INT32_MIN && h->resident_since > h->submitted)
        h->resident_since = h->submitted - 1;
    h->rural = s.composition == C_A_RURAL;
    bool flag_instead = s.inconsistent_a && wg_rng_chance(r, 0.5);
    if (s.composition == C_A_ONLY || (s.inconsistent_a && !flag_instead))
        snprintf(h->certificate, sizeof h->certificate, "%s-%d-%06u", h->home->code,
                 (int)wg_rng_range(r, 2005, plan->plan_year - 1), wg_rng_below(r, 1000000));

    fm_status st = make_people(g, r, h, &s, flag_instead);
    if (st != FM_OK)
        return st;

    h->consent = true;
    h->consent_secs = h->occurred_secs - (int)wg_rng_range(r, 60, 3600);
    h->channel = (int)wg_rng_below(r, 3);
    h->has_agent = h->channel != 1 || wg_rng_chance(r, 0.3);
    snprintf(h->agent_id, sizeof h->agent_id, "AG-%s-%04u", h->home->code, wg_rng_below(r, 200) + 1);
    make_name(r, surnames[wg_rng_below(r, sizeof surnames / sizeof surnames[0])], h->agent_name,
              sizeof h->agent_name);

    inject_faults(g, r, h, &s, fail);

    intended_decision(plan, h, &s, fail);
    return FM_OK;
}

/* ---- encoding ---- */

static void fmt_time(int32_t day, int secs, char out[32])
{
    char d[11];
    wg_date_format(day, d);
    if (secs < 0)
        secs = 0;
    snprintf(out, 32, "%sT%02d:%02d:%02d+08:00", d, secs / 3600, (secs / 60) % 60, secs % 60);
}

static json_t *jdate(int32_t day)
{
    char d[11];
    wg_date_format(day, d);
    return json_string(d);
}

static json_t *encode(const wg_enroll *g, const household *h, const char *event_id, int32_t submitted)
{
    char ts[32];
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "type", json_string("enrollment.submitted"));
    json_object_set_new(o, "schema_version", json_integer(1));
    fmt_time(submitted, h->occurred_secs, ts);
    json_object_set_new(o, "occurred_at", json_string(ts));
    json_object_set_new(o, "producer", json_string(g->cfg.producer));
    json_object_set_new(o, "household_id", json_string(h->household_id));
    json_object_set_new(o, "plan_year", json_integer(h->plan_year));
    json_object_set_new(o, "submitted_on", jdate(submitted));
    json_object_set_new(o, "managing_unit", json_string(h->unit));
    json_object_set_new(o, "xian_registration", json_boolean(h->registration));
    json_object_set_new(o, "resident_in_xian_since",
                        h->resident_since == INT32_MIN ? json_null() : jdate(h->resident_since));
    json_t *ev = json_object();
    json_object_set_new(ev, "only_child_certificate",
                        h->certificate[0] ? json_string(h->certificate) : json_null());
    json_object_set_new(ev, "rural_two_daughter", json_boolean(h->rural));
    json_object_set_new(o, "category_evidence", ev);
    json_t *app = json_object();
    json_object_set_new(app, "id_number", json_string(h->applicant.id));
    json_object_set_new(app, "name", json_string(h->applicant.name));
    json_object_set_new(app, "relation", json_string(wg_role_names[h->applicant.role]));
    json_object_set_new(o, "applicant", app);
    json_t *c = json_object();
    json_object_set_new(c, "given", json_boolean(h->consent));
    fmt_time(submitted, h->consent_secs, ts);
    json_object_set_new(c, "at", h->consent ? json_string(ts) : json_null());
    json_object_set_new(c, "channel", json_string(channels[h->channel]));
    json_object_set_new(o, "consent", c);
    if (h->has_agent) {
        json_t *a = json_object();
        json_object_set_new(a, "agent_id", json_string(h->agent_id));
        json_object_set_new(a, "name", json_string(h->agent_name));
        json_object_set_new(o, "agent", a);
    } else {
        json_object_set_new(o, "agent", json_null());
    }
    json_t *ms = json_array();
    for (int i = 0; i < h->n_members; i++) {
        const person *p = &h->members[i];
        json_t *m = json_object();
        json_object_set_new(m, "role", json_string(wg_role_names[p->role]));
        json_object_set_new(m, "id_number", json_string(p->id));
        json_object_set_new(m, "name", json_string(p->name));
        json_object_set_new(m, "previously_insured", json_boolean(p->prev));
        json_array_append_new(ms, m);
    }
    json_object_set_new(o, "members", ms);
    return o;
}

/* The label's "expected" for a decided enrollment. */
static json_t *expected_decision(const household *h, bool already_enrolled)
{
    json_t *e = json_object();
    bool accepted = h->accepted && !already_enrolled;
    uint32_t reasons = already_enrolled ? (1u << R_ALREADY_ENROLLED) : h->reasons;
    json_object_set_new(e, "outcome", json_string(accepted ? "accepted" : "rejected"));
    json_object_set_new(e, "category", accepted ? json_stringn(&h->category, 1) : json_null());
    json_t *rs = json_array();
    for (int i = 0; i < R_COUNT; i++)
        if (reasons & (1u << i))
            json_array_append_new(rs, json_string(reason_ids[i]));
    json_object_set_new(e, "reasons", rs);
    json_t *ar = json_array();
    if (h->applicant_invalid && !already_enrolled)
        json_array_append_new(ar, json_string("INVALID_ID_NUMBER"));
    json_object_set_new(e, "applicant_reasons", ar);
    json_t *notes = json_array();
    /* The domain notes evidence that does not hold on every decision that evaluated the category
     * (also the ALREADY_ENROLLED rejection of a second enrollment). */
    if (h->note_inconsistent)
        json_array_append_new(notes, json_string("CATEGORY_A_EVIDENCE_INCONSISTENT"));
    json_object_set_new(e, "notes", notes);
    json_t *ms = json_array();
    for (int i = 0; i < h->n_members; i++) {
        const person *p = &h->members[i];
        json_t *m = json_object();
        json_object_set_new(m, "index", json_integer(i));
        json_object_set_new(m, "role", json_string(wg_role_names[p->role]));
        json_object_set_new(m, "status", json_string(accepted && p->insured ? "insured" : "excluded"));
        json_t *mr = json_array();
        /* Over-age children are named on a NO_ELIGIBLE_CHILD rejection too (domain.md), and on the
         * ALREADY_ENROLLED rejection, which still evaluates the members. */
        if (p->mreason != M_NONE)
            json_array_append_new(mr, json_string(member_reason_ids[p->mreason]));
        json_object_set_new(m, "reasons", mr);
        json_array_append_new(ms, m);
    }
    json_object_set_new(e, "members", ms);
    json_object_set_new(e, "premium", json_integer(accepted ? h->premium : 0));
    json_object_set_new(e, "subsidy", json_integer(accepted ? h->subsidy : 0));
    json_object_set_new(e, "self_paid", json_integer(accepted ? h->premium - h->subsidy : 0));
    char pn[64];
    snprintf(pn, sizeof pn, "FJ%d-%s", h->plan_year, h->household_id);
    json_object_set_new(e, "policy_number", accepted ? json_string(pn) : json_null());
    json_object_set_new(e, "coverage_start", accepted ? jdate(h->cov_start) : json_null());
    json_object_set_new(e, "coverage_end", accepted ? jdate(h->cov_end) : json_null());
    json_object_set_new(e, "insured_children", json_integer(accepted ? h->n_insured_children : 0));
    return e;
}

typedef struct emitter {
    wg_emit_fn emit;
    void *arg;
    const household *h;
    uint64_t seq;
} emitter;

/* Serialises payload and label and hands both to the writer. Takes both json_t references. */
static fm_status send(emitter *em, char *payload, size_t len, const char *event_id, const char *kind,
                      const char *fault, json_t *expected)
{
    fm_status st = FM_ENOMEM;
    json_t *label = json_object();
    json_object_set_new(label, "event_id", json_string(event_id));
    json_object_set_new(label, "key", json_string(em->h->household_id));
    json_object_set_new(label, "kind", json_string(kind));
    json_object_set_new(label, "fault", fault ? json_string(fault) : json_null());
    json_object_set_new(label, "expected", expected);
    char *text = json_dumps(label, JSON_COMPACT);
    if (text != NULL && payload != NULL) {
        json_t *oc = json_object_get(expected, "outcome");
        wg_message m = {.key = em->h->household_id,
                        .key_len = strlen(em->h->household_id),
                        .payload = payload,
                        .len = len,
                        .label = text,
                        .kind = kind,
                        .fault = fault,
                        .unit = em->h->unit,
                        .outcome = oc ? json_string_value(oc) : "dead_letter"};
        st = em->emit(em->arg, &m);
    }
    free(text);
    json_decref(label);
    return st;
}

static json_t *dead_letter(const char *code, const char *path, const char *error)
{
    json_t *e = json_object();
    json_object_set_new(e, "outcome", json_string("dead_letter"));
    json_object_set_new(e, "dead_letter", json_string(code));
    json_object_set_new(e, "path", path ? json_string(path) : json_null());
    json_object_set_new(e, "error", error ? json_string(error) : json_null());
    return e;
}

static fm_status emit_unreadable(wg_enroll *g, emitter *em, household *h, wg_rng *r)
{
    wg_unreadable kind = (wg_unreadable)wg_rng_below(r, WG_U_COUNT);
    const char *path = NULL, *error = NULL;
    if (kind == WG_U_INVALID_UTF8) /* a marker name that is swapped for invalid bytes after encoding */
        snprintf(h->applicant.name, sizeof h->applicant.name, "%s", WG_BAD_UTF8_MARKER);
    json_t *o = encode(g, h, h->event_id, h->submitted);
    if (kind == WG_U_SCHEMA) {
        switch (wg_rng_below(r, 4)) {
        case 0: json_object_del(o, "submitted_on"), path = "submitted_on", error = "MISSING"; break;
        case 1:
            json_object_set_new(json_array_get(json_object_get(o, "members"), 0), "role",
                                json_string("cousin"));
            path = "members[0].role", error = "NOT_ONE_OF";
            break;
        case 2:
            json_object_set_new(o, "plan_year", json_sprintf("%d", h->plan_year)), path = "plan_year",
                                                                                   error = "WRONG_TYPE";
            break;
        default:
            /* An unknown field is reported at its object (here the message, path ""), never by its key. */
            json_object_set_new(o, "remark", json_string("urgent")), path = "", error = "UNKNOWN_FIELD";
        }
    }
    if (kind == WG_U_SCHEMA_VERSION)
        path = "schema_version", error = "UNKNOWN_SCHEMA_VERSION";
    char *text = NULL;
    size_t len = 0;
    fm_status st = wg_corrupt(o, kind, g->cfg.max_message_bytes, r, &text, &len);
    json_decref(o);
    if (st == FM_OK)
        st = send(em, text, len, h->event_id, "unreadable", wg_unreadable_ids[kind],
                  dead_letter(wg_unreadable_ids[kind], path, error));
    free(text);
    return st;
}

static char *policy_line(const household *h)
{
    json_t *o = json_object();
    char pn[64];
    snprintf(pn, sizeof pn, "FJ%d-%s", h->plan_year, h->household_id);
    json_object_set_new(o, "policy_number", json_string(pn));
    json_object_set_new(o, "household_id", json_string(h->household_id));
    json_object_set_new(o, "plan_year", json_integer(h->plan_year));
    json_object_set_new(o, "category", json_stringn(&h->category, 1));
    json_object_set_new(o, "managing_unit", json_string(h->unit));
    json_object_set_new(o, "coverage_start", jdate(h->cov_start));
    json_object_set_new(o, "coverage_end", jdate(h->cov_end));
    json_t *ms = json_array();
    for (int i = 0; i < h->n_members; i++) {
        const person *p = &h->members[i];
        json_t *m = json_object();
        json_object_set_new(m, "index", json_integer(i));
        json_object_set_new(m, "id_number", json_string(p->canon));
        json_object_set_new(m, "role", json_string(wg_role_names[p->role]));
        json_object_set_new(m, "birth_date", jdate(p->birth));
        json_object_set_new(m, "sex", json_string(p->male ? "male" : "female"));
        json_object_set_new(m, "previously_insured", json_boolean(p->prev));
        json_object_set_new(m, "insured", json_boolean(p->insured));
        json_array_append_new(ms, m);
    }
    json_object_set_new(o, "members", ms);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* The household as wg_policy sees it: its insured children, premium and cover. */
static fm_status emit_policy(wg_enroll *g, const household *h, wg_rng *r, wg_emit_fn emit, void *arg)
{
    wg_policy_household ph = {.household_id = h->household_id,
                              .event_id = h->event_id,
                              .producer = g->cfg.producer,
                              .category = h->category,
                              .children_female = true,
                              .premium = h->premium,
                              .subsidy = h->subsidy,
                              .cov_start = h->cov_start,
                              .cov_end = h->cov_end,
                              .area_index = -1,
                              .surname = surnames[0]};
    for (int i = 0; i < h->n_members && ph.n_children < WG_POLICY_MAX_CHILDREN; i++) {
        const person *p = &h->members[i];
        if (p->role != WG_ROLE_CHILD || !p->insured)
            continue;
        ph.child_ids[ph.n_children++] = p->canon;
        ph.children_female = ph.children_female && !p->male;
        if (ph.area_index < 0) {
            char area[7];
            memcpy(area, p->canon, 6);
            area[6] = '\0';
            ph.area_index = wg_idreg_area_index(g->ids, area);
        }
    }
    if (ph.n_children == 0 || ph.area_index < 0)
        return FM_OK; /* cannot happen for an accepted household; nothing to build on */
    return wg_policy_emit(g->cfg.plan, g->cfg.policy_terms, g->ids, r, &ph, emit, arg);
}

fm_status wg_enroll_household(wg_enroll *g, uint64_t index, wg_emit_fn emit, void *arg, char **policy)
{
    if (policy != NULL)
        *policy = NULL;
    wg_rng rr, *r = &rr;
    wg_rng_seed(r, g->cfg.seed, STREAM_ENROLL, index);
    const wg_enroll_shares *s = &g->cfg.shares;

    /* One draw decides what the household is built for; the faults exclude each other. */
    enum { K_VALID, K_UNREADABLE, K_RESEND, K_CONFLICT, K_INELIGIBLE, K_TWO } kind = K_VALID;
    double x = wg_rng_unit(r), acc = 0;
    if (x < (acc += s->unreadable))
        kind = K_UNREADABLE;
    else if (x < (acc += s->resend))
        kind = K_RESEND;
    else if (x < (acc += s->conflict))
        kind = K_CONFLICT;
    else if (x < (acc += s->ineligible))
        kind = K_INELIGIBLE;
    else if (x < (acc += s->two_reasons))
        kind = K_TWO;
    bool shared = kind == K_VALID && wg_rng_chance(r, s->shared_person);

    uint32_t fail = 0;
    if (kind == K_INELIGIBLE)
        fail = 1u << wg_rng_below(r, R_COUNT);
    else if (kind == K_TWO)
        fail = (1u << R_NO_CONSENT) |
               (1u << second_reasons[wg_rng_below(r, sizeof second_reasons / sizeof second_reasons[0])]);
    bool already_enrolled = fail == (1u << R_ALREADY_ENROLLED);
    if (already_enrolled)
        fail = 0; /* the household itself is valid; its second enrollment is the rejected one */

    household hh, *h = &hh;
    fm_status st = build(g, index, h, fail, shared);
    if (st != FM_OK)
        return st;
    if (fail != 0) {
        for (int i = 0; i < R_COUNT; i++)
            if (fail & (1u << i)) {
                h->fault = reason_ids[i];
                if (kind == K_INELIGIBLE || i != R_NO_CONSENT)
                    break;
            }
    }
    emitter em = {.emit = emit, .arg = arg, .h = h};

    if (kind == K_UNREADABLE)
        return emit_unreadable(g, &em, h, r);

    json_t *o = encode(g, h, h->event_id, h->submitted);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (text == NULL)
        return FM_ENOMEM;
    size_t len = strlen(text);
    st = send(&em, text, len, h->event_id, "valid", h->fault, expected_decision(h, false));
    if (st == FM_OK && kind == K_RESEND) {
        json_t *e = json_object();
        json_object_set_new(e, "outcome", json_string("ignored"));
        st = send(&em, text, len, h->event_id, "resend", "RESEND", e);
    }
    if (st == FM_OK && kind == K_CONFLICT) { /* same id, the agent's device reports another agent */
        household other = *h;
        snprintf(other.agent_id, sizeof other.agent_id, "AG-%s-9%03u", h->home->code, wg_rng_below(r, 1000));
        other.has_agent = true;
        json_t *o2 = encode(g, &other, h->event_id, h->submitted);
        char *t2 = json_dumps(o2, JSON_COMPACT);
        json_decref(o2);
        st = t2 ? send(&em, t2, strlen(t2), h->event_id, "conflict", "EVENT_ID_CONFLICT",
                       dead_letter("EVENT_ID_CONFLICT", NULL, NULL))
                : FM_ENOMEM;
        free(t2);
    }
    if (st == FM_OK && already_enrolled) { /* enrolled again a little later, under a new event id */
        char eid[80];
        snprintf(eid, sizeof eid, "%.64s-again", h->event_id);
        int32_t later = h->submitted + (int32_t)wg_rng_range(r, 1, 20);
        if (later > g->cfg.plan->closes)
            later = g->cfg.plan->closes;
        if (later > g->cfg.plan->end - 1) /* submitted on plan end: no cover left, outside the window */
            later = g->cfg.plan->end - 1;
        json_t *o2 = encode(g, h, eid, later);
        char *t2 = json_dumps(o2, JSON_COMPACT);
        json_decref(o2);
        st = t2 ? send(&em, t2, strlen(t2), eid, "valid", "ALREADY_ENROLLED", expected_decision(h, true))
                : FM_ENOMEM;
        free(t2);
    }
    free(text);
    if (st != FM_OK)
        return st;
    /* Issue 16: the policy's life (the last draws of the household, so its enrollment is the same either
     * way). */
    bool changed = kind == K_VALID && !already_enrolled && h->accepted && g->cfg.policy_terms != NULL &&
                   wg_rng_chance(r, s->policy);
    if (changed && (st = emit_policy(g, h, r, emit, arg)) != FM_OK)
        return st;

    if (h->accepted) {
        for (int i = 0; i < h->n_members; i++) /* remember an insured adult for shared_person */
            if (h->members[i].role != WG_ROLE_CHILD && h->members[i].insured &&
                h->members[i].mreason == M_NONE) {
                memcpy(g->shared_id, h->members[i].canon, sizeof g->shared_id);
                memcpy(g->shared_name, h->members[i].name, sizeof g->shared_name);
                g->shared_male = h->members[i].male;
                g->have_shared = true;
                break;
            }
        /* A changed policy is left out of the claims mode's list: its claims' labels know no changes. */
        if (policy != NULL && !changed && (*policy = policy_line(h)) == NULL)
            return FM_ENOMEM;
    }
    return FM_OK;
}
