/* admin_ops_args.c — the command lines of famins-admin's operator commands, parsed into a request. */
#include "admin_ops_args.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct verb_def {
    admin_op_noun noun;
    const char *verb;
    admin_op_kind kind;
} verb_def;

static const verb_def verbs[] = {
    {ADMIN_NOUN_DEAD_LETTERS, "list", ADMIN_OP_DL_LIST},
    {ADMIN_NOUN_DEAD_LETTERS, "replay", ADMIN_OP_DL_REPLAY},
    {ADMIN_NOUN_DEAD_LETTERS, "discard", ADMIN_OP_DL_DISCARD},
    {ADMIN_NOUN_ALARMS, "list", ADMIN_OP_ALARMS_LIST},
    {ADMIN_NOUN_ALARMS, "resolve", ADMIN_OP_ALARMS_RESOLVE},
    {ADMIN_NOUN_OUTBOX, "backlog", ADMIN_OP_OUTBOX_BACKLOG},
    {ADMIN_NOUN_OUTBOX, "parked", ADMIN_OP_OUTBOX_PARKED},
    {ADMIN_NOUN_OUTBOX, "requeue", ADMIN_OP_OUTBOX_REQUEUE},
    {ADMIN_NOUN_OUTBOX, "discard", ADMIN_OP_OUTBOX_DISCARD},
};

/* Options; each command accepts a subset (the bits below). */
enum {
    OPT_JSON = 1 << 0,
    OPT_ALL = 1 << 1,
    OPT_DRY = 1 << 2,
    OPT_GROUP = 1 << 3,
    OPT_CODE = 1 << 4,
    OPT_STATE = 1 << 5,
    OPT_SINCE = 1 << 6,
    OPT_UNTIL = 1 << 7,
    OPT_OPERATOR = 1 << 8,
    OPT_REASON = 1 << 9,
    OPT_ID = 1 << 10,
    OPT_MOVE = 1 << 11,
    OPT_EXPECT = 1 << 12,
    OPT_LIMIT = 1 << 13,
    OPT_PARTITIONS = 1 << 14,
};

#define DL_FILTERS (OPT_GROUP | OPT_CODE | OPT_SINCE | OPT_UNTIL | OPT_LIMIT)
#define ACTION (OPT_OPERATOR | OPT_REASON)

static unsigned allowed_options(admin_op_kind kind)
{
    switch (kind) {
    case ADMIN_OP_DL_LIST: return DL_FILTERS | OPT_STATE | OPT_ALL | OPT_JSON | OPT_ID;
    case ADMIN_OP_DL_REPLAY:
    case ADMIN_OP_DL_DISCARD: return DL_FILTERS | OPT_ID | OPT_DRY | ACTION | OPT_JSON;
    case ADMIN_OP_ALARMS_LIST: return OPT_GROUP | OPT_ALL | OPT_JSON | OPT_LIMIT;
    case ADMIN_OP_ALARMS_RESOLVE: return OPT_ID | OPT_MOVE | OPT_EXPECT | ACTION;
    case ADMIN_OP_OUTBOX_BACKLOG: return OPT_JSON | OPT_PARTITIONS;
    case ADMIN_OP_OUTBOX_PARKED: return OPT_ALL | OPT_JSON | OPT_LIMIT;
    case ADMIN_OP_OUTBOX_REQUEUE:
    case ADMIN_OP_OUTBOX_DISCARD: return OPT_ID | ACTION | OPT_JSON;
    case ADMIN_OP_NONE:
    default: return 0;
    }
}

int admin_ops_is_noun(const char *word)
{
    return word != NULL &&
           (strcmp(word, "dead-letters") == 0 || strcmp(word, "alarms") == 0 || strcmp(word, "outbox") == 0);
}

static admin_op_noun noun_of(const char *word)
{
    if (strcmp(word, "dead-letters") == 0)
        return ADMIN_NOUN_DEAD_LETTERS;
    if (strcmp(word, "alarms") == 0)
        return ADMIN_NOUN_ALARMS;
    return ADMIN_NOUN_OUTBOX;
}

static int parse_int64(const char *s, int64_t min, int64_t *out)
{
    if (s == NULL || *s == '\0' || !(isdigit((unsigned char)*s) || *s == '-'))
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min)
        return 0;
    *out = v;
    return 1;
}

fm_status admin_ops_add_ids(admin_op_request *req, const char *arg, fm_error *err)
{
    const char *p = arg;
    while (1) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char one[24];
        int64_t id = 0;
        if (n == 0 || n >= sizeof one) {
            fm_error_set(err, "--id", "BAD_ID", "--id wants ids (positive integers, comma-separated)");
            return FM_EINVAL;
        }
        memcpy(one, p, n);
        one[n] = '\0';
        if (!parse_int64(one, 1, &id)) {
            fm_error_set(err, "--id", "BAD_ID", "--id '%.24s' is not a positive integer", one);
            return FM_EINVAL;
        }
        if (req->id_count == ADMIN_OPS_MAX_IDS) {
            fm_error_set(err, "--id", "TOO_MANY_IDS", "at most %d ids; select more with a filter",
                         ADMIN_OPS_MAX_IDS);
            return FM_EINVAL;
        }
        req->ids[req->id_count++] = id;
        if (comma == NULL)
            return FM_OK;
        p = comma + 1;
    }
}

fm_status admin_ops_ids_literal(const admin_op_request *req, char *buf, size_t len, fm_error *err)
{
    size_t used = 0;
    for (size_t i = 0; i <= req->id_count; i++) {
        const char *lead = i == 0 ? "{" : ",";
        int n = i < req->id_count ? snprintf(buf + used, len - used, "%s%" PRId64, lead, req->ids[i])
                                  : snprintf(buf + used, len - used, "%s}", i == 0 ? "{" : "");
        if (n < 0 || (size_t)n >= len - used) {
            fm_error_set(err, "--id", "TOO_LONG", "the id list does not fit");
            return FM_EINVAL;
        }
        used += (size_t)n;
    }
    return FM_OK;
}

/* "YYYY-MM-DD" then anything of [0-9 T:.Z+-]: a date or date-time for PostgreSQL to read. */
static int iso_like(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof shape - 1; i++) {
        if (s[i] == '\0')
            return 0;
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    for (const char *p = s + sizeof shape - 1; *p; p++)
        if (!isdigit((unsigned char)*p) && strchr(" T:.Z+-", *p) == NULL)
            return 0;
    return 1;
}

fm_status admin_ops_time_arg(const char *arg, time_t now, char *out, size_t len, fm_error *err)
{
    size_t n = arg ? strlen(arg) : 0;
    if (n >= 2 && n < 12 && strchr("smhd", arg[n - 1]) != NULL) {
        char digits[16];
        memcpy(digits, arg, n - 1);
        digits[n - 1] = '\0';
        int64_t v = 0;
        if (parse_int64(digits, 0, &v) && v <= 36500LL * 86400) {
            int64_t unit = arg[n - 1] == 's' ? 1 : arg[n - 1] == 'm' ? 60 : arg[n - 1] == 'h' ? 3600 : 86400;
            if (v <= 36500LL * 86400 / unit) {
                time_t t = now - (time_t)(v * unit);
                struct tm tm;
                if (gmtime_r(&t, &tm) != NULL && strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
                    return FM_OK;
            }
        }
    } else if (n >= 10 && n < len && iso_like(arg)) {
        memcpy(out, arg, n + 1);
        return FM_OK;
    }
    fm_error_set(err, "time", "BAD_TIME",
                 "'%.40s' is not a time: use 30m, 2h, 7d (before now) or 2026-12-01[T08:00:00Z]",
                 arg ? arg : "");
    return FM_EINVAL;
}

typedef struct option_def {
    const char *name;
    unsigned bit;
    int takes_value;
} option_def;

static const option_def options[] = {
    {"--json", OPT_JSON, 0},     {"--all", OPT_ALL, 0},     {"--dry-run", OPT_DRY, 0},
    {"--group", OPT_GROUP, 1},   {"--code", OPT_CODE, 1},   {"--state", OPT_STATE, 1},
    {"--since", OPT_SINCE, 1},   {"--until", OPT_UNTIL, 1}, {"--operator", OPT_OPERATOR, 1},
    {"--reason", OPT_REASON, 1}, {"--id", OPT_ID, 1},       {"--move-to", OPT_MOVE, 1},
    {"--expect", OPT_EXPECT, 1}, {"--limit", OPT_LIMIT, 1}, {"--partitions", OPT_PARTITIONS, 0},
};

static const option_def *find_option(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int is_version(const char *a)
{
    return strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0;
}

/* --help or --version, whichever comes first, as fm_cli does. */
static void ask(admin_op_request *req, const char *a)
{
    if (!req->help && !req->version) {
        req->help = is_help(a);
        req->version = is_version(a);
    }
}

static fm_status set_value(admin_op_request *req, const option_def *opt, const char *value, time_t now,
                           fm_error *err)
{
    int64_t v = 0;
    switch (opt->bit) {
    case OPT_GROUP: req->group = value; break;
    case OPT_CODE: req->code = value; break;
    case OPT_STATE:
        if (strcmp(value, "open") != 0 && strcmp(value, "replayed") != 0 && strcmp(value, "discarded") != 0 &&
            strcmp(value, "all") != 0) {
            fm_error_set(err, "--state", "BAD_STATE", "--state is open, replayed, discarded or all");
            return FM_EINVAL;
        }
        req->state = value;
        break;
    case OPT_SINCE: return admin_ops_time_arg(value, now, req->since, sizeof req->since, err);
    case OPT_UNTIL: return admin_ops_time_arg(value, now, req->until, sizeof req->until, err);
    case OPT_OPERATOR:
        if (value[0] == '\0' || strlen(value) > 128) {
            fm_error_set(err, "--operator", "BAD_OPERATOR", "--operator wants a name of 1 to 128 characters");
            return FM_EINVAL;
        }
        req->operator_name = value;
        break;
    case OPT_REASON:
        if (strlen(value) > 1000) {
            fm_error_set(err, "--reason", "BAD_REASON", "--reason is at most 1000 characters");
            return FM_EINVAL;
        }
        req->reason = value;
        break;
    case OPT_ID: return admin_ops_add_ids(req, value, err);
    case OPT_MOVE:
    case OPT_EXPECT:
        if (!parse_int64(value, 0, &v)) {
            fm_error_set(err, opt->name, "BAD_OFFSET", "%s wants an offset (0 or more)", opt->name);
            return FM_EINVAL;
        }
        if (opt->bit == OPT_MOVE) {
            req->move_to = v;
            req->has_move_to = 1;
        } else {
            req->expect = v;
            req->has_expect = 1;
        }
        break;
    case OPT_LIMIT:
        if (!parse_int64(value, 1, &v) || v > ADMIN_OPS_MAX_LIMIT) {
            fm_error_set(err, "--limit", "BAD_LIMIT", "--limit is 1 to %d", ADMIN_OPS_MAX_LIMIT);
            return FM_EINVAL;
        }
        req->limit = (long)v;
        break;
    default: break;
    }
    return FM_OK;
}

/* What a command needs beyond its options' own checks. */
static fm_status check_request(const admin_op_request *req, unsigned seen, fm_error *err)
{
    int filtered = (seen & (OPT_GROUP | OPT_CODE | OPT_SINCE | OPT_UNTIL)) != 0;
    switch (req->kind) {
    case ADMIN_OP_DL_REPLAY:
    case ADMIN_OP_DL_DISCARD:
        if (req->id_count == 0 && !filtered) {
            fm_error_set(err, "", "NO_SELECTION",
                         "say which dead letters: --id, or a filter (--group, --code, --since, --until)");
            return FM_EINVAL;
        }
        if (req->id_count > 0 && (filtered || (seen & OPT_LIMIT))) {
            fm_error_set(err, "", "ID_AND_FILTER", "--id or a filter, not both");
            return FM_EINVAL;
        }
        break;
    case ADMIN_OP_ALARMS_RESOLVE:
        if (req->id_count != 1) {
            fm_error_set(err, "--id", "ONE_ALARM", "alarms resolve wants exactly one --id");
            return FM_EINVAL;
        }
        if (req->has_expect && !req->has_move_to) {
            fm_error_set(err, "--expect", "EXPECT_WITHOUT_MOVE", "--expect goes with --move-to");
            return FM_EINVAL;
        }
        break;
    case ADMIN_OP_OUTBOX_REQUEUE:
    case ADMIN_OP_OUTBOX_DISCARD:
        if (req->id_count == 0) {
            fm_error_set(err, "--id", "NO_SELECTION", "say which parked rows: --id");
            return FM_EINVAL;
        }
        break;
    case ADMIN_OP_DL_LIST:
        if ((seen & OPT_ALL) && (seen & OPT_STATE)) {
            fm_error_set(err, "--all", "ALL_AND_STATE", "--all or --state, not both");
            return FM_EINVAL;
        }
        break;
    default: break;
    }
    if ((req->kind == ADMIN_OP_DL_DISCARD || req->kind == ADMIN_OP_OUTBOX_DISCARD) && !req->dry_run &&
        (req->reason == NULL || req->reason[0] == '\0')) {
        fm_error_set(err, "--reason", "REASON_REQUIRED", "a discard needs --reason TEXT");
        return FM_EINVAL;
    }
    return FM_OK;
}

fm_status admin_ops_parse(int argc, char *const argv[], time_t now, admin_op_request *out, fm_error *err)
{
    memset(out, 0, sizeof *out);
    out->limit = ADMIN_OPS_DEFAULT_LIMIT;
    if (argc < 2 || !admin_ops_is_noun(argv[1])) {
        fm_error_set(err, "", "UNKNOWN_COMMAND", "unknown command '%.64s'", argc >= 2 ? argv[1] : "");
        return FM_EINVAL;
    }
    out->noun = noun_of(argv[1]);
    if (argc < 3 || argv[2][0] == '-') {
        /* "famins-admin alarms --help": the noun's usage; anything else without a verb is misuse. */
        if (argc == 3 && (is_help(argv[2]) || is_version(argv[2]))) {
            ask(out, argv[2]);
            return FM_OK;
        }
        fm_error_set(err, "", "NO_VERB", "%s wants a command (see %s --help)", argv[1], argv[1]);
        return FM_EINVAL;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (verbs[i].noun == out->noun && strcmp(verbs[i].verb, argv[2]) == 0)
            out->kind = verbs[i].kind;
    if (out->kind == ADMIN_OP_NONE) {
        fm_error_set(err, "", "UNKNOWN_COMMAND", "unknown command '%.32s %.32s'", argv[1], argv[2]);
        return FM_EINVAL;
    }
    /* --help anywhere wins over everything else but an unknown option (checked below, as fm_cli does). */
    unsigned allowed = allowed_options(out->kind), seen = 0;
    for (int i = 3; i < argc; i++)
        ask(out, argv[i]);
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a) || is_version(a)) {
            ask(out, a);
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            fm_error_set(err, "", "STRAY_ARGUMENT", "unexpected argument '%.64s'", a);
            return FM_EINVAL;
        }
        const char *eq = strchr(a, '=');
        const option_def *opt = find_option(a, eq ? (size_t)(eq - a) : strlen(a));
        if (opt == NULL || !(allowed & opt->bit)) {
            fm_error_set(err, "", "UNKNOWN_OPTION", "unknown option '%.64s'", a);
            return FM_EINVAL;
        }
        if (out->help || out->version) {
            i += opt->takes_value && eq == NULL; /* its value, unread */
            continue;
        }
        if ((seen & opt->bit) && opt->bit != OPT_ID) {
            fm_error_set(err, opt->name, "REPEATED", "%s given twice", opt->name);
            return FM_EINVAL;
        }
        seen |= opt->bit;
        const char *value = NULL;
        if (opt->takes_value) {
            if (eq != NULL)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fm_error_set(err, opt->name, "NO_VALUE", "%s wants a value", opt->name);
                return FM_EINVAL;
            }
        } else if (eq != NULL) {
            fm_error_set(err, opt->name, "NO_VALUE_WANTED", "%s takes no value", opt->name);
            return FM_EINVAL;
        }
        if (opt->bit == OPT_JSON)
            out->json = 1;
        else if (opt->bit == OPT_ALL)
            out->all = 1;
        else if (opt->bit == OPT_DRY)
            out->dry_run = 1;
        else if (opt->bit == OPT_PARTITIONS)
            out->by_partition = 1;
        else if (set_value(out, opt, value, now, err) != FM_OK)
            return FM_EINVAL;
    }
    if (out->help || out->version)
        return FM_OK;
    return check_request(out, seen, err);
}

/* ---- usage ------------------------------------------------------------------------------------------------
 */

static const char *const dl_usage =
    "Usage: famins-admin dead-letters list [--group G] [--code C] [--since T] [--until T]\n"
    "                                      [--state open|replayed|discarded|all | --all] [--id N] [--limit "
    "N] "
    "[--json]\n"
    "       famins-admin dead-letters replay (--id N[,N...] | FILTERS) [--dry-run] [--operator NAME] "
    "[--reason TEXT]\n"
    "       famins-admin dead-letters discard (--id N[,N...] | FILTERS) --reason TEXT [--dry-run] "
    "[--operator NAME]\n"
    "  list     dead letters (default: open ones, newest first, at most --limit 1000): id, group, source\n"
    "           topic/partition/offset, code, the reason text, the raw message's size and whether it is "
    "kept.\n"
    "           Never the message itself or its key (personal data); --json prints a JSON array.\n"
    "  replay   once the cause is fixed (a constraint relaxed, a worker upgraded): each selected OPEN dead\n"
    "           letter goes back to its source topic with its original key and raw message and the header\n"
    "           famins-replay=<id>, through the outbox (the relay publishes it), in one transaction with "
    "its\n"
    "           state 'replayed' and the audit row. The worker then decides it like any other message, by "
    "its\n"
    "           event id: a dead letter never entered famins.processed_events, so the replay is applied "
    "once;\n"
    "           a second copy of it (relay re-send) is a duplicate. A dead letter already replayed or\n"
    "           discarded, or whose raw message was erased, is left alone (outcome printed): replaying "
    "twice\n"
    "           does nothing the second time. A replay that still fails becomes a new dead letter.\n"
    "  discard  marks the selected open dead letters 'discarded' and erases their raw messages, audited "
    "with\n"
    "           the reason (e.g. the producer re-sent a corrected message).\n"
    "  FILTERS  --group G, --code C (e.g. WRITE_REJECTED), --since T, --until T (received_at; T is 30m, 2h,\n"
    "           7d before now, or 2026-12-01[T08:00:00Z]); replay/discard select open dead letters only, in "
    "id\n"
    "           order, at most --limit (1000). --dry-run lists the selection and changes nothing.\n"
    "  --operator NAME  your name, recorded in famins.operator_audit beside the database role\n"
    "                   (default: FAMINS_OPERATOR_NAME)\n";

static const char *const alarms_usage =
    "Usage: famins-admin alarms list [--group G] [--all] [--limit N] [--json]\n"
    "       famins-admin alarms resolve --id N [--move-to OFFSET [--expect OFFSET]] [--operator NAME] "
    "[--reason TEXT]\n"
    "  list     open alarms (--all: resolved ones too): id, group, topic, partition, kind, stored offset,\n"
    "           low/high watermark when raised, detail. Kinds: POSITION_BELOW_LOW_WATERMARK,\n"
    "           POSITION_ABOVE_HIGH_WATERMARK, POSITION_OUT_OF_RANGE (a worker stopped that partition),\n"
    "           OUTBOX_ROW_PARKED (group famins-relay: see famins-admin outbox parked).\n"
    "  resolve  marks the alarm resolved, audited. With --move-to, in the same transaction, the partition's\n"
    "           stored position (famins.consumer_positions) moves to OFFSET as a fenced compare-and-set: "
    "only\n"
    "           if it still is --expect OFFSET (default: the alarm's stored offset), else nothing changes\n"
    "           (exit 4: look again). Rules that keep exactly-once:\n"
    "           - a worker never applies a batch across the move: its own compare-and-set fails and it\n"
    "             re-reads the position; still, move a partition while its group's workers are stopped or "
    "the\n"
    "             partition is stopped by the alarm (it is: the worker does not consume it);\n"
    "           - moving FORWARD skips the messages in between for this group for good (use it for messages\n"
    "             Kafka no longer holds: the low watermark, or the high watermark after a topic "
    "re-creation);\n"
    "           - moving BACK re-reads messages: those still in famins.processed_events are duplicates and\n"
    "             ignored; older than the deduplication window they would be decided again, so don't;\n"
    "           - choose OFFSET between the partition's low and high watermark (kafka-get-offsets.sh --time "
    "-2 / -1).\n"
    "           A stopped partition is consumed again after its workers restart (or rebalance).\n";

static const char *const outbox_usage =
    "Usage: famins-admin outbox backlog [--partitions] [--json]\n"
    "       famins-admin outbox parked [--all] [--limit N] [--json]\n"
    "       famins-admin outbox requeue --id N[,N...] [--operator NAME] [--reason TEXT]\n"
    "       famins-admin outbox discard --id N[,N...] --reason TEXT [--operator NAME]\n"
    "  backlog  per topic: unsent rows, the oldest one's age in seconds, rows with failed deliveries, "
    "parked\n"
    "           rows. --partitions: per topic and partition instead, the partition being the one the "
    "relay's\n"
    "           producer will choose (murmur2 of the key, the topic's partition count from Kafka; '-' for "
    "rows\n"
    "           without a key, which go to a random partition)\n"
    "  parked   rows the relay parked after FAMINS_RELAY_PARK_AFTER failed deliveries (--all: handled ones\n"
    "           too): id, topic, size, attempts, the last error. Never the payload or key.\n"
    "  requeue  puts parked rows back into the outbox as new rows (after whatever is queued now: a parked\n"
    "           row loses its place in its key's order) once the cause is fixed; discard drops them with a\n"
    "           reason. Both erase the parked copy and, when no row of its topic is parked any more, "
    "resolve\n"
    "           the topic's OUTBOX_ROW_PARKED alarm; audited.\n";

void admin_ops_usage(FILE *out, admin_op_noun noun, admin_op_kind kind)
{
    (void)kind; /* one text per noun: a command's options are best read beside its siblings' */
    fputs(noun == ADMIN_NOUN_DEAD_LETTERS ? dl_usage
          : noun == ADMIN_NOUN_ALARMS     ? alarms_usage
                                          : outbox_usage,
          out);
    fputs("Runs as famins_operator: FAMINS_OPERATOR_PG_DSN, else FAMINS_PG_DSN with user=famins_operator.\n"
          "Exit: 0 done, 1 failed, 2 wrong usage or configuration, 4 refused by the state found (alarm "
          "unknown\n"
          "or resolved, position not the expected one).\n",
          out);
}

void admin_ops_usage_summary(FILE *out)
{
    fputs("Operator commands (as famins_operator, every change audited in famins.operator_audit; each has "
          "--help):\n"
          "  dead-letters list|replay|discard   look at, replay or discard dead letters\n"
          "  alarms list|resolve                partition and relay alarms; resolve, moving a position\n"
          "  outbox backlog|parked|requeue|discard  the unsent outbox; parked poison rows\n",
          out);
}
