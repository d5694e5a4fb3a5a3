/* report_table.h — the report as data: tables of typed cells that every output format (md, csv, json, html)
 * writes. */
#ifndef REPORT_TABLE_H
#define REPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fm_error.h"
#include "report_labels.h"

/* The type of a column: how it is read, summed and written. */
typedef enum report_kind {
    REPORT_TEXT = 0, /* plain text */
    REPORT_UNIT,     /* a managing-unit code; formats add its Chinese and English names */
    REPORT_CODED,    /* a code with labels (report_column.code_kind says which) */
    REPORT_COUNT,    /* an integer count */
    REPORT_FEN,      /* money in fen; written as yuan with two decimals (json: integer fen) */
    REPORT_BP,       /* a ratio in basis points; written as a percentage */
    REPORT_TENTHS,   /* days in tenths; written with one decimal */
    REPORT_MEASURED  /* a number whose measure differs by row: num is the kept integer, text the
                        measure's code (report_measure_code); bare in CSV and JSON, with its unit for people */
} report_kind;

typedef struct report_column {
    const char *key; /* machine name (csv header, json key) */
    const char *zh;  /* Chinese heading */
    const char *en;  /* English heading */
    report_kind kind;
    report_code_kind code_kind; /* REPORT_CODED only */
} report_column;

/* One cell: text for TEXT/UNIT/CODED (and the measure of MEASURED), num for the numbers; null when there is
 * no value (a ratio without a denominator). text is owned by the table. */
typedef struct report_cell {
    char *text;
    int64_t num;
    bool null;
} report_cell;

typedef struct report_table {
    const char *key;     /* "claims_by_liability" (csv file name, json key) */
    const char *zh;      /* Chinese title */
    const char *en;      /* English title */
    const char *note_zh; /* one line under the title, may be NULL */
    const char *note_en;
    const report_column *cols; /* static */
    size_t ncols;
    report_cell *cells; /* nrows * ncols, row-major, owned */
    size_t nrows;
    size_t cap_rows;
    report_cell *total; /* ncols cells or NULL: the "合计 total" row of human formats and json */
    bool vertical;      /* one row written as label/value pairs (the summary) */
} report_table;

/* Sets up an empty table over static column definitions (nothing allocated yet). */
void report_table_init(report_table *t, const char *key, const char *zh, const char *en,
                       const report_column *cols, size_t ncols);

/* Appends an empty row (text NULL, num 0, not null) and returns it through *row (ncols cells).
 * FM_ENOMEM when it cannot grow (the table is unchanged). */
fm_status report_table_add_row(report_table *t, report_cell **row);

/* The cell of row r, column c (asserted in range). */
report_cell *report_table_cell(const report_table *t, size_t r, size_t c);

/* The index of column key, or -1. */
int report_table_col(const report_table *t, const char *key);

/* Sets a cell's text to a copy of s (NULL allowed). FM_ENOMEM. */
fm_status report_cell_set_text(report_cell *cell, const char *s);

/* Makes t->total: the sum of every COUNT and FEN column, the other cells empty (text NULL) or null for
 * ratios. FM_ENOMEM. Callers then fill the cells a sum cannot give (a ratio, a median). */
fm_status report_table_sum_total(report_table *t);

/* Frees what the table owns (cells and their texts); the table can be initialised again. */
void report_table_free(report_table *t);

#endif
