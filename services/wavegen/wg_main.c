/* wg_main.c — famins-wavegen: the command line, the streaming loop, pacing, labels and the summary. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_cli.h"
#include "fm_kafka.h"
#include "fm_paths.h"
#include "fm_settings.h"
#include "wg_claims.h"
#include "wg_emit.h"
#include "wg_enroll.h"
#include "wg_places.h"
#include "wg_plan.h"
#include "wg_progress.h"
#include "wg_sink.h"

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

#define MAX_TALLY 64

/* A small name -> count table for the summary (a few dozen names at most). */
typedef struct tally {
    const char *names[MAX_TALLY];
    char own[MAX_TALLY][40];
    uint64_t counts[MAX_TALLY];
    int n;
    uint64_t other;
} tally;

static void tally_add(tally *t, const char *name)
{
    if (name == NULL)
        name = "-";
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0) {
            t->counts[i]++;
            return;
        }
    if (t->n == MAX_TALLY) {
        t->other++;
        return;
    }
    snprintf(t->own[t->n], sizeof t->own[t->n], "%s", name);
    t->names[t->n] = t->own[t->n];
    t->counts[t->n++] = 1;
}

static void tally_print(FILE *f, const char *title, const tally *t)
{
    fprintf(f, "  %s:\n", title);
    for (int i = 0; i < t->n; i++)
        fprintf(f, "    %-34s %10llu\n", t->names[i], (unsigned long long)t->counts[i]);
    if (t->other)
        fprintf(f, "    %-34s %10llu\n", "(others)", (unsigned long long)t->other);
}

typedef struct run {
    wg_sink *sink;
    FILE *labels;
    double rate; /* events per second; 0 = as fast as possible */
    double started;
    uint64_t events;
    uint64_t bytes;
    tally kinds, outcomes, units, faults;
    fm_status first_error;
} run;

static fm_status emit(void *arg, const wg_message *m)
{
    run *r = arg;
    if (r->rate > 0) { /* pace: the n-th event not before n / rate seconds */
        double due = r->started + (double)r->events / r->rate;
        double now = wg_now();
        if (due > now) {
            double d = due - now;
            struct timespec ts = {.tv_sec = (time_t)d, .tv_nsec = (long)((d - (double)(time_t)d) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested) {
            }
        }
    }
    fm_status st = wg_sink_put(r->sink, m->key, m->key_len, m->payload, m->len);
    /* A message the Kafka client refuses (too large for its message.max.bytes, say) is counted as
     * failed and the wave goes on: the summary and the exit status report it. A file error stops. */
    if (st != FM_OK && st != FM_EKAFKA)
        return st;
    if (r->labels != NULL && (fputs(m->label, r->labels) == EOF || fputc('\n', r->labels) == EOF))
        return FM_EIO;
    r->events++;
    r->bytes += m->len;
    tally_add(&r->kinds, m->kind);
    tally_add(&r->outcomes, m->outcome);
    if (m->unit != NULL && strcmp(m->kind, "valid") == 0) /* units (enrollments), liabilities (claims) */
        tally_add(&r->units, m->unit);
    if (m->fault != NULL)
        tally_add(&r->faults, m->fault);
    return FM_OK;
}

/* The environment variables the tool reads (common/base's, with their defaults and help). */
static const fm_setting settings_defs[] = {FM_COMMON_SETTINGS};
#define N_SETTINGS (sizeof settings_defs / sizeof settings_defs[0])

/* The enrollment messages of a wave rebuilt for its policies go nowhere. */
static fm_status discard(void *arg, const wg_message *m)
{
    (void)arg, (void)m;
    return FM_OK;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: famins-wavegen enroll --households N [options]\n"
        "       famins-wavegen claims --policies FILE [options]\n"
        "       famins-wavegen claims --households N [enroll options] [options]\n"
        "\n"
        "Generates enrollment waves or a year of claims for famins, each event labelled with the\n"
        "decision it was built to get, and produces them to Kafka (or writes them with --dry-run).\n"
        "\n"
        "common options:\n"
        "  --plan-year Y            plan year (default 2026)\n"
        "  --seed S                 PRNG seed (default 1): same seed and options, same bytes\n"
        "  --rate R                 events per second (default 0: as fast as possible)\n"
        "  --dry-run FILE           write the events as lines to FILE ('-' = stdout) instead of Kafka\n"
        "  --labels FILE            write the intended decision of each event as JSON lines\n"
        "  --plan-dir DIR           plan catalogue (default $FAMINS_PLAN_DIR)\n"
        "  --places FILE            population table (default <bin>/../share/famins/places/"
        "xian-managing-units.json;\n"
        "                           for a program in its build tree the source's schemas/places)\n"
        "  -b, --bootstrap HOSTS    Kafka bootstrap servers (default $FAMINS_KAFKA_BOOTSTRAP)\n"
        "  -t, --topic NAME         topic (default $FAMINS_TOPIC_PREFIX + enrollment.submitted | "
        "claim.events)\n"
        "  -X key=value             any librdkafka producer property (repeatable; wins over the defaults)\n"
        "  --flush-timeout-ms MS    bound on the final flush (default 60000)\n"
        "  --create-topic P         create the topic with P partitions if it does not exist\n"
        "  --quiet                  no progress output\n"
        "\n"
        "enroll options:\n"
        "  --households N           households to generate (required)\n"
        "  --policies-out FILE      write the policies the wave is built to create (for claims mode)\n"
        "  --max-message-bytes N    famins' size limit (default $FAMINS_MAX_MESSAGE_BYTES)\n"
        "  --unreadable-share X     default 0.01   dead letters: bad JSON, bad UTF-8, schema, version, size\n"
        "  --resend-share X         default 0.01   the same event sent twice\n"
        "  --conflict-share X       default 0.005  the same event id with other content\n"
        "  --ineligible-share X     default 0.10   rejected for one reason (all reasons equally)\n"
        "  --two-reasons-share X    default 0.01   rejected for NO_CONSENT and one other reason\n"
        "  --shared-person-share X  default 0      an adult listed in two households (order-dependent)\n"
        "  --over-age-share X       default 0.05   multi-child households with one child just over age\n"
        "  --policy-share X         default 0      accepted households with policy events through the year\n"
        "                                           (newborn, member leaving, cancellation, premium; "
        "README)\n"
        "\n"
        "claims options:\n"
        "  --policies FILE          policies written by enroll --policies-out, or instead:\n"
        "  --households N           rebuild the wave of N households from --seed and the enroll options\n"
        "                           (no file of identity numbers needed; the same options as the wave's)\n"
        "  --claim-rate-scale X     multiply every incidence by X (default 1)\n"
        "  --claim-unreadable-share X  default 0.005  claims sent unreadable (the five kinds)\n"
        "  --claim-resend-share X   default 0.005  claims sent twice, byte for byte\n"
        "  --documents-share X      default 0.8    claims still pending for a document: the document sent "
        "later\n"
        "  --appeal-share X         default 0.08   declined or partial claims appealed (most answered)\n"
        "  --payments               payee blocks, payment results, corrections, withdrawals (issue 15)\n"
        "\n"
        "exit status: 0 when every event was delivered (or written), 1 when some were not, 2 on usage.\n"
        "\n"
        "environment (famins-wavegen reads FAMINS_KAFKA_BOOTSTRAP, FAMINS_TOPIC_PREFIX,\n"
        "FAMINS_KAFKA_PROPERTIES[_FILE], FAMINS_MAX_MESSAGE_BYTES and FAMINS_PLAN_DIR):\n");
    fm_settings_print_help(f, settings_defs, N_SETTINGS);
}

enum {
    O_PLAN_YEAR = 1000,
    O_SEED,
    O_RATE,
    O_DRY_RUN,
    O_LABELS,
    O_PLAN_DIR,
    O_PLACES,
    O_FLUSH,
    O_QUIET,
    O_HOUSEHOLDS,
    O_POLICIES_OUT,
    O_POLICIES,
    O_MAX_BYTES,
    O_UNREADABLE,
    O_RESEND,
    O_CONFLICT,
    O_INELIGIBLE,
    O_TWO,
    O_SHARED,
    O_OVER_AGE,
    O_POLICY,
    O_CLAIM_SCALE,
    O_CREATE_TOPIC,
    O_CLAIM_UNREADABLE,
    O_CLAIM_RESEND,
    O_DOCUMENTS_SHARE,
    O_APPEAL_SHARE,
    O_PAYMENTS,
    O_HELP,
    O_VERSION
};

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return false;
    *out = v;
    return true;
}

/* What the command line says. The options whose defaults are settings (plan dir, message size) stay unset
 * (NULL, 0) until the settings are read: a wrong line fails alone. */
typedef struct options {
    const char *mode;
    bool enroll_mode;
    uint64_t create_partitions, seed, households, plan_year, flush_ms, max_bytes;
    double rate, claim_scale, claim_unreadable, claim_resend;
    const char *dry_run, *labels_path, *places_path, *plan_dir, *policies_out, *policies_in, *topic,
        *bootstrap;
    bool quiet, payments;
    const char *props[128];
    int n_props;
    wg_enroll_shares shares;
    wg_life_config life; /* documents sent later, appeals (wg_claim_life.h) */
} options;

/* Reads the command line into *o. -1: go on; otherwise the exit status (0 for --help and --version, 2 for a
 * usage error, already reported). */
static int parse_options(int argc, char **argv, options *o)
{
    char text[160];
    *o = (options){.seed = 1,
                   .plan_year = 2026,
                   .flush_ms = 60000,
                   .claim_scale = 1.0,
                   .claim_unreadable = 0.005,
                   .claim_resend = 0.005,
                   .shares = wg_enroll_default_shares(),
                   .life = wg_life_config_default()};
    if (argc < 2) {
        fm_cli_print_usage_error(stderr, "famins-wavegen", "say enroll or claims");
        return 2;
    }
    if (fm_cli_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (fm_cli_is_version(argv[1])) {
        fm_cli_print_version(stdout, "famins-wavegen");
        return 0;
    }
    o->mode = argv[1];
    o->enroll_mode = strcmp(o->mode, "enroll") == 0;
    if (!o->enroll_mode && strcmp(o->mode, "claims") != 0) {
        if (o->mode[0] == '-' && o->mode[1] != '\0')
            snprintf(text, sizeof text, "unknown option '%.64s'", o->mode);
        else
            snprintf(text, sizeof text, "unknown mode '%.64s' (enroll | claims)", o->mode);
        fm_cli_print_usage_error(stderr, "famins-wavegen", text);
        return 2;
    }

    static const struct option opts[] = {
        {"plan-year", required_argument, NULL, O_PLAN_YEAR},
        {"seed", required_argument, NULL, O_SEED},
        {"rate", required_argument, NULL, O_RATE},
        {"dry-run", required_argument, NULL, O_DRY_RUN},
        {"labels", required_argument, NULL, O_LABELS},
        {"plan-dir", required_argument, NULL, O_PLAN_DIR},
        {"places", required_argument, NULL, O_PLACES},
        {"bootstrap", required_argument, NULL, 'b'},
        {"topic", required_argument, NULL, 't'},
        {"flush-timeout-ms", required_argument, NULL, O_FLUSH},
        {"quiet", no_argument, NULL, O_QUIET},
        {"households", required_argument, NULL, O_HOUSEHOLDS},
        {"policies-out", required_argument, NULL, O_POLICIES_OUT},
        {"policies", required_argument, NULL, O_POLICIES},
        {"max-message-bytes", required_argument, NULL, O_MAX_BYTES},
        {"unreadable-share", required_argument, NULL, O_UNREADABLE},
        {"resend-share", required_argument, NULL, O_RESEND},
        {"conflict-share", required_argument, NULL, O_CONFLICT},
        {"ineligible-share", required_argument, NULL, O_INELIGIBLE},
        {"two-reasons-share", required_argument, NULL, O_TWO},
        {"shared-person-share", required_argument, NULL, O_SHARED},
        {"over-age-share", required_argument, NULL, O_OVER_AGE},
        {"policy-share", required_argument, NULL, O_POLICY},
        {"claim-rate-scale", required_argument, NULL, O_CLAIM_SCALE},
        {"create-topic", required_argument, NULL, O_CREATE_TOPIC},
        {"claim-unreadable-share", required_argument, NULL, O_CLAIM_UNREADABLE},
        {"claim-resend-share", required_argument, NULL, O_CLAIM_RESEND},
        {"documents-share", required_argument, NULL, O_DOCUMENTS_SHARE},
        {"appeal-share", required_argument, NULL, O_APPEAL_SHARE},
        {"payments", no_argument, NULL, O_PAYMENTS},
        {"help", no_argument, NULL, O_HELP},
        {"version", no_argument, NULL, O_VERSION},
        {NULL, 0, NULL, 0},
    };
    optind = 2;
    opterr = 0; /* the one-line errors below instead of getopt's */
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, ":b:t:X:hV", opts, NULL)) != -1) {
        switch (c) {
        case O_PLAN_YEAR:
            ok = parse_u64(optarg, &o->plan_year) && o->plan_year >= 2000 && o->plan_year <= 2100;
            break;
        case O_SEED: ok = parse_u64(optarg, &o->seed); break;
        case O_RATE: ok = parse_double(optarg, &o->rate) && o->rate >= 0; break;
        case O_DRY_RUN: o->dry_run = optarg; break;
        case O_LABELS: o->labels_path = optarg; break;
        case O_PLAN_DIR: o->plan_dir = optarg; break;
        case O_PLACES: o->places_path = optarg; break;
        case 'b': o->bootstrap = optarg; break;
        case 't': o->topic = optarg; break;
        case 'X':
            ok = o->n_props < 120 && strchr(optarg, '=') != NULL;
            if (ok)
                o->props[o->n_props++] = optarg;
            break;
        case O_FLUSH: ok = parse_u64(optarg, &o->flush_ms) && o->flush_ms <= 3600000; break;
        case O_QUIET: o->quiet = true; break;
        case O_HOUSEHOLDS: ok = parse_u64(optarg, &o->households); break;
        case O_POLICIES_OUT: o->policies_out = optarg; break;
        case O_POLICIES: o->policies_in = optarg; break;
        case O_MAX_BYTES:
            ok = parse_u64(optarg, &o->max_bytes) && o->max_bytes >= 1024 && o->max_bytes <= 900000;
            break;
        case O_UNREADABLE: ok = parse_double(optarg, &o->shares.unreadable); break;
        case O_RESEND: ok = parse_double(optarg, &o->shares.resend); break;
        case O_CONFLICT: ok = parse_double(optarg, &o->shares.conflict); break;
        case O_INELIGIBLE: ok = parse_double(optarg, &o->shares.ineligible); break;
        case O_TWO: ok = parse_double(optarg, &o->shares.two_reasons); break;
        case O_SHARED: ok = parse_double(optarg, &o->shares.shared_person); break;
        case O_OVER_AGE: ok = parse_double(optarg, &o->shares.over_age); break;
        case O_POLICY: ok = parse_double(optarg, &o->shares.policy); break;
        case O_CLAIM_UNREADABLE:
            ok = parse_double(optarg, &o->claim_unreadable) && o->claim_unreadable >= 0 &&
                 o->claim_unreadable <= 1;
            break;
        case O_CLAIM_RESEND:
            ok = parse_double(optarg, &o->claim_resend) && o->claim_resend >= 0 && o->claim_resend <= 1;
            break;
        case O_DOCUMENTS_SHARE:
            ok = parse_double(optarg, &o->life.documents) && o->life.documents >= 0 && o->life.documents <= 1;
            break;
        case O_APPEAL_SHARE:
            ok = parse_double(optarg, &o->life.appeal) && o->life.appeal >= 0 && o->life.appeal <= 1;
            break;
        case O_PAYMENTS: o->payments = true; break;
        case O_CLAIM_SCALE: ok = parse_double(optarg, &o->claim_scale) && o->claim_scale >= 0; break;
        case O_CREATE_TOPIC:
            ok = parse_u64(optarg, &o->create_partitions) && o->create_partitions >= 1 &&
                 o->create_partitions <= 10000;
            break;
        case 'h':
        case O_HELP: usage(stdout); return 0;
        case 'V':
        case O_VERSION: fm_cli_print_version(stdout, "famins-wavegen"); return 0;
        default: ok = false;
        }
        if (!ok) {
            /* optind is past the option in question (and past its value when it has one) */
            const char *opt_text = argv[optind - 1];
            if (c == '?' && optopt != 0)
                snprintf(text, sizeof text, "unknown option '-%c'", optopt);
            else if (c == '?')
                snprintf(text, sizeof text, "unknown option '%.64s'", opt_text);
            else if (c == ':')
                snprintf(text, sizeof text, "%.64s needs a value", opt_text);
            else
                snprintf(text, sizeof text, "bad value for an option: '%.64s'", optarg ? optarg : "");
            fm_cli_print_usage_error(stderr, "famins-wavegen", text);
            return 2;
        }
    }
    if (optind != argc) {
        snprintf(text, sizeof text, "unexpected argument '%.64s'", argv[optind]);
        fm_cli_print_usage_error(stderr, "famins-wavegen", text);
        return 2;
    }
    return -1;
}

/* Opens r->sink: the --dry-run file, or a producer to the topic (named from FAMINS_TOPIC_PREFIX into
 * topic_buf unless --topic said), which must exist (or is created with --create-topic). false when it could
 * not (said on stderr). */
static bool open_output(options *o, const fm_settings *settings, const fm_logger *lg, run *r, char *topic_buf,
                        size_t topic_len)
{
    fm_error err = {0};
    fm_status st;
    if (o->topic == NULL) {
        if (fm_topic_name(
                fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"),
                fm_topic_base_name(o->enroll_mode ? FM_TOPIC_ENROLLMENT_SUBMITTED : FM_TOPIC_CLAIM_EVENTS),
                topic_buf, topic_len, &err) != FM_OK) {
            fprintf(stderr, "famins-wavegen: FAMINS_TOPIC_PREFIX: %s\n", err.text);
            return false;
        }
        o->topic = topic_buf;
    }
    if (o->dry_run != NULL) {
        st = wg_sink_file_open(o->dry_run, &r->sink, &err);
    } else {
        rd_kafka_conf_t *base = NULL;
        st = fm_kafka_conf_new(settings, "famins-wavegen", &base, &err);
        if (st == FM_OK) {
            char bs[1024];
            const char *all[130];
            int n_all = 0;
            if (o->bootstrap != NULL) { /* -b wins over FAMINS_KAFKA_BOOTSTRAP, -X over both */
                snprintf(bs, sizeof bs, "bootstrap.servers=%s", o->bootstrap);
                all[n_all++] = bs;
            }
            /* Paced, each event is sent when it is due: the producer's linger (20 ms, for throughput) would
             * hold it after its Kafka timestamp is taken, and a latency measured from that timestamp (the
             * benchmark's) would count the generator's wait as famins'. -X linger.ms=... still wins. */
            if (o->rate > 0)
                all[n_all++] = "linger.ms=0";
            for (int i = 0; i < o->n_props; i++)
                all[n_all++] = o->props[i];
            st = wg_sink_kafka_open(o->topic, base, all, n_all, lg, &r->sink, &err);
        }
    }
    if (st != FM_OK) {
        fprintf(stderr, "famins-wavegen: cannot open the output: %s %s: %s\n", err.path, err.code, err.text);
        return false;
    }
    if (o->dry_run == NULL) { /* fail fast on a missing topic rather than time out every message */
        int partitions = 0;
        if (o->create_partitions > 0 &&
            wg_sink_kafka_create_topic(r->sink, o->topic, (int)o->create_partitions, 1, 15000, &err) !=
                FM_OK) {
            fprintf(stderr, "famins-wavegen: cannot create topic %s: %s\n", o->topic, err.text);
            return false;
        }
        if (wg_sink_kafka_check_topic(r->sink, 30000, &partitions, &err) != FM_OK) {
            fprintf(stderr, "famins-wavegen: topic %s is not available: %s (%s)%s\n", o->topic, err.code,
                    err.text, o->create_partitions ? "" : "; create it, or pass --create-topic PARTITIONS");
            return false;
        }
        if (!o->quiet)
            fm_log(lg, FM_LOG_INFO, "producing", "topic=%s partitions=%d", o->topic, partitions);
    }
    return true;
}

/* The run's summary on stderr: counts, rates, the output's delivery figures and the tallies. true when every
 * event was delivered (or written). */
static bool summarize(const options *o, const run *r, const wg_sink_stats *stats, fm_status close_st,
                      uint64_t done_units, const char *unit, double elapsed)
{
    FILE *f = stderr;
    fprintf(f, "famins-wavegen %s summary: %llu %s, %llu events, %.1f MB, %.2f s, %.0f %s/s, %.0f events/s\n",
            o->mode, (unsigned long long)done_units, unit, (unsigned long long)r->events,
            (double)r->bytes / 1e6, elapsed, elapsed > 0 ? (double)done_units / elapsed : 0, unit,
            elapsed > 0 ? (double)r->events / elapsed : 0);
    fprintf(f, "  output: %s %s: produced %llu, delivered %llu, failed %llu\n", o->dry_run ? "file" : "topic",
            o->dry_run ? o->dry_run : o->topic, (unsigned long long)stats->produced,
            (unsigned long long)stats->delivered, (unsigned long long)stats->failed);
    tally_print(f, "by kind", &r->kinds);
    tally_print(f, "by intended outcome", &r->outcomes);
    tally_print(f, "injected faults and edge cases", &r->faults);
    tally_print(f, o->enroll_mode ? "valid enrollment events by managing unit" : "claims by liability",
                &r->units);

    bool delivered_all = close_st == FM_OK && stats->failed == 0 && stats->delivered == stats->produced;
    if (!delivered_all)
        fprintf(f, "famins-wavegen: NOT DELIVERED: %llu of %llu events failed or were not confirmed (%s)\n",
                (unsigned long long)(stats->produced - stats->delivered), (unsigned long long)stats->produced,
                stats->first_error[0] ? stats->first_error : fm_status_name(close_st));
    return delivered_all;
}

/* Generates the wave (enroll), or the claims of the policies read from pol_in or of the wave rebuilt from its
 * seed (households, not sent), emitting every message through emit into r. *done_units counts households or
 * policies done. The first failure stops it: FM_EIO (a policies file), or the generator's status (err). */
static fm_status generate(const options *o, wg_enroll *gen, wg_claims *claims, FILE *pol_in, FILE *pol_out,
                          run *r, const fm_logger *lg, wg_progress *prog, uint64_t *done_units, fm_error *err)
{
    fm_status gen_st = FM_OK;
    char *line = NULL;
    size_t line_cap = 0;
    if (o->enroll_mode) {
        wg_progress_start(prog, stderr, lg, o->households, "households", o->quiet);
        for (uint64_t i = 0; i < o->households && !stop_requested; i++) {
            char *pol = NULL;
            gen_st = wg_enroll_household(gen, i, emit, r, pol_out ? &pol : NULL);
            if (gen_st == FM_OK && pol != NULL && (fputs(pol, pol_out) == EOF || fputc('\n', pol_out) == EOF))
                gen_st = FM_EIO;
            free(pol);
            if (gen_st != FM_OK)
                break;
            *done_units = i + 1;
            wg_progress_update(prog, *done_units, r->events, false);
        }
    } else if (o->policies_in == NULL) { /* the wave rebuilt, not sent: only its households' policies */
        wg_progress_start(prog, stderr, lg, o->households, "households", o->quiet);
        for (uint64_t i = 0; i < o->households && !stop_requested; i++) {
            char *pol = NULL;
            gen_st = wg_enroll_household(gen, i, discard, NULL, &pol);
            if (gen_st == FM_OK && pol != NULL)
                gen_st = wg_claims_policy(claims, pol, strlen(pol), emit, r, err);
            free(pol);
            if (gen_st != FM_OK)
                break;
            *done_units = i + 1;
            wg_progress_update(prog, *done_units, r->events, false);
        }
    } else {
        wg_progress_start(prog, stderr, lg, 0, "policies", o->quiet);
        ssize_t n;
        while (!stop_requested && (n = getline(&line, &line_cap, pol_in)) > 0) {
            gen_st = wg_claims_policy(claims, line, (size_t)n, emit, r, err);
            if (gen_st != FM_OK)
                break;
            (*done_units)++;
            wg_progress_update(prog, *done_units, r->events, false);
        }
    }
    free(line);
    return gen_st;
}

int main(int argc, char **argv)
{
    options o;
    int parsed = parse_options(argc, argv, &o);
    if (parsed >= 0)
        return parsed;
    fm_settings *settings = NULL;
    fm_error serr = {0};
    if (fm_settings_load(settings_defs, N_SETTINGS, NULL, NULL, &settings, &serr) != FM_OK) {
        fprintf(stderr, "famins-wavegen: %s: %s\n", serr.path, serr.text);
        return 2;
    }
    fm_logger lg;
    if (fm_logger_init(&lg, "wavegen", fm_settings_str(settings, "FAMINS_LOG_LEVEL"),
                       fm_settings_str(settings, "FAMINS_LOG_FORMAT"), stderr, &serr) != FM_OK) {
        fprintf(stderr, "famins-wavegen: %s: %s\n", serr.path, serr.text);
        fm_settings_free(settings);
        return 2;
    }
    if (o.plan_dir == NULL)
        o.plan_dir = fm_settings_str(settings, "FAMINS_PLAN_DIR");
    if (o.max_bytes == 0)
        o.max_bytes = (uint64_t)fm_settings_int(settings, "FAMINS_MAX_MESSAGE_BYTES");
    /* claims: from a policies file, or from the wave rebuilt from its seed and options (--households) */
    bool from_wave = !o.enroll_mode && o.policies_in == NULL && o.households > 0;
    if ((o.enroll_mode && o.households == 0) || (!o.enroll_mode && o.policies_in == NULL && !from_wave) ||
        (!o.enroll_mode && o.policies_in != NULL && o.households > 0)) {
        usage(stderr);
        fm_settings_free(settings);
        return 2;
    }

    fm_error err = {0};
    int exit_code = 1;
    wg_plan *plan = calloc(1, sizeof *plan);
    wg_places *places = calloc(1, sizeof *places);
    wg_enroll *gen = NULL;
    wg_policy_terms terms; /* issue 16: the plan's policy_changes; outlives gen, which points to it */
    wg_claims *claims = NULL;
    run *r = calloc(1, sizeof *r);
    FILE *pol_out = NULL, *pol_in = NULL;
    if (plan == NULL || places == NULL || r == NULL)
        goto done;
    char places_dir[4096], default_places[sizeof places_dir + 64];
    if (o.places_path == NULL) {
        /* Not found: the folder looked in stays in the path, so the error below names it. */
        (void)fm_paths_data_dir("places", places_dir, sizeof places_dir, NULL);
        snprintf(default_places, sizeof default_places, "%s/xian-managing-units.json", places_dir);
        o.places_path = default_places;
    }
    fm_status st = wg_plan_load(o.plan_dir, (int)o.plan_year, plan, &err);
    if (st != FM_OK) {
        fprintf(stderr, "famins-wavegen: cannot read the plan of %d from %s: %s %s (%s)\n", (int)o.plan_year,
                o.plan_dir, err.path, err.code, err.text);
        goto done;
    }
    if (o.enroll_mode || from_wave) {
        st = wg_places_load(o.places_path, places, &err);
        if (st != FM_OK) {
            fprintf(stderr, "famins-wavegen: cannot read the population table %s: %s %s (%s)\n",
                    o.places_path, err.path, err.code, err.text);
            goto done;
        }
        int not_offered = (int)o.plan_year - 1; /* the nearest earlier year without a plan file */
        wg_plan probe;
        while (not_offered > 1990 && wg_plan_load(o.plan_dir, not_offered, &probe, NULL) != FM_ENOTFOUND)
            not_offered--;
        wg_enroll_config cfg = {.seed = o.seed,
                                .plan = plan,
                                .places = places,
                                .not_offered_year = not_offered,
                                .max_message_bytes = (size_t)o.max_bytes,
                                .producer = "famins-wavegen",
                                .shares = o.shares};
        if (o.shares.policy > 0 &&
            (st = wg_policy_terms_load(o.plan_dir, (int)o.plan_year, &terms, &err)) != FM_OK) {
            fprintf(stderr, "famins-wavegen: %s %s: %s\n", err.path, err.code, err.text);
            goto done;
        }
        cfg.policy_terms = o.shares.policy > 0 ? &terms : NULL;
        if ((st = wg_enroll_new(&cfg, &gen, &err)) != FM_OK) {
            fprintf(stderr, "famins-wavegen: %s %s: %s\n", err.path, err.code, err.text);
            goto done;
        }
    }
    if (!o.enroll_mode && !from_wave) {
        pol_in = fopen(o.policies_in, "r");
        if (pol_in == NULL) {
            fprintf(stderr, "famins-wavegen: cannot open the policies file %s: %s\n", o.policies_in,
                    strerror(errno));
            goto done;
        }
    }
    if (!o.enroll_mode) {
        if (o.claim_unreadable + o.claim_resend > 1) {
            fprintf(stderr, "famins-wavegen: the claim fault shares add up to more than 1\n");
            goto done;
        }
        wg_claims_config cc = {.seed = o.seed,
                               .plan = plan,
                               .producer = "famins-wavegen",
                               .scale = o.claim_scale,
                               .unreadable = o.claim_unreadable,
                               .resend = o.claim_resend,
                               .max_message_bytes = (size_t)o.max_bytes,
                               .life = &o.life,
                               .payments = o.payments};
        if ((st = wg_claims_new(&cc, &claims, &err)) != FM_OK) {
            fprintf(stderr, "famins-wavegen: %s %s: %s\n", err.path, err.code, err.text);
            goto done;
        }
    }

    char topic_buf[512];
    if (!open_output(&o, settings, &lg, r, topic_buf, sizeof topic_buf))
        goto done;
    if (o.labels_path != NULL && (r->labels = fopen(o.labels_path, "w")) == NULL) {
        fprintf(stderr, "famins-wavegen: cannot write labels to %s: %s\n", o.labels_path, strerror(errno));
        goto done;
    }
    if (o.policies_out != NULL && (pol_out = fopen(o.policies_out, "w")) == NULL) {
        fprintf(stderr, "famins-wavegen: cannot write policies to %s: %s\n", o.policies_out, strerror(errno));
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    r->rate = o.rate;
    r->started = wg_now();
    wg_progress prog;
    uint64_t done_units = 0;
    fm_status gen_st = generate(&o, gen, claims, pol_in, pol_out, r, &lg, &prog, &done_units, &err);
    wg_progress_finish(&prog, done_units, r->events);
    if (gen_st != FM_OK)
        fm_log(&lg, FM_LOG_ERROR, "generation_stopped", "status=%s detail=\"%s %s\"", fm_status_name(gen_st),
               err.code, err.text);
    if (stop_requested)
        fm_log(&lg, FM_LOG_WARN, "interrupted", "%s_done=%llu", prog.unit, (unsigned long long)done_units);

    wg_sink_stats stats;
    fm_status close_st = wg_sink_close(r->sink, (int)o.flush_ms, &stats);
    r->sink = NULL;
    double elapsed = wg_now() - r->started;
    bool labels_ok = r->labels == NULL || (fflush(r->labels) == 0 && !ferror(r->labels));
    bool pol_ok = pol_out == NULL || (fflush(pol_out) == 0 && !ferror(pol_out));

    bool delivered_all = summarize(&o, r, &stats, close_st, done_units, prog.unit, elapsed);
    exit_code = delivered_all && gen_st == FM_OK && !stop_requested && labels_ok && pol_ok ? 0 : 1;

done:
    if (r != NULL) {
        if (r->sink != NULL)
            wg_sink_close(r->sink, 0, NULL);
        if (r->labels != NULL)
            fclose(r->labels);
    }
    if (pol_out != NULL)
        fclose(pol_out);
    if (pol_in != NULL)
        fclose(pol_in);
    wg_enroll_free(gen);
    wg_claims_free(claims);
    free(r);
    free(places);
    free(plan);
    fm_settings_free(settings);
    return exit_code;
}
