/* wg_payment.c — the payment side of a generated claim (issue 15): its payee block, and after its decision
 * the bank's results, payee corrections and the family's withdrawals, with their labels, by construction. */
#include "wg_payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wg_date.h"

/* FNV-1a of s with a salt: the claim's own choice, independent of the random streams. */
static uint64_t hash(const char *s, uint64_t salt)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ salt;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* A 19-digit account of recipient k, version v (a correction gets another). */
static void account(const char *claim_id, int k, int v, char out[20])
{
    snprintf(out, 20, "62%017llu",
             (unsigned long long)(hash(claim_id, (uint64_t)(k * 7 + v)) % 100000000000000000ULL));
}

static json_t *payee(const wg_payment_claim *c, int version)
{
    json_t *p = json_object(), *rs = json_array();
    int n = c->death ? 2 : 1;
    static const int shares[2] = {60, 40};
    static const char *const banks[2] = {"ICBC", "BOC"};
    for (int k = 0; k < n; k++) {
        char acc[20];
        account(c->claim_id, k, k == 0 ? version : 0, acc);
        json_t *r = json_object();
        json_object_set_new(r, "bank_code", json_string(banks[k]));
        json_object_set_new(r, "account_number", json_string(acc));
        json_object_set_new(r, "share_percent", json_integer(c->death ? shares[k] : 100));
        json_array_append_new(rs, r);
    }
    json_object_set_new(p, "kind",
                        json_string(c->death   ? "beneficiaries"
                                    : c->child ? "guardian"
                                               : "insured"));
    json_object_set_new(p, "recipients", rs);
    return p;
}

fm_status wg_payment_add_payee(json_t *o, const wg_payment_claim *c)
{
    return json_object_set_new(o, "payee", payee(c, 0)) == 0 ? FM_OK : FM_ENOMEM;
}

/* One event with its label. */
static fm_status send(const wg_payment_claim *c, json_t *o, const char *kind, const char *outcome,
                      const char *reason, wg_emit_fn emit, void *arg)
{
    json_t *l = json_object(), *e = json_object();
    json_object_set_new(l, "event_id", json_incref(json_object_get(o, "event_id")));
    json_object_set_new(l, "key", json_string(c->key));
    json_object_set_new(l, "kind", json_string(kind));
    json_object_set_new(l, "fault", json_null());
    json_object_set_new(e, "claim_id", json_string(c->claim_id));
    json_object_set_new(e, "outcome", json_string(outcome));
    json_object_set_new(e, "reason", reason ? json_string(reason) : json_null());
    json_object_set_new(l, "expected", e);
    char *payload = json_dumps(o, JSON_COMPACT), *label = json_dumps(l, JSON_COMPACT);
    json_decref(l);
    json_decref(o);
    fm_status st = FM_ENOMEM;
    if (payload != NULL && label != NULL) {
        wg_message m = {.key = c->key,
                        .key_len = strlen(c->key),
                        .payload = payload,
                        .len = strlen(payload),
                        .label = label,
                        .kind = kind,
                        .fault = NULL,
                        .unit = kind,
                        .outcome = outcome};
        st = emit(arg, &m);
    }
    free(payload);
    free(label);
    return st;
}

/* The envelope and the claim's reference; day: the event's date (09:00 Beijing time). */
static json_t *event(const wg_payment_claim *c, const char *type, const char *event_id, int32_t day)
{
    char date[11], at[40];
    wg_date_format(day, date);
    snprintf(at, sizeof at, "%sT09:00:00+08:00", date);
    json_t *o = json_object();
    json_object_set_new(o, "event_id", json_string(event_id));
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "schema_version", json_integer(1));
    json_object_set_new(o, "occurred_at", json_string(at));
    json_object_set_new(o, "producer", json_string(c->producer));
    json_object_set_new(o, "claim_id", json_string(c->claim_id));
    json_object_set_new(o, "policy_number", json_string(c->key));
    return o;
}

static fm_status result(const wg_payment_claim *c, const char *suffix, const char *source, int k, bool paid,
                        int32_t day, const char *outcome, const char *reason, wg_emit_fn emit, void *arg)
{
    char id[96], ins[160], date[11];
    snprintf(id, sizeof id, "res-%s-%s", c->claim_id, suffix);
    snprintf(ins, sizeof ins, "famins-pay-%s-%d", source, k);
    json_t *o = event(c, "claim.payment_result", id, day);
    wg_date_format(day, date);
    json_object_set_new(o, "instruction_id", json_string(ins));
    json_object_set_new(o, "result", json_string(paid ? "paid" : "failed"));
    json_object_set_new(o, "paid_date", paid ? json_string(date) : json_null());
    json_object_set_new(o, "bank_reference", paid ? json_string(id) : json_null());
    json_object_set_new(o, "failure_reason", paid ? json_null() : json_string("账户已销户 account closed"));
    return send(c, o, "payment", outcome, reason, emit, arg);
}

bool wg_payment_withdraws(const wg_payment_claim *c)
{
    int pick = (int)(hash(c->claim_id, 0x70617931ULL) % 100);
    return strcmp(c->outcome, "pending_review") == 0 && !c->reviewed_later && pick < 30;
}

fm_status wg_payment_after(const wg_payment_claim *c, wg_emit_fn emit, void *arg)
{
    int pick = (int)(hash(c->claim_id, 0x70617931ULL) % 100);
    int n = c->death ? 2 : 1;
    fm_status st = FM_OK;
    bool payable =
        (strcmp(c->outcome, "approved") == 0 || strcmp(c->outcome, "partial") == 0) && c->payable > 0;
    if (wg_payment_withdraws(c)) {
        char id[96];
        snprintf(id, sizeof id, "wd-%s", c->claim_id);
        json_t *o = event(c, "claim.withdrawn", id, c->report + 20);
        json_object_set_new(o, "reason", json_string("家庭撤回 the family withdraws"));
        return send(c, o, "withdrawal", "withdrawn", NULL, emit, arg);
    }
    if (!payable || pick >= 80)
        return FM_OK; /* nothing to pay, or the payment is still outstanding */
    if (pick < 60 || pick >= 75) {
        char sfx[16];
        for (int k = 0; k < n && st == FM_OK; k++) {
            snprintf(sfx, sizeof sfx, "p%d", k);
            st = result(c, sfx, c->event_id, k, true, c->report + 25, "payment_applied", NULL, emit, arg);
        }
        if (st == FM_OK && pick >= 75) /* the bank says it twice */
            st = result(c, "again", c->event_id, 0, true, c->report + 26, "payment_ignored",
                        "PAYMENT_DUPLICATE_RESULT", emit, arg);
        return st;
    }
    /* failed, corrected, re-issued (famins-pay-<correction id>-0) and paid; the other recipient paid */
    char cor[96];
    snprintf(cor, sizeof cor, "cor-%s", c->claim_id);
    st = result(c, "f0", c->event_id, 0, false, c->report + 22, "payment_applied", NULL, emit, arg);
    if (st == FM_OK) {
        json_t *o = event(c, "claim.payee_corrected", cor, c->report + 24);
        json_object_set_new(o, "payee", payee(c, 1));
        st = send(c, o, "payment", "payment_applied", NULL, emit, arg);
    }
    if (st == FM_OK)
        st = result(c, "p0", cor, 0, true, c->report + 30, "payment_applied", NULL, emit, arg);
    for (int k = 1; k < n && st == FM_OK; k++)
        st = result(c, "p1", c->event_id, k, true, c->report + 25, "payment_applied", NULL, emit, arg);
    return st;
}
