/* fm_decode_payment.c — decoding the payment side of a claim (issue 15): the payee block, claim.withdrawn,
 * claim.payment_result, claim.payee_corrected; the account mask. */
#include "fm_decode_payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fm_jread.h"

#define ENVELOPE_KEYS "event_id", "type", "schema_version", "occurred_at", "producer"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const KINDS[FM_PAYEE_KIND_COUNT] = {"insured", "guardian", "beneficiaries"};
static const char *const RESULTS[FM_PAYMENT_RESULT_COUNT] = {"paid", "failed"};

const char *fm_payee_kind_name(fm_payee_kind k)
{
    return (unsigned)k < FM_PAYEE_KIND_COUNT ? KINDS[k] : "?";
}

const char *fm_payment_result_name(fm_payment_result_kind k)
{
    return (unsigned)k < FM_PAYMENT_RESULT_COUNT ? RESULTS[k] : "?";
}

void fm_payee_wipe(fm_payee *p)
{
    /* volatile: a plain memset of memory about to be released may be removed by the optimiser. */
    volatile unsigned char *v = (volatile unsigned char *)p;
    for (size_t i = 0; i < sizeof *p; i++)
        v[i] = 0;
}

void fm_payee_mask_account(const char *account, char out[FM_ACCOUNT_MASK_LEN])
{
    size_t n = account != NULL ? strlen(account) : 0;
    if (n >= FM_ACCOUNT_MASK_LEN)
        n = FM_ACCOUNT_MASK_LEN - 1;
    /* Only an account long enough keeps its last 4 digits visible: a short one would be mostly shown. */
    size_t shown = n > 8 ? 4 : 0;
    for (size_t i = 0; i < n; i++)
        out[i] = i + shown >= n ? account[i] : '*';
    out[n] = '\0';
}

/* s is made of chars accepted by ok, length lo..hi (checked apart from fm_jr_string: its charsets). */
static bool all_of(const char *s, size_t lo, size_t hi, bool digits_only)
{
    size_t n = strlen(s);
    if (n < lo || n > hi)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool digit = c >= '0' && c <= '9';
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!(digit || (!digits_only && alpha)))
            return false;
    }
    return true;
}

/* A string member copied into a fixed buffer, checked for its form; the value is never quoted. */
static fm_status read_fixed(const json_t *obj, const char *prefix, const char *key, size_t lo, size_t hi,
                            bool digits_only, char *out, size_t out_len, fm_error *err)
{
    char path[FM_JR_PATH_LEN];
    char *s = NULL;
    fm_status st = fm_jr_string(obj, prefix, key, 1, hi, FM_JR_ANY, false, &s, err);
    if (st != FM_OK)
        return st;
    fm_jr_path(path, sizeof path, prefix, key);
    if (!all_of(s, lo, hi, digits_only) || strlen(s) >= out_len) {
        fm_error_set(err, path, "BAD_FORMAT", "%s must be %zu to %zu %s", path, lo, hi,
                     digits_only ? "digits" : "letters or digits");
        /* wipe: it may be an account number */
        memset(s, 0, strlen(s));
        free(s);
        return FM_EINVAL;
    }
    snprintf(out, out_len, "%s", s);
    memset(s, 0, strlen(s));
    free(s);
    return FM_OK;
}

static fm_status read_recipient(const json_t *v, const char *path, fm_payee_recipient *r, fm_error *err)
{
    static const char *const known[] = {"bank_code", "account_number", "share_percent"};
    int64_t share = 0;
    fm_status st;
    if ((st = fm_jr_is_object(v, path, err)) != FM_OK ||
        (st = read_fixed(v, path, "bank_code", 2, FM_BANK_CODE_MAX, false, r->bank_code, sizeof r->bank_code,
                         err)) != FM_OK ||
        (st = read_fixed(v, path, "account_number", 8, FM_ACCOUNT_MAX, true, r->account, sizeof r->account,
                         err)) != FM_OK ||
        (st = fm_jr_int(v, path, "share_percent", 1, 100, "OUT_OF_RANGE", false, NULL, &share, err)) != FM_OK)
        return st;
    r->share_percent = (int)share;
    return fm_jr_no_unknown(v, path, known, COUNT(known), err);
}

static fm_status read_payee(const json_t *p, int liability, fm_payee *out, fm_error *err)
{
    static const char *const known[] = {"kind", "recipients"};
    json_t *arr = NULL;
    int k = 0, total = 0;
    char path[FM_JR_PATH_LEN];
    fm_status st;
    if ((st = fm_jr_is_object(p, "payee", err)) != FM_OK ||
        (st = fm_jr_enum(p, "payee", "kind", KINDS, FM_PAYEE_KIND_COUNT, &k, err)) != FM_OK ||
        (st = fm_jr_array(p, "payee", "recipients", 1, FM_PAYEE_MAX, &arr, err)) != FM_OK)
        return st;
    out->kind = (fm_payee_kind)k;
    out->n = json_array_size(arr);
    for (size_t i = 0; i < out->n; i++) {
        fm_jr_index(path, sizeof path, "payee.recipients", i);
        if ((st = read_recipient(json_array_get(arr, i), path, &out->r[i], err)) != FM_OK)
            return st;
        total += out->r[i].share_percent;
    }
    if ((st = fm_jr_no_unknown(p, "payee", known, COUNT(known), err)) != FM_OK)
        return st;
    if (out->kind != FM_PAYEE_BENEFICIARIES && out->n != 1) {
        fm_error_set(err, "payee.recipients", "TOO_MANY", "payee.recipients names one recipient for %s",
                     KINDS[out->kind]);
        return FM_EINVAL;
    }
    if (total != 100) {
        fm_error_set(err, "payee.recipients", "SHARES_NOT_100",
                     "the recipients' shares sum to %d %%, not 100", total);
        return FM_EINVAL;
    }
    if (liability >= 0 && (liability == FM_LIAB_DEATH) != (out->kind == FM_PAYEE_BENEFICIARIES)) {
        fm_error_set(err, "payee.kind", "PAYEE_KIND_MISMATCH", "a %s claim is paid to %s",
                     fm_liability_name((fm_liability)liability),
                     liability == FM_LIAB_DEATH ? "beneficiaries" : "the insured or the guardian");
        return FM_EINVAL;
    }
    out->present = true;
    return FM_OK;
}

fm_status fm_decode_payee_json(const json_t *root, int liability, fm_payee *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    const json_t *p = json_object_get(root, "payee");
    if (p == NULL || json_is_null(p))
        return FM_OK; /* optional in schema_version 1: claims from before issue 15 stay valid */
    fm_status st = read_payee(p, liability, out, err);
    if (st != FM_OK)
        fm_payee_wipe(out);
    return st;
}

/* The envelope of the wanted type; *event_id a copy of its id, *occurred_at (when asked) of its time. */
static fm_status check_event(const json_t *root, fm_event_type want, char **event_id, char **occurred_at,
                             fm_error *err)
{
    fm_envelope env;
    fm_status st = fm_decode_envelope_json(root, &env, err);
    if (st != FM_OK)
        return st;
    if (env.type != want) {
        fm_error_set(err, "type", "WRONG_EVENT_TYPE", "expected a %s event, got %s", fm_event_type_name(want),
                     fm_event_type_name(env.type));
        return FM_EINVAL;
    }
    if ((*event_id = strdup(env.event_id)) == NULL)
        return FM_ENOMEM;
    if (occurred_at != NULL && (*occurred_at = strdup(env.occurred_at)) == NULL)
        return FM_ENOMEM;
    return FM_OK;
}

/* The claim and policy every one of these events names. */
static fm_status read_claim_ref(const json_t *root, char **claim_id, char **policy_number, fm_error *err)
{
    fm_status st = fm_jr_string(root, "", "claim_id", 1, 32, FM_JR_ID_DASH, false, claim_id, err);
    if (st == FM_OK)
        st = fm_jr_string(root, "", "policy_number", 1, 48, FM_JR_ANY, false, policy_number, err);
    return st;
}

static fm_status finish(fm_status st, fm_error *err)
{
    if (st == FM_ENOMEM)
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
    return st;
}

fm_status fm_decode_withdrawal_json(const json_t *root, fm_withdrawal *out, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "reason"};
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_WITHDRAWN, &out->event_id, &out->occurred_at, err);
    if (st == FM_OK)
        st = read_claim_ref(root, &out->claim_id, &out->policy_number, err);
    if (st == FM_OK)
        st = fm_jr_string(root, "", "reason", 0, 500, FM_JR_ANY, true, &out->reason, err);
    if (st == FM_OK)
        st = fm_jr_no_unknown(root, "", known, COUNT(known), err);
    if (st != FM_OK)
        fm_withdrawal_free(out);
    return finish(st, err);
}

static fm_status read_result(const json_t *root, fm_payment_result *r, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id",  "policy_number",  "instruction_id",
                                        "result",      "paid_date", "bank_reference", "failure_reason"};
    int k = 0;
    bool has_date = false;
    fm_status st;
    if ((st = read_claim_ref(root, &r->claim_id, &r->policy_number, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "instruction_id", 1, 64, FM_JR_EVENT_ID, false, &r->instruction_id,
                           err)) != FM_OK ||
        (st = fm_jr_enum(root, "", "result", RESULTS, FM_PAYMENT_RESULT_COUNT, &k, err)) != FM_OK)
        return st;
    r->result = (fm_payment_result_kind)k;
    bool paid = r->result == FM_PAYMENT_PAID;
    if ((st = fm_jr_date(root, "", "paid_date", true, &has_date, &r->paid_date, err)) != FM_OK ||
        (st = fm_jr_string(root, "", "bank_reference", 1, 64, FM_JR_ANY, true, &r->bank_reference, err)) !=
            FM_OK ||
        (st = fm_jr_string(root, "", "failure_reason", 1, 200, FM_JR_ANY, true, &r->failure_reason, err)) !=
            FM_OK)
        return st;
    /* paid: its date and the bank's reference; failed: the bank's reason; never the other's fields. */
    const char *missing = paid && !has_date             ? "paid_date"
                          : paid && !r->bank_reference  ? "bank_reference"
                          : !paid && !r->failure_reason ? "failure_reason"
                                                        : NULL;
    const char *extra = !paid && has_date            ? "paid_date"
                        : !paid && r->bank_reference ? "bank_reference"
                        : paid && r->failure_reason  ? "failure_reason"
                                                     : NULL;
    if (missing != NULL) {
        fm_error_set(err, missing, "MISSING", "%s is required when result is %s", missing, RESULTS[k]);
        return FM_EINVAL;
    }
    if (extra != NULL) {
        fm_error_set(err, extra, "MUST_BE_NULL", "%s must be null when result is %s", extra, RESULTS[k]);
        return FM_EINVAL;
    }
    return fm_jr_no_unknown(root, "", known, COUNT(known), err);
}

fm_status fm_decode_payment_result_json(const json_t *root, fm_payment_result *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_PAYMENT_RESULT, &out->event_id, NULL, err);
    if (st == FM_OK)
        st = read_result(root, out, err);
    if (st != FM_OK)
        fm_payment_result_free(out);
    return finish(st, err);
}

fm_status fm_decode_payee_correction_json(const json_t *root, fm_payee_correction *out, fm_error *err)
{
    static const char *const known[] = {ENVELOPE_KEYS, "claim_id", "policy_number", "payee"};
    memset(out, 0, sizeof *out);
    fm_status st = check_event(root, FM_EVENT_CLAIM_PAYEE_CORRECTED, &out->event_id, NULL, err);
    if (st == FM_OK)
        st = read_claim_ref(root, &out->claim_id, &out->policy_number, err);
    if (st == FM_OK) {
        json_t *p = NULL;
        /* required here: a correction without a payee corrects nothing */
        st = fm_jr_value(root, "", "payee", false, &p, err);
        if (st == FM_OK)
            st = read_payee(p, -1, &out->payee, err);
    }
    if (st == FM_OK)
        st = fm_jr_no_unknown(root, "", known, COUNT(known), err);
    if (st != FM_OK)
        fm_payee_correction_free(out);
    return finish(st, err);
}

void fm_withdrawal_free(fm_withdrawal *w)
{
    if (w == NULL)
        return;
    free(w->event_id);
    free(w->claim_id);
    free(w->policy_number);
    free(w->reason);
    free(w->occurred_at);
    memset(w, 0, sizeof *w);
}

void fm_payment_result_free(fm_payment_result *r)
{
    if (r == NULL)
        return;
    free(r->event_id);
    free(r->claim_id);
    free(r->policy_number);
    free(r->instruction_id);
    free(r->bank_reference);
    free(r->failure_reason);
    memset(r, 0, sizeof *r);
}

void fm_payee_correction_free(fm_payee_correction *c)
{
    if (c == NULL)
        return;
    free(c->event_id);
    free(c->claim_id);
    free(c->policy_number);
    fm_payee_wipe(&c->payee);
    memset(c, 0, sizeof *c);
}
