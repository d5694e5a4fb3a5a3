/* report_export.c — data sharing (共享参保理赔信息): one managing unit's plan year as CSV files, a manifest
 * and sha256sum-compatible checksums, for the district association. */
#include "report_export.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fm_cli.h"
#include "fm_pg.h"
#include "fm_sha256.h"
#include "report_format.h"

/* The tables shared, each from its view, in a stable order (so that two exports of the same data are equal).
 */
static const struct {
    const char *file;
    const char *view;
    const char *order;
} tables[] = {
    {"enrollment_decisions.csv", "famins_report.share_enrollment_decisions", "decision_id"},
    {"insured_persons.csv", "famins_report.share_insured_persons", "policy_number, member_index"},
    {"claims.csv", "famins_report.share_claims", "claim_id"},
    {"claim_decisions.csv", "famins_report.share_claim_decisions", "decision_id"},
};
#define TABLE_COUNT (sizeof tables / sizeof tables[0])

typedef struct written {
    long long rows;
    long long bytes;
    char sha256[FM_SHA256_HEX_LEN];
} written;

static void join_path(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

/* Writes data to f and into the running digest. */
static int put(FILE *f, fm_sha256 *sha, const void *data, size_t len)
{
    fm_sha256_update(sha, data, len);
    return fwrite(data, 1, len, f) == len ? 0 : -1;
}

/* COPY (query) TO STDOUT as CSV with its header into path: every row counted and hashed. */
static fm_status copy_table(PGconn *conn, const char *query, const char *path, bool bom, written *out,
                            fm_error *err)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fm_error_set(err, path, "UNWRITABLE", "cannot write %s: %s", path, strerror(errno));
        return FM_EIO;
    }
    fm_sha256 sha;
    if (fm_sha256_init(&sha) != FM_OK) {
        fclose(f);
        fm_error_set(err, path, "NO_MEMORY", "out of memory starting the digest of %s", path);
        return FM_ENOMEM;
    }
    written w = {0};
    int io = bom ? put(f, &sha, REPORT_UTF8_BOM, 3) : 0;
    w.bytes = bom ? 3 : 0;
    fm_status st = FM_OK;
    PGresult *res = PQexec(conn, query);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        fm_error_set(err, path, "COPY", "%s", PQerrorMessage(conn));
        PQclear(res);
        fclose(f);
        fm_sha256_free(&sha);
        return FM_EDB;
    }
    PQclear(res);
    char *buf = NULL;
    int n;
    long long lines = 0;
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
        /* One call returns one row of the COPY (the first is the header). */
        if (io == 0)
            io = put(f, &sha, buf, (size_t)n);
        w.bytes += n;
        lines++;
        PQfreemem(buf);
    }
    if (n == -2)
        st = FM_EDB;
    while ((res = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            st = FM_EDB;
        PQclear(res);
    }
    if (st != FM_OK)
        fm_error_set(err, path, "COPY", "%s", PQerrorMessage(conn));
    if (fclose(f) != 0)
        io = -1;
    if (st == FM_OK && io != 0) {
        fm_error_set(err, path, "WRITE_FAILED", "writing %s failed", path);
        st = FM_EIO;
    }
    unsigned char digest[FM_SHA256_LEN];
    fm_status dst = fm_sha256_final(&sha, digest); /* frees the digest on every path */
    if (st == FM_OK && dst != FM_OK) {
        fm_error_set(err, path, "NO_MEMORY", "out of memory computing the digest of %s", path);
        st = dst;
    }
    if (st != FM_OK)
        return st;
    fm_sha256_to_hex(digest, w.sha256);
    w.rows = lines > 0 ? lines - 1 : 0;
    *out = w;
    return FM_OK;
}

static fm_status write_text(const char *path, const char *text, fm_error *err)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fm_error_set(err, path, "UNWRITABLE", "cannot write %s: %s", path, strerror(errno));
        return FM_EIO;
    }
    size_t len = strlen(text);
    int bad = fwrite(text, 1, len, f) != len;
    if (fclose(f) != 0 || bad) {
        fm_error_set(err, path, "WRITE_FAILED", "writing %s failed", path);
        return FM_EIO;
    }
    return FM_OK;
}

/* The manifest as JSON text (caller frees), NULL when out of memory. */
static char *manifest_text(const report_export_request *req, const char *generated_at, const written *w)
{
    json_t *files = json_array();
    json_t *root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s, s:b, s:b, s:s, s:s, s:s}, s:s, s:o}",
                             "format", "famins-share-1", "plan_year", req->plan_year, "managing_unit",
                             req->unit, "generated_at", generated_at, "famins_version", fm_cli_version(),
                             "exported_by", req->login ? req->login : "", "csv", "encoding", "UTF-8", "bom",
                             req->bom, "header", 1, "money", "integer fen, in the columns named *_fen",
                             "lists", "codes separated by ';'", "timestamps",
                             "YYYY-MM-DD HH:MM:SS[.ffffff]+08 (Asia/Shanghai); booleans t or f", "person_ref",
                             "the person's key: HMAC-SHA256 of the identity number under the insurer's "
                             "secret ('<key id>:<hex>'); the "
                             "same person has the same reference in every file and year under one key; it "
                             "cannot be turned back into "
                             "an identity number",
                             "files", files);
    if (root == NULL)
        return NULL;
    for (size_t i = 0; i < TABLE_COUNT; i++)
        if (json_array_append_new(files, json_pack("{s:s, s:I, s:I, s:s}", "name", tables[i].file, "rows",
                                                   (json_int_t)w[i].rows, "bytes", (json_int_t)w[i].bytes,
                                                   "sha256", w[i].sha256)) != 0) {
            json_decref(root);
            return NULL;
        }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (text == NULL)
        return NULL;
    size_t len = strlen(text);
    char *with_newline = realloc(text, len + 2);
    if (with_newline == NULL) {
        free(text);
        return NULL;
    }
    memcpy(with_newline + len, "\n", 2);
    return with_newline;
}

fm_status report_export_write(PGconn *conn, const report_export_request *req, long long *rows_out,
                              fm_error *err)
{
    char path[1024];
    if (mkdir(req->dir, 0755) != 0 && errno != EEXIST) {
        fm_error_set(err, req->dir, "UNWRITABLE", "cannot create %s: %s", req->dir, strerror(errno));
        return FM_EIO;
    }
    /* An earlier export's manifest and sums go first: until the new ones are written the folder is
     * incomplete. */
    const char *finals[] = {REPORT_EXPORT_SUMS, REPORT_EXPORT_MANIFEST};
    for (size_t i = 0; i < 2; i++) {
        join_path(path, sizeof path, req->dir, finals[i]);
        if (unlink(path) != 0 && errno != ENOENT) {
            fm_error_set(err, path, "UNWRITABLE", "cannot replace %s: %s", path, strerror(errno));
            return FM_EIO;
        }
    }
    char generated_at[32];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(generated_at, sizeof generated_at, "%Y-%m-%dT%H:%M:%SZ", &utc);

    char *unit = PQescapeLiteral(conn, req->unit, strlen(req->unit));
    if (unit == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
        return FM_ENOMEM;
    }
    written w[TABLE_COUNT];
    memset(w, 0, sizeof w);
    fm_status st = fm_pg_exec(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (st == FM_OK)
        st = fm_pg_exec(conn, "SET LOCAL TimeZone = 'Asia/Shanghai'", err);
    for (size_t i = 0; i < TABLE_COUNT && st == FM_OK; i++) {
        char query[512];
        snprintf(query, sizeof query,
                 "COPY (SELECT * FROM %s WHERE plan_year = %d AND managing_unit = %s ORDER BY %s)"
                 " TO STDOUT WITH (FORMAT csv, HEADER true)",
                 tables[i].view, req->plan_year, unit, tables[i].order);
        join_path(path, sizeof path, req->dir, tables[i].file);
        st = copy_table(conn, query, path, req->bom, &w[i], err);
    }
    PQfreemem(unit);
    if (st == FM_OK)
        st = fm_pg_exec(conn, "COMMIT", err);
    if (st != FM_OK) {
        if (PQtransactionStatus(conn) != PQTRANS_IDLE)
            PQclear(PQexec(conn, "ROLLBACK"));
        return st;
    }

    char *manifest = manifest_text(req, generated_at, w);
    if (manifest == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory writing the manifest");
        return FM_ENOMEM;
    }
    char manifest_sha[FM_SHA256_HEX_LEN];
    if (fm_sha256_hex(manifest, strlen(manifest), manifest_sha) != FM_OK) {
        free(manifest);
        fm_error_set(err, "", "NO_MEMORY", "out of memory computing the manifest's digest");
        return FM_ENOMEM;
    }
    join_path(path, sizeof path, req->dir, REPORT_EXPORT_MANIFEST);
    st = write_text(path, manifest, err);
    free(manifest);
    if (st != FM_OK)
        return st;
    /* sha256sum's own format: the hex digest, two spaces (text mode), the file name, a newline. */
    char sums[TABLE_COUNT * 128 + 128];
    size_t used = 0;
    long long rows = 0;
    for (size_t i = 0; i < TABLE_COUNT; i++) {
        used += (size_t)snprintf(sums + used, sizeof sums - used, "%s  %s\n", w[i].sha256, tables[i].file);
        rows += w[i].rows;
    }
    snprintf(sums + used, sizeof sums - used, "%s  %s\n", manifest_sha, REPORT_EXPORT_MANIFEST);
    join_path(path, sizeof path, req->dir, REPORT_EXPORT_SUMS);
    if ((st = write_text(path, sums, err)) != FM_OK)
        return st;
    if (rows_out != NULL)
        *rows_out = rows;
    return FM_OK;
}
