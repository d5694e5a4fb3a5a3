/* report_main.c — famins-report: writes the annual claims report (年度理赔报告) of a plan year as md, csv,
 * json or html. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fm_cli.h"
#include "fm_log.h"
#include "fm_pg.h"
#include "fm_plan.h"
#include "fm_plan_read.h"
#include "fm_settings.h"
#include "report.h"
#include "report_access.h"
#include "report_export.h"
#include "report_format.h"
#include "report_pdf.h"
#include "report_render.h"

static const fm_setting report_settings[] = {
    FM_COMMON_SETTINGS,
    {"FAMINS_REPORT_PG_DSN", FM_SETTING_STRING, "", 0, 0,
     "libpq connection string of the read-only reporting role famins_reporter (reads the famins_report views "
     "only); empty: FAMINS_PG_DSN without its user and password, with user=famins_reporter"},
    {"FAMINS_REPORT_FAR_FACTOR_PCT", FM_SETTING_INT, "150", 101, 100000,
     "problems found: a unit is named above this % of the city's loss ratio, decline rate or settlement "
     "time"},
    {"FAMINS_REPORT_MIN_CLAIMS", FM_SETTING_INT, "5", 1, 1000000,
     "problems found: decided claims a unit needs before it is compared"},
    {"FAMINS_REPORT_CSV_BOM", FM_SETTING_INT, "0", 0, 1,
     "1: every CSV file starts with a UTF-8 byte-order mark (as --csv-bom), so that Excel opens it as UTF-8"},
    {"FAMINS_REPORT_MIN_INSURED", FM_SETTING_INT, "100", 1, 100000000,
     "problems found: insured persons a unit needs before a low claim frequency is named"},
    {"FAMINS_REPORT_CHROMIUM", FM_SETTING_STRING, "chromium", 0, 0,
     "--format pdf: the headless Chromium program (name on PATH or path); optional dependency"},
    {"FAMINS_REPORT_PDF_TIMEOUT_S", FM_SETTING_INT, "120", 5, 3600,
     "--format pdf: seconds Chromium may take to print before it is killed"},
};
#define REPORT_SETTING_COUNT (sizeof report_settings / sizeof report_settings[0])

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum { FMT_MD = 1, FMT_CSV = 2, FMT_JSON = 4, FMT_HTML = 8, FMT_PDF = 16 };

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: famins-report --year Y [--unit CODE] [--format md|csv|json|html|pdf[,...]] [--out DIR] "
        "[--csv-bom]\n"
        "       famins-report export --year Y [--unit CODE] --out DIR [--csv-bom]\n"
        "  --year Y      plan year (the year starting on 1 March of Y)\n"
        "  --unit CODE   one managing unit (e.g. 610113, GXQ); default: the whole city\n"
        "  --format F    md (default), csv, json, html, pdf (the html printed by headless Chromium, an\n"
        "                optional dependency); several with commas when --out is given\n"
        "  --out DIR     write one file per format into DIR (created when missing):\n"
        "                report-Y[-CODE].md|.json|.html, and report-Y[-CODE]-<table>.csv per table\n"
        "  --csv-bom     start each CSV with a UTF-8 byte-order mark (Excel on a Chinese Windows)\n"
        "export: one unit's year for its district association: enrollment_decisions.csv, "
        "insured_persons.csv,\n"
        "  claims.csv, claim_decisions.csv (no identity numbers; persons by keyed reference), manifest.json "
        "and\n"
        "  SHA256SUMS (check with: cd DIR && sha256sum -c SHA256SUMS).\n"
        "A district association's role (famins-admin district-role) reads its own unit only: --unit defaults "
        "to\n"
        "it, another unit is refused (exit 1).\n"
        "Without --out: md and json go to stdout; csv goes to stdout as its tables one after another, each\n"
        "with its header row, separated by one empty line; html and pdf go to report-Y[-CODE].html/.pdf.\n"
        "--version prints the version.\n"
        "Exit: 0 written (an empty year is an empty report), 1 database or file error, 2 wrong usage or "
        "configuration.\n\n");
    fm_settings_print_help(out, report_settings, REPORT_SETTING_COUNT);
}

static int parse_formats(const char *text, int *out)
{
    int set = 0;
    char buf[64];
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "md") == 0)
            set |= FMT_MD;
        else if (strcmp(tok, "csv") == 0)
            set |= FMT_CSV;
        else if (strcmp(tok, "json") == 0)
            set |= FMT_JSON;
        else if (strcmp(tok, "html") == 0)
            set |= FMT_HTML;
        else if (strcmp(tok, "pdf") == 0)
            set |= FMT_PDF;
        else
            return -1;
    }
    if (set == 0)
        return -1;
    *out = set;
    return 0;
}

static int valid_unit(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 31)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

/* Opens path for writing, runs the writer, closes; FM_EIO with err naming the file. */
static fm_status write_file(const char *path, const report *rep, const report_table *t, int format, bool bom,
                            fm_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fm_error_set(err, path, "UNWRITABLE", "cannot write %s: %s", path, strerror(errno));
        return FM_EIO;
    }
    fm_status st = FM_OK;
    switch (format) {
    case FMT_MD: st = report_write_md(f, rep); break;
    case FMT_CSV:
        if (bom)
            report_csv_bom(f);
        st = report_write_csv_table(f, rep, t);
        break;
    case FMT_JSON: st = report_write_json(f, rep); break;
    case FMT_HTML: st = report_write_html(f, rep); break;
    }
    if (fclose(f) != 0 && st == FM_OK)
        st = FM_EIO;
    if (st != FM_OK)
        fm_error_set(err, path, "WRITE_FAILED", "writing %s failed", path);
    return st;
}

static fm_status write_outputs(const report *rep, int formats, const char *dir, bool bom, fm_error *err)
{
    char base[512], path[1024];
    const char *prefix = dir != NULL ? dir : ".";
    if (rep->unit[0] != '\0')
        snprintf(base, sizeof base, "%s/report-%d-%s", prefix, rep->plan_year, rep->unit);
    else
        snprintf(base, sizeof base, "%s/report-%d", prefix, rep->plan_year);
    fm_status st = FM_OK;
    if (dir == NULL) {
        /* stdout for the text formats (only one of them, checked by main), a file for html. */
        if (formats & FMT_MD)
            st = report_write_md(stdout, rep);
        if (formats & FMT_JSON)
            st = report_write_json(stdout, rep);
        if ((formats & FMT_CSV) && bom)
            report_csv_bom(stdout);
        if (formats & FMT_CSV)
            for (int i = 0; i < REPORT_T_COUNT && st == FM_OK; i++) {
                if (i > 0)
                    fputs("\r\n", stdout);
                st = report_write_csv_table(stdout, rep, &rep->tables[i]);
            }
        if (st == FM_OK && fflush(stdout) != 0)
            st = FM_EIO;
        if (st != FM_OK) {
            fm_error_set(err, "stdout", "WRITE_FAILED", "writing to stdout failed");
            return st;
        }
        if (formats & FMT_HTML) {
            snprintf(path, sizeof path, "%s.html", base);
            return write_file(path, rep, NULL, FMT_HTML, bom, err);
        }
        return FM_OK;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fm_error_set(err, dir, "UNWRITABLE", "cannot create %s: %s", dir, strerror(errno));
        return FM_EIO;
    }
    static const struct {
        int format;
        const char *ext;
    } singles[] = {{FMT_MD, "md"}, {FMT_JSON, "json"}, {FMT_HTML, "html"}};
    for (size_t i = 0; i < 3 && st == FM_OK; i++)
        if (formats & singles[i].format) {
            snprintf(path, sizeof path, "%s.%s", base, singles[i].ext);
            st = write_file(path, rep, NULL, singles[i].format, bom, err);
        }
    if (formats & FMT_CSV)
        for (int i = 0; i < REPORT_T_COUNT && st == FM_OK; i++) {
            snprintf(path, sizeof path, "%s-%s.csv", base, rep->tables[i].key);
            st = write_file(path, rep, &rep->tables[i], FMT_CSV, bom, err);
        }
    return st;
}

/* The export of one unit's year; EXIT_USAGE when the city's role names no unit. */
static int run_export(PGconn *conn, const fm_logger *logger, const report_scope *scope, int year,
                      const char *unit, const char *dir, int bom, fm_error *err)
{
    if (unit == NULL) {
        fm_cli_print_usage_error(stderr, "famins-report", "export wants --unit CODE (one managing unit)");
        return EXIT_USAGE;
    }
    report_export_request req = {
        .plan_year = year, .unit = unit, .dir = dir, .bom = bom, .login = scope->login};
    long long rows = 0;
    if (report_export_write(conn, &req, &rows, err) != FM_OK)
        return EXIT_FAILED;
    fm_log(logger, FM_LOG_INFO, "export_written", "year=%d unit=%s rows=%lld dir=\"%s\"", year, unit, rows,
           dir);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    int year = 0, formats = FMT_MD, format_given = 0, bom = 0;
    const char *unit = NULL, *dir = NULL;
    /* "export": the data-sharing export (report_export.c) instead of the report. */
    int export = argc > 1 && strcmp(argv[1], "export") == 0;
    for (int i = 1 + export; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--csv-bom") == 0) {
            bom = 1;
            continue;
        }
        if (fm_cli_is_help(a)) {
            usage(stdout);
            return EXIT_OK;
        }
        if (fm_cli_is_version(a)) {
            fm_cli_print_version(stdout, "famins-report");
            return EXIT_OK;
        }
        char text[128];
        if (strcmp(a, "--year") != 0 && strcmp(a, "--unit") != 0 && strcmp(a, "--format") != 0 &&
            strcmp(a, "--out") != 0) {
            if (a[0] == '-' && a[1] != '\0')
                snprintf(text, sizeof text, "unknown option '%.64s'", a);
            else
                snprintf(text, sizeof text, "unexpected argument '%.64s'", a);
            fm_cli_print_usage_error(stderr, "famins-report", text);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            snprintf(text, sizeof text, "%s needs a value", a);
            fm_cli_print_usage_error(stderr, "famins-report", text);
            return EXIT_USAGE;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--year") == 0) {
            char *end = NULL;
            long y = strtol(v, &end, 10);
            if (end == v || *end != '\0' || y < 2000 || y > 2100) {
                fprintf(stderr, "famins-report: --year wants a plan year such as 2026, not \"%s\"\n", v);
                return EXIT_USAGE;
            }
            year = (int)y;
        } else if (strcmp(a, "--unit") == 0) {
            if (!valid_unit(v)) {
                fprintf(stderr, "famins-report: --unit wants a managing-unit code such as 610113 or GXQ\n");
                return EXIT_USAGE;
            }
            unit = v;
        } else if (strcmp(a, "--format") == 0) {
            format_given = 1;
            if (parse_formats(v, &formats) != 0) {
                fprintf(stderr,
                        "famins-report: --format wants md, csv, json, html or pdf (comma-separated), not "
                        "\"%s\"\n",
                        v);
                return EXIT_USAGE;
            }
        } else { /* --out */
            dir = v;
        }
    }
    if (year == 0) {
        fm_cli_print_usage_error(stderr, "famins-report", "--year is required");
        return EXIT_USAGE;
    }
    if (export && (dir == NULL || format_given)) {
        fm_cli_print_usage_error(stderr, "famins-report",
                                 "export wants --out DIR and writes CSV only (no --format)");
        return EXIT_USAGE;
    }
    if (dir == NULL && __builtin_popcount((unsigned)(formats & (FMT_MD | FMT_CSV | FMT_JSON))) > 1) {
        fprintf(stderr,
                "famins-report: only one of md, csv, json can go to stdout: give --out DIR for several\n");
        return EXIT_USAGE;
    }

    fm_error err = {0};
    fm_settings *settings = NULL;
    fm_logger logger;
    fm_plan_catalogue *catalogue = NULL;
    PGconn *conn = NULL;
    report rep;
    bool loaded = false;
    int code = EXIT_FAILED;
    if (fm_settings_load(report_settings, REPORT_SETTING_COUNT, NULL, NULL, &settings, &err) != FM_OK) {
        fprintf(stderr, "famins-report: %s\n", err.text);
        return EXIT_USAGE;
    }
    if (fm_logger_init(&logger, "report", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &err) != FM_OK) {
        fprintf(stderr, "famins-report: %s\n", err.text);
        fm_settings_free(settings);
        return EXIT_USAGE;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* Names of the managing units: the plan catalogue of the year. Without it the report still runs (codes).
     */
    char plan_path[1024];
    snprintf(plan_path, sizeof plan_path, "%s/plan-%d.json", fm_settings_str(settings, "FAMINS_PLAN_DIR"),
             year);
    const fm_plan *plan = NULL;
    if (fm_plan_catalogue_load_file(plan_path, &catalogue, &err) == FM_OK)
        plan = fm_plan_for_year(catalogue, year);
    else
        fm_log(&logger, FM_LOG_WARN, "catalogue_unavailable",
               "file=\"%s\" error=\"%s\" effect=\"units shown by code\"", plan_path, err.text);
    if (unit != NULL && plan != NULL && fm_plan_unit(plan, unit) == NULL && strcmp(unit, "UNKNOWN") != 0)
        fm_log(&logger, FM_LOG_WARN, "unit_not_in_catalogue", "unit=%s year=%d", unit, year);

    report_rule rule = {.factor_pct = fm_settings_int(settings, "FAMINS_REPORT_FAR_FACTOR_PCT"),
                        .min_claims = fm_settings_int(settings, "FAMINS_REPORT_MIN_CLAIMS"),
                        .min_insured = fm_settings_int(settings, "FAMINS_REPORT_MIN_INSURED")};
    fm_backoff backoff = {.initial_ms = 200, .max_ms = 1000, .max_attempts = 3};
    char dsn[2048];
    if (fm_pg_role_dsn(fm_settings_str(settings, "FAMINS_REPORT_PG_DSN"),
                       fm_settings_str(settings, "FAMINS_PG_DSN"), "famins_reporter", dsn,
                       sizeof dsn) != FM_OK) {
        fm_error_set(&err, "FAMINS_REPORT_PG_DSN", "BAD_DSN",
                     "FAMINS_REPORT_PG_DSN or FAMINS_PG_DSN is too long or not a connection string");
        goto done;
    }
    if (fm_pg_connect(dsn, &backoff, &stop_requested, &logger, &conn, &err) != FM_OK)
        goto done;
    if (fm_settings_int(settings, "FAMINS_REPORT_CSV_BOM") == 1)
        bom = 1;
    /* What this role may read: a district's login gets its own unit only (the views filter anyway). */
    report_scope scope;
    if (report_scope_read(conn, &scope, &err) != FM_OK ||
        report_scope_unit(&scope, unit, &unit, &err) != FM_OK)
        goto done;
    if (export) {
        code = run_export(conn, &logger, &scope, year, unit, dir, bom, &err);
        goto done;
    }
    if (report_load(conn, year, unit, plan, &rule, &rep, &err) != FM_OK)
        goto done;
    loaded = true;
    if (write_outputs(&rep, formats, dir, bom, &err) != FM_OK)
        goto done;
    if ((formats & FMT_PDF) &&
        report_write_pdf(&rep, dir, fm_settings_str(settings, "FAMINS_REPORT_CHROMIUM"),
                         (int)fm_settings_int(settings, "FAMINS_REPORT_PDF_TIMEOUT_S"),
                         (formats & FMT_HTML) != 0, &err) != FM_OK)
        goto done;
    fm_log(&logger, FM_LOG_INFO, "report_written", "year=%d unit=%s claims=%lld problems=%zu", year,
           unit ? unit : "all", (long long)rep.tables[REPORT_T_SUMMARY].cells[6].num,
           rep.tables[REPORT_T_PROBLEMS].nrows);
    code = EXIT_OK;
done:
    if (code == EXIT_FAILED)
        fprintf(stderr, "famins-report: failed: %s%s%s%s\n", err.text, err.path[0] ? " (" : "", err.path,
                err.path[0] ? ")" : "");
    if (loaded)
        report_free(&rep);
    PQfinish(conn);
    fm_plan_catalogue_free(catalogue);
    fm_settings_free(settings);
    return code;
}
