/* adj_store.h — the adjudicator's reads and writes in PostgreSQL, inside the caller's batch transaction. */
#ifndef ADJ_STORE_H
#define ADJ_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "adj_signals.h"
#include "fm_claim_rules.h"
#include "fm_error.h"
#include "fm_model.h"
#include "fm_person.h"
#include "fm_plan.h"

/* Every function runs in the open transaction of conn (never BEGIN/COMMIT) and returns adj_sql_run's
 * classes: FM_OK, FM_EDB (redo the batch), FM_EINVAL (DATA_REJECTED: dead letter), FM_ECONFIG, FM_ENOMEM. */

/* Where the decided event came from (claim_decisions.source_*). Borrowed strings. */
typedef struct adj_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
} adj_source;

/* What is known before deciding a claim. */
typedef struct adj_facts {
    bool claim_exists;              /* the claim_id is already recorded */
    bool event_seen;                /* the event id already recorded a claim */
    char managing_unit[FM_CODE_LEN];/* of the policy; "" when not found */
    fm_claim_context ctx;           /* policy, person, usage, household usage (bills: adj_store_claimed_bills) */
} adj_facts;

/* Looks up the policy, the person in it (by person_key), renewal, deceased (a death benefit paid in any plan
 * year), the person's usage and the household's for the policy's plan year, and whether claim_id / event_id
 * are known (either may be NULL). Reads the transaction's own earlier writes. */
fm_status adj_store_lookup(PGconn *conn, const char *policy_number, const char *person_key, const char *claim_id,
                           const char *event_id, adj_facts *out, fm_error *err);

/* Which of c's bills (invoice code + number) were already claimed by a claim other than own_claim_id (NULL:
 * by any claim). lock: first take a transaction-scoped advisory lock per invoice (in a fixed order), so that
 * two workers deciding claims with the same invoice at once serialise and the first to commit wins. */
fm_status adj_store_claimed_bills(PGconn *conn, const fm_claim *c, const char *own_claim_id, bool lock,
                                  bool out[FM_MAX_BILLS], fm_error *err);

/* Inserts the claim row (status and payable of d), its bills (excluded_duplicate from d) and its invoices
 * into invoices_claimed (first claim wins: an invoice already there is left to its first claim). */
fm_status adj_store_insert_claim(PGconn *conn, const fm_claim *c, const char *person_key, const char *masked_id,
                                 const adj_facts *f, fm_fen claimed, const fm_claim_decision *d, fm_error *err);

/* Inserts one decision (kind "initial" or "review"); *decision_id receives its id (may be NULL). */
fm_status adj_store_insert_decision(PGconn *conn, const char *claim_id, const char *source_event_id, const char *kind,
                                    const fm_claim_decision *d, const char *parameters_json, const char *en,
                                    const char *zh, const adj_source *src, int64_t *decision_id, fm_error *err);

/* Writes the usage a decision left (when d->usage_changed): the person's row for plan_year, and the
 * household's row for the policy when the liability is medical. Values are absolute (read and written in
 * the same transaction, by the one worker that owns the policy's partition). */
fm_status adj_store_save_usage(PGconn *conn, const fm_claim *c, int plan_year, const char *person_key,
                               const char *policy_number, const fm_claim_decision *d, fm_error *err);

/* Inserts the claim's fraud signals. */
fm_status adj_store_insert_signals(PGconn *conn, const fm_claim *c, const adj_facts *f, const adj_signals *s,
                                   fm_error *err);

/* A recorded claim, as a review needs it. */
typedef struct adj_stored_claim {
    fm_claim claim;                 /* owned (fm_claim_free); insured_id_number is "" (never stored) */
    char person_key[FM_PERSON_KEY_LEN];
    char status[24];
    fm_fen payable;
} adj_stored_claim;

/* Loads claim_id (locking its row). *found false when unknown (out zeroed). */
fm_status adj_store_load_claim(PGconn *conn, const char *claim_id, adj_stored_claim *out, bool *found, fm_error *err);
void adj_stored_claim_free(adj_stored_claim *s);

/* Sets the claim's current status and payable to d's. */
fm_status adj_store_update_claim(PGconn *conn, const char *claim_id, const fm_claim_decision *d, fm_error *err);

/* Records a review: who, action, amount, note, status before and after, the decision it made. */
fm_status adj_store_insert_review(PGconn *conn, const fm_review *r, const char *status_before,
                                  const fm_claim_decision *d, int64_t decision_id, fm_error *err);

#endif
