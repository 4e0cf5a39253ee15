/*
 * SIMT convolution family: 2-D convolution, NCHW float32, as an implicit GEMM
 * for GPUs and for CPU drivers that vectorise across work-items (Intel's
 * OpenCL CPU runtime). With
 *   M = output channels, N = batch * OH * OW (batch folds into N),
 *   Kt = C * KH * KW (reduction, k = (c * KH + ky) * KW + kx),
 * out[m][n] = sum_k wt[k][m] * x[k][n] (+ bias[m]) (then ReLU), where x[k][n]
 * is the im2col matrix, gathered on the fly from the input (zero outside it).
 *
 * A work-group of WGN x WGM work-items computes a TM x TN output tile
 * (TM = WGM * RM output channels, TN = WGN * RN pixels); each work-item holds
 * an RM x RN register tile of channels ty + i * WGM and pixels tx + j * WGN, so
 * neighbouring work-items (dimension 0) read neighbouring local words and store
 * neighbouring pixels. The reduction walks TK-deep slices: the weight slice
 * (TK x TM) and the im2col slice (TK x TN) are staged in __local memory by the
 * whole group with coalesced loads, then every work-item runs TK rank-1
 * updates of its register tile from local memory.
 *
 * Weights come re-laid once at plan time (runtime/ops/ops_conv_simt.c) as
 * wt[Kp][Mp]: k-major, Kp = Kt rounded up to TK, Mp = M rounded up to TM,
 * zero-padded, so weight loads need no bounds checks and are unit-stride.
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   KH, KW    kernel height and width (default 3)
 *   SH, SW    stride (default 1)
 *   PW        1: a pointwise convolution (1x1, stride 1, no padding): the
 *             im2col gather is a plain row read (default 0)
 *   POOL3     1 (1x1 stride-1 unpadded only): the input is first max-pooled
 *             3x3, stride 1, pads 1 (Inception path 4, fused by pass 2)
 *   WGN, WGM  work-group shape: pixels x channels (default 16 x 16)
 *   RN, RM    register tile: pixels x channels per work-item (default 4 x 4)
 *   TK        reduction depth of one local slice (default 16)
 *   SPLIT     0: the epilogue adds bias, applies ReLU and writes the output
 *             placement; 1: split-K, the kernel writes its partial sums to
 *             part[split][M][N] and conv_simt_reduce finishes (default 0)
 *   GROUP     1: up to three outputs (Inception's 1x1 group, pass 3): output
 *             channels m2.. go to out2 and m3.. to out3, each with its own
 *             placement (default 0)
 *   HAS_BIAS  1: add bias[m]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue
 * Constraints (checked below): WGM % RN == 0 (each work-item gathers one
 * fixed pixel column of the im2col slice), TK * TN and TK * TM multiples of
 * the work-group size.
 *
 * Output (b, m, p) goes to out[out_offset + b * out_image_stride + m * OH * OW + p],
 * plain NCHW for out_offset = 0, out_image_stride = M * OH * OW, a channel slice
 * of a concatenated tensor otherwise.
 *
 * NDRange (host code computes it from the same names): global
 * {ceil(N / TN) * WGN, ceil(M / TM) * WGM, splits}, local {WGN, WGM, 1}.
 * Dimension 2 is the split-K index: split s reduces k in
 * [s * k_chunk, min((s + 1) * k_chunk, Kp)), k_chunk a multiple of TK.
 * Work-items past N or M compute on zeros and store nothing.
 *
 * conv_simt_reduce (SPLIT=1 launches): one work-item per output element,
 * global {ceil(max(M * N, 4096) / RWG) * RWG}, local {RWG}: sums the splits,
 * adds bias, ReLU, writes the placement (and the group's routing).
 *
 * Winograd F(WM x WM, 3x3) in the same style, three launches:
 *   wino_simt_input: one work-item per (tile, input channel), V[xi][c][t],
 *       tiles padded with zeros to Tp (a multiple of TM). global
 *       {ceil(Tp / 16) * 16, C rounded up to 2 (more for 4,096 work-items on
 *       GPUs)}, local {16, 2}.
 *   gemm_simt: per transform point xi (dimension 2), the same tiled GEMM as
 *       conv_simt with plain operands: Mx[xi][t][k] = sum_c V[xi][c][t] * U[xi][c][k]
 *       (GEMM M = tiles, N = output channels, unit stride along N for U and Mx),
 *       U = G g G^T re-laid at plan time as U[xi][c][ldu], zero-padded.
 *       global {ceil(Kp / TN) * WGN, Tp / TM * WGM, A * A}, local {WGN, WGM, 1}.
 *   wino_simt_output: one work-item per (output channel, tile): A^T m A, bias,
 *       ReLU, output placement. global {ceil(K / 16) * 16, T rounded up to 2
 *       (more for 4,096 work-items on GPUs)}, local {16, 2}; -D WM (2 or 4,
 *       default 4).
 */

#include "prelude.cl"
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
#ifndef PW
#define PW 0
#endif
#ifndef POOL3
#define POOL3 0
#endif
#ifndef WGN
#define WGN 16
#endif
#ifndef WGM
#define WGM 16
#endif
#ifndef RN
#define RN 4
#endif
#ifndef RM
#define RM 4
#endif
#ifndef TK
#define TK 16
#endif
#ifndef SPLIT
#define SPLIT 0
#endif
#ifndef GROUP
#define GROUP 0
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif
#ifndef WM
#define WM 4
#endif

#define TM (WGM * RM)
#define TN (WGN * RN)
#define WG (WGN * WGM)
#define TAPS (KH * KW)
/* im2col rows each work-item gathers per slice, and the stride between them. */
#define XLOADS (TK * TN / WG)
#define XROWS (WG / TN)
#define WLOADS (TK * TM / WG)

#if (WGM % RN) != 0 || (TK * TN) % WG != 0 || (TK * TM) % WG != 0
#error "conv_simt.cl: needs WGM % RN == 0 and TK * TN, TK * TM multiples of WGN * WGM"
#endif
#if POOL3 && !PW
#error "conv_simt.cl: POOL3 needs a pointwise convolution (PW=1)"
#endif

#define SIMT_WG_SIZE __attribute__((reqd_work_group_size(WGN, WGM, 1)))

#if GROUP
#define ROUTE_PARAMS                                                                              \
    , __global sreal *out2, int m2, int out_offset2, int out_image_stride2, __global sreal *out3,  \
        int m3, int out_offset3, int out_image_stride3
#define ROUTE_ARGS , out2, m2, out_offset2, out_image_stride2, out3, m3, out_offset3, out_image_stride3
#else
#define ROUTE_PARAMS
#define ROUTE_ARGS
#endif

/*
 * Where output channel m of image 0 starts: its output's buffer plus that
 * output's offset and channel; *stride is the output's image stride.
 */
static inline __global sreal *simt_row(__global sreal *out, int out_offset, int out_image_stride,
                                       int m, int ohw, int *stride ROUTE_PARAMS)
{
#if GROUP
    if (m >= m3) {
        *stride = out_image_stride3;
        return out3 + out_offset3 + (m - m3) * ohw;
    }
    if (m >= m2) {
        *stride = out_image_stride2;
        return out2 + out_offset2 + (m - m2) * ohw;
    }
#endif
    *stride = out_image_stride;
    return out + out_offset + m * ohw;
}

/* The im2col sample for reduction index k of a pixel whose window starts at
   (iy0, ix0) of image `img` (C planes of H x W), or p for pointwise. */
static inline real simt_sample(__global const sreal *restrict img, int k, int Kt, int H, int W,
                                int iy0, int ix0, int p, int ok)
{
#if PW
    if (!ok || k >= Kt) return 0.0f;
    __global const sreal *plane = img + k * H * W;
#if POOL3
    /* 3x3 stride-1 max-pool, pads 1, of the plane at pixel (iy0, ix0). */
    real v = -INFINITY;
#pragma unroll
    for (int dy = -1; dy <= 1; dy++) {
        const int iy = iy0 + dy;
        if (iy < 0 || iy >= H) continue;
#pragma unroll
        for (int dx = -1; dx <= 1; dx++) {
            const int ix = ix0 + dx;
            if (ix >= 0 && ix < W) v = fmax(v, (real)plane[iy * W + ix]);
        }
    }
    return v;
#else
    return plane[p];
#endif
#else
    const int c = k / TAPS, r = k - c * TAPS;
    const int ky = r / KW, kx = r - ky * KW;
    const int iy = iy0 + ky, ix = ix0 + kx;
    if (!ok || k >= Kt || iy < 0 || iy >= H || ix < 0 || ix >= W) return 0.0f;
    return img[(c * H + iy) * W + ix];
#endif
}

__kernel SIMT_WG_SIZE void conv_simt(__global const sreal *restrict in, __global const sreal *restrict wt,
                                     __global const sreal *restrict bias, __global sreal *out,
                                     int C, int H, int W, int M, int OH, int OW, int N, int pad_top,
                                     int pad_left, int Mp, int Kp, int k_chunk, int out_offset,
                                     int out_image_stride ROUTE_PARAMS)
{
    __local real ws[TK][TM];
    __local real xs[TK][TN];

    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * WGN + tx;
    const int n0 = get_group_id(0) * TN, m0 = get_group_id(1) * TM;
    const int split = get_global_id(2);
    const int Kt = C * TAPS, ohw = OH * OW;

    /* The one pixel column of the im2col slice this work-item gathers. */
    const int gcol = tid % TN, grow = tid / TN;
    const int gn = n0 + gcol;
    const int gok = gn < N;
    const int gb = gok ? gn / ohw : 0;
    const int gp = gok ? gn - gb * ohw : 0;
    const int goy = gp / OW, gox = gp - goy * OW;
    const int iy0 = goy * SH - pad_top, ix0 = gox * SW - pad_left;
    __global const sreal *img = in + gb * C * H * W;

    float acc[RM][RN]; /* float in half builds too */
#pragma unroll
    for (int i = 0; i < RM; i++)
#pragma unroll
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;

    const int kbeg = split * k_chunk;
    const int kend = min(kbeg + k_chunk, Kp);
    for (int k0 = kbeg; k0 < kend; k0 += TK) {
        /* Stage the slices: weights along m (unit stride in wt), im2col along n. */
#pragma unroll
        for (int l = 0; l < WLOADS; l++) {
            const int e = tid + l * WG;
            const int kk = e / TM, mm = e - kk * TM;
            ws[kk][mm] = wt[(k0 + kk) * Mp + m0 + mm];
        }
#pragma unroll
        for (int l = 0; l < XLOADS; l++) {
            const int kk = grow + l * XROWS;
            xs[kk][gcol] = simt_sample(img, k0 + kk, Kt, H, W, iy0, ix0, gp, gok);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            real a[RM], b[RN];
#pragma unroll
            for (int i = 0; i < RM; i++) a[i] = ws[kk][ty + i * WGM];
#pragma unroll
            for (int j = 0; j < RN; j++) b[j] = xs[kk][tx + j * WGN];
#pragma unroll
            for (int i = 0; i < RM; i++)
#pragma unroll
                for (int j = 0; j < RN; j++) acc[i][j] = fma((float)a[i], (float)b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#if SPLIT
    /* Partial sums, part[split][M][N]; conv_simt_reduce finishes. */
    __global sreal *part = out + (size_t)split * M * N;
#pragma unroll
    for (int i = 0; i < RM; i++) {
        const int m = m0 + ty + i * WGM;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < RN; j++) {
            const int n = n0 + tx + j * WGN;
            if (n < N) part[m * N + n] = acc[i][j];
        }
    }
#else
    /* Image and pixel of each of this work-item's pixels. */
    int img_of[RN], pix_of[RN];
#pragma unroll
    for (int j = 0; j < RN; j++) {
        const int n = n0 + tx + j * WGN;
        img_of[j] = n < N ? n / ohw : -1;
        pix_of[j] = n - max(img_of[j], 0) * ohw;
    }
#pragma unroll
    for (int i = 0; i < RM; i++) {
        const int m = m0 + ty + i * WGM;
        if (m >= M) continue;
        const real bm = HAS_BIAS ? bias[m] : 0.0f;
        int stride;
        __global sreal *row = simt_row(out, out_offset, out_image_stride, m, ohw, &stride ROUTE_ARGS);
#pragma unroll
        for (int j = 0; j < RN; j++) {
            if (img_of[j] < 0) continue;
            float r = acc[i][j] + (float)bm;
            if (RELU) r = fmax(r, 0.0f);
            row[img_of[j] * stride + pix_of[j]] = r;
        }
    }
#endif
}

__kernel void conv_simt_reduce(__global const sreal *restrict part, __global const sreal *restrict bias,
                               __global sreal *out, int M, int N, int ohw, int splits,
                               int out_offset, int out_image_stride ROUTE_PARAMS)
{
    const int e = get_global_id(0);
    if (e >= M * N) return;
    const int m = e / N, n = e - m * N;
    float r = HAS_BIAS ? (float)bias[m] : 0.0f;
    for (int s = 0; s < splits; s++) r += (float)part[s * M * N + e];
    if (RELU) r = fmax(r, 0.0f);
    int stride;
    __global sreal *row = simt_row(out, out_offset, out_image_stride, m, ohw, &stride ROUTE_ARGS);
    const int b = n / ohw;
    row[b * stride + n - b * ohw] = r;
}

/* Batched GEMM, C[b][m][n] = sum_k A[b][k][m] * B[b][k][n], both operands
   k-major; lda >= M rounded up to TM and ldb >= N rounded up to TN (the
   padding is read, never stored). */
__kernel SIMT_WG_SIZE void gemm_simt(__global const sreal *restrict A, __global const sreal *restrict B,
                                     __global sreal *restrict Cm, int M, int N, int K, int lda,
                                     int ldb, int ldc, int a_batch, int b_batch, int c_batch)
{
    __local real ws[TK][TM];
    __local real xs[TK][TN];

    const int tx = get_local_id(0), ty = get_local_id(1);
    const int tid = ty * WGN + tx;
    const int n0 = get_group_id(0) * TN, m0 = get_group_id(1) * TM;
    const int batch = get_global_id(2);
    A += (size_t)batch * a_batch + m0;
    B += (size_t)batch * b_batch + n0;

    float acc[RM][RN]; /* float in half builds too */
#pragma unroll
    for (int i = 0; i < RM; i++)
#pragma unroll
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TK) {
#pragma unroll
        for (int l = 0; l < WLOADS; l++) {
            const int e = tid + l * WG;
            const int kk = e / TM, mm = e - kk * TM;
            ws[kk][mm] = k0 + kk < K ? A[(k0 + kk) * lda + mm] : 0.0f;
        }
#pragma unroll
        for (int l = 0; l < XLOADS; l++) {
            const int e = tid + l * WG;
            const int kk = e / TN, nn = e - kk * TN;
            xs[kk][nn] = k0 + kk < K ? B[(k0 + kk) * ldb + nn] : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            real a[RM], b[RN];
#pragma unroll
            for (int i = 0; i < RM; i++) a[i] = ws[kk][ty + i * WGM];
#pragma unroll
            for (int j = 0; j < RN; j++) b[j] = xs[kk][tx + j * WGN];
#pragma unroll
            for (int i = 0; i < RM; i++)
#pragma unroll
                for (int j = 0; j < RN; j++) acc[i][j] = fma((float)a[i], (float)b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    __global sreal *c = Cm + (size_t)batch * c_batch;
#pragma unroll
    for (int i = 0; i < RM; i++) {
        const int m = m0 + ty + i * WGM;
        if (m >= M) continue;
#pragma unroll
        for (int j = 0; j < RN; j++) {
            const int n = n0 + tx + j * WGN;
            if (n < N) c[m * ldc + n] = acc[i][j];
        }
    }
}

/* Winograd transforms (B^T d B in, A^T m A out). */
#include "winograd_transforms.cl"
#define WALPHA WINO_ALPHA

/* V[xi][c][t] = (B^T d B)[xi] for one tile t (zeros for T <= t < Tp) and one
   input channel c; the global size is padded (work-items past Tp or C return). */
__kernel void wino_simt_input(__global const sreal *restrict in, __global sreal *restrict V, int C,
                              int H, int W, int TH, int TW, int T, int Tp, int pad_top, int pad_left)
{
    const int t = get_global_id(0), c = get_global_id(1);
    if (t >= Tp || c >= C) return;
    const float BT[WALPHA][WALPHA] = WINO_BT;
    float d[WALPHA][WALPHA]; /* transforms in float for half data too */
    const int n = t / (TH * TW), r = t - n * (TH * TW);
    const int ty = r / TW, tx = r - ty * TW;
    const int y0 = ty * WM - pad_top, x0 = tx * WM - pad_left;
    __global const sreal *plane = in + (size_t)(n * C + c) * H * W;
#pragma unroll
    for (int i = 0; i < WALPHA; i++)
#pragma unroll
        for (int j = 0; j < WALPHA; j++) {
            const int y = y0 + i, x = x0 + j;
            d[i][j] = t < T && y >= 0 && y < H && x >= 0 && x < W ? plane[y * W + x] : 0.0f;
        }
    float tmp[WALPHA][WALPHA];
#pragma unroll
    for (int i = 0; i < WALPHA; i++)
#pragma unroll
        for (int j = 0; j < WALPHA; j++) {
            float s = 0.0f;
#pragma unroll
            for (int l = 0; l < WALPHA; l++)
                if (BT[i][l] != 0.0f) s += BT[i][l] * d[l][j];
            tmp[i][j] = s;
        }
    __global sreal *v = V + (size_t)c * Tp + t;
    const size_t xstride = (size_t)C * Tp;
#pragma unroll
    for (int i = 0; i < WALPHA; i++)
#pragma unroll
        for (int j = 0; j < WALPHA; j++) {
            float s = 0.0f;
#pragma unroll
            for (int l = 0; l < WALPHA; l++)
                if (BT[j][l] != 0.0f) s += tmp[i][l] * BT[j][l];
            v[(i * WALPHA + j) * xstride] = s;
        }
}

__kernel void wino_simt_output(__global const sreal *restrict Mx, __global const sreal *restrict bias,
                               __global sreal *restrict out, int K, int OH, int OW, int TH, int TW,
                               int T, int Tp, int ldc, int out_offset, int out_image_stride)
{
    const int k = get_global_id(0), t = get_global_id(1);
    if (k >= K || t >= T) return;
    const float AT[WM][WALPHA] = WINO_AT;
    float m[WALPHA][WALPHA];
#pragma unroll
    for (int i = 0; i < WALPHA; i++)
#pragma unroll
        for (int j = 0; j < WALPHA; j++) m[i][j] = Mx[((size_t)(i * WALPHA + j) * Tp + t) * ldc + k];
    float tmp[WM][WALPHA];
#pragma unroll
    for (int i = 0; i < WM; i++)
#pragma unroll
        for (int j = 0; j < WALPHA; j++) {
            float s = 0.0f;
#pragma unroll
            for (int l = 0; l < WALPHA; l++)
                if (AT[i][l] != 0.0f) s += AT[i][l] * m[l][j];
            tmp[i][j] = s;
        }
    const float b = HAS_BIAS ? (float)bias[k] : 0.0f;
    const int n = t / (TH * TW), r = t - n * TH * TW;
    const int oy0 = (r / TW) * WM, ox0 = (r - (r / TW) * TW) * WM;
    __global sreal *y = out + out_offset + n * out_image_stride + k * OH * OW;
#pragma unroll
    for (int i = 0; i < WM; i++) {
        if (oy0 + i >= OH) break;
#pragma unroll
        for (int j = 0; j < WM; j++) {
            float s = b;
#pragma unroll
            for (int l = 0; l < WALPHA; l++)
                if (AT[j][l] != 0.0f) s += tmp[i][l] * AT[j][l];
            if (RELU) s = fmax(s, 0.0f);
            if (ox0 + j < OW) y[(oy0 + i) * OW + ox0 + j] = s;
        }
    }
}
