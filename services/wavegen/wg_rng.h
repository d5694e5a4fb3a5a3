/* wg_rng.h — the generator's seeded PRNG (splitmix64 to seed, xoshiro256** to draw), one stream per event. */
#ifndef WG_RNG_H
#define WG_RNG_H

#include <stdbool.h>
#include <stdint.h>

/* A xoshiro256** state. Plain value: copy it, keep it on the stack, nothing to free. */
typedef struct wg_rng {
    uint64_t s[4];
} wg_rng;

/* Seeds r for one (seed, stream, index) triple: the draws of household 17 do not depend on how
 * many draws household 16 made, so an event is a function of seed and index alone. */
void wg_rng_seed(wg_rng *r, uint64_t seed, uint64_t stream, uint64_t index);

/* The next 64 random bits. */
uint64_t wg_rng_next(wg_rng *r);

/* A number in [0, n) (n > 0); Lemire's multiply-shift, bias below 2^-32. */
uint32_t wg_rng_below(wg_rng *r, uint32_t n);

/* A number in [lo, hi] (lo <= hi). */
int64_t wg_rng_range(wg_rng *r, int64_t lo, int64_t hi);

/* A double in [0, 1). */
double wg_rng_unit(wg_rng *r);

/* true with probability p. */
bool wg_rng_chance(wg_rng *r, double p);

/* splitmix64 of x: a good 64-bit mix, also used to derive tags from the seed. */
uint64_t wg_mix64(uint64_t x);

#endif
