/*
 * Concat: each input is viewed as [outer, chunk] with chunk = axis_len * inner
 * and copied into the output, viewed as [outer, out_chunk], at column offset.
 * One launch per input. Each work-item copies 4 floats of one row (float4
 * with a scalar tail). NDRange: dim 0 = ceil(chunk / 4) (unit stride),
 * dim 1 = outer.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void concat_copy(__global const sreal *restrict in, __global sreal *restrict out,
                          int chunk, int out_chunk, int offset)
{
    const int i = (int)get_global_id(0) * 4;
    const int o = (int)get_global_id(1);
    __global const sreal *src = in + (size_t)o * chunk;
    __global sreal *dst = out + (size_t)o * out_chunk + offset;
    if (i + 4 <= chunk) {
        vstore4(vload4(0, src + i), 0, dst + i);
    } else {
        for (int j = i; j < chunk; j++) dst[j] = src[j];
    }
}
