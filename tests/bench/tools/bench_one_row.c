/* bench_one_row.c — the floor of the benchmark: writes rows the way a naive consumer would, one INSERT and
 * one COMMIT per row (autocommit: each INSERT is its own transaction, hence its own WAL flush under
 * synchronous_commit=on), and times it. Prints one JSON object: rows, seconds, rows_per_s.
 *
 *   bench_one_row SOURCE_DSN TARGET_DSN TABLE K
 *
 * Reads the first K rows of famins.TABLE from SOURCE_DSN (ordered by its first column, which is left out
 * because it is the bigserial key the target assigns itself) as text, then inserts them one by one into the
 * same table of TARGET_DSN with one prepared INSERT, parameters in text form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends s to buf (of size len, holding used bytes); -1 when it does not fit. */
static int append(char *buf, size_t len, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n + 1 > len)
        return -1;
    memcpy(buf + *used, s, n + 1);
    *used += n;
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 1;
    PGconn *src = NULL, *dst = NULL;
    PGresult *rows = NULL, *res = NULL;
    char *table_id = NULL;
    const char **values = NULL;
    char select_sql[512], insert_sql[8192], num[16];
    size_t used = 0;

    if (argc != 5) {
        fprintf(stderr, "usage: bench_one_row SOURCE_DSN TARGET_DSN TABLE K\n");
        return 2;
    }
    long k = strtol(argv[4], NULL, 10);
    if (k <= 0) {
        fprintf(stderr, "bench_one_row: K must be positive\n");
        return 2;
    }
    src = PQconnectdb(argv[1]);
    dst = PQconnectdb(argv[2]);
    if (PQstatus(src) != CONNECTION_OK || PQstatus(dst) != CONNECTION_OK) {
        fprintf(stderr, "bench_one_row: connect: %s%s", PQerrorMessage(src), PQerrorMessage(dst));
        goto fail;
    }
    table_id = PQescapeIdentifier(src, argv[3], strlen(argv[3]));
    if (table_id == NULL)
        goto fail;
    snprintf(select_sql, sizeof select_sql, "SELECT * FROM famins.%s ORDER BY 1 LIMIT %ld", table_id, k);
    rows = PQexec(src, select_sql);
    if (PQresultStatus(rows) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_one_row: %s", PQerrorMessage(src));
        goto fail;
    }
    int nrows = PQntuples(rows), ncols = PQnfields(rows);
    if (nrows == 0 || ncols < 2) {
        fprintf(stderr, "bench_one_row: famins.%s holds no rows to copy\n", argv[3]);
        goto fail;
    }
    /* INSERT INTO famins.t (c2, ..., cn) VALUES ($1, ..., $n-1): column 1 (the serial key) left out. */
    if (append(insert_sql, sizeof insert_sql, &used, "INSERT INTO famins.") ||
        append(insert_sql, sizeof insert_sql, &used, table_id) ||
        append(insert_sql, sizeof insert_sql, &used, " ("))
        goto fail;
    for (int c = 1; c < ncols; c++) {
        const char *name = PQfname(rows, c);
        char *col = PQescapeIdentifier(src, name, strlen(name));
        int bad = col == NULL || (c > 1 && append(insert_sql, sizeof insert_sql, &used, ", ")) ||
                  append(insert_sql, sizeof insert_sql, &used, col);
        PQfreemem(col);
        if (bad)
            goto fail;
    }
    if (append(insert_sql, sizeof insert_sql, &used, ") VALUES ("))
        goto fail;
    for (int c = 1; c < ncols; c++) {
        snprintf(num, sizeof num, "%s$%d", c > 1 ? ", " : "", c);
        if (append(insert_sql, sizeof insert_sql, &used, num))
            goto fail;
    }
    if (append(insert_sql, sizeof insert_sql, &used, ")"))
        goto fail;
    res = PQprepare(dst, "one_row", insert_sql, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "bench_one_row: prepare: %s", PQerrorMessage(dst));
        goto fail;
    }
    PQclear(res);
    res = NULL;
    values = calloc((size_t)ncols, sizeof *values);
    if (values == NULL)
        goto fail;

    double start = now_s();
    for (int r = 0; r < nrows; r++) {
        for (int c = 1; c < ncols; c++)
            values[c - 1] = PQgetisnull(rows, r, c) ? NULL : PQgetvalue(rows, r, c);
        res = PQexecPrepared(dst, "one_row", ncols - 1, values, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "bench_one_row: row %d: %s", r, PQerrorMessage(dst));
            goto fail;
        }
        PQclear(res);
        res = NULL;
    }
    double seconds = now_s() - start;
    printf("{\"table\":\"%s\",\"rows\":%d,\"seconds\":%.6f,\"rows_per_s\":%.1f}\n", argv[3], nrows, seconds,
           seconds > 0 ? nrows / seconds : 0.0);
    rc = 0;
fail:
    free(values);
    PQclear(res);
    PQclear(rows);
    PQfreemem(table_id);
    PQfinish(src);
    PQfinish(dst);
    return rc;
}
