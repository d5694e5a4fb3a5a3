/* rules_context.h — famins-rules' side files: a claim's --context and an enrollment's --facts (JSON). */
#ifndef RULES_CONTEXT_H
#define RULES_CONTEXT_H

#include "fm_claim_rules.h"
#include "fm_eligibility.h"
#include "fm_error.h"

#include <stdbool.h>

/* What a claim context file says besides the fm_claim_context: the policy's plan year when there is one. */
typedef struct rules_claim_context {
    fm_claim_context ctx;
    bool has_policy;
} rules_claim_context;

/*
 * Parses a context file (format: services/rules/README.md) for claim c: the policy (or null), the
 * member (or null), the person's usage, the household's medical payments and the invoices already
 * claimed, from which ctx.bill_already_claimed[] is set for c's bills. Unknown fields are refused.
 * FM_OK and *out filled; FM_EINVAL with err (path inside the context file and code); FM_ENOMEM.
 */
fm_status rules_parse_context(const char *buf, size_t len, const fm_claim *c, rules_claim_context *out,
                              fm_error *err);

/* Parses a facts file for an enrollment of n_members members; members[] may be shorter (the rest
 * know nothing) but not longer (TOO_MANY). Same errors. */
fm_status rules_parse_facts(const char *buf, size_t len, size_t n_members, fm_enrollment_facts *out,
                            fm_error *err);

#endif
