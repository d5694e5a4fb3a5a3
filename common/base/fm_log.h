/* fm_log.h — one line per event worth logging, key=value or JSON, never an identity number. */
#ifndef FM_LOG_H
#define FM_LOG_H

#include <stdio.h>

#include "fm_error.h"

typedef enum fm_log_level { FM_LOG_DEBUG = 0, FM_LOG_INFO, FM_LOG_WARN, FM_LOG_ERROR } fm_log_level;
typedef enum fm_log_format { FM_LOG_KV = 0, FM_LOG_JSON } fm_log_format;

/* A logger is plain data (no global state): each program keeps one and passes it down. */
typedef struct fm_logger {
    fm_log_level level;
    fm_log_format format;
    FILE *out;             /* not owned; stderr by default */
    const char *component; /* not owned; e.g. "eligibility" */
} fm_logger;

/* Parses "debug|info|warn|error" and "kv|json"; FM_EINVAL on anything else. */
fm_status fm_log_level_parse(const char *text, fm_log_level *out);
fm_status fm_log_format_parse(const char *text, fm_log_format *out);

/* Sets up a logger from FAMINS_LOG_LEVEL / FAMINS_LOG_FORMAT values. */
fm_status fm_logger_init(fm_logger *logger, const char *component, const char *level, const char *format,
                         FILE *out, fm_error *err);

/* Logs `event` with printf-style key=value details, e.g.
 *   fm_log(lg, FM_LOG_INFO, "batch_committed", "partition=%d messages=%d error=\"%s\"", p, n, text);
 * Writes: `ts=... level=info component=x event=batch_committed partition=3 messages=500 error="..."`, or in
 * JSON one object a line with every field its own key:
 * `{"ts":"...","level":"info","component":"x","event":"batch_committed","partition":3,"messages":500,...}`.
 * Fields are `key=value` (up to the format's next space) or `key="value"` (up to the format's next quote):
 * only the format's own spaces and quotes delimit, never an argument's. A value one numeric conversion wrote
 * (%d, %u, %lld, %zu, %f, ...) is a JSON number; everything else a string (bytes that are not UTF-8 become
 * U+FFFD). Text outside any field joins the field before it ("detail" when it comes first); a key the line
 * has already (ts, level, component, event, a repeated one) gets a suffix _2, _3, ... In kv a value is quoted
 * when the format quoted it or it holds a space or a quote (the component and event too), with '"' and '\'
 * escaped inside the quotes, and control characters are \xNN (JSON: \u00NN), so a line stays one event. The
 * detail is cut at 2047 bytes on a character boundary (the line then says truncated=true). Any run of 15 or
 * more digits (see fm_log_mask_identity_numbers) in the details is masked as a safety net, so an identity
 * number that slipped into a message never reaches the log. Thread-safe (librdkafka's threads log through
 * it): one stdio call writes a line. */
void fm_log(const fm_logger *logger, fm_log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Masks identity-number-like runs in place with '*' (byte for byte, so UTF-8 stays valid): 15 or more
 * digits, optionally ending in an X, where a digit is ASCII, full-width (U+FF10..FF19) or a JSON escape
 * (\u0031, \uff11, also escaped again), the X is X/x, full-width or escaped, and groups of digits may be
 * joined by single spaces or dashes (ASCII, U+3000, U+FF0D, or escaped): "110105 19491231 002X",
 * "1101-0519-4912-3100-2X". Shorter numbers and groups parted by two separators stay as they are. Used by
 * fm_log and by the runtime on dead-letter texts. */
void fm_log_mask_identity_numbers(char *text);

#endif
