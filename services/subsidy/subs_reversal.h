/* subs_reversal.h — famins-subsidy's side of issue 16: a policy.change_decided with a subsidy reversal
 * becomes negative ledger rows per payer and a subsidy.reversed event. */
#ifndef SUBS_REVERSAL_H
#define SUBS_REVERSAL_H

#include <jansson.h>
#include <libpq-fe.h>

#include "fm_copybuf.h"
#include "fm_decode_policy.h"
#include "fm_worker.h"
#include "subs_apply.h"

/* True when event holds a decoded policy.change_decided (fm_event.type). */
bool subs_reversal_is_change(const fm_event *event);

/* The decoded policy.change_decided (root parsed by the intake): the codec's decoder, the content hash.
 * out->decoded is an fm_policy_change_decided (free()). FM_EINVAL with a dead-letter code; FM_ENOMEM. */
fm_status subs_reversal_decode(const json_t *root, const fm_envelope *env, fm_event *out, fm_error *err);

/* The subsidy.reversed event id: "rev-<decided event id>", hashed past 64 characters. Deterministic. */
fm_status subs_reversal_event_id(const char *decided_event_id, char out[SUBS_TEXT_LEN]);

typedef struct subs_reversal_result {
    bool reversed;                /* false: nothing to reverse (most changes) */
    fm_subsidy_split rows;        /* per payer, >= 0, adding up to the reversal */
    char event_id[SUBS_TEXT_LEN]; /* of subsidy.reversed */
    char *payload;                /* malloc'ed when reversed */
} subs_reversal_result;
void subs_reversal_result_free(subs_reversal_result *r);

/*
 * A decided change's reversal: the rows fm_subsidy_reversal_split(split, reversed_before, amount) gives, the
 * allocation's own proportions (each payer >= 0, adding up to the amount, never beyond a payer's share),
 * buffered in rows as negative subsidy_ledger entries (entry_kind 'reversal'; subs_reversal_write writes
 * them), and the subsidy.reversed payload. No reversal: FM_OK, nothing. FM_EINVAL (dead letter
 * SUBSIDY_INCONSISTENT) when the split does not add up to 4000 or the amounts exceed it; FM_ENOMEM.
 */
fm_status subs_reversal_apply(fm_copybuf *rows, const fm_policy_change_decided *d, const char *occurred_at,
                              subs_reversal_result *out, fm_error *err);

/* The buffered reversal rows, one COPY. FM_OK; FM_EDB with the SQLSTATE. */
fm_status subs_reversal_write(PGconn *conn, const fm_copybuf *rows, fm_error *err);

#endif
