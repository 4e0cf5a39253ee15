/*
 * Direct 2-D convolution, NCHW float32, any kernel size, stride and padding:
 *   out[n][k][oy][ox] = sum_{c,ky,kx} w[k][c][ky][kx] * in[n][c][oy*SH-pt+ky][ox*SW-pl+kx]
 *                       (+ bias[k]) (then ReLU); samples outside the input are zero.
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   KH, KW    kernel height and width (default 3)
 *   SH, SW    stride (default 1)
 *   XB        output pixels along x per work-item, one explicit vector: 4, 8 or 16 (default 8)
 *   KB        output channels per work-item, 1..16 (default 4)
 *   HAS_BIAS  1: add bias[k]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue
 *
 * Output (n, k, oy, ox) goes to out[out_offset + n * out_image_stride + (k * OH + oy) * OW + ox],
 * which is plain NCHW for out_offset = 0, out_image_stride = K * OH * OW, and a
 * channel slice of a concatenated tensor otherwise.
 *
 * NDRange: {ceil(OW / XB), OH, N * ceil(K / KB)}, NULL local size. Dimension 0
 * walks output x (unit stride). A work-item computes XB consecutive outputs of
 * one row for KB output channels. Work-items whose input span lies inside the
 * row use plain vector loads; the ones at the borders use bounds-checked loads.
 * The kernel-size loops have compile-time bounds so they unroll.
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
#ifndef XB
#define XB 8
#endif
#ifndef KB
#define KB 4
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif

#define CLG_CAT_(a, b) a##b
#define CLG_CAT(a, b) CLG_CAT_(a, b)
#define VT CLG_CAT(float, XB)
#define VLOAD CLG_CAT(vload, XB)
#define VSTORE CLG_CAT(vstore, XB)

/* Input columns one work-item touches: (XB - 1) * SW + KW. */
#define SPAN ((XB - 1) * SW + KW)

/* XB samples row[0], row[SW], ... known to be inside the row. */
static inline VT load_inside(__global const float *row)
{
#if SW == 1
    return VLOAD(0, row);
#elif SW == 2 && XB == 4
    return vload8(0, row).even;
#elif SW == 2 && XB == 8
    return vload16(0, row).even;
#else
    float t[XB];
#pragma unroll
    for (int j = 0; j < XB; j++) t[j] = row[j * SW];
    return VLOAD(0, t);
#endif
}

/* XB samples starting at column x of a row of width W, zero outside it. */
static inline VT load_checked(__global const float *row, int x, int W)
{
    float t[XB];
#pragma unroll
    for (int j = 0; j < XB; j++) {
        const int xi = x + j * SW;
        t[j] = (xi >= 0 && xi < W) ? row[xi] : 0.0f;
    }
    return VLOAD(0, t);
}

__kernel void conv2d(__global const float *restrict in, __global const float *restrict w,
                     __global const float *restrict bias, __global float *restrict out,
                     int C, int H, int W, int K, int OH, int OW, int pad_top, int pad_left,
                     int kblocks, int out_offset, int out_image_stride)
{
    const int ox0 = get_global_id(0) * XB;
    const int oy = get_global_id(1);
    const int n = get_global_id(2) / kblocks;
    const int k0 = (get_global_id(2) - n * kblocks) * KB;
    const int ix0 = ox0 * SW - pad_left;
    const int iy0 = oy * SH - pad_top;
    const int inside = ix0 >= 0 && ix0 + SPAN <= W;

    /* Weight block of each output channel; channels past K clamp to the last one. */
    int wk[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) wk[i] = min(k0 + i, K - 1) * C * KH * KW;

    VT acc[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) acc[i] = (VT)(HAS_BIAS ? bias[min(k0 + i, K - 1)] : 0.0f);

    for (int c = 0; c < C; c++) {
        __global const float *plane = in + (n * C + c) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky;
            if (iy < 0 || iy >= H) continue; /* zero padding row */
            __global const float *row = plane + iy * W;
            VT v[KW];
            if (inside) {
#pragma unroll
                for (int kx = 0; kx < KW; kx++) v[kx] = load_inside(row + ix0 + kx);
            } else {
#pragma unroll
                for (int kx = 0; kx < KW; kx++) v[kx] = load_checked(row, ix0 + kx, W);
            }
            const int wo = (c * KH + ky) * KW;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
#pragma unroll
                for (int i = 0; i < KB; i++) acc[i] += w[wk[i] + wo + kx] * v[kx];
            }
        }
    }

    /* The output may be a channel slice of a larger (concat) tensor. */
    __global float *y = out + out_offset + n * out_image_stride + (k0 * OH + oy) * OW + ox0;
    const int plane_out = OH * OW;
#pragma unroll
    for (int i = 0; i < KB; i++) {
        if (k0 + i >= K) continue;
        const VT r = RELU ? fmax(acc[i], (VT)(0.0f)) : acc[i];
        if (ox0 + XB <= OW) {
            VSTORE(r, 0, y + i * plane_out);
        } else {
            /* Row tail: store only the columns that exist. */
            float t[XB];
            VSTORE(r, 0, t);
            for (int j = 0; j < OW - ox0; j++) y[i * plane_out + j] = t[j];
        }
    }
}
