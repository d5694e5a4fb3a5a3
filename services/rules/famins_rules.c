/* famins_rules.c — famins-rules: decide one enrollment or claim from files and print the decision as JSON. */
#include "fm_claim_rules.h"
#include "fm_cli.h"
#include "fm_dates.h"
#include "fm_decode.h"
#include "fm_eligibility.h"
#include "fm_encode.h"
#include "fm_paths.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "rules_context.h"
#include "rules_policy.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit codes: the decision was made (whatever it is), the input could not be decided, the command line is
 * wrong. */
enum { EXIT_DECIDED = 0, EXIT_INVALID = 1, EXIT_USAGE = 2 };

/* Input files are events: the contract's default message limit applies (a few side files are much smaller).
 */
#define MAX_INPUT_BYTES FM_CODEC_DEFAULT_MAX_BYTES

static const char USAGE[] =
    "usage: famins-rules enrollment [--facts FACTS.json] [--today YYYY-MM-DD] [--plan-dir DIR] [FILE|-]\n"
    "       famins-rules claim --context CONTEXT.json [--plan-dir DIR] [FILE|-]\n"
    "       famins-rules review --claim CLAIM.json --context CONTEXT.json [--plan-dir DIR] [FILE|-]\n"
    "       famins-rules policy --state STATE.json [--plan-dir DIR] [FILE|-]\n"
    "       famins-rules --help | --version\n";

static const char HELP[] =
    "\n"
    "Decides one enrollment.submitted or claim.submitted event, or a claim.reviewed event on a pending "
    "claim,\n"
    "with famins' rules and prints the decision\n"
    "as JSON on stdout: outcome, category, reasons with English and Chinese labels, amounts, the plan\n"
    "parameters applied and a one-line explanation in English and Chinese. FILE is the event (default: "
    "stdin).\n"
    "\n"
    "  --plan-dir DIR     the plan catalogue (plan-*.json). Default: $FAMINS_PLAN_DIR, else the installed\n"
    "                     one (<bin>/../share/famins/plans), for a program in its build tree the source\n"
    "                     tree's schemas/plans.\n"
    "  --facts FILE       enrollment: what famins' database would know (household already enrolled, members\n"
    "                     insured elsewhere or last year). Default: nothing known.\n"
    "  --today DATE       enrollment: the date for the identity numbers' birth-date check. Default and only\n"
    "                     supported value today: the enrollment's submitted_on (fm_decide_enrollment uses "
    "it).\n"
    "  --context FILE     claim, review: the policy, the member and the usage so far (required); for a\n"
    "                     review, as they are at review time.\n"
    "  --claim FILE       review: the claim.submitted event the review decides on (required).\n"
    "\n"
    "Exit status: 0 decided (accepted, rejected, approved, declined ... alike), 1 invalid input (the event,\n"
    "context, facts or catalogue; the precise error is on stderr), 2 wrong usage.\n"
    "Formats: services/rules/README.md. The output never contains an identity number.\n";

typedef struct options {
    const char *command;
    const char *file;
    const char *plan_dir;
    const char *facts;
    const char *context;
    const char *today;
    const char *claim;
} options;

/* Reads all of path ("-" = stdin) into a malloc'ed buffer (NUL-terminated for convenience). */
static fm_status read_all(const char *path, char **buf, size_t *len, fm_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *b = NULL;
    size_t n = 0;
    *buf = NULL;
    if (f == NULL) {
        fm_error_set(err, "", "UNREADABLE", "cannot open %s", path);
        return FM_EIO;
    }
    b = malloc(MAX_INPUT_BYTES + 2);
    if (b == NULL)
        goto nomem;
    n = fread(b, 1, MAX_INPUT_BYTES + 1, f);
    if (ferror(f)) {
        fm_error_set(err, "", "UNREADABLE", "cannot read %s", path);
        free(b);
        if (f != stdin)
            fclose(f);
        return FM_EIO;
    }
    if (n > MAX_INPUT_BYTES) {
        fm_error_set(err, "", "TOO_LARGE", "%s is above %u bytes", path, MAX_INPUT_BYTES);
        free(b);
        if (f != stdin)
            fclose(f);
        return FM_EINVAL;
    }
    b[n] = '\0';
    if (f != stdin)
        fclose(f);
    *buf = b;
    *len = n;
    return FM_OK;
nomem:
    if (f != stdin)
        fclose(f);
    fm_error_set(err, "", "NO_MEMORY", "out of memory");
    return FM_ENOMEM;
}

static void report(const char *what, const fm_error *err)
{
    /* path: CODE first, so that scripts can match it; err->text never holds an identity number. */
    if (err->path[0])
        fprintf(stderr, "famins-rules: %s: %s: %s (%s)\n", what, err->path, err->code, err->text);
    else
        fprintf(stderr, "famins-rules: %s: %s (%s)\n", what, err->code, err->text);
}

static int print_json(json_t *o)
{
    int rc = json_dumpf(o, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF ? EXIT_DECIDED
                                                                                      : EXIT_INVALID;
    json_decref(o);
    return rc;
}

static fm_status load_plans(const options *opt, fm_plan_catalogue **cat, fm_error *err)
{
    const char *dir = opt->plan_dir;
    char found[PATH_MAX];
    if (dir == NULL)
        dir = getenv("FAMINS_PLAN_DIR");
    if (dir == NULL || dir[0] == '\0') {
        if (fm_paths_data_dir("plans", found, sizeof found, err) != FM_OK)
            return FM_ENOTFOUND;
        dir = found;
    }
    return fm_plan_catalogue_load(dir, cat, err);
}

static int run_enrollment(const options *opt)
{
    fm_error err;
    fm_enrollment e = {0};
    fm_enrollment_facts facts;
    fm_enrollment_decision d;
    fm_plan_catalogue *cat = NULL;
    char *buf = NULL, *fbuf = NULL;
    size_t len = 0, flen = 0;
    json_t *out = NULL;
    int rc = EXIT_INVALID;

    fm_error_clear(&err);
    memset(&facts, 0, sizeof facts);
    if (read_all(opt->file, &buf, &len, &err) != FM_OK || fm_decode_enrollment(buf, len, &e, &err) != FM_OK) {
        report(opt->file, &err);
        goto done;
    }
    if (opt->today != NULL) {
        fm_date today;
        if (fm_date_parse(opt->today, &today, NULL) != FM_OK) {
            fprintf(stderr, "famins-rules: --today must be a date YYYY-MM-DD\n%s", USAGE);
            rc = EXIT_USAGE;
            goto done;
        }
        /* fm_decide_enrollment takes "today" from submitted_on; another date cannot be honoured. */
        if (today != e.submitted_on) {
            fprintf(stderr, "famins-rules: --today other than the enrollment's submitted_on is not supported "
                            "(the rules check birth dates against submitted_on)\n");
            rc = EXIT_USAGE;
            goto done;
        }
    }
    if (opt->facts != NULL && (read_all(opt->facts, &fbuf, &flen, &err) != FM_OK ||
                               rules_parse_facts(fbuf, flen, e.n_members, &facts, &err) != FM_OK)) {
        report(opt->facts, &err);
        goto done;
    }
    if (load_plans(opt, &cat, &err) != FM_OK) {
        report("plan catalogue", &err);
        goto done;
    }
    if (fm_decide_enrollment(cat, &e, &facts, &d, &err) != FM_OK) {
        report(opt->file, &err);
        goto done;
    }
    if (fm_enrollment_decision_json(&e, &d, true, &out) != FM_OK) {
        fprintf(stderr, "famins-rules: out of memory\n");
        goto done;
    }
    rc = print_json(out);
done:
    fm_plan_catalogue_free(cat);
    fm_enrollment_free(&e);
    free(buf);
    free(fbuf);
    return rc;
}

/* The plan of the policy's year; without a policy, the year its number names (FJ<year>-...) when the
 * catalogue has it, else the first plan: the decision is POLICY_NOT_FOUND whatever the plan. */
static const fm_plan *plan_for_claim(const fm_plan_catalogue *cat, const fm_claim *c,
                                     const rules_claim_context *rc)
{
    if (rc->has_policy)
        return fm_plan_for_year(cat, rc->ctx.plan_year);
    int year = 0;
    if (sscanf(c->policy_number, "FJ%4d-", &year) == 1 && fm_plan_for_year(cat, year) != NULL)
        return fm_plan_for_year(cat, year);
    return cat->n_plans > 0 ? &cat->plans[0] : NULL;
}

/* claim: decides opt->file; review: decides the review opt->file on the claim opt->claim. */
static int run_claim(const options *opt)
{
    fm_error err;
    fm_claim c = {0};
    fm_review r = {0};
    rules_claim_context ctx;
    fm_claim_decision d;
    fm_plan_catalogue *cat = NULL;
    const fm_plan *plan;
    char *buf = NULL, *cbuf = NULL, *rbuf = NULL;
    size_t len = 0, clen = 0, rlen = 0;
    json_t *out = NULL;
    int rc = EXIT_INVALID;
    bool review = opt->claim != NULL;
    const char *claim_file = review ? opt->claim : opt->file;

    fm_error_clear(&err);
    if (read_all(claim_file, &buf, &len, &err) != FM_OK || fm_decode_claim(buf, len, &c, &err) != FM_OK) {
        report(claim_file, &err);
        goto done;
    }
    if (review && (read_all(opt->file, &rbuf, &rlen, &err) != FM_OK ||
                   fm_decode_review(rbuf, rlen, &r, &err) != FM_OK)) {
        report(opt->file, &err);
        goto done;
    }
    if (review && (strcmp(r.claim_id, c.claim_id) != 0 || strcmp(r.policy_number, c.policy_number) != 0)) {
        fprintf(stderr,
                "famins-rules: %s: claim_id: NOT_THIS_CLAIM (the review is for another claim or policy)\n",
                opt->file);
        goto done;
    }
    if (read_all(opt->context, &cbuf, &clen, &err) != FM_OK ||
        rules_parse_context(cbuf, clen, &c, &ctx, &err) != FM_OK) {
        report(opt->context, &err);
        goto done;
    }
    /* The receipt: the event's occurred_at, as the adjudicator reads it (REPORT_AFTER_RECEIPT). */
    if (!review) {
        fm_envelope envl;
        ctx.ctx.has_receipt = fm_decode_envelope(buf, len, 0, &envl, &err) == FM_OK &&
                              fm_claim_receipt_date(envl.occurred_at, &ctx.ctx.received_on) == FM_OK;
    }
    if (load_plans(opt, &cat, &err) != FM_OK) {
        report("plan catalogue", &err);
        goto done;
    }
    if ((plan = plan_for_claim(cat, &c, &ctx)) == NULL) {
        fprintf(stderr, "famins-rules: %s: policy.plan_year: NOT_IN_CATALOGUE (no plan for %d)\n",
                opt->context, ctx.ctx.plan_year);
        goto done;
    }
    if (!ctx.has_policy)
        ctx.ctx.plan_year = plan->plan_year;
    if ((review ? fm_decide_review(plan, &c, &ctx.ctx, &r, &d, &err)
                : fm_decide_claim(plan, &c, &ctx.ctx, &d, &err)) != FM_OK) {
        report(opt->file, &err);
        goto done;
    }
    if (fm_claim_decision_json(&c, &d, review ? &r : NULL, true, &out) != FM_OK) {
        fprintf(stderr, "famins-rules: out of memory\n");
        goto done;
    }
    rc = print_json(out);
done:
    fm_plan_catalogue_free(cat);
    fm_claim_free(&c);
    fm_review_free(&r);
    free(buf);
    free(cbuf);
    free(rbuf);
    return rc;
}

/* Parses argv into opt; returns -1 for --help, -2 for --version, 0 when fine, EXIT_USAGE (message printed)
 * otherwise. */
static int parse_args(int argc, char **argv, options *opt)
{
    memset(opt, 0, sizeof *opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (fm_cli_is_help(a))
            return -1;
        if (fm_cli_is_version(a))
            return -2;
        if (strcmp(a, "--plan-dir") == 0)
            slot = &opt->plan_dir;
        else if (strcmp(a, "--facts") == 0)
            slot = &opt->facts;
        else if (strcmp(a, "--context") == 0)
            slot = &opt->context;
        else if (strcmp(a, "--today") == 0)
            slot = &opt->today;
        else if (strcmp(a, "--claim") == 0)
            slot = &opt->claim;
        if (slot != NULL) {
            if (i + 1 >= argc) {
                fprintf(stderr, "famins-rules: %s needs a value\n%s", a, USAGE);
                return EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            char text[128];
            snprintf(text, sizeof text, "unknown option '%.64s'", a);
            fm_cli_print_usage_error(stderr, "famins-rules", text);
            return EXIT_USAGE;
        } else if (opt->command == NULL) {
            opt->command = a;
        } else if (opt->file == NULL) {
            opt->file = a;
        } else {
            char text[128];
            snprintf(text, sizeof text, "unexpected argument '%.64s' (one input file at most)", a);
            fm_cli_print_usage_error(stderr, "famins-rules", text);
            return EXIT_USAGE;
        }
    }
    if (opt->command == NULL) {
        fprintf(stderr, "famins-rules: say enrollment or claim\n%s", USAGE);
        return EXIT_USAGE;
    }
    if (opt->file == NULL)
        opt->file = "-";
    if (strcmp(opt->command, "enrollment") == 0) {
        if (opt->context != NULL || opt->claim != NULL) {
            fprintf(stderr, "famins-rules: --context and --claim are for claims and reviews\n%s", USAGE);
            return EXIT_USAGE;
        }
    } else if (strcmp(opt->command, "claim") == 0 || strcmp(opt->command, "review") == 0) {
        bool is_review = strcmp(opt->command, "review") == 0;
        if (opt->context == NULL) {
            fprintf(stderr, "famins-rules: a %s needs --context CONTEXT.json\n%s", opt->command, USAGE);
            return EXIT_USAGE;
        }
        if (is_review != (opt->claim != NULL)) {
            fprintf(stderr, "famins-rules: --claim CLAIM.json goes with review, and only with it\n%s", USAGE);
            return EXIT_USAGE;
        }
        if (is_review && strcmp(opt->file, "-") == 0 && strcmp(opt->claim, "-") == 0) {
            fprintf(stderr, "famins-rules: the claim and the review cannot both come from stdin\n%s", USAGE);
            return EXIT_USAGE;
        }
        if (opt->facts != NULL || opt->today != NULL) {
            fprintf(stderr, "famins-rules: --facts and --today are for enrollments\n%s", USAGE);
            return EXIT_USAGE;
        }
    } else {
        fprintf(stderr, "famins-rules: unknown command %s\n%s", opt->command, USAGE);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    options opt;
    if (argc >= 2 && strcmp(argv[1], "policy") == 0) /* issue 16: rules_policy.c */
        return rules_policy_main(argc - 1, argv + 1);
    int rc = parse_args(argc, argv, &opt);
    if (rc == -1) {
        fputs(USAGE, stdout);
        fputs(HELP, stdout);
        return EXIT_DECIDED;
    }
    if (rc == -2) {
        fm_cli_print_version(stdout, "famins-rules");
        return EXIT_DECIDED;
    }
    if (rc != 0)
        return rc;
    return strcmp(opt.command, "enrollment") == 0 ? run_enrollment(&opt) : run_claim(&opt);
}
