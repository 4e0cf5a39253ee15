/*
 * Standalone activations over a flat tensor of n floats (any rank).
 * Each work-item handles 4 floats (float4 with a scalar tail).
 * NDRange: dim 0 = ceil(n / 4).
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void relu(__global const sreal *restrict in, __global sreal *restrict out, int n)
{
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        VSTORE_REAL(4, fmax(VLOAD_REAL(4, 0, in + i), (real4)(0.0f)), 0, out + i);
    } else {
        for (int j = i; j < n; j++) out[j] = fmax((real)in[j], (real)0.0f);
    }
}

/* LeakyRelu: out = x for x >= 0, alpha * x below (NaN stays NaN). */
__kernel void leaky_relu(__global const sreal *restrict in, __global sreal *restrict out, int n, float alpha)
{
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        const real4 x = VLOAD_REAL(4, 0, in + i);
        VSTORE_REAL(4, select(x, (real)alpha * x, isless(x, (real4)(0.0f))), 0, out + i);
    } else {
        for (int j = i; j < n; j++) {
            const real x = in[j];
            out[j] = x < (real)0.0f ? (real)alpha * x : x;
        }
    }
}

/*
 * Clip: out = min(max(x, lo), hi). The bounds are the floats lo / hi, or,
 * when has_lo / has_hi is set, the first element of lo_buf / hi_buf (ONNX
 * gives them as optional tensor inputs from opset 11). A NaN x stays NaN.
 */
__kernel void clip(__global const sreal *restrict in, __global sreal *restrict out, int n,
                   float lo, float hi, __global const sreal *lo_buf, __global const sreal *hi_buf,
                   int has_lo, int has_hi)
{
    const real l = has_lo ? lo_buf[0] : (real)lo;
    const real h = has_hi ? hi_buf[0] : (real)hi;
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        const real4 x = VLOAD_REAL(4, 0, in + i);
        const real4 y = select(x, (real4)(l), isless(x, (real4)(l)));
        VSTORE_REAL(4, select(y, (real4)(h), isgreater(y, (real4)(h))), 0, out + i);
    } else {
        for (int j = i; j < n; j++) {
            const real x = in[j];
            const real y = x < l ? l : x;
            out[j] = y > h ? h : y;
        }
    }
}
