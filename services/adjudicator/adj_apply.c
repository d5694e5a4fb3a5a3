/* adj_apply.c — deciding one claim or one review inside the batch transaction: look up, decide, record, publish. */
#include "adj_apply.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adj_signals.h"
#include "fm_encode.h"
#include "fm_explain.h"
#include "fm_person.h"

#define DECIDED_PREFIX "famins-clm-dec-"
#define EXPLAIN_LEN 512

void adj_output_free(adj_output *o)
{
    if (o == NULL)
        return;
    free(o->key);
    free(o->payload);
    memset(o, 0, sizeof *o);
}

/* 64-bit FNV-1a with a chosen offset basis: two bases give 128 bits, plenty to tell event ids apart. */
static uint64_t fnv1a(const char *s, uint64_t h)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void adj_decided_event_id(const char *source_event_id, char out[65])
{
    const char *s = source_event_id ? source_event_id : "";
    if (strlen(DECIDED_PREFIX) + strlen(s) <= 64) {
        snprintf(out, 65, DECIDED_PREFIX "%s", s);
        return;
    }
    snprintf(out, 65, DECIDED_PREFIX "h%016llx%016llx", (unsigned long long)fnv1a(s, 0xcbf29ce484222325ULL),
             (unsigned long long)fnv1a(s, 0x84222325cbf29ce4ULL));
}

void adj_now_shanghai(char out[32])
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

const fm_plan *adj_plan_for_claim(const fm_plan_catalogue *cat, const fm_claim_context *ctx, fm_date incident)
{
    if (cat == NULL || cat->n_plans == 0)
        return NULL;
    if (ctx->policy_found)
        return fm_plan_for_year(cat, ctx->plan_year);
    const fm_plan *best = &cat->plans[0];
    for (size_t i = 0; i < cat->n_plans; i++) {
        const fm_plan *p = &cat->plans[i];
        if (p->start <= incident && incident <= p->end)
            return p;
        if (p->start <= incident)
            best = p;
    }
    return best;
}

/* The plan with the configured review threshold (a shallow copy: the catalogue keeps owning its lists). */
static fm_status choose_plan(const adj_env *env, const fm_claim_context *ctx, fm_date incident, fm_plan *out,
                             fm_error *err)
{
    const fm_plan *p = adj_plan_for_claim(env->catalogue, ctx, incident);
    if (p == NULL) {
        fm_error_set(err, "plan_year", "PLAN_YEAR_NOT_IN_CATALOGUE",
                     "no plan for plan year %d in the catalogue (FAMINS_PLAN_DIR)", ctx->plan_year);
        return FM_ECONFIG;
    }
    *out = *p;
    if (env->cfg.review_threshold_override)
        out->review_threshold = env->cfg.review_threshold;
    return FM_OK;
}

/* The "parameters" object of the decision (codec's choice of fields) as compact JSON, and the explanations. */
static fm_status describe(const fm_claim *c, const fm_claim_decision *d, const fm_review *r, char **params_json,
                          char en[EXPLAIN_LEN], char zh[EXPLAIN_LEN])
{
    json_t *body = NULL;
    *params_json = NULL;
    fm_status st = fm_claim_decision_json(c, d, r, false, &body);
    if (st != FM_OK)
        return st;
    json_t *params = json_object_get(body, "parameters");
    *params_json = params ? json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
    json_decref(body);
    if (*params_json == NULL)
        return FM_ENOMEM;
    /* A truncated line is still a line (cut at a character boundary); an empty one is not allowed. */
    (void)fm_explain_claim(d, c->liability, FM_LANG_EN, en, EXPLAIN_LEN);
    (void)fm_explain_claim(d, c->liability, FM_LANG_ZH, zh, EXPLAIN_LEN);
    if (en[0] == '\0')
        snprintf(en, EXPLAIN_LEN, "%s", fm_claim_outcome_name(d->outcome));
    if (zh[0] == '\0')
        snprintf(zh, EXPLAIN_LEN, "%s", fm_claim_outcome_name(d->outcome));
    return FM_OK;
}

static fm_status publish(const fm_claim *c, const fm_claim_decision *d, const fm_review *r, const char *source_event_id,
                         const char *occurred_at, adj_output *out, fm_error *err)
{
    adj_decided_event_id(source_event_id, out->event_id);
    fm_status st = fm_encode_claim_decided(c, d, r, out->event_id, occurred_at, &out->payload);
    if (st == FM_OK && (out->key = strdup(c->policy_number)) == NULL)
        st = FM_ENOMEM;
    if (st != FM_OK) {
        fm_error_set(err, "claim.decided", st == FM_ENOMEM ? "ENOMEM" : "ENCODE_FAILED",
                     "could not encode claim.decided");
        adj_output_free(out);
        return st;
    }
    out->outcome = d->outcome;
    out->payable = d->payable;
    return FM_OK;
}

fm_status adj_apply_claim(const adj_env *env, PGconn *conn, const adj_source *src, const fm_claim *c,
                          const char *occurred_at, adj_output *out, fm_error *err)
{
    char person_key[FM_PERSON_KEY_LEN], masked[FM_PERSON_MASK_LEN];
    char en[EXPLAIN_LEN] = "", zh[EXPLAIN_LEN] = "";
    char *params_json = NULL;
    adj_facts f;
    fm_plan plan;
    fm_claim_decision d;
    adj_signals signals;
    fm_fen claimed = 0;
    fm_status st;
    memset(out, 0, sizeof *out);

    if (c->event_id == NULL || c->event_id[0] == '\0') {
        fm_error_set(err, "event_id", "REQUIRED", "a claim event carries an event_id");
        return FM_EINVAL;
    }
    if (fm_person_key(env->person_key_secret, c->insured_id_number, person_key) != FM_OK) {
        fm_error_set(err, "insured_id_number", "INVALID_ID_NUMBER", "the insured identity number cannot be keyed");
        return FM_EINVAL;
    }
    fm_person_mask(c->insured_id_number, masked);
    if ((st = adj_store_lookup(conn, c->policy_number, person_key, c->claim_id, c->event_id, &f, err)) != FM_OK)
        return st;
    if (f.event_seen) {
        fm_error_set(err, "event_id", "EVENT_ID_CONFLICT", "event %s already recorded another claim", c->event_id);
        return FM_EINVAL;
    }
    if (f.claim_exists) {
        fm_error_set(err, "claim_id", "DUPLICATE_CLAIM_ID",
                     "claim %s is already recorded under another event; the first claim stands", c->claim_id);
        return FM_EINVAL;
    }
    if ((st = choose_plan(env, &f.ctx, c->incident_date, &plan, err)) != FM_OK)
        return st;
    if ((st = adj_store_claimed_bills(conn, c, NULL, true, f.ctx.bill_already_claimed, err)) != FM_OK)
        return st;
    if ((st = fm_decide_claim(&plan, c, &f.ctx, &d, err)) != FM_OK)
        return st;
    if ((st = adj_find_signals(&env->cfg, &plan, c, &f.ctx, &d, &signals, err)) != FM_OK)
        return st;
    if ((st = adj_claimed_amount(c, &claimed, err)) != FM_OK)
        return st;
    if ((st = describe(c, &d, NULL, &params_json, en, zh)) != FM_OK) {
        fm_error_set(err, "claim.decided", "ENOMEM", "could not describe the decision");
        return st;
    }
    if ((st = adj_store_insert_claim(conn, c, person_key, masked, &f, claimed, &d, err)) != FM_OK ||
        (st = adj_store_insert_decision(conn, c->claim_id, c->event_id, "initial", &d, params_json, en, zh, src, NULL,
                                        err)) != FM_OK ||
        (st = adj_store_save_usage(conn, c, f.ctx.plan_year, person_key, c->policy_number, &d, err)) != FM_OK ||
        (st = adj_store_insert_signals(conn, c, &f, &signals, err)) != FM_OK)
        goto done;
    st = publish(c, &d, NULL, c->event_id, occurred_at, out, err);
done:
    free(params_json);
    return st;
}

fm_status adj_apply_review(const adj_env *env, PGconn *conn, const adj_source *src, const fm_review *r,
                           const char *occurred_at, adj_output *out, fm_error *err)
{
    adj_stored_claim sc;
    adj_facts f;
    fm_plan plan;
    fm_claim_decision d;
    char en[EXPLAIN_LEN] = "", zh[EXPLAIN_LEN] = "";
    char *params_json = NULL;
    int64_t decision_id = 0;
    bool found = false;
    memset(out, 0, sizeof *out);

    if (r->event_id == NULL || r->event_id[0] == '\0') {
        fm_error_set(err, "event_id", "REQUIRED", "a review event carries an event_id");
        return FM_EINVAL;
    }
    fm_status st = adj_store_load_claim(conn, r->claim_id, &sc, &found, err);
    if (st != FM_OK)
        return st;
    if (!found) {
        fm_error_set(err, "claim_id", "REVIEW_NOT_APPLICABLE", "no claim %s is recorded", r->claim_id);
        return FM_EINVAL;
    }
    if (strcmp(sc.claim.policy_number, r->policy_number) != 0) {
        fm_error_set(err, "policy_number", "REVIEW_NOT_APPLICABLE", "claim %s belongs to policy %s, not %s",
                     r->claim_id, sc.claim.policy_number, r->policy_number);
        st = FM_EINVAL;
        goto done;
    }
    if (strcmp(sc.status, "pending_review") != 0) {
        fm_error_set(err, "claim_id", "REVIEW_NOT_APPLICABLE", "claim %s is %s, not pending_review", r->claim_id,
                     sc.status);
        st = FM_EINVAL;
        goto done;
    }
    if ((st = adj_store_lookup(conn, sc.claim.policy_number, sc.person_key, NULL, NULL, &f, err)) != FM_OK ||
        (st = choose_plan(env, &f.ctx, sc.claim.incident_date, &plan, err)) != FM_OK ||
        (st = adj_store_claimed_bills(conn, &sc.claim, sc.claim.claim_id, false, f.ctx.bill_already_claimed, err)) !=
            FM_OK ||
        (st = fm_decide_review(&plan, &sc.claim, &f.ctx, r, &d, err)) != FM_OK)
        goto done;
    if ((st = describe(&sc.claim, &d, r, &params_json, en, zh)) != FM_OK) {
        fm_error_set(err, "claim.decided", "ENOMEM", "could not describe the decision");
        goto done;
    }
    if ((st = adj_store_insert_decision(conn, sc.claim.claim_id, r->event_id, "review", &d, params_json, en, zh, src,
                                        &decision_id, err)) != FM_OK ||
        (st = adj_store_update_claim(conn, sc.claim.claim_id, &d, err)) != FM_OK ||
        (st = adj_store_save_usage(conn, &sc.claim, f.ctx.plan_year, sc.person_key, sc.claim.policy_number, &d,
                                   err)) != FM_OK ||
        (st = adj_store_insert_review(conn, r, sc.status, &d, decision_id, err)) != FM_OK)
        goto done;
    st = publish(&sc.claim, &d, r, r->event_id, occurred_at, out, err);
done:
    free(params_json);
    adj_stored_claim_free(&sc);
    return st;
}
