/*
 * Winograd convolution F(WM x WM, 3x3), stride 1, NCHW float32, for the 3x3
 * convolutions of Inception blocks. Three kernels, run in this order:
 *
 *   wino_input:  V[xi][c][t] = (B^T d B)[xi]   for each input channel c and
 *                tile t (WM x WM outputs; d is the (WM+2)^2 input patch, zero
 *                outside the input). Tiles t >= T (padding up to Tp) get zeros.
 *                NDRange {Tp, C}.
 *   wino_gemm:   M[xi][k / 16][t][k % 16] = sum_c U[xi][c][k] * V[xi][c][t],
 *                one small GEMM per xi (A*A of them), vectorised over output
 *                channels: a work-item holds PX tiles x KV float16 accumulators.
 *                NDRange {Tp / PX, Kp / (16 * KV), A * A}.
 *   wino_output: out = A^T M A (+ bias) (ReLU) for each tile and 16 output
 *                channels, stored with the usual output placement:
 *                out[out_offset + n * out_image_stride + (k * OH + oy) * OW + ox].
 *                NDRange {T, Kp / 16}. Neighbouring work-items are
 *                neighbouring tiles of one channel block: their stores share
 *                cache lines while those are in L1, and M's blocks of 16
 *                channels put their reads side by side (torchvision
 *                GoogLeNet, batch 32, PoCL: output transforms 41 -> 28 ms
 *                against tiles side by side in M's rows of Kp channels).
 *
 * The input and output are activations (`sreal`); U, V, M and the bias are
 * this file's own and hold the compute type `real`: in half data computed in
 * float (HALF_FLOAT_MATH) they stay float, so that F(4x4)'s transforms, which
 * magnify rounding, add no half rounding of their own.
 *
 * U = G g G^T (the transformed filters) is computed on the host at plan time
 * (runtime/ops/ops_conv.c) and laid out as U[xi][K / KB][C][KB] (KB = 16 * KV),
 * K padded with zero filters to Kp, a multiple of KB; bias is padded to Kp.
 * Tile t of image n at tile row ty, column tx: t = (n * TH + ty) * TW + tx,
 * covering outputs [ty * WM, ty * WM + WM) x [tx * WM, tx * WM + WM). The
 * three kernels run on a chunk of T tiles from tile t_base of the batch (V
 * and M hold the chunk only), so that what one writes is still in the cache
 * when the next reads it.
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   WM        output tile size: 2 (F(2x2,3x3)) or 4 (F(4x4,3x3)); default 4
 *   PX        tiles per wino_gemm work-item, 1..16 (default 4); Tp % PX == 0
 *   KV        16-wide channel vectors per wino_gemm work-item, 1..4 (default 2)
 *   WI_VECTORS 1: wino_input indexes V with int arithmetic, for drivers that
 *             vectorise across work-items (the device table's work_item_vectors)
 *   WORD_PAIRS 1 (half builds, drivers that vectorise across work-items):
 *             wino_input (W >= 2) reads two columns as one 32-bit word,
 *             wino_output stores them so (x86 CPUs: 32-bit accesses at
 *             16-bit alignment)
 *   HAS_BIAS  1: add bias (wino_output)
 *   RELU      1: ReLU fused into wino_output
 *   FMA       1: multiply-adds through fma() (default; PoCL 3.1 does not contract
 *             a * b + c into FMA instructions); 0: mad()
 */
#ifndef WM
#define WM 4
#endif
#ifndef PX
#define PX 4
#endif
#ifndef KV
#define KV 2
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef CBLK
#define CBLK 64
#endif
#ifndef WI_VECTORS
#define WI_VECTORS 0
#endif
#ifndef RELU
#define RELU 0
#endif
#ifndef WORD_PAIRS
#define WORD_PAIRS 0
#endif

#define ALPHA WINO_ALPHA
#define KBW (16 * KV)
/* wino_gemm's prefetch hints, in channels ahead: consecutive channels' tiles
   are Tp apart, a stride the hardware prefetchers do not follow past a page
   (d2l GoogLeNet batch 32, PoCL: F(4x4) GEMMs 7.6 -> 7.3 ms); the
   transformed filters come from L3 at batch 1 (torchvision GoogLeNet: its
   F(4x4) GEMMs 3.3-3.6 -> 2.9-3.1 ms; batch 32 unchanged). A hint for
   wino_output's 36 streams of M made it slower (3.4 -> 4.3 ms). */
#define INPUT_AHEAD 16
#define WEIGHTS_AHEAD 8

#include "prelude.cl"

#include "winograd_transforms.cl"
#include "channel_rows.cl"

__kernel void wino_input(__global const sreal *restrict in, __global real *restrict V, int C,
                         int H, int W, int TH, int TW, int T, int Tp, int pad_top, int pad_left,
                         int t_base)
{
    const int t = get_global_id(0);
    const int c = get_global_id(1);
    const real BT[ALPHA][ALPHA] = WINO_BT;
    real d[ALPHA][ALPHA];
    if (t < T) {
        const int tg = t_base + t; /* the tile's place in the batch */
        const int n = tg / (TH * TW), r = tg - n * (TH * TW);
        const int ty = r / TW, tx = r - ty * TW;
        const int y0 = ty * WM - pad_top, x0 = tx * WM - pad_left;
        /* int offsets from `in` (the input's size is below INT_MAX,
           runtime/ops/ops_conv.c): PoCL runs this kernel as work-items side
           by side, and gathers with 32-bit indices where a pointer per
           plane took 64-bit ones (d2l GoogLeNet, batch 32: F(4x4) input
           transforms 3.5 -> 2.95 ms, F(2x2) 2.27 -> 1.70). */
        const int plane = (n * C + c) * H * W;
#if WORD_PAIRS
        /* Neighbouring tiles' columns are WM apart, which a driver that
           vectorises across work-items gathers element by element for 16-bit
           data (x86 has no 16-bit gather; Intel's runtime, d2l GoogLeNet at
           batch 32: 8.5 ms of F(2x2) input transforms in half, 1.3 in float).
           So each pair of columns is one 32-bit word (for F(2x2) the
           neighbours' words lie side by side: one vector load), read from
           clamped addresses inside the plane; samples outside it are zeroed
           afterwards. Needs W >= 2 (runtime/ops/ops_conv.c) and a driver
           that allows 32-bit loads at 16-bit alignment (x86 CPUs). */
#pragma unroll
        for (int i = 0; i < ALPHA; i++) {
            const int y = y0 + i, yc = clamp(y, 0, H - 1), row_in = y >= 0 && y < H;
#pragma unroll
            for (int j = 0; j < ALPHA; j += 2) {
                const int x = x0 + j, xc = clamp(x, 0, W - 2);
                const half2 q = as_half2(*(const __global uint *)(in + plane + yc * W + xc));
                d[i][j] = row_in && x >= 0 && x < W ? (x == xc ? q.x : q.y) : 0.0f;
                d[i][j + 1] = row_in && x + 1 >= 0 && x + 1 < W ? (x + 1 == xc ? q.x : q.y) : 0.0f;
            }
        }
#else
        const int inside = y0 >= 0 && x0 >= 0 && y0 + ALPHA <= H && x0 + ALPHA <= W;
#pragma unroll
        for (int i = 0; i < ALPHA; i++) {
#pragma unroll
            for (int j = 0; j < ALPHA; j++) {
                const int y = y0 + i, x = x0 + j;
                d[i][j] = (inside || (y >= 0 && y < H && x >= 0 && x < W)) ? in[plane + y * W + x] : 0.0f;
            }
        }
#endif
    } else {
#pragma unroll
        for (int i = 0; i < ALPHA; i++)
#pragma unroll
            for (int j = 0; j < ALPHA; j++) d[i][j] = 0.0f;
    }
    /* tmp = B^T d; v = tmp B */
    real tmp[ALPHA][ALPHA];
#pragma unroll
    for (int i = 0; i < ALPHA; i++)
#pragma unroll
        for (int j = 0; j < ALPHA; j++) {
            real s = 0.0f;
#pragma unroll
            for (int l = 0; l < ALPHA; l++) s += BT[i][l] * d[l][j];
            tmp[i][j] = s;
        }
#if WI_VECTORS
    /* int offsets (V's size is below INT_MAX, runtime/ops/ops_conv.c): Intel's
       runtime then stores 16 neighbouring work-items' values as one vector;
       from 64-bit offsets it made scatters (d2l GoogLeNet, batch 32: 10.6 ms
       -> 3.0 ms for the F(4x4) transforms). PoCL, which runs this kernel as
       scalar code, vectorised the int form with gathers: 2x slower there. */
    __global real *v = V + (c * Tp + t);
    const int xstride = C * Tp;
#else
    __global real *v = V + (size_t)c * Tp + t;
    const size_t xstride = (size_t)C * Tp;
#endif
#pragma unroll
    for (int i = 0; i < ALPHA; i++)
#pragma unroll
        for (int j = 0; j < ALPHA; j++) {
            real s = 0.0f;
#pragma unroll
            for (int l = 0; l < ALPHA; l++) s += tmp[i][l] * BT[j][l];
            v[(i * ALPHA + j) * xstride] = s;
        }
}

__kernel void wino_gemm(__global const real *restrict U, __global const real *restrict V,
                        __global real *restrict M, int C, int Tp, int Kp)
{
    const int t0 = get_global_id(0) * PX;
    const int kb = get_global_id(1);
    const int xi = get_global_id(2);
    const int kblocks = Kp / KBW;
    const int colstep = min(Tp, 1); /* 1 (Tp >= 1), opaque to the compiler */
    __global const real *vp = V + (size_t)xi * C * Tp + t0;
    __global const real *up = U + ((size_t)xi * kblocks + kb) * C * KBW;
    /* Blocks of CBLK channels, each block's sum added to the total: shorter
       float32 chains (as in conv2d.cl's kvec_tile). */
    real16 total[KV][PX];
#pragma unroll
    for (int v = 0; v < KV; v++)
#pragma unroll
        for (int j = 0; j < PX; j++) total[v][j] = (real16)(0.0f);
    for (int c0 = 0; c0 < C; c0 += CBLK) {
        real16 acc[KV][PX];
#pragma unroll
        for (int v = 0; v < KV; v++)
#pragma unroll
            for (int j = 0; j < PX; j++) acc[v][j] = (real16)(0.0f);
        const int c_end = min(C, c0 + CBLK);
        for (int c = c0; c < c_end; c++, vp += Tp, up += KBW) {
            CLG_PREFETCH(vp + INPUT_AHEAD * Tp);
            CLG_PREFETCH(vp + INPUT_AHEAD * Tp + PX - 1);
#pragma unroll
            for (int v = 0; v < KV; v++) CLG_PREFETCH(up + WEIGHTS_AHEAD * KBW + v * 16);
            real xs[PX];
            /* colstep: see the loads of conv2d.cl's 1x1 loop */
#pragma unroll
            for (int j = 0; j < PX; j++) xs[j] = vp[j * colstep];
#pragma unroll
            for (int v = 0; v < KV; v++) {
                const real16 wv = vload16(0, up + v * 16);
#pragma unroll
                for (int j = 0; j < PX; j++) acc[v][j] = MADD((real16)(xs[j]), wv, acc[v][j]);
            }
        }
#pragma unroll
        for (int v = 0; v < KV; v++)
#pragma unroll
            for (int j = 0; j < PX; j++) total[v][j] += acc[v][j];
    }
    __global real *mp = M + (((size_t)xi * (Kp / 16) + kb * KV) * Tp + t0) * 16;
#pragma unroll
    for (int j = 0; j < PX; j++)
#pragma unroll
        for (int v = 0; v < KV; v++) vstore16(total[v][j], 0, mp + ((size_t)v * Tp + j) * 16);
}

__kernel void wino_output(__global const real *restrict M, __global const real *restrict bias,
                          __global sreal *restrict out, int K, int OH, int OW, int TH, int TW,
                          int Tp, int Kp, int out_offset, int out_image_stride, int t_base)
{
    const int t = get_global_id(0);
    const int k0 = get_global_id(1) * 16;
    const real AT[WM][ALPHA] = WINO_AT;
    /* tmp = A^T m, a column of m at a time: ALPHA^2 vectors of m would not
       fit the register file with the sums. int offsets (M's size is below
       INT_MAX, runtime/ops/ops_conv.c): from 64-bit ones PoCL built the 36
       addresses in vector registers and extracted them one by one. */
    const int point_stride = Kp * Tp; /* between transform points' blocks */
    __global const real *mt = M + ((k0 / 16) * Tp + t) * 16;
    real16 tmp[WM][ALPHA];
#pragma unroll
    for (int j = 0; j < ALPHA; j++) {
        real16 col[ALPHA];
#pragma unroll
        for (int l = 0; l < ALPHA; l++) col[l] = vload16(0, mt + (l * ALPHA + j) * point_stride);
#pragma unroll
        for (int i = 0; i < WM; i++) {
            real16 s = (real16)(0.0f);
#pragma unroll
            for (int l = 0; l < ALPHA; l++)
                if (AT[i][l] != 0.0f) s += AT[i][l] * col[l];
            tmp[i][j] = s;
        }
    }
    const real16 b = HAS_BIAS ? vload16(0, bias + k0) : (real16)(0.0f);
    real16 ov[WM][WM]; /* output pixel (i, j) of the tile, 16 channels */
#pragma unroll
    for (int i = 0; i < WM; i++)
#pragma unroll
        for (int j = 0; j < WM; j++) {
            real16 s = b;
#pragma unroll
            for (int l = 0; l < ALPHA; l++)
                if (AT[j][l] != 0.0f) s += tmp[i][l] * AT[j][l];
            ov[i][j] = RELU ? fmax(s, (real16)(0.0f)) : s;
        }
    const int tg = t_base + t; /* the tile's place in the batch */
    const int n = tg / (TH * TW), r = tg - n * (TH * TW);
    const int ty = r / TW, tx = r - ty * TW;
    const int oy0 = ty * WM, ox0 = tx * WM;
    const int plane = OH * OW;
    __global sreal *y = out + out_offset + n * out_image_stride + k0 * plane + oy0 * OW + ox0;
    const int kn = min(16, K - k0);
#if !(defined(REAL_HALF) && REAL_HALF)
    if (oy0 + WM <= OH && ox0 + WM <= OW && kn == 16) {
        /* Each output row per channel as one vector store (channel_rows.cl):
           F(4x4) 16 stores and 8 shuffles per row where scalar stores took
           64 stores and 64 reloads. */
#pragma unroll
        for (int i = 0; i < WM; i++) {
#if WM == 4
            store_channel_rows4(ov[i][0], ov[i][1], ov[i][2], ov[i][3], y + i * OW, plane);
#else
            store_channel_rows2(ov[i][0], ov[i][1], y + i * OW, plane);
#endif
        }
        return;
    }
#endif
    real o[WM][WM][16];
#pragma unroll
    for (int i = 0; i < WM; i++)
#pragma unroll
        for (int j = 0; j < WM; j++) vstore16(ov[i][j], 0, &o[i][j][0]);
    if (oy0 + WM <= OH && ox0 + WM <= OW) {
#if WORD_PAIRS && WM == 2
        /* An output row's two columns as one 32-bit word (Intel's runtime,
           d2l GoogLeNet at batch 32: F(2x2) output transforms 3.7 -> 3.0-3.4 ms) */
        for (int l = 0; l < kn; l++)
#pragma unroll
            for (int i = 0; i < WM; i++)
                *(__global uint *)(y + l * plane + i * OW) = as_uint((half2)(o[i][0][l], o[i][1][l]));
#else
        for (int l = 0; l < kn; l++)
#pragma unroll
            for (int i = 0; i < WM; i++)
#pragma unroll
                for (int j = 0; j < WM; j++) y[l * plane + i * OW + j] = o[i][j][l];
#endif
    } else {
        for (int l = 0; l < kn; l++)
            for (int i = 0; i < WM && oy0 + i < OH; i++)
                for (int j = 0; j < WM && ox0 + j < OW; j++) y[l * plane + i * OW + j] = o[i][j][l];
    }
}
