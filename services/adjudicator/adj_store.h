/* adj_store.h — the adjudicator's SQL: a batch's reads (adj_store_read.c, a few statements per batch) and its
 * writes (adj_store_write.c: rows buffered for COPY, then written). */
#ifndef ADJ_STORE_H
#define ADJ_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "adj_batch.h"
#include "adj_signals.h"
#include "fm_error.h"
#include "fm_pgstmt.h"

/* The statements every batch runs, prepared once per session (fm_pg_run_prepared's numbers). */
typedef enum adj_stmt {
    ADJ_STMT_LOAD_CLAIMS = 0,
    ADJ_STMT_LOAD_BILLS,
    ADJ_STMT_FACTS,
    ADJ_STMT_INVOICES,
    ADJ_STMT_REVIEWS,
    ADJ_STMT_UPDATE_CLAIMS,
    ADJ_STMT_PERSON_USAGE,
    ADJ_STMT_HOUSEHOLD,
    ADJ_STMT_COUNT
} adj_stmt;
_Static_assert(ADJ_STMT_COUNT <= FM_PG_STMTS_MAX, "fm_pg_stmts holds every statement");

/* The text statement id is prepared with, from the file that owns it: adj_store_read_sql for LOAD_CLAIMS,
 * LOAD_BILLS, FACTS and INVOICES (adj_store_read.c), adj_store_write_sql for REVIEWS, UPDATE_CLAIMS,
 * PERSON_USAGE and HOUSEHOLD (adj_store_write.c); NULL for an id of the other file or out of range. Static
 * storage (never freed). For tests of the statements' plans (integration_adjudicator_plans). */
const char *adj_store_read_sql(adj_stmt id);
const char *adj_store_write_sql(adj_stmt id);

/* Every function runs in the open transaction of conn (never BEGIN/COMMIT); cache (may be NULL) keeps the
 * session's prepared statements (fm_pgstmt.h). Reads return fm_pg_run's classes: FM_OK, FM_EDB (redo the
 * batch), FM_ECONFIG (a missing privilege or table), FM_ENOMEM. */

/* ---- reading (adj_store_read.c) ---- */

/* Loads the recorded claims among claim_ids (n of them; duplicates allowed) with their bills, locking their
 * rows (FOR UPDATE: a review changes them), into b->claims (recorded, status, payable) and b->stored. */
fm_status adj_store_load_claims(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const char *const *claim_ids,
                                size_t n, fm_error *err);

/* What one decision needs to know: its policy and person, and for a new claim its claim id and event id. */
typedef struct adj_fact_item {
    const char *policy_number;
    const char *person_keys; /* the person's keys under every key of the ring, current first, joined by ',' */
    const char *claim_id;    /* NULL: a review's claim, already loaded */
    const char *event_id;    /* NULL likewise */
} adj_fact_item;

/* One statement for every item: the policy, the person in it (role, renewal: insured_persons.renewal or
 * insured in the previous plan year), deceased (a death benefit paid in any plan year), the person's usage
 * and the household's for the policy's plan year, whether the claim id and the event id are already recorded.
 * The person is searched under each of their keys; b's person, usage and deceased entries are made under the
 * key the policy stores them under (else the first, current key). Fills b's maps (an entry already there is
 * kept). The same statement first takes a transaction-scoped
 * advisory lock per invoice (lock_codes[i] + lock_numbers[i], n_locks of them) in one fixed (sorted) order
 * for the whole batch: two workers deciding claims with the same invoice serialise, and the invoice read that
 * follows (a new statement, so a new snapshot) sees the first one's commit — the first claim wins. */
fm_status adj_store_load_facts(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const adj_fact_item *items,
                               size_t n, const char *const *lock_codes, const char *const *lock_numbers,
                               size_t n_locks, fm_error *err);

/* Which of the invoices (codes[i] + numbers[i]) are already claimed, and by which claim: into b->invoices. */
fm_status adj_store_load_invoices(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, const char *const *codes,
                                  const char *const *numbers, size_t n, fm_error *err);

/* ---- writing (adj_store_write.c) ---- */

/* Where the decided event came from (claim_decisions.source_*). Borrowed strings. */
typedef struct adj_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
    /* The event's envelope occurred_at: for a claim.submitted its receipt, for a review when it was made
     * (claim_decisions.event_at, claims.receipt_at); NULL: unknown (then the columns stay NULL). */
    const char *occurred_at;
} adj_source;

/*
 * Writes what the batch buffered: one COPY each for claims, claim_bills, invoices_claimed, claim_decisions
 * (decided_at: the column default clock_timestamp(), migration 041) and fraud_signals; then one statement
 * each for the reviews (their decision ids joined by event id), the claims a review changed, the person usage
 * and the household usage (upserts of absolute values from unnest() arrays). Returns FM_OK; else
 * fm_copybuf_send's and fm_pg_run's statuses as they are, err->code the SQLSTATE: the runtime classifies a
 * refused row (fm_worker.h's end_batch), FM_ECONFIG for class 42 in a statement, FM_ENOMEM.
 */
fm_status adj_store_write(PGconn *conn, fm_pg_stmts *cache, adj_batch *b, fm_error *err);

/* Rows for the COPYs of adj_store_write, appended to b's buffers. FM_ENOMEM (the batch's buffers are then
 * incomplete: the batch must not be written), FM_EINVAL for a date out of range. */
/* The claim row (plan year and managing unit of pol when found, role of per when insured) and its bills. */
fm_status adj_store_buffer_claim(adj_batch *b, const fm_claim *c, const char *person_key,
                                 const char *masked_id, const adj_policy_fact *pol,
                                 const adj_person_fact *per, fm_fen claimed, const fm_claim_decision *d,
                                 const char *receipt_at);
/* An invoice claimed first by claim_id. */
fm_status adj_store_buffer_invoice(adj_batch *b, const char *code, const char *number, const char *claim_id);
/* A decision, kind "initial" or "review". */
fm_status adj_store_buffer_decision(adj_batch *b, const char *claim_id, const char *source_event_id,
                                    const char *kind, const fm_claim_decision *d, const char *parameters_json,
                                    const char *en, const char *zh, const adj_source *src);
/* The fraud signals of a first decision. */
fm_status adj_store_buffer_signals(adj_batch *b, const adj_signals *sig, const char *claim_id,
                                   const char *policy_number, const adj_policy_fact *pol,
                                   const char *source_event_id);

#endif
