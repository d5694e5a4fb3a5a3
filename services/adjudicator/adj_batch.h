/* adj_batch.h — one batch's facts, read once, and the overlay of what the batch decided so far, with its
 * rows. */
#ifndef ADJ_BATCH_H
#define ADJ_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "fm_claim_rules.h"
#include "fm_copybuf.h"
#include "fm_error.h"
#include "fm_map.h"
#include "fm_model.h"
#include "fm_person.h"
#include "fm_plan.h"

/*
 * A batch is decided in memory: prepare_batch reads every fact its events need in a few statements
 * (adj_store_load_*), each apply decides against the facts as earlier events of the batch left them (the
 * overlay: usage, household usage, invoices claimed, claims and their status, event ids, deaths) and buffers
 * the rows, end_batch writes them (adj_store_write). The maps below are both: loaded from the database, then
 * updated by each decision, so a later claim of the batch sees exactly what it would have read had the
 * earlier ones been written one by one.
 */

#define ADJ_STATUS_LEN 24

/* adj_batch.events' value for an event the facts read found recorded in the database (not by this batch). */
#define ADJ_EVENT_IN_DATABASE 'D'

typedef struct adj_policy_fact { /* key: policy number */
    bool found;
    int plan_year;
    char managing_unit[FM_CODE_LEN];
    fm_date coverage_start;
    fm_date coverage_end;
    /* Issue 16 (adj_policy.c): the policy's life after enrollment. */
    bool cancelled;
    fm_date cancelled_on;
    fm_fen premium_due;    /* the household's self-paid at enrollment */
    bool fully_paid;       /* its payments covered it ... */
    fm_date fully_paid_on; /* ... first on this day */
} adj_policy_fact;

typedef struct adj_person_fact { /* key: policy number, person key */
    bool found;                  /* insured in that policy */
    fm_role role;
    bool renewal;
    bool own_cover; /* issue 16: added or removed during the year, covered [covered_from, covered_to] */
    fm_date covered_from;
    fm_date covered_to;
} adj_person_fact;

typedef struct adj_usage_fact { /* key: plan year, person key */
    int plan_year;
    char person_key[FM_PERSON_KEY_LEN];
    fm_claim_usage usage;
    bool dirty; /* changed by the batch: upserted by end_batch */
} adj_usage_fact;

typedef struct adj_household_fact { /* key: policy number */
    fm_fen medical_paid[FM_LIAB_COUNT];
    bool dirty;
} adj_household_fact;

/* A recorded claim, as a review needs it. */
typedef struct adj_stored_claim {
    fm_claim claim; /* owned (fm_claim_free); insured_id_number is "" (never stored) */
    char person_key[FM_PERSON_KEY_LEN];
} adj_stored_claim;

typedef struct adj_claim_fact { /* key: claim id */
    bool recorded;              /* in the database, or inserted by this batch */
    long stored;                /* index into adj_batch.stored, -1: not loaded */
    char status[ADJ_STATUS_LEN];
    fm_fen payable;
    bool status_dirty; /* changed by a review of this batch: updated by end_batch */
    bool reviewed; /* a review of the batch names it: a claim decided in the batch keeps a copy (stored) */
} adj_claim_fact;

/* A claim_reviews row, written by end_batch (strings owned). */
typedef struct adj_review_row {
    char *claim_id;
    char *event_id;
    char *reviewer;
    const char *action; /* static */
    bool has_amount;
    fm_fen amount;
    char *note; /* NULL: none */
    char status_before[ADJ_STATUS_LEN];
    char status_after[ADJ_STATUS_LEN];
    fm_fen payable_after;
    bool has_decision;          /* the decision made by the review (its event id is the review's) */
    const char *ignored_reason; /* static, NULL when the review decided */
} adj_review_row;

typedef struct adj_batch {
    fm_map policies, persons, usage, households, claims, invoices;
    fm_map events;   /* event ids that recorded a claim: one char, ADJ_EVENT_IN_DATABASE or 0 (this batch) */
    fm_map deceased; /* person keys with a death benefit paid, any plan year (value: one byte, 1 = deceased;
                      * 0 once a withdrawal released the death benefit: adj_batch_set_deceased) */
    adj_stored_claim *stored;
    size_t n_stored, cap_stored;
    /* COPY rows */
    fm_copybuf claim_rows, bill_rows, invoice_rows, decision_rows, signal_rows;
    adj_review_row *reviews;
    size_t n_reviews, cap_reviews;
} adj_batch;

/* Empties everything, keeping memory where it can (begin_batch). A zeroed struct is an empty batch. */
void adj_batch_reset(adj_batch *b);
/* Releases everything. */
void adj_batch_free(adj_batch *b);

/* Appends a stored claim (b takes over c's allocations on FM_OK, c zeroed); *index receives its place. */
fm_status adj_batch_add_stored(adj_batch *b, adj_stored_claim *c, long *index);

/* Deep copy of a claim as the database keeps it (identity number "", injury descriptions ""). */
fm_status adj_claim_clone_stored(const fm_claim *c, fm_claim *out);

/* Appends a review row (copies the strings). */
fm_status adj_batch_add_review(adj_batch *b, const fm_review *r, const char *status_before,
                               const char *status_after, fm_fen payable_after, bool has_decision,
                               const char *ignored_reason);

/* The key of a usage fact: "<plan year>\x1f<person key>" into buf (64 + 16 bytes is enough). */
const char *adj_usage_key(char *buf, size_t len, int plan_year, const char *person_key);

/* Marks (or, deceased false, unmarks) person key as deceased for the batch's later claims. FM_ENOMEM. */
fm_status adj_batch_set_deceased(adj_batch *b, const char *person_key, bool deceased);
/* Whether the batch knows person key as deceased. */
bool adj_batch_is_deceased(const adj_batch *b, const char *person_key);

#endif
