/* fm_log.c — one line per event worth logging, key=value or JSON, never an identity number. */
#include "fm_log.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *level_names[] = {"debug", "info", "warn", "error"};

fm_status fm_log_level_parse(const char *text, fm_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(text, level_names[i]) == 0) {
            *out = (fm_log_level)i;
            return FM_OK;
        }
    return FM_EINVAL;
}

fm_status fm_log_format_parse(const char *text, fm_log_format *out)
{
    if (strcmp(text, "kv") == 0)
        *out = FM_LOG_KV;
    else if (strcmp(text, "json") == 0)
        *out = FM_LOG_JSON;
    else
        return FM_EINVAL;
    return FM_OK;
}

fm_status fm_logger_init(fm_logger *logger, const char *component, const char *level, const char *format,
                         FILE *out, fm_error *err)
{
    fm_logger lg = {.out = out ? out : stderr, .component = component};
    if (fm_log_level_parse(level, &lg.level) != FM_OK) {
        fm_error_set(err, "FAMINS_LOG_LEVEL", "NOT_ONE_OF", "FAMINS_LOG_LEVEL=\"%s\": use debug, info, warn or error",
                     level);
        return FM_EINVAL;
    }
    if (fm_log_format_parse(format, &lg.format) != FM_OK) {
        fm_error_set(err, "FAMINS_LOG_FORMAT", "NOT_ONE_OF", "FAMINS_LOG_FORMAT=\"%s\": use kv or json", format);
        return FM_EINVAL;
    }
    *logger = lg;
    return FM_OK;
}

void fm_log_mask_identity_numbers(char *text)
{
    size_t i = 0;
    while (text[i] != '\0') {
        size_t start = i;
        while (isdigit((unsigned char)text[i]))
            i++;
        size_t run = i - start;
        if (run >= 14 && (text[i] == 'X' || text[i] == 'x')) {
            i++;
            run++;
        }
        if (run >= 15)
            memset(text + start, '*', i - start);
        if (i == start)
            i++;
    }
}

static void write_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void fm_log(const fm_logger *logger, fm_log_level level, const char *event, const char *fmt, ...)
{
    if (logger == NULL || level < logger->level)
        return;
    char detail[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    fm_log_mask_identity_numbers(detail);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm utc;
    gmtime_r(&now.tv_sec, &utc);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
             utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, now.tv_nsec / 1000000);
    const char *component = logger->component ? logger->component : "famins";
    FILE *out = logger->out ? logger->out : stderr;

    if (logger->format == FM_LOG_JSON) {
        fprintf(out, "{\"ts\":\"%s\",\"level\":\"%s\",\"component\":", ts, level_names[level]);
        write_json_string(out, component);
        fputs(",\"event\":", out);
        write_json_string(out, event);
        fputs(",\"detail\":", out);
        write_json_string(out, detail);
        fputs("}\n", out);
    } else {
        fprintf(out, "ts=%s level=%s component=%s event=%s%s%s\n", ts, level_names[level], component, event,
                detail[0] ? " " : "", detail);
    }
    fflush(out);
}
