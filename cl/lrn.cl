/*
 * ONNX LRN across channels on a tensor viewed as [N, C, P] (P = H * W):
 *   y = x / (bias + alpha / size * sum of x^2 over channels
 *            [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C))^beta
 * Each work-item handles 4 neighbouring pixels of one (n, c) (float4 with a
 * scalar tail). The channel loop runs over the full window (uniform bounds)
 * with clamped reads and a mask for channels outside [0, C).
 * NDRange: dim 0 = ceil(P / 4) (unit stride), dim 1 = C, dim 2 = N.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void lrn(__global const sreal *restrict in, __global sreal *restrict out, int C, int P,
                  int size, float alpha_over_size, float beta, float bias)
{
    const int p = (int)get_global_id(0) * 4;
    const int c = (int)get_global_id(1);
    const int n = (int)get_global_id(2);
    __global const sreal *img = in + (size_t)n * C * P;
    const size_t at = ((size_t)n * C + c) * P + p;
    const int first = c - (size - 1) / 2;

    if (p + 4 <= P) {
        float4 sq = (float4)(0.0f);
        for (int k = 0; k < size; k++) {
            const int cc = first + k;
            const int ok = cc >= 0 && cc < C;
            const float4 v = convert_float4(vload4(0, img + (size_t)clamp(cc, 0, C - 1) * P + p));
            sq += ok ? v * v : (float4)(0.0f);
        }
        const float4 x = convert_float4(vload4(0, in + at));
        VSTORE_REAL(4, convert_real4(x * pow(bias + alpha_over_size * sq, -beta)), 0, out + at);
    } else {
        for (int j = 0; j < P - p; j++) {
            float sq = 0.0f;
            for (int k = 0; k < size; k++) {
                const int cc = first + k;
                const float v = img[(size_t)clamp(cc, 0, C - 1) * P + p + j];
                sq += (cc >= 0 && cc < C) ? v * v : 0.0f;
            }
            out[at + j] = (real)((float)in[at + j] * pow(bias + alpha_over_size * sq, -beta));
        }
    }
}
