/* fm_sha256.c — SHA-256 (FIPS 180-4), for migration checksums and event content hashes. */
#include "fm_sha256.h"

#include <stdio.h>
#include <string.h>

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void compress(fm_sha256 *ctx, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = ctx->state[0], b = ctx->state[1], c = ctx->state[2], d = ctx->state[3];
    uint32_t e = ctx->state[4], f = ctx->state[5], g = ctx->state[6], h = ctx->state[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    ctx->state[0] += a;
    ctx->state[1] += b;
    ctx->state[2] += c;
    ctx->state[3] += d;
    ctx->state[4] += e;
    ctx->state[5] += f;
    ctx->state[6] += g;
    ctx->state[7] += h;
}

void fm_sha256_init(fm_sha256 *ctx)
{
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->state, initial, sizeof initial);
    ctx->length_bits = 0;
    ctx->used = 0;
}

void fm_sha256_update(fm_sha256 *ctx, const void *data, size_t len)
{
    const unsigned char *p = data;
    ctx->length_bits += (uint64_t)len * 8;
    while (len > 0) {
        size_t take = 64 - ctx->used < len ? 64 - ctx->used : len;
        memcpy(ctx->block + ctx->used, p, take);
        ctx->used += take;
        p += take;
        len -= take;
        if (ctx->used == 64) {
            compress(ctx, ctx->block);
            ctx->used = 0;
        }
    }
}

void fm_sha256_final(fm_sha256 *ctx, unsigned char digest[32])
{
    uint64_t bits = ctx->length_bits;
    unsigned char pad = 0x80;
    fm_sha256_update(ctx, &pad, 1);
    unsigned char zero = 0;
    while (ctx->used != 56)
        fm_sha256_update(ctx, &zero, 1);
    unsigned char length[8];
    for (int i = 0; i < 8; i++)
        length[i] = (unsigned char)(bits >> (56 - 8 * i));
    fm_sha256_update(ctx, length, 8);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (unsigned char)(ctx->state[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(ctx->state[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(ctx->state[i] >> 8);
        digest[4 * i + 3] = (unsigned char)ctx->state[i];
    }
}

void fm_sha256_digest(const void *data, size_t len, unsigned char out[FM_SHA256_LEN])
{
    fm_sha256 ctx;
    fm_sha256_init(&ctx);
    fm_sha256_update(&ctx, data, len);
    fm_sha256_final(&ctx, out);
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

void fm_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char digest[FM_SHA256_LEN];
    fm_sha256_digest(data, len, digest);
    fm_sha256_to_hex(digest, hex);
}

void fm_hmac_sha256_hex(const void *key, size_t key_len, const void *data, size_t len, char hex[65])
{
    unsigned char block[64] = {0};
    if (key_len > sizeof block) {
        fm_sha256 k;
        fm_sha256_init(&k);
        fm_sha256_update(&k, key, key_len);
        fm_sha256_final(&k, block);
    } else {
        memcpy(block, key, key_len);
    }
    unsigned char inner_pad[64], outer_pad[64];
    for (int i = 0; i < 64; i++) {
        inner_pad[i] = block[i] ^ 0x36;
        outer_pad[i] = block[i] ^ 0x5c;
    }
    fm_sha256 ctx;
    unsigned char inner[32], digest[32];
    fm_sha256_init(&ctx);
    fm_sha256_update(&ctx, inner_pad, sizeof inner_pad);
    fm_sha256_update(&ctx, data, len);
    fm_sha256_final(&ctx, inner);
    fm_sha256_init(&ctx);
    fm_sha256_update(&ctx, outer_pad, sizeof outer_pad);
    fm_sha256_update(&ctx, inner, sizeof inner);
    fm_sha256_final(&ctx, digest);
    fm_sha256_to_hex(digest, hex);
}
