/* wg_corrupt.c — the five kinds of unreadable message, applied to a serialised event. */
#include "wg_corrupt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *const wg_unreadable_ids[WG_U_COUNT] = {"INVALID_JSON", "INVALID_UTF8", "SCHEMA_VIOLATION",
                                                   "UNKNOWN_SCHEMA_VERSION", "MESSAGE_TOO_LARGE"};

/* Replaces the first `from` in *buf by to_len bytes of `to` (a fresh buffer); false if absent or no memory.
 */
static bool replace_once(char **buf, size_t *len, const char *from, const char *to, size_t to_len)
{
    char *at = strstr(*buf, from);
    if (at == NULL)
        return false;
    size_t from_len = strlen(from), pre = (size_t)(at - *buf);
    size_t n = *len - from_len + to_len;
    char *out = malloc(n + 1);
    if (out == NULL)
        return false;
    memcpy(out, *buf, pre);
    memcpy(out + pre, to, to_len);
    memcpy(out + pre + to_len, at + from_len, *len - pre - from_len);
    out[n] = '\0';
    free(*buf);
    *buf = out;
    *len = n;
    return true;
}

fm_status wg_corrupt(json_t *o, wg_unreadable kind, size_t max_bytes, wg_rng *r, char **out, size_t *len)
{
    if (kind == WG_U_SCHEMA_VERSION)
        json_object_set_new(o, "schema_version", json_integer(2));
    char *text = json_dumps(o, JSON_COMPACT);
    if (text == NULL)
        return FM_ENOMEM;
    size_t n = strlen(text);
    fm_status st = FM_OK;
    if (kind == WG_U_INVALID_JSON) {
        n = n / 2 + wg_rng_below(r, (uint32_t)(n / 4));
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--; /* on a character boundary: still valid UTF-8, so the only fault is the JSON */
        text[n] = '\0';
    } else if (kind == WG_U_INVALID_UTF8) {
        /* 王 then two bytes that never occur in UTF-8, then a lead byte without its continuation */
        if (!replace_once(&text, &n, WG_BAD_UTF8_MARKER, "\xe7\x8e\x8b\xff\xfe\xc3\x28", 7))
            st = strstr(text, WG_BAD_UTF8_MARKER) == NULL ? FM_EINVAL : FM_ENOMEM;
    } else if (kind == WG_U_TOO_LARGE) {
        size_t target = max_bytes + 1 + wg_rng_below(r, 16384);
        char *big = target > n ? malloc(target + 1) : NULL;
        if (big == NULL) {
            st = FM_ENOMEM;
        } else { /* whitespace after the opening brace: the same event, only too large */
            big[0] = '{';
            memset(big + 1, ' ', target - n);
            memcpy(big + 1 + (target - n), text + 1, n - 1);
            big[target] = '\0';
            free(text);
            text = big;
            n = target;
        }
    }
    if (st != FM_OK) {
        free(text);
        return st;
    }
    *out = text;
    *len = n;
    return FM_OK;
}
