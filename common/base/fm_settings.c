/* fm_settings.c — configuration from environment variables, each with a documented default. */
#include "fm_settings.h"

#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fm_kafka.h"
#include "fm_paths.h"

struct fm_settings {
    const fm_setting *defs;
    size_t count;
    char **values; /* owned copies, one per def */
    int64_t *ints; /* parsed integers (0 for strings) */
    unsigned char *from_env;
};

static const char *lookup_getenv(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name);
}

static fm_status parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
        return FM_EINVAL;
    *out = value;
    return FM_OK;
}

fm_status fm_settings_load(const fm_setting *defs, size_t count, fm_env_lookup lookup, void *ctx,
                           fm_settings **out, fm_error *err)
{
    fm_status status = FM_ENOMEM;
    fm_settings *s = calloc(1, sizeof *s);
    if (s == NULL)
        goto fail;
    s->defs = defs;
    s->count = count;
    s->values = calloc(count, sizeof *s->values);
    s->ints = calloc(count, sizeof *s->ints);
    s->from_env = calloc(count, 1);
    if (s->values == NULL || s->ints == NULL || s->from_env == NULL)
        goto fail;
    if (lookup == NULL)
        lookup = lookup_getenv;
    for (size_t i = 0; i < count; i++) {
        const char *value = lookup(defs[i].name, ctx);
        s->from_env[i] = value != NULL;
        char data_dir[PATH_MAX];
        if (defs[i].type == FM_SETTING_DATA_DIR && (value == NULL || value[0] == '\0')) {
            /* Found next to the program. When it is not there, the folder looked in becomes the value, so
             * that the error of whoever reads it names it, and a program that never reads it (the relay never
             * reads the plans) still starts. */
            s->from_env[i] = 0;
            (void)fm_paths_data_dir(defs[i].default_value, data_dir, sizeof data_dir, NULL);
            value = data_dir;
        } else if (value == NULL) {
            value = defs[i].default_value;
        }
        s->values[i] = strdup(value);
        if (s->values[i] == NULL)
            goto fail;
        if (defs[i].type == FM_SETTING_INT &&
            parse_int(value, defs[i].min, defs[i].max, &s->ints[i]) != FM_OK) {
            fm_error_set(err, defs[i].name, "BAD_INTEGER",
                         "%s=\"%s\" is not an integer between %lld and %lld", defs[i].name, value,
                         (long long)defs[i].min, (long long)defs[i].max);
            status = FM_EINVAL;
            goto fail;
        }
    }
    *out = s;
    return FM_OK;
fail:
    if (status == FM_ENOMEM)
        fm_error_set(err, "", "NO_MEMORY", "out of memory reading the configuration");
    fm_settings_free(s);
    return status;
}

void fm_settings_free(fm_settings *s)
{
    if (s == NULL)
        return;
    if (s->values != NULL)
        for (size_t i = 0; i < s->count; i++)
            free(s->values[i]);
    free(s->values);
    free(s->ints);
    free(s->from_env);
    free(s);
}

static size_t index_of(const fm_settings *s, const char *name)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->defs[i].name, name) == 0)
            return i;
    fprintf(stderr, "famins: internal error: setting %s was not declared\n", name);
    abort();
}

const char *fm_settings_str(const fm_settings *s, const char *name)
{
    return s->values[index_of(s, name)];
}

int64_t fm_settings_int(const fm_settings *s, const char *name)
{
    size_t i = index_of(s, name);
    if (s->defs[i].type != FM_SETTING_INT) {
        fprintf(stderr, "famins: internal error: setting %s is not an integer\n", name);
        abort();
    }
    return s->ints[i];
}

int fm_settings_is_set(const fm_settings *s, const char *name)
{
    return s->from_env[index_of(s, name)];
}

void fm_settings_print_help(FILE *out, const fm_setting *defs, size_t count)
{
    fprintf(out, "Environment variables (default in brackets):\n");
    char where[256];
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-30s %s [%s]\n", defs[i].name, defs[i].help,
                defs[i].type == FM_SETTING_DATA_DIR
                    ? fm_paths_describe(defs[i].default_value, where, sizeof where)
                    : defs[i].default_value);
}

/* Property values may hold passwords: print the keys only, and a key only when it is a well-formed property
 * name (an item without '=' may be a password typed alone). Items are split exactly as
 * fm_kafka_conf_apply_list splits them, escapes included, so no part of a value is ever shown as a key. */
static void print_masked_properties(FILE *out, const char *list)
{
    char *item = malloc(strlen(list) + 1);
    if (item == NULL) {
        fputs("(set, not shown)", out);
        return;
    }
    int number = 0, first = 1;
    for (const char *p = list; *p != '\0';) {
        p += fm_kafka_list_item(p, item);
        number++;
        const char *key = item;
        while (*key == ' ' || *key == '\t')
            key++;
        if (*key == '\0')
            continue;
        const char *eq = strchr(key, '=');
        size_t key_len = eq ? (size_t)(eq - key) : 0;
        while (key_len > 0 && (key[key_len - 1] == ' ' || key[key_len - 1] == '\t'))
            key_len--;
        if (eq != NULL && fm_kafka_property_name_ok(key, key_len))
            fprintf(out, "%s%.*s=***", first ? "" : ";", (int)key_len, key);
        else
            fprintf(out, "%s(item %d not shown)", first ? "" : ";", number);
        first = 0;
    }
    free(item);
}

/* A connection string holds a password when libpq reads one in it (password=, sslpassword=, or the
 * user:password@ of a URI); one libpq cannot read is not shown either. */
static int dsn_is_printable(const char *dsn)
{
    char *message = NULL;
    PQconninfoOption *options = PQconninfoParse(dsn, &message);
    PQfreemem(message);
    if (options == NULL)
        return 0;
    int printable = 1;
    for (const PQconninfoOption *o = options; o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0' && strstr(o->keyword, "password") != NULL)
            printable = 0;
    PQconninfoFree(options);
    return printable;
}

/* A secret by its name: FAMINS_PERSON_KEY_SECRET and any later *SECRET* / *PASSWORD* variable, but not a
 * variable naming the FILE that holds one (a path is not the secret). */
static int name_is_secret(const char *name)
{
    size_t n = strlen(name);
    if (n >= 5 && strcmp(name + n - 5, "_FILE") == 0)
        return 0;
    return strstr(name, "SECRET") != NULL || strstr(name, "PASSWORD") != NULL;
}

void fm_settings_print(FILE *out, const fm_settings *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const char *name = s->defs[i].name, *value = s->values[i];
        fprintf(out, "%s=", name);
        if (strcmp(name, "FAMINS_KAFKA_PROPERTIES") == 0)
            print_masked_properties(out, value);
        else if (name_is_secret(name))
            fputs(value[0] != '\0' ? "(set, not shown)" : "", out);
        else if (strstr(name, "DSN") != NULL && !dsn_is_printable(value))
            fputs("(set; holds a password or is not a valid connection string, not shown)", out);
        else
            fputs(value, out);
        fputc('\n', out);
    }
}
