/*
 * A seeded random source for the tests' shapes and values: xorshift32, the
 * same sequence on every platform, unlike rand().
 */
#ifndef CLG_TEST_RNG_H
#define CLG_TEST_RNG_H

#include <stdint.h>

static uint32_t rng_state;

static inline void rng_seed(uint32_t seed) { rng_state = seed ? seed : 1; }

static inline uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Uniform integer in [lo, hi]. */
static inline int rng_int(int lo, int hi) { return lo + (int)(rng_next() % (uint32_t)(hi - lo + 1)); }

/* Picks one of n values. */
static inline int rng_pick(const int *values, int n) { return values[rng_int(0, n - 1)]; }

#endif
