/* fm_sha256.h — SHA-256 (FIPS 180-4), for migration checksums and event content hashes; no crypto library needed. */
#ifndef FM_SHA256_H
#define FM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FM_SHA256_LEN 32
#define FM_SHA256_HEX_LEN 65

typedef struct fm_sha256 {
    uint32_t state[8];
    uint64_t length_bits;
    unsigned char block[64];
    size_t used;
} fm_sha256;

void fm_sha256_init(fm_sha256 *ctx);
void fm_sha256_update(fm_sha256 *ctx, const void *data, size_t len);
void fm_sha256_final(fm_sha256 *ctx, unsigned char digest[32]);

/* One call: the digest of data. */
void fm_sha256_digest(const void *data, size_t len, unsigned char out[FM_SHA256_LEN]);

/* A digest as 64 lowercase hex characters and a NUL. */
void fm_sha256_to_hex(const unsigned char digest[FM_SHA256_LEN], char hex[FM_SHA256_HEX_LEN]);

/* One call: writes the 64 lowercase hex characters and a NUL into hex. */
void fm_sha256_hex(const void *data, size_t len, char hex[65]);

/* HMAC-SHA256 (RFC 2104) of data under key, as 64 lowercase hex characters and a NUL. */
void fm_hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len, char hex[65]);

#endif
