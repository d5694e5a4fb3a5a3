/* wg_claim_life.h — a policy's claims' later life for famins-wavegen: documents sent later, appeals and their
 * answers, each labelled by construction from the generator's own accounting. */
#ifndef WG_CLAIM_LIFE_H
#define WG_CLAIM_LIFE_H

#include <stdbool.h>
#include <stdint.h>

#include "fm_error.h"
#include "wg_emit.h"
#include "wg_rng.h"

#define WG_LIFE_MAX_CLAIMS 64
#define WG_LIFE_MAX_REASONS 8

/* The shares (of the claims that qualify), each > 0 by default so that every claims run has them. */
typedef struct wg_life_config {
    double documents; /* claims still pending for DOCUMENTS_MISSING at the end: documents sent (0.8) */
    double appeal;    /* declined or partial claims appealed (0.08) */
    double answer;    /* appeals answered (0.8); the others stay in the queue */
    double again;     /* answered appeals appealed again, refused (0.3) */
} wg_life_config;

wg_life_config wg_life_config_default(void);

/* A decision as the generator's accounting made it (reasons by their ids, in the domain's order). */
typedef struct wg_life_verdict {
    const char *outcome; /* static */
    int64_t payable, full;
    const char *reasons[WG_LIFE_MAX_REASONS]; /* static ids */
    int n_reasons;
} wg_life_verdict;

/* What a policy's claims look like after its stream: each claim's current decision (tracked in emission
 * order). */
typedef struct wg_life_book {
    struct {
        int seq;           /* the claim's seq in the generator */
        char claim_id[48]; /* as emitted */
        char key[72];      /* the policy number it was sent under */
        int32_t report;    /* its report day */
        wg_life_verdict v; /* its current decision */
        bool was_missing;  /* some decision of it was pending for DOCUMENTS_MISSING */
    } claims[WG_LIFE_MAX_CLAIMS];
    int n;
} wg_life_book;

void wg_life_begin(wg_life_book *lb);
/* The decision v of claim seq (a first decision, or a review's: the latest wins). */
void wg_life_track(wg_life_book *lb, int seq, const char *claim_id, const char *key, int32_t report,
                   const wg_life_verdict *v);

/* Re-decides claim seq with every required document supplied, as a first decision against the accounting now,
 * and books it (the generator's judge); *sent: the documents that were missing (bits WG_DOC_*); fills *out.
 */
typedef void (*wg_life_redecide_fn)(void *ctx, int seq, uint32_t *sent, wg_life_verdict *out);

/*
 * Emits, after the policy's claims and reviews: documents completing the claims still pending for
 * DOCUMENTS_MISSING (their re-decision, labelled with redecide's verdict) and, for some claims that were
 * pending for one but have been reviewed since, the document too late (recorded, ignored:
 * DOCUMENTS_NOT_PENDING), appeals of declined and partial claims (recorded: no decision), answers (uphold:
 * the decision restated with APPEAL_UPHELD; overturn only where no limit room is left by construction — a
 * partial cut by a limit — so the payable stands, partial, LIMIT_REACHED and APPEAL_OVERTURNED), and appeals
 * of an answer (refused, APPEAL_OF_APPEAL_OUTCOME). FM_ENOMEM or emit's error.
 */
fm_status wg_life_policy(const wg_life_config *cfg, const char *producer, wg_rng *r, wg_life_book *lb,
                         wg_life_redecide_fn redecide, void *ctx, wg_emit_fn emit, void *arg);

#endif
