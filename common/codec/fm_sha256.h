/* fm_sha256.h — SHA-256 (FIPS 180-4) of a byte string, for content hashes; famins links no crypto library. */
#ifndef FM_SHA256_H
#define FM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FM_SHA256_LEN 32
/* 64 hex digits and the NUL. */
#define FM_SHA256_HEX_LEN 65

/* Incremental use: init, update any number of times, final. The context owns no heap memory. */
typedef struct fm_sha256_ctx {
    uint32_t state[8];
    uint64_t bytes; /* message length so far */
    uint8_t block[64];
    size_t used; /* bytes waiting in block */
} fm_sha256_ctx;

void fm_sha256_init(fm_sha256_ctx *ctx);
/* Adds len bytes of data (data may be NULL when len is 0). */
void fm_sha256_update(fm_sha256_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest to out; ctx must be initialised again before reuse. */
void fm_sha256_final(fm_sha256_ctx *ctx, uint8_t out[FM_SHA256_LEN]);

/* One call: the digest of data[0..len). */
void fm_sha256(const void *data, size_t len, uint8_t out[FM_SHA256_LEN]);
/* Writes the digest as 64 lowercase hex digits and a NUL into hex (FM_SHA256_HEX_LEN bytes). */
void fm_sha256_hex(const uint8_t digest[FM_SHA256_LEN], char hex[FM_SHA256_HEX_LEN]);

#endif
