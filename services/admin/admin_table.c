/* admin_table.c — rows of an operator command's answer printed as an aligned text table or a JSON array. */
#include "admin_table.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *cell(const admin_table *t, size_t r, size_t c)
{
    const char *v = t->cells[r * t->cols + c];
    return v != NULL ? v : "-";
}

static fm_status print_json(FILE *out, const admin_table *t, fm_error *err)
{
    json_t *arr = json_array();
    if (arr == NULL)
        goto nomem;
    for (size_t r = 0; r < t->rows; r++) {
        json_t *obj = json_object();
        if (obj == NULL || json_array_append_new(arr, obj) != 0)
            goto nomem;
        for (size_t c = 0; c < t->cols; c++) {
            const char *v = t->cells[r * t->cols + c];
            json_t *value = NULL;
            if (v == NULL)
                value = json_null();
            else if (t->numeric != NULL && t->numeric[c])
                value = json_integer((json_int_t)strtoll(v, NULL, 10));
            else {
                value = json_string(v);
                if (value == NULL) {
                    json_decref(arr);
                    fm_error_set(err, t->names[c], "NOT_UTF8", "column %s holds text that is not UTF-8",
                                 t->names[c]);
                    return FM_EINVAL;
                }
            }
            if (value == NULL || json_object_set_new(obj, t->names[c], value) != 0)
                goto nomem;
        }
    }
    int rc = json_dumpf(arr, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(arr);
    if (rc != 0 || fputc('\n', out) == EOF) {
        fm_error_set(err, "", "WRITE_FAILED", "could not write the answer");
        return FM_EIO;
    }
    return FM_OK;
nomem:
    json_decref(arr);
    fm_error_set(err, "", "NO_MEMORY", "out of memory building the JSON answer");
    return FM_ENOMEM;
}

fm_status admin_table_print(FILE *out, const admin_table *t, int json, fm_error *err)
{
    if (json)
        return print_json(out, t, err);
    size_t *width = calloc(t->cols ? t->cols : 1, sizeof *width);
    if (width == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
        return FM_ENOMEM;
    }
    for (size_t c = 0; c < t->cols; c++) {
        width[c] = strlen(t->names[c]);
        for (size_t r = 0; r < t->rows; r++)
            if (strlen(cell(t, r, c)) > width[c])
                width[c] = strlen(cell(t, r, c));
    }
    int bad = 0;
    for (size_t r = 0; r <= t->rows; r++) { /* r == 0: the header */
        for (size_t c = 0; c < t->cols; c++) {
            const char *v = r == 0 ? t->names[c] : cell(t, r - 1, c);
            int last = c + 1 == t->cols, right = t->numeric != NULL && t->numeric[c] && r > 0;
            const char *sep = last ? "\n" : "  ";
            if (last && !right)
                bad |= fprintf(out, "%s%s", v, sep) < 0;
            else
                bad |= fprintf(out, right ? "%*s%s" : "%-*s%s", (int)width[c], v, sep) < 0;
        }
    }
    free(width);
    if (bad) {
        fm_error_set(err, "", "WRITE_FAILED", "could not write the answer");
        return FM_EIO;
    }
    return FM_OK;
}
