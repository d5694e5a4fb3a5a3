/* report_render.h — writes a loaded report as Markdown, CSV, JSON or one self-contained HTML page. */
#ifndef REPORT_RENDER_H
#define REPORT_RENDER_H

#include <stdio.h>

#include "fm_error.h"
#include "report.h"

/* The text of one cell for people: yuan with two decimals and thousands separators, percentages, days, a
 * unit's Chinese and English names, a code's labels; "—" for no value. out holds cap bytes (truncated to
 * fit). */
void report_cell_human(const report *rep, const report_column *col, const report_cell *cell, char *out,
                       size_t cap);

/* Whether the tables for people (Markdown, HTML) show column col: not the problems' measure, whose unit the
 * values beside it carry ("12.34%", "3.5 天 days"); CSV and JSON have every column. */
bool report_column_for_people(const report_column *col);

/* The "problems found" rule in Chinese and English, for every format. out holds cap bytes. */
void report_rule_text(const report_rule *rule, int chinese, char *out, size_t cap);

/* Markdown: every table under a Chinese heading with the English beside it. FM_EIO when out fails. */
fm_status report_write_md(FILE *out, const report *rep);

/* CSV of one table (RFC 4180, header row of machine names): amounts in yuan with two decimals (columns
 * <key>_yuan), ratios as percentages (<key>_pct), days with one decimal, measured values bare in their row's
 * measure, units and codes followed by their Chinese and English labels. FM_EIO when out fails. */
fm_status report_write_csv_table(FILE *out, const report *rep, const report_table *t);

/* JSON: one object with every table (rows and total); amounts are integer fen (<key>_fen), ratios integer
 * basis points (<key>_bp), days numbers with one decimal; the problems' values are numbers in their row's
 * measure, as in the CSV. FM_ENOMEM, FM_EIO. */
fm_status report_write_json(FILE *out, const report *rep);

/* HTML: one self-contained page (inline CSS, inline SVG charts, no script, no network), printable. Each bar
 * or point of a chart carries data-label and data-value (fen, count, or basis points for ratios, see
 * data-unit). */
fm_status report_write_html(FILE *out, const report *rep);

#endif
