/* report_export.h — data sharing (共享参保理赔信息): one managing unit's plan year as CSV files, a manifest
 * and sha256sum-compatible checksums, for the district association. */
#ifndef REPORT_EXPORT_H
#define REPORT_EXPORT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "fm_error.h"

/* The files an export writes into its folder, besides the CSV files named after their tables. */
#define REPORT_EXPORT_MANIFEST "manifest.json"
#define REPORT_EXPORT_SUMS "SHA256SUMS"

typedef struct report_export_request {
    int plan_year;
    const char *unit;  /* the managing unit (required) */
    const char *dir;   /* created when missing */
    bool bom;          /* a UTF-8 byte-order mark at the start of each CSV file (Excel) */
    const char *login; /* the role that exported, for the manifest */
} report_export_request;

/* Writes enrollment_decisions.csv, insured_persons.csv, claims.csv and claim_decisions.csv (from the
 * famins_report.share_* views, one read-only repeatable-read snapshot, rows of req->plan_year and req->unit
 * only), then manifest.json (files, rows, sha256, plan year, unit, generated at, famins version) and
 * SHA256SUMS (every CSV and the manifest; `sha256sum -c SHA256SUMS` checks them). The manifest and sums of an
 * earlier export in dir are removed first, so that a failed export never looks complete. FM_EDB (err: the
 * server's message), FM_EIO (err: the file), FM_ENOMEM. *rows_out (may be NULL) receives the total data rows.
 */
fm_status report_export_write(PGconn *conn, const report_export_request *req, long long *rows_out,
                              fm_error *err);

#endif
