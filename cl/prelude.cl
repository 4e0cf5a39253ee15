/*
 * Macros the kernel files share (each includes this file):
 *   MADD(a, b, c)  a * b + c through fma() (FMA=1, the default: one
 *                  instruction on devices with FMA; PoCL 3.1 contracts
 *                  neither mad() nor a * b + c into FMA instructions) or
 *                  mad() (FMA=0);
 *   CLG_CAT(a, b)  token pasting after expansion (real ## XB -> real8);
 *   sreal          the storage type of activations and weights in global
 *                  memory: float, or half with -DREAL_HALF=1 (which needs
 *                  cl_khr_fp16);
 *   real, realN    their compute type: sreal, except in half builds with
 *                  -DHALF_FLOAT_MATH=1 (CPUs whose half arithmetic is
 *                  emulated through conversions: float math on half data is
 *                  several times faster there); convert_realN(x) converts to
 *                  it. Kernels that need float accuracy (sums of many terms,
 *                  exp, pow) load with convert_floatN and store with
 *                  convert_realN, which are identities in float builds;
 *   VLOAD_REAL(n, i, p), VSTORE_REAL(n, v, i, p)  vloadn / vstoren between
 *                  global sreal memory and realn values (vload_halfn /
 *                  vstore_halfn where the two types differ); private and
 *                  local buffers hold real and use vloadn / vstoren;
 *   CLG_PREFETCH(p) a hint to fetch the cache line at p ahead of its use:
 *                  __builtin_prefetch with -DCLG_PREFETCH_HINTS=1 (the host
 *                  sets it for the CPU drivers whose compilers make prefetch
 *                  instructions of it; PoCL's prefetch() is empty), nothing
 *                  elsewhere;
 *   clg_next_index(&r, n)  for kernels over a shape right-aligned into 8
 *                  dims: the index along a dim of extent n of the flat outer
 *                  index r, which moves on to the next dim out.
 */
#ifndef FMA
#define FMA 1
#endif
/* REAL_HALF has no #define default here: a batched program (programs/
   kernels.c) forgets each instance's macros at its end, and a default would
   turn the build option off for every later instance. */
#if defined(REAL_HALF) && REAL_HALF && defined(HALF_FLOAT_MATH) && HALF_FLOAT_MATH
#define CLG_HALF_MATH 0
#define CLG_VLOAD_PREFIX vload_half
#define CLG_VSTORE_PREFIX vstore_half
#else
#if defined(REAL_HALF) && REAL_HALF
#define CLG_HALF_MATH 1
#else
#define CLG_HALF_MATH 0
#endif
#define CLG_VLOAD_PREFIX vload
#define CLG_VSTORE_PREFIX vstore
#endif
#define VLOAD_REAL(n, i, p) CLG_CAT(CLG_VLOAD_PREFIX, n)((i), (p))
#define VSTORE_REAL(n, v, i, p) CLG_CAT(CLG_VSTORE_PREFIX, n)((v), (i), (p))

#if defined(REAL_HALF) && REAL_HALF
#pragma OPENCL EXTENSION cl_khr_fp16 : enable
#define sreal half
#else
#define sreal float
#endif

#if CLG_HALF_MATH
#define real half
#define real2 half2
#define real3 half3
#define real4 half4
#define real8 half8
#define real16 half16
#define convert_real convert_half
#define convert_real2 convert_half2
#define convert_real4 convert_half4
#define convert_real8 convert_half8
#define convert_real16 convert_half16
#else
#define real float
#define real2 float2
#define real3 float3
#define real4 float4
#define real8 float8
#define real16 float16
#define convert_real convert_float
#define convert_real2 convert_float2
#define convert_real4 convert_float4
#define convert_real8 convert_float8
#define convert_real16 convert_float16
#endif

#if CLG_HALF_MATH
/* a * b + c, which compilers contract into half FMA instructions: fma() on
   half is a correctly rounded library call on CPU drivers (Intel's runtime:
   a tenth of the rate). */
#define MADD(a, b, c) ((a) * (b) + (c))
#elif FMA
#define MADD(a, b, c) fma((a), (b), (c))
#else
#define MADD(a, b, c) mad((a), (b), (c))
#endif
#if defined(CLG_PREFETCH_HINTS) && CLG_PREFETCH_HINTS
#define CLG_PREFETCH(p) __builtin_prefetch(p)
#else
#define CLG_PREFETCH(p) ((void)0)
#endif
#define CLG_CAT_(a, b) a##b
#define CLG_CAT(a, b) CLG_CAT_(a, b)

static inline int clg_next_index(int *r, int n)
{
    const int i = *r % n;
    *r /= n;
    return i;
}
