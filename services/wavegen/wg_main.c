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
        "\n"
        "claims options:\n"
        "  --policies FILE          policies written by enroll --policies-out, or instead:\n"
        "  --households N           rebuild the wave of N households from --seed and the enroll options\n"
        "                           (no file of identity numbers needed; the same options as the wave's)\n"
        "  --claim-rate-scale X     multiply every incidence by X (default 1)\n"
        "  --claim-unreadable-share X  default 0.005  claims sent unreadable (the five kinds)\n"
        "  --claim-resend-share X   default 0.005  claims sent twice, byte for byte\n"
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
    O_CLAIM_SCALE,
    O_CREATE_TOPIC,
    O_CLAIM_UNREADABLE,
    O_CLAIM_RESEND,
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

int main(int argc, char **argv)
{
    char text[160];
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
    const char *mode = argv[1];
    bool enroll_mode = strcmp(mode, "enroll") == 0;
    if (!enroll_mode && strcmp(mode, "claims") != 0) {
        if (mode[0] == '-' && mode[1] != '\0')
            snprintf(text, sizeof text, "unknown option '%.64s'", mode);
        else
            snprintf(text, sizeof text, "unknown mode '%.64s' (enroll | claims)", mode);
        fm_cli_print_usage_error(stderr, "famins-wavegen", text);
        return 2;
    }

    /* The options are parsed before the settings are read, so that a wrong line fails alone; the options
     * whose defaults are settings (plan dir, message size) stay unset (NULL, 0) until then. */
    uint64_t create_partitions = 0;
    uint64_t seed = 1, households = 0, plan_year = 2026, flush_ms = 60000;
    uint64_t max_bytes = 0;
    double rate = 0, claim_scale = 1.0, claim_unreadable = 0.005, claim_resend = 0.005;
    const char *dry_run = NULL, *labels_path = NULL, *places_path = NULL;
    const char *plan_dir = NULL;
    const char *policies_out = NULL, *policies_in = NULL, *topic = NULL, *bootstrap = NULL;
    bool quiet = false;
    const char *props[128];
    int n_props = 0;
    wg_enroll_shares shares = wg_enroll_default_shares();

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
        {"claim-rate-scale", required_argument, NULL, O_CLAIM_SCALE},
        {"create-topic", required_argument, NULL, O_CREATE_TOPIC},
        {"claim-unreadable-share", required_argument, NULL, O_CLAIM_UNREADABLE},
        {"claim-resend-share", required_argument, NULL, O_CLAIM_RESEND},
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
        case O_PLAN_YEAR: ok = parse_u64(optarg, &plan_year) && plan_year >= 2000 && plan_year <= 2100; break;
        case O_SEED: ok = parse_u64(optarg, &seed); break;
        case O_RATE: ok = parse_double(optarg, &rate) && rate >= 0; break;
        case O_DRY_RUN: dry_run = optarg; break;
        case O_LABELS: labels_path = optarg; break;
        case O_PLAN_DIR: plan_dir = optarg; break;
        case O_PLACES: places_path = optarg; break;
        case 'b': bootstrap = optarg; break;
        case 't': topic = optarg; break;
        case 'X':
            ok = n_props < 120 && strchr(optarg, '=') != NULL;
            if (ok)
                props[n_props++] = optarg;
            break;
        case O_FLUSH: ok = parse_u64(optarg, &flush_ms) && flush_ms <= 3600000; break;
        case O_QUIET: quiet = true; break;
        case O_HOUSEHOLDS: ok = parse_u64(optarg, &households); break;
        case O_POLICIES_OUT: policies_out = optarg; break;
        case O_POLICIES: policies_in = optarg; break;
        case O_MAX_BYTES:
            ok = parse_u64(optarg, &max_bytes) && max_bytes >= 1024 && max_bytes <= 900000;
            break;
        case O_UNREADABLE: ok = parse_double(optarg, &shares.unreadable); break;
        case O_RESEND: ok = parse_double(optarg, &shares.resend); break;
        case O_CONFLICT: ok = parse_double(optarg, &shares.conflict); break;
        case O_INELIGIBLE: ok = parse_double(optarg, &shares.ineligible); break;
        case O_TWO: ok = parse_double(optarg, &shares.two_reasons); break;
        case O_SHARED: ok = parse_double(optarg, &shares.shared_person); break;
        case O_OVER_AGE: ok = parse_double(optarg, &shares.over_age); break;
        case O_CLAIM_UNREADABLE:
            ok = parse_double(optarg, &claim_unreadable) && claim_unreadable >= 0 && claim_unreadable <= 1;
            break;
        case O_CLAIM_RESEND:
            ok = parse_double(optarg, &claim_resend) && claim_resend >= 0 && claim_resend <= 1;
            break;
        case O_CLAIM_SCALE: ok = parse_double(optarg, &claim_scale) && claim_scale >= 0; break;
        case O_CREATE_TOPIC:
            ok =
                parse_u64(optarg, &create_partitions) && create_partitions >= 1 && create_partitions <= 10000;
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
    if (plan_dir == NULL)
        plan_dir = fm_settings_str(settings, "FAMINS_PLAN_DIR");
    if (max_bytes == 0)
        max_bytes = (uint64_t)fm_settings_int(settings, "FAMINS_MAX_MESSAGE_BYTES");
    /* claims: from a policies file, or from the wave rebuilt from its seed and options (--households) */
    bool from_wave = !enroll_mode && policies_in == NULL && households > 0;
    if ((enroll_mode && households == 0) ||
        (!enroll_mode && policies_in == NULL && !from_wave) ||
        (!enroll_mode && policies_in != NULL && households > 0)) {
        usage(stderr);
        fm_settings_free(settings);
        return 2;
    }

    fm_error err = {0};
    int exit_code = 1;
    wg_plan *plan = calloc(1, sizeof *plan);
    wg_places *places = calloc(1, sizeof *places);
    wg_enroll *gen = NULL;
    wg_claims *claims = NULL;
    run *r = calloc(1, sizeof *r);
    FILE *pol_out = NULL, *pol_in = NULL;
    char *line = NULL;
    size_t line_cap = 0;
    if (plan == NULL || places == NULL || r == NULL)
        goto done;
    char places_dir[4096], default_places[sizeof places_dir + 64];
    if (places_path == NULL) {
        /* Not found: the folder looked in stays in the path, so the error below names it. */
        (void)fm_paths_data_dir("places", places_dir, sizeof places_dir, NULL);
        snprintf(default_places, sizeof default_places, "%s/xian-managing-units.json", places_dir);
        places_path = default_places;
    }
    fm_status st = wg_plan_load(plan_dir, (int)plan_year, plan, &err);
    if (st != FM_OK) {
        fprintf(stderr, "famins-wavegen: cannot read the plan of %d from %s: %s %s (%s)\n", (int)plan_year,
                plan_dir, err.path, err.code, err.text);
        goto done;
    }
    if (enroll_mode || from_wave) {
        st = wg_places_load(places_path, places, &err);
        if (st != FM_OK) {
            fprintf(stderr, "famins-wavegen: cannot read the population table %s: %s %s (%s)\n", places_path,
                    err.path, err.code, err.text);
            goto done;
        }
        int not_offered = (int)plan_year - 1; /* the nearest earlier year without a plan file */
        wg_plan probe;
        while (not_offered > 1990 && wg_plan_load(plan_dir, not_offered, &probe, NULL) != FM_ENOTFOUND)
            not_offered--;
        wg_enroll_config cfg = {.seed = seed,
                                .plan = plan,
                                .places = places,
                                .not_offered_year = not_offered,
                                .max_message_bytes = (size_t)max_bytes,
                                .producer = "famins-wavegen",
                                .shares = shares};
        if ((st = wg_enroll_new(&cfg, &gen, &err)) != FM_OK) {
            fprintf(stderr, "famins-wavegen: %s %s: %s\n", err.path, err.code, err.text);
            goto done;
        }
    }
    if (!enroll_mode && !from_wave) {
        pol_in = fopen(policies_in, "r");
        if (pol_in == NULL) {
            fprintf(stderr, "famins-wavegen: cannot open the policies file %s: %s\n", policies_in,
                    strerror(errno));
            goto done;
        }
    }
    if (!enroll_mode) {
        if (claim_unreadable + claim_resend > 1) {
            fprintf(stderr, "famins-wavegen: the claim fault shares add up to more than 1\n");
            goto done;
        }
        wg_claims_config cc = {.seed = seed,
                               .plan = plan,
                               .producer = "famins-wavegen",
                               .scale = claim_scale,
                               .unreadable = claim_unreadable,
                               .resend = claim_resend,
                               .max_message_bytes = (size_t)max_bytes};
        if ((st = wg_claims_new(&cc, &claims, &err)) != FM_OK) {
            fprintf(stderr, "famins-wavegen: %s %s: %s\n", err.path, err.code, err.text);
            goto done;
        }
    }

    char topic_buf[512];
    if (topic == NULL) {
        if (fm_topic_name(
                fm_settings_str(settings, "FAMINS_TOPIC_PREFIX"),
                fm_topic_base_name(enroll_mode ? FM_TOPIC_ENROLLMENT_SUBMITTED : FM_TOPIC_CLAIM_EVENTS),
                topic_buf, sizeof topic_buf, &err) != FM_OK) {
            fprintf(stderr, "famins-wavegen: FAMINS_TOPIC_PREFIX: %s\n", err.text);
            goto done;
        }
        topic = topic_buf;
    }
    if (dry_run != NULL) {
        st = wg_sink_file_open(dry_run, &r->sink, &err);
    } else {
        rd_kafka_conf_t *base = NULL;
        st = fm_kafka_conf_new(settings, "famins-wavegen", &base, &err);
        if (st == FM_OK) {
            char bs[1024];
            const char *all[130];
            int n_all = 0;
            if (bootstrap != NULL) { /* -b wins over FAMINS_KAFKA_BOOTSTRAP, -X over both */
                snprintf(bs, sizeof bs, "bootstrap.servers=%s", bootstrap);
                all[n_all++] = bs;
            }
            for (int i = 0; i < n_props; i++)
                all[n_all++] = props[i];
            st = wg_sink_kafka_open(topic, base, all, n_all, &lg, &r->sink, &err);
        }
    }
    if (st != FM_OK) {
        fprintf(stderr, "famins-wavegen: cannot open the output: %s %s: %s\n", err.path, err.code, err.text);
        goto done;
    }
    /* Fail fast on a missing topic rather than time out every message; 30 s, as a busy broker opens a new
     * topic's partitions slowly and nothing is produced until every one is online. */
    if (dry_run == NULL) {
        int partitions = 0;
        if (create_partitions > 0 &&
            wg_sink_kafka_create_topic(r->sink, topic, (int)create_partitions, 1, 15000, &err) != FM_OK) {
            fprintf(stderr, "famins-wavegen: cannot create topic %s: %s\n", topic, err.text);
            goto done;
        }
        if (wg_sink_kafka_check_topic(r->sink, 30000, &partitions, &err) != FM_OK) {
            fprintf(stderr, "famins-wavegen: topic %s is not available: %s (%s)%s\n", topic, err.code,
                    err.text, create_partitions ? "" : "; create it, or pass --create-topic PARTITIONS");
            goto done;
        }
        if (!quiet)
            fm_log(&lg, FM_LOG_INFO, "producing", "topic=%s partitions=%d", topic, partitions);
    }
    if (labels_path != NULL && (r->labels = fopen(labels_path, "w")) == NULL) {
        fprintf(stderr, "famins-wavegen: cannot write labels to %s: %s\n", labels_path, strerror(errno));
        goto done;
    }
    if (policies_out != NULL && (pol_out = fopen(policies_out, "w")) == NULL) {
        fprintf(stderr, "famins-wavegen: cannot write policies to %s: %s\n", policies_out, strerror(errno));
        goto done;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    r->rate = rate;
    r->started = wg_now();
    wg_progress prog;
    uint64_t done_units = 0;
    fm_status gen_st = FM_OK;
    if (enroll_mode) {
        wg_progress_start(&prog, stderr, &lg, households, "households", quiet);
        for (uint64_t i = 0; i < households && !stop_requested; i++) {
            char *pol = NULL;
            gen_st = wg_enroll_household(gen, i, emit, r, pol_out ? &pol : NULL);
            if (gen_st == FM_OK && pol != NULL && (fputs(pol, pol_out) == EOF || fputc('\n', pol_out) == EOF))
                gen_st = FM_EIO;
            free(pol);
            if (gen_st != FM_OK)
                break;
            done_units = i + 1;
            wg_progress_update(&prog, done_units, r->events, false);
        }
    } else if (from_wave) { /* the same households, built again and not sent: only their policies */
        wg_progress_start(&prog, stderr, &lg, households, "households", quiet);
        for (uint64_t i = 0; i < households && !stop_requested; i++) {
            char *pol = NULL;
            gen_st = wg_enroll_household(gen, i, discard, NULL, &pol);
            if (gen_st == FM_OK && pol != NULL)
                gen_st = wg_claims_policy(claims, pol, strlen(pol), emit, r, &err);
            free(pol);
            if (gen_st != FM_OK)
                break;
            done_units = i + 1;
            wg_progress_update(&prog, done_units, r->events, false);
        }
    } else {
        wg_progress_start(&prog, stderr, &lg, 0, "policies", quiet);
        ssize_t n;
        while (!stop_requested && (n = getline(&line, &line_cap, pol_in)) > 0) {
            gen_st = wg_claims_policy(claims, line, (size_t)n, emit, r, &err);
            if (gen_st != FM_OK)
                break;
            done_units++;
            wg_progress_update(&prog, done_units, r->events, false);
        }
    }
    wg_progress_finish(&prog, done_units, r->events);
    if (gen_st != FM_OK)
        fm_log(&lg, FM_LOG_ERROR, "generation_stopped", "status=%s detail=\"%s %s\"", fm_status_name(gen_st),
               err.code, err.text);
    if (stop_requested)
        fm_log(&lg, FM_LOG_WARN, "interrupted", "%s_done=%llu", prog.unit, (unsigned long long)done_units);

    wg_sink_stats stats;
    fm_status close_st = wg_sink_close(r->sink, (int)flush_ms, &stats);
    r->sink = NULL;
    double elapsed = wg_now() - r->started;
    bool labels_ok = r->labels == NULL || (fflush(r->labels) == 0 && !ferror(r->labels));
    bool pol_ok = pol_out == NULL || (fflush(pol_out) == 0 && !ferror(pol_out));

    FILE *f = stderr;
    fprintf(f, "famins-wavegen %s summary: %llu %s, %llu events, %.1f MB, %.2f s, %.0f %s/s, %.0f events/s\n",
            mode, (unsigned long long)done_units, prog.unit, (unsigned long long)r->events,
            (double)r->bytes / 1e6, elapsed, elapsed > 0 ? (double)done_units / elapsed : 0, prog.unit,
            elapsed > 0 ? (double)r->events / elapsed : 0);
    fprintf(f, "  output: %s %s: produced %llu, delivered %llu, failed %llu\n", dry_run ? "file" : "topic",
            dry_run ? dry_run : topic, (unsigned long long)stats.produced,
            (unsigned long long)stats.delivered, (unsigned long long)stats.failed);
    tally_print(f, "by kind", &r->kinds);
    tally_print(f, "by intended outcome", &r->outcomes);
    tally_print(f, "injected faults and edge cases", &r->faults);
    tally_print(f, enroll_mode ? "valid enrollment events by managing unit" : "claims by liability",
                &r->units);

    bool delivered_all = close_st == FM_OK && stats.failed == 0 && stats.delivered == stats.produced;
    if (!delivered_all)
        fprintf(f, "famins-wavegen: NOT DELIVERED: %llu of %llu events failed or were not confirmed (%s)\n",
                (unsigned long long)(stats.produced - stats.delivered), (unsigned long long)stats.produced,
                stats.first_error[0] ? stats.first_error : fm_status_name(close_st));
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
    free(line);
    wg_enroll_free(gen);
    wg_claims_free(claims);
    free(r);
    free(places);
    free(plan);
    fm_settings_free(settings);
    return exit_code;
}
