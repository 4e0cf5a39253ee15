/*
 * BatchNormalization in inference form over x viewed as [N, C, inner]:
 * y = (x - mean[c]) * (scale[c] / sqrt(var[c] + eps)) + B[c].
 * Used when the normalisation cannot be folded into a preceding Conv
 * (runtime/passes/pass_fold_bn.c). NDRange: dim 0 = inner, dim 1 = C, dim 2 = N.
 *
 * Takes no -D values.
 */

#include "prelude.cl"
__kernel void batchnorm(__global const sreal *restrict x, __global sreal *restrict y,
                        __global const sreal *restrict scale, __global const sreal *restrict bias,
                        __global const sreal *restrict mean, __global const sreal *restrict var,
                        float eps, int inner)
{
    const int i = (int)get_global_id(0);
    const int c = (int)get_global_id(1);
    const int channels = (int)get_global_size(1);
    const size_t at = ((size_t)get_global_id(2) * channels + c) * inner + i;
    const float k = (float)scale[c] / sqrt((float)var[c] + eps);
    y[at] = (real)(((float)x[at] - (float)mean[c]) * k + (float)bias[c]);
}
