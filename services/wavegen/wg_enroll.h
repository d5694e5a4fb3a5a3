/* wg_enroll.h — builds one household's enrollment events, each with the decision it was built to get. */
#ifndef WG_ENROLL_H
#define WG_ENROLL_H

#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "wg_emit.h"
#include "wg_places.h"
#include "wg_plan.h"
#include "wg_policy.h"

/* Shares of households (0..1, summing to at most 1 over the first five) built for each fault. */
typedef struct wg_enroll_shares {
    double unreadable;    /* the household's event is a dead letter (one of six kinds) */
    double resend;        /* sent twice, byte for byte (the second is ignored) */
    double conflict;      /* the same event id sent again with other content (EVENT_ID_CONFLICT) */
    double ineligible;    /* built to be rejected for exactly one reason (each reason equally often) */
    double two_reasons;   /* built to be rejected for two reasons (NO_CONSENT and one other) */
    double shared_person; /* an adult of an earlier household listed again (ALREADY_INSURED_ELSEWHERE);
                             off by default: the expected exclusion holds only if households are
                             decided in emission order (one partition) */
    double over_age;      /* of valid multi-child households: one child just over the age cut-off */
    double policy;        /* of valid accepted households: policy events through the year (wg_policy.h) */
} wg_enroll_shares;

typedef struct wg_enroll_config {
    uint64_t seed;
    const wg_plan *plan;      /* the wave's plan year; borrowed */
    const wg_places *places;  /* borrowed; every unit must be in the plan */
    int not_offered_year;     /* a plan year without a catalogue file, for PLAN_YEAR_NOT_OFFERED */
    size_t max_message_bytes; /* famins' limit: MESSAGE_TOO_LARGE events are just above it */
    const char *producer;     /* envelope "producer" */
    wg_enroll_shares shares;
    const wg_policy_terms *policy_terms; /* the plan's policy_changes; NULL: no policy events */
} wg_enroll_config;

/* The default shares (documented in README.md). */
wg_enroll_shares wg_enroll_default_shares(void);

typedef struct wg_enroll wg_enroll;

/* Creates a generator. The config's pointers must outlive it. *out is freed with wg_enroll_free.
 * FM_EINVAL when the shares are out of range or a unit is not in the plan (err says which). */
fm_status wg_enroll_new(const wg_enroll_config *cfg, wg_enroll **out, fm_error *err);
void wg_enroll_free(wg_enroll *g);

/* Builds household `index` (0-based) and hands its one to three messages to emit, in order. Households
 * must be built in index order (identity numbers are issued in call order). When policy is not NULL
 * and the household is built to be accepted, *policy receives a malloc'd JSON line (no newline) for
 * the claims mode, which the caller frees; else NULL. Returns the first error of emit, FM_ENOMEM, or
 * FM_ENOTFOUND when the identity numbers of one birth date ran out (waves far above 10^7). */
fm_status wg_enroll_household(wg_enroll *g, uint64_t index, wg_emit_fn emit, void *arg, char **policy);

#endif
