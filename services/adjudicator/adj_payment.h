/* adj_payment.h — a claim's money after its decision (issue 15): payees, payment instructions on
 * claim.payment, payment results, payee corrections and withdrawals, decided against the batch's overlay. */
#ifndef ADJ_PAYMENT_H
#define ADJ_PAYMENT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "adj_apply.h"
#include "adj_batch.h"
#include "fm_decode_payment.h"
#include "fm_error.h"
#include "fm_event_id.h"
#include "fm_keyring.h"
#include "fm_map.h"

#define ADJ_PAY_ID_LEN (FM_EVENT_ID_LEN + 1)
#define ADJ_PAY_REF_LEN 96          /* "<key id>:<64 hex>" */
#define ADJ_PAY_MAX_INSTRUCTIONS 32 /* per claim: recipients × attempts */
#define ADJ_PAY_TS_LEN 48

/* A payee recipient as famins keeps it: never the account number itself. */
typedef struct adj_pay_recipient {
    char bank_code[FM_BANK_CODE_MAX + 1];
    char masked[FM_ACCOUNT_MASK_LEN];
    char ref[ADJ_PAY_REF_LEN];
    int share_percent;
} adj_pay_recipient;

/* What a payable decision added to the usage (released by a withdrawal). */
typedef struct adj_pay_reservation {
    bool present;
    bool released;
    int plan_year;
    char person_key[FM_PERSON_KEY_LEN];
    char policy_number[64];
    fm_fen payable;
    fm_claim_usage usage;            /* the decision's increments */
    fm_fen household[FM_LIAB_COUNT]; /* the household's medical increments */
} adj_pay_reservation;

/* One claim's payment state (map value, key: claim id). */
typedef struct adj_pay_claim {
    char received_at[ADJ_PAY_TS_LEN]; /* the claim event's occurred_at ("" unknown) */
    bool has_payee;
    int payee_version;
    fm_payee_kind kind;
    size_t n;
    adj_pay_recipient r[FM_PAYEE_MAX];
    size_t n_ins;
    char ins[ADJ_PAY_MAX_INSTRUCTIONS][ADJ_PAY_ID_LEN]; /* its instructions, oldest first */
    adj_pay_reservation res;
    bool res_dirty;
} adj_pay_claim;

/* An instruction (map value, key: instruction id). */
typedef struct adj_pay_instruction {
    char id[ADJ_PAY_ID_LEN];
    char claim_id[40];
    char policy_number[64];
    int recipient_index;
    int payee_version;
    fm_fen amount;
    adj_pay_recipient to;
    char source_event_id[ADJ_PAY_ID_LEN];
    char replaces[ADJ_PAY_ID_LEN];
    char status[16]; /* instructed, paid, failed, cancelled */
    fm_date paid_date;
    char bank_reference[4 * 64 + 1];
    char failure_reason[4 * 200 + 1];
    char received_at[ADJ_PAY_TS_LEN];
    bool is_new, dirty;
    size_t seq; /* creation order in the batch (new ones): their rows are written in it */
} adj_pay_instruction;

/* An event to publish on claim.payment (key: the policy number). */
typedef struct adj_pay_output {
    char event_id[ADJ_PAY_ID_LEN];
    char *key;
    char *payload;
} adj_pay_output;

/* A row of the event tables, written by adj_payment_write (strings owned). */
#define ADJ_PAY_ROW_TEXTS 10
typedef struct adj_pay_row {
    int table; /* 0 results, 1 corrections, 2 withdrawals, 3 payee */
    char *text[ADJ_PAY_ROW_TEXTS];
    int64_t num[4];
    bool has_num[4];
} adj_pay_row;

/* The batch's payment state; zero-initialised is empty. */
typedef struct adj_payment {
    const fm_keyring *keyring; /* borrowed: account references are keyed with its current key */
    fm_map claims, instructions;
    adj_pay_row *rows;
    size_t n_rows, cap_rows;
    adj_pay_output *out; /* events of the current apply, taken by adj_payment_take_outputs */
    size_t n_out, cap_out;
    size_t n_created; /* instructions created in the batch (their seq) */
} adj_payment;

void adj_payment_reset(adj_payment *p);
void adj_payment_free(adj_payment *p);

/* The keyed reference of an account: "<key id>:" + HMAC-SHA-256 under the ring's current key of
 * "famins-account:<bank code>:<account>" (64 hex). FM_EINVAL without a key. Pure. */
fm_status adj_payment_account_ref(const fm_keyring *ring, const char *bank_code, const char *account,
                                  char out[ADJ_PAY_REF_LEN]);

/* The split of amount over shares (percent, summing to 100): floor(amount × share / 100) each, the fen left
 * over to the first recipient, so the parts sum to amount. Pure. */
void adj_payment_split(fm_fen amount, const int *shares, size_t n, fm_fen *out);

/* The instruction id of recipient i caused by source_event_id: "famins-pay-<source>-<i>" (hashed when long).
 * Pure and stable. */
void adj_payment_instruction_id(const char *source_event_id, size_t i, char out[ADJ_PAY_ID_LEN]);

/* prepare_batch: reads the payment state (current payee, instructions, reservation) of the claims named
 * (claims of reviews, withdrawals, results and corrections) and the instructions named by results, locking
 * the instructions (FOR UPDATE). At most two statements: the claims' receipt, reservation and payee in one;
 * their instructions only when one of them has a payee (an instruction needs one) or a result names one.
 * FM_OK, FM_EDB, FM_ECONFIG, FM_ENOMEM. */
fm_status adj_payment_prepare(adj_payment *p, PGconn *conn, const char *const *claim_ids, size_t n_claims,
                              const char *const *instruction_ids, size_t n_ins, fm_error *err);

/* A claim.submitted of the batch: its payee (may be absent) and receipt time, before it is decided. */
fm_status adj_payment_claim_submitted(adj_payment *p, const char *claim_id, const char *event_id,
                                      const fm_payee *payee, const char *received_at, fm_error *err);

/*
 * The instruct call: a decision (initial, review, or an appeal's overturn) of claim_id made by
 * source_event_id left `decided` (outcome, payable, and what it added to the usage). approved or partial with
 * payable > 0: records the reservation and one instruction per payee recipient (exactly once: its id derives
 * from source_event_id), with its claim.payment_instructed event (adj_payment_take_outputs); no payee: no
 * instruction (a claim.payee_corrected supplies one later). Anything else: nothing. FM_OK, FM_ENOMEM.
 */
fm_status adj_payment_instruct(adj_payment *p, const char *claim_id, const char *policy_number,
                               const char *source_event_id, const adj_output *decided,
                               const char *occurred_at, fm_error *err);

/* claim.withdrawn, claim.payment_result, claim.payee_corrected against b's overlay (claim status, usage)
 * and p's state. Refused and ignored ones are recorded with their reason (*ignored, static; NULL when
 * applied). FM_OK; FM_ECONFIG (NOT_PREPARED); FM_ENOMEM. */
fm_status adj_payment_withdraw(adj_payment *p, adj_batch *b, const fm_withdrawal *w, const char *occurred_at,
                               const char **ignored, fm_error *err);
fm_status adj_payment_result(adj_payment *p, const fm_payment_result *r, const char **ignored, fm_error *err);
fm_status adj_payment_correct(adj_payment *p, adj_batch *b, const fm_payee_correction *c,
                              const char *occurred_at, const char **ignored, fm_error *err);

/* The events the last calls produced (the caller adds them to the outbox and frees them with
 * adj_payment_outputs_free); *n their number. */
adj_pay_output *adj_payment_take_outputs(adj_payment *p, size_t *n);
void adj_payment_outputs_free(adj_pay_output *o, size_t n);

/* end_batch, after adj_store_write: the payees, instructions (new, and changed), reservations, results,
 * corrections and withdrawals, set-based: a COPY per table of new rows (results, corrections, withdrawals,
 * payees, new instructions, in the order they were made), one UPDATE for the changed instructions and one
 * upsert for the reservations (each row once, in its final state: the maps hold one entry per key). Nothing
 * is sent for a table without rows. fm_pg_run's and fm_copybuf_send's statuses (err->code the SQLSTATE). */
fm_status adj_payment_write(adj_payment *p, PGconn *conn, fm_error *err);

#endif
