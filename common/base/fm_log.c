/* fm_log.c — one line per event worth logging, key=value or JSON, never an identity number. */
#include "fm_log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
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

/* One character of text at s, in any of the forms an identity number may take in a log detail: a byte, a
 * UTF-8 sequence, or a JSON escape \uXXXX (after any number of backslashes: an escaped escape too). Sets *cp
 * to its code point (U+FFFD for a broken sequence) and returns its length in bytes (at least 1). */
static size_t char_at(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] == '\\') {
        size_t k = 0;
        while (p[k] == '\\')
            k++;
        uint32_t v = 0;
        size_t h = 0;
        if (p[k] == 'u')
            for (; h < 4 && isxdigit(p[k + 1 + h]); h++) {
                unsigned char d = p[k + 1 + h];
                v = v * 16 + (uint32_t)(isdigit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
            }
        if (h == 4) {
            *cp = v;
            return k + 5;
        }
        *cp = '\\';
        return 1;
    }
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 0;
    uint32_t v = n == 4 ? p[0] & 0x07u : n == 3 ? p[0] & 0x0Fu : p[0] & 0x1Fu;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            n = 0; /* a continuation byte missing (the NUL included): stop at the lead byte */
        else
            v = (v << 6) | (p[i] & 0x3Fu);
        if (n == 0)
            break;
    }
    *cp = n == 0 ? 0xFFFD : v;
    return n == 0 ? 1 : n;
}

/* 0-9 and the full-width digits U+FF10..FF19. */
static bool is_digit_cp(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

/* The check character X: x, X and their full-width forms U+FF38, U+FF58. */
static bool is_x_cp(uint32_t c)
{
    return c == 'X' || c == 'x' || c == 0xFF38 || c == 0xFF58;
}

/* What people put between groups of digits: a space or a dash, ASCII, ideographic (U+3000) or full-width
 * (U+FF0D). */
static bool is_separator_cp(uint32_t c)
{
    return c == ' ' || c == '-' || c == 0x3000 || c == 0xFF0D;
}

/* The plain rule: 15+ ASCII digits in a row (14 and an X/x), whatever stands before them. Run after the wider
 * pass below, so that an escape-like prefix ("\\u1101" then 14 digits) can never hide digits the plain rule
 * would have masked. */
static void mask_plain_runs(char *text)
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

void fm_log_mask_identity_numbers(char *text)
{
    size_t i = 0;
    while (text[i] != '\0') {
        uint32_t cp;
        size_t len = char_at(text + i, &cp);
        if (!is_digit_cp(cp)) {
            i += len;
            continue;
        }
        /* A run of digits, in any mix of forms, groups joined by one separator each. */
        size_t start = i, end = i, digits = 0, j = i;
        for (;;) {
            len = char_at(text + j, &cp);
            if (is_digit_cp(cp)) {
                digits++;
                j += len;
                end = j;
                continue;
            }
            /* A separator counts only between two digits (the NUL after one is not a digit). */
            uint32_t next = 0;
            if (is_separator_cp(cp))
                char_at(text + j + len, &next);
            if (is_digit_cp(next)) {
                j += len;
                continue;
            }
            break;
        }
        if (digits >= 14 && is_x_cp(cp)) {
            end += len;
            digits++;
        }
        if (digits >= 15)
            memset(text + start, '*', end - start);
        i = end;
    }
    mask_plain_runs(text);
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

/* A detail cut by vsnprintf may end inside a UTF-8 character: drop the partial character, so that a JSON line
 * stays valid UTF-8 (a log shipper would reject the whole line). */
static void trim_partial_utf8(char *s, size_t len)
{
    size_t start = len;
    while (start > 0 && len - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && len - (start - 1) < need)
        s[start - 1] = '\0';
}

/* kv lines are one event a line: a control character in a detail (a newline could forge a second line) is
 * written as \xNN. */
static void write_kv_detail(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
}

void fm_log(const fm_logger *logger, fm_log_level level, const char *event, const char *fmt, ...)
{
    if (logger == NULL || level < logger->level)
        return;
    char detail[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (n < 0)
        detail[0] = '\0';
    else if ((size_t)n >= sizeof detail)
        trim_partial_utf8(detail, sizeof detail - 1);
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
        fprintf(out, "ts=%s level=%s component=%s event=%s%s", ts, level_names[level], component, event,
                detail[0] ? " " : "");
        write_kv_detail(out, detail);
        fputc('\n', out);
    }
    fflush(out);
}
