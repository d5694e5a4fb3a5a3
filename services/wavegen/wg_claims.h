/* wg_claims.h — builds a plan year of claims for one policy, each with the decision it was built to get. */
#ifndef WG_CLAIMS_H
#define WG_CLAIMS_H

#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "wg_claim_life.h"
#include "wg_emit.h"
#include "wg_plan.h"

typedef struct wg_claims_config {
    uint64_t seed;
    const wg_plan *plan;        /* the policies' plan year; borrowed */
    const char *producer;       /* envelope "producer" */
    double scale;               /* multiplies every incidence (1 = the built-in rates) */
    double unreadable;          /* share of claims sent unreadable instead (never decided, not counted) */
    double resend;              /* share of claims sent twice, byte for byte (the second is ignored) */
    size_t max_message_bytes;   /* famins' limit, for the MESSAGE_TOO_LARGE kind */
    const wg_life_config *life; /* documents later, appeals (wg_claim_life.h); NULL: the defaults */
    bool payments;              /* payee blocks, payment results, corrections, withdrawals (wg_payment.h) */
} wg_claims_config;

typedef struct wg_claims wg_claims;

/* Creates a generator; *out freed with wg_claims_free. FM_ENOMEM, FM_EINVAL. */
fm_status wg_claims_new(const wg_claims_config *cfg, wg_claims **out, fm_error *err);
void wg_claims_free(wg_claims *g);

/* Reads one line of a policies file (as written by enroll --policies-out) and emits that policy's
 * claims in report order, labelled by the generator's own accounting. FM_EINVAL (err says why) for a
 * line that is not a policy of the configured plan year; else the first error of emit. */
fm_status wg_claims_policy(wg_claims *g, const char *line, size_t len, wg_emit_fn emit, void *arg,
                           fm_error *err);

#endif
