/* elig_batch.h — the eligibility service's data access for one batch: the facts of all its enrollments read
 * in one query, consulted and extended in memory as each is decided (so a later event of the batch sees the
 * earlier ones' policies and insured persons), and the decisions' rows written with one COPY per table. */
#ifndef ELIG_BATCH_H
#define ELIG_BATCH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "elig_people.h"
#include "fm_copybuf.h"
#include "fm_eligibility.h"
#include "fm_error.h"
#include "fm_explain.h"
#include "fm_map.h"
#include "fm_model.h"

/* Where the decided event came from (for the decision row). Strings are borrowed. */
typedef struct elig_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
} elig_source;

/* The facts of one enrollment, plus for each member insured in another household the policy that holds them
 * (for the fraud signal's detail; "" otherwise). */
typedef struct elig_facts {
    fm_enrollment_facts facts;
    char elsewhere_policy[FM_MAX_MEMBERS][FM_POLICY_NUMBER_LEN];
    bool
        already_decided; /* a decision row for this source event exists (must not happen: see elig_apply.h) */
} elig_facts;

enum {
    ELIG_TABLE_DECISIONS,
    ELIG_TABLE_MEMBERS,
    ELIG_TABLE_POLICIES,
    ELIG_TABLE_INSURED,
    ELIG_TABLE_SIGNALS,
    ELIG_TABLE_COUNT
};

/* One batch. Zero-initialise ({0}); elig_batch_begin before each batch (or redo); elig_batch_free at the end.
 * Owns its memory. */
typedef struct elig_batch {
    fm_map known; /* "D|event" decided; "P|year|household" -> policy; "I|year|person_key" -> policy */
    int64_t *ids; /* decision ids reserved for the batch */
    size_t n_ids, next_id, ids_cap;
    fm_copybuf rows[ELIG_TABLE_COUNT];
    fm_copybuf scratch;   /* array literals being built */
    fm_copybuf params[6]; /* the facts query's parameters */
    /* The members as read by elig_batch_prepare, per prepared event in order (person keys are a keyed hash:
     * worth computing once). */
    const fm_enrollment **events;
    elig_person (*people)[FM_MAX_MEMBERS];
    size_t n_events, events_cap, next_event;
} elig_batch;

void elig_batch_begin(elig_batch *b);
void elig_batch_free(elig_batch *b);

/*
 * Reads, in the open transaction on conn and in one round trip, what deciding the n events needs: which
 * were decided already, which households hold a policy for their plan year, which members' keys are
 * insured in their plan year and in the year before (with the policy), and n decision ids from the
 * sequence. ring makes the person keys (elig_person_read, as of each submission day): every key of the ring
 * is searched, so a person stored under a previous key is found. FM_OK; FM_EDB (err->code the SQLSTATE);
 * FM_ECONFIG for a missing privilege or table (fm_pg_run) or
 * an empty ring; FM_ENOMEM.
 */
fm_status elig_batch_prepare(elig_batch *b, PGconn *conn, const fm_keyring *ring,
                             const fm_enrollment *const *events, size_t n, fm_error *err);

/* The members of e as elig_batch_prepare read them (e->n_members entries), or NULL when e was not prepared
 * (which the runtime never does: it applies only prepared events).
 * Events are looked up in the order they were prepared. Borrowed until the next elig_batch_begin. */
const elig_person *elig_batch_people(elig_batch *b, const fm_enrollment *e);

/* The facts of e (decided after the batch's earlier events) from what elig_batch_prepare read. people has
 * e->n_members entries. FM_OK, or FM_EINVAL beyond FM_MAX_MEMBERS. */
fm_status elig_batch_facts(const elig_batch *b, const fm_enrollment *e, const elig_person *people,
                           elig_facts *out, fm_error *err);

/*
 * Buffers a decision's rows: the enrollment_decisions row (every reason code, the plan parameters applied,
 * the explanations), one enrollment_members row per member, and when accepted the policy and one
 * insured_persons row per insured member; when a member was excluded as insured elsewhere, one
 * fraud_signals row ALREADY_INSURED_ELSEWHERE naming the members by position (never by identity number).
 * Records an accepted household's policy and insured persons for the batch's later events. e must have been
 * prepared (asserted: the batch reserved its decision id). FM_OK; FM_ENOMEM.
 */
fm_status elig_batch_add(elig_batch *b, const fm_enrollment *e, const elig_person *people,
                         const elig_facts *facts, const fm_enrollment_decision *d,
                         const fm_explanation *explanation, const elig_source *src);

/* Writes the buffered rows, one COPY per table, in the open transaction. FM_OK; FM_EDB with err->code the
 * SQLSTATE (a refused row, class 22/23, which the runtime ties to its message — a unique violation means a
 * concurrent worker insured the same person first; a lost connection). */
fm_status elig_batch_write(elig_batch *b, PGconn *conn, fm_error *err);

/* Issue 16 (elig_policy.c): a policy change reads the database, so the rows buffered before it are written
 * first (and not again by elig_batch_write); a member it adds is recorded for the batch's later events. */
fm_status elig_batch_flush(elig_batch *b, PGconn *conn, fm_error *err);
fm_status elig_batch_note_insured(elig_batch *b, int plan_year, const char *person_key,
                                  const char *policy_number);

#endif
