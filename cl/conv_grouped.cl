/*
 * Grouped and dilated 2-D convolution, NCHW float32 (ONNX Conv with group > 1
 * or dilations > 1; plain convolutions keep conv2d.cl and conv_simt.cl):
 *   out[n][m][oy][ox] = sum_{c < CG, ky, kx} w[m][c][ky][kx]
 *                       * in[n][g * CG + c][oy * SH - pad_top + ky * DH][ox * SW - pad_left + kx * DW]
 *                       (+ bias[m]) (then ReLU); samples outside the input are zero,
 * where g = m / MG is output channel m's group, CG = C / G and MG = M / G the
 * input and output channels per group. Weights in ONNX's own layout
 * w[M][CG][KH][KW] (no re-layout: they need not be constant).
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   KH, KW    kernel height and width (default 3)
 *   SH, SW    stride (default 1)
 *   DH, DW    dilation (default 1)
 *   XB        CPU kernels: output pixels along x per work-item, one vector: 4, 8 or 16 (default 8)
 *   KB        CPU kernels: output channels of one group per work-item, 1..8 (default 1)
 *   RY        conv_depthwise: output rows per work-item (default 1)
 *   RK        conv_grouped_simt: output channels of one group per work-item, 1..8 (default 1)
 *   HAS_BIAS  1: add bias[m]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue (pass 1 folds a Relu into the Conv)
 *
 * Output (n, m, oy, ox) goes to out[out_offset + n * out_image_stride + (m * OH + oy) * OW + ox]:
 * plain NCHW, or a channel slice of a concatenated tensor (pass 4).
 *
 * CPU family (explicit vectors per work-item, no __local):
 *   conv_grouped   any group: a work-item computes XB consecutive outputs of
 *                  one row for KB output channels of one group, walking the
 *                  group's CG input channels.
 *   conv_depthwise group == C (CG = 1, any channel multiplier MG): XB x RY
 *                  outputs for KB output channels of one input channel,
 *                  which share every input load; each input row is loaded
 *                  once for all RY output rows.
 *   NDRange {ceil(OW / XB), OH, N * G * kblocks} (conv_depthwise:
 *   {ceil(OW / XB), ceil(OH / RY), N * C * kblocks}), kblocks = ceil(MG / KB);
 *   channels past the group's last compute a copy of it and store nothing.
 *   Work-items whose input span lies inside the row use vector loads (unit
 *   stride, or stride 2 as the even lanes of a double-width load); the
 *   others bounds-checked loads (both from row_vectors.cl, shared with conv2d.cl).
 *
 * SIMT family (GPUs, CPU drivers that vectorise across work-items):
 *   conv_grouped_simt  one output pixel x RK output channels of one group per
 *                  work-item; dimension 0 walks the flattened OH * OW plane,
 *                  so neighbouring work-items load and store neighbouring
 *                  words. NDRange {round_up(OH * OW, LX), N * G * kblocks}
 *                  (kblocks = ceil(MG / RK)), local {LX, 1}, LX a multiple of
 *                  the kernel's preferred work-group multiple; work-items past
 *                  the plane return at once.
 */
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
#ifndef DH
#define DH 1
#endif
#ifndef DW
#define DW 1
#endif
#ifndef XB
#define XB 8
#endif
#ifndef KB
#define KB 1
#endif
#ifndef RY
#define RY 1
#endif
#ifndef RK
#define RK 1
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif

#include "prelude.cl"

/* Input columns one CPU work-item's loads touch: the stride-2 vector loads
   read one column past the last sample they keep. */
#if SW == 2 && (XB == 4 || XB == 8)
#define GSPAN ((XB - 1) * SW + (KW - 1) * DW + 2)
#else
#define GSPAN ((XB - 1) * SW + (KW - 1) * DW + 1)
#endif

#include "row_vectors.cl"

/*
 * One CPU work-item: XB outputs from (oy, ox0) for output channels
 * m0 .. m0 + KB - 1 (clamped to m_last, the group's last) of image n, reading
 * the CG input channels from c0. No restrict here: Oclgrind cannot run the
 * noalias scopes that inlining a restrict helper leaves (the kernels keep it).
 */
static inline void grouped_tile(__global const sreal *in, __global const sreal *w,
                                __global const sreal *bias, __global sreal *out,
                                int C, int CG, int H, int W, int OH, int OW, int pad_top,
                                int pad_left, int n, int c0, int m0, int m_last, int out_offset,
                                int out_image_stride)
{
    const int ox0 = get_global_id(0) * XB;
    const int oy = get_global_id(1);
    const int ix0 = ox0 * SW - pad_left;
    const int iy0 = oy * SH - pad_top;
    const int inside = ix0 >= 0 && ix0 + GSPAN <= W;

    __global const sreal *wk[KB];
    ACC_VT acc[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) {
        const int m = min(m0 + i, m_last);
        wk[i] = w + m * CG * KH * KW;
        acc[i] = (ACC_VT)(HAS_BIAS ? (float)bias[m] : 0.0f);
    }

    __global const sreal *plane = in + (n * C + c0) * H * W;
    for (int c = 0; c < CG; c++, plane += H * W) {
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky * DH;
            if (iy < 0 || iy >= H) continue; /* zero padding row */
            __global const sreal *row = plane + iy * W;
            const int wo = (c * KH + ky) * KW;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const VT v = inside ? load_inside(row + ix0 + kx * DW)
                                     : load_checked(row, ix0 + kx * DW, W);
#pragma unroll
                for (int i = 0; i < KB; i++) acc[i] = fma((ACC_VT)((float)wk[i][wo + kx]), TO_ACC(v), acc[i]);
            }
        }
    }

    __global sreal *y = out + out_offset + n * out_image_stride + (m0 * OH + oy) * OW + ox0;
    const int plane_out = OH * OW;
#pragma unroll
    for (int i = 0; i < KB; i++) {
        if (m0 + i > m_last) continue;
        store_row(FROM_ACC(RELU ? fmax(acc[i], (ACC_VT)(0.0f)) : acc[i]), y + i * plane_out, OW - ox0);
    }
}

/* Any group: C and M channels in G = M / MG groups. */
__kernel void conv_grouped(__global const sreal *restrict in, __global const sreal *restrict w,
                           __global const sreal *restrict bias, __global sreal *restrict out,
                           int C, int H, int W, int M, int MG, int OH, int OW, int pad_top,
                           int pad_left, int kblocks, int out_offset, int out_image_stride)
{
    const int G = M / MG, CG = C / G;
    const int z = get_global_id(2), n = z / (G * kblocks), gk = z - n * G * kblocks;
    const int g = gk / kblocks, kb = gk - g * kblocks;
    grouped_tile(in, w, bias, out, C, CG, H, W, OH, OW, pad_top, pad_left, n, g * CG,
                 g * MG + kb * KB, g * MG + MG - 1, out_offset, out_image_stride);
}

/* Input rows one depthwise tile reads: RY output rows SH apart, KH taps DH apart. */
#define DW_IN_ROWS ((RY - 1) * SH + (KH - 1) * DH + 1)

/*
 * group == C: input channel g feeds output channels g * MG .. g * MG + MG - 1.
 * A work-item computes XB x RY outputs for KB of them. Each input row it
 * needs is loaded once (KW vectors) and used by every output row whose
 * window holds it (which ones is known at compile time once the loops
 * unroll); the KB x KH x KW weights stay in registers.
 */
__kernel void conv_depthwise(__global const sreal *restrict in, __global const sreal *restrict w,
                             __global const sreal *restrict bias, __global sreal *restrict out,
                             int C, int H, int W, int M, int MG, int OH, int OW, int pad_top,
                             int pad_left, int kblocks, int out_offset, int out_image_stride)
{
    const int z = get_global_id(2), n = z / (C * kblocks), gk = z - n * C * kblocks;
    const int g = gk / kblocks, m0 = g * MG + (gk - g * kblocks) * KB, m_last = g * MG + MG - 1;
    const int ox0 = get_global_id(0) * XB, oy0 = get_global_id(1) * RY;
    const int ix0 = ox0 * SW - pad_left, iy0 = oy0 * SH - pad_top;
    const int inside = ix0 >= 0 && ix0 + GSPAN <= W;

    real wt[KB][KH * KW];
    ACC_VT acc[KB][RY];
#pragma unroll
    for (int i = 0; i < KB; i++) {
        const int m = min(m0 + i, m_last);
#pragma unroll
        for (int t = 0; t < KH * KW; t++) wt[i][t] = w[m * KH * KW + t];
#pragma unroll
        for (int j = 0; j < RY; j++) acc[i][j] = (ACC_VT)(HAS_BIAS ? (float)bias[m] : 0.0f);
    }

    __global const sreal *plane = in + (n * C + g) * H * W;
#pragma unroll
    for (int r = 0; r < DW_IN_ROWS; r++) {
        const int iy = iy0 + r;
        if (iy < 0 || iy >= H) continue; /* zero padding row */
        __global const sreal *row = plane + iy * W;
        VT v[KW];
        if (inside) {
#pragma unroll
            for (int kx = 0; kx < KW; kx++) v[kx] = load_inside(row + ix0 + kx * DW);
        } else {
#pragma unroll
            for (int kx = 0; kx < KW; kx++) v[kx] = load_checked(row, ix0 + kx * DW, W);
        }
#pragma unroll
        for (int j = 0; j < RY; j++) {
            const int d = r - j * SH; /* input row r is tap d / DH of output row j, if any */
            if (d < 0 || d % DH != 0 || d / DH >= KH) continue;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
#pragma unroll
                for (int i = 0; i < KB; i++) acc[i][j] = fma((ACC_VT)((float)wt[i][d / DH * KW + kx]), TO_ACC(v[kx]), acc[i][j]);
            }
        }
    }

    const int plane_out = OH * OW;
    __global sreal *y = out + out_offset + n * out_image_stride + (m0 * OH + oy0) * OW + ox0;
#pragma unroll
    for (int i = 0; i < KB; i++) {
        if (m0 + i > m_last) continue;
#pragma unroll
        for (int j = 0; j < RY; j++) {
            if (oy0 + j >= OH) continue;
            store_row(FROM_ACC(RELU ? fmax(acc[i][j], (ACC_VT)(0.0f)) : acc[i][j]), y + i * plane_out + j * OW, OW - ox0);
        }
    }
}

__kernel void conv_grouped_simt(__global const sreal *restrict in, __global const sreal *restrict w,
                                __global const sreal *restrict bias, __global sreal *restrict out,
                                int C, int H, int W, int M, int MG, int OH, int OW, int pad_top,
                                int pad_left, int kblocks, int out_offset, int out_image_stride)
{
    const int p = get_global_id(0), P = OH * OW;
    if (p >= P) return; /* the global size is padded to the work-group */
    const int G = M / MG, CG = C / G;
    const int z = get_global_id(1), n = z / (G * kblocks), gk = z - n * G * kblocks;
    const int g = gk / kblocks, m0 = g * MG + (gk - g * kblocks) * RK, m_last = g * MG + MG - 1;
    const int oy = p / OW, ox = p - oy * OW;
    const int iy0 = oy * SH - pad_top, ix0 = ox * SW - pad_left;

    float acc[RK];
#pragma unroll
    for (int i = 0; i < RK; i++) acc[i] = HAS_BIAS ? bias[min(m0 + i, m_last)] : 0.0f;
    __global const sreal *plane = in + (n * C + g * CG) * H * W;
    __global const sreal *wm = w + m0 * CG * KH * KW;
    for (int c = 0; c < CG; c++, plane += H * W, wm += KH * KW) {
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky * DH;
            if (iy < 0 || iy >= H) continue;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ix0 + kx * DW;
                if (ix < 0 || ix >= W) continue;
                const real x = plane[iy * W + ix];
#pragma unroll
                for (int i = 0; i < RK; i++) {
                    /* Channels past the group's last read its weights and store nothing. */
                    const int di = min(i, m_last - m0);
                    acc[i] = fma((float)wm[di * CG * KH * KW + ky * KW + kx], (float)x, acc[i]);
                }
            }
        }
    }
    __global sreal *y = out + out_offset + n * out_image_stride + m0 * P + p;
#pragma unroll
    for (int i = 0; i < RK; i++)
        if (m0 + i <= m_last) y[i * P] = (real)(RELU ? fmax(acc[i], 0.0f) : acc[i]);
}
