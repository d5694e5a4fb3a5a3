/* encode_samples.c — writes the decided events of every valid example, for checking against the schemas.
 *
 * Usage: encode_samples SOURCE_DIR OUT_DIR
 * Decides each valid enrollment.submitted, claim.submitted and claim.reviewed example of
 * SOURCE_DIR/schemas/examples with the catalogue SOURCE_DIR/schemas/plans, encodes enrollment.decided
 * (and subsidy.allocated for category A), claim.decided, and writes one file per event into OUT_DIR.
 * encoders.sh then validates them with the JSON Schemas. Prints the number of events written. */
#include "fm_claim_rules.h"
#include "fm_decode.h"
#include "fm_eligibility.h"
#include "fm_encode.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "rules_context.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(FM_CODEC_DEFAULT_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, FM_CODEC_DEFAULT_MAX_BYTES, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

static int write_event(const char *dir, const char *name, const char *json)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(json, f) == EOF) {
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f);
}

/* Calls fn(stem) for every <stem>.expected.json in dir. */
static int each_example(const char *dir, int (*fn)(const char *stem, const char *name, void *arg), void *arg)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int failures = 0;
    if (d == NULL)
        return 1;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (l <= 14 || strcmp(de->d_name + l - 14, ".expected.json") != 0)
            continue;
        char stem[1024], name[256];
        snprintf(stem, sizeof stem, "%s/%.*s", dir, (int)(l - 14), de->d_name);
        snprintf(name, sizeof name, "%.*s", (int)(l - 14), de->d_name);
        failures += fn(stem, name, arg) != 0;
    }
    closedir(d);
    return failures;
}

typedef struct run {
    const fm_plan_catalogue *cat;
    const char *out;
    int written;
} run;

static int enrollment(const char *stem, const char *name, void *arg)
{
    run *r = arg;
    char path[1100], id[128], *buf = NULL, *fbuf = NULL, *json = NULL;
    size_t len = 0, flen = 0;
    fm_enrollment e = {0};
    fm_enrollment_facts facts;
    fm_enrollment_decision d;
    fm_error err;
    int rc = -1;
    memset(&facts, 0, sizeof facts);
    snprintf(path, sizeof path, "%s.json", stem);
    if ((buf = slurp(path, &len)) == NULL || fm_decode_enrollment(buf, len, &e, &err) != FM_OK)
        goto done;
    snprintf(path, sizeof path, "%s.facts.json", stem);
    if ((fbuf = slurp(path, &flen)) != NULL &&
        rules_parse_facts(fbuf, flen, e.n_members, &facts, &err) != FM_OK)
        goto done;
    if (fm_decide_enrollment(r->cat, &e, &facts, &d, &err) != FM_OK)
        goto done;
    snprintf(id, sizeof id, "dec-%s", e.event_id);
    if (fm_encode_enrollment_decided(&e, &d, id, "2026-01-15T09:31:00+08:00", &json) != FM_OK ||
        write_event(r->out, name, json) != 0)
        goto done;
    r->written++;
    free(json);
    json = NULL;
    if (d.outcome == FM_ENROLLMENT_ACCEPTED && d.category == FM_CATEGORY_A) {
        char sid[128], sname[300];
        snprintf(sid, sizeof sid, "sub-%s", e.event_id);
        snprintf(sname, sizeof sname, "%s.subsidy", name);
        if (fm_encode_subsidy_allocated(&e, &d, id, sid, "2026-01-15T09:31:01+08:00", &json) != FM_OK ||
            write_event(r->out, sname, json) != 0)
            goto done;
        r->written++;
    } else if (fm_encode_subsidy_allocated(&e, &d, id, "x", "2026-01-15T09:31:01+08:00", &json) !=
               FM_EINVAL) {
        fprintf(stderr, "encode_samples: %s: a subsidy was encoded for a household without one\n", name);
        goto done;
    }
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "encode_samples: %s: failed (%s %s)\n", name, err.path, err.code);
    free(json);
    free(buf);
    free(fbuf);
    fm_enrollment_free(&e);
    return rc;
}

static int claim_or_review(const char *stem, const char *name, void *arg, bool review)
{
    run *r = arg;
    char path[1100], id[128], *buf = NULL, *cbuf = NULL, *rbuf = NULL, *json = NULL;
    size_t len = 0, clen = 0, rlen = 0;
    fm_claim c = {0};
    fm_review rv = {0};
    rules_claim_context ctx;
    fm_claim_decision d;
    fm_error err;
    int rc = -1;
    fm_error_clear(&err);
    snprintf(path, sizeof path, review ? "%s.claim.json" : "%s.json", stem);
    if ((buf = slurp(path, &len)) == NULL || fm_decode_claim(buf, len, &c, &err) != FM_OK)
        goto done;
    snprintf(path, sizeof path, "%s.json", stem);
    if (review && ((rbuf = slurp(path, &rlen)) == NULL || fm_decode_review(rbuf, rlen, &rv, &err) != FM_OK))
        goto done;
    snprintf(path, sizeof path, "%s.context.json", stem);
    if ((cbuf = slurp(path, &clen)) == NULL || rules_parse_context(cbuf, clen, &c, &ctx, &err) != FM_OK)
        goto done;
    /* Every example is of plan year 2026, the policy-less ones included. */
    const fm_plan *plan = fm_plan_for_year(r->cat, 2026);
    ctx.ctx.plan_year = 2026;
    if (plan == NULL || (review ? fm_decide_review(plan, &c, &ctx.ctx, &rv, &d, &err)
                                : fm_decide_claim(plan, &c, &ctx.ctx, &d, &err)) != FM_OK)
        goto done;
    snprintf(id, sizeof id, "dec-%s", review ? rv.event_id : c.event_id);
    if (fm_encode_claim_decided(&c, &d, review ? &rv : NULL, id, "2026-06-02T10:00:01+08:00", &json) !=
            FM_OK ||
        write_event(r->out, name, json) != 0)
        goto done;
    r->written++;
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "encode_samples: %s: failed (%s %s)\n", name, err.path, err.code);
    free(json);
    free(buf);
    free(cbuf);
    free(rbuf);
    fm_claim_free(&c);
    fm_review_free(&rv);
    return rc;
}

static int claim(const char *stem, const char *name, void *arg)
{
    return claim_or_review(stem, name, arg, false);
}
static int review(const char *stem, const char *name, void *arg)
{
    return claim_or_review(stem, name, arg, true);
}

int main(int argc, char **argv)
{
    char dir[1024];
    fm_plan_catalogue *cat = NULL;
    fm_error err;
    int failures = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: encode_samples SOURCE_DIR OUT_DIR\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s/schemas/plans", argv[1]);
    if (fm_plan_catalogue_load(dir, &cat, &err) != FM_OK) {
        fprintf(stderr, "encode_samples: catalogue: %s %s\n", err.path, err.code);
        return 1;
    }
    run r = {cat, argv[2], 0};
    snprintf(dir, sizeof dir, "%s/schemas/examples/enrollment.submitted/valid", argv[1]);
    failures += each_example(dir, enrollment, &r);
    snprintf(dir, sizeof dir, "%s/schemas/examples/claim.submitted/valid", argv[1]);
    failures += each_example(dir, claim, &r);
    snprintf(dir, sizeof dir, "%s/schemas/examples/claim.reviewed/valid", argv[1]);
    failures += each_example(dir, review, &r);
    fm_plan_catalogue_free(cat);
    printf("%d\n", r.written);
    return failures ? 1 : 0;
}
