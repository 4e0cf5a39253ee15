/*
 * Macros the kernel files share (each includes this file):
 *   MADD(a, b, c)  a * b + c through fma() (FMA=1, the default: one
 *                  instruction on devices with FMA; PoCL 3.1 contracts
 *                  neither mad() nor a * b + c into FMA instructions) or
 *                  mad() (FMA=0);
 *   CLG_CAT(a, b)  token pasting after expansion (float ## XB -> float8);
 *   clg_next_index(&r, n)  for kernels over a shape right-aligned into 8
 *                  dims: the index along a dim of extent n of the flat outer
 *                  index r, which moves on to the next dim out.
 */
#ifndef FMA
#define FMA 1
#endif
#if FMA
#define MADD(a, b, c) fma((a), (b), (c))
#else
#define MADD(a, b, c) mad((a), (b), (c))
#endif
#define CLG_CAT_(a, b) a##b
#define CLG_CAT(a, b) CLG_CAT_(a, b)

static inline int clg_next_index(int *r, int n)
{
    const int i = *r % n;
    *r /= n;
    return i;
}
