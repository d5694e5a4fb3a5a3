/* fm_kafka.c — Kafka client configuration that passes any librdkafka property through, and topic names. */
#include "fm_kafka.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Configuration errors may be printed, logged and kept: they name the item (its position in the list, or
 * the file and line) and, when it is a well-formed property name, the key. They never quote a value, nor
 * any text that might be one (a malformed item, a key that is not a property name: "s3cret" typed without
 * its key), nor librdkafka's own message, which quotes the refused value ("Invalid value \"...\""). */

int fm_kafka_property_name_ok(const char *key, size_t len)
{
    if (len == 0 || len > FM_KAFKA_PROPERTY_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!(key[i] >= 'a' && key[i] <= 'z') && !(key[i] >= 'A' && key[i] <= 'Z') &&
            !(key[i] >= '0' && key[i] <= '9') && key[i] != '.' && key[i] != '_' && key[i] != '-')
            return 0;
    return 1;
}

/* Sets key (a well-formed name) to value; where names the item in errors. */
static fm_status set_checked(rd_kafka_conf_t *conf, const char *key, const char *value, const char *where,
                             const char *hint, fm_error *err)
{
    char errstr[512];
    rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr);
    if (res == RD_KAFKA_CONF_OK)
        return FM_OK;
    if (res == RD_KAFKA_CONF_UNKNOWN)
        fm_error_set(err, where, "UNKNOWN_KAFKA_PROPERTY", "%s: librdkafka has no property \"%s\"", where,
                     key);
    else
        fm_error_set(err, where, "BAD_KAFKA_VALUE",
                     "%s: librdkafka refused the value of \"%s\" (the value is not shown; its allowed "
                     "values are in librdkafka's CONFIGURATION.md)%s",
                     where, key, hint);
    return FM_ECONFIG;
}

fm_status fm_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, fm_error *err)
{
    if (!fm_kafka_property_name_ok(key, strlen(key))) {
        fm_error_set(err, "", "BAD_KAFKA_PROPERTY", "a Kafka property name is not well-formed (not shown)");
        return FM_ECONFIG;
    }
    return set_checked(conf, key, value, key, "", err);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* The bytes [*begin, *end) without blanks at either end. */
static void trim_span(const char **begin, const char **end)
{
    while (*begin < *end && is_blank(**begin))
        (*begin)++;
    while (*end > *begin && is_blank((*end)[-1]))
        (*end)--;
}

/* Applies one item "key=value" (NUL-terminated, writable): split at its FIRST '=', the key trimmed, the
 * value trimmed only when trim_value (the list form; the file takes it as is). */
static fm_status apply_item(rd_kafka_conf_t *conf, char *item, int trim_value, const char *where,
                            fm_error *err)
{
    char *eq = strchr(item, '=');
    if (eq == NULL) {
        fm_error_set(err, where, "BAD_KAFKA_PROPERTY", "%s is not key=value (it has no '='; not shown)",
                     where);
        return FM_ECONFIG;
    }
    const char *key = item, *key_end = eq;
    trim_span(&key, &key_end);
    if (key == key_end) {
        fm_error_set(err, where, "BAD_KAFKA_PROPERTY", "%s has no property name before its '='", where);
        return FM_ECONFIG;
    }
    if (!fm_kafka_property_name_ok(key, (size_t)(key_end - key))) {
        fm_error_set(err, where, "BAD_KAFKA_PROPERTY",
                     "%s: the text before its first '=' is not a property name (letters, digits, '.', '_' "
                     "and '-'; not shown)",
                     where);
        return FM_ECONFIG;
    }
    *(char *)key_end = '\0';
    const char *value = eq + 1, *value_end = eq + 1 + strlen(eq + 1);
    const char *hint = "";
    if (trim_value) {
        trim_span(&value, &value_end);
        *(char *)value_end = '\0';
    } else if (value < value_end && is_blank(value_end[-1])) {
        /* Says what may be wrong without showing anything of the value (librdkafka itself drops blanks at
         * a value's start, not at its end). */
        hint = "; in a properties file the value is taken as is, blanks at its end included";
    }
    return set_checked(conf, key, value, where, hint, err);
}

size_t fm_kafka_list_item(const char *list, char *out)
{
    const char *p = list;
    while (*p != '\0' && *p != ';') {
        if (*p == '\\' && (p[1] == ';' || p[1] == '\\'))
            p++;
        *out++ = *p++;
    }
    *out = '\0';
    return (size_t)(p - list) + (*p == ';');
}

fm_status fm_kafka_conf_apply_list(rd_kafka_conf_t *conf, const char *list, fm_error *err)
{
    if (list == NULL)
        return FM_OK;
    char *item = malloc(strlen(list) + 1);
    if (item == NULL) {
        fm_error_set(err, "FAMINS_KAFKA_PROPERTIES", "NO_MEMORY",
                     "out of memory reading FAMINS_KAFKA_PROPERTIES");
        return FM_ENOMEM;
    }
    fm_status st = FM_OK;
    int number = 0;
    for (const char *p = list; st == FM_OK && *p != '\0';) {
        p += fm_kafka_list_item(p, item);
        number++;
        const char *b = item, *e = item + strlen(item);
        trim_span(&b, &e);
        if (b == e)
            continue; /* "a=1;;b=2" and a trailing ';' are fine */
        char where[64];
        snprintf(where, sizeof where, "FAMINS_KAFKA_PROPERTIES item %d", number);
        st = apply_item(conf, item, 1, where, err);
    }
    free(item);
    return st;
}

fm_status fm_kafka_conf_apply_file(rd_kafka_conf_t *conf, const char *path, fm_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fm_error_set(err, path, "UNREADABLE", "cannot read Kafka properties file %s", path);
        return FM_EIO;
    }
    /* getline, not a fixed buffer: a long value (an inline PEM, a JAAS line) must never be cut into a
     * second "line" whose text would then be parsed, and reported, as a key. */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long number = 0;
    fm_status st = FM_OK;
    while (st == FM_OK && (n = getline(&line, &cap, f)) != -1) {
        number++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = '\0';
        const char *b = line, *e = line + n;
        trim_span(&b, &e);
        if (b == e || *b == '#')
            continue; /* '#' starts a comment only as a line's first non-blank: in a value it is data */
        char where[300];
        snprintf(where, sizeof where, "%s:%ld", path, number);
        st = apply_item(conf, line, 0, where, err);
    }
    if (st == FM_OK && ferror(f)) {
        fm_error_set(err, path, "UNREADABLE", "cannot read Kafka properties file %s", path);
        st = FM_EIO;
    }
    free(line);
    fclose(f);
    return st;
}

fm_status fm_kafka_conf_new(const fm_settings *settings, const char *client_id, rd_kafka_conf_t **out,
                            fm_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_status st = fm_kafka_conf_set(conf, "bootstrap.servers",
                                     fm_settings_str(settings, "FAMINS_KAFKA_BOOTSTRAP"), err);
    if (st == FM_OK)
        st = fm_kafka_conf_set(conf, "client.id", client_id, err);
    const char *file = fm_settings_str(settings, "FAMINS_KAFKA_PROPERTIES_FILE");
    if (st == FM_OK && file[0] != '\0')
        st = fm_kafka_conf_apply_file(conf, file, err);
    if (st == FM_OK)
        st = fm_kafka_conf_apply_list(conf, fm_settings_str(settings, "FAMINS_KAFKA_PROPERTIES"), err);
    if (st != FM_OK) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    *out = conf;
    return FM_OK;
}

static const char *const topic_names[FM_TOPIC_COUNT] = {
    [FM_TOPIC_ENROLLMENT_SUBMITTED] = "enrollment.submitted",
    [FM_TOPIC_ENROLLMENT_DECIDED] = "enrollment.decided",
    [FM_TOPIC_SUBSIDY_ALLOCATED] = "subsidy.allocated",
    [FM_TOPIC_CLAIM_EVENTS] = "claim.events",
    [FM_TOPIC_CLAIM_DECIDED] = "claim.decided",
    [FM_TOPIC_ENROLLMENT_SUBMITTED_DLQ] = "enrollment.submitted.dlq",
    [FM_TOPIC_ENROLLMENT_DECIDED_DLQ] = "enrollment.decided.dlq",
    [FM_TOPIC_CLAIM_EVENTS_DLQ] = "claim.events.dlq",
    [FM_TOPIC_CLAIM_PAYMENT] = "claim.payment",
};

const char *fm_topic_base_name(fm_topic_id id)
{
    return (id >= 0 && id < FM_TOPIC_COUNT) ? topic_names[id] : "";
}

fm_status fm_topic_name(const char *prefix, const char *base, char *buf, size_t len, fm_error *err)
{
    int n = snprintf(buf, len, "%s%s", prefix ? prefix : "", base);
    if (n <= 0 || (size_t)n >= len || n > 249) {
        fm_error_set(err, "FAMINS_TOPIC_PREFIX", "TOO_LONG", "topic name %s%s is too long", prefix, base);
        return FM_EINVAL;
    }
    for (const char *p = buf; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-') {
            fm_error_set(err, "FAMINS_TOPIC_PREFIX", "BAD_CHARACTER",
                         "topic name \"%s\" may hold only letters, digits, '.', '_' and '-'", buf);
            return FM_EINVAL;
        }
    return FM_OK;
}

void fm_kafka_log_line(const fm_logger *logger, int syslog_level, const char *facility, const char *message)
{
    /* Without a logger: still one masked kv line, on stderr, as librdkafka's own printer would. */
    fm_logger fallback = {.level = FM_LOG_INFO, .format = FM_LOG_KV, .out = stderr, .component = "kafka"};
    /* librdkafka logs conditions it recovers from on its own (a refused connection, all brokers down: it
     * retries) at LOG_ERR: those are warnings of the program, whose own error lines are what it cannot
     * recover from (kafka_fatal_error, relay_round_failed, partition_stopped). emerg, alert and crit stay
     * errors. */
    fm_log_level level = syslog_level <= 2   ? FM_LOG_ERROR
                         : syslog_level <= 4 ? FM_LOG_WARN
                         : syslog_level <= 6 ? FM_LOG_INFO
                                             : FM_LOG_DEBUG;
    fm_log(logger != NULL ? logger : &fallback, level, "kafka_log",
           "facility=%s syslog_level=%d message=\"%s\"", facility != NULL ? facility : "", syslog_level,
           message != NULL ? message : "");
}

/* Called from librdkafka's own threads: it only reads the opaque (rd_kafka_opaque is a plain accessor, no
 * other librdkafka call) and writes one line (fm_log is thread-safe). */
static void on_kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    const fm_kafka_log_ref *ref = rk != NULL ? rd_kafka_opaque(rk) : NULL;
    const fm_logger *logger = ref != NULL && ref->magic == FM_KAFKA_LOG_MAGIC ? ref->logger : NULL;
    fm_kafka_log_line(logger, level, fac, buf);
}

void fm_kafka_conf_log_to(rd_kafka_conf_t *conf, const fm_logger *logger, fm_kafka_log_ref *ref)
{
    ref->magic = FM_KAFKA_LOG_MAGIC;
    ref->logger = logger;
    rd_kafka_conf_set_log_cb(conf, on_kafka_log);
    rd_kafka_conf_set_opaque(conf, ref);
}
