/* adj_payment.c — a claim's money after its decision (issue 15): payees, payment instructions on
 * claim.payment, payment results, payee corrections and withdrawals, decided against the batch's overlay. */
#include "adj_payment.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_copybuf.h"
#include "fm_dates.h"
#include "fm_encode.h"
#include "fm_pgstmt.h"
#include "fm_sha256.h"

/* Why an event was recorded and ignored (reason codes, common/domain/fm_reasons.c, block "claim-pay"). */
#define R_UNKNOWN_CLAIM "CLAIM_UNKNOWN"
#define R_POLICY_MISMATCH "CLAIM_POLICY_MISMATCH"
#define R_WITHDRAWN_BEFORE "WITHDRAWAL_DUPLICATE"
#define R_WITHDRAW_DECLINED "WITHDRAWAL_NOT_APPLICABLE"
#define R_WITHDRAW_PAID "WITHDRAWAL_AFTER_PAYMENT"
#define R_UNKNOWN_INSTRUCTION "PAYMENT_UNKNOWN_INSTRUCTION"
#define R_RESULT_CLAIM "PAYMENT_CLAIM_MISMATCH"
#define R_RESULT_DUPLICATE "PAYMENT_DUPLICATE_RESULT"
#define R_ALREADY_PAID "PAYMENT_ALREADY_PAID"
#define R_ALREADY_FAILED "PAYMENT_ALREADY_FAILED"
#define R_CANCELLED "PAYMENT_INSTRUCTION_CANCELLED"
#define R_NOT_PAYABLE "PAYEE_CLAIM_NOT_PAYABLE"
#define R_KIND "PAYEE_KIND_MISMATCH"
#define R_SHARES "PAYEE_SHARES_CHANGED"
#define R_TOO_MANY "PAYMENT_TOO_MANY_ATTEMPTS"

static const fm_derived_id_format INSTRUCTION_ID = {.prefix = "famins-pay-",
                                                    .hashed_prefix = "famins-pay-h",
                                                    .basis1 = 0xcbf29ce484222325ULL,
                                                    .basis2 = 0x84222325cbf29ce4ULL,
                                                    .add2 = 0x9e3779b97f4a7c15ULL,
                                                    .tail = 0};
static const fm_derived_id_format CANCEL_ID = {.prefix = "famins-pay-x-",
                                               .hashed_prefix = "famins-pay-xh",
                                               .basis1 = 0xcbf29ce484222325ULL,
                                               .basis2 = 0x84222325cbf29ce4ULL,
                                               .add2 = 0x9e3779b97f4a7c15ULL,
                                               .tail = 0};

static fm_status oom(fm_error *err)
{
    fm_error_set(err, "payment", FM_NO_MEMORY, "out of memory in the payment step");
    return FM_ENOMEM;
}

void adj_payment_outputs_free(adj_pay_output *o, size_t n)
{
    for (size_t i = 0; o != NULL && i < n; i++) {
        free(o[i].key);
        free(o[i].payload);
    }
    free(o);
}

static void rows_free(adj_payment *p)
{
    for (size_t i = 0; i < p->n_rows; i++)
        for (size_t k = 0; k < ADJ_PAY_ROW_TEXTS; k++)
            free(p->rows[i].text[k]);
    p->n_rows = 0;
}

void adj_payment_reset(adj_payment *p)
{
    fm_map_clear(&p->claims);
    fm_map_clear(&p->instructions);
    rows_free(p);
    p->n_created = 0;
    for (size_t i = 0; i < p->n_out; i++) {
        free(p->out[i].key);
        free(p->out[i].payload);
    }
    p->n_out = 0;
}

void adj_payment_free(adj_payment *p)
{
    adj_payment_reset(p);
    fm_map_free(&p->claims);
    fm_map_free(&p->instructions);
    free(p->rows);
    free(p->out);
    p->rows = NULL;
    p->out = NULL;
    p->cap_rows = p->cap_out = 0;
}

fm_status adj_payment_account_ref(const fm_keyring *ring, const char *bank_code, const char *account,
                                  char out[ADJ_PAY_REF_LEN])
{
    char data[FM_BANK_CODE_MAX + FM_ACCOUNT_MAX + 32], hex[FM_SHA256_HEX_LEN];
    out[0] = '\0';
    if (ring == NULL || ring->n == 0)
        return FM_EINVAL;
    int len = snprintf(data, sizeof data, "famins-account:%s:%s", bank_code, account);
    fm_status st =
        fm_hmac_sha256_hex(ring->keys[0].secret, strlen(ring->keys[0].secret), data, (size_t)len, hex);
    memset(data, 0, sizeof data);
    if (st == FM_OK)
        snprintf(out, ADJ_PAY_REF_LEN, "%s:%s", ring->keys[0].id, hex);
    return st;
}

void adj_payment_split(fm_fen amount, const int *shares, size_t n, fm_fen *out)
{
    fm_fen given = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = amount / 100 * shares[i] + amount % 100 * shares[i] / 100; /* no overflow near INT64_MAX */
        given += out[i];
    }
    if (n > 0)
        out[0] += amount - given;
}

void adj_payment_instruction_id(const char *source_event_id, size_t i, char out[ADJ_PAY_ID_LEN])
{
    char src[256];
    snprintf(src, sizeof src, "%s-%zu", source_event_id, i);
    (void)fm_derived_event_id(&INSTRUCTION_ID, src, out);
}

/* ---- rows and outputs ---- */

static adj_pay_row *add_row(adj_payment *p, int table)
{
    if (p->n_rows == p->cap_rows) {
        size_t cap = p->cap_rows ? p->cap_rows * 2 : 16;
        adj_pay_row *r = realloc(p->rows, cap * sizeof *r);
        if (r == NULL)
            return NULL;
        p->rows = r;
        p->cap_rows = cap;
    }
    adj_pay_row *r = &p->rows[p->n_rows++];
    memset(r, 0, sizeof *r);
    r->table = table;
    return r;
}

/* Copies of the texts (NULL stays NULL); false when one could not be copied (the row keeps what it has). */
static bool row_texts(adj_pay_row *r, const char *const *t, size_t n)
{
    for (size_t i = 0; i < n && i < ADJ_PAY_ROW_TEXTS; i++)
        if (t[i] != NULL && (r->text[i] = strdup(t[i])) == NULL)
            return false;
    return true;
}

static void row_num(adj_pay_row *r, size_t i, int64_t v)
{
    r->num[i] = v;
    r->has_num[i] = true;
}

/* The claim.payment_instructed event of instruction in ("pay" or "cancel"). */
static fm_status publish(adj_payment *p, const adj_pay_instruction *in, const char *action, const char *kind,
                         const char *event_id, const char *occurred_at, const char *reason)
{
    if (p->n_out == p->cap_out) {
        size_t cap = p->cap_out ? p->cap_out * 2 : 8;
        adj_pay_output *o = realloc(p->out, cap * sizeof *o);
        if (o == NULL)
            return FM_ENOMEM;
        p->out = o;
        p->cap_out = cap;
    }
    json_t *j = json_object();
    int bad = j == NULL;
    bad = bad || json_object_set_new(j, "event_id", json_string(event_id));
    bad = bad ||
          json_object_set_new(j, "type", json_string(fm_event_type_name(FM_EVENT_CLAIM_PAYMENT_INSTRUCTED)));
    bad = bad || json_object_set_new(j, "schema_version", json_integer(1));
    bad = bad || json_object_set_new(j, "occurred_at", json_string(occurred_at));
    bad = bad || json_object_set_new(j, "producer", json_string(FM_PRODUCER));
    bad = bad || json_object_set_new(j, "instruction_id", json_string(in->id));
    bad = bad || json_object_set_new(j, "action", json_string(action));
    bad = bad || json_object_set_new(j, "claim_id", json_string(in->claim_id));
    bad = bad || json_object_set_new(j, "policy_number", json_string(in->policy_number));
    bad = bad || json_object_set_new(j, "recipient_index", json_integer(in->recipient_index));
    bad = bad || json_object_set_new(j, "payee_kind", json_string(kind));
    bad = bad || json_object_set_new(j, "bank_code", json_string(in->to.bank_code));
    bad = bad || json_object_set_new(j, "account_masked", json_string(in->to.masked));
    bad = bad || json_object_set_new(j, "account_ref", json_string(in->to.ref));
    bad = bad || json_object_set_new(j, "amount", json_integer(in->amount));
    bad = bad || json_object_set_new(j, "currency", json_string("CNY"));
    bad =
        bad || json_object_set_new(j, "replaces", in->replaces[0] ? json_string(in->replaces) : json_null());
    bad = bad || json_object_set_new(j, "reason", reason ? json_string(reason) : json_null());
    char *payload = bad ? NULL : json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *key = strdup(in->policy_number);
    if (payload == NULL || key == NULL) {
        free(payload);
        free(key);
        return FM_ENOMEM;
    }
    adj_pay_output *o = &p->out[p->n_out++];
    snprintf(o->event_id, sizeof o->event_id, "%s", event_id);
    o->key = key;
    o->payload = payload;
    return FM_OK;
}

adj_pay_output *adj_payment_take_outputs(adj_payment *p, size_t *n)
{
    adj_pay_output *o = p->out;
    *n = p->n_out;
    p->out = NULL;
    p->n_out = p->cap_out = 0;
    return o;
}

/* ---- the state ---- */

static adj_pay_claim *claim_of(adj_payment *p, const char *claim_id, bool create)
{
    if (!create)
        return fm_map_get(&p->claims, claim_id);
    return fm_map_put(&p->claims, claim_id, sizeof(adj_pay_claim), NULL);
}

/* The payee of a decoded block, keyed: its account numbers stop here. */
static fm_status keep_payee(adj_payment *p, adj_pay_claim *c, const fm_payee *payee, int version)
{
    c->has_payee = true;
    c->payee_version = version;
    c->kind = payee->kind;
    c->n = payee->n;
    for (size_t i = 0; i < payee->n; i++) {
        adj_pay_recipient *r = &c->r[i];
        snprintf(r->bank_code, sizeof r->bank_code, "%s", payee->r[i].bank_code);
        fm_payee_mask_account(payee->r[i].account, r->masked);
        r->share_percent = payee->r[i].share_percent;
        if (adj_payment_account_ref(p->keyring, payee->r[i].bank_code, payee->r[i].account, r->ref) != FM_OK)
            return FM_ECONFIG;
    }
    return FM_OK;
}

/* The payee rows of c's current version, for claim_payees. */
static fm_status payee_rows(adj_payment *p, const char *claim_id, const adj_pay_claim *c,
                            const char *event_id)
{
    for (size_t i = 0; i < c->n; i++) {
        adj_pay_row *r = add_row(p, 3);
        const char *t[] = {claim_id,
                           fm_payee_kind_name(c->kind),
                           c->r[i].bank_code,
                           c->r[i].masked,
                           c->r[i].ref,
                           event_id,
                           c->received_at[0] ? c->received_at : NULL};
        if (r == NULL || !row_texts(r, t, 7))
            return FM_ENOMEM;
        row_num(r, 0, c->payee_version);
        row_num(r, 1, (int64_t)i);
        row_num(r, 2, c->r[i].share_percent);
    }
    return FM_OK;
}

fm_status adj_payment_claim_submitted(adj_payment *p, const char *claim_id, const char *event_id,
                                      const fm_payee *payee, const char *received_at, fm_error *err)
{
    adj_pay_claim *c = claim_of(p, claim_id, true);
    if (c == NULL)
        return oom(err);
    memset(c, 0, sizeof *c);
    snprintf(c->received_at, sizeof c->received_at, "%s", received_at ? received_at : "");
    if (payee == NULL || !payee->present)
        return FM_OK;
    fm_status st = keep_payee(p, c, payee, 0);
    if (st == FM_ECONFIG) {
        fm_error_set(err, "keyring", "NO_KEY", "no person key to key the account with");
        return st;
    }
    /* The rows are buffered now; a claim refused later (dead letter) is redone without them. */
    if (payee_rows(p, claim_id, c, event_id) != FM_OK)
        return oom(err);
    return FM_OK;
}

/* A new instruction for recipient i of c, published. */
static fm_status instruct_one(adj_payment *p, adj_pay_claim *c, const char *claim_id, const char *policy,
                              const char *source, size_t i, fm_fen amount, const char *replaces,
                              const char *occurred_at, fm_error *err)
{
    char id[ADJ_PAY_ID_LEN];
    if (c->n_ins >= ADJ_PAY_MAX_INSTRUCTIONS) {
        fm_error_set(err, "claim_id", R_TOO_MANY, "claim %s has %d payment instructions already", claim_id,
                     ADJ_PAY_MAX_INSTRUCTIONS);
        return FM_EINVAL;
    }
    adj_payment_instruction_id(source, i, id);
    int created = 0;
    adj_pay_instruction *in = fm_map_put(&p->instructions, id, sizeof *in, &created);
    if (in == NULL)
        return oom(err);
    if (!created) /* the same source cannot instruct twice: the runtime applies each event once */
        return FM_OK;
    snprintf(in->id, sizeof in->id, "%s", id);
    snprintf(in->claim_id, sizeof in->claim_id, "%s", claim_id);
    snprintf(in->policy_number, sizeof in->policy_number, "%s", policy);
    in->recipient_index = (int)i;
    in->payee_version = c->payee_version;
    in->amount = amount;
    in->to = c->r[i];
    snprintf(in->source_event_id, sizeof in->source_event_id, "%s", source);
    snprintf(in->replaces, sizeof in->replaces, "%s", replaces ? replaces : "");
    snprintf(in->status, sizeof in->status, "instructed");
    snprintf(in->received_at, sizeof in->received_at, "%s", c->received_at);
    in->is_new = true;
    in->seq = p->n_created++;
    snprintf(c->ins[c->n_ins++], ADJ_PAY_ID_LEN, "%s", id);
    if (publish(p, in, "pay", fm_payee_kind_name(c->kind), id, occurred_at, NULL) != FM_OK)
        return oom(err);
    return FM_OK;
}

/* What c's instructions already pay or will pay: every one not cancelled, but a failed one that a re-issue
 * replaces counts once (through its replacement). */
static fm_fen instructed_total(adj_payment *p, const adj_pay_claim *c)
{
    fm_fen total = 0;
    for (size_t i = 0; i < c->n_ins; i++) {
        const adj_pay_instruction *in = fm_map_get(&p->instructions, c->ins[i]);
        if (in == NULL || strcmp(in->status, "cancelled") == 0)
            continue;
        bool replaced = false;
        for (size_t j = 0; j < c->n_ins && !replaced; j++) {
            const adj_pay_instruction *o = fm_map_get(&p->instructions, c->ins[j]);
            replaced = o != NULL && strcmp(o->replaces, in->id) == 0;
        }
        if (!replaced)
            total += in->amount;
    }
    return total;
}

/* One instruction per recipient of c's payee for payable, split by shares. */
static fm_status instruct_all(adj_payment *p, adj_pay_claim *c, const char *claim_id, const char *policy,
                              const char *source, fm_fen payable, const char *occurred_at, fm_error *err)
{
    int shares[FM_PAYEE_MAX] = {0};
    fm_fen parts[FM_PAYEE_MAX] = {0};
    for (size_t i = 0; i < c->n; i++)
        shares[i] = c->r[i].share_percent;
    adj_payment_split(payable, shares, c->n, parts);
    for (size_t i = 0; i < c->n; i++) {
        if (parts[i] <= 0)
            continue;
        fm_status st = instruct_one(p, c, claim_id, policy, source, i, parts[i], NULL, occurred_at, err);
        if (st != FM_OK)
            return st;
    }
    return FM_OK;
}

fm_status adj_payment_instruct(adj_payment *p, const char *claim_id, const char *policy_number,
                               const char *source_event_id, const adj_output *decided,
                               const char *occurred_at, fm_error *err)
{
    if ((decided->outcome != FM_CLAIM_APPROVED && decided->outcome != FM_CLAIM_PARTIAL) ||
        decided->payable <= 0)
        return FM_OK;
    adj_pay_claim *c = claim_of(p, claim_id, false);
    if (c == NULL) {
        fm_error_set(err, "batch", "NOT_PREPARED", "the payment state of claim %s was not read", claim_id);
        return FM_ECONFIG;
    }
    if (decided->reserved) {
        adj_pay_reservation *r = &c->res;
        memset(r, 0, sizeof *r);
        r->present = true;
        r->plan_year = decided->plan_year;
        snprintf(r->person_key, sizeof r->person_key, "%s", decided->person_key);
        snprintf(r->policy_number, sizeof r->policy_number, "%s", policy_number);
        r->payable = decided->payable;
        r->usage = decided->usage_delta;
        memcpy(r->household, decided->household_delta, sizeof r->household);
        c->res_dirty = true;
    }
    if (!c->has_payee)
        return FM_OK; /* instructed when a claim.payee_corrected names the payee */
    /* A later decision of the same claim (documents completed, an appeal overturned) pays what it owes beyond
     * the claim's earlier instructions, never the whole payable again. */
    fm_fen owed = decided->payable - instructed_total(p, c);
    if (owed <= 0)
        return FM_OK;
    return instruct_all(p, c, claim_id, policy_number, source_event_id, owed, occurred_at, err);
}

/* ---- withdrawal ---- */

static fm_fen less(fm_fen a, fm_fen b)
{
    return a > b ? a - b : 0;
}

/* Gives the reservation back to the batch's usage overlay (written by end_batch as absolute values). */
static fm_status release(adj_batch *b, adj_pay_reservation *r, fm_error *err)
{
    char key[256];
    adj_usage_fact *u = fm_map_get(&b->usage, adj_usage_key(key, sizeof key, r->plan_year, r->person_key));
    if (u == NULL) {
        fm_error_set(err, "batch", "NOT_PREPARED", "the usage of a withdrawn claim was not read");
        return FM_ECONFIG;
    }
    fm_claim_usage *x = &u->usage;
    x->death_paid = less(x->death_paid, r->usage.death_paid);
    x->disability_paid = less(x->disability_paid, r->usage.disability_paid);
    x->ci_mild_paid = less(x->ci_mild_paid, r->usage.ci_mild_paid);
    x->ci_severe_paid = less(x->ci_severe_paid, r->usage.ci_severe_paid);
    for (int l = 0; l < FM_LIAB_COUNT; l++) {
        x->deductible_used[l] = less(x->deductible_used[l], r->usage.deductible_used[l]);
        x->medical_paid[l] = less(x->medical_paid[l], r->usage.medical_paid[l]);
    }
    u->dirty = true;
    /* A released death benefit: the person is no longer known dead, as the facts read (death_paid > 0) will
     * say once the batch is written; the batch's later claims must see the same. */
    if (r->usage.death_paid > 0 && x->death_paid == 0 &&
        adj_batch_set_deceased(b, r->person_key, false) != FM_OK)
        return oom(err);
    adj_household_fact *h = fm_map_get(&b->households, r->policy_number);
    if (h != NULL) {
        for (int l = 0; l < FM_LIAB_COUNT; l++)
            h->medical_paid[l] = less(h->medical_paid[l], r->household[l]);
        h->dirty = true;
    }
    r->released = true;
    return FM_OK;
}

static fm_status withdrawal_row(adj_payment *p, const fm_withdrawal *w, const char *status_before,
                                bool accepted, fm_fen released, int cancelled, const char *ignored)
{
    adj_pay_row *r = add_row(p, 2);
    const char *t[] = {w->event_id, w->claim_id, w->policy_number, status_before, ignored, w->reason};
    if (r == NULL || !row_texts(r, t, 6))
        return FM_ENOMEM;
    row_num(r, 0, accepted);
    row_num(r, 1, released);
    row_num(r, 2, cancelled);
    return FM_OK;
}

/* The stored claim behind a claim fact (NULL when none is loaded). */
static const adj_stored_claim *stored_of(const adj_batch *b, const adj_claim_fact *cf)
{
    return cf->stored >= 0 && (size_t)cf->stored < b->n_stored ? &b->stored[cf->stored] : NULL;
}

fm_status adj_payment_withdraw(adj_payment *p, adj_batch *b, const fm_withdrawal *w, const char *occurred_at,
                               const char **ignored, fm_error *err)
{
    *ignored = NULL;
    adj_claim_fact *cf = fm_map_get(&b->claims, w->claim_id);
    adj_pay_claim *c = claim_of(p, w->claim_id, false);
    const adj_stored_claim *sc = cf != NULL ? stored_of(b, cf) : NULL;
    /* a copy: an accepted withdrawal overwrites cf->status before its row is made */
    char status_before[ADJ_STATUS_LEN] = "";
    const char *before = cf != NULL && cf->recorded ? status_before : NULL;
    if (before != NULL)
        snprintf(status_before, sizeof status_before, "%s", cf->status);
    if (cf == NULL || (cf->recorded && (c == NULL || sc == NULL))) {
        fm_error_set(err, "batch", "NOT_PREPARED", "withdrawn claim %s was not given to prepare_batch",
                     w->claim_id);
        return FM_ECONFIG;
    }
    if (!cf->recorded)
        *ignored = R_UNKNOWN_CLAIM;
    else if (strcmp(sc->claim.policy_number, w->policy_number) != 0)
        *ignored = R_POLICY_MISMATCH;
    else if (strcmp(cf->status, "withdrawn") == 0)
        *ignored = R_WITHDRAWN_BEFORE;
    else if (strcmp(cf->status, "declined") == 0)
        *ignored = R_WITHDRAW_DECLINED;
    for (size_t i = 0; *ignored == NULL && i < c->n_ins; i++) {
        const adj_pay_instruction *in = fm_map_get(&p->instructions, c->ins[i]);
        if (in != NULL && strcmp(in->status, "paid") == 0)
            *ignored = R_WITHDRAW_PAID;
    }
    if (*ignored != NULL)
        return withdrawal_row(p, w, before, false, 0, 0, *ignored) == FM_OK ? FM_OK : oom(err);
    /* Accepted: nothing is paid, the usage comes back, the invoices stay registered. */
    int cancelled = 0;
    fm_fen released = 0;
    for (size_t i = 0; i < c->n_ins; i++) {
        adj_pay_instruction *in = fm_map_get(&p->instructions, c->ins[i]);
        if (in == NULL || strcmp(in->status, "instructed") != 0)
            continue;
        char id[ADJ_PAY_ID_LEN];
        (void)fm_derived_event_id(&CANCEL_ID, in->id, id);
        snprintf(in->status, sizeof in->status, "cancelled");
        snprintf(in->failure_reason, sizeof in->failure_reason, "CLAIM_WITHDRAWN");
        in->dirty = true;
        cancelled++;
        if (publish(p, in, "cancel", fm_payee_kind_name(c->kind), id, occurred_at, "CLAIM_WITHDRAWN") !=
            FM_OK)
            return oom(err);
    }
    if (c->res.present && !c->res.released &&
        (strcmp(cf->status, "approved") == 0 || strcmp(cf->status, "partial") == 0)) {
        fm_status st = release(b, &c->res, err);
        if (st != FM_OK)
            return st;
        released = c->res.payable;
        c->res_dirty = true;
    }
    snprintf(cf->status, sizeof cf->status, "withdrawn");
    cf->payable = 0;
    cf->status_dirty = true;
    return withdrawal_row(p, w, before, true, released, cancelled, NULL) == FM_OK ? FM_OK : oom(err);
}

/* ---- payment results ---- */

fm_status adj_payment_result(adj_payment *p, const fm_payment_result *r, const char **ignored, fm_error *err)
{
    *ignored = NULL;
    adj_pay_instruction *in = fm_map_get(&p->instructions, r->instruction_id);
    const char *before = in != NULL ? in->status : NULL;
    char before_copy[16] = "";
    if (before != NULL)
        snprintf(before_copy, sizeof before_copy, "%s", before);
    bool paid = r->result == FM_PAYMENT_PAID;
    if (in == NULL)
        *ignored = R_UNKNOWN_INSTRUCTION;
    else if (strcmp(in->claim_id, r->claim_id) != 0)
        *ignored = R_RESULT_CLAIM;
    else if (strcmp(in->status, "cancelled") == 0)
        *ignored = R_CANCELLED;
    else if (strcmp(in->status, "paid") == 0)
        *ignored = paid ? R_RESULT_DUPLICATE : R_ALREADY_PAID;
    else if (strcmp(in->status, "failed") == 0)
        *ignored = paid ? R_ALREADY_FAILED : R_RESULT_DUPLICATE;
    if (*ignored == NULL) {
        snprintf(in->status, sizeof in->status, "%s", paid ? "paid" : "failed");
        in->paid_date = r->paid_date;
        snprintf(in->bank_reference, sizeof in->bank_reference, "%s", paid ? r->bank_reference : "");
        snprintf(in->failure_reason, sizeof in->failure_reason, "%s", paid ? "" : r->failure_reason);
        in->dirty = true;
    }
    adj_pay_row *row = add_row(p, 0);
    char date[16] = "";
    if (paid)
        (void)fm_date_format(r->paid_date, date, sizeof date);
    const char *t[] = {r->event_id,
                       r->instruction_id,
                       r->claim_id,
                       fm_payment_result_name(r->result),
                       paid ? date : NULL,
                       r->bank_reference,
                       r->failure_reason,
                       before ? before_copy : NULL,
                       *ignored};
    if (row == NULL || !row_texts(row, t, 9))
        return oom(err);
    return FM_OK;
}

/* ---- payee corrections ---- */

static fm_status correction_row(adj_payment *p, const fm_payee_correction *pc, int version, int reissued,
                                const char *ignored)
{
    adj_pay_row *r = add_row(p, 1);
    const char *t[] = {pc->event_id, pc->claim_id, ignored};
    if (r == NULL || !row_texts(r, t, 3))
        return FM_ENOMEM;
    if (version >= 0)
        row_num(r, 0, version);
    row_num(r, 1, reissued);
    return FM_OK;
}

fm_status adj_payment_correct(adj_payment *p, adj_batch *b, const fm_payee_correction *pc,
                              const char *occurred_at, const char **ignored, fm_error *err)
{
    *ignored = NULL;
    adj_claim_fact *cf = fm_map_get(&b->claims, pc->claim_id);
    adj_pay_claim *c = claim_of(p, pc->claim_id, false);
    const adj_stored_claim *sc = cf != NULL ? stored_of(b, cf) : NULL;
    if (cf == NULL || (cf->recorded && (c == NULL || sc == NULL))) {
        fm_error_set(err, "batch", "NOT_PREPARED", "corrected claim %s was not given to prepare_batch",
                     pc->claim_id);
        return FM_ECONFIG;
    }
    if (!cf->recorded)
        *ignored = R_UNKNOWN_CLAIM;
    else if (strcmp(sc->claim.policy_number, pc->policy_number) != 0)
        *ignored = R_POLICY_MISMATCH;
    else if (strcmp(cf->status, "withdrawn") == 0 || strcmp(cf->status, "declined") == 0)
        *ignored = R_NOT_PAYABLE;
    else if ((sc->claim.liability == FM_LIAB_DEATH) != (pc->payee.kind == FM_PAYEE_BENEFICIARIES))
        *ignored = R_KIND;
    else if (c->n_ins > 0 && c->has_payee && pc->payee.n != c->n)
        *ignored = R_SHARES;
    for (size_t i = 0; *ignored == NULL && c->n_ins > 0 && i < pc->payee.n; i++)
        if (pc->payee.r[i].share_percent != c->r[i].share_percent)
            *ignored = R_SHARES;
    if (*ignored != NULL)
        return correction_row(p, pc, -1, 0, *ignored) == FM_OK ? FM_OK : oom(err);

    int version = c->has_payee ? c->payee_version + 1 : 0;
    fm_status st = keep_payee(p, c, &pc->payee, version);
    if (st == FM_ECONFIG) {
        fm_error_set(err, "keyring", "NO_KEY", "no person key to key the account with");
        return st;
    }
    if (payee_rows(p, pc->claim_id, c, pc->event_id) != FM_OK)
        return oom(err);
    int reissued = 0;
    size_t before = c->n_ins;
    bool payable = strcmp(cf->status, "approved") == 0 || strcmp(cf->status, "partial") == 0;
    if (payable && c->n_ins == 0 && cf->payable > 0) {
        /* the first payee of a payable claim: its instructions now */
        st = instruct_all(p, c, pc->claim_id, sc->claim.policy_number, pc->event_id, cf->payable, occurred_at,
                          err);
    } else if (payable) {
        /* re-issue each recipient whose latest instruction failed; the failed one is kept */
        for (size_t i = 0; st == FM_OK && i < c->n; i++) {
            const adj_pay_instruction *last = NULL;
            for (size_t k = 0; k < before; k++) {
                const adj_pay_instruction *in = fm_map_get(&p->instructions, c->ins[k]);
                if (in != NULL && in->recipient_index == (int)i)
                    last = in;
            }
            if (last != NULL && strcmp(last->status, "failed") == 0)
                st = instruct_one(p, c, pc->claim_id, sc->claim.policy_number, pc->event_id, i, last->amount,
                                  last->id, occurred_at, err);
        }
    }
    if (st == FM_EINVAL) { /* too many attempts: recorded, nothing re-issued */
        *ignored = R_TOO_MANY;
        return correction_row(p, pc, version, 0, *ignored) == FM_OK ? FM_OK : oom(err);
    }
    if (st != FM_OK)
        return st;
    reissued = (int)(c->n_ins - before);
    return correction_row(p, pc, version, reissued, NULL) == FM_OK ? FM_OK : oom(err);
}

/* ---- reading ---- */

static void read_instruction(const PGresult *res, int i, adj_pay_instruction *in)
{
    snprintf(in->id, sizeof in->id, "%s", fm_pg_col_str(res, i, "instruction_id"));
    snprintf(in->claim_id, sizeof in->claim_id, "%s", fm_pg_col_str(res, i, "claim_id"));
    snprintf(in->policy_number, sizeof in->policy_number, "%s", fm_pg_col_str(res, i, "policy_number"));
    in->recipient_index = (int)fm_pg_col_i64(res, i, "recipient_index");
    in->payee_version = (int)fm_pg_col_i64(res, i, "payee_version");
    in->amount = fm_pg_col_i64(res, i, "amount");
    snprintf(in->to.bank_code, sizeof in->to.bank_code, "%s", fm_pg_col_str(res, i, "bank_code"));
    snprintf(in->to.masked, sizeof in->to.masked, "%s", fm_pg_col_str(res, i, "account_masked"));
    snprintf(in->to.ref, sizeof in->to.ref, "%s", fm_pg_col_str(res, i, "account_ref"));
    snprintf(in->source_event_id, sizeof in->source_event_id, "%s", fm_pg_col_str(res, i, "source_event_id"));
    snprintf(in->replaces, sizeof in->replaces, "%s", fm_pg_col_str(res, i, "replaces"));
    snprintf(in->status, sizeof in->status, "%s", fm_pg_col_str(res, i, "status"));
    snprintf(in->received_at, sizeof in->received_at, "%s", fm_pg_col_str(res, i, "claim_received_at"));
    if (!fm_pg_col_null(res, i, "paid_date"))
        (void)fm_date_parse(fm_pg_col_str(res, i, "paid_date"), &in->paid_date, NULL);
    snprintf(in->bank_reference, sizeof in->bank_reference, "%s", fm_pg_col_str(res, i, "bank_reference"));
    snprintf(in->failure_reason, sizeof in->failure_reason, "%s", fm_pg_col_str(res, i, "failure_reason"));
}

/* The claims' receipt, reservation and current payee in one statement (a row per recipient; one row with
 * NULL payee columns for a claim without one). Each lookup a LATERAL ... LIMIT (never pulled up into a join):
 * an index scan by claim whatever the statistics say; joined plainly, a table's statistics lagging its rows
 * (filled during a run) gave hash joins over whole-table scans of the reservations and payees. */
static const char CLAIMS_SQL[] =
    "SELECT q.id, c.received_at::text AS received_at, r.claim_id IS NOT NULL AS has_res, r.released,"
    " r.plan_year, r.person_key, r.policy_number AS res_policy, r.payable, r.death_paid, r.disability_paid,"
    " r.ci_mild_paid, r.ci_severe_paid, r.deductible_am, r.deductible_ih, r.medical_am, r.medical_ih,"
    " r.household_am, r.household_ih, p.payee_version, p.recipient_index, p.kind, p.share_percent,"
    " p.bank_code, p.account_masked, p.account_ref, p.claim_received_at::text AS claim_received_at"
    " FROM (SELECT DISTINCT unnest($1::text[]) AS id) q"
    " CROSS JOIN LATERAL (SELECT x.received_at FROM famins.claims x WHERE x.claim_id = q.id LIMIT 1) c"
    " LEFT JOIN LATERAL (SELECT x.* FROM famins.claim_reservations x WHERE x.claim_id = q.id LIMIT 1) r ON "
    "true"
    " LEFT JOIN LATERAL (SELECT x.* FROM famins.claim_payees x WHERE x.claim_id = q.id AND x.payee_version ="
    "   (SELECT max(y.payee_version) FROM famins.claim_payees y WHERE y.claim_id = q.id)"
    "   ORDER BY x.recipient_index LIMIT 8) p ON true"
    " ORDER BY q.id, p.recipient_index";
_Static_assert(FM_PAYEE_MAX == 8, "CLAIMS_SQL reads up to FM_PAYEE_MAX recipients of a payee");

/* The instructions of the claims that have a payee and those the results name, locked: a result changes
 * them. Oldest first; two made in the same instant by one batch (a re-issue and the instruction it replaces,
 * written by one COPY) in the order they were made: the replaced one first. */
static const char INSTRUCTIONS_SQL[] =
    "SELECT *, paid_date::text AS paid_date FROM famins.payment_instructions"
    " WHERE claim_id = ANY($1::text[]) OR instruction_id = ANY($2::text[])"
    " ORDER BY instructed_at, replaces IS NOT NULL, instruction_id FOR UPDATE";

static void read_reservation(const PGresult *res, int i, adj_pay_reservation *r)
{
    r->present = true;
    r->released = strcmp(fm_pg_col_str(res, i, "released"), "t") == 0;
    r->plan_year = (int)fm_pg_col_i64(res, i, "plan_year");
    snprintf(r->person_key, sizeof r->person_key, "%s", fm_pg_col_str(res, i, "person_key"));
    snprintf(r->policy_number, sizeof r->policy_number, "%s", fm_pg_col_str(res, i, "res_policy"));
    r->payable = fm_pg_col_i64(res, i, "payable");
    r->usage.death_paid = fm_pg_col_i64(res, i, "death_paid");
    r->usage.disability_paid = fm_pg_col_i64(res, i, "disability_paid");
    r->usage.ci_mild_paid = fm_pg_col_i64(res, i, "ci_mild_paid");
    r->usage.ci_severe_paid = fm_pg_col_i64(res, i, "ci_severe_paid");
    r->usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL] = fm_pg_col_i64(res, i, "deductible_am");
    r->usage.deductible_used[FM_LIAB_ILLNESS_HOSPITAL] = fm_pg_col_i64(res, i, "deductible_ih");
    r->usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL] = fm_pg_col_i64(res, i, "medical_am");
    r->usage.medical_paid[FM_LIAB_ILLNESS_HOSPITAL] = fm_pg_col_i64(res, i, "medical_ih");
    r->household[FM_LIAB_ACCIDENT_MEDICAL] = fm_pg_col_i64(res, i, "household_am");
    r->household[FM_LIAB_ILLNESS_HOSPITAL] = fm_pg_col_i64(res, i, "household_ih");
}

/* Recipient k of the current payee in row i of CLAIMS_SQL; false when the row has none. */
static bool read_recipient(const PGresult *res, int i, adj_pay_claim *c)
{
    if (fm_pg_col_null(res, i, "payee_version"))
        return false;
    int k = (int)fm_pg_col_i64(res, i, "recipient_index");
    if (k < 0 || k >= FM_PAYEE_MAX)
        return false;
    const char *kind = fm_pg_col_str(res, i, "kind");
    c->has_payee = true;
    c->payee_version = (int)fm_pg_col_i64(res, i, "payee_version");
    c->kind = strcmp(kind, "beneficiaries") == 0 ? FM_PAYEE_BENEFICIARIES
              : strcmp(kind, "guardian") == 0    ? FM_PAYEE_GUARDIAN
                                                 : FM_PAYEE_INSURED;
    if ((size_t)k + 1 > c->n)
        c->n = (size_t)k + 1;
    snprintf(c->r[k].bank_code, sizeof c->r[k].bank_code, "%s", fm_pg_col_str(res, i, "bank_code"));
    snprintf(c->r[k].masked, sizeof c->r[k].masked, "%s", fm_pg_col_str(res, i, "account_masked"));
    snprintf(c->r[k].ref, sizeof c->r[k].ref, "%s", fm_pg_col_str(res, i, "account_ref"));
    c->r[k].share_percent = (int)fm_pg_col_i64(res, i, "share_percent");
    /* the payee's claim time replaces the claim's own receipt */
    snprintf(c->received_at, sizeof c->received_at, "%s", fm_pg_col_str(res, i, "claim_received_at"));
    return true;
}

fm_status adj_payment_prepare(adj_payment *p, PGconn *conn, const char *const *claim_ids, size_t n_claims,
                              const char *const *instruction_ids, size_t n_ins, fm_error *err)
{
    fm_pg_params q = {0};
    PGresult *res = NULL;
    const char **paying = NULL; /* the claims read that have a payee (borrowed from res) */
    size_t n_paying = 0;
    fm_status st;
    if (n_claims == 0 && n_ins == 0)
        return FM_OK;
    for (size_t i = 0; i < n_claims; i++) {
        int created = 0;
        adj_pay_claim *c = fm_map_put(&p->claims, claim_ids[i], sizeof *c, &created);
        if (c == NULL)
            return oom(err);
    }
    /* 1. receipt times, reservations, current payees */
    fm_pg_p_text_array(&q, claim_ids, n_claims);
    st = n_claims > 0 ? fm_pg_run(conn, CLAIMS_SQL, &q, &res, err) : FM_OK;
    fm_pg_params_free(&q);
    int rows = st == FM_OK && res != NULL ? PQntuples(res) : 0;
    if (rows > 0 && (paying = calloc((size_t)rows, sizeof *paying)) == NULL)
        st = oom(err);
    for (int i = 0; st == FM_OK && i < rows; i++) {
        const char *id = fm_pg_col_str(res, i, "id");
        adj_pay_claim *c = fm_map_get(&p->claims, id);
        if (c == NULL)
            continue;
        if (!c->has_payee && c->n_ins == 0 && c->received_at[0] == '\0')
            snprintf(c->received_at, sizeof c->received_at, "%s", fm_pg_col_str(res, i, "received_at"));
        if (strcmp(fm_pg_col_str(res, i, "has_res"), "t") == 0)
            read_reservation(res, i, &c->res);
        /* rows come by claim: one entry per claim with a payee */
        if (read_recipient(res, i, c) && (n_paying == 0 || strcmp(paying[n_paying - 1], id) != 0))
            paying[n_paying++] = id;
    }
    /* 2. their instructions: only a claim with a payee has any (each is made for a recipient of one) */
    PGresult *ins = NULL;
    if (st == FM_OK && (n_paying > 0 || n_ins > 0)) {
        fm_pg_p_text_array(&q, paying, n_paying);
        fm_pg_p_text_array(&q, instruction_ids, n_ins);
        st = fm_pg_run(conn, INSTRUCTIONS_SQL, &q, &ins, err);
        fm_pg_params_free(&q);
    }
    for (int i = 0; st == FM_OK && ins != NULL && i < PQntuples(ins); i++) {
        int created = 0;
        adj_pay_instruction *in =
            fm_map_put(&p->instructions, fm_pg_col_str(ins, i, "instruction_id"), sizeof *in, &created);
        if (in == NULL) {
            st = oom(err);
            break;
        }
        if (!created)
            continue;
        read_instruction(ins, i, in);
        adj_pay_claim *c = fm_map_get(&p->claims, in->claim_id);
        if (c != NULL && c->n_ins < ADJ_PAY_MAX_INSTRUCTIONS)
            snprintf(c->ins[c->n_ins++], ADJ_PAY_ID_LEN, "%s", in->id);
    }
    PQclear(ins);
    PQclear(res);
    free(paying);
    return st;
}

/* ---- writing ---- */

/* A claim time the caller did not know: the transaction's start, now()'s value ("now" is its text input). */
static const char *time_or_now(const char *t)
{
    return t != NULL && t[0] != '\0' ? t : "now";
}

/* The event tables' COPYs, by adj_pay_row.table, their columns in the order of the row's texts then numbers.
 */
static const char *const ROW_COPY[] = {
    "COPY famins.payment_results (source_event_id, instruction_id, claim_id, result, paid_date, "
    "bank_reference,"
    " failure_reason, status_before, ignored_reason) FROM STDIN",
    "COPY famins.payee_corrections (source_event_id, claim_id, ignored_reason, payee_version, reissued)"
    " FROM STDIN",
    "COPY famins.claim_withdrawals (source_event_id, claim_id, policy_number, status_before, ignored_reason,"
    " reason, accepted, released, cancelled) FROM STDIN",
    "COPY famins.claim_payees (claim_id, kind, bank_code, account_masked, account_ref, source_event_id,"
    " claim_received_at, payee_version, recipient_index, share_percent) FROM STDIN",
};
#define ROW_TABLES (sizeof ROW_COPY / sizeof ROW_COPY[0])

/* The rows of one event table, in the order they were made (their bigserial ids follow it), in one COPY. */
static fm_status write_rows(PGconn *conn, const adj_payment *p, int table, fm_copybuf *buf, fm_error *err)
{
    static const size_t texts[] = {9, 3, 6, 7}, nums[] = {0, 2, 3, 3};
    fm_copybuf_reset(buf);
    for (size_t i = 0; i < p->n_rows; i++) {
        const adj_pay_row *r = &p->rows[i];
        if (r->table != table)
            continue;
        fm_copyrow c = fm_copyrow_start(buf);
        for (size_t k = 0; k < texts[table]; k++)
            fm_copyrow_text(&c, table == 3 && k == 6 ? time_or_now(r->text[k]) : r->text[k]);
        for (size_t k = 0; k < nums[table]; k++) {
            if (!r->has_num[k])
                fm_copyrow_null(&c);
            else if (table == 2 && k == 0)
                fm_copyrow_text(&c, r->num[k] != 0 ? "t" : "f");
            else
                fm_copyrow_int(&c, r->num[k]);
        }
        if (fm_copyrow_end(&c) != FM_OK)
            return oom(err);
    }
    return fm_copybuf_send(conn, ROW_COPY[table], buf, err);
}

/* The batch's instructions: the new ones (in the order they were made) and the changed ones read. */
typedef struct ins_gather {
    const adj_pay_instruction **made, **changed;
    size_t n_made, n_changed;
} ins_gather;

static fm_status gather_instruction(const char *key, void *value, void *ctx)
{
    (void)key;
    const adj_pay_instruction *in = value;
    ins_gather *g = ctx;
    if (in->is_new)
        g->made[g->n_made++] = in;
    else if (in->dirty)
        g->changed[g->n_changed++] = in;
    return FM_OK;
}

static int by_seq(const void *a, const void *b)
{
    const adj_pay_instruction *x = *(const adj_pay_instruction *const *)a;
    const adj_pay_instruction *y = *(const adj_pay_instruction *const *)b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* paid_date as text, NULL unless paid (the table's check: paid exactly when it has a paid date). */
static const char *paid_text(const adj_pay_instruction *in, char date[16])
{
    date[0] = '\0';
    if (strcmp(in->status, "paid") != 0)
        return NULL;
    (void)fm_date_format(in->paid_date, date, 16);
    return date;
}

static const char *or_null(const char *s)
{
    return s[0] != '\0' ? s : NULL;
}

static fm_status copy_instructions(PGconn *conn, const ins_gather *g, fm_copybuf *buf, fm_error *err)
{
    fm_copybuf_reset(buf);
    for (size_t i = 0; i < g->n_made; i++) {
        const adj_pay_instruction *in = g->made[i];
        char date[16];
        fm_copyrow c = fm_copyrow_start(buf);
        fm_copyrow_text(&c, in->id);
        fm_copyrow_text(&c, in->status);
        fm_copyrow_text(&c, paid_text(in, date));
        fm_copyrow_text(&c, or_null(in->bank_reference));
        fm_copyrow_text(&c, or_null(in->failure_reason));
        fm_copyrow_text(&c, in->claim_id);
        fm_copyrow_text(&c, in->policy_number);
        fm_copyrow_int(&c, in->recipient_index);
        fm_copyrow_int(&c, in->payee_version);
        fm_copyrow_int(&c, in->amount);
        fm_copyrow_text(&c, in->to.bank_code);
        fm_copyrow_text(&c, in->to.masked);
        fm_copyrow_text(&c, in->to.ref);
        fm_copyrow_text(&c, in->source_event_id);
        fm_copyrow_text(&c, or_null(in->replaces));
        fm_copyrow_text(&c, time_or_now(in->received_at));
        if (fm_copyrow_end(&c) != FM_OK)
            return oom(err);
    }
    return fm_copybuf_send(
        conn,
        "COPY famins.payment_instructions (instruction_id, status, paid_date, bank_reference,"
        " failure_reason, claim_id, policy_number, recipient_index, payee_version, amount,"
        " bank_code, account_masked, account_ref, source_event_id, replaces,"
        " claim_received_at) FROM STDIN",
        buf, err);
}

static const char UPDATE_INSTRUCTIONS_SQL[] =
    "UPDATE famins.payment_instructions i SET status = q.s, paid_date = q.d::date, bank_reference = q.br,"
    " failure_reason = q.fr, status_at = clock_timestamp()"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS q(id, s, d, br, fr)"
    " WHERE i.instruction_id = q.id";

static fm_status update_instructions(PGconn *conn, const ins_gather *g, fm_error *err)
{
    size_t n = g->n_changed;
    if (n == 0)
        return FM_OK;
    const char **t = calloc(5 * n, sizeof *t);
    char(*dates)[16] = calloc(n, sizeof *dates);
    fm_pg_params q = {0};
    fm_status st = FM_OK;
    if (t == NULL || dates == NULL) {
        st = oom(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const adj_pay_instruction *in = g->changed[i];
        t[i] = in->id;
        t[n + i] = in->status;
        t[2 * n + i] = paid_text(in, dates[i]);
        t[3 * n + i] = or_null(in->bank_reference);
        t[4 * n + i] = or_null(in->failure_reason);
    }
    fm_pg_p_text_array(&q, t, n);
    fm_pg_p_text_array(&q, t + n, n);
    fm_pg_p_text_array_nulls(&q, t + 2 * n, n);
    fm_pg_p_text_array_nulls(&q, t + 3 * n, n);
    fm_pg_p_text_array_nulls(&q, t + 4 * n, n);
    st = fm_pg_run(conn, UPDATE_INSTRUCTIONS_SQL, &q, NULL, err);
done:
    fm_pg_params_free(&q);
    free(t);
    free(dates);
    return st;
}

static fm_status write_instructions(PGconn *conn, adj_payment *p, fm_copybuf *buf, fm_error *err)
{
    size_t n = fm_map_count(&p->instructions);
    if (n == 0)
        return FM_OK;
    ins_gather g = {.made = calloc(n, sizeof *g.made), .changed = calloc(n, sizeof *g.changed)};
    fm_status st;
    if (g.made == NULL || g.changed == NULL) {
        st = oom(err);
    } else {
        (void)fm_map_each(&p->instructions, gather_instruction, &g);
        qsort(g.made, g.n_made, sizeof *g.made, by_seq);
        st = copy_instructions(conn, &g, buf, err);
        if (st == FM_OK)
            st = update_instructions(conn, &g, err);
    }
    free(g.made);
    free(g.changed);
    return st;
}

static const char RESERVATIONS_SQL[] =
    "INSERT INTO famins.claim_reservations (claim_id, plan_year, person_key, policy_number, payable,"
    " death_paid, disability_paid, ci_mild_paid, ci_severe_paid, deductible_am, deductible_ih, medical_am,"
    " medical_ih, household_am, household_ih, released)"
    " SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],"
    "   $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],"
    "   $14::bigint[], $15::bigint[], $16::boolean[])"
    " ON CONFLICT (claim_id) DO UPDATE SET plan_year = EXCLUDED.plan_year, person_key = EXCLUDED.person_key,"
    " policy_number = EXCLUDED.policy_number, payable = EXCLUDED.payable, death_paid = EXCLUDED.death_paid,"
    " disability_paid = EXCLUDED.disability_paid, ci_mild_paid = EXCLUDED.ci_mild_paid,"
    " ci_severe_paid = EXCLUDED.ci_severe_paid, deductible_am = EXCLUDED.deductible_am,"
    " deductible_ih = EXCLUDED.deductible_ih, medical_am = EXCLUDED.medical_am,"
    " medical_ih = EXCLUDED.medical_ih, household_am = EXCLUDED.household_am,"
    " household_ih = EXCLUDED.household_ih, released = EXCLUDED.released";

#define RES_NUMS 12 /* plan_year, payable, the ten increments */

/* The changed reservations as columns: one row per claim (the map's key), so the upsert touches each once. */
typedef struct res_gather {
    const char **id, **person, **policy;
    int64_t *v; /* RES_NUMS columns of cap rows */
    bool *released;
    size_t n, cap;
} res_gather;

static fm_status gather_reservation(const char *key, void *value, void *ctx)
{
    const adj_pay_claim *c = value;
    res_gather *g = ctx;
    if (!c->res_dirty || !c->res.present)
        return FM_OK;
    const adj_pay_reservation *r = &c->res;
    const int64_t x[RES_NUMS] = {r->plan_year,
                                 r->payable,
                                 r->usage.death_paid,
                                 r->usage.disability_paid,
                                 r->usage.ci_mild_paid,
                                 r->usage.ci_severe_paid,
                                 r->usage.deductible_used[FM_LIAB_ACCIDENT_MEDICAL],
                                 r->usage.deductible_used[FM_LIAB_ILLNESS_HOSPITAL],
                                 r->usage.medical_paid[FM_LIAB_ACCIDENT_MEDICAL],
                                 r->usage.medical_paid[FM_LIAB_ILLNESS_HOSPITAL],
                                 r->household[FM_LIAB_ACCIDENT_MEDICAL],
                                 r->household[FM_LIAB_ILLNESS_HOSPITAL]};
    size_t i = g->n++;
    g->id[i] = key;
    g->person[i] = r->person_key;
    g->policy[i] = r->policy_number;
    for (size_t k = 0; k < RES_NUMS; k++)
        g->v[k * g->cap + i] = x[k];
    g->released[i] = r->released;
    return FM_OK;
}

static fm_status write_reservations(PGconn *conn, adj_payment *p, fm_error *err)
{
    size_t cap = fm_map_count(&p->claims);
    if (cap == 0)
        return FM_OK;
    res_gather g = {.id = calloc(cap, sizeof(char *)),
                    .person = calloc(cap, sizeof(char *)),
                    .policy = calloc(cap, sizeof(char *)),
                    .v = calloc(RES_NUMS * cap, sizeof(int64_t)),
                    .released = calloc(cap, sizeof(bool)),
                    .cap = cap};
    fm_pg_params q = {0};
    fm_status st = FM_OK;
    if (g.id == NULL || g.person == NULL || g.policy == NULL || g.v == NULL || g.released == NULL) {
        st = oom(err);
        goto done;
    }
    (void)fm_map_each(&p->claims, gather_reservation, &g);
    if (g.n == 0)
        goto done;
    fm_pg_p_text_array(&q, g.id, g.n);
    fm_pg_p_i64_array(&q, g.v, g.n); /* plan_year */
    fm_pg_p_text_array(&q, g.person, g.n);
    fm_pg_p_text_array(&q, g.policy, g.n);
    for (size_t k = 1; k < RES_NUMS; k++)
        fm_pg_p_i64_array(&q, g.v + k * cap, g.n);
    fm_pg_p_bool_array(&q, g.released, g.n);
    st = fm_pg_run(conn, RESERVATIONS_SQL, &q, NULL, err);
done:
    fm_pg_params_free(&q);
    free(g.id);
    free(g.person);
    free(g.policy);
    free(g.v);
    free(g.released);
    return st;
}

fm_status adj_payment_write(adj_payment *p, PGconn *conn, fm_error *err)
{
    fm_copybuf buf = {0};
    fm_status st = FM_OK;
    for (size_t t = 0; st == FM_OK && t < ROW_TABLES; t++)
        st = write_rows(conn, p, (int)t, &buf, err);
    if (st == FM_OK)
        st = write_instructions(conn, p, &buf, err);
    if (st == FM_OK)
        st = write_reservations(conn, p, err);
    fm_copybuf_free(&buf);
    return st;
}
