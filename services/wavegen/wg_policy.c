/* wg_policy.c — policy events through the year with their intended decisions (issue 16), from the
 * generator's own arithmetic: pro rata by days of cover left, down to the fen. */
#include "wg_policy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_date.h"

static bool is(json_t *o, const char *key, const char *value)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL && strcmp(v, value) == 0;
}

fm_status wg_policy_terms_load(const char *dir, int year, wg_policy_terms *out, fm_error *err)
{
    /* The catalogue's defaults (fm_policy_terms_default): days everywhere, no premium tracking, 30 days. */
    *out = (wg_policy_terms){true, true, true, 1, false, 30};
    char path[1024];
    snprintf(path, sizeof path, "%s/plan-%d.json", dir, year);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        fm_error_set(err, "plan", "UNREADABLE", "%s: %s", path, jerr.text);
        return FM_EIO;
    }
    json_t *p = json_object_get(root, "policy_changes");
    if (json_is_object(p)) {
        out->premium_difference_days = is(p, "premium_difference", "days");
        out->category_a_loss_days = is(p, "category_a_loss_reversal", "days");
        out->refund_days = is(p, "cancellation_refund", "days");
        out->cancel_reversal = is(p, "cancellation_subsidy_reversal", "days")   ? 1
                               : is(p, "cancellation_subsidy_reversal", "full") ? 2
                                                                                : 0;
        out->tracking = json_is_true(json_object_get(p, "premium_tracking"));
        out->grace_days = (int32_t)json_integer_value(json_object_get(p, "premium_grace_days"));
    }
    json_decref(root);
    return FM_OK;
}

/* The household's policy as the generator follows it through its events. */
typedef struct state {
    char category;
    int n_children;
    int64_t premium, subsidy, reversed, self_paid, paid;
    bool cancelled;
} state;

static int64_t price(const wg_plan *plan, char category, int n)
{
    return category == 'A' ? plan->premium_a[n] : plan->premium_b[n];
}

static int64_t pro_rata(int64_t amount, int32_t left, int32_t total)
{
    return left <= 0 ? 0 : left >= total ? amount : amount * left / total;
}

typedef struct out_event {
    const wg_policy_household *h;
    wg_emit_fn emit;
    void *arg;
    int seq;
} out_event;

/* Sends one event (body: the fields after the envelope) and its label; takes both references. */
static fm_status send(out_event *o, const char *type, int32_t on, json_t *body, json_t *expected)
{
    char eid[96], day[11], at[40];
    snprintf(eid, sizeof eid, "%.56s-p%d", o->h->event_id, ++o->seq);
    wg_date_format(on, day);
    snprintf(at, sizeof at, "%sT10:00:00+08:00", day);
    json_t *e = json_object();
    json_object_set_new(e, "event_id", json_string(eid));
    json_object_set_new(e, "type", json_string(type));
    json_object_set_new(e, "schema_version", json_integer(1));
    json_object_set_new(e, "occurred_at", json_string(at));
    json_object_set_new(e, "producer", json_string(o->h->producer));
    json_object_set_new(e, "household_id", json_string(o->h->household_id));
    json_object_set_new(e, "plan_year", json_integer(json_integer_value(json_object_get(body, "_year"))));
    json_object_del(body, "_year");
    json_object_set_new(e, "effective_on", json_string(day));
    json_object_update(e, body);
    json_decref(body);
    json_t *label = json_object();
    json_object_set_new(label, "event_id", json_string(eid));
    json_object_set_new(label, "key", json_string(o->h->household_id));
    json_object_set_new(label, "kind", json_string("policy"));
    json_object_set_new(label, "fault", json_null());
    json_object_set_new(label, "expected", expected);
    char *payload = json_dumps(e, JSON_COMPACT), *text = json_dumps(label, JSON_COMPACT);
    fm_status st = FM_ENOMEM;
    if (payload != NULL && text != NULL) {
        wg_message m = {.key = o->h->household_id,
                        .key_len = strlen(o->h->household_id),
                        .payload = payload,
                        .len = strlen(payload),
                        .label = text,
                        .kind = "policy",
                        .fault = NULL,
                        .unit = NULL,
                        .outcome = json_string_value(json_object_get(expected, "outcome"))};
        st = o->emit(o->arg, &m);
    }
    free(payload);
    free(text);
    json_decref(e);
    json_decref(label);
    return st;
}

static json_t *expect(const char *change, bool accepted, const char *reason, const state *s, int64_t delta,
                      int64_t refund, int64_t reversal)
{
    json_t *x = json_object();
    json_object_set_new(x, "change", json_string(change));
    json_object_set_new(x, "outcome", json_string(accepted ? "accepted" : "refused"));
    json_t *rs = json_array();
    if (reason != NULL)
        json_array_append_new(rs, json_string(reason));
    json_object_set_new(x, "reasons", rs);
    json_object_set_new(x, "category_after", json_stringn(&s->category, 1));
    json_object_set_new(x, "premium_delta", json_integer(delta));
    json_object_set_new(x, "refund", json_integer(refund));
    json_object_set_new(x, "subsidy_reversal", json_integer(reversal));
    return x;
}

static json_t *body_of(int year)
{
    json_t *b = json_object();
    json_object_set_new(b, "_year", json_integer(year));
    return b;
}

/* A child born on `on`: covered from the next day; A is lost (one child: the certificate's only child; two:
 * a third child), B beyond the plan's maximum is refused. */
static fm_status newborn(const wg_plan *plan, const wg_policy_terms *t, wg_idreg *ids, wg_rng *r,
                         out_event *o, state *s, int32_t on)
{
    const wg_policy_household *h = o->h;
    bool male = wg_rng_chance(r, 0.5);
    char id[19];
    fm_status st = wg_idreg_issue(ids, h->area_index, on, male, id);
    if (st != FM_OK)
        return st;
    json_t *b = body_of(plan->plan_year), *m = json_object();
    char name[40];
    snprintf(name, sizeof name, "%s宝宝", h->surname);
    json_object_set_new(m, "role", json_string("child"));
    json_object_set_new(m, "id_number", json_string(id));
    json_object_set_new(m, "name", json_string(name));
    json_object_set_new(b, "member", m);
    int32_t total = h->cov_end - h->cov_start + 1, left = h->cov_end - on;
    if (on >= h->cov_end)
        return send(o, "policy.member_added", on, b,
                    expect("member_added", false, "CHANGE_OUTSIDE_COVERAGE", s, 0, 0, 0));
    char cat = s->category;
    const char *note = NULL;
    if (cat == 'A') { /* the generator's households: A means one child, or two daughters (a third: B) */
        cat = 'B';
        note = "CATEGORY_A_EVIDENCE_LOST";
    }
    int n = s->n_children + 1;
    if (cat == 'B' && n > plan->max_children_b)
        return send(o, "policy.member_added", on, b,
                    expect("member_added", false, "TOO_MANY_CHILDREN", s, 0, 0, 0));
    int64_t after = price(plan, cat, n);
    int64_t delta = t->premium_difference_days ? pro_rata(after - s->premium, left, total) : 0;
    int64_t reversal = 0;
    if (note != NULL && t->category_a_loss_days)
        reversal = pro_rata(s->subsidy, left, total);
    s->category = cat;
    s->n_children = n;
    s->premium = after;
    s->self_paid += delta + reversal;
    s->reversed += reversal;
    return send(o, "policy.member_added", on, b, expect("member_added", true, note, s, delta, 0, reversal));
}

static fm_status removal(const wg_plan *plan, const wg_policy_terms *t, out_event *o, state *s, int32_t on)
{
    const wg_policy_household *h = o->h;
    json_t *b = body_of(plan->plan_year);
    json_object_set_new(b, "id_number", json_string(h->child_ids[h->n_children - 1]));
    if (s->n_children <= 1)
        return send(o, "policy.member_removed", on, b,
                    expect("member_removed", false, "NO_ELIGIBLE_CHILD", s, 0, 0, 0));
    int32_t total = h->cov_end - h->cov_start + 1, left = h->cov_end - on;
    int64_t after = price(plan, s->category, s->n_children - 1);
    int64_t delta = t->premium_difference_days ? pro_rata(after - s->premium, left, total) : 0;
    s->n_children--;
    s->premium = after;
    s->self_paid += delta;
    return send(o, "policy.member_removed", on, b, expect("member_removed", true, NULL, s, delta, 0, 0));
}

static fm_status cancel(const wg_plan *plan, const wg_policy_terms *t, out_event *o, state *s, int32_t on)
{
    const wg_policy_household *h = o->h;
    if (s->cancelled)
        return send(o, "policy.cancelled", on, body_of(plan->plan_year),
                    expect("cancelled", false, "POLICY_CANCELLED", s, 0, 0, 0));
    int32_t total = h->cov_end - h->cov_start + 1, left = h->cov_end - on;
    int64_t base = s->self_paid;
    if (t->tracking && s->paid < base)
        base = s->paid;
    int64_t refund = t->refund_days && base > 0 ? pro_rata(base, left, total) : 0;
    int64_t reversal = 0;
    if (s->category == 'A') {
        reversal = t->cancel_reversal == 1   ? pro_rata(s->subsidy, left, total)
                   : t->cancel_reversal == 2 ? s->subsidy
                                             : 0;
        if (reversal > s->subsidy - s->reversed)
            reversal = s->subsidy - s->reversed;
    }
    s->cancelled = true;
    s->reversed += reversal;
    return send(o, "policy.cancelled", on, body_of(plan->plan_year),
                expect("cancelled", true, NULL, s, 0, refund, reversal));
}

fm_status wg_policy_emit(const wg_plan *plan, const wg_policy_terms *t, wg_idreg *ids, wg_rng *r,
                         const wg_policy_household *h, wg_emit_fn emit, void *arg)
{
    out_event o = {.h = h, .emit = emit, .arg = arg};
    state s = {.category = h->category,
               .n_children = h->n_children,
               .premium = h->premium,
               .subsidy = h->subsidy,
               .self_paid = h->premium - h->subsidy};
    fm_status st = FM_OK;
    int32_t span = h->cov_end - h->cov_start;
    /* Half the households pay their premium within the grace period (an on-time payment: no note). */
    if (wg_rng_chance(r, 0.5) && s.self_paid > 0) {
        int32_t on = h->cov_start + (int32_t)wg_rng_below(r, (uint32_t)(t->grace_days + 1));
        json_t *b = body_of(plan->plan_year);
        char ref[48];
        snprintf(ref, sizeof ref, "PAY-%.30s", h->household_id);
        json_object_set_new(b, "amount", json_integer(s.self_paid));
        json_object_set_new(b, "reference", json_string(ref));
        s.paid = s.self_paid;
        if ((st = send(&o, "policy.premium_paid", on, b, expect("premium_paid", true, NULL, &s, 0, 0, 0))) !=
            FM_OK)
            return st;
    }
    /* Then one member change or none, on a day of the cover (plan end included: a boundary). */
    int32_t on = h->cov_start + (int32_t)wg_rng_below(r, (uint32_t)span + 1);
    switch (wg_rng_below(r, 3)) {
    case 0: st = newborn(plan, t, ids, r, &o, &s, on); break;
    case 1: st = removal(plan, t, &o, &s, on); break;
    default: break;
    }
    if (st != FM_OK || !wg_rng_chance(r, 0.6))
        return st;
    /* A cancellation on or after it, now and then sent twice. */
    int32_t at = on + (int32_t)wg_rng_below(r, (uint32_t)(h->cov_end - on) + 1);
    if ((st = cancel(plan, t, &o, &s, at)) == FM_OK && wg_rng_chance(r, 0.2))
        st = cancel(plan, t, &o, &s, at + (at < h->cov_end ? 1 : 0));
    return st;
}
