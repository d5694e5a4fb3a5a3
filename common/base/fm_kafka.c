/* fm_kafka.c — Kafka client configuration that passes any librdkafka property through, and topic names. */
#include "fm_kafka.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

fm_status fm_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, fm_error *err)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fm_error_set(err, key, "BAD_KAFKA_PROPERTY", "%s", errstr);
        return FM_ECONFIG;
    }
    return FM_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Applies one "key=value" held in a writable buffer; `where` names it in errors. */
static fm_status apply_pair(rd_kafka_conf_t *conf, char *pair, const char *where, fm_error *err)
{
    char *eq = strchr(pair, '=');
    if (eq == NULL) {
        fm_error_set(err, where, "BAD_KAFKA_PROPERTY", "\"%s\" is not key=value", pair);
        return FM_ECONFIG;
    }
    *eq = '\0';
    char *key = trim(pair);
    char *value = trim(eq + 1);
    if (*key == '\0') {
        fm_error_set(err, where, "BAD_KAFKA_PROPERTY", "empty property name");
        return FM_ECONFIG;
    }
    return fm_kafka_conf_set(conf, key, value, err);
}

fm_status fm_kafka_conf_apply_list(rd_kafka_conf_t *conf, const char *list, fm_error *err)
{
    char *copy = strdup(list ? list : "");
    if (copy == NULL)
        return FM_ENOMEM;
    fm_status st = FM_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ";", &save); item != NULL; item = strtok_r(NULL, ";", &save)) {
        if (*trim(item) == '\0')
            continue;
        st = apply_pair(conf, item, "FAMINS_KAFKA_PROPERTIES", err);
        if (st != FM_OK)
            break;
    }
    free(copy);
    return st;
}

fm_status fm_kafka_conf_apply_file(rd_kafka_conf_t *conf, const char *path, fm_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fm_error_set(err, path, "UNREADABLE", "cannot read Kafka properties file %s", path);
        return FM_EIO;
    }
    char line[4096];
    int number = 0;
    fm_status st = FM_OK;
    while (st == FM_OK && fgets(line, sizeof line, f) != NULL) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        char where[160];
        snprintf(where, sizeof where, "%s:%d", path, number);
        st = apply_pair(conf, text, where, err);
    }
    fclose(f);
    return st;
}

fm_status fm_kafka_conf_new(const fm_settings *settings, const char *client_id, rd_kafka_conf_t **out,
                            fm_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    fm_status st = fm_kafka_conf_set(conf, "bootstrap.servers", fm_settings_str(settings, "FAMINS_KAFKA_BOOTSTRAP"), err);
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
