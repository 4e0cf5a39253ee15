/*
 * Seeded random sources for the tests' shapes and values, the same sequence
 * on every platform, unlike rand(): xorshift32 (rng_*) with one shared
 * state, and a linear congruential step (lcg_*) on a state the caller keeps,
 * for value fills that must not move the shapes' sequence.
 */
#ifndef CLG_TEST_RNG_H
#define CLG_TEST_RNG_H

#include <stddef.h>
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

/* The next state of the LCG (Numerical Recipes' constants). */
static inline uint32_t lcg_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* Uniform in [0, 1) from the top 24 bits of the next state (exact in a float). */
static inline float lcg_unit(uint32_t *state) { return (float)(lcg_next(state) >> 8) / 16777216.0f; }

/* Deterministic values in [-1, 1), one sequence per seed. */
static inline void fill(float *p, size_t n, unsigned seed)
{
    uint32_t s = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) p[i] = (float)((lcg_next(&s) >> 8) & 0xffff) / 32768.0f - 1.0f;
}

#endif
