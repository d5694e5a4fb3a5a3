/* fuzz_support.c — what the harnesses share: property checks that abort, the input as a file. */
#include "fuzz_support.h"
#include "fm_plan_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fuzz_fail(const char *file, int line, const char *cond, const char *what)
{
    fprintf(stderr, "\n==famins-fuzz== property broken at %s:%d: %s\n==famins-fuzz== (%s)\n", file, line,
            what, cond);
    abort();
}

static bool ends_inside(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static bool identifier(const char *s)
{
    if (!(s[0] >= 'A' && s[0] <= 'Z'))
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

void fuzz_check_result(fm_status st, const fm_error *err)
{
    FUZZ_REQUIRE(st == FM_OK || st == FM_EINVAL, "a decoder returns FM_OK or FM_EINVAL");
    if (st == FM_EINVAL)
        fuzz_check_error(err);
}

void fuzz_check_error(const fm_error *err)
{
    FUZZ_REQUIRE(ends_inside(err->path, sizeof err->path), "the error path is a terminated string");
    FUZZ_REQUIRE(ends_inside(err->code, sizeof err->code), "the error code is a terminated string");
    FUZZ_REQUIRE(ends_inside(err->text, sizeof err->text), "the error text is a terminated string");
    FUZZ_REQUIRE(identifier(err->code), "the error code is a stable identifier [A-Z][A-Z0-9_]*");
}

bool fuzz_has_digit_run(const char *s, size_t len, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            if (++run >= n)
                return true;
        } else if ((s[i] == 'X' || s[i] == 'x') && run + 1 >= n) {
            return true;
        } else {
            run = 0;
        }
    }
    return false;
}

/* libFuzzer calls LLVMFuzzerTestOneInput with no context of ours, so what a harness keeps from one input to
 * the next (the input file's name, the plan catalogue) lives in statics for the process's life. */
static char input_path[4096];
static fm_plan_catalogue *plans;

static void free_plans(void)
{
    fm_plan_catalogue_free(plans);
    plans = NULL;
}

fm_claim_context fuzz_claim_context(const fm_plan *plan, fm_role role)
{
    fm_claim_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.policy_found = true;
    ctx.plan_year = plan->plan_year;
    ctx.coverage_start = plan->start;
    ctx.coverage_end = plan->end;
    ctx.person_found = true;
    ctx.role = role;
    return ctx;
}

const fm_plan_catalogue *fuzz_plans(void)
{
    if (plans == NULL) {
        fm_error err;
        if (fm_plan_catalogue_load(FAMINS_SOURCE_DIR "/schemas/plans", &plans, &err) != FM_OK) {
            fprintf(stderr, "famins-fuzz: cannot load %s/schemas/plans: %s: %s\n", FAMINS_SOURCE_DIR,
                    err.path, err.text);
            abort();
        }
        atexit(free_plans);
    }
    return plans;
}

static void remove_input_file(void)
{
    if (input_path[0] != '\0')
        unlink(input_path);
}

static void make_input_file(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    int n = snprintf(input_path, sizeof input_path, "%s/famins-fuzz-XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof input_path) {
        fprintf(stderr, "famins-fuzz: TMPDIR is too long\n");
        abort();
    }
    int fd = mkstemp(input_path);
    if (fd < 0) {
        fprintf(stderr, "famins-fuzz: cannot create a file in %s: %s\n", dir, strerror(errno));
        abort();
    }
    close(fd);
    atexit(remove_input_file);
}

const char *fuzz_input_file(const uint8_t *data, size_t size)
{
    if (input_path[0] == '\0')
        make_input_file();
    FILE *f = fopen(input_path, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        fprintf(stderr, "famins-fuzz: cannot write %s: %s\n", input_path, strerror(errno));
        abort();
    }
    return input_path;
}
