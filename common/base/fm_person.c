/* fm_person.c — how famins keeps a person without keeping their identity number: a keyed hash and a mask. */
#include "fm_person.h"

#include <string.h>

#include "fm_sha256.h"

fm_status fm_person_key(const char *secret, const char *id_number, char out[FM_PERSON_KEY_LEN])
{
    size_t len = strlen(id_number);
    if (secret == NULL || secret[0] == '\0' || len == 0 || len > 32)
        return FM_EINVAL;
    char normal[33];
    memcpy(normal, id_number, len + 1);
    if (normal[len - 1] == 'x')
        normal[len - 1] = 'X';
    fm_hmac_sha256_hex(secret, strlen(secret), normal, len, out);
    return FM_OK;
}

void fm_person_mask(const char *id_number, char out[FM_PERSON_MASK_LEN])
{
    size_t len = strlen(id_number);
    if (len > FM_PERSON_MASK_LEN - 1)
        len = FM_PERSON_MASK_LEN - 1;
    for (size_t i = 0; i < len; i++)
        out[i] = (len > 8 && (i < 4 || i >= len - 4)) ? id_number[i] : '*';
    out[len] = '\0';
}
