/*
 * Direct 2-D convolution, NCHW float32, any kernel size, stride and padding:
 *   out[n][k][oy][ox] = sum_{c,ky,kx} w[k][c][ky][kx] * in[n][c][oy*SH-pt+ky][ox*SW-pl+kx]
 *                       (+ bias[k]) (then ReLU); samples outside the input are zero.
 * Two kernels: conv2d (vectorised over output pixels, plain weights) and
 * conv2d_kvec (vectorised over output channels, re-laid weights; see below).
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   KH, KW    kernel height and width (default 3)
 *   SH, SW    stride (default 1)
 *   XB        conv2d: output pixels along x per work-item, one vector: 4, 8 or 16 (default 8)
 *   KB        conv2d: output channels per work-item, 1..16 (default 4)
 *   PX        conv2d_kvec: output pixels along x per work-item, 1..16 (default 4)
 *   KV        conv2d_kvec: 16-wide output-channel vectors per work-item, 1..4 (default 2)
 *   HAS_BIAS  1: add bias[k]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue
 *   POOL3     conv2d_kvec, 1x1 kernels: 1 = the input is first max-pooled 3x3,
 *             stride 1, pads 1 (Inception path 4, fused by pass 2)
 *   POOL3_VEC 1: POOL3 reads each of the three rows with one 16-wide vector
 *             load, which may read up to 15 floats past the input tensor's end:
 *             only for inputs whose buffer has that slack (runtime/plan/memory_plan.c)
 *   POOL3_PLANE_H, POOL3_PLANE_W
 *             POOL3 with POOL3_VEC on planes of H x W <= 16 pixels (these two
 *             values, W under 6): the host passes the plane as one row of
 *             H * W pixels (H = 1, as for pointwise convolutions) and each
 *             channel's plane is pooled as one 16-wide vector
 *   FMA       1: multiply-adds through fma() (default; PoCL 3.1 does not contract
 *             a * b + c into FMA instructions); 0: mad()
 *   CHUNKED   conv2d_kvec: 1 = one launch sums input channels c_begin..c_begin +
 *             c_count - 1 only (two extra arguments): the first chunk adds the
 *             bias and stores, later ones add to what is stored, only the last
 *             applies ReLU. For drivers that end a work-item's loops after a
 *             fixed number of trips (llvmpipe; runtime/device/device_table.h)
 *
 * Output (n, k, oy, ox) goes to out[out_offset + n * out_image_stride + (k * OH + oy) * OW + ox],
 * which is plain NCHW for out_offset = 0, out_image_stride = K * OH * OW, and a
 * channel slice of a concatenated tensor otherwise.
 *
 * conv2d NDRange: {ceil(OW / XB), OH, N * ceil(K / KB)}, NULL local size. Dimension 0
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
#ifndef POOL3
#define POOL3 0
#endif
#ifndef POOL3_VEC
#define POOL3_VEC 0
#endif
#ifndef POOL3_PLANE_H
#define POOL3_PLANE_H 0
#endif
#ifndef POOL3_PLANE_W
#define POOL3_PLANE_W 0
#endif
#include "prelude.cl"

/* Input columns one work-item touches: (XB - 1) * SW + KW. */
#define SPAN ((XB - 1) * SW + KW)
/* Columns load_inside reads: the stride-2 vector loads read one column past
   the last sample they keep, which must still be inside the row. */
#if SW == 2 && (XB == 4 || XB == 8)
#define LOAD_SPAN (SPAN + 1)
#else
#define LOAD_SPAN SPAN
#endif

#include "row_vectors.cl"
#include "channel_rows.cl"

__kernel void conv2d(__global const sreal *restrict in, __global const sreal *restrict w,
                     __global const sreal *restrict bias, __global sreal *restrict out,
                     int C, int H, int W, int K, int OH, int OW, int pad_top, int pad_left,
                     int kblocks, int out_offset, int out_image_stride)
{
    const int ox0 = get_global_id(0) * XB;
    const int oy = get_global_id(1);
    const int n = get_global_id(2) / kblocks;
    const int k0 = (get_global_id(2) - n * kblocks) * KB;
    const int ix0 = ox0 * SW - pad_left;
    const int iy0 = oy * SH - pad_top;
    const int inside = ix0 >= 0 && ix0 + LOAD_SPAN <= W;

    /* Weight block of each output channel; channels past K clamp to the last one. */
    int wk[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) wk[i] = min(k0 + i, K - 1) * C * KH * KW;

    ACC_VT acc[KB];
#pragma unroll
    for (int i = 0; i < KB; i++) acc[i] = (ACC_VT)(HAS_BIAS ? (float)bias[min(k0 + i, K - 1)] : 0.0f);

    for (int c = 0; c < C; c++) {
        __global const sreal *plane = in + (n * C + c) * H * W;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky;
            if (iy < 0 || iy >= H) continue; /* zero padding row */
            __global const sreal *row = plane + iy * W;
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
                for (int i = 0; i < KB; i++)
                    acc[i] = MADD((ACC_VT)((float)w[wk[i] + wo + kx]), TO_ACC(v[kx]), acc[i]);
            }
        }
    }

    /* The output may be a channel slice of a larger (concat) tensor. */
    __global sreal *y = out + out_offset + n * out_image_stride + (k0 * OH + oy) * OW + ox0;
    const int plane_out = OH * OW;
#pragma unroll
    for (int i = 0; i < KB; i++) {
        if (k0 + i >= K) continue;
        store_row(FROM_ACC(RELU ? fmax(acc[i], (ACC_VT)(0.0f)) : acc[i]), y + i * plane_out, OW - ox0);
    }
}

/*
 * conv2d_kvec: the same convolution vectorised over output channels, for
 * small maps (where a row holds few pixels) and in general on CPUs.
 *
 * -D values: KH, KW, SH, SW, PX, KV (KBV = 16 * KV channels), HAS_BIAS, RELU, FMA,
 * CHUNKED (conv2d_kvec only: extra arguments c_begin, c_count).
 *
 * Weights come re-laid once at plan time (runtime/ops/ops_conv.c) as
 * wt[K / KB][C][KH][KW][KB], K padded with zero filters to a multiple of KB,
 * so the KB channels of one tap are KV vector loads; bias is padded the same
 * way (zeros when the node has none; HAS_BIAS=0 skips reading it).
 * NDRange: {ceil(OW / PX), OH, N * ceil(K / KB)}. A work-item keeps PX x KV
 * float16 accumulators; per input channel and kernel row it reads the
 * (PX - 1) * SW + KW input samples it needs once (bounds-checked at the
 * borders) and broadcasts each against the weight vectors.
 * The output placement is the same as conv2d's.
 */
#ifndef CHUNKED
#define CHUNKED 0
#endif
#if CHUNKED
#define CHUNK_PARAMS , int c_begin, int c_count
#define CHUNK_ARGS , c_begin, c_count
#define C_FIRST c_begin
#define C_LAST (c_begin + c_count)
#define ADD_BIAS (HAS_BIAS && c_begin == 0)
#else
#define CHUNK_PARAMS
#define CHUNK_ARGS
#define C_FIRST 0
#define C_LAST C
#define ADD_BIAS HAS_BIAS
#endif
#ifndef PX
#define PX 4
#endif
#ifndef KV
#define KV 2
#endif
#ifndef CBLK
#define CBLK 32
#endif
#define KBV (16 * KV)
#define SPANP ((PX - 1) * SW + KW)

#if CHUNKED
/* The sums earlier chunks stored for 16 channels of one output pixel (y, a
   plane apart): all 16 when full, else the first `lanes` (zeros after). */
static real16 stored_sum(__global const sreal *y, int plane_out, int full, int lanes)
{
    real t[16];
    for (int l = 0; l < 16; l++) t[l] = full || l < lanes ? y[l * plane_out] : 0.0f;
    return vload16(0, t);
}
/* No restrict on the tile's pointers here: inlined, they make LLVM emit
   noalias scope declarations that Oclgrind cannot run. Chunks are for
   drivers with a loop limit; the speed of this build does not matter. */
#define TILE_RESTRICT
#else
#define TILE_RESTRICT restrict
#endif

/* Prefetch hints for 1x1s, in input channels ahead of the one summed.
   Weights are read once per work-item in order, and at batch 1 (and on
   small maps) come from L3, where the hardware prefetcher does not run far
   enough ahead: the d2l GoogLeNet's 1x1s on 3x3 maps went 0.22 -> 0.17 ms at
   batch 1 (PoCL). A 1x1's input samples of consecutive channels are a plane
   apart, a stride the hardware prefetchers do not follow past a page: batch
   32, the 1x1 groups 12.1 -> 11.4 ms (d2l), 77-81 -> 73 ms (torchvision); 4
   channels ahead did half as well, and dropping the weights' hint lost
   there too (12.0-12.5 -> 12.4-12.8 ms). Hints for
   3x3 weights (18 lines a channel), 3x3 and 5x5 rows and pooled rows
   measured nothing. */
#define WEIGHTS_AHEAD 8
#define INPUT_AHEAD 16
static inline void prefetch_weights(__global const sreal *w, int n)
{
#pragma unroll
    for (int i = 0; i < n; i += 64 / (int)sizeof(sreal)) CLG_PREFETCH(w + i);
}

/* acc += the products of one input row's samples xs with one kernel row's
   weights wk (KW taps of KBV channels). */
static inline void kvec_madd_row(real16 acc[KV][PX], const real xs[SPANP], __global const sreal *TILE_RESTRICT wk)
{
#pragma unroll
    for (int kx = 0; kx < KW; kx++) {
#pragma unroll
        for (int v = 0; v < KV; v++) {
            const real16 wv = VLOAD_REAL(16, 0, wk + kx * KBV + v * 16);
#pragma unroll
            for (int j = 0; j < PX; j++) acc[v][j] = MADD((real16)(xs[j * SW + kx]), wv, acc[v][j]);
        }
    }
}

/*
 * One work-item's tile: PX outputs of row oy for the KBV channels of weight
 * block kb, written as channels kb_out * KBV.. of `out` (K channels, with
 * out's placement). conv2d_kvec has kb_out = kb; conv2d_kvec_split routes
 * weight blocks to up to three outputs.
 */
static void kvec_tile(__global const sreal *TILE_RESTRICT in, __global const sreal *TILE_RESTRICT wt,
                      __global const sreal *TILE_RESTRICT bias, __global sreal *TILE_RESTRICT out, int C,
                      int H, int W, int K, int OH, int OW, int pad_top, int pad_left, int n, int kb,
                      int kb_out, int out_offset, int out_image_stride CHUNK_PARAMS)
{
    const int ox0 = get_global_id(0) * PX;
    const int oy = get_global_id(1);
    const int ix0 = ox0 * SW - pad_left;
    const int iy0 = oy * SH - pad_top;
    const int inside = ix0 >= 0 && ix0 + SPANP <= W;

    /* Sums run over blocks of CBLK channels, each block's sum then added to
       the total: a float32 sum of C * KH * KW products in one chain loses
       accuracy with its length, and deep networks pay for it. */
    float16 total[KV][PX]; /* float in half builds too: only blocks sum in half */
#pragma unroll
    for (int v = 0; v < KV; v++) {
        const float16 b0 = ADD_BIAS ? convert_float16(vload16(0, bias + kb * KBV + v * 16)) : (float16)(0.0f);
#pragma unroll
        for (int j = 0; j < PX; j++) total[v][j] = b0;
    }

    __global const sreal *wk = wt + (size_t)kb * C * KH * KW * KBV;
    __global const sreal *plane = in + (size_t)n * C * H * W;
#if CHUNKED
    wk += (size_t)c_begin * KH * KW * KBV;
    plane += (size_t)c_begin * H * W;
#endif
    for (int c0 = C_FIRST; c0 < C_LAST; c0 += CBLK) {
    real16 acc[KV][PX];
#pragma unroll
    for (int v = 0; v < KV; v++)
#pragma unroll
        for (int j = 0; j < PX; j++) acc[v][j] = (real16)(0.0f);
    const int c_end = min(C_LAST, c0 + CBLK);
#if KH == 1 && KW == 1 && !POOL3
    /* 1x1: the row check and the choice of loads stay out of the channel
       loop (two loops), and the samples' offsets are opaque to the compiler
       (colstep), which would otherwise merge the PX loads into one vector
       load and broadcast its lanes with shuffles: on AVX-512 those take the
       port of the second FMA unit, while a load folded into its broadcast
       takes only a load port. Measured: 15-20% more GFLOP/s per 1x1 layer
       (PoCL; for 3x3 and larger kernels the same split was slower). */
    if (iy0 >= 0 && iy0 < H) {
        if (inside) {
            const int colstep = min(W, 1); /* 1 (W >= 1), opaque to the compiler */
            for (int c = c0; c < c_end; c++, plane += H * W, wk += KBV) {
                __global const sreal *row = plane + iy0 * W + ix0;
                prefetch_weights(wk + WEIGHTS_AHEAD * KBV, KBV);
                CLG_PREFETCH(row + INPUT_AHEAD * H * W);
                CLG_PREFETCH(row + INPUT_AHEAD * H * W + SPANP - 1);
                real xs[SPANP];
#pragma unroll
                for (int t = 0; t < SPANP; t++) xs[t] = row[t * colstep];
                kvec_madd_row(acc, xs, wk);
            }
        } else {
            for (int c = c0; c < c_end; c++, plane += H * W, wk += KBV) {
                __global const sreal *row = plane + iy0 * W;
                real xs[SPANP];
#pragma unroll
                for (int t = 0; t < SPANP; t++) {
                    const int xi = ix0 + t;
                    xs[t] = (xi >= 0 && xi < W) ? row[xi] : 0.0f;
                }
                kvec_madd_row(acc, xs, wk);
            }
        }
    } else {
        plane += (size_t)(c_end - c0) * H * W, wk += (size_t)(c_end - c0) * KBV;
    }
#elif POOL3 && POOL3_VEC && SPANP + 2 <= 16
    /* Pass 2's 3x3 stride-1 max-pool (pads 1) in front of this 1x1
       convolution, in two phases per channel block: first each channel's
       pooled row as one 16-wide vector, stored to private memory; then the
       products, broadcasting the pooled samples straight from memory. A
       broadcast from memory takes only a load port, where taking a lane of
       a register takes a shuffle on the port of the second FMA unit, and
       the block's stores are long done by the time they are read (no
       store-to-load forwarding stall). */
    if (iy0 >= 0 && iy0 < H) {
        real pooled[CBLK * 16];
#if POOL3_PLANE_W
        /* Lane l: pixel l of the plane; its neighbours are lanes l -+ 1 and
           l -+ W, or -inf (lane 16 of the second shuffle operand) outside
           the plane. The masks are constants: the shuffles compile to
           single permutes. Lanes past the plane (read from the next plane
           or the buffer's slack) reach only the sums of a last tile's
           pixels past the plane, which are not stored. */
        const uint16 lane = (uint16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const uint16 x = lane % POOL3_PLANE_W, y = lane / POOL3_PLANE_W, none = (uint16)(16);
        const uint16 left = select(none, lane - 1, x > 0), right = select(none, lane + 1, x + 1 < POOL3_PLANE_W);
        const uint16 above = select(none, lane - POOL3_PLANE_W, y > 0);
        const uint16 below = select(none, lane + POOL3_PLANE_W, y + 1 < POOL3_PLANE_H);
        const float16 ninf = (float16)(-INFINITY);
        __global const sreal *p = plane;
        for (int c = c0; c < c_end; c++, p += H * W) {
            const float16 v = convert_float16(vload16(0, p));
            const float16 h = max(v, max(shuffle2(v, ninf, left), shuffle2(v, ninf, right)));
            const float16 m = max(h, max(shuffle2(h, ninf, above), shuffle2(h, ninf, below)));
            vstore16(convert_real16(m), 0, pooled + (c - c0) * 16);
        }
        const int first = ox0; /* lane of the tile's first pixel */
#else
        /* Lane t: the max of column ix0 - 1 + t over rows iy0-1..iy0+1. A
           row outside the plane is replaced by row iy0 itself, which is in
           the window anyway; columns outside the row become -inf. */
        const int up = iy0 > 0 ? -W : 0, down = iy0 + 1 < H ? W : 0;
        const int start = ix0 > 0 ? ix0 - 1 : 0;
        const int16 column = (ix0 - 1) + (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        const int16 outside = column >= W || column < 0;
        __global const sreal *p = plane + iy0 * W + start;
        for (int c = c0; c < c_end; c++, p += H * W) {
            /* In float for half data too: Intel's compiler turned these
               half16 shuffles into 8x slower code than the float ones.
               max, not fmax: fmax's NaN rule costs two more instructions
               per use on x86; a NaN input gives the driver's max. */
            float16 r = max(max(convert_float16(vload16(0, p + up)), convert_float16(vload16(0, p))),
                            convert_float16(vload16(0, p + down)));
            if (ix0 == 0) r = (float16)(r.s0, r.s012, r.s3456, r.s789a, r.sbcde); /* column -1 */
            r = select(r, (float16)(-INFINITY), outside);
            const float16 m = max(max(r, r.s123456789abcdeff), r.s23456789abcdeff0);
            vstore16(convert_real16(m), 0, pooled + (c - c0) * 16);
        }
        const int first = 0;
#endif
        const int colstep = min(W, 1); /* 1 (W >= 1), opaque: see the 1x1 path */
        for (int c = c0; c < c_end; c++, wk += KBV) {
            prefetch_weights(wk + WEIGHTS_AHEAD * KBV, KBV);
            real xs[SPANP];
#pragma unroll
            for (int t = 0; t < SPANP; t++) xs[t] = pooled[(c - c0) * 16 + first + t * colstep];
            kvec_madd_row(acc, xs, wk);
        }
    } else {
        wk += (size_t)(c_end - c0) * KBV;
    }
    plane += (size_t)(c_end - c0) * H * W;
#else
    for (int c = c0; c < c_end; c++, plane += H * W, wk += KH * KW * KBV) {
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = iy0 + ky;
            if (iy < 0 || iy >= H) continue; /* zero padding row */
            __global const sreal *row = plane + iy * W;
            real xs[SPANP];
#if POOL3
            /* Pass 2: the 3x3 stride-1 max-pool (pads 1) in front of this 1x1
               convolution, on the fly: column maxima over rows iy-1..iy+1, then
               the max of three neighbouring columns. */
            float col[SPANP + 2]; /* float for half data too, as above */
#pragma unroll
            for (int t = 0; t < SPANP + 2; t++) {
                const int xi = ix0 - 1 + t;
                float m = -INFINITY;
                if (xi >= 0 && xi < W) {
                    m = row[xi];
                    if (iy > 0) m = fmax(m, (float)row[xi - W]);
                    if (iy + 1 < H) m = fmax(m, (float)row[xi + W]);
                }
                col[t] = m;
            }
#pragma unroll
            for (int t = 0; t < SPANP; t++) xs[t] = (real)fmax(fmax(col[t], col[t + 1]), col[t + 2]);
#else
            if (inside) {
#pragma unroll
                for (int t = 0; t < SPANP; t++) xs[t] = row[ix0 + t];
            } else {
#pragma unroll
                for (int t = 0; t < SPANP; t++) {
                    const int xi = ix0 + t;
                    xs[t] = (xi >= 0 && xi < W) ? row[xi] : 0.0f;
                }
            }
#endif
            kvec_madd_row(acc, xs, wk + ky * KW * KBV);
        }
    }
#endif
#pragma unroll
    for (int v = 0; v < KV; v++)
#pragma unroll
        for (int j = 0; j < PX; j++) total[v][j] += convert_float16(acc[v][j]);
    }

    __global sreal *y = out + out_offset + n * out_image_stride + oy * OW + ox0;
    const int plane_out = OH * OW;
    const int k0 = kb_out * KBV;
    const int full = ox0 + PX <= OW && k0 + KBV <= K;
#if !CHUNKED && !(defined(REAL_HALF) && REAL_HALF)
    if (full) {
        /* Each channel's PX pixels as vector stores (channel_rows.cl). */
#pragma unroll
        for (int v = 0; v < KV; v++) {
            float16 r[PX];
#pragma unroll
            for (int j = 0; j < PX; j++) r[j] = RELU ? fmax(total[v][j], (float16)(0.0f)) : total[v][j];
            __global float *yv = y + (k0 + v * 16) * plane_out;
            int j = 0;
#pragma unroll
            for (; j + 4 <= PX; j += 4) store_channel_rows4(r[j], r[j + 1], r[j + 2], r[j + 3], yv + j, plane_out);
#pragma unroll
            for (; j + 2 <= PX; j += 2) store_channel_rows2(r[j], r[j + 1], yv + j, plane_out);
            if (j < PX) {
                float t[16];
                vstore16(r[j], 0, t);
#pragma unroll
                for (int l = 0; l < 16; l++) yv[l * plane_out + j] = t[l];
            }
        }
        return;
    }
#endif
#pragma unroll
    for (int v = 0; v < KV; v++) {
#pragma unroll
        for (int j = 0; j < PX; j++) {
            float16 r = total[v][j];
#if CHUNKED
            if (c_begin > 0)
                r += convert_float16(stored_sum(y + (k0 + v * 16) * plane_out + j, plane_out, full,
                                                ox0 + j < OW ? K - k0 - v * 16 : 0));
            if (RELU && c_begin + c_count >= C) r = fmax(r, (float16)(0.0f));
#else
            if (RELU) r = fmax(r, (float16)(0.0f));
#endif
            real t[16];
            vstore16(convert_real16(r), 0, t);
            __global sreal *yj = y + (k0 + v * 16) * plane_out + j;
            if (full) {
#pragma unroll
                for (int l = 0; l < 16; l++) yj[l * plane_out] = t[l];
            } else if (ox0 + j < OW) {
                for (int l = 0; l < 16 && k0 + v * 16 + l < K; l++) yj[l * plane_out] = t[l];
            }
        }
    }
}

__kernel void conv2d_kvec(__global const sreal *restrict in, __global const sreal *restrict wt,
                          __global const sreal *restrict bias, __global sreal *restrict out,
                          int C, int H, int W, int K, int OH, int OW, int pad_top, int pad_left,
                          int kblocks, int out_offset, int out_image_stride CHUNK_PARAMS)
{
    const int n = get_global_id(2) / kblocks;
    const int kb = get_global_id(2) - n * kblocks;
    kvec_tile(in, wt, bias, out, C, H, W, K, OH, OW, pad_top, pad_left, n, kb, kb, out_offset,
              out_image_stride CHUNK_ARGS);
}

#if !CHUNKED /* chunks run unfused (runtime/ops/ops_conv.c) */
/*
 * Horizontal fusion (pass 3, runtime/passes/passes.h): up to three convolutions of
 * the same input, their weights concatenated (K, K2, K3 channels; K and K2
 * padded with zero filters to multiples of KBV so no weight block straddles
 * two outputs), in one launch.
 * Each output has its own placement. With two, out3 is unused (K3 = 0) and
 * K2 may be any size.
 */
__kernel void conv2d_kvec_split(__global const sreal *restrict in, __global const sreal *restrict wt,
                                __global const sreal *restrict bias, __global sreal *out,
                                int C, int H, int W, int K, int OH, int OW, int pad_top,
                                int pad_left, int kblocks, int out_offset, int out_image_stride,
                                __global sreal *out2, int K2, int out_offset2, int out_image_stride2,
                                __global sreal *out3, int K3, int out_offset3, int out_image_stride3)
{
    const int n = get_global_id(2) / kblocks;
    const int kb = get_global_id(2) - n * kblocks;
    const int kb2 = (K + KBV - 1) / KBV, kb3 = kb2 + (K2 + KBV - 1) / KBV; /* padded to whole blocks */
    /* One call site: the tile is inlined once, not once per output (a third
       of the code for the compiler, which is most of a cold start on PoCL). */
    __global sreal *dst = out;
    int k_dst = K, kb_dst = kb, offset = out_offset, stride = out_image_stride;
    if (kb >= kb3) {
        dst = out3, k_dst = K3, kb_dst = kb - kb3, offset = out_offset3, stride = out_image_stride3;
    } else if (kb >= kb2) {
        dst = out2, k_dst = K2, kb_dst = kb - kb2, offset = out_offset2, stride = out_image_stride2;
    }
    kvec_tile(in, wt, bias, dst, C, H, W, k_dst, OH, OW, pad_top, pad_left, n, kb, kb_dst, offset,
              stride);
}
#endif
