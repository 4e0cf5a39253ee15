/*
 * Standalone activations over a flat tensor of n floats (any rank).
 * Each work-item handles 4 floats (float4 with a scalar tail).
 * NDRange: dim 0 = ceil(n / 4).
 *
 * Takes no -D values.
 */
__kernel void relu(__global const float *restrict in, __global float *restrict out, int n)
{
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        vstore4(fmax(vload4(0, in + i), 0.0f), 0, out + i);
    } else {
        for (int j = i; j < n; j++) out[j] = fmax(in[j], 0.0f);
    }
}
