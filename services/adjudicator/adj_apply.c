/* adj_apply.c — deciding claims and reviews of a batch against its facts: prepare, decide, buffer, publish.
 */
#include "adj_apply.h"
#include "adj_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adj_signals.h"
#include "fm_encode.h"
#include "fm_event_id.h"
#include "fm_explain.h"
#include "fm_keyring.h"
#include "fm_person.h"

void adj_output_free(adj_output *o)
{
    if (o == NULL)
        return;
    free(o->key);
    free(o->payload);
    memset(o, 0, sizeof *o);
}

void adj_decided_event_id(const char *source_event_id, char out[FM_EVENT_ID_LEN + 1])
{
    /* The source id is checked before (REQUIRED); an empty one gives an empty id. */
    (void)fm_derived_event_id(&FM_ID_CLAIM_DECIDED, source_event_id, out);
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

/* The claim.decided event into out (its id, key and payload) and, from the same encoding, the decision's
 * "parameters" object as compact JSON (*params_json, for claim_decisions) and its two explanation lines (*x,
 * the ones the event carries). On failure out and *params_json are empty. */
static fm_status describe(const fm_claim *c, const fm_claim_decision *d, const fm_review *r,
                          const char *source_event_id, const char *occurred_at, adj_output *out,
                          char **params_json, fm_explanation *x, fm_error *err)
{
    adj_decided_event_id(source_event_id, out->event_id);
    /* Built once: the decision's record and its event carry the same two lines. */
    fm_explain_claim_both(d, c->liability, x);
    fm_status st =
        fm_encode_claim_decided_explained(c, d, r, x, out->event_id, occurred_at, &out->payload, params_json);
    if (st == FM_OK && (out->key = strdup(c->policy_number)) == NULL)
        st = FM_ENOMEM;
    if (st != FM_OK) {
        fm_error_set(err, "claim.decided", st == FM_ENOMEM ? FM_NO_MEMORY : "ENCODE_FAILED",
                     "could not encode claim.decided");
        free(*params_json);
        *params_json = NULL;
        adj_output_free(out);
        return st;
    }
    out->outcome = d->outcome;
    out->payable = d->payable;
    return FM_OK;
}

/* What the decision d added to the usage ctx had, into out (the payment step's reservation). */
static void reservation(const fm_claim_context *ctx, const fm_claim_decision *d, const char *person_key,
                        adj_output *out)
{
    if (!d->usage_changed || !ctx->policy_found)
        return;
    const fm_claim_usage *a = &ctx->usage, *n = &d->new_usage;
    fm_claim_usage *x = &out->usage_delta;
    out->reserved = true;
    out->plan_year = ctx->plan_year;
    snprintf(out->person_key, sizeof out->person_key, "%s", person_key);
    x->death_paid = n->death_paid - a->death_paid;
    x->disability_paid = n->disability_paid - a->disability_paid;
    x->ci_mild_paid = n->ci_mild_paid - a->ci_mild_paid;
    x->ci_severe_paid = n->ci_severe_paid - a->ci_severe_paid;
    for (int l = 0; l < FM_LIAB_COUNT; l++) {
        x->deductible_used[l] = n->deductible_used[l] - a->deductible_used[l];
        x->medical_paid[l] = n->medical_paid[l] - a->medical_paid[l];
        out->household_delta[l] = d->new_household_medical_paid[l] - ctx->household_medical_paid[l];
    }
}

/* ---- prepare ---- */

/* Appends a bill's invoice to the arrays codes/numbers (capacity checked by the caller). */
static void add_bills(const fm_claim *c, const char **codes, const char **numbers, size_t *n)
{
    size_t nb = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < nb; i++) {
        codes[*n] = c->bills[i].invoice_code;
        numbers[*n] = c->bills[i].invoice_number;
        (*n)++;
    }
}

/* A person's keys under every key of the ring, current first: "k2:<hex>,k1:<hex>" (key ids and hex hold no
 * ','). FM_EINVAL when the number cannot be keyed. */
typedef char person_keys[FM_KEYRING_MAX * FM_PERSON_KEY_LEN];

static fm_status keys_of(const fm_keyring *ring, const char *id_number,
                         char out[FM_KEYRING_MAX][FM_PERSON_KEY_LEN], size_t *n)
{
    *n = 0;
    if (ring == NULL || ring->n == 0)
        return FM_EINVAL;
    for (size_t i = 0; i < ring->n && i < FM_KEYRING_MAX; i++)
        if (fm_keyring_person_key(ring, i, id_number, out[(*n)++]) != FM_OK)
            return FM_EINVAL;
    return FM_OK;
}

static fm_status joined_keys_of(const fm_keyring *ring, const char *id_number, person_keys out)
{
    char keys[FM_KEYRING_MAX][FM_PERSON_KEY_LEN];
    size_t n = 0, used = 0;
    if (keys_of(ring, id_number, keys, &n) != FM_OK)
        return FM_EINVAL;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, sizeof(person_keys) - used, "%s%s", i ? "," : "", keys[i]);
    return FM_OK;
}

fm_status adj_prepare(const adj_env *env, PGconn *conn, adj_batch *b, const fm_claim *const *claims,
                      size_t n_claims, const fm_review *const *reviews, size_t n_reviews, fm_error *err)
{
    adj_fact_item *items = NULL;
    person_keys *keys = NULL;
    const char **ids = NULL, **codes = NULL, **numbers = NULL;
    fm_status st = FM_ENOMEM;
    size_t n_bills = 0, n_items = 0, n_locks = 0, n_inv = 0;

    /* 1. The reviewed claims the database holds (their rows locked), so that their persons' facts are read
     * next. */
    if (n_reviews > 0) {
        if ((ids = calloc(n_reviews, sizeof *ids)) == NULL)
            goto done;
        for (size_t i = 0; i < n_reviews; i++)
            ids[i] = reviews[i]->claim_id ? reviews[i]->claim_id : "";
        if ((st = adj_store_load_claims(conn, env->cache, b, ids, n_reviews, err)) != FM_OK)
            goto done;
        st = FM_ENOMEM;
        for (size_t i = 0; i < n_reviews; i++) {
            int created = 0;
            adj_claim_fact *f = fm_map_put(&b->claims, ids[i], sizeof *f, &created);
            if (f == NULL)
                goto done;
            if (created)
                f->stored = -1;
            f->reviewed = true;
        }
    }
    /* 2. The facts of every claim and every loaded claim, with the invoice locks of the new claims. */
    for (size_t i = 0; i < n_claims; i++)
        n_bills += claims[i]->n_bills < FM_MAX_BILLS ? claims[i]->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < b->n_stored; i++)
        n_bills += b->stored[i].claim.n_bills;
    items = calloc(n_claims + b->n_stored + 1, sizeof *items);
    keys = calloc(n_claims + 1, sizeof *keys);
    codes = calloc(n_bills + 1, sizeof *codes);
    numbers = calloc(n_bills + 1, sizeof *numbers);
    if (items == NULL || keys == NULL || codes == NULL || numbers == NULL)
        goto done;
    for (size_t i = 0; i < n_claims; i++) {
        const fm_claim *c = claims[i];
        /* A claim without an event id or with an identity number that cannot be keyed is a dead letter in
         * adj_decide_claim: nothing to read for it. */
        if (c->event_id == NULL || c->event_id[0] == '\0' ||
            joined_keys_of(env->keyring, c->insured_id_number, keys[i]) != FM_OK)
            continue;
        items[n_items++] = (adj_fact_item){.policy_number = c->policy_number,
                                           .person_keys = keys[i],
                                           .claim_id = c->claim_id,
                                           .event_id = c->event_id};
        add_bills(c, codes, numbers, &n_locks);
    }
    for (size_t i = 0; i < b->n_stored; i++)
        items[n_items++] = (adj_fact_item){.policy_number = b->stored[i].claim.policy_number,
                                           .person_keys = b->stored[i].person_key};
    if ((st = adj_store_load_facts(conn, env->cache, b, items, n_items, codes, numbers, n_locks, err)) !=
        FM_OK)
        goto done;
    /* 3. The invoices already claimed: a new statement after the locks. */
    n_inv = n_locks;
    for (size_t i = 0; i < b->n_stored; i++)
        add_bills(&b->stored[i].claim, codes, numbers, &n_inv);
    st = adj_store_load_invoices(conn, env->cache, b, codes, numbers, n_inv, err);
done:
    if (st == FM_ENOMEM)
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory preparing the batch");
    free(items);
    free(keys);
    free(ids);
    free(codes);
    free(numbers);
    return st;
}

/* ---- decide ---- */

/* What is known before deciding, from the batch's facts as its earlier events left them. */
typedef struct facts {
    const adj_policy_fact *policy;
    const adj_person_fact *person; /* NULL when the policy is unknown */
    fm_claim_context ctx;          /* bills: set by the caller */
} facts;

static fm_status not_prepared(fm_error *err, const char *what, const char *id)
{
    fm_error_set(err, "batch", "NOT_PREPARED", "%s %s was not given to prepare_batch", what, id ? id : "");
    return FM_ECONFIG;
}

static fm_status context_of(const adj_batch *b, const char *policy_number, const char *person_key, facts *f,
                            fm_error *err)
{
    char key[256];
    memset(f, 0, sizeof *f);
    if ((f->policy = fm_map_get(&b->policies, policy_number)) == NULL)
        return not_prepared(err, "policy", policy_number);
    fm_claim_context *x = &f->ctx;
    x->policy_found = f->policy->found;
    if (x->policy_found) {
        x->plan_year = f->policy->plan_year;
        x->coverage_start = f->policy->coverage_start;
        x->coverage_end = f->policy->coverage_end;
        f->person = fm_map_get(&b->persons, fm_map_key2(key, sizeof key, policy_number, person_key));
        const adj_usage_fact *u =
            fm_map_get(&b->usage, adj_usage_key(key, sizeof key, x->plan_year, person_key));
        const adj_household_fact *h = fm_map_get(&b->households, policy_number);
        if (f->person == NULL || u == NULL || h == NULL)
            return not_prepared(err, "policy", policy_number);
        x->person_found = f->person->found;
        x->role = f->person->role;
        x->renewal = f->person->renewal;
        x->usage = u->usage;
        x->household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL];
        x->household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = h->medical_paid[FM_LIAB_ILLNESS_HOSPITAL];
    }
    x->deceased = adj_batch_is_deceased(b, person_key);
    return FM_OK;
}

/* Which of c's bills were claimed before, by a claim other than own_claim_id (NULL: by any claim). */
static void claimed_bills(const adj_batch *b, const fm_claim *c, const char *own_claim_id,
                          bool out[FM_MAX_BILLS])
{
    memset(out, 0, FM_MAX_BILLS * sizeof out[0]);
    size_t nb = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < nb; i++) {
        /* A composite key, not code + separator + number: a separator inside a code or number would make two
         * invoices one (a false DUPLICATE_INVOICE and fraud signal). */
        const char *first = fm_map_get2(&b->invoices, c->bills[i].invoice_code, c->bills[i].invoice_number);
        out[i] = first != NULL && (own_claim_id == NULL || strcmp(first, own_claim_id) != 0);
    }
}

/* The usage a decision left, into the batch's facts (written by end_batch): the person's for plan_year, the
 * household's when the liability is medical, and the death. Values are absolute. */
static fm_status keep_usage(adj_batch *b, const fm_claim *c, int plan_year, const char *person_key,
                            const char *policy_number, const fm_claim_decision *d)
{
    char key[256];
    adj_usage_fact *u =
        fm_map_put(&b->usage, adj_usage_key(key, sizeof key, plan_year, person_key), sizeof *u, NULL);
    if (u == NULL)
        return FM_ENOMEM;
    u->plan_year = plan_year;
    snprintf(u->person_key, sizeof u->person_key, "%s", person_key);
    u->usage = d->new_usage;
    u->dirty = true;
    if (d->new_usage.death_paid > 0 && adj_batch_set_deceased(b, person_key, true) != FM_OK)
        return FM_ENOMEM;
    if (fm_liability_is_medical(c->liability)) {
        adj_household_fact *h = fm_map_put(&b->households, policy_number, sizeof *h, NULL);
        if (h == NULL)
            return FM_ENOMEM;
        h->medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = d->new_household_medical_paid[FM_LIAB_ACCIDENT_MEDICAL];
        h->medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = d->new_household_medical_paid[FM_LIAB_ILLNESS_HOSPITAL];
        h->dirty = true;
    }
    return FM_OK;
}

/* The claim's invoices not claimed before enter invoices_claimed under it (the first claim wins; an invoice
 * twice in the claim once). */
static fm_status claim_invoices(adj_batch *b, const fm_claim *c)
{
    size_t nb = c->n_bills < FM_MAX_BILLS ? c->n_bills : FM_MAX_BILLS;
    for (size_t i = 0; i < nb; i++) {
        int created = 0;
        size_t len = strlen(c->claim_id) + 1;
        char *first =
            fm_map_put2(&b->invoices, c->bills[i].invoice_code, c->bills[i].invoice_number, len, &created);
        if (first == NULL)
            return FM_ENOMEM;
        if (!created)
            continue;
        memcpy(first, c->claim_id, len);
        fm_status st =
            adj_store_buffer_invoice(b, c->bills[i].invoice_code, c->bills[i].invoice_number, c->claim_id);
        if (st != FM_OK)
            return st;
    }
    return FM_OK;
}

/* The key the person is stored under in the policy: the first of keys (current first) with an entry in
 * b->persons (adj_store_load_facts made it under the key insured_persons holds, or under the current key when
 * the person is not in the policy); the current key when the policy is unknown. A person found under a
 * previous key keeps it: their usage and claims stay on one key. */
static const char *stored_key(const adj_batch *b, const char *policy_number,
                              char keys[FM_KEYRING_MAX][FM_PERSON_KEY_LEN], size_t n)
{
    char key[256];
    for (size_t i = 0; i < n; i++)
        if (fm_map_get(&b->persons, fm_map_key2(key, sizeof key, policy_number, keys[i])) != NULL)
            return keys[i];
    return keys[0];
}

fm_status adj_decide_claim(const adj_env *env, adj_batch *b, const adj_source *src, const fm_claim *c,
                           const char *occurred_at, adj_output *out, fm_error *err)
{
    char keys[FM_KEYRING_MAX][FM_PERSON_KEY_LEN], masked[FM_PERSON_MASK_LEN];
    size_t n_keys = 0;
    const char *person_key;
    fm_explanation x;
    char *params_json = NULL;
    facts f;
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
    if (keys_of(env->keyring, c->insured_id_number, keys, &n_keys) != FM_OK) {
        fm_error_set(err, "insured_id_number", "INVALID_ID_NUMBER",
                     "the insured identity number cannot be keyed");
        return FM_EINVAL;
    }
    person_key = stored_key(b, c->policy_number, keys, n_keys);
    fm_person_mask(c->insured_id_number, masked);
    if ((st = context_of(b, c->policy_number, person_key, &f, err)) != FM_OK)
        return st;
    adj_claim_fact *cf = fm_map_get(&b->claims, c->claim_id);
    if (cf == NULL)
        return not_prepared(err, "claim", c->claim_id);
    const char *seen = fm_map_get(&b->events, c->event_id);
    if (seen != NULL && *seen == ADJ_EVENT_IN_DATABASE) {
        /* The runtime's deduplication read did not find it, the facts read did: another member (a zombie, or
         * one finishing a revoked partition's batch) committed it meanwhile. The runtime redoes the batch,
         * which then skips the event as a duplicate. */
        fm_error_set(err, "event_id", "DECIDED_ELSEWHERE",
                     "event %s was recorded by another member after the deduplication read", c->event_id);
        return FM_ECONFLICT;
    }
    if (seen != NULL) {
        fm_error_set(err, "event_id", "EVENT_ID_CONFLICT", "event %s already recorded another claim",
                     c->event_id);
        return FM_EINVAL;
    }
    if (cf->recorded) {
        fm_error_set(err, "claim_id", "DUPLICATE_CLAIM_ID",
                     "claim %s is already recorded under another event; the first claim stands", c->claim_id);
        return FM_EINVAL;
    }
    if ((st = choose_plan(env, &f.ctx, c->incident_date, &plan, err)) != FM_OK)
        return st;
    adj_policy_cover(&plan, f.policy, f.person, &f.ctx); /* issue 16 */
    claimed_bills(b, c, NULL, f.ctx.bill_already_claimed);
    /* The receipt: the event's occurred_at (REPORT_AFTER_RECEIPT; settlement time counts from it). */
    f.ctx.has_receipt =
        src->occurred_at != NULL && fm_claim_receipt_date(src->occurred_at, &f.ctx.received_on) == FM_OK;
    if ((st = fm_decide_claim(&plan, c, &f.ctx, &d, err)) != FM_OK)
        return st;
    if ((st = adj_find_signals(&env->cfg, &plan, c, &f.ctx, &d, &signals, err)) != FM_OK)
        return st;
    if ((st = adj_claimed_amount(c, &claimed, err)) != FM_OK)
        return st;
    if (!fm_liability_is_medical(c->liability)) /* a lump sum claims the benefit it asks for, not its bills */
        claimed = d.asked;
    if ((st = describe(c, &d, NULL, c->event_id, occurred_at, out, &params_json, &x, err)) != FM_OK)
        return st;
    /* The rows, then what later events of the batch must see. */
    if ((st = adj_store_buffer_claim(b, c, person_key, masked, f.policy, f.person, claimed, &d,
                                     f.ctx.has_receipt ? src->occurred_at : NULL)) != FM_OK ||
        (st = claim_invoices(b, c)) != FM_OK ||
        (st = adj_store_buffer_decision(b, c->claim_id, c->event_id, "initial", &d, params_json, x.en, x.zh,
                                        src)) != FM_OK ||
        (st = adj_store_buffer_signals(b, &signals, c->claim_id, c->policy_number, f.policy, c->event_id)) !=
            FM_OK)
        goto fail;
    if (d.usage_changed && f.ctx.policy_found &&
        (st = keep_usage(b, c, f.ctx.plan_year, person_key, c->policy_number, &d)) != FM_OK)
        goto fail;
    reservation(&f.ctx, &d, person_key, out);
    st = FM_ENOMEM;
    /* A death paid: the person is deceased under each of their keys, for the batch's later claims on
     * another policy (where they may be stored under another key). */
    for (size_t i = 0; d.usage_changed && d.new_usage.death_paid > 0 && i < n_keys; i++)
        if (adj_batch_set_deceased(b, keys[i], true) != FM_OK)
            goto fail;
    if (fm_map_put(&b->events, c->event_id, 1, NULL) == NULL)
        goto fail;
    cf->recorded = true;
    snprintf(cf->status, sizeof cf->status, "%s", fm_claim_outcome_name(d.outcome));
    cf->payable = d.payable;
    if (cf->reviewed) { /* a review later in the batch re-decides it from what the database would hold */
        adj_stored_claim sc = {0};
        if (adj_claim_clone_stored(c, &sc.claim) != FM_OK)
            goto fail;
        /* person_key is one of the keys above (FM_PERSON_KEY_LEN each), so it fits; the check is for gcc -O3,
         * whose truncation warning (an error under -Werror) cannot see that. */
        if (snprintf(sc.person_key, sizeof sc.person_key, "%s", person_key) >= (int)sizeof sc.person_key ||
            adj_batch_add_stored(b, &sc, &cf->stored) != FM_OK) {
            fm_claim_free(&sc.claim);
            goto fail;
        }
    }
    free(params_json);
    return FM_OK;
fail:
    adj_output_free(out);
    if (st == FM_ENOMEM)
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory buffering the decision");
    else if (st == FM_EINVAL)
        fm_error_set(err, "claim", "DATA_REJECTED", "a date of the claim cannot be written");
    free(params_json);
    return st;
}

fm_status adj_decide_review(const adj_env *env, adj_batch *b, const adj_source *src, const fm_review *r,
                            const char *occurred_at, adj_output *out, fm_error *err)
{
    facts f;
    fm_plan plan;
    fm_claim_decision d;
    fm_explanation x;
    char status_before[ADJ_STATUS_LEN];
    char *params_json = NULL;
    fm_status st;
    memset(out, 0, sizeof *out);

    if (r->event_id == NULL || r->event_id[0] == '\0') {
        fm_error_set(err, "event_id", "REQUIRED", "a review event carries an event_id");
        return FM_EINVAL;
    }
    adj_claim_fact *cf = fm_map_get(&b->claims, r->claim_id ? r->claim_id : "");
    if (cf == NULL)
        return not_prepared(err, "review of claim", r->claim_id);
    if (!cf->recorded) {
        fm_error_set(err, "claim_id", "REVIEW_NOT_APPLICABLE", "no claim %s is recorded", r->claim_id);
        return FM_EINVAL;
    }
    if (cf->stored < 0 || (size_t)cf->stored >= b->n_stored)
        return not_prepared(err, "review of claim", r->claim_id);
    const adj_stored_claim *sc = &b->stored[cf->stored];
    if (strcmp(sc->claim.policy_number, r->policy_number) != 0) {
        fm_error_set(err, "policy_number", "REVIEW_NOT_APPLICABLE", "claim %s belongs to policy %s, not %s",
                     r->claim_id, sc->claim.policy_number, r->policy_number);
        return FM_EINVAL;
    }
    if (strcmp(cf->status, "pending_review") != 0) {
        /* Kept on record and ignored: the claim's decision stands, nothing is published. */
        st = adj_batch_add_review(b, r, cf->status, cf->status, cf->payable, false, "REVIEW_NOT_APPLICABLE");
        if (st != FM_OK)
            fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory buffering the review");
        return st;
    }
    if ((st = context_of(b, sc->claim.policy_number, sc->person_key, &f, err)) != FM_OK ||
        (st = choose_plan(env, &f.ctx, sc->claim.incident_date, &plan, err)) != FM_OK)
        return st;
    adj_policy_cover(&plan, f.policy, f.person, &f.ctx); /* issue 16 */
    claimed_bills(b, &sc->claim, sc->claim.claim_id, f.ctx.bill_already_claimed);
    if ((st = fm_decide_review(&plan, &sc->claim, &f.ctx, r, &d, err)) != FM_OK)
        return st;
    if ((st = describe(&sc->claim, &d, r, r->event_id, occurred_at, out, &params_json, &x, err)) != FM_OK)
        return st;
    snprintf(status_before, sizeof status_before, "%s", cf->status);
    if ((st = adj_store_buffer_decision(b, sc->claim.claim_id, r->event_id, "review", &d, params_json, x.en,
                                        x.zh, src)) != FM_OK ||
        (d.usage_changed && (st = keep_usage(b, &sc->claim, f.ctx.plan_year, sc->person_key,
                                             sc->claim.policy_number, &d)) != FM_OK) ||
        (st = adj_batch_add_review(b, r, status_before, fm_claim_outcome_name(d.outcome), d.payable, true,
                                   NULL)) != FM_OK) {
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory buffering the review");
        adj_output_free(out);
        free(params_json);
        return st;
    }
    reservation(&f.ctx, &d, sc->person_key, out);
    snprintf(cf->status, sizeof cf->status, "%s", fm_claim_outcome_name(d.outcome));
    cf->payable = d.payable;
    cf->status_dirty = true;
    free(params_json);
    return FM_OK;
}

/* ---- one event as a batch ---- */

fm_status adj_apply_claim(const adj_env *env, PGconn *conn, const adj_source *src, const fm_claim *c,
                          const char *occurred_at, adj_output *out, fm_error *err)
{
    adj_batch b = {0};
    memset(out, 0, sizeof *out);
    fm_status st = adj_prepare(env, conn, &b, &c, 1, NULL, 0, err);
    if (st == FM_OK)
        st = adj_decide_claim(env, &b, src, c, occurred_at, out, err);
    if (st == FM_OK)
        st = adj_store_write(conn, env->cache, &b, err);
    if (st != FM_OK)
        adj_output_free(out);
    adj_batch_free(&b);
    return st;
}

fm_status adj_apply_review(const adj_env *env, PGconn *conn, const adj_source *src, const fm_review *r,
                           const char *occurred_at, adj_output *out, fm_error *err)
{
    adj_batch b = {0};
    memset(out, 0, sizeof *out);
    fm_status st = adj_prepare(env, conn, &b, NULL, 0, &r, 1, err);
    if (st == FM_OK)
        st = adj_decide_review(env, &b, src, r, occurred_at, out, err);
    if (st == FM_OK)
        st = adj_store_write(conn, env->cache, &b, err);
    if (st != FM_OK)
        adj_output_free(out);
    adj_batch_free(&b);
    return st;
}

/* ---- for adj_life.c (a claim's later life): the same facts, plan, bills, encoding and usage ---- */

fm_status adj_apply_context_of(const adj_batch *b, const char *policy_number, const char *person_key,
                               fm_claim_context *ctx, const adj_policy_fact **policy, fm_error *err)
{
    facts f;
    fm_status st = context_of(b, policy_number, person_key, &f, err);
    if (st == FM_OK) {
        *ctx = f.ctx;
        *policy = f.policy;
    }
    return st;
}

fm_status adj_apply_choose_plan(const adj_env *env, const fm_claim_context *ctx, fm_date incident,
                                fm_plan *out, fm_error *err)
{
    return choose_plan(env, ctx, incident, out, err);
}

void adj_apply_claimed_bills(const adj_batch *b, const fm_claim *c, const char *own_claim_id,
                             bool out[FM_MAX_BILLS])
{
    claimed_bills(b, c, own_claim_id, out);
}

fm_status adj_apply_describe(const fm_claim *c, const fm_claim_decision *d, const char *source_event_id,
                             const char *occurred_at, adj_output *out, char **params_json, fm_explanation *x,
                             fm_error *err)
{
    return describe(c, d, NULL, source_event_id, occurred_at, out, params_json, x, err);
}

fm_status adj_apply_keep_usage(adj_batch *b, const fm_claim *c, int plan_year, const char *person_key,
                               const fm_claim_decision *d)
{
    return keep_usage(b, c, plan_year, person_key, c->policy_number, d);
}
