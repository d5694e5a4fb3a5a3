/* adj_life.c — a claim's later life on claim.events: documents sent after it, appeals and their reviews. */
#include "adj_life.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_pgstmt.h"

/*
 * Choices where the policy is silent (also in the service's README):
 *  - Documents for a claim pending for DOCUMENTS_MISSING are added to it; while a required one is still
 *    missing nothing is decided (no decision, nothing published). When none is missing the claim is decided
 *    again as a new claim would be (checks, amount, threshold) against the usage now: it may go to review.
 *  - An appeal is accepted for a declined or partial claim whose current decision is not an appeal's outcome
 *    and has no other appeal open. An accepted or refused appeal publishes nothing: only an answer decides.
 *  - Uphold restates the current decision (outcome, payable, full, reasons + APPEAL_UPHELD): the family hears
 *    the answer on claim.decided. Overturn's amount is what the claim should pay in all; an appeal never
 *    lowers what was decided; the increase is capped by the limits left now (adj_life_overturn).
 *  - The appeal's documents are the appeal's evidence (kept on its row), not added to the claim.
 */

#define STEP_DOCUMENTS "documents"
#define STEP_APPEAL "appeal"

void adj_life_event_free(adj_life_event *ev)
{
    if (ev == NULL)
        return;
    fm_documents_added_free(&ev->docs);
    fm_appeal_free(&ev->appeal);
    fm_appeal_review_free(&ev->review);
}

static void row_free(adj_life_row *r)
{
    free(r->claim_id);
    free(r->event_id);
    free(r->documents);
    free(r->text);
    free(r->reviewer);
    free(r->note);
    free(r->other_event);
}

void adj_life_reset(adj_life_batch *lb)
{
    fm_map_clear(&lb->claims);
    for (size_t i = 0; i < lb->n_rows; i++)
        row_free(&lb->rows[i]);
    lb->n_rows = 0;
}

void adj_life_free(adj_life_batch *lb)
{
    if (lb == NULL)
        return;
    adj_life_reset(lb);
    fm_map_free(&lb->claims);
    free(lb->rows);
    memset(lb, 0, sizeof *lb);
}

bool adj_life_type(fm_event_type t)
{
    return t == FM_EVENT_CLAIM_DOCUMENTS_ADDED || t == FM_EVENT_CLAIM_APPEALED ||
           t == FM_EVENT_CLAIM_APPEAL_REVIEWED;
}

fm_status adj_life_decode_json(fm_event_type t, const json_t *root, adj_life_event *ev, fm_error *err)
{
    memset(ev, 0, sizeof *ev);
    ev->type = t;
    switch (t) {
    case FM_EVENT_CLAIM_DOCUMENTS_ADDED: return fm_decode_documents_added_json(root, &ev->docs, err);
    case FM_EVENT_CLAIM_APPEALED: return fm_decode_appeal_json(root, &ev->appeal, err);
    case FM_EVENT_CLAIM_APPEAL_REVIEWED: return fm_decode_appeal_review_json(root, &ev->review, err);
    default: fm_error_set(err, "type", "WRONG_EVENT_TYPE", "not a claim-life event"); return FM_EINVAL;
    }
}

const char *adj_life_claim_id(const adj_life_event *ev)
{
    const char *id = ev->type == FM_EVENT_CLAIM_DOCUMENTS_ADDED ? ev->docs.claim_id
                     : ev->type == FM_EVENT_CLAIM_APPEALED      ? ev->appeal.claim_id
                                                                : ev->review.claim_id;
    return id ? id : "";
}

const char *adj_life_policy_number(const adj_life_event *ev)
{
    const char *p = ev->type == FM_EVENT_CLAIM_DOCUMENTS_ADDED ? ev->docs.policy_number
                    : ev->type == FM_EVENT_CLAIM_APPEALED      ? ev->appeal.policy_number
                                                               : ev->review.policy_number;
    return p ? p : "";
}

static const char *event_id_of(const adj_life_event *ev)
{
    const char *id = ev->type == FM_EVENT_CLAIM_DOCUMENTS_ADDED ? ev->docs.event_id
                     : ev->type == FM_EVENT_CLAIM_APPEALED      ? ev->appeal.event_id
                                                                : ev->review.event_id;
    return id ? id : "";
}

static const char *policy_of(const adj_life_event *ev)
{
    const char *p = ev->type == FM_EVENT_CLAIM_DOCUMENTS_ADDED ? ev->docs.policy_number
                    : ev->type == FM_EVENT_CLAIM_APPEALED      ? ev->appeal.policy_number
                                                               : ev->review.policy_number;
    return p ? p : "";
}

/* ---- prepare ---- */

fm_status adj_life_prepare(const adj_env *env, PGconn *conn, adj_batch *b, adj_life_batch *lb,
                           const fm_claim *const *claims, size_t n_claims, const fm_review *const *reviews,
                           size_t n_reviews, const adj_life_event *const *life, size_t n_life, fm_error *err)
{
    /* The claims the events name are loaded as a review's are (adj_prepare reads only a review's claim id).
     */
    fm_review *stubs = calloc(n_life + 1, sizeof *stubs);
    const fm_review **all = calloc(n_reviews + n_life + 1, sizeof *all);
    const char **ids = calloc(n_life + 1, sizeof *ids);
    fm_status st = FM_ENOMEM;
    if (stubs == NULL || all == NULL || ids == NULL) {
        fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory preparing the batch");
        goto done;
    }
    for (size_t i = 0; i < n_reviews; i++)
        all[i] = reviews[i];
    for (size_t i = 0; i < n_life; i++) {
        ids[i] = adj_life_claim_id(life[i]);
        stubs[i].claim_id = (char *)ids[i]; /* borrowed: the stubs are never freed with fm_review_free */
        all[n_reviews + i] = &stubs[i];
    }
    st = adj_prepare(env, conn, b, claims, n_claims, all, n_reviews + n_life, err);
    if (st == FM_OK)
        st = adj_life_store_load(conn, lb, ids, n_life, err);
done:
    free(stubs);
    free(all);
    free(ids);
    return st;
}

static bool outcome_parse(const char *s, fm_claim_outcome *out)
{
    for (int i = 0; i <= FM_CLAIM_PENDING_REVIEW; i++)
        if (strcmp(s, fm_claim_outcome_name((fm_claim_outcome)i)) == 0) {
            *out = (fm_claim_outcome)i;
            return true;
        }
    return false;
}

/* The claim's current decision becomes (event_id, kind, reasons, full). */
static void set_current(adj_life_claim *lc, const char *event_id, const char *kind, const fm_reason *reasons,
                        size_t n, fm_fen full)
{
    lc->known = true;
    snprintf(lc->decision_event, sizeof lc->decision_event, "%s", event_id);
    snprintf(lc->decision_kind, sizeof lc->decision_kind, "%s", kind);
    lc->n_reasons = n < FM_MAX_CLAIM_REASONS ? n : FM_MAX_CLAIM_REASONS;
    memcpy(lc->reasons, reasons, lc->n_reasons * sizeof *reasons);
    lc->decision_full = full;
}

fm_status adj_life_note(adj_life_batch *lb, const char *claim_id, const char *kind, const adj_output *out)
{
    adj_life_claim *lc = fm_map_get(&lb->claims, claim_id ? claim_id : "");
    if (lc == NULL || out->payload == NULL)
        return FM_OK;
    /* Rare (a claim-life event for a claim decided earlier in the same batch): the payload has it all. */
    json_t *root = json_loads(out->payload, 0, NULL);
    if (root == NULL)
        return FM_ENOMEM;
    fm_reason reasons[FM_MAX_CLAIM_REASONS];
    size_t n = 0;
    const json_t *arr = json_object_get(root, "reasons");
    for (size_t i = 0; i < json_array_size(arr) && n < FM_MAX_CLAIM_REASONS; i++)
        if (fm_reason_parse(json_string_value(json_array_get(arr, i)), &reasons[n]))
            n++;
    set_current(lc, json_string_value(json_object_get(root, "source_event_id")), kind, reasons, n,
                (fm_fen)json_integer_value(json_object_get(root, "full")));
    json_decref(root);
    return FM_OK;
}

/* ---- decide ---- */

static fm_status add_row(adj_life_batch *lb, adj_life_row *r)
{
    if (lb->n_rows == lb->cap_rows) {
        size_t cap = lb->cap_rows ? 2 * lb->cap_rows : 16;
        adj_life_row *s = realloc(lb->rows, cap * sizeof *s);
        if (s == NULL)
            return FM_ENOMEM;
        lb->rows = s;
        lb->cap_rows = cap;
    }
    lb->rows[lb->n_rows++] = *r;
    return FM_OK;
}

static char *dup_or_fail(const char *s, bool *failed)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    *failed = *failed || d == NULL;
    return d;
}

static char *documents_literal(fm_documents docs)
{
    const char *names[FM_DOC_COUNT];
    size_t n = 0;
    for (int k = 0; k < FM_DOC_COUNT; k++)
        if (docs & FM_DOC_BIT(k))
            names[n++] = fm_document_name((fm_document)k);
    return fm_pg_text_array_literal(names, n);
}

/* A row with the claim, the event and the claim's status before; the caller fills the rest. */
static fm_status start_row(adj_life_row *r, int table, const char *claim_id, const char *event_id,
                           const adj_claim_fact *cf)
{
    bool failed = false;
    memset(r, 0, sizeof *r);
    r->table = table;
    r->claim_id = dup_or_fail(claim_id, &failed);
    r->event_id = dup_or_fail(event_id, &failed);
    snprintf(r->status_before, sizeof r->status_before, "%s", cf->status);
    snprintf(r->status_after, sizeof r->status_after, "%s", cf->status);
    r->payable_before = r->payable_after = cf->payable;
    if (failed) {
        row_free(r);
        return FM_ENOMEM;
    }
    return FM_OK;
}

static fm_status no_memory(fm_error *err)
{
    fm_error_set(err, "batch", FM_NO_MEMORY, "out of memory buffering a claim-life event");
    return FM_ENOMEM;
}

static fm_status not_prepared(fm_error *err, const char *id)
{
    fm_error_set(err, "batch", "NOT_PREPARED", "claim %s was not given to prepare_batch", id);
    return FM_ECONFIG;
}

/* The encoded claim.decided names the claim's event as its source: the deciding event becomes the source, and
 * "step" and, for an appeal's answer, "appeal" are added (schema: both optional). */
static fm_status mark_step(adj_output *out, const char *source_event_id, const char *step,
                           const fm_appeal_review *r, const char *appeal_event)
{
    json_t *root = json_loads(out->payload, 0, NULL);
    fm_status st = FM_ENOMEM;
    if (root == NULL || json_object_set_new(root, "source_event_id", json_string(source_event_id)) != 0 ||
        json_object_set_new(root, "step", json_string(step)) != 0)
        goto done;
    if (r != NULL) {
        json_t *a =
            json_pack("{s:s, s:s, s:s, s:s}", "event_id", r->event_id, "appeal_event_id", appeal_event,
                      "reviewer", r->reviewer, "action", fm_appeal_action_name(r->action));
        if (a == NULL ||
            json_object_set_new(a, "amount", r->has_amount ? json_integer(r->amount) : json_null()) ||
            json_object_set_new(root, "appeal", a) != 0)
            goto done;
    }
    char *text = json_dumps(root, JSON_COMPACT);
    if (text == NULL)
        goto done;
    free(out->payload);
    out->payload = text;
    st = FM_OK;
done:
    json_decref(root);
    return st;
}

/* What every event needs: its claim (recorded, the same policy), the claim's facts and its claim-life entry.
 */
typedef struct target {
    adj_claim_fact *cf;
    adj_stored_claim *sc;
    adj_life_claim *lc;
} target;

static fm_status find_target(adj_batch *b, adj_life_batch *lb, const adj_life_event *ev, target *t,
                             fm_error *err)
{
    const char *claim_id = adj_life_claim_id(ev);
    if (event_id_of(ev)[0] == '\0') {
        fm_error_set(err, "event_id", "REQUIRED", "a claim event carries an event_id");
        return FM_EINVAL;
    }
    t->cf = fm_map_get(&b->claims, claim_id);
    t->lc = fm_map_get(&lb->claims, claim_id);
    if (t->cf == NULL || t->lc == NULL)
        return not_prepared(err, claim_id);
    if (!t->cf->recorded) {
        fm_error_set(err, "claim_id", "CLAIM_NOT_FOUND", "no claim %s is recorded", claim_id);
        return FM_EINVAL;
    }
    if (t->cf->stored < 0 || (size_t)t->cf->stored >= b->n_stored)
        return not_prepared(err, claim_id);
    t->sc = &b->stored[t->cf->stored];
    if (strcmp(t->sc->claim.policy_number, policy_of(ev)) != 0) {
        fm_error_set(err, "policy_number", "CLAIM_POLICY_MISMATCH", "claim %s belongs to policy %s, not %s",
                     claim_id, t->sc->claim.policy_number, policy_of(ev));
        return FM_EINVAL;
    }
    return FM_OK;
}

/* Records decision d of the claim (kind, its event) in b and lb, with its claim.decided in out. */
static fm_status record_decision(const adj_env *env, adj_batch *b, const target *t, const adj_source *src,
                                 const char *event_id, const char *kind, const fm_claim_decision *d,
                                 int plan_year, const char *occurred_at, const fm_appeal_review *r,
                                 const char *appeal_event, adj_output *out, fm_error *err)
{
    (void)env;
    fm_explanation x;
    char *params_json = NULL;
    const fm_claim *c = &t->sc->claim;
    fm_status st = adj_apply_describe(c, d, event_id, occurred_at, out, &params_json, &x, err);
    if (st != FM_OK)
        return st;
    if ((st = mark_step(out, event_id, kind, r, appeal_event)) != FM_OK ||
        (st = adj_store_buffer_decision(b, c->claim_id, event_id, kind, d, params_json, x.en, x.zh, src)) !=
            FM_OK ||
        (d->usage_changed && (st = adj_apply_keep_usage(b, c, plan_year, t->sc->person_key, d)) != FM_OK)) {
        free(params_json);
        adj_output_free(out);
        return st == FM_EINVAL
                   ? (fm_error_set(err, "claim", "DATA_REJECTED", "a value cannot be written"), st)
                   : no_memory(err);
    }
    free(params_json);
    snprintf(t->cf->status, sizeof t->cf->status, "%s", fm_claim_outcome_name(d->outcome));
    t->cf->payable = d->payable;
    t->cf->status_dirty = true;
    set_current(t->lc, event_id, kind, d->reasons, d->n_reasons, d->full);
    return FM_OK;
}

static fm_status decide_documents(const adj_env *env, adj_batch *b, adj_life_batch *lb, const target *t,
                                  const adj_source *src, const fm_documents_added *ev,
                                  const char *occurred_at, adj_output *out, fm_error *err)
{
    fm_claim *c = &t->sc->claim;
    fm_claim_context ctx;
    const adj_policy_fact *pol = NULL;
    fm_plan plan;
    adj_life_row row;
    fm_status st;
    if ((st = adj_apply_context_of(b, c->policy_number, t->sc->person_key, &ctx, &pol, err)) != FM_OK ||
        (st = adj_apply_choose_plan(env, &ctx, c->incident_date, &plan, err)) != FM_OK)
        return st;
    if (start_row(&row, 0, c->claim_id, ev->event_id, t->cf) != FM_OK ||
        (row.documents = documents_literal(ev->documents)) == NULL) {
        row_free(&row);
        return no_memory(err);
    }
    fm_documents required = plan.liabilities[c->liability].documents_required;
    bool pending_for_documents =
        strcmp(t->cf->status, "pending_review") == 0 && (required & ~c->documents) != 0;
    if (!pending_for_documents) {
        row.result = "ignored";
        row.reason = fm_reason_id(FM_REASON_DOCUMENTS_NOT_PENDING);
    } else {
        c->documents |= ev->documents;
        t->lc->documents_dirty = true;
        t->lc->documents = c->documents;
        if ((required & ~c->documents) != 0) {
            row.result = "still_missing";
        } else {
            fm_claim_decision d;
            adj_apply_claimed_bills(b, c, c->claim_id, ctx.bill_already_claimed);
            if ((st = fm_decide_claim(&plan, c, &ctx, &d, err)) != FM_OK ||
                (st = record_decision(env, b, t, src, ev->event_id, STEP_DOCUMENTS, &d, ctx.plan_year,
                                      occurred_at, NULL, NULL, out, err)) != FM_OK) {
                row_free(&row);
                return st;
            }
            row.result = "redecided";
            row.has_decision = true;
            snprintf(row.status_after, sizeof row.status_after, "%s", t->cf->status);
            row.payable_after = t->cf->payable;
        }
    }
    if (add_row(lb, &row) != FM_OK) {
        row_free(&row);
        adj_output_free(out);
        return no_memory(err);
    }
    return FM_OK;
}

/* Why an appeal of the claim is refused, or NULL when it is accepted. */
static const char *appeal_refusal(const target *t)
{
    const char *s = t->cf->status;
    bool decided = strcmp(s, "approved") == 0 || strcmp(s, "declined") == 0 || strcmp(s, "partial") == 0;
    if (!decided) /* pending, or any later state (withdrawn) */
        return fm_reason_id(FM_REASON_APPEAL_CLAIM_NOT_DECIDED);
    /* Before "not adverse": an overturned appeal leaves an approval, and the family should hear why. */
    if (strcmp(t->lc->decision_kind, STEP_APPEAL) == 0)
        return fm_reason_id(FM_REASON_APPEAL_OF_APPEAL_OUTCOME);
    if (strcmp(s, "approved") == 0)
        return fm_reason_id(FM_REASON_APPEAL_NOT_ADVERSE);
    if (t->lc->open_appeal[0] != '\0')
        return fm_reason_id(FM_REASON_APPEAL_ALREADY_OPEN);
    return NULL;
}

static fm_status decide_appeal(adj_life_batch *lb, const target *t, const fm_appeal *ev, fm_error *err)
{
    adj_life_row row;
    bool failed = false;
    if (start_row(&row, 1, t->sc->claim.claim_id, ev->event_id, t->cf) != FM_OK)
        return no_memory(err);
    row.reason = appeal_refusal(t);
    row.text = dup_or_fail(ev->reason, &failed);
    row.documents = documents_literal(ev->documents);
    if (row.reason == NULL && t->lc->known)
        row.other_event = dup_or_fail(t->lc->decision_event, &failed);
    if (failed || row.documents == NULL || add_row(lb, &row) != FM_OK) {
        row_free(&row);
        return no_memory(err);
    }
    if (row.reason == NULL) /* into the queue: the reviewer's answer names it */
        snprintf(t->lc->open_appeal, sizeof t->lc->open_appeal, "%s", ev->event_id);
    return FM_OK;
}

static fm_fen max0(fm_fen x)
{
    return x > 0 ? x : 0;
}

static fm_fen min2(fm_fen a, fm_fen b)
{
    return a < b ? a : b;
}

/* Adds v to *into, saturating (usage never wraps). */
static void add_sat(fm_fen *into, fm_fen v)
{
    if (__builtin_add_overflow(*into, v, into))
        *into = INT64_MAX;
}

void adj_life_overturn(const fm_plan *plan, const fm_claim *c, const fm_claim_context *ctx, fm_fen payable,
                       fm_fen amount, fm_claim_decision *d)
{
    const fm_claim_usage *u = &ctx->usage;
    fm_liability l = c->liability;
    fm_fen room = 0;
    bool mild = false;
    memset(d, 0, sizeof *d);
    snprintf(d->plan_version, sizeof d->plan_version, "%s", plan->version);
    d->new_usage = ctx->usage;
    memcpy(d->new_household_medical_paid, ctx->household_medical_paid, sizeof d->new_household_medical_paid);
    if (ctx->policy_found && ctx->person_found && (int)l >= 0 && l < FM_LIAB_COUNT && (int)ctx->role >= 0 &&
        ctx->role < FM_ROLE_COUNT) {
        const fm_liability_terms *t = &plan->liabilities[l];
        fm_fen death_sum = plan->liabilities[FM_LIAB_DEATH].sum_insured[ctx->role];
        switch (l) {
        case FM_LIAB_DEATH:
        case FM_LIAB_ACCIDENTAL_DISABILITY:
            room = max0(max0(death_sum - u->disability_paid) - u->death_paid);
            d->applied.sum_insured = death_sum;
            break;
        case FM_LIAB_CRITICAL_ILLNESS: {
            const fm_ci_disease *dis = fm_plan_disease(plan, c->critical_illness_code);
            mild = dis != NULL && !dis->severe;
            room = max0(max0(t->sum_insured[ctx->role] - u->ci_severe_paid) - u->ci_mild_paid);
            d->applied.sum_insured = t->sum_insured[ctx->role];
            break;
        }
        default:
            room = max0(t->person_limit[ctx->role] - u->medical_paid[l]);
            if (t->household_shared)
                room = min2(room, max0(t->household_limit - ctx->household_medical_paid[l]));
            d->applied.person_limit = t->person_limit[ctx->role];
            d->applied.household_shared = t->household_shared;
            d->applied.household_limit = t->household_limit;
            break;
        }
    }
    fm_fen want = max0(amount - payable);
    fm_fen added = min2(want, room);
    d->payable = payable + added;
    d->computed = d->payable;
    d->full = amount > payable ? amount : payable;
    d->n_bills = c->n_bills;
    if (d->payable == 0) {
        d->outcome = FM_CLAIM_DECLINED;
        if (want > 0)
            d->reasons[d->n_reasons++] = FM_REASON_LIMIT_EXHAUSTED;
    } else if (d->payable >= d->full) {
        d->outcome = FM_CLAIM_APPROVED;
    } else {
        d->outcome = FM_CLAIM_PARTIAL;
        d->reasons[d->n_reasons++] = FM_REASON_LIMIT_REACHED;
    }
    d->reasons[d->n_reasons++] = FM_REASON_APPEAL_OVERTURNED;
    if (added > 0) {
        d->usage_changed = true;
        switch (l) {
        case FM_LIAB_DEATH: add_sat(&d->new_usage.death_paid, added); break;
        case FM_LIAB_ACCIDENTAL_DISABILITY: add_sat(&d->new_usage.disability_paid, added); break;
        case FM_LIAB_CRITICAL_ILLNESS:
            add_sat(mild ? &d->new_usage.ci_mild_paid : &d->new_usage.ci_severe_paid, added);
            break;
        default:
            add_sat(&d->new_usage.medical_paid[l], added);
            add_sat(&d->new_household_medical_paid[l], added);
            break;
        }
    }
}

static fm_status decide_appeal_review(const adj_env *env, adj_batch *b, adj_life_batch *lb, const target *t,
                                      const adj_source *src, const fm_appeal_review *ev,
                                      const char *occurred_at, adj_output *out, fm_error *err)
{
    const fm_claim *c = &t->sc->claim;
    adj_life_row row;
    bool failed = false;
    fm_status st;
    if (start_row(&row, 2, c->claim_id, ev->event_id, t->cf) != FM_OK)
        return no_memory(err);
    row.result = fm_appeal_action_name(ev->action);
    row.reviewer = dup_or_fail(ev->reviewer, &failed);
    row.note = dup_or_fail(ev->note, &failed);
    row.has_amount = ev->has_amount;
    row.amount = ev->amount;
    if (failed) {
        row_free(&row);
        return no_memory(err);
    }
    if (t->lc->open_appeal[0] == '\0') {
        row.reason = fm_reason_id(FM_REASON_APPEAL_NOT_OPEN);
    } else {
        fm_claim_context ctx;
        const adj_policy_fact *pol = NULL;
        fm_plan plan;
        fm_claim_decision d;
        char appeal_event[FM_EVENT_ID_LEN + 1];
        snprintf(appeal_event, sizeof appeal_event, "%s", t->lc->open_appeal);
        if ((st = adj_apply_context_of(b, c->policy_number, t->sc->person_key, &ctx, &pol, err)) != FM_OK ||
            (st = adj_apply_choose_plan(env, &ctx, c->incident_date, &plan, err)) != FM_OK) {
            row_free(&row);
            return st;
        }
        if (ev->action == FM_APPEAL_OVERTURN) {
            adj_life_overturn(&plan, c, &ctx, t->cf->payable, ev->amount, &d);
        } else { /* the decision stands, restated with the appeal's answer */
            memset(&d, 0, sizeof d);
            snprintf(d.plan_version, sizeof d.plan_version, "%s", plan.version);
            if (!outcome_parse(t->cf->status, &d.outcome)) {
                row_free(&row);
                fm_error_set(err, "claims", "DB_SCHEMA", "unknown claim status");
                return FM_ECONFIG;
            }
            d.payable = d.computed = t->cf->payable;
            d.full = t->lc->decision_full;
            for (size_t i = 0; i < t->lc->n_reasons && d.n_reasons < FM_MAX_CLAIM_REASONS - 1; i++)
                d.reasons[d.n_reasons++] = t->lc->reasons[i];
            d.reasons[d.n_reasons++] = FM_REASON_APPEAL_UPHELD;
            d.new_usage = ctx.usage;
            d.n_bills = c->n_bills;
        }
        if ((st = record_decision(env, b, t, src, ev->event_id, STEP_APPEAL, &d, ctx.plan_year, occurred_at,
                                  ev, appeal_event, out, err)) != FM_OK) {
            row_free(&row);
            return st;
        }
        t->lc->open_appeal[0] = '\0';
        row.other_event = dup_or_fail(appeal_event, &failed);
        row.has_decision = true;
        snprintf(row.status_after, sizeof row.status_after, "%s", t->cf->status);
        row.payable_after = t->cf->payable;
    }
    if (failed || add_row(lb, &row) != FM_OK) {
        row_free(&row);
        adj_output_free(out);
        return no_memory(err);
    }
    return FM_OK;
}

fm_status adj_life_decide(const adj_env *env, adj_batch *b, adj_life_batch *lb, const adj_source *src,
                          const adj_life_event *ev, const char *occurred_at, adj_output *out, fm_error *err)
{
    target t;
    memset(out, 0, sizeof *out);
    fm_status st = find_target(b, lb, ev, &t, err);
    if (st != FM_OK)
        return st;
    switch (ev->type) {
    case FM_EVENT_CLAIM_DOCUMENTS_ADDED:
        return decide_documents(env, b, lb, &t, src, &ev->docs, occurred_at, out, err);
    case FM_EVENT_CLAIM_APPEALED: return decide_appeal(lb, &t, &ev->appeal, err);
    default: return decide_appeal_review(env, b, lb, &t, src, &ev->review, occurred_at, out, err);
    }
}

fm_status adj_life_apply(const adj_env *env, PGconn *conn, const adj_source *src, const adj_life_event *ev,
                         const char *occurred_at, adj_output *out, fm_error *err)
{
    adj_batch b = {0};
    adj_life_batch lb = {0};
    memset(out, 0, sizeof *out);
    fm_status st = adj_life_prepare(env, conn, &b, &lb, NULL, 0, NULL, 0, &ev, 1, err);
    if (st == FM_OK)
        st = adj_life_decide(env, &b, &lb, src, ev, occurred_at, out, err);
    if (st == FM_OK)
        st = adj_store_write(conn, env->cache, &b, err);
    if (st == FM_OK)
        st = adj_life_write(conn, &lb, err);
    if (st != FM_OK)
        adj_output_free(out);
    adj_life_free(&lb);
    adj_batch_free(&b);
    return st;
}
