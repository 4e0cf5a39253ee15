/*
 * 1x1 convolution, stride 1, no padding, NCHW float32. Per image it is a GEMM:
 *   out[n][k][p] = sum_c w[k][c] * in[n][c][p] (+ bias[k]) (then ReLU)
 * with p the flattened pixel index (P = H*W).
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   PB        pixels per work-item, one explicit vector: 4, 8 or 16 (default 8)
 *   KB        output channels per work-item, 1..16 (default 8)
 *   HAS_BIAS  1: add bias[k]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue
 *   FMA       1: multiply-adds through fma() (default; PoCL 3.1 does not contract
 *             a * b + c into FMA instructions); 0: mad()
 *
 * Output element (n, k, p) goes to out[out_offset + n * out_image_stride + k * P + p]:
 * with out_image_stride = K * P and out_offset = 0 that is a plain NCHW tensor;
 * other values write into a channel slice of a concatenated tensor.
 *
 * NDRange: {ceil(P / PB), ceil(K / KB), N}, NULL local size. Dimension 0 walks
 * pixels (unit stride). A work-item holds KB vectors of PB pixels as
 * accumulators; for each input channel it loads one pixel vector and KB
 * weights. The last pixel block takes a scalar path when P % PB != 0; output
 * channels past K re-read row K-1 (so loads stay in bounds) and are not stored.
 */
#ifndef PB
#define PB 8
#endif
#ifndef KB
#define KB 8
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif

#include "prelude.cl"

#define VT CLG_CAT(real, PB)
/* Sums are float in half builds too: C products in one chain. */
#define ACC_VT CLG_CAT(float, PB)
#define TO_ACC CLG_CAT(convert_float, PB)
#define FROM_ACC CLG_CAT(convert_real, PB)
#define VLOAD(i, p) VLOAD_REAL(PB, i, p)
#define VSTORE(v, i, p) VSTORE_REAL(PB, v, i, p)

__kernel void conv1x1(__global const sreal *restrict in, __global const sreal *restrict w,
                      __global const sreal *restrict bias, __global sreal *restrict out,
                      int C, int K, int P, int out_offset, int out_image_stride)
{
    const int p0 = get_global_id(0) * PB;
    const int k0 = get_global_id(1) * KB;
    const int n = get_global_id(2);
    __global const sreal *x = in + n * C * P + p0;
    /* The output may be a channel slice of a larger (concat) tensor. */
    __global sreal *y = out + out_offset + n * out_image_stride + k0 * P + p0;

    /* Weight row of each output channel; rows past K clamp to the last one. */
    int wrow[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) wrow[i] = min(k0 + i, K - 1) * C;

    float b[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) b[i] = HAS_BIAS ? bias[min(k0 + i, K - 1)] : 0.0f;

    if (p0 + PB <= P) {
        ACC_VT acc[KB];
#pragma unroll
        for (int i = 0; i < KB; i++) acc[i] = (ACC_VT)(b[i]);
        for (int c = 0; c < C; c++) {
            const ACC_VT v = TO_ACC(VLOAD(0, x + c * P));
#pragma unroll
            for (int i = 0; i < KB; i++) acc[i] = MADD((ACC_VT)((float)w[wrow[i] + c]), v, acc[i]);
        }
#pragma unroll
        for (int i = 0; i < KB; i++) {
            if (k0 + i < K) VSTORE(FROM_ACC(RELU ? fmax(acc[i], (ACC_VT)(0.0f)) : acc[i]), 0, y + i * P);
        }
    } else {
        /* Tail block: fewer than PB pixels remain. */
        for (int j = 0; j < P - p0; j++) {
            float acc[KB]; /* float in half builds too */
#pragma unroll
            for (int i = 0; i < KB; i++) acc[i] = b[i];
            for (int c = 0; c < C; c++) {
                const real v = x[c * P + j];
#pragma unroll
                for (int i = 0; i < KB; i++) acc[i] += (float)w[wrow[i] + c] * (float)v;
            }
#pragma unroll
            for (int i = 0; i < KB; i++) {
                if (k0 + i < K) y[i * P + j] = (real)(RELU ? fmax(acc[i], 0.0f) : acc[i]);
            }
        }
    }
}
