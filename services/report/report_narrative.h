/* report_narrative.h — the report's few sentences in Chinese and English: the year's main figures and each
 * problem. */
#ifndef REPORT_NARRATIVE_H
#define REPORT_NARRATIVE_H

#include <stdbool.h>

#include "fm_error.h"
#include "report.h"

/* Writes the narrative of rep (a loaded report) in Chinese (chinese) or English into a new string *out the
 * caller frees. Every figure is the one of the summary, comparison and problems tables (never computed again
 * here); a figure without a value (no premium, no previous year) is said to be missing, not written as 0.
 * FM_ENOMEM. */
fm_status report_narrative(const report *rep, bool chinese, char **out);

#endif
