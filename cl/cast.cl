/*
 * Cast to FLOAT16 or BFLOAT16 while values are held in float32: each float
 * is rounded (to nearest, ties to even) to the nearest value of the smaller
 * type, so what follows computes on what the model would have stored.
 * Bit arithmetic, not the half type: OpenCL 1.2 devices without cl_khr_fp16
 * (NVIDIA's) have no half arithmetic. One work-item per element.
 * NDRange: dim 0 = n.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void round_to_half(__global const sreal *restrict in, __global sreal *restrict out, int n)
{
    const int i = (int)get_global_id(0);
    if (i >= n) return;
    const float x = in[i];
    const float a = fabs(x);
    float y;
    if (isnan(x) || isinf(x)) {
        y = x;
    } else if (a < 0x1p-14f) { /* half subnormals: multiples of 2^-24 (scaling by 2^24 is exact) */
        y = rint(x * 0x1p24f) * 0x1p-24f;
    } else { /* 10 mantissa bits: add half an ulp (ties to even) and cut */
        uint u = as_uint(x);
        u += 0x0fffu + ((u >> 13) & 1u);
        y = as_float(u & 0xffffe000u);
        if (fabs(y) > 65504.0f) y = copysign(INFINITY, x);
    }
    out[i] = (real)y;
}

__kernel void round_to_bfloat16(__global const sreal *restrict in, __global sreal *restrict out, int n)
{
    const int i = (int)get_global_id(0);
    if (i >= n) return;
    const float x = in[i];
    uint u = as_uint(x);
    if (!isnan(x)) u += 0x7fffu + ((u >> 16) & 1u); /* overflow carries into infinity, as it should */
    out[i] = (real)as_float(u & 0xffff0000u);
}
