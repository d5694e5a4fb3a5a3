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
/* An explanation line's buffer: at most 959 bytes (so at most 959 characters) and the NUL, within the 1000
 * characters the event schemas allow (schemas/events/envelope.schema.json, $defs/explanation). */
#define FM_EXPLANATION_LEN 960

/* The two lines of one decision, built once: its record and its event carry exactly these. */
typedef struct fm_explanation {
    char en[FM_EXPLANATION_LEN];
    char zh[FM_EXPLANATION_LEN];
} fm_explanation;

/* Both lines of an enrollment decision into *out. A line longer than the buffer is cut at a character
 * boundary (it is for people only: not an error); a line that came out empty is "-" (the schemas' minLength
 * 1; fm_explain_enrollment writes one only for a NULL d). */
void fm_explain_enrollment_both(const fm_enrollment_decision *d, fm_explanation *out);
fm_status fm_explain_claim(const fm_claim_decision *d, fm_liability liability, fm_lang lang, char *buf,
                           size_t len);
/* Both lines of a claim decision into *out, as fm_explain_enrollment_both: cut at a character boundary when
 * longer than the buffer, "-" when empty. */
void fm_explain_claim_both(const fm_claim_decision *d, fm_liability liability, fm_explanation *out);

#endif
