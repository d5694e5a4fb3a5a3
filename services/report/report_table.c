/* report_table.c — the report as data: tables of typed cells that every output format writes. */
#include "report_table.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

void report_table_init(report_table *t, const char *key, const char *zh, const char *en,
                       const report_column *cols, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->key = key;
    t->zh = zh;
    t->en = en;
    t->cols = cols;
    t->ncols = ncols;
}

fm_status report_table_add_row(report_table *t, report_cell **row)
{
    if (t->nrows == t->cap_rows) {
        size_t cap = t->cap_rows == 0 ? 16 : t->cap_rows * 2;
        report_cell *cells = realloc(t->cells, cap * t->ncols * sizeof *cells);
        if (cells == NULL)
            return FM_ENOMEM;
        t->cells = cells;
        t->cap_rows = cap;
    }
    report_cell *r = &t->cells[t->nrows * t->ncols];
    memset(r, 0, t->ncols * sizeof *r);
    t->nrows++;
    *row = r;
    return FM_OK;
}

report_cell *report_table_cell(const report_table *t, size_t r, size_t c)
{
    assert(r < t->nrows && c < t->ncols);
    return &t->cells[r * t->ncols + c];
}

int report_table_col(const report_table *t, const char *key)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cols[c].key, key) == 0)
            return (int)c;
    return -1;
}

fm_status report_cell_set_text(report_cell *cell, const char *s)
{
    char *copy = NULL;
    if (s != NULL && (copy = strdup(s)) == NULL)
        return FM_ENOMEM;
    free(cell->text);
    cell->text = copy;
    return FM_OK;
}

fm_status report_table_sum_total(report_table *t)
{
    report_cell *total = calloc(t->ncols, sizeof *total);
    if (total == NULL)
        return FM_ENOMEM;
    for (size_t c = 0; c < t->ncols; c++) {
        report_kind k = t->cols[c].kind;
        if (k == REPORT_COUNT || k == REPORT_FEN) {
            for (size_t r = 0; r < t->nrows; r++)
                total[c].num += report_table_cell(t, r, c)->num;
        } else if (k == REPORT_BP || k == REPORT_TENTHS || k == REPORT_MEASURED) {
            total[c].null = true;
        }
    }
    if (t->total != NULL) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->total[c].text);
        free(t->total);
    }
    t->total = total;
    return FM_OK;
}

void report_table_free(report_table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i].text);
    free(t->cells);
    if (t->total != NULL) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->total[c].text);
        free(t->total);
    }
    t->cells = NULL;
    t->total = NULL;
    t->nrows = t->cap_rows = 0;
}
