/* fm_sha256.c — SHA-256 and HMAC-SHA-256 through libcrypto's one-shot calls, and their hex form. */
#include "fm_sha256.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

fm_status fm_sha256_init(fm_sha256 *ctx)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    *ctx = (fm_sha256){.md = md, .failed = md == NULL};
    if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        ctx->failed = 1;
    return ctx->failed ? FM_ENOMEM : FM_OK;
}

void fm_sha256_update(fm_sha256 *ctx, const void *data, size_t len)
{
    if (!ctx->failed && EVP_DigestUpdate(ctx->md, data, len) != 1)
        ctx->failed = 1;
}

fm_status fm_sha256_final(fm_sha256 *ctx, unsigned char digest[FM_SHA256_LEN])
{
    unsigned int n = 0;
    if (!ctx->failed && (EVP_DigestFinal_ex(ctx->md, digest, &n) != 1 || n != FM_SHA256_LEN))
        ctx->failed = 1;
    fm_status st = ctx->failed ? FM_ENOMEM : FM_OK;
    fm_sha256_free(ctx);
    return st;
}

void fm_sha256_free(fm_sha256 *ctx)
{
    EVP_MD_CTX_free(ctx->md);
    ctx->md = NULL;
}

fm_status fm_sha256_digest(const void *data, size_t len, unsigned char out[FM_SHA256_LEN])
{
    unsigned int n = 0;
    /* EVP_Digest fails only when libcrypto cannot allocate its context. */
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 || n != FM_SHA256_LEN)
        return FM_ENOMEM;
    return FM_OK;
}

void fm_sha256_to_hex(const unsigned char digest[FM_SHA256_LEN], char hex[FM_SHA256_HEX_LEN])
{
    /* A table, not snprintf: every event's content hash and every person key pass here. */
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < FM_SHA256_LEN; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[2 * FM_SHA256_LEN] = '\0';
}

fm_status fm_sha256_hex(const void *data, size_t len, char hex[FM_SHA256_HEX_LEN])
{
    unsigned char digest[FM_SHA256_LEN];
    fm_status st = fm_sha256_digest(data, len, digest);
    if (st == FM_OK)
        fm_sha256_to_hex(digest, hex);
    return st;
}

fm_status fm_hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len,
                             char hex[FM_SHA256_HEX_LEN])
{
    unsigned char digest[FM_SHA256_LEN];
    unsigned int n = 0;
    /* HMAC treats a NULL key as "reuse the last one"; an empty key is a valid, empty key. */
    static const unsigned char empty = 0;
    if (key_len > INT_MAX)
        return FM_EINVAL;
    if (HMAC(EVP_sha256(), key_len > 0 ? key : &empty, (int)key_len, data, len, digest, &n) == NULL ||
        n != FM_SHA256_LEN)
        return FM_ENOMEM;
    fm_sha256_to_hex(digest, hex);
    return FM_OK;
}
