/* fuzz_support.h — what the libFuzzer harnesses share: property checks that abort (a finding) and the input
 * as a file for loaders that read a path. */
#ifndef FUZZ_SUPPORT_H
#define FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_claim_rules.h"
#include "fm_error.h"
#include "fm_plan.h"

/* libFuzzer's entry point, declared for -Wmissing-prototypes-style checks. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property every input must keep: when it does not, say which and abort, so that libFuzzer keeps the input
 * as a crash file. */
#define FUZZ_REQUIRE(cond, what)                                                                             \
    do {                                                                                                     \
        if (!(cond))                                                                                         \
            fuzz_fail(__FILE__, __LINE__, #cond, what);                                                      \
    } while (0)

void fuzz_fail(const char *file, int line, const char *cond, const char *what) __attribute__((noreturn));

/*
 * The contract of a decoder's result, the same for every decoder: FM_OK or FM_EINVAL only (FM_ENOMEM cannot
 * happen at these sizes), and on FM_EINVAL an error as fuzz_check_error wants it.
 */
void fuzz_check_result(fm_status st, const fm_error *err);

/* An error whose three strings end inside their buffers and whose code is a stable identifier
 * ([A-Z][A-Z0-9_]*), since dead letters, reports and operators key on it. */
void fuzz_check_error(const fm_error *err);

/* true when s[0..len) holds a run of at least n ASCII digits (an 18-character identity number may end in X
 * or x: that counts as a digit when it closes a run of n - 1 digits). */
bool fuzz_has_digit_run(const char *s, size_t len, size_t n);

/*
 * Writes data to this process's own temporary file (mkstemp in $TMPDIR, else /tmp; removed at exit) and
 * returns its path, for the loaders that take a path (plan catalogue, places, Kafka properties). Aborts when
 * the file cannot be written: that is the machine's fault, not the input's, and libFuzzer should stop.
 */
const char *fuzz_input_file(const uint8_t *data, size_t size);

/* The sample plan catalogue of the source tree (schemas/plans), loaded once, so that what a decoder accepts
 * can go on to the rules as it does in a worker. Aborts when it cannot be loaded. */
const fm_plan_catalogue *fuzz_plans(void);

/* A claim context as the adjudicator builds it for a policy of plan covering the whole plan year and an
 * insured person of role, with no usage yet. */
fm_claim_context fuzz_claim_context(const fm_plan *plan, fm_role role);

#endif
