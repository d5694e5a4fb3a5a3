/* decode_example.c — the C side of the schema agreement test: decodes example files and prints the verdict.
 *
 * Usage: decode_example FILE...   For each file, one line "<file>\tvalid" or
 * "<file>\tinvalid\t<path>\t<code>", after fm_decode_envelope and then the decoder of the event's type
 * (enrollment.submitted, claim.submitted, claim.reviewed, and the output enrollment.decided that famins'
 * subsidy worker consumes; the other output types have encoders only, checked by encoders.sh). Exit 0 unless
 * a file cannot be read or an output type is given. */
#include "fm_decode.h"
#include "fm_decode_claim_life.h"
#include "fm_decode_payment.h"
#include "fm_decode_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *bigger = realloc(buf, cap ? cap * 2 : 65536);
            if (bigger == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = bigger;
            cap = cap ? cap * 2 : 65536;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The claim-life decoders (fm_decode_claim_life.h). */
static fm_status decode_claim_life(fm_event_type t, const char *buf, size_t len, fm_error *err)
{
    fm_documents_added d;
    fm_appeal a;
    fm_appeal_review r;
    fm_status st;
    if (t == FM_EVENT_CLAIM_DOCUMENTS_ADDED) {
        st = fm_decode_documents_added(buf, len, &d, err);
        fm_documents_added_free(&d);
    } else if (t == FM_EVENT_CLAIM_APPEALED) {
        st = fm_decode_appeal(buf, len, &a, err);
        fm_appeal_free(&a);
    } else {
        st = fm_decode_appeal_review(buf, len, &r, err);
        fm_appeal_review_free(&r);
    }
    return st;
}

/* The payment side of a claim (issue 15): fm_decode_payment.h. */
static fm_status decode_payment_side(const char *buf, size_t len, fm_error *err)
{
    json_t *root = NULL;
    fm_envelope env;
    fm_status st = fm_decode_parse(buf, len, 0, &root, err);
    if (st == FM_OK)
        st = fm_decode_envelope_json(root, &env, err);
    if (st == FM_OK && env.type == FM_EVENT_CLAIM_WITHDRAWN) {
        fm_withdrawal w;
        st = fm_decode_withdrawal_json(root, &w, err);
        fm_withdrawal_free(&w);
    } else if (st == FM_OK && env.type == FM_EVENT_CLAIM_PAYMENT_RESULT) {
        fm_payment_result r;
        st = fm_decode_payment_result_json(root, &r, err);
        fm_payment_result_free(&r);
    } else if (st == FM_OK) {
        fm_payee_correction c;
        st = fm_decode_payee_correction_json(root, &c, err);
        fm_payee_correction_free(&c);
    }
    json_decref(root);
    return st;
}

int main(int argc, char **argv)
{
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        size_t len = 0;
        char *buf = read_file(argv[i], &len);
        fm_error err;
        fm_envelope env;
        fm_status st;
        fm_error_clear(&err);
        if (buf == NULL) {
            fprintf(stderr, "decode_example: cannot read %s\n", argv[i]);
            rc = 1;
            continue;
        }
        st = fm_decode_envelope(buf, len, 0, &env, &err);
        if (st == FM_OK) {
            switch (env.type) {
            case FM_EVENT_ENROLLMENT_SUBMITTED: {
                fm_enrollment e;
                st = fm_decode_enrollment(buf, len, &e, &err);
                fm_enrollment_free(&e);
                break;
            }
            case FM_EVENT_CLAIM_SUBMITTED: {
                fm_claim c;
                st = fm_decode_claim(buf, len, &c, &err);
                fm_claim_free(&c);
                break;
            }
            case FM_EVENT_CLAIM_REVIEWED: {
                fm_review r;
                st = fm_decode_review(buf, len, &r, &err);
                fm_review_free(&r);
                break;
            }
            case FM_EVENT_CLAIM_WITHDRAWN:
            case FM_EVENT_CLAIM_PAYMENT_RESULT:
            case FM_EVENT_CLAIM_PAYEE_CORRECTED: st = decode_payment_side(buf, len, &err); break;
            case FM_EVENT_ENROLLMENT_DECIDED: {
                fm_enrollment_decided d;
                st = fm_decode_enrollment_decided(buf, len, &d, &err);
                break;
            }
            case FM_EVENT_CLAIM_DOCUMENTS_ADDED:
            case FM_EVENT_CLAIM_APPEALED:
            case FM_EVENT_CLAIM_APPEAL_REVIEWED: st = decode_claim_life(env.type, buf, len, &err); break;
            case FM_EVENT_POLICY_MEMBER_ADDED:
            case FM_EVENT_POLICY_MEMBER_REMOVED:
            case FM_EVENT_POLICY_CANCELLED:
            case FM_EVENT_POLICY_PREMIUM_PAID:
            case FM_EVENT_POLICY_PREMIUM_REFUNDED: { /* issue 16 */
                fm_policy_event p;
                st = fm_decode_policy_event(buf, len, &p, &err);
                fm_policy_event_free(&p);
                break;
            }
            default:
                fprintf(stderr, "decode_example: %s is an output event (%s): no decoder\n", argv[i],
                        fm_event_type_name(env.type));
                rc = 1;
                free(buf);
                continue;
            }
        }
        if (st == FM_OK)
            printf("%s\tvalid\n", argv[i]);
        else
            printf("%s\tinvalid\t%s\t%s\n", argv[i], err.path, err.code);
        free(buf);
    }
    return rc;
}
