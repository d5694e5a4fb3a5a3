/* fm_settings.h — configuration from environment variables, each with a documented default. */
#ifndef FM_SETTINGS_H
#define FM_SETTINGS_H

#include <stdint.h>
#include <stdio.h>

#include "fm_error.h"

/* FM_SETTING_DATA_DIR: a folder of famins's data; its default_value is its name under share/famins
 * ("plans"). Unset or empty, it is found next to the program (fm_paths.h): no build path is compiled in. */
typedef enum fm_setting_type { FM_SETTING_STRING, FM_SETTING_INT, FM_SETTING_DATA_DIR } fm_setting_type;

/* One configuration variable. Integers are checked against [min, max]. */
typedef struct fm_setting {
    const char *name; /* the environment variable, e.g. "FAMINS_PG_DSN" */
    fm_setting_type type;
    const char *default_value; /* as text, like the environment would give it */
    int64_t min, max;          /* integers only */
    const char *help;          /* one line for --help */
} fm_setting;

/* The variables every famins program reads; programs append their own. */
#define FM_COMMON_SETTINGS                                                                                   \
    {"FAMINS_PG_DSN",                                                                                        \
     FM_SETTING_STRING,                                                                                      \
     "host=127.0.0.1 port=15432 dbname=famins user=famins_admin",                                            \
     0,                                                                                                      \
     0,                                                                                                      \
     "libpq connection string of the famins database"},                                                      \
        {"FAMINS_KAFKA_BOOTSTRAP",                                                                           \
         FM_SETTING_STRING,                                                                                  \
         "127.0.0.1:19092",                                                                                  \
         0,                                                                                                  \
         0,                                                                                                  \
         "Kafka bootstrap servers (host:port,...)"},                                                         \
        {"FAMINS_TOPIC_PREFIX",                                                                              \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "prefix of every topic name (one cluster, several environments)"},                                  \
        {"FAMINS_KAFKA_PROPERTIES",                                                                          \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "extra librdkafka properties, 'key=value;key=value' (e.g. security.protocol=SASL_SSL); write "      \
         "'\\;' "                                                                                            \
         "for a ';' and '\\\\' for a '\\' inside a value; errors name the item, never a value"},             \
        {"FAMINS_KAFKA_PROPERTIES_FILE",                                                                     \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "file of librdkafka properties (for secrets), one key=value a line split at its first '=', the "    \
         "value taken as is to the line end (any character, trailing blanks kept); a line starting with # "  \
         "is a comment"},                                                                                    \
        {"FAMINS_LOG_LEVEL", FM_SETTING_STRING, "info", 0, 0, "debug, info, warn or error"},                 \
        {"FAMINS_LOG_FORMAT", FM_SETTING_STRING, "kv", 0, 0, "kv (key=value lines) or json (JSON lines)"},   \
        {"FAMINS_MAX_MESSAGE_BYTES",                                                                         \
         FM_SETTING_INT,                                                                                     \
         "262144",                                                                                           \
         1024,                                                                                               \
         1000000,                                                                                            \
         "largest message famins reads; larger ones are dead letters MESSAGE_TOO_LARGE"},                    \
        {"FAMINS_PLAN_DIR",                                                                                  \
         FM_SETTING_DATA_DIR,                                                                                \
         "plans",                                                                                            \
         0,                                                                                                  \
         0,                                                                                                  \
         "folder of the plan catalogue (plan-<year>.json)"},                                                 \
        {"FAMINS_PERSON_KEY_ID",                                                                             \
         FM_SETTING_STRING,                                                                                  \
         "k1",                                                                                               \
         0,                                                                                                  \
         0,                                                                                                  \
         "id of the current person-key secret ([a-z0-9-]{1,16}); new person keys are '<id>:<hex>'"},         \
        {"FAMINS_PERSON_KEY_SECRET",                                                                         \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "secret of the keyed hash that stands for identity numbers (no default: this or the _FILE one)"},   \
        {"FAMINS_PERSON_KEY_SECRET_FILE",                                                                    \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "file holding the person-key secret (one trailing newline stripped)"},                              \
        {"FAMINS_PERSON_KEY_PREVIOUS_FILE",                                                                  \
         FM_SETTING_STRING,                                                                                  \
         "",                                                                                                 \
         0,                                                                                                  \
         0,                                                                                                  \
         "file of previous person keys, one '<id> <secret>' a line, still searched for lookups"},            \
    {                                                                                                        \
        "FAMINS_ALLOW_DEV_PERSON_KEY", FM_SETTING_INT, "0", 0, 1,                                            \
            "1: without a secret, use the public development one (never in production)"                      \
    }

/* Looks a variable up; returns NULL when unset. Tests pass their own. */
typedef const char *(*fm_env_lookup)(const char *name, void *ctx);

/* The loaded values. Owned by the caller: free with fm_settings_free(). */
typedef struct fm_settings fm_settings;

/* Reads every variable of defs through lookup (NULL lookup: getenv), applying defaults and checking
 * integers. Returns FM_EINVAL with err naming the variable on a bad value, FM_ENOMEM. */
fm_status fm_settings_load(const fm_setting *defs, size_t count, fm_env_lookup lookup, void *ctx,
                           fm_settings **out, fm_error *err);
void fm_settings_free(fm_settings *settings);

/* The value of a variable loaded above; a name not in defs is a programming error (abort). */
const char *fm_settings_str(const fm_settings *settings, const char *name);
int64_t fm_settings_int(const fm_settings *settings, const char *name);
/* 1 when the variable came from the environment, 0 when it is the default. */
int fm_settings_is_set(const fm_settings *settings, const char *name);

/* Prints one line per variable: name, default, help. */
void fm_settings_print_help(FILE *out, const fm_setting *defs, size_t count);

/* Prints the values in force (secrets in FAMINS_KAFKA_PROPERTIES masked) for start-up logs. */
void fm_settings_print(FILE *out, const fm_settings *settings);

#endif
