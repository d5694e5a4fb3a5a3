/* wg_rng.c — splitmix64 seeding and xoshiro256** drawing (Blackman & Vigna's public-domain algorithms). */
#include "wg_rng.h"

uint64_t wg_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void wg_rng_seed(wg_rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t x = wg_mix64(seed) ^ wg_mix64(stream * 0xD1B54A32D192ED03ull) ^ (index * 0x9E3779B97F4A7C15ull);
    for (int i = 0; i < 4; i++) {
        x = wg_mix64(x);
        r->s[i] = x;
    }
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) /* the one state xoshiro cannot leave */
        r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t wg_rng_next(wg_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t wg_rng_below(wg_rng *r, uint32_t n)
{
    return (uint32_t)(((wg_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int64_t wg_rng_range(wg_rng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span == 0) /* the whole 64-bit range */
        return (int64_t)wg_rng_next(r);
    return lo + (int64_t)(wg_rng_next(r) % span);
}

double wg_rng_unit(wg_rng *r)
{
    return (double)(wg_rng_next(r) >> 11) * 0x1.0p-53;
}

bool wg_rng_chance(wg_rng *r, double p)
{
    return wg_rng_unit(r) < p;
}
