/* fm_kafka.h — Kafka client configuration that passes any librdkafka property through, and topic names. */
#ifndef FM_KAFKA_H
#define FM_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "fm_error.h"
#include "fm_settings.h"

/* Configuration errors (FM_ECONFIG) name the item ("FAMINS_KAFKA_PROPERTIES item 3", "file:line", and its
 * key when well-formed) in err->path and err->text, and never quote a value: values hold passwords. Codes:
 * BAD_KAFKA_PROPERTY (not key=value, or the key is not a property name), UNKNOWN_KAFKA_PROPERTY,
 * BAD_KAFKA_VALUE (librdkafka refused the value; its message, which quotes the value, is not passed on). */

/* The longest property name fm_kafka_property_name_ok accepts. */
#define FM_KAFKA_PROPERTY_NAME_MAX 128

/* 1 when key[0..len) is a well-formed property name: 1 to FM_KAFKA_PROPERTY_NAME_MAX characters of
 * [A-Za-z0-9._-]. Only such a name is ever quoted in an error or a start-up print. */
int fm_kafka_property_name_ok(const char *key, size_t len);

/* Sets one librdkafka property (key and value chosen by the program); FM_ECONFIG, err->path = key. */
fm_status fm_kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, fm_error *err);

/* Splits the first item off a FAMINS_KAFKA_PROPERTIES list: the text up to the first ';' that is not
 * escaped, with "\;" read as ';' and "\\" as '\' (a backslash before anything else is kept). Writes it,
 * NUL-terminated, into out (which must hold strlen(list) + 1 bytes) and returns how many bytes of list it
 * took, the separating ';' included (0 only for an empty list). Cannot fail. */
size_t fm_kafka_list_item(const char *list, char *out);

/* Applies FAMINS_KAFKA_PROPERTIES, "key=value;key=value" (NULL or empty: nothing): items split at unescaped
 * ';' (fm_kafka_list_item), each at its FIRST '=', blanks around key and value trimmed, empty items
 * skipped. Errors name "FAMINS_KAFKA_PROPERTIES item N" (N counts from 1, empty items included).
 * FM_ENOMEM. */
fm_status fm_kafka_conf_apply_list(rd_kafka_conf_t *conf, const char *list, fm_error *err);

/* Applies a properties file, one key=value a line: split at the line's FIRST '=', the key trimmed, the value
 * every byte after that '=' up to the line end (a "\n" or "\r\n" ending removed), trailing blanks included
 * and nothing unescaped, so any character may appear in it ('=', ';', '#', '\'); librdkafka itself drops
 * blanks at a value's start. Blank lines, and lines whose first non-blank character is '#', are ignored.
 * FM_EIO when unreadable, FM_ECONFIG on a bad line (err->path "file:line"). */
fm_status fm_kafka_conf_apply_file(rd_kafka_conf_t *conf, const char *path, fm_error *err);

/* A new configuration with bootstrap.servers, client.id, then FAMINS_KAFKA_PROPERTIES_FILE and
 * FAMINS_KAFKA_PROPERTIES applied on top (so SASL/TLS deployments need no code). Caller owns *out
 * (rd_kafka_conf_destroy, or hand it to rd_kafka_new). */
fm_status fm_kafka_conf_new(const fm_settings *settings, const char *client_id, rd_kafka_conf_t **out,
                            fm_error *err);

/* The famins topics (architecture.md's topic table). */
typedef enum fm_topic_id {
    FM_TOPIC_ENROLLMENT_SUBMITTED = 0,
    FM_TOPIC_ENROLLMENT_DECIDED,
    FM_TOPIC_SUBSIDY_ALLOCATED,
    FM_TOPIC_CLAIM_EVENTS,
    FM_TOPIC_CLAIM_DECIDED,
    FM_TOPIC_ENROLLMENT_SUBMITTED_DLQ,
    FM_TOPIC_ENROLLMENT_DECIDED_DLQ,
    FM_TOPIC_CLAIM_EVENTS_DLQ,
    FM_TOPIC_COUNT
} fm_topic_id;

/* The base name of a topic, e.g. "claim.events" (no prefix). */
const char *fm_topic_base_name(fm_topic_id id);

/* Writes prefix + base name into buf. FM_EINVAL when it does not fit or is not a legal Kafka topic name
 * (1–249 chars of [A-Za-z0-9._-]). */
fm_status fm_topic_name(const char *prefix, const char *base, char *buf, size_t len, fm_error *err);

#endif
