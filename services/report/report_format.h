/* report_format.h — how the report writes numbers and text: yuan from fen, ratios, days, CSV and HTML
 * escaping. */
#ifndef REPORT_FORMAT_H
#define REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest text any of the number formatters below writes, with its NUL. */
#define REPORT_NUM_LEN 40

/* Writes fen as yuan with exactly two decimals ("-1234.56"), by integer arithmetic only (money is never
 * floating point). With grouping, thousands are separated by commas ("1,234.56"). out holds REPORT_NUM_LEN.
 */
void report_fen_to_yuan(int64_t fen, bool grouping, char out[REPORT_NUM_LEN]);

/* Writes a count with optional thousands separators. */
void report_count_text(int64_t count, bool grouping, char out[REPORT_NUM_LEN]);

/* numerator / denominator in basis points (1 bp = 0.01 %), rounded half up; false (out untouched) when the
 * denominator is not positive or a value is negative. */
bool report_ratio_bp(int64_t numerator, int64_t denominator, int64_t *out);

/* Basis points as a percentage with two decimals ("12.34%"). */
void report_bp_to_percent(int64_t bp, char out[REPORT_NUM_LEN]);

/* Tenths of a day as days with one decimal ("12.5"). */
void report_tenths_text(int64_t tenths, char out[REPORT_NUM_LEN]);

/* The measure of a value whose unit differs from row to row (the problems found), and the integer the value
 * is kept in: written without a unit where numbers are data (CSV, JSON), with one where people read them. */
typedef enum report_measure {
    REPORT_MEASURE_PERCENT = 0, /* kept in basis points, written "12.34" */
    REPORT_MEASURE_PERMILLE,    /* kept in tenths of a per mille, written "27.1" */
    REPORT_MEASURE_DAYS,        /* kept in tenths of a day, written "3.5" */
    REPORT_MEASURE_YUAN         /* kept in fen, written "1234.00" */
} report_measure;

/* The measure's stable code: "percent", "permille", "days", "yuan". */
const char *report_measure_code(report_measure m);

/* The measure of a code; false when the code is none of the above. */
bool report_measure_parse(const char *code, report_measure *out);

/* What the kept integer is divided by to give the measure's number (100: percent, yuan; 10: the others). */
int64_t report_measure_divisor(report_measure m);

/* Writes the kept integer as the measure's bare number (no unit; thousands grouped only on request, for
 * people). */
void report_measure_number(report_measure m, int64_t kept, bool grouping, char out[REPORT_NUM_LEN]);

/* Parses a decimal text with at most `scale` decimals into an integer scaled by 10^scale ("12.5", 1 -> 125).
 * false on anything else (more decimals, junk, overflow). */
bool report_parse_scaled(const char *text, int scale, int64_t *out);

/* The UTF-8 byte-order mark (3 bytes). At the start of a CSV file it makes Excel (a Chinese Windows' default
 * code page is GBK) read the file as UTF-8; other tools ignore it or show it as part of the first header. */
#define REPORT_UTF8_BOM "\xEF\xBB\xBF"

/* Writes the byte-order mark to out. */
void report_csv_bom(FILE *out);

/* Writes s as one CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. */
void report_csv_field(FILE *out, const char *s);

/* Writes s with &, <, >, " and ' escaped for HTML text and attribute values. */
void report_html_escape(FILE *out, const char *s);

/* Writes s for a Markdown table cell: '|' escaped, newlines as spaces. */
void report_md_cell(FILE *out, const char *s);

#endif
