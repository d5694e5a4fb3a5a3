/* fm_sha256.h — SHA-256 and HMAC-SHA-256 from OpenSSL's libcrypto (already loaded through libpq and
 * librdkafka), for migration checksums, event content hashes and person keys, with lowercase hex. */
#ifndef FM_SHA256_H
#define FM_SHA256_H

#include <stddef.h>

#include "fm_error.h"

#define FM_SHA256_LEN 32
#define FM_SHA256_HEX_LEN 65

/* A running digest, for data that arrives in pieces. Owns a libcrypto context from fm_sha256_init until
 * fm_sha256_final or fm_sha256_free. */
typedef struct fm_sha256 {
    void *md;   /* EVP_MD_CTX */
    int failed; /* an update failed: final reports FM_ENOMEM */
} fm_sha256;

/* Starts a digest. FM_ENOMEM when libcrypto could not (ctx then owns nothing; update and final report it). */
fm_status fm_sha256_init(fm_sha256 *ctx);
/* Adds len bytes. A failure is kept for fm_sha256_final. */
void fm_sha256_update(fm_sha256 *ctx, const void *data, size_t len);
/* Writes the digest and frees the context. FM_ENOMEM when init or an update failed (digest unspecified). */
fm_status fm_sha256_final(fm_sha256 *ctx, unsigned char digest[FM_SHA256_LEN]);
/* Frees a digest abandoned before fm_sha256_final; a finished or zeroed one is left alone. */
void fm_sha256_free(fm_sha256 *ctx);

/* One call: the digest of data. FM_ENOMEM when libcrypto could not (out is then unspecified). */
fm_status fm_sha256_digest(const void *data, size_t len, unsigned char out[FM_SHA256_LEN]);

/* A digest as 64 lowercase hex characters and a NUL. Pure. */
void fm_sha256_to_hex(const unsigned char digest[FM_SHA256_LEN], char hex[FM_SHA256_HEX_LEN]);

/* One call: the digest of data as 64 lowercase hex characters and a NUL. FM_ENOMEM as fm_sha256_digest. */
fm_status fm_sha256_hex(const void *data, size_t len, char hex[FM_SHA256_HEX_LEN]);

/* HMAC-SHA-256 (RFC 2104) of data under key, as 64 lowercase hex characters and a NUL. FM_EINVAL for a key
 * longer than INT_MAX bytes, FM_ENOMEM when libcrypto could not. */
fm_status fm_hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len,
                             char hex[FM_SHA256_HEX_LEN]);

#endif
