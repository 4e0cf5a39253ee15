/*
 * Pooling over NCHW tensors of real (float or half); sums and averages in float.
 *
 * maxpool2d, avgpool2d: each work-item computes 4 neighbouring output pixels
 * of one row (float4 lanes). NDRange: dim 0 = ceil(OW / 4) groups along the
 * output row (unit stride), dim 1 = OH, dim 2 = N * C planes. Window loops
 * run over the full kernel (uniform bounds). Lanes whose windows lie inside
 * the row use vector loads; near an edge, reads use clamped indices that stay
 * inside the input and a lane mask drops positions outside it, so padding
 * never takes part in a max and padded zeros are never read.
 *
 * global_avgpool: one work-item per (n, c) plane (dim 0 = N * C), summing the
 * plane with float16 loads and a scalar tail.
 *
 * Takes no -D values: sizes and windows are kernel arguments so that one
 * program serves every layer.
 */

#include "prelude.cl"

/* Input x positions of the 4 output lanes starting at output column ox0. */
static int4 lane_x(int ox0, int SW, int PL)
{
    return (ox0 + (int4)(0, 1, 2, 3)) * SW - PL;
}

/*
 * Whether the lanes can use vector loads: stride 1 or 2 and every column any
 * lane reads (vload8 for stride 2 reads one past its last lane) inside the row.
 */
static int lanes_inside(int4 x0, int KW, int SW, int W)
{
    return x0.s0 >= 0 && ((SW == 1 && x0.s3 + KW <= W) || (SW == 2 && x0.s3 + KW < W));
}

/* The 4 lanes' inputs at column x (lane 0) of row, for lanes_inside windows. */
static float4 load_lanes(__global const sreal *row, int x, int SW)
{
    return convert_float4(SW == 1 ? vload4(0, row + x) : vload8(0, row + x).even);
}

/* Gathers row[cx] for 4 lanes; clamped indices keep the reads inside the row. */
static float4 gather4(__global const sreal *row, int4 cx)
{
    return (float4)(row[cx.s0], row[cx.s1], row[cx.s2], row[cx.s3]);
}

/* Stores the lanes that fall inside the output row (the last group may be partial). */
static void store4(__global sreal *dst, int ox0, int OW, float4 v)
{
    if (ox0 + 4 <= OW) {
        VSTORE_REAL(4, convert_real4(v), 0, dst + ox0);
    } else {
        float t[4];
        vstore4(v, 0, t);
        for (int j = 0; j < 4; j++)
            if (ox0 + j < OW) dst[ox0 + j] = t[j];
    }
}

/*
 * Max (is_max) or sum over the window of 4 lanes whose top-left corners are
 * (y0, x0.sN), counting only positions inside the H x W plane. Three ways
 * to read a row, fastest first (on PoCL 3.1, 4 scalar gathers per tap cost
 * about 3x a vector load): vector loads when every lane is inside the row;
 * for stride 1 near an edge, one clamped 8-wide span shifted once per tap;
 * otherwise clamped gathers per tap. Edge paths mask positions outside.
 */
static float4 window_reduce(__global const sreal *src, int H, int W, int y0, int4 x0, int KH,
                            int KW, int SW, int is_max)
{
    float4 acc = is_max ? (float4)(-INFINITY) : (float4)(0.0f);
    const int fast = lanes_inside(x0, KW, SW, W);
    /* Stride 1 near an edge: one clamped 8-wide span per row serves every kx. */
    const int span = !fast && SW == 1 && KW <= 5;
    const int8 pos = x0.s0 + (int8)(0, 1, 2, 3, 4, 5, 6, 7);
    const int8 cpos = clamp(pos, (int8)(0), (int8)(W - 1));
    for (int ky = 0; ky < KH; ky++) {
        const int iy = y0 + ky;
        const int cy = clamp(iy, 0, H - 1);
        const int row_ok = iy == cy ? -1 : 0;
        __global const sreal *row = src + cy * W;
        if (span) {
            float8 v = (float8)(row[cpos.s0], row[cpos.s1], row[cpos.s2], row[cpos.s3],
                                row[cpos.s4], row[cpos.s5], row[cpos.s6], row[cpos.s7]);
            int8 ok = (pos == cpos) & row_ok;
            for (int kx = 0; kx < KW; kx++) {
                acc = select(acc, is_max ? fmax(acc, v.lo) : acc + v.lo, ok.lo);
                v = v.s12345677;
                ok = ok.s12345677;
            }
            continue;
        }
        for (int kx = 0; kx < KW; kx++) {
            int4 ok = (int4)(row_ok);
            float4 v;
            if (fast) {
                v = load_lanes(row, x0.s0 + kx, SW);
            } else {
                const int4 ix = x0 + kx;
                const int4 cx = clamp(ix, (int4)(0), (int4)(W - 1));
                v = gather4(row, cx);
                ok &= ix == cx;
            }
            acc = select(acc, is_max ? fmax(acc, v) : acc + v, ok);
        }
    }
    return acc;
}

__kernel void maxpool2d(__global const sreal *restrict in, __global sreal *restrict out,
                        int H, int W, int OH, int OW, int KH, int KW, int SH, int SW,
                        int PT, int PL)
{
    const int ox0 = (int)get_global_id(0) * 4;
    const int oy = (int)get_global_id(1);
    const int plane = (int)get_global_id(2);
    const float4 m = window_reduce(in + (size_t)plane * H * W, H, W, oy * SH - PT,
                                   lane_x(ox0, SW, PL), KH, KW, SW, 1);
    store4(out + ((size_t)plane * OH + oy) * OW, ox0, OW, m);
}

/*
 * maxpool2d_rows: the same max pool, one work-item per output row, for
 * strides 1 and 2 on rows of at most POOL_ROW_MAX columns (CPU family). The
 * KH input rows are first reduced to one row in a private buffer with
 * -INFINITY on both sides, so the horizontal pass takes 8 outputs at a time
 * with plain vector loads everywhere, the padded ends included: on PoCL 3.1
 * the scalar, clipped windows at the ends had taken most of the time, and
 * all of it on maps under 24 columns (d2l GoogLeNet's 12x12 and 6x6).
 * `max`, not `fmax`: fmax's NaN rule costs two more instructions per use.
 * NDRange: {OH, N * C}. The host keeps W <= POOL_ROW_MAX and KW, PL and PR
 * <= POOL_EDGE (runtime/ops/ops_pool.c).
 */
#define POOL_ROW_MAX 256
#define POOL_EDGE 8
/* The left edge, the row and what the last 8-output block reads past it:
   at stride 2, 16 + KW - 1 columns from 2 * ox - PL with ox < OW + 7, where
   2 * OW <= W + PL + PR + 2 (ceil mode): under W + 58 columns in all. */
#define POOL_BUF (POOL_ROW_MAX + 8 * POOL_EDGE)

__kernel void maxpool2d_rows(__global const sreal *restrict in, __global sreal *restrict out,
                             int H, int W, int OH, int OW, int KH, int KW, int SH, int SW,
                             int PT, int PL)
{
    const int oy = (int)get_global_id(0);
    const int plane = (int)get_global_id(1);
    const int y0 = oy * SH - PT;
    const int ky0 = max(0, -y0), ky1 = min(KH, H - y0);
    __global const sreal *src = in + (size_t)plane * H * W;
    __global sreal *dst = out + ((size_t)plane * OH + oy) * OW;
    float buf[POOL_BUF];
    /* Columns the horizontal pass reads: [0, end) of buf, buf[POOL_EDGE + x] = column x. */
    const int end = min(POOL_BUF, POOL_EDGE - PL + (OW + 7) / 8 * 8 * SW + 8 + KW);
    for (int b = 0; b < POOL_EDGE; b++) buf[b] = -INFINITY;
    int x = 0;
    for (; x + 8 <= W; x += 8) {
        float8 m = (float8)(-INFINITY);
        for (int ky = ky0; ky < ky1; ky++) m = max(m, convert_float8(vload8(0, src + (y0 + ky) * W + x)));
        vstore8(m, 0, buf + POOL_EDGE + x);
    }
    for (; x < W; x++) {
        float m = -INFINITY;
        for (int ky = ky0; ky < ky1; ky++) m = max(m, (float)src[(y0 + ky) * W + x]);
        buf[POOL_EDGE + x] = m;
    }
    for (int b = POOL_EDGE + W; b < end; b++) buf[b] = -INFINITY;
    const float *row = buf + POOL_EDGE - PL;
    for (int ox = 0; ox < OW; ox += 8) {
        float8 m = (float8)(-INFINITY);
        for (int kx = 0; kx < KW; kx++)
            m = max(m, SW == 1 ? vload8(0, row + ox + kx) : vload16(0, row + 2 * ox + kx).even);
        if (ox + 8 <= OW) {
            VSTORE_REAL(8, convert_real8(m), 0, dst + ox);
        } else {
            float r[8];
            vstore8(m, 0, r);
            for (int i = 0; ox + i < OW; i++) dst[ox + i] = (real)r[i];
        }
    }
}

/*
 * count_include_pad != 0: the divisor counts window positions inside the
 * padded extent [-pad_begin, size + pad_end), but not those that exist only
 * because of ceil_mode (as PyTorch and ONNX's reference do). Otherwise it
 * counts valid input positions. A window with nothing to count yields 0.
 */
__kernel void avgpool2d(__global const sreal *restrict in, __global sreal *restrict out,
                        int H, int W, int OH, int OW, int KH, int KW, int SH, int SW,
                        int PT, int PL, int PB, int PR, int count_include_pad)
{
    const int ox0 = (int)get_global_id(0) * 4;
    const int oy = (int)get_global_id(1);
    const int plane = (int)get_global_id(2);
    const int y0 = oy * SH - PT;
    const int4 x0 = lane_x(ox0, SW, PL);
    const float4 sum = window_reduce(in + (size_t)plane * H * W, H, W, y0, x0, KH, KW, SW, 0);

    int ph;
    int4 pw;
    if (count_include_pad) {
        /* Windows never start before -pad_begin, so only the end is clipped. */
        ph = min(y0 + KH, H + PB) - y0;
        pw = min(x0 + KW, (int4)(W + PR)) - x0;
    } else {
        ph = min(y0 + KH, H) - max(y0, 0);
        pw = min(x0 + KW, (int4)(W)) - max(x0, (int4)(0));
    }
    const int4 count = max(ph, 0) * max(pw, (int4)(0));
    const float4 avg = select((float4)(0.0f), sum / convert_float4(max(count, (int4)(1))), count > 0);
    store4(out + ((size_t)plane * OH + oy) * OW, ox0, OW, avg);
}

__kernel void global_avgpool(__global const sreal *restrict in, __global sreal *restrict out,
                             int HW)
{
    const int plane = (int)get_global_id(0);
    __global const sreal *src = in + (size_t)plane * HW;
    /* 16 partial sums: vector loads, and less rounding error on big planes. */
    float16 acc = (float16)(0.0f);
    int i = 0;
    for (; i + 16 <= HW; i += 16) acc += convert_float16(vload16(0, src + i));
    float8 a8 = acc.lo + acc.hi;
    float4 a4 = a8.lo + a8.hi;
    float s = (a4.x + a4.y) + (a4.z + a4.w);
    for (; i < HW; i++) s += src[i];
    out[plane] = (real)(s / (float)HW);
}
