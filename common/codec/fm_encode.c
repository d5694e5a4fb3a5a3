/* fm_encode.c — writing famins' output events (enrollment.decided, subsidy.allocated, claim.decided) as JSON.
 */
#include "fm_encode.h"

#include "fm_canon.h"
#include "fm_dates.h"
#include "fm_explain.h"
#include "fm_reasons.h"

#include <stdlib.h>
#include <string.h>

/* Sets o[key] = v, taking v; a NULL v (a failed allocation) or a failed set counts as a failure.
 * Building goes on after a failure and the caller checks the count once, which keeps the builders flat. */
static int set(json_t *o, const char *key, json_t *v)
{
    if (v == NULL)
        return 1;
    return json_object_set_new(o, key, v) != 0;
}

static int push(json_t *a, json_t *v)
{
    if (v == NULL)
        return 1;
    return json_array_append_new(a, v) != 0;
}

static json_t *str_or_null(const char *s)
{
    return (s != NULL && s[0] != '\0') ? json_string(s) : json_null();
}

static json_t *date_json(fm_date d)
{
    char buf[FM_DATE_TEXT_LEN];
    if (fm_date_format(d, buf, sizeof buf) != FM_OK)
        return NULL;
    return json_string(buf);
}

/* {code} or {code, member_index}, with labels when asked. */
static json_t *reason_json(fm_reason r, long member_index, bool labels)
{
    json_t *o = json_object();
    int bad = 0;
    if (o == NULL)
        return NULL;
    bad += set(o, "code", json_string(fm_reason_id(r)));
    if (member_index >= 0)
        bad += set(o, "member_index", json_integer(member_index));
    if (labels) {
        bad += set(o, "en", json_string(fm_reason_label_en(r)));
        bad += set(o, "zh", json_string(fm_reason_label_zh(r)));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *codes_json(const fm_reason *r, size_t n)
{
    json_t *a = json_array();
    int bad = 0;
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        bad += push(a, json_string(fm_reason_id(r[i])));
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *explanation_json(const char *en, const char *zh)
{
    json_t *o = json_object();
    int bad = 0;
    if (o == NULL)
        return NULL;
    bad += set(o, "en", json_string(en));
    bad += set(o, "zh", json_string(zh));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* fm_enrollment_decision_json with the explanation x (NULL: built here). */
static fm_status enrollment_body(const fm_enrollment *e, const fm_enrollment_decision *d, bool labels,
                                 const fm_explanation *x, json_t **out)
{
    fm_explanation built;
    json_t *o = json_object(), *reasons = json_array(), *members = json_array();
    int bad = (o == NULL) + (reasons == NULL) + (members == NULL);
    bool accepted = d->outcome == FM_ENROLLMENT_ACCEPTED;

    *out = NULL;
    if (bad)
        goto fail;
    if (d->n_members > e->n_members || d->n_members > FM_MAX_MEMBERS) {
        json_decref(o);
        json_decref(reasons);
        json_decref(members);
        return FM_EINVAL;
    }
    if (x == NULL) {
        fm_explain_enrollment_both(d, &built);
        x = &built;
    }

    bad += set(o, "source_event_id", str_or_null(e->event_id));
    bad += set(o, "household_id", json_string(e->household_id));
    bad += set(o, "plan_year", json_integer(e->plan_year));
    bad += set(o, "managing_unit", json_string(e->managing_unit));
    bad += set(o, "outcome", json_string(fm_enrollment_outcome_name(d->outcome)));
    bad += set(o, "category",
               d->category == FM_CATEGORY_NONE ? json_null() : json_string(fm_category_name(d->category)));
    bad += set(o, "policy_number", str_or_null(d->policy_number));
    for (size_t i = 0; i < d->n_reasons; i++)
        bad += push(reasons, reason_json(d->reasons[i], -1, labels));
    for (size_t m = 0; m < d->n_members; m++)
        for (size_t i = 0; i < d->members[m].n_reasons; i++)
            bad += push(reasons, reason_json(d->members[m].reasons[i], (long)m, labels));
    bad += set(o, "reasons", reasons);
    reasons = NULL;
    bad += set(o, "applicant_reasons", codes_json(d->applicant_reasons, d->n_applicant_reasons));
    bad += set(o, "notes", codes_json(d->notes, d->n_notes));
    for (size_t m = 0; m < d->n_members; m++) {
        json_t *mo = json_object();
        if (mo == NULL) {
            bad++;
            continue;
        }
        bad += set(mo, "index", json_integer((json_int_t)m));
        bad += set(mo, "role", json_string(fm_role_name(e->members[m].role)));
        bad += set(mo, "status", json_string(d->members[m].insured ? "insured" : "excluded"));
        bad += set(mo, "reasons", codes_json(d->members[m].reasons, d->members[m].n_reasons));
        bad += push(members, mo);
    }
    bad += set(o, "members", members);
    members = NULL;
    bad += set(o, "premium", json_integer(d->premium));
    bad += set(o, "subsidy", json_integer(d->subsidy));
    bad += set(o, "self_paid", json_integer(d->self_paid));
    if (accepted && d->category == FM_CATEGORY_A) {
        json_t *split = json_object();
        if (split != NULL) {
            bad += set(split, "city", json_integer(d->subsidy_split.city));
            bad += set(split, "district_or_county", json_integer(d->subsidy_split.district_or_county));
            bad += set(split, "development_zone", json_integer(d->subsidy_split.development_zone));
        }
        bad += set(o, "subsidy_split", split);
    } else {
        bad += set(o, "subsidy_split", json_null());
    }
    bad += set(o, "coverage_start", accepted ? date_json(d->coverage_start) : json_null());
    bad += set(o, "coverage_end", accepted ? date_json(d->coverage_end) : json_null());
    bad += set(o, "plan_version", str_or_null(d->plan_version));
    bad += set(o, "explanation", explanation_json(x->en, x->zh));
    if (bad)
        goto fail;
    *out = o;
    return FM_OK;
fail:
    json_decref(o);
    json_decref(reasons);
    json_decref(members);
    return FM_ENOMEM;
}

fm_status fm_enrollment_decision_json(const fm_enrollment *e, const fm_enrollment_decision *d, bool labels,
                                      json_t **out)
{
    return enrollment_body(e, d, labels, NULL, out);
}

static bool has_reason(const fm_claim_decision *d, fm_reason r)
{
    for (size_t i = 0; i < d->n_reasons; i++)
        if (d->reasons[i] == r)
            return true;
    return false;
}

static json_t *signals_json(const fm_claim_decision *d)
{
    json_t *a = json_array();
    int bad = 0;
    bool excluded = false;
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < d->n_bills && i < FM_MAX_BILLS; i++)
        excluded = excluded || d->bill_excluded[i];
    if (excluded || has_reason(d, FM_REASON_DUPLICATE_INVOICE))
        bad += push(a, json_string(fm_reason_id(FM_REASON_DUPLICATE_INVOICE)));
    if (has_reason(d, FM_REASON_NOT_IN_FORCE))
        bad += push(a, json_string(fm_reason_id(FM_REASON_NOT_IN_FORCE)));
    if (has_reason(d, FM_REASON_PERSON_DECEASED))
        bad += push(a, json_string(fm_reason_id(FM_REASON_PERSON_DECEASED)));
    if (d->cause_implausible) /* claim-rules (issue 15): an accident cause the diagnosis does not bear */
        bad += push(a, json_string("CAUSE_IMPLAUSIBLE"));
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *parameters_json(const fm_claim_decision *d)
{
    const fm_claim_params *p = &d->applied;
    json_t *o = json_object();
    int bad = 0;
    if (o == NULL)
        return NULL;
    if (d->plan_version[0])
        bad += set(o, "plan_version", json_string(d->plan_version));
        /* 0 means "not relevant to this liability" in fm_claim_params: those are left out. */
#define PARAM(name)                                                                                          \
    if (p->name != 0)                                                                                        \
    bad += set(o, #name, json_integer(p->name))
    PARAM(sum_insured);
    PARAM(grade);
    PARAM(grade_bp);
    PARAM(deductible);
    PARAM(deductible_applied);
    PARAM(ratio_bp);
    PARAM(person_limit);
    PARAM(household_limit);
    PARAM(waiting_days);
    PARAM(review_threshold);
#undef PARAM
    if (p->household_shared)
        bad += set(o, "household_shared", json_true());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *review_json(const fm_review *r)
{
    json_t *o = json_object();
    int bad = 0;
    if (o == NULL)
        return NULL;
    bad += set(o, "event_id", str_or_null(r->event_id));
    bad += set(o, "reviewer", json_string(r->reviewer ? r->reviewer : ""));
    bad += set(o, "action", json_string(fm_review_action_name(r->action)));
    bad += set(o, "amount", r->has_amount ? json_integer(r->amount) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* fm_claim_decision_json with the explanation x (NULL: built here). */
static fm_status claim_body(const fm_claim *c, const fm_claim_decision *d, const fm_review *review,
                            bool labels, const fm_explanation *x, json_t **out)
{
    fm_explanation built;
    json_t *o = json_object(), *reasons = json_array();
    int bad = (o == NULL) + (reasons == NULL);
    *out = NULL;
    if (bad)
        goto fail;
    if (x == NULL) {
        fm_explain_claim_both(d, c->liability, &built);
        x = &built;
    }
    bad += set(o, "source_event_id", str_or_null(review ? review->event_id : c->event_id));
    bad += set(o, "claim_id", json_string(c->claim_id));
    bad += set(o, "policy_number", json_string(c->policy_number));
    bad += set(o, "liability", json_string(fm_liability_name(c->liability)));
    bad += set(o, "outcome", json_string(fm_claim_outcome_name(d->outcome)));
    bad += set(o, "payable", json_integer(d->payable));
    bad += set(o, "full", json_integer(d->full));
    for (size_t i = 0; i < d->n_reasons; i++)
        bad += push(reasons,
                    labels ? reason_json(d->reasons[i], -1, true) : json_string(fm_reason_id(d->reasons[i])));
    bad += set(o, "reasons", reasons);
    reasons = NULL;
    bad += set(o, "signals", signals_json(d));
    bad += set(o, "parameters", parameters_json(d));
    bad += set(o, "explanation", explanation_json(x->en, x->zh));
    bad += set(o, "review", review ? review_json(review) : json_null());
    if (bad)
        goto fail;
    *out = o;
    return FM_OK;
fail:
    json_decref(o);
    json_decref(reasons);
    return FM_ENOMEM;
}

/* Puts the envelope in front of body's fields and dumps the whole compactly. Takes body. */
static fm_status finish(json_t *body, const char *type, const char *event_id, const char *occurred_at,
                        char **json_out)
{
    json_t *o = json_object();
    int bad = (o == NULL);
    const char *key;
    json_t *v;
    if (!bad) {
        bad += set(o, "event_id", json_string(event_id));
        bad += set(o, "type", json_string(type));
        bad += set(o, "schema_version", json_integer(1));
        bad += set(o, "occurred_at", json_string(occurred_at));
        bad += set(o, "producer", json_string(FM_PRODUCER));
        json_object_foreach(body, key, v) bad += set(o, key, json_incref(v));
    }
    json_decref(body);
    if (bad) {
        json_decref(o);
        return FM_ENOMEM;
    }
    /* json_dumps' text, without its per-node loop check (fm_canon.h): every decision passes here. */
    fm_status st = fm_canon_dumps(o, false, json_out);
    json_decref(o);
    return st;
}

fm_status fm_encode_enrollment_decided(const fm_enrollment *e, const fm_enrollment_decision *d,
                                       const char *event_id, const char *occurred_at, char **json_out)
{
    return fm_encode_enrollment_decided_explained(e, d, NULL, event_id, occurred_at, json_out);
}

fm_status fm_encode_enrollment_decided_explained(const fm_enrollment *e, const fm_enrollment_decision *d,
                                                 const fm_explanation *x, const char *event_id,
                                                 const char *occurred_at, char **json_out)
{
    json_t *body = NULL;
    *json_out = NULL;
    /* source_event_id is how consumers deduplicate: an event without it would be refused by them. */
    if (event_id == NULL || occurred_at == NULL || e->event_id == NULL)
        return FM_EINVAL;
    fm_status st = enrollment_body(e, d, false, x, &body);
    if (st != FM_OK)
        return st;
    return finish(body, "enrollment.decided", event_id, occurred_at, json_out);
}

fm_status fm_encode_subsidy_allocated(const fm_enrollment *e, const fm_enrollment_decision *d,
                                      const char *source_event_id, const char *event_id,
                                      const char *occurred_at, char **json_out)
{
    static const char *const names[3] = {"city", "district_or_county", "development_zone"};
    fm_fen amounts[3] = {d->subsidy_split.city, d->subsidy_split.district_or_county,
                         d->subsidy_split.development_zone};
    *json_out = NULL;
    if (source_event_id == NULL || event_id == NULL || occurred_at == NULL ||
        d->outcome != FM_ENROLLMENT_ACCEPTED || d->category != FM_CATEGORY_A)
        return FM_EINVAL;
    json_t *body = json_object(), *payers = json_array();
    int bad = (body == NULL) + (payers == NULL);
    if (bad) {
        json_decref(body);
        json_decref(payers);
        return FM_ENOMEM;
    }
    bad += set(body, "source_event_id", json_string(source_event_id));
    bad += set(body, "household_id", json_string(e->household_id));
    bad += set(body, "plan_year", json_integer(e->plan_year));
    bad += set(body, "managing_unit", json_string(e->managing_unit));
    bad += set(body, "total", json_integer(d->subsidy));
    for (int i = 0; i < 3; i++) {
        if (amounts[i] == 0)
            continue;
        json_t *p = json_object();
        if (p != NULL) {
            bad += set(p, "payer", json_string(names[i]));
            bad += set(p, "amount", json_integer(amounts[i]));
        }
        bad += push(payers, p);
    }
    bad += set(body, "payers", payers);
    if (bad) {
        json_decref(body);
        return FM_ENOMEM;
    }
    return finish(body, "subsidy.allocated", event_id, occurred_at, json_out);
}

fm_status fm_claim_decision_json(const fm_claim *c, const fm_claim_decision *d, const fm_review *review,
                                 bool labels, json_t **out)
{
    return claim_body(c, d, review, labels, NULL, out);
}

fm_status fm_encode_claim_decided_params(const fm_claim *c, const fm_claim_decision *d,
                                         const fm_review *review, const char *event_id,
                                         const char *occurred_at, char **json_out, char **params_out)
{
    return fm_encode_claim_decided_explained(c, d, review, NULL, event_id, occurred_at, json_out, params_out);
}

fm_status fm_encode_claim_decided_explained(const fm_claim *c, const fm_claim_decision *d,
                                            const fm_review *review, const fm_explanation *x,
                                            const char *event_id, const char *occurred_at, char **json_out,
                                            char **params_out)
{
    json_t *body = NULL;
    *json_out = NULL;
    if (params_out != NULL)
        *params_out = NULL;
    if (event_id == NULL || occurred_at == NULL || (review ? review->event_id : c->event_id) == NULL)
        return FM_EINVAL;
    fm_status st = claim_body(c, d, review, false, x, &body);
    if (st != FM_OK)
        return st;
    if (params_out != NULL) {
        json_t *params = json_object_get(body, "parameters");
        if ((*params_out = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}")) ==
            NULL) {
            json_decref(body);
            return FM_ENOMEM;
        }
    }
    st = finish(body, "claim.decided", event_id, occurred_at, json_out);
    if (st != FM_OK && params_out != NULL) {
        free(*params_out);
        *params_out = NULL;
    }
    return st;
}

fm_status fm_encode_claim_decided(const fm_claim *c, const fm_claim_decision *d, const fm_review *review,
                                  const char *event_id, const char *occurred_at, char **json_out)
{
    return fm_encode_claim_decided_params(c, d, review, event_id, occurred_at, json_out, NULL);
}
