/* fm_canon.c — compact JSON as jansson writes it, into SHA-256 (the content hash) or a text (the encoders).
 */
#include "fm_canon.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Why not json_dumps: for every consumed event it builds the text in a growing buffer, copies it, and per
 * object and array formats the node's address with snprintf into a hash table (its loop check) and allocates
 * a key array for qsort. That was about half of famins-subsidy's CPU (tests/bench/README.md, "CPU profile").
 * A parsed tree has no loops, and the text itself is not needed: only its digest. */

typedef struct canon {
    fm_sha256 sha; /* where full buffers go when text is NULL */
    char *text;    /* else here: fm_canon_dumps' result, text_len bytes of text_cap */
    size_t text_len, text_cap;
    bool sort_keys;
    size_t len;       /* bytes in buf not yet passed on */
    bool unsupported; /* a real number or nesting too deep: the caller hashes json_dumps' text instead */
    bool failed;      /* out of memory */
    char buf[4096];
} canon;

typedef struct member {
    const char *key;
    size_t key_len;
    json_t *value;
} member;

/* Passes n bytes on: to the digest, or to the end of the text. */
static void emit(canon *c, const char *s, size_t n)
{
    if (c->text == NULL) {
        fm_sha256_update(&c->sha, s, n);
        return;
    }
    if (c->text_cap - c->text_len <= n) {
        size_t cap = c->text_cap * 2 > c->text_len + n + 1 ? c->text_cap * 2 : c->text_len + n + 1;
        char *grown = realloc(c->text, cap);
        if (grown == NULL) {
            c->failed = true;
            return;
        }
        c->text = grown;
        c->text_cap = cap;
    }
    memcpy(c->text + c->text_len, s, n);
    c->text_len += n;
    c->text[c->text_len] = '\0';
}

static void flush(canon *c)
{
    emit(c, c->buf, c->len);
    c->len = 0;
}

static void put(canon *c, const char *s, size_t n)
{
    if (n > sizeof c->buf - c->len) {
        flush(c);
        if (n > sizeof c->buf) {
            emit(c, s, n);
            return;
        }
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
}

static void put_char(canon *c, char ch)
{
    if (c->len == sizeof c->buf)
        flush(c);
    c->buf[c->len++] = ch;
}

/* A string as jansson writes it without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH: only '"', '\\' and the
 * control characters are escaped (bytes of multi-byte UTF-8 sequences are all >= 0x80). */
static void put_string(canon *c, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    put_char(c, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        put(c, s + run, i - run);
        char esc[6] = {'\\', (char)ch, 0, 0, 0, 0};
        size_t len = 2;
        switch (ch) {
        case '"':
        case '\\': break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = esc[3] = '0';
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 0x0f];
            len = 6;
        }
        put(c, esc, len);
        run = i + 1;
    }
    put(c, s + run, n - run);
    put_char(c, '"');
}

static void put_integer(canon *c, json_int_t v)
{
    char text[24];
    size_t at = sizeof text;
    /* In unsigned arithmetic, so that the most negative value has a magnitude too. */
    unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        text[--at] = (char)('0' + m % 10);
        m /= 10;
    } while (m > 0);
    if (v < 0)
        text[--at] = '-';
    put(c, text + at, sizeof text - at);
}

/* jansson's key order: bytewise over the common length, then the shorter key first. */
static bool key_before(const member *a, const member *b)
{
    size_t common = a->key_len < b->key_len ? a->key_len : b->key_len;
    int r = memcmp(a->key, b->key, common);
    return r != 0 ? r < 0 : a->key_len < b->key_len;
}

static void put_value(canon *c, const json_t *v, int depth);

static void put_object(canon *c, const json_t *o, int depth)
{
    member local[32], *members = local;
    size_t n = json_object_size(o), i = 0;
    if (n > sizeof local / sizeof local[0] && (members = malloc(n * sizeof *members)) == NULL) {
        c->failed = true;
        return;
    }
    for (void *it = json_object_iter((json_t *)o); it != NULL && i < n;
         it = json_object_iter_next((json_t *)o, it), i++) {
        member m = {json_object_iter_key(it), json_object_iter_key_len(it), json_object_iter_value(it)};
        /* Insertion sort: an event's objects have a few dozen keys at most. Unsorted: jansson's iteration
         * order, which json_dumps writes too (the order the keys were set in). */
        size_t at = i;
        while (c->sort_keys && at > 0 && key_before(&m, &members[at - 1])) {
            members[at] = members[at - 1];
            at--;
        }
        members[at] = m;
    }
    put_char(c, '{');
    for (size_t k = 0; k < i && !c->failed && !c->unsupported; k++) {
        if (k > 0)
            put_char(c, ',');
        put_string(c, members[k].key, members[k].key_len);
        put_char(c, ':');
        put_value(c, members[k].value, depth + 1);
    }
    put_char(c, '}');
    if (members != local)
        free(members);
}

static void put_value(canon *c, const json_t *v, int depth)
{
    if (depth > FM_CANON_MAX_DEPTH) {
        c->unsupported = true;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: put_object(c, v, depth); break;
    case JSON_ARRAY:
        put_char(c, '[');
        for (size_t i = 0; i < json_array_size(v) && !c->failed && !c->unsupported; i++) {
            if (i > 0)
                put_char(c, ',');
            put_value(c, json_array_get(v, i), depth + 1);
        }
        put_char(c, ']');
        break;
    case JSON_STRING: put_string(c, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: put_integer(c, json_integer_value(v)); break;
    case JSON_TRUE: put(c, "true", 4); break;
    case JSON_FALSE: put(c, "false", 5); break;
    case JSON_NULL: put(c, "null", 4); break;
    default: c->unsupported = true; /* JSON_REAL: jansson's own number formatting */
    }
}

/* The digest of json_dumps' own text: for the trees put_value does not cover. */
static fm_status via_dumps(const json_t *root, uint8_t out[FM_SHA256_LEN])
{
    char *text = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL)
        return FM_ENOMEM;
    fm_status st = fm_sha256_digest(text, strlen(text), out);
    free(text);
    return st;
}

fm_status fm_canon_sha256(const json_t *root, uint8_t out[FM_SHA256_LEN])
{
    if (root == NULL)
        return FM_ENOMEM; /* as json_dumps(NULL) */
    /* On the stack: a heap block this large per event would make malloc consolidate its free lists. */
    canon state = {.sort_keys = true}, *c = &state;
    fm_status st = fm_sha256_init(&c->sha);
    if (st == FM_OK)
        put_value(c, root, 0);
    if (st == FM_OK && !c->failed && !c->unsupported) {
        flush(c);
        st = fm_sha256_final(&c->sha, out);
    } else {
        fm_sha256_free(&c->sha);
        st = st != FM_OK || c->failed ? FM_ENOMEM : via_dumps(root, out);
    }
    return st;
}

fm_status fm_canon_dumps(const json_t *root, bool sort_keys, char **out)
{
    *out = NULL;
    if (root == NULL)
        return FM_ENOMEM;
    canon state = {.sort_keys = sort_keys, .text_cap = 1024}, *c = &state;
    if ((c->text = malloc(c->text_cap)) == NULL)
        return FM_ENOMEM;
    c->text[0] = '\0';
    put_value(c, root, 0);
    if (!c->failed && !c->unsupported)
        flush(c);
    if (c->failed || c->unsupported) {
        free(c->text);
        if (c->failed)
            return FM_ENOMEM;
        *out = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY | (sort_keys ? JSON_SORT_KEYS : 0));
        return *out != NULL ? FM_OK : FM_ENOMEM;
    }
    *out = c->text;
    return FM_OK;
}
