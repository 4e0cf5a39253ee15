/*
 * Gather with constant indices (at most 8, known when planning): x viewed as
 * [outer, extent, inner], y as [outer, count, inner] with
 * y[o][j][i] = x[o][index[j]][i]. torchvision's GoogLeNet uses it to take
 * single colour channels (transform_input). NDRange: dim 0 = inner,
 * dim 1 = count, dim 2 = outer.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void gather(__global const sreal *restrict x, __global sreal *restrict y, int extent,
                     int inner, int8 index)
{
    const int i = (int)get_global_id(0);
    const int j = (int)get_global_id(1);
    const int count = (int)get_global_size(1);
    const size_t o = get_global_id(2);
    const int src[8] = {index.s0, index.s1, index.s2, index.s3,
                        index.s4, index.s5, index.s6, index.s7};
    y[(o * count + j) * inner + i] = x[(o * extent + src[j]) * inner + i];
}
