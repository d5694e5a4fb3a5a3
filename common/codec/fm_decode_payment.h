/* fm_decode_payment.h — decoding the payment side of a claim (issue 15): the payee block of claim.submitted,
 * and claim.withdrawn, claim.payment_result, claim.payee_corrected; the account mask. */
#ifndef FM_DECODE_PAYMENT_H
#define FM_DECODE_PAYMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "fm_decode.h"
#include "fm_error.h"
#include "fm_model.h"

#define FM_PAYEE_MAX 8         /* recipients of one payee block (beneficiaries of a death) */
#define FM_ACCOUNT_MAX 32      /* digits of an account number */
#define FM_BANK_CODE_MAX 16    /* characters of a bank code */
#define FM_ACCOUNT_MASK_LEN 40 /* bytes of a masked account with its NUL */

typedef enum fm_payee_kind {
    FM_PAYEE_INSURED = 0,   /* the insured adult */
    FM_PAYEE_GUARDIAN,      /* the guardian of an insured child */
    FM_PAYEE_BENEFICIARIES, /* the beneficiaries of a death, shares summing to 100 % */
    FM_PAYEE_KIND_COUNT
} fm_payee_kind;

/* "insured", "guardian", "beneficiaries"; "?" out of range. */
const char *fm_payee_kind_name(fm_payee_kind k);

/* One recipient. account is personal data: never logged, stored or published (only its mask and keyed
 * reference are); fm_payee_wipe clears it. */
typedef struct fm_payee_recipient {
    char bank_code[FM_BANK_CODE_MAX + 1];
    char account[FM_ACCOUNT_MAX + 1];
    int share_percent; /* 1..100 */
} fm_payee_recipient;

typedef struct fm_payee {
    bool present; /* false: the claim carried no payee block */
    fm_payee_kind kind;
    size_t n;
    fm_payee_recipient r[FM_PAYEE_MAX];
} fm_payee;

/* Zeroes the block (the account numbers with it) in a way the compiler keeps. */
void fm_payee_wipe(fm_payee *p);

/*
 * The payee block at root's member "payee" (absent or null: present = false). Checks: kind; recipients 1..8;
 * bank_code [A-Za-z0-9]{2,16}; account_number [0-9]{8,32}; share_percent 1..100; insured and guardian name
 * exactly one recipient with 100; beneficiaries' shares sum to 100 (SHARES_NOT_100); a death claim's payee
 * is beneficiaries and another claim's is not (PAYEE_KIND_MISMATCH; liability < 0: not checked).
 * FM_EINVAL with err's path ("payee.recipients[1].account_number") and code; the value is never quoted.
 */
fm_status fm_decode_payee_json(const json_t *root, int liability, fm_payee *out, fm_error *err);

/* The mask of an account number: '*' for every character but the last 4 ("************1234"); all '*' for
 * 8 characters or fewer (a short number would be mostly shown). Cut to FM_ACCOUNT_MASK_LEN - 1. Pure. */
void fm_payee_mask_account(const char *account, char out[FM_ACCOUNT_MASK_LEN]);

/* claim.withdrawn: the claim, its policy, the family's reason (may be NULL). */
typedef struct fm_withdrawal {
    char *event_id;
    char *claim_id;
    char *policy_number;
    char *reason;
    char *occurred_at;
} fm_withdrawal;

typedef enum fm_payment_result_kind {
    FM_PAYMENT_PAID = 0,
    FM_PAYMENT_FAILED,
    FM_PAYMENT_RESULT_COUNT
} fm_payment_result_kind;
const char *fm_payment_result_name(fm_payment_result_kind k);

/* claim.payment_result: paid (paid_date, bank_reference) or failed (failure_reason, the bank's words). */
typedef struct fm_payment_result {
    char *event_id;
    char *claim_id;
    char *policy_number;
    char *instruction_id;
    fm_payment_result_kind result;
    fm_date paid_date;    /* paid only */
    char *bank_reference; /* paid only */
    char *failure_reason; /* failed only */
} fm_payment_result;

/* claim.payee_corrected: the claim's whole new payee block. */
typedef struct fm_payee_correction {
    char *event_id;
    char *claim_id;
    char *policy_number;
    fm_payee payee;
} fm_payee_correction;

/* The decoders: the envelope of the right type, the body, no unknown member. FM_EINVAL with err's path and
 * code as every codec decoder (WRONG_EVENT_TYPE, MISSING, WRONG_TYPE, BAD_FORMAT, NOT_ONE_OF, MUST_BE_NULL,
 * UNKNOWN_FIELD, ...), FM_ENOMEM. On failure *out is freed and zeroed. */
fm_status fm_decode_withdrawal_json(const json_t *root, fm_withdrawal *out, fm_error *err);
fm_status fm_decode_payment_result_json(const json_t *root, fm_payment_result *out, fm_error *err);
fm_status fm_decode_payee_correction_json(const json_t *root, fm_payee_correction *out, fm_error *err);

void fm_withdrawal_free(fm_withdrawal *w);
void fm_payment_result_free(fm_payment_result *r);
void fm_payee_correction_free(fm_payee_correction *c);

#endif
