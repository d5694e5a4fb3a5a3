/* fm_settings.c — configuration from environment variables, each with a documented default. */
#include "fm_settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct fm_settings {
    const fm_setting *defs;
    size_t count;
    char **values;   /* owned copies, one per def */
    int64_t *ints;   /* parsed integers (0 for strings) */
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
        if (value == NULL)
            value = defs[i].default_value;
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
    for (size_t i = 0; i < count; i++)
        fprintf(out, "  %-30s %s [%s]\n", defs[i].name, defs[i].help, defs[i].default_value);
}

/* Property values may hold passwords: print the keys only. */
static void print_masked_properties(FILE *out, const char *list)
{
    const char *p = list;
    int first = 1;
    while (*p != '\0') {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;
        fprintf(out, "%s%.*s=***", first ? "" : ";", (int)key_len, p);
        first = 0;
        p += len;
        if (*p == ';')
            p++;
    }
}

void fm_settings_print(FILE *out, const fm_settings *s)
{
    for (size_t i = 0; i < s->count; i++) {
        fprintf(out, "%s=", s->defs[i].name);
        if (strcmp(s->defs[i].name, "FAMINS_KAFKA_PROPERTIES") == 0)
            print_masked_properties(out, s->values[i]);
        else if (strstr(s->defs[i].name, "DSN") != NULL && strstr(s->values[i], "password") != NULL)
            fputs("(set; holds a password, not shown)", out);
        else
            fputs(s->values[i], out);
        fputc('\n', out);
    }
}
