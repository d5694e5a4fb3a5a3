/* fm_explain.h — one-line explanations of decisions, in English or Chinese, to read to a family. */
#ifndef FM_EXPLAIN_H
#define FM_EXPLAIN_H

#include "fm_claim_rules.h"
#include "fm_eligibility.h"
#include "fm_error.h"

typedef enum fm_lang { FM_LANG_EN = 0, FM_LANG_ZH } fm_lang;

/* Writes one line (no newline, no identity number; members are named by position "member 2") into
 * buf. FM_OK, or FM_EINVAL when buf is NULL/len 0 or the line was truncated (buf still holds a
 * NUL-terminated prefix, cut at a UTF-8 character boundary). */
fm_status fm_explain_enrollment(const fm_enrollment_decision *d, fm_lang lang, char *buf, size_t len);
fm_status fm_explain_claim(const fm_claim_decision *d, fm_liability liability, fm_lang lang, char *buf,
                           size_t len);

#endif
