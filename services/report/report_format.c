/* report_format.c — how the report writes numbers and text: yuan from fen, ratios, days, CSV and HTML
 * escaping. */
#include "report_format.h"

#include <string.h>

/* Writes the magnitude |v| with optional commas; v may be INT64_MIN (handled through uint64_t). */
static void digits(uint64_t v, bool grouping, char *out, size_t cap)
{
    char rev[32];
    size_t n = 0;
    int group = 0;
    do {
        if (grouping && group == 3) {
            rev[n++] = ',';
            group = 0;
        }
        rev[n++] = (char)('0' + v % 10);
        v /= 10;
        group++;
    } while (v > 0 && n < sizeof rev - 1);
    size_t i = 0;
    for (; i < n && i + 1 < cap; i++)
        out[i] = rev[n - 1 - i];
    out[i] = '\0';
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1u : (uint64_t)v;
}

void report_fen_to_yuan(int64_t fen, bool grouping, char out[REPORT_NUM_LEN])
{
    uint64_t m = magnitude(fen);
    char whole[32];
    digits(m / 100, grouping, whole, sizeof whole);
    snprintf(out, REPORT_NUM_LEN, "%s%s.%02u", fen < 0 ? "-" : "", whole, (unsigned)(m % 100));
}

void report_count_text(int64_t count, bool grouping, char out[REPORT_NUM_LEN])
{
    char text[32];
    digits(magnitude(count), grouping, text, sizeof text);
    snprintf(out, REPORT_NUM_LEN, "%s%s", count < 0 ? "-" : "", text);
}

bool report_ratio_bp(int64_t numerator, int64_t denominator, int64_t *out)
{
    if (denominator <= 0 || numerator < 0)
        return false;
    /* numerator * 10000 may not fit in 64 bits for city-wide fen sums: use 128-bit intermediate. */
    unsigned __int128 scaled = (unsigned __int128)numerator * 10000u + (unsigned __int128)denominator / 2u;
    unsigned __int128 bp = scaled / (unsigned __int128)denominator;
    if (bp > (unsigned __int128)INT64_MAX)
        return false;
    *out = (int64_t)bp;
    return true;
}

void report_bp_to_percent(int64_t bp, char out[REPORT_NUM_LEN])
{
    uint64_t m = magnitude(bp);
    snprintf(out, REPORT_NUM_LEN, "%s%llu.%02u%%", bp < 0 ? "-" : "", (unsigned long long)(m / 100),
             (unsigned)(m % 100));
}

void report_tenths_text(int64_t tenths, char out[REPORT_NUM_LEN])
{
    uint64_t m = magnitude(tenths);
    snprintf(out, REPORT_NUM_LEN, "%s%llu.%u", tenths < 0 ? "-" : "", (unsigned long long)(m / 10),
             (unsigned)(m % 10));
}

static const char *const measure_codes[] = {"percent", "permille", "days", "yuan"};

const char *report_measure_code(report_measure m)
{
    return (unsigned)m < sizeof measure_codes / sizeof measure_codes[0] ? measure_codes[m] : "?";
}

bool report_measure_parse(const char *code, report_measure *out)
{
    for (size_t i = 0; code != NULL && i < sizeof measure_codes / sizeof measure_codes[0]; i++)
        if (strcmp(code, measure_codes[i]) == 0) {
            *out = (report_measure)i;
            return true;
        }
    return false;
}

int64_t report_measure_divisor(report_measure m)
{
    return m == REPORT_MEASURE_PERCENT || m == REPORT_MEASURE_YUAN ? 100 : 10;
}

void report_measure_number(report_measure m, int64_t kept, bool grouping, char out[REPORT_NUM_LEN])
{
    switch (m) {
    case REPORT_MEASURE_PERCENT:
        report_bp_to_percent(kept, out);
        out[strlen(out) - 1] = '\0'; /* the unit is the measure's */
        return;
    case REPORT_MEASURE_PERMILLE:
    case REPORT_MEASURE_DAYS: report_tenths_text(kept, out); return;
    case REPORT_MEASURE_YUAN: report_fen_to_yuan(kept, grouping, out); return;
    }
    report_count_text(kept, grouping, out);
}

bool report_parse_scaled(const char *text, int scale, int64_t *out)
{
    if (text == NULL || scale < 0 || scale > 6)
        return false;
    const char *p = text;
    bool negative = false;
    if (*p == '-') {
        negative = true;
        p++;
    }
    if (*p < '0' || *p > '9')
        return false;
    uint64_t value = 0;
    int decimals = -1; /* -1: before the point */
    for (; *p != '\0'; p++) {
        if (*p == '.' && decimals < 0) {
            decimals = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return false;
        if (decimals >= 0 && ++decimals > scale)
            return false;
        if (value > (uint64_t)INT64_MAX / 10)
            return false;
        value = value * 10 + (uint64_t)(*p - '0');
    }
    for (int d = decimals < 0 ? 0 : decimals; d < scale; d++) {
        if (value > (uint64_t)INT64_MAX / 10)
            return false;
        value *= 10;
    }
    if (value > (uint64_t)INT64_MAX)
        return false;
    *out = negative ? -(int64_t)value : (int64_t)value;
    return true;
}

void report_csv_bom(FILE *out)
{
    fputs(REPORT_UTF8_BOM, out);
}

void report_csv_field(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void report_html_escape(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

void report_md_cell(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    for (; *s != '\0'; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}
