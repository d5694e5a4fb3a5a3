/* fm_kafka.h — Kafka client configuration that passes any librdkafka property through, and topic names. */
#ifndef FM_KAFKA_H
#define FM_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "fm_log.h"
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

/* librdkafka's own log lines go through the program's logger (fm_kafka_conf_log_to). librdkafka hands its
 * log callback nothing but the handle, so the logger is found through the handle's opaque: a
 * fm_kafka_log_ref, or a program's own struct whose FIRST member is one (then the program may set that
 * struct as the opaque for its other callbacks). An opaque without the magic (a program that set another
 * opaque) still logs, to stderr in kv. */
#define FM_KAFKA_LOG_MAGIC 0x464d4c47u /* "FMLG" */
typedef struct fm_kafka_log_ref {
    uint32_t magic;
    const fm_logger *logger; /* not owned */
} fm_kafka_log_ref;

/* Sends librdkafka's log lines of handles made from conf to logger: sets ref (which, like the logger, must
 * outlive the handle), the log callback, and the opaque to ref. Levels map from syslog's: emerg, alert,
 * crit -> error; err and warning -> warn (librdkafka retries what it logs at err: a refused connection, all
 * brokers down); notice and info -> info; debug -> debug; each line is event=kafka_log with
 * facility, syslog_level and message (masked like any other line). Cannot fail. */
void fm_kafka_conf_log_to(rd_kafka_conf_t *conf, const fm_logger *logger, fm_kafka_log_ref *ref);

/* What the log callback writes for one librdkafka line (logger NULL: stderr, kv). Cannot fail. */
void fm_kafka_log_line(const fm_logger *logger, int syslog_level, const char *facility, const char *message);

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
    FM_TOPIC_CLAIM_PAYMENT, /* payment instructions to the insurer's payment system (issue 15) */
    FM_TOPIC_COUNT
} fm_topic_id;

/* The base name of a topic, e.g. "claim.events" (no prefix). */
const char *fm_topic_base_name(fm_topic_id id);

/* Writes prefix + base name into buf. FM_EINVAL when it does not fit or is not a legal Kafka topic name
 * (1–249 chars of [A-Za-z0-9._-]). */
fm_status fm_topic_name(const char *prefix, const char *base, char *buf, size_t len, fm_error *err);

#endif
