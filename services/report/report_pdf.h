/* report_pdf.h — the report as PDF: the HTML page printed by headless Chromium (an optional dependency). */
#ifndef REPORT_PDF_H
#define REPORT_PDF_H

#include <stdbool.h>

#include "fm_error.h"
#include "report.h"

/* Prints the HTML file html_path to pdf_path (A4, the page's own @page and print CSS, no browser header or
 * footer) by running chromium (a program name looked up on PATH, or a path) as a child process in its own
 * process group, with a throw-away profile, killed with its children after timeout_s seconds. FM_OK when
 * pdf_path holds a PDF. FM_EIO with err: NO_CHROMIUM (the program cannot be run: not installed), PDF_TIMEOUT,
 * PDF_FAILED (exit status or no PDF written). */
fm_status report_pdf_print(const char *chromium, const char *html_path, const char *pdf_path, int timeout_s,
                           fm_error *err);

/* Writes rep as <dir or .>/report-Y[-UNIT].pdf: prints <same>.html when keep_html (famins-report wrote it
 * already), else writes the page to a temporary <same>.print.html, prints it and removes it. Errors as
 * report_pdf_print, or FM_EIO when the page cannot be written. */
fm_status report_write_pdf(const report *rep, const char *dir, const char *chromium, int timeout_s,
                           bool keep_html, fm_error *err);

#endif
