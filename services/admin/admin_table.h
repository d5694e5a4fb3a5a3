/* admin_table.h — rows of an operator command's answer printed as an aligned text table or a JSON array
 * (pure: the caller hands over the cells, e.g. from a PGresult). */
#ifndef ADMIN_TABLE_H
#define ADMIN_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "fm_error.h"

/* cols names; rows * cols cells, row-major, NULL for a NULL value (shown "-" in a table, null in JSON);
 * numeric[c] non-zero: column c holds integers (a JSON number; right-aligned). Everything borrowed. */
typedef struct admin_table {
    size_t cols, rows;
    const char *const *names;
    const char *const *cells;
    const int *numeric;
} admin_table;

/* Prints t to out: a header line and one line per row, columns separated by two spaces and padded to the
 * widest cell (the last column unpadded); or, with json, one JSON array of objects (keys in column order) and
 * a newline. A text cell that is not UTF-8 is refused in JSON. FM_OK; FM_ENOMEM; FM_EINVAL (not UTF-8);
 * FM_EIO when out fails. */
fm_status admin_table_print(FILE *out, const admin_table *t, int json, fm_error *err);

#endif
