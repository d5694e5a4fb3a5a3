/* elig_store.h — the eligibility service's SQL: the facts an enrollment is decided on, and the decision's rows. */
#ifndef ELIG_STORE_H
#define ELIG_STORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "elig_people.h"
#include "fm_eligibility.h"
#include "fm_error.h"
#include "fm_model.h"

/* Where the decided event came from (for the decision row). Strings are borrowed. */
typedef struct elig_source {
    const char *topic;
    int32_t partition;
    int64_t offset;
} elig_source;

/* Which connection the service's statements are prepared on (a server-side plan is made once per session, not
 * once per event: the decision statement is large). Identified by the connection and its backend's pid, so
 * that a connection the runtime re-made is prepared again. Zero-initialise; pass NULL to run unprepared. */
typedef struct elig_prepared {
    const PGconn *conn;
    int backend_pid;
} elig_prepared;

/* The facts, plus for each member insured in another household the policy that holds them (for the fraud
 * signal's detail; "" otherwise). */
typedef struct elig_facts {
    fm_enrollment_facts facts;
    char elsewhere_policy[FM_MAX_MEMBERS][FM_POLICY_NUMBER_LEN];
    bool already_decided;   /* a decision row for this source event exists (must not happen: see .c) */
} elig_facts;

/*
 * Looks up, in the open transaction (so that earlier events of the same batch count), whether the
 * household already holds a policy for e->plan_year, which members (by people[i].key) are insured in
 * another household's policy this plan year, which were insured in plan_year - 1, and whether this event
 * was decided already. people has e->n_members entries. FM_OK with *out filled; FM_EDB (err->code is the
 * SQLSTATE, err->text the server's message); FM_ENOMEM.
 */
fm_status elig_store_facts(PGconn *conn, elig_prepared *prep, const fm_enrollment *e, const elig_person *people,
                           elig_facts *out, fm_error *err);

/* The two explanations of a decision (fm_explain), kept with it. */
typedef struct elig_explanation {
    const char *en;
    const char *zh;
} elig_explanation;

/*
 * Writes, in one statement inside the open transaction: the enrollment_decisions row (every reason code,
 * the plan parameters applied, the explanations), one enrollment_members row per member, and when accepted
 * the policy and one insured_persons row per insured member; when a member was excluded as insured
 * elsewhere, one fraud_signals row ALREADY_INSURED_ELSEWHERE naming the members by position (never by
 * identity number). FM_OK; FM_EDB with err->code the SQLSTATE (a unique violation means a concurrent
 * worker insured the same person first: the batch must be redone); FM_ENOMEM.
 */
fm_status elig_store_decision(PGconn *conn, elig_prepared *prep, const fm_enrollment *e, const elig_person *people,
                              const elig_facts *facts, const fm_enrollment_decision *d,
                              const elig_explanation *explanation, const elig_source *src, fm_error *err);

#endif
