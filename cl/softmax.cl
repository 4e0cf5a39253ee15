/*
 * Softmax over the middle axis of a tensor viewed as [outer, axis_len, inner]
 * (the host folds opset < 13's flatten-at-axis into that view). One
 * work-item per (outer, inner) pair, three passes over the axis: max, sum of
 * exp(x - max), scale. NDRange: dim 0 = inner (unit stride), dim 1 = outer.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void softmax(__global const sreal *restrict in, __global sreal *restrict out,
                      int axis_len, int inner)
{
    const int i = (int)get_global_id(0);
    const int o = (int)get_global_id(1);
    const size_t base = (size_t)o * axis_len * inner + i;
    __global const sreal *src = in + base;
    __global sreal *dst = out + base;

    float m = -INFINITY;
    for (int k = 0; k < axis_len; k++) m = fmax(m, (float)src[(size_t)k * inner]);
    float sum = 0.0f;
    for (int k = 0; k < axis_len; k++) {
        const float e = exp((float)src[(size_t)k * inner] - m);
        dst[(size_t)k * inner] = e;
        sum += e;
    }
    const float scale = 1.0f / sum;
    for (int k = 0; k < axis_len; k++) dst[(size_t)k * inner] *= scale;
}
