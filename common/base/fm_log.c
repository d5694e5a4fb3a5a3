/* fm_log.c — one line per event worth logging, key=value or JSON, never an identity number. */
#include "fm_log.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <wchar.h>

static const char *level_names[] = {"debug", "info", "warn", "error"};

fm_status fm_log_level_parse(const char *text, fm_log_level *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(text, level_names[i]) == 0) {
            *out = (fm_log_level)i;
            return FM_OK;
        }
    return FM_EINVAL;
}

fm_status fm_log_format_parse(const char *text, fm_log_format *out)
{
    if (strcmp(text, "kv") == 0)
        *out = FM_LOG_KV;
    else if (strcmp(text, "json") == 0)
        *out = FM_LOG_JSON;
    else
        return FM_EINVAL;
    return FM_OK;
}

fm_status fm_logger_init(fm_logger *logger, const char *component, const char *level, const char *format,
                         FILE *out, fm_error *err)
{
    fm_logger lg = {.out = out ? out : stderr, .component = component};
    if (fm_log_level_parse(level, &lg.level) != FM_OK) {
        fm_error_set(err, "FAMINS_LOG_LEVEL", "NOT_ONE_OF",
                     "FAMINS_LOG_LEVEL=\"%s\": use debug, info, warn or error", level);
        return FM_EINVAL;
    }
    if (fm_log_format_parse(format, &lg.format) != FM_OK) {
        fm_error_set(err, "FAMINS_LOG_FORMAT", "NOT_ONE_OF", "FAMINS_LOG_FORMAT=\"%s\": use kv or json",
                     format);
        return FM_EINVAL;
    }
    *logger = lg;
    return FM_OK;
}

/* One character of text at s, in any of the forms an identity number may take in a log detail: a byte, a
 * UTF-8 sequence, or a JSON escape \uXXXX (after any number of backslashes: an escaped escape too). Sets *cp
 * to its code point (U+FFFD for a broken sequence) and returns its length in bytes (at least 1). */
static size_t char_at(const char *s, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] == '\\') {
        size_t k = 0;
        while (p[k] == '\\')
            k++;
        uint32_t v = 0;
        size_t h = 0;
        if (p[k] == 'u')
            for (; h < 4 && isxdigit(p[k + 1 + h]); h++) {
                unsigned char d = p[k + 1 + h];
                v = v * 16 + (uint32_t)(isdigit(d) ? d - '0' : (d | 0x20) - 'a' + 10);
            }
        if (h == 4) {
            *cp = v;
            return k + 5;
        }
        *cp = '\\';
        return 1;
    }
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t n = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 0;
    uint32_t v = n == 4 ? p[0] & 0x07u : n == 3 ? p[0] & 0x0Fu : p[0] & 0x1Fu;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            n = 0; /* a continuation byte missing (the NUL included): stop at the lead byte */
        else
            v = (v << 6) | (p[i] & 0x3Fu);
        if (n == 0)
            break;
    }
    *cp = n == 0 ? 0xFFFD : v;
    return n == 0 ? 1 : n;
}

/* 0-9 and the full-width digits U+FF10..FF19. */
static bool is_digit_cp(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

/* The check character X: x, X and their full-width forms U+FF38, U+FF58. */
static bool is_x_cp(uint32_t c)
{
    return c == 'X' || c == 'x' || c == 0xFF38 || c == 0xFF58;
}

/* What people put between groups of digits: a space or a dash, ASCII, ideographic (U+3000) or full-width
 * (U+FF0D). */
static bool is_separator_cp(uint32_t c)
{
    return c == ' ' || c == '-' || c == 0x3000 || c == 0xFF0D;
}

/* The plain rule: 15+ ASCII digits in a row (14 and an X/x), whatever stands before them. Run after the wider
 * pass below, so that an escape-like prefix ("\\u1101" then 14 digits) can never hide digits the plain rule
 * would have masked. */
static void mask_plain_runs(char *text)
{
    size_t i = 0;
    while (text[i] != '\0') {
        size_t start = i;
        while (isdigit((unsigned char)text[i]))
            i++;
        size_t run = i - start;
        if (run >= 14 && (text[i] == 'X' || text[i] == 'x')) {
            i++;
            run++;
        }
        if (run >= 15)
            memset(text + start, '*', i - start);
        if (i == start)
            i++;
    }
}

void fm_log_mask_identity_numbers(char *text)
{
    size_t i = 0;
    while (text[i] != '\0') {
        uint32_t cp;
        size_t len = char_at(text + i, &cp);
        if (!is_digit_cp(cp)) {
            i += len;
            continue;
        }
        /* A run of digits, in any mix of forms, groups joined by one separator each. */
        size_t start = i, end = i, digits = 0, j = i;
        for (;;) {
            len = char_at(text + j, &cp);
            if (is_digit_cp(cp)) {
                digits++;
                j += len;
                end = j;
                continue;
            }
            /* A separator counts only between two digits (the NUL after one is not a digit). */
            uint32_t next = 0;
            if (is_separator_cp(cp))
                char_at(text + j + len, &next);
            if (is_digit_cp(next)) {
                j += len;
                continue;
            }
            break;
        }
        if (digits >= 14 && is_x_cp(cp)) {
            end += len;
            digits++;
        }
        if (digits >= 15)
            memset(text + start, '*', end - start);
        i = end;
    }
    mask_plain_runs(text);
}

/* ---- The detail of one line, rendered conversion by conversion ----
 *
 * The logger formats each conversion of the format on its own, so it knows which bytes the format itself
 * wrote (the ' ', '=' and '"' that delimit fields) and which an argument wrote (an error text may hold any of
 * them), and which values are numbers. Then it reads the fields: `key=value` or `key="value"`, parted by the
 * format's spaces. Text outside any field joins the field before it (or "detail", when first). */

#define DETAIL_MAX 2048
#define PIECES_MAX 64
#define FIELDS_MAX 64

typedef enum piece_kind { PIECE_TEXT = 0, PIECE_SIGNED, PIECE_UNSIGNED, PIECE_REAL } piece_kind;

/* The bytes [start, end) one conversion wrote, and what kind of value it was. */
typedef struct piece {
    size_t start, end;
    piece_kind kind;
} piece;

typedef struct rendered {
    char text[DETAIL_MAX];
    unsigned char literal[DETAIL_MAX]; /* 1: the byte is the format's own */
    size_t len;
    int truncated;
    piece pieces[PIECES_MAX];
    size_t n_pieces;
} rendered;

typedef struct field {
    const char *key; /* into rendered.text, or "detail" */
    size_t key_len;
    size_t value_off, value_len; /* into the arena */
    piece_kind kind;             /* PIECE_TEXT unless the whole value is one numeric conversion */
    int quoted;                  /* the format quoted it, or it is more than one fragment */
} field;

typedef struct fields {
    field f[FIELDS_MAX];
    size_t n;
    char arena[2 * DETAIL_MAX]; /* the values: every byte of the detail at most once, plus joining spaces */
    size_t used;
} fields;

static int put_literal(rendered *r, char c)
{
    if (r->len + 1 >= DETAIL_MAX) {
        r->truncated = 1;
        return 0;
    }
    r->text[r->len] = c;
    r->literal[r->len] = 1;
    r->len++;
    return 1;
}

/* The spec is copied from a format the compiler has checked already (fm_log's format attribute): the
 * conversion is formatted with the argument type the spec names. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#define EMIT(value)                                                                                          \
    (nstar == 0   ? snprintf(dst, cap, spec, value)                                                          \
     : nstar == 1 ? snprintf(dst, cap, spec, stars[0], value)                                                \
                  : snprintf(dst, cap, spec, stars[0], stars[1], value))

static void render(rendered *r, const char *fmt, va_list ap)
{
    const char *f = fmt;
    while (*f != '\0' && !r->truncated) {
        if (*f != '%' || f[1] == '%') {
            put_literal(r, *f);
            f += *f == '%' ? 2 : 1;
            continue;
        }
        const char *begin = f++;
        int stars[2] = {0, 0}, nstar = 0;
        while (*f != '\0' && strchr("-+ #0'", *f) != NULL)
            f++;
        if (*f == '*') {
            stars[nstar++] = va_arg(ap, int);
            f++;
        }
        while (isdigit((unsigned char)*f))
            f++;
        if (*f == '.') {
            f++;
            if (*f == '*') {
                stars[nstar++] = va_arg(ap, int);
                f++;
            }
            while (isdigit((unsigned char)*f))
                f++;
        }
        const char *length = f;
        while (*f != '\0' && strchr("hljztLq", *f) != NULL)
            f++;
        size_t length_len = (size_t)(f - length);
        char conv = *f;
        if (conv == '\0' || (size_t)(f + 1 - begin) >= 32) { /* malformed or absurd: kept as text */
            while (begin < f)
                put_literal(r, *begin++);
            continue;
        }
        f++;
        char spec[32];
        memcpy(spec, begin, (size_t)(f - begin));
        spec[f - begin] = '\0';
        char *dst = r->text + r->len;
        size_t cap = DETAIL_MAX - r->len;
        int n = 0;
        piece_kind kind = PIECE_TEXT;
        int is_l = length_len == 1 && length[0] == 'l';
        int is_ll = (length_len == 2 && length[0] == 'l') || (length_len == 1 && length[0] == 'q');
        char lc = length_len > 0 ? length[0] : '\0';
        switch (conv) {
        case 'd':
        case 'i':
            kind = PIECE_SIGNED;
            if (is_ll)
                n = EMIT(va_arg(ap, long long));
            else if (is_l)
                n = EMIT(va_arg(ap, long));
            else if (lc == 'j')
                n = EMIT(va_arg(ap, intmax_t));
            else if (lc == 'z')
                n = EMIT(va_arg(ap, ssize_t));
            else if (lc == 't')
                n = EMIT(va_arg(ap, ptrdiff_t));
            else
                n = EMIT(va_arg(ap, int));
            break;
        case 'u':
        case 'o':
        case 'x':
        case 'X':
            kind = conv == 'u' ? PIECE_UNSIGNED : PIECE_TEXT;
            if (is_ll)
                n = EMIT(va_arg(ap, unsigned long long));
            else if (is_l)
                n = EMIT(va_arg(ap, unsigned long));
            else if (lc == 'j')
                n = EMIT(va_arg(ap, uintmax_t));
            else if (lc == 'z')
                n = EMIT(va_arg(ap, size_t));
            else if (lc == 't')
                n = EMIT(va_arg(ap, ptrdiff_t));
            else
                n = EMIT(va_arg(ap, unsigned));
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A':
            kind = strchr("aA", conv) != NULL ? PIECE_TEXT : PIECE_REAL;
            if (lc == 'L')
                n = EMIT(va_arg(ap, long double));
            else
                n = EMIT(va_arg(ap, double));
            break;
        case 'c': n = is_l ? EMIT((wint_t)va_arg(ap, wint_t)) : EMIT(va_arg(ap, int)); break;
        case 's': n = is_l ? EMIT(va_arg(ap, const wchar_t *)) : EMIT(va_arg(ap, const char *)); break;
        case 'p': n = EMIT(va_arg(ap, void *)); break;
        case 'n':
            (void)va_arg(ap, void *); /* never written through: a log line reports nothing back */
            break;
        default: /* not a conversion printf knows: the text as it stands */
            while (begin < f)
                put_literal(r, *begin++);
            continue;
        }
        if (n < 0)
            n = 0;
        size_t wrote = (size_t)n < cap ? (size_t)n : cap - 1;
        if ((size_t)n >= cap) { /* cut: a number's first digits are no number of the logger's */
            r->truncated = 1;
            kind = PIECE_TEXT;
        }
        memset(r->literal + r->len, 0, wrote);
        if (r->n_pieces < PIECES_MAX)
            r->pieces[r->n_pieces++] = (piece){r->len, r->len + wrote, kind};
        r->len += wrote;
    }
    r->text[r->len] = '\0';
}
#undef EMIT
#pragma GCC diagnostic pop

/* A detail cut at the buffer's end may end inside a UTF-8 character: drop the partial character, so that a
 * line stays valid UTF-8 (a log shipper would reject the whole line). */
static void trim_partial_utf8(char *s, size_t len)
{
    size_t start = len;
    while (start > 0 && len - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && len - (start - 1) < need)
        s[start - 1] = '\0';
}

static int is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* A value's kind: a number only when one numeric conversion wrote all of it and the mask left it alone. */
static piece_kind value_kind(const rendered *r, size_t start, size_t end)
{
    if (end == start || memchr(r->text + start, '*', end - start) != NULL)
        return PIECE_TEXT;
    for (size_t i = 0; i < r->n_pieces; i++)
        if (r->pieces[i].start == start && r->pieces[i].end == end)
            return r->pieces[i].kind;
    return PIECE_TEXT;
}

static void split_fields(const rendered *r, fields *out)
{
    const char *t = r->text;
    size_t len = r->len, p = 0;
    out->n = 0;
    out->used = 0;
    while (p < len) {
        if (r->literal[p] && t[p] == ' ') {
            p++;
            continue;
        }
        size_t k = p;
        while (k < len && is_key_char(t[k]))
            k++;
        int has_key = k > p && k < len && t[k] == '=' && out->n < FIELDS_MAX;
        size_t vs = has_key ? k + 1 : p, ve, next;
        int quoted = 0;
        if (vs < len && r->literal[vs] && t[vs] == '"') {
            quoted = 1;
            ve = ++vs;
            while (ve < len && !(r->literal[ve] && t[ve] == '"'))
                ve++;
            next = ve < len ? ve + 1 : ve;
        } else {
            ve = vs;
            while (ve < len && !(r->literal[ve] && t[ve] == ' '))
                ve++;
            next = ve;
        }
        if (has_key || out->n == 0) {
            field *f = &out->f[out->n++];
            f->key = has_key ? t + p : "detail";
            f->key_len = has_key ? k - p : strlen("detail");
            f->value_off = out->used;
            f->value_len = 0;
            f->kind = has_key && !quoted ? value_kind(r, vs, ve) : PIECE_TEXT;
            f->quoted = quoted;
        } else { /* a fragment outside any field: part of the value before it */
            field *f = &out->f[out->n - 1];
            out->arena[out->used++] = ' ';
            f->value_len++;
            f->kind = PIECE_TEXT;
            f->quoted = 1;
        }
        field *f = &out->f[out->n - 1];
        memcpy(out->arena + out->used, t + vs, ve - vs);
        out->used += ve - vs;
        f->value_len += ve - vs;
        p = next;
    }
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t need = s[0] >= 0xC2 && s[0] <= 0xDF   ? 2
                  : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
                  : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                 : 0;
    if (need == 0 || need > n)
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) || (s[0] == 0xF0 && s[1] < 0x90) ||
        (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return need;
}

/* A JSON string of s[0..n): bytes that are not UTF-8 become U+FFFD (jansson refuses them, and so would a log
 * shipper). NULL when out of memory. */
static json_t *json_text(const char *s, size_t n)
{
    char *clean = malloc(3 * n + 1);
    if (clean == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_sequence((const unsigned char *)s + i, n - i);
        if (k == 0) {
            memcpy(clean + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        } else {
            memcpy(clean + o, s + i, k);
            o += k;
            i += k;
        }
    }
    json_t *v = json_stringn(clean, o);
    free(clean);
    return v;
}

/* A field's JSON value: its number when the logger knows it is one, else its text. */
static json_t *json_value(const field *f, const char *value)
{
    char buf[64];
    if (f->kind != PIECE_TEXT && f->value_len < sizeof buf) {
        memcpy(buf, value, f->value_len);
        buf[f->value_len] = '\0';
        char *end = NULL;
        errno = 0;
        if (f->kind == PIECE_SIGNED) {
            long long v = strtoll(buf, &end, 10);
            if (errno == 0 && end != buf && *end == '\0')
                return json_integer(v);
        } else if (f->kind == PIECE_UNSIGNED) {
            unsigned long long v = strtoull(buf, &end, 10);
            if (errno == 0 && end != buf && *end == '\0' && v <= (unsigned long long)LLONG_MAX &&
                strchr(buf, '-') == NULL)
                return json_integer((json_int_t)v);
        } else {
            double v = strtod(buf, &end);
            if (errno == 0 && end != buf && *end == '\0' && isfinite(v))
                return json_real(v);
        }
    }
    return json_text(value, f->value_len);
}

/* Sets key (made unique with _2, _3, ... when the line has it already: ts, level, component, event or a
 * repeated field). Takes the reference to v. 0 when out of memory. */
static int json_set_unique(json_t *obj, const char *key, size_t key_len, json_t *v)
{
    if (v == NULL)
        return 0;
    char name[DETAIL_MAX + 8];
    snprintf(name, sizeof name, "%.*s", (int)key_len, key);
    for (int i = 2; json_object_get(obj, name) != NULL && i < 1000; i++)
        snprintf(name, sizeof name, "%.*s_%d", (int)key_len, key, i);
    return json_object_set_new(obj, name, v) == 0;
}

static char *json_line(const char *ts, const char *level, const char *component, const char *event,
                       const rendered *r, const fields *fs)
{
    json_t *o = json_object();
    int ok = o != NULL && json_set_unique(o, "ts", 2, json_string(ts)) &&
             json_set_unique(o, "level", 5, json_string(level)) &&
             json_set_unique(o, "component", 9, json_text(component, strlen(component))) &&
             json_set_unique(o, "event", 5, json_text(event, strlen(event)));
    for (size_t i = 0; ok && i < fs->n; i++) {
        const field *f = &fs->f[i];
        ok = json_set_unique(o, f->key, f->key_len, json_value(f, fs->arena + f->value_off));
    }
    if (ok && r->truncated)
        ok = json_set_unique(o, "truncated", 9, json_true());
    char *line = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return line;
}

/* kv: a value is quoted when the format quoted it or it holds a space or a quote; inside quotes '"' and '\'
 * are escaped with a backslash. Control characters are written as \xNN everywhere, so a newline can never
 * forge a second line. */
static void kv_value(FILE *out, const char *v, size_t n, int quoted)
{
    int quote = quoted || memchr(v, ' ', n) != NULL || memchr(v, '"', n) != NULL;
    if (quote)
        fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else if (quote && (c == '"' || c == '\\'))
            fprintf(out, "\\%c", c);
        else
            fputc(c, out);
    }
    if (quote)
        fputc('"', out);
}

static char *kv_line(const char *ts, const char *level, const char *component, const char *event,
                     const rendered *r, const fields *fs)
{
    char *line = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&line, &size);
    if (out == NULL)
        return NULL;
    fprintf(out, "ts=%s level=%s component=", ts, level);
    kv_value(out, component, strlen(component), 0);
    fputs(" event=", out);
    kv_value(out, event, strlen(event), 0);
    for (size_t i = 0; i < fs->n; i++) {
        const field *f = &fs->f[i];
        fprintf(out, " %.*s=", (int)f->key_len, f->key);
        kv_value(out, fs->arena + f->value_off, f->value_len, f->quoted);
    }
    if (r->truncated)
        fputs(" truncated=true", out);
    if (fclose(out) != 0) {
        free(line);
        return NULL;
    }
    return line;
}

void fm_log(const fm_logger *logger, fm_log_level level, const char *event, const char *fmt, ...)
{
    if (logger == NULL || level < logger->level)
        return;
    /* On the stack: librdkafka's threads log through here too, at the same time as the program. */
    rendered r;
    r.len = 0;
    r.truncated = 0;
    r.n_pieces = 0;
    va_list ap;
    va_start(ap, fmt);
    render(&r, fmt, ap);
    va_end(ap);
    if (r.truncated) {
        trim_partial_utf8(r.text, r.len);
        r.len = strlen(r.text);
    }
    fm_log_mask_identity_numbers(r.text);
    fields fs;
    split_fields(&r, &fs);

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm utc;
    gmtime_r(&now.tv_sec, &utc);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
             utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, now.tv_nsec / 1000000);
    const char *component = logger->component ? logger->component : "famins";
    FILE *out = logger->out ? logger->out : stderr;

    char *line = logger->format == FM_LOG_JSON ? json_line(ts, level_names[level], component, event, &r, &fs)
                                               : kv_line(ts, level_names[level], component, event, &r, &fs);
    /* One stdio call per line: stdio locks the stream for it, so lines of two threads never interleave. */
    if (line != NULL)
        fprintf(out, "%s\n", line);
    else if (logger->format == FM_LOG_JSON)
        fprintf(out,
                "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"log_line_lost\",\"reason\":\"out of memory\"}\n",
                ts, level_names[level]);
    else
        fprintf(out, "ts=%s level=%s event=log_line_lost reason=\"out of memory\"\n", ts, level_names[level]);
    free(line);
    fflush(out);
}
