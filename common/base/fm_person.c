/* fm_person.c — how famins keeps a person without keeping their identity number: a keyed hash and a mask. */
#include "fm_person.h"

#include <stdio.h>
#include <string.h>

#include "fm_sha256.h"

int fm_person_key_id_valid(const char *id)
{
    size_t len = id != NULL ? strlen(id) : 0;
    if (len == 0 || len > FM_PERSON_KEY_ID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return 0;
    return 1;
}

fm_status fm_person_key(const char *key_id, const char *secret, const char *id_number,
                        char out[FM_PERSON_KEY_LEN])
{
    size_t len = id_number != NULL ? strlen(id_number) : 0;
    if (!fm_person_key_id_valid(key_id) || secret == NULL || secret[0] == '\0' || len == 0 || len > 32)
        return FM_EINVAL;
    char normal[33];
    memcpy(normal, id_number, len + 1);
    if (normal[len - 1] == 'x')
        normal[len - 1] = 'X';
    char hex[FM_PERSON_HEX_LEN + 1];
    fm_status st = fm_hmac_sha256_hex(secret, strlen(secret), normal, len, hex);
    if (st != FM_OK)
        return st;
    snprintf(out, FM_PERSON_KEY_LEN, "%s:%s", key_id, hex);
    return FM_OK;
}

int fm_person_key_valid(const char *key)
{
    const char *colon = key != NULL ? strchr(key, ':') : NULL;
    if (colon == NULL || (size_t)(colon - key) > FM_PERSON_KEY_ID_MAX)
        return 0;
    char id[FM_PERSON_KEY_ID_MAX + 1];
    memcpy(id, key, (size_t)(colon - key));
    id[colon - key] = '\0';
    if (!fm_person_key_id_valid(id) || strlen(colon + 1) != FM_PERSON_HEX_LEN)
        return 0;
    for (const char *p = colon + 1; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

static int ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void fm_person_mask(const char *id_number, char out[FM_PERSON_MASK_LEN])
{
    size_t len = strlen(id_number);
    if (len > FM_PERSON_MASK_LEN - 1) { /* keep the end: the 4 shown are the last of the number */
        id_number += len - (FM_PERSON_MASK_LEN - 1);
        len = FM_PERSON_MASK_LEN - 1;
    }
    int show = len > 8;
    for (size_t i = len > 4 ? len - 4 : 0; show && i < len; i++)
        show = ascii_alnum(id_number[i]);
    for (size_t i = 0; i < len; i++)
        out[i] = (show && i >= len - 4) ? id_number[i] : '*';
    out[len] = '\0';
}
