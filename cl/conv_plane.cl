/*
 * conv_plane: direct 2-D convolution on planes of at most 16 output pixels
 * (the d2l GoogLeNet's 3x3 maps at 96x96 input), NCHW:
 *   out[n][k][oy][ox] = sum_{c,ky,kx} w[k][c][ky][kx] * in[n][c][oy*SH-PT+ky][ox*SW-PL+kx]
 *                       (+ bias[k]) (then ReLU); samples outside the input are zero.
 *
 * A work-item computes the whole output plane of one image for KV vectors of
 * 16 output channels. The plane's sizes are -D values, so every (output
 * pixel, tap) pair is known at compile time and only the pairs that fall
 * inside the input are summed: on a 3x3 map a 3x3 kernel with pads 1 has 49
 * such pairs of 81, a 5x5 with pads 2 has 81 of 225. conv2d_kvec, whose
 * rows are run-time values, multiplies the padding too, and on a 3-pixel row
 * has 3 pixels per weight vector loaded; here each weight vector serves
 * every pixel that uses it.
 *
 * NDRange {N, ceil(K / KBV)}: neighbouring work-items are images of one
 * weight block, which they read from the same cache lines.
 *
 * Weights are re-laid as for conv2d_kvec: wt[K / KBV][C][KH][KW][KBV] (KBV =
 * 16 * KV, K padded with zero filters), bias padded to whole blocks.
 * Output (n, k, oy, ox) goes to out[out_offset + n * out_image_stride + (k * OHP + oy) * OWP + ox].
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   IH, IW    input plane (default 3 x 3); IH * IW <= 16
 *   OHP, OWP  output plane (default 3 x 3); OHP * OWP <= 16
 *   KH, KW    kernel (default 3 x 3); SH, SW stride (default 1); PT, PL top
 *             and left pads (default 1)
 *   KV        16-wide output-channel vectors per work-item, 1..4 (default 1)
 *   CBLK      input channels a partial sum covers (as conv2d_kvec: in half,
 *             products are summed in half within a block, blocks in float)
 *   HAS_BIAS, RELU  the epilogue
 */
#ifndef IH
#define IH 3
#endif
#ifndef IW
#define IW 3
#endif
#ifndef OHP
#define OHP 3
#endif
#ifndef OWP
#define OWP 3
#endif
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef SH
#define SH 1
#endif
#ifndef SW
#define SW 1
#endif
#ifndef PT
#define PT 1
#endif
#ifndef PL
#define PL 1
#endif
#ifndef KV
#define KV 1
#endif
#ifndef CBLK
#define CBLK 32
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif
#include "prelude.cl"

#define KBV (16 * KV)
#define OP (OHP * OWP)
#define IP (IH * IW)

/* Whether tap (ky, kx) of output pixel (oy, ox) reads inside the input: all
   compile-time constants once the loops are unrolled. */
#define TAP_INSIDE(oy, ox, ky, kx)                                                                 \
    ((oy) * SH - PT + (ky) >= 0 && (oy) * SH - PT + (ky) < IH && (ox) * SW - PL + (kx) >= 0 &&      \
     (ox) * SW - PL + (kx) < IW)
#define TAP_INDEX(oy, ox, ky, kx) (((oy) * SH - PT + (ky)) * IW + (ox) * SW - PL + (kx))

__kernel void conv_plane(__global const sreal *restrict in, __global const sreal *restrict wt,
                         __global const sreal *restrict bias, __global sreal *restrict out, int C, int K,
                         int out_offset, int out_image_stride)
{
    const int n = get_global_id(0), kb = get_global_id(1);
    float16 total[KV][OP]; /* float in half builds too: only blocks sum in half */
#pragma unroll
    for (int v = 0; v < KV; v++) {
        const float16 b0 = HAS_BIAS ? convert_float16(vload16(0, bias + kb * KBV + v * 16)) : (float16)(0.0f);
#pragma unroll
        for (int p = 0; p < OP; p++) total[v][p] = b0;
    }

    __global const sreal *x = in + (size_t)n * C * IP;
    __global const sreal *wk = wt + (size_t)kb * C * KH * KW * KBV;
    for (int c0 = 0; c0 < C; c0 += CBLK) {
        real16 acc[KV][OP];
#pragma unroll
        for (int v = 0; v < KV; v++)
#pragma unroll
            for (int p = 0; p < OP; p++) acc[v][p] = (real16)(0.0f);
        const int c_end = min(C, c0 + CBLK);
        for (int c = c0; c < c_end; c++, x += IP, wk += KH * KW * KBV) {
#pragma unroll
            for (int ky = 0; ky < KH; ky++)
#pragma unroll
                for (int kx = 0; kx < KW; kx++)
#pragma unroll
                    for (int v = 0; v < KV; v++) {
                        const real16 wv = VLOAD_REAL(16, 0, wk + (ky * KW + kx) * KBV + v * 16);
#pragma unroll
                        for (int oy = 0; oy < OHP; oy++)
#pragma unroll
                            for (int ox = 0; ox < OWP; ox++)
                                if (TAP_INSIDE(oy, ox, ky, kx))
                                    acc[v][oy * OWP + ox] =
                                        MADD((real16)(x[TAP_INDEX(oy, ox, ky, kx)]), wv, acc[v][oy * OWP + ox]);
                    }
        }
#pragma unroll
        for (int v = 0; v < KV; v++)
#pragma unroll
            for (int p = 0; p < OP; p++) total[v][p] += convert_float16(acc[v][p]);
    }

    /* Each channel's plane is OP consecutive outputs: one channel at a time. */
    __global sreal *y = out + out_offset + n * out_image_stride;
#pragma unroll
    for (int v = 0; v < KV; v++) {
        const int k0 = kb * KBV + v * 16;
        real t[16][OP];
#pragma unroll
        for (int p = 0; p < OP; p++) {
            const float16 r = RELU ? fmax(total[v][p], (float16)(0.0f)) : total[v][p];
            real s[16];
            vstore16(convert_real16(r), 0, s);
#pragma unroll
            for (int l = 0; l < 16; l++) t[l][p] = s[l];
        }
        for (int l = 0; l < 16 && k0 + l < K; l++)
#pragma unroll
            for (int p = 0; p < OP; p++) y[(k0 + l) * OP + p] = t[l][p];
    }
}
