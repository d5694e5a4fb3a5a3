/* report_labels.h — Chinese and English labels of the codes the report shows (liabilities, roles,
 * signals...). */
#ifndef REPORT_LABELS_H
#define REPORT_LABELS_H

#include <stdbool.h>

#include "report_format.h"

/* What kind of code a label is asked for. */
typedef enum report_code_kind {
    REPORT_CODE_LIABILITY = 0, /* death, critical_illness, ... */
    REPORT_CODE_ROLE,          /* child, parent, guardian, unknown */
    REPORT_CODE_CATEGORY,      /* A, B */
    REPORT_CODE_REASON,        /* decision reason codes (fm_reasons) */
    REPORT_CODE_SIGNAL,        /* fraud signal codes */
    REPORT_CODE_INDICATOR,     /* the indicators of "problems found" */
    REPORT_CODE_MEASURE        /* percent, permille, days, yuan (report_measure_code) */
} report_code_kind;

/* The language of a text: English, Chinese, or both side by side (the tables' cells). */
typedef enum report_lang { REPORT_LANG_EN = 0, REPORT_LANG_ZH, REPORT_LANG_BOTH } report_lang;

/* The label of code in Chinese (chinese) or English; NULL when the code is unknown (the caller shows the
 * code). The string is static. */
const char *report_label(report_code_kind kind, const char *code, bool chinese);

/* What follows a number of measure m in lang ("%", "天", " days", " 元 yuan"). The string is static. */
const char *report_measure_unit(report_measure m, report_lang lang);

/* The liabilities in the order of the policy document (for charts that show every liability, paid or not). */
extern const char *const report_liability_codes[5];

#endif
