/*
 * Conv planner. Kernels:
 *   conv2d_kvec (cl/conv2d.cl): direct convolution vectorised over output
 *       channels (16 per vector, KV vectors per work-item) with PX pixels of a
 *       row per work-item; weights re-laid at plan time into a buffer the step
 *       owns (clg_step.owned). 1x1 stride-1 convolutions run through it as one
 *       row of H*W pixels.
 *   wino_* (cl/winograd.cl): Winograd F(4x4,3x3) / F(2x2,3x3) for 3x3 stride-1
 *       convolutions: input transform, one small GEMM per transform point,
 *       output transform; filters transformed here once; scratch buffers owned
 *       by the steps.
 *   conv1x1 (cl/conv1x1.cl): 1x1, stride 1, no padding, vectorised over pixels.
 *   conv2d  (cl/conv2d.cl): direct convolution vectorised over pixels, plain
 *       weights: the reference every tuned variant is checked against.
 * conv1x1 / conv2d also serve convolutions whose weights are not constant
 * (no host copy to re-lay). All add the optional bias and the fused ReLU in
 * their epilogue and honour the output placement (a concat slice).
 * Grouped and dilated convolutions (group > 1, dilations > 1) go to their
 * own kernels (runtime/ops/ops_conv_grouped.c) before any of this, in both
 * families: nothing below sees them.
 *
 * Choice (choose()): heuristic() from the shape, measured on PoCL 3.1 /
 * AVX-512; a per-device cache entry overrides it; CLGOOGLENET_TUNE=1|force
 * times the candidates of new shapes (runtime/device/tuning.h). CLGOOGLENET_CONV
 * forces one family for tests and A/B runs: legacy (conv1x1/conv2d), kvec,
 * wino (F(4x4)), wino2 (F(2x2)) where it applies.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_cache.h"
#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "ops_conv_grouped.h"
#include "ops_conv_simt.h"
#include "passes.h"
#include "plan.h"
#include "tuning.h"
#include "winograd_points.h"

/* CLGOOGLENET_CONV (A/B comparisons and tests): legacy = the pixel-vectorised kernels only;
   kvec = conv2d_kvec for every convolution with constant weights, no Winograd; wino / wino2 =
   Winograd F(4x4,3x3) / F(2x2,3x3) for every 3x3 stride-1 convolution with constant weights. */

static clg_status conv_fail(const clg_plan *plan, int n, clg_status st, const char *what)
{
    return clg_fail_node(st, plan->graph->nodes[n].name, "Conv", "%s", what);
}

/*
 * float16 sums one CPU-family work-item keeps (conv2d_kvec, its split form and
 * wino_gemm: PX x KV vectors of 16 channels), sized so that the sums, the
 * weight vector and the broadcast pixels stay in registers: AVX-512 (16
 * lanes, 32 registers) holds 12 sums; AVX2 (8 lanes, 16 registers) 5, two
 * registers each. A spilled sum puts a store and a reload in every
 * multiply-add chain: on AVX2 with 12 sums Intel's compiler put 905 stack
 * accesses in conv2d_kvec's 3x3 loop, and PoCL still spilled two of 6
 * (d2l GoogLeNet, batch 32, PoCL, Zen 3: 12 sums 171-201 ms, 6 136-152, 5
 * 116, 4 135).
 */
static int kvec_sums(const clg_context *ctx)
{
    const int lanes = clg_context_simd_lanes(ctx);
    return lanes >= 16 ? 12 : lanes >= 8 ? 5 : 2;
}

/*
 * Output pixels per conv2d_kvec work-item along a row of `ow` outputs, at most
 * `widest`: the fewest "pixel + overhead" slots, so the last block wastes little.
 */
static int pick_px(int64_t ow, int widest)
{
    int best = 1;
    int64_t best_cost = INT64_MAX;
    for (int px = widest; px >= 1; px--) {
        int64_t cost = (ow + px - 1) / px * (px + 2);
        if (cost < best_cost) best = px, best_cost = cost;
    }
    return best;
}

/*
 * Re-lays weights w[K][C][KH][KW] as wt[K / kb][C][KH][KW][kb] (K padded with
 * zero filters to a multiple of kb) and the bias padded to the same length
 * (zeros without one) into two new buffers.
 */
static clg_status relayout_weights(clg_plan *plan, int n, const float *w, const float *bias,
                                   int64_t K, int64_t C, int64_t KH, int64_t KW, int kb,
                                   cl_mem *wt_out, cl_mem *bias_out)
{
    const int64_t kblocks = (K + kb - 1) / kb, taps = C * KH * KW;
    const size_t wcount = (size_t)(kblocks * kb * taps), bcount = (size_t)(kblocks * kb);
    float *wt = calloc(wcount, sizeof(float)), *bp = calloc(bcount, sizeof(float));
    if (!wt || !bp) {
        free(wt);
        free(bp);
        return conv_fail(plan, n, CLG_ERR_OUT_OF_MEMORY, "out of memory re-laying weights");
    }
    for (int64_t k = 0; k < K; k++) {
        const int64_t blk = k / kb, lane = k % kb;
        for (int64_t t = 0; t < taps; t++) wt[(blk * taps + t) * kb + lane] = w[k * taps + t];
        if (bias) bp[k] = bias[k];
    }
    cl_int err = CL_SUCCESS;
    *wt_out = clg_plan_float_buffer(plan, CL_MEM_READ_ONLY, wt, wcount, &err);
    if (err == CL_SUCCESS) *bias_out = clg_plan_float_buffer(plan, CL_MEM_READ_ONLY, bp, bcount, &err);
    free(wt);
    free(bp);
    if (err != CL_SUCCESS) {
        if (*wt_out) clReleaseMemObject(*wt_out);
        *wt_out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[n].name);
    }
    return CLG_OK;
}

/* relayout_weights into step's owned buffers; on failure the step's kernel
   is released (the step is then empty). */
static clg_status relayout_into_step(clg_plan *plan, int n, const float *w, const float *bias, int64_t K,
                                     int64_t C, int64_t KH, int64_t KW, int kb, clg_step *step)
{
    const clg_status st = relayout_weights(plan, n, w, bias, K, C, KH, KW, kb, &step->owned[0], &step->owned[1]);
    if (st != CLG_OK) {
        clReleaseKernel(step->kernel);
        step->kernel = NULL;
    }
    return st;
}

/* A new read-write scratch buffer of `count` elements of the compute type
   (contents unspecified). */
static clg_status scratch_buffer(clg_plan *plan, int n, size_t count, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = clg_plan_compute_buffer(plan, CL_MEM_READ_WRITE, NULL, count, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[n].name);
    }
    return CLG_OK;
}

/* A new read-only buffer holding a copy of `count` host floats in the compute type. */
static clg_status const_buffer(clg_plan *plan, int n, const float *data, size_t count, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = clg_plan_compute_buffer(plan, CL_MEM_READ_ONLY, data, count, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[n].name);
    }
    return CLG_OK;
}

/*
 * Winograd F(wm x wm, 3x3) filter transform U = G g G^T, in double precision,
 * laid out as U[xi][K / kb][C][kb] (K padded to Kp with zero filters), and
 * the bias padded to Kp (zeros without one). Two new host arrays.
 */
static clg_status winograd_filters(const clg_plan *plan, int n, int wm, const float *w,
                                   const float *bias, int64_t C, int64_t K, int64_t kb,
                                   int64_t Kp, float **u_out, float **b_out)
{
    const int A = wm + 2;
    const int64_t kblocks = Kp / kb;
    float *U = calloc((size_t)(A * A) * (size_t)Kp * (size_t)C, sizeof(float));
    float *bp = calloc((size_t)Kp, sizeof(float));
    if (!U || !bp) {
        free(U);
        free(bp);
        return conv_fail(plan, n, CLG_ERR_OUT_OF_MEMORY, "out of memory transforming weights");
    }
    for (int64_t k = 0; k < K; k++) {
        if (bias) bp[k] = bias[k];
        for (int64_t c = 0; c < C; c++) {
            double u[36];
            clg_winograd_filter(wm, w + (k * C + c) * 9, u);
            for (int xi = 0; xi < A * A; xi++)
                U[((xi * kblocks + k / kb) * C + c) * kb + k % kb] = (float)u[xi];
        }
    }
    *u_out = U;
    *b_out = bp;
    return CLG_OK;
}

/* Everything the kernel choices need about one Conv node. */
typedef struct conv_desc {
    int n; /* node */
    int64_t N, C, H, W, K, KH, KW, OH, OW;
    const clg_window *win;
    int relu, has_bias, pointwise;
    int plain;                  /* group 1, dilation 1: every kernel of this file applies */
    int pool3;                  /* pass 2: max-pool 3x3/1 pad 1 of the input first (conv2d_kvec only) */
    int in_slack;               /* the input's buffer has CLG_BUFFER_SLACK bytes past its end */
    const clg_placement *place;
    const float *wdata, *bdata; /* host copies of constant weights / bias, else NULL */
    int relayable;              /* conv2d_kvec and Winograd need constant weights */
    cl_mem in, w, b, out;
    double flops, bytes;
    const char *force;          /* a forced family (clg_context_conv_algorithm), or NULL */
    int conv_depth;             /* the plan's: Winograd's tile policy */
    int sums;                   /* kvec_sums: float16 sums per work-item */
    int half_math;              /* a half context computing in half (clg_context_half_arithmetic):
                                   F(2x2) is its only Winograd */
    int wi_vectors;             /* the driver vectorises across work-items (device_table.h) */
    int loop_limited;           /* the device ends a work-item's loops after a fixed number of trips */
} conv_desc;

/*
 * Bytes of transformed input and products (V and M) one chunk of tiles may
 * take: the three Winograd steps run chunk by chunk so that what one step
 * writes is still in the cache when the next reads it. One launch over a
 * whole batch of 32 made V and M tens of MB, and the output transform as
 * slow as the products themselves on PoCL. Chunks keep at least
 * WINO_CHUNK_MIN_TILES tiles: each costs three launches.
 */
#define WINO_CHUNK_BYTES (2u << 20)
#define WINO_CHUNK_MIN_TILES 96

/* The Winograd steps' shared state for one node. */
typedef struct wino_plan {
    int n, wm, A, px, kv, relu, has_bias;
    int64_t C, H, W, K, OH, OW, TH, TW, KB, kblocks, Kp;
    int64_t tiles, chunk;           /* tiles of the batch, tiles per chunk */
    size_t ucount, vcount, mcount;  /* floats in U, and in V and M for a whole chunk */
    const clg_window *win;
    const clg_placement *place;
    cl_mem in, out, vbuf, ubuf, mbuf, bbuf;
} wino_plan;

/* One chunk's tiles: T from tile t0 of the batch, Tp rounded up to the GEMM's PX. */
typedef struct wino_span {
    int64_t t0, T, Tp;
    size_t ucount, vcount, mcount; /* floats in U, and in V and M for this chunk */
} wino_span;

/* Whether the transforms move half samples as 32-bit words of two columns
   (cl/winograd.cl's WORD_PAIRS): half data on drivers that vectorise across
   work-items, all x86 CPUs, which allow 32-bit accesses at 16-bit alignment. */
static int wino_word_pairs(const clg_plan *plan)
{
    return clg_device_traits_of(&plan->ctx->info)->work_item_vectors && clg_context_half(plan->ctx);
}

/* Step 1, the input transform. Each step gets only the -D values it reads, so
   that layers whose transforms differ only in the GEMM's blocking share them. */
static clg_status wino_input_step(clg_plan *plan, const wino_plan *wp, const wino_span *sp)
{
    const int wm = wp->wm;
    const int64_t T = sp->T, Tp = sp->Tp;
    clg_step s;
    clg_options o = clg_options_begin(&clg_kernel_winograd);
    clg_options_set(&o, "WM", wm);
    if (clg_device_traits_of(&plan->ctx->info)->work_item_vectors) clg_options_set(&o, "WI_VECTORS", 1);
    if (wino_word_pairs(plan) && wp->W >= 2) clg_options_set(&o, "WORD_PAIRS", 1); /* a pair per row */
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, wp->n, o.desc->file, o.text, "wino_input", &s));
    snprintf(s.variant, sizeof s.variant, "wino%d_input", wm);
    const int in_ints[] = {(int)wp->C, (int)wp->H, (int)wp->W, (int)wp->TH, (int)wp->TW, (int)T,
                           (int)Tp, wp->win->pads[0], wp->win->pads[1], (int)sp->t0};
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, wp->in);
    clg_args_mem(&kargs, wp->vbuf);
    clg_args_ints(&kargs, in_ints, 10);
    const clg_status st = clg_args_end(&kargs);
    s.work_dim = 2;
    s.global[0] = (size_t)Tp;
    s.global[1] = (size_t)wp->C;
    clg_plan_row_groups(plan, &s);
    s.bytes = 4.0 * (double)(T * wm * wm * wp->C + (int64_t)sp->vcount); /* about */
    return clg_plan_finish_step(plan, &s, st);
}

/* Step 2, the batched GEMM: the convolution's useful work is counted here. */
static clg_status wino_gemm_step(clg_plan *plan, const wino_plan *wp, const wino_span *sp)
{
    const int wm = wp->wm, A = wp->A;
    const int64_t T = sp->T, Tp = sp->Tp;
    clg_step s;
    clg_options o = clg_options_begin(&clg_kernel_winograd);
    clg_options_set(&o, "WM", wm);
    clg_options_set(&o, "PX", wp->px);
    clg_options_set(&o, "KV", wp->kv);
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, wp->n, o.desc->file, o.text, "wino_gemm", &s));
    snprintf(s.variant, sizeof s.variant, "wino%d_gemm_p%dk%d", wm, wp->px, (int)wp->KB);
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, wp->ubuf);
    clg_args_mem(&kargs, wp->vbuf);
    clg_args_mem(&kargs, wp->mbuf);
    clg_args_int(&kargs, wp->C);
    clg_args_int(&kargs, Tp);
    clg_args_int(&kargs, wp->Kp);
    const clg_status st = clg_args_end(&kargs);
    s.work_dim = 3;
    s.global[0] = (size_t)(Tp / wp->px);
    s.global[1] = (size_t)wp->kblocks;
    s.global[2] = (size_t)(A * A);
    clg_plan_row_groups(plan, &s);
    s.flops = 2.0 * (double)(T * wm * wm * wp->K) * (double)(wp->C * 9); /* about, at edges */
    s.bytes = 4.0 * (double)(sp->ucount + sp->vcount + sp->mcount);
    return clg_plan_finish_step(plan, &s, st);
}

/* Step 3, the output transform, bias, ReLU and placement. */
static clg_status wino_output_step(clg_plan *plan, const wino_plan *wp, const wino_span *sp)
{
    const int wm = wp->wm;
    const int64_t T = sp->T, Tp = sp->Tp;
    clg_step s;
    clg_options o = clg_options_begin(&clg_kernel_winograd);
    clg_options_set(&o, "WM", wm);
    clg_options_set(&o, "HAS_BIAS", wp->has_bias);
    clg_options_set(&o, "RELU", wp->relu);
    if (wino_word_pairs(plan)) clg_options_set(&o, "WORD_PAIRS", 1);
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, wp->n, o.desc->file, o.text, "wino_output", &s));
    snprintf(s.variant, sizeof s.variant, "wino%d_output", wm);
    const int out_ints[] = {(int)wp->K, (int)wp->OH, (int)wp->OW, (int)wp->TH, (int)wp->TW, (int)Tp,
                            (int)wp->Kp, (int)wp->place->offset, (int)wp->place->image_stride,
                            (int)sp->t0};
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, wp->mbuf);
    clg_args_mem(&kargs, wp->bbuf);
    clg_args_mem(&kargs, wp->out);
    clg_args_ints(&kargs, out_ints, 10);
    const clg_status st = clg_args_end(&kargs);
    s.work_dim = 2;
    s.global[0] = (size_t)T;
    s.global[1] = (size_t)(wp->Kp / 16);
    clg_plan_row_groups(plan, &s);
    s.bytes = 4.0 * (double)(sp->mcount + (size_t)(T * wm * wm * wp->K)); /* about */
    return clg_plan_finish_step(plan, &s, st);
}

/* Appends the three steps for the T tiles from tile t0 of the batch. */
static clg_status wino_chunk(clg_plan *plan, const wino_plan *wp, int64_t t0, int64_t T)
{
    const size_t AA = (size_t)(wp->A * wp->A);
    wino_span sp;
    sp.t0 = t0;
    sp.T = T;
    sp.Tp = (T + wp->px - 1) / wp->px * wp->px;
    sp.vcount = AA * (size_t)wp->C * (size_t)sp.Tp;
    sp.mcount = AA * (size_t)sp.Tp * (size_t)wp->Kp;
    sp.ucount = AA * (size_t)wp->Kp * (size_t)wp->C;
    CLG_TRY(wino_input_step(plan, wp, &sp));
    CLG_TRY(wino_gemm_step(plan, wp, &sp));
    return wino_output_step(plan, wp, &sp);
}

/* Tiles, channel blocking and chunks of d's F(wm x wm, 3x3) into wp; fails
   when a tensor is too large for the kernels' int indices. */
static clg_status wino_layout(clg_plan *plan, const conv_desc *d, wino_plan *wp)
{
    const int wm = wp->wm;
    wp->TH = (d->OH + wm - 1) / wm;
    wp->TW = (d->OW + wm - 1) / wm;
    /* Where the register file holds fewer than 12 float16 sums (AVX2), one
       channel vector and twice the tiles: Winograd's GEMM then ran 1.3-1.6x
       faster on PoCL (batch 32), the direct kernels did not. */
    wp->kv = d->K > 16 && d->sums >= 12 ? 2 : 1;
    wp->KB = 16 * wp->kv;
    wp->kblocks = (d->K + wp->KB - 1) / wp->KB;
    wp->Kp = wp->kblocks * wp->KB;
    const int64_t AA = wp->A * wp->A;
    wp->tiles = d->N * wp->TH * wp->TW;
    /* Tiles per chunk: V and M of one tile are AA * (C + Kp) floats; equal
       chunks, the fewest that fit. */
    const int64_t per_tile = AA * (d->C + wp->Kp) * (int64_t)clg_context_compute_bytes(plan->ctx);
    int64_t fit = (int64_t)WINO_CHUNK_BYTES / per_tile;
    if (fit < WINO_CHUNK_MIN_TILES) fit = WINO_CHUNK_MIN_TILES;
    const int64_t chunks = wp->tiles > fit ? (wp->tiles + fit - 1) / fit : 1;
    wp->chunk = (wp->tiles + chunks - 1) / chunks;
    wp->px = pick_px(wp->chunk, d->sums / wp->kv);
    const int64_t Tp = (wp->chunk + wp->px - 1) / wp->px * wp->px;
    wp->ucount = (size_t)AA * (size_t)wp->Kp * (size_t)d->C;
    wp->vcount = (size_t)AA * (size_t)d->C * (size_t)Tp;
    wp->mcount = (size_t)AA * (size_t)Tp * (size_t)wp->Kp;
    if (wp->vcount > INT_MAX || wp->mcount > INT_MAX || wp->ucount > INT_MAX || wp->tiles > INT_MAX ||
        d->N * d->C * d->H * d->W > INT_MAX || d->place->offset + d->N * d->place->image_stride > INT_MAX)
        return conv_fail(plan, d->n, CLG_ERR_UNSUPPORTED, "tensor too large for Winograd");
    return CLG_OK;
}

/* The transformed filters and bias (U, read-only) and the scratch V and M
   that all chunks share. What was made stays in wp on failure. */
static clg_status wino_buffers(clg_plan *plan, const conv_desc *d, wino_plan *wp)
{
    float *U = NULL, *bp = NULL;
    CLG_TRY(winograd_filters(plan, d->n, wp->wm, d->wdata, d->bdata, d->C, d->K, wp->KB, wp->Kp, &U, &bp));
    clg_status st = const_buffer(plan, d->n, U, wp->ucount, &wp->ubuf);
    if (st == CLG_OK) st = const_buffer(plan, d->n, bp, (size_t)wp->Kp, &wp->bbuf);
    if (st == CLG_OK) st = scratch_buffer(plan, d->n, wp->vcount, &wp->vbuf);
    if (st == CLG_OK) st = scratch_buffer(plan, d->n, wp->mcount, &wp->mbuf);
    free(U);
    free(bp);
    return st;
}

/* The first two steps added from `first` own the four shared buffers
   (released with the plan); without two steps (an empty batch, a failure)
   they go now. */
static void wino_hand_over(clg_plan *plan, size_t first, const wino_plan *wp)
{
    cl_mem shared[4] = {wp->ubuf, wp->bbuf, wp->vbuf, wp->mbuf};
    if (plan->n_steps >= first + 2) {
        plan->steps[first].owned[0] = shared[0], plan->steps[first].owned[1] = shared[1];
        plan->steps[first + 1].owned[0] = shared[2], plan->steps[first + 1].owned[1] = shared[3];
    } else {
        for (int k = 0; k < 4; k++)
            if (shared[k]) clReleaseMemObject(shared[k]);
    }
}

/*
 * Winograd F(wm x wm, 3x3), stride 1 (cl/winograd.cl): for each chunk of
 * tiles (WINO_CHUNK_BYTES), an input transform, a GEMM per transform point
 * and an output transform; all chunks share the transformed filters and
 * the scratch buffers, which the first chunk's steps own.
 */
static clg_status plan_winograd(clg_plan *plan, const conv_desc *d, int wm, cl_mem in, cl_mem out)
{
    wino_plan wp = {.n = d->n, .wm = wm, .A = wm + 2, .relu = d->relu, .has_bias = d->bdata != NULL,
                    .C = d->C, .H = d->H, .W = d->W, .K = d->K, .OH = d->OH, .OW = d->OW,
                    .win = d->win, .place = d->place, .in = in, .out = out};
    CLG_TRY(wino_layout(plan, d, &wp));
    const size_t first = plan->n_steps;
    clg_status st = wino_buffers(plan, d, &wp);
    for (int64_t t0 = 0; st == CLG_OK && t0 < wp.tiles; t0 += wp.chunk)
        st = wino_chunk(plan, &wp, t0, t0 + wp.chunk <= wp.tiles ? wp.chunk : wp.tiles - t0);
    wino_hand_over(plan, first, &wp);
    return st;
}

/* Sets the kernel's args; on failure the kernel is released. */
static clg_status set_args(clg_step *step, const cl_mem *mems, const int *ints, int n_ints)
{
    clg_args kargs = clg_args_begin(step->kernel);
    clg_args_mems(&kargs, mems, 4);
    clg_args_ints(&kargs, ints, (size_t)n_ints);
    clg_status st = clg_args_end(&kargs);
    if (st != CLG_OK) {
        clReleaseKernel(step->kernel);
        step->kernel = NULL;
    }
    return st;
}

typedef enum conv_algo { ALGO_DIRECT, ALGO_1X1, ALGO_KVEC, ALGO_WINO, ALGO_LANES, ALGO_PLANE } conv_algo;

typedef struct conv_choice {
    conv_algo algo;
    int px, kv; /* ALGO_KVEC; 0: picked from the shape */
    int wm;     /* ALGO_WINO: 2 or 4 */
} conv_choice;

static int is_3x3s1(const conv_desc *d)
{
    return d->plain && d->KH == 3 && d->KW == 3 && d->win->stride[0] == 1 && d->win->stride[1] == 1;
}

/* F(4x4) in a network too deep for its error (clg_winograd_default_tile), unless forced: tuned
   choices, cached from shallower networks of the same shapes, must not bring it back. */
static int deep_f4(const conv_desc *d)
{
    return d->conv_depth > CLG_WINOGRAD_DEEP && !(d->force && strcmp(d->force, "wino") == 0);
}

/* conv_lanes's shapes (cl/conv_lanes.cl): pointwise, constant weights whose
   re-laid copy (K padded to 32) int indexes. */
static int lanes_shape(const conv_desc *d)
{
    return d->pointwise && d->relayable && (d->K + 31) / 32 * 32 * d->C <= INT_MAX;
}

/*
 * Whether conv_lanes is the default for d: in half arithmetic on drivers that
 * vectorise across work-items (32 lanes a register there, conv2d_kvec's half16 fill
 * 16), on planes that fill at least half of their lanes. Intel's runtime,
 * d2l GoogLeNet at batch 32, its 1x1 groups against conv2d_kvec's: 12x12
 * maps 1.74 -> 0.82 and 3.44 -> 1.65 ms, 6x6 (36 pixels in 64 lanes)
 * 1.66-1.83 -> 1.07-1.18; on 3x3 maps (9 in 32), with each member alone,
 * 0.86 -> 0.76 and 1.24 -> 1.21 ms: no gain worth a launch per member.
 */
static int lanes_pay(const conv_desc *d)
{
    const int64_t P = d->H * d->W;
    return d->half_math && d->wi_vectors && lanes_shape(d) && P * 2 >= (P + 31) / 32 * 32;
}

/* conv_lanes for d: where it pays, or forced (CLGOOGLENET_CONV=lanes) where it applies. */
static int lanes_chosen(const conv_desc *d)
{
    if (d->force) return strcmp(d->force, "lanes") == 0 && lanes_shape(d);
    return lanes_pay(d);
}

/*
 * conv_plane's shapes (cl/conv_plane.cl): input and output planes of at most
 * 16 pixels, kernels of up to 7x7 (every tap unrolled), constant weights
 * whose re-laid copy int indexes, not pointwise (1x1s have no padding taps
 * to skip: conv2d_kvec and the 1x1 groups take them). Not on devices with a
 * loop limit: its trips per channel are not counted (kvec_loop_trips).
 */
static int plane_shape(const conv_desc *d)
{
    return d->plain && d->relayable && !d->pool3 && !d->pointwise && !d->loop_limited && d->H * d->W <= 16 &&
           d->OH * d->OW <= 16 && d->KH <= 7 && d->KW <= 7 && (d->K + 63) / 64 * 64 * d->C * d->KH * d->KW <= INT_MAX;
}

/* 1 when the choice can run this convolution (grouped and dilated ones have
   their own kernels, runtime/ops/ops_conv_grouped.c). */
static int eligible(const conv_desc *d, const conv_choice *ch)
{
    if (!d->plain) return 0;
    switch (ch->algo) {
    case ALGO_DIRECT: return 1;
    case ALGO_1X1: return d->pointwise;
    /* px, kv 0: the heuristic picks; the host lays out at most two channel vectors. */
    case ALGO_KVEC:
        return d->relayable && (ch->px == 0 || clg_kernel_param_allows(&clg_kernel_conv2d, "PX", ch->px)) &&
               (ch->kv == 0 || clg_kernel_param_allows(&clg_kernel_conv2d, "KV", ch->kv)) && ch->kv <= 2;
    case ALGO_WINO:
        return d->relayable && is_3x3s1(d) && clg_kernel_param_allows(&clg_kernel_winograd, "WM", ch->wm) &&
               (ch->wm == 2 || (ch->wm == 4 && !deep_f4(d) && !d->half_math));
    case ALGO_LANES: return lanes_shape(d);
    case ALGO_PLANE: return plane_shape(d);
    }
    return 0;
}

/*
 * Winograd's transformed filters are (WM + 2)^2 / 9 times the direct weights
 * (16/9 for F(2x2), 4x for F(4x4)) and every launch streams them once, so it
 * pays only where enough tiles share them. Measured on PoCL 3.1 / AVX-512
 * (d2l GoogLeNet, batches 1-32, `bench --tune`): F(4x4) won from 18 tiles
 * (12x12 maps, batch 2) and lost at 9 (batch 1); F(2x2) won at 288 tiles (6x6
 * maps, batch 32), split at 72 and lost at 36 and below. On maps of 12x12 and
 * more F(2x2) wins with fewer tiles, where F(4x4) lacks them: torchvision
 * GoogLeNet's 14x14 maps at batch 1 (49 tiles), 2.13 ms for its five 3x3s
 * with F(4x4), 2.13 direct, 1.81 with F(2x2). d2l's 12x12 maps at batch 1
 * (36 tiles): 0.34 ms direct, 0.30 with F(2x2), which its four more launches
 * took back (latency even), so they stay direct.
 */
static int enough_tiles(const conv_desc *d, int wm)
{
    const int64_t tiles = d->N * ((d->OH + wm - 1) / wm) * ((d->OW + wm - 1) / wm);
    if (wm == 4) return tiles >= 18;
    return tiles >= (d->OH >= 12 && d->OW >= 12 ? 48 : 128);
}

/*
 * Per tile and transform point the transforms cost about C + K and the
 * products C * K: with few channels the transforms (and two more launches)
 * outweigh what the products save. Torchvision GoogLeNet's 3x3s of 16-32
 * input channels: 4a-4e's 0.22 ms direct, 0.38 with F(4x4) at batch 1; at
 * batch 32 direct won at C K / (C + K) = 11-12 (16 -> 32, 16 -> 48), split
 * at 17-21 and F(4x4) won at 24 (32 -> 96: 4.0 ms against 6.0).
 */
static int enough_channels(const conv_desc *d)
{
    return d->C * d->K >= 24 * (d->C + d->K);
}

/*
 * The default choice, from measurements on PoCL 3.1 / AVX-512 (2 cores):
 * conv2d_kvec beats the pixel-vectorised kernels at every GoogLeNet shape; for
 * 3x3 stride-1 convolutions Winograd F(4x4,3x3) wins from 7x7 maps up and
 * F(2x2,3x3) on 6x6 maps (9 tiles per image); on 3x3 maps the larger
 * transformed filters make Winograd lose, at small batches too few tiles
 * share them (enough_tiles; F(2x2) where F(4x4) lacks them), and with few
 * channels the transforms cost more than the products save
 * (enough_channels); deep networks take F(2x2) for accuracy
 * (clg_winograd_default_tile). CLGOOGLENET_CONV forces one family (tests,
 * A/B runs).
 */
static void heuristic(const conv_desc *d, conv_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    const char *force = d->force;
    if (!d->relayable || (force && strcmp(force, "legacy") == 0)) {
        ch->algo = d->pointwise ? ALGO_1X1 : ALGO_DIRECT;
        return;
    }
    ch->algo = ALGO_KVEC;
    if (force && strcmp(force, "kvec") == 0) return;
    if (lanes_chosen(d)) {
        ch->algo = ALGO_LANES;
        return;
    }
    if (force && strcmp(force, "lanes") == 0) return;
    /* Planes of up to 16 pixels: conv_plane skips the padding taps, which
       on 3x3 maps are 40% of a 3x3's and 64% of a 5x5's products. */
    if (plane_shape(d) && (!force || strcmp(force, "plane") == 0)) {
        ch->algo = ALGO_PLANE;
        return;
    }
    if (force && strcmp(force, "plane") == 0) return;
    if (is_3x3s1(d)) {
        int wm = 0;
        if (force && strcmp(force, "wino") == 0) wm = 4;
        else if (force && strcmp(force, "wino2") == 0) wm = 2;
        else wm = clg_winograd_default_tile(d->OH, d->OW, d->conv_depth);
        /* 7x7 to 11x11 maps: F(4x4)'s tiles pad 7x7 to 8x8, no more than
           14x14 to 16x16, and with the tiles of a batch it beats F(2x2)
           (torchvision GoogLeNet at batch 32, PoCL, `bench --tune`: 5a and
           5b's 3x3s 10.7-11.5 ms with F(2x2), 7.9-8.0 with F(4x4)). */
        if (wm == 2 && !force && d->OH >= 7 && d->OW >= 7 && !deep_f4(d)) wm = 4;
        /* In half arithmetic, F(4x4)'s transforms magnify rounding past use
           (a test layer, 40 channels: 20% off); F(2x2)'s do not. Half data
           computed in float keeps Winograd's buffers in float: both tiles. */
        if (wm == 4 && d->half_math) wm = 2;
        if (!force) {
            if (wm == 4 && !enough_tiles(d, 4)) wm = 2;
            if (wm && (!enough_tiles(d, wm) || !enough_channels(d))) wm = 0;
        }
        if (wm) {
            ch->algo = ALGO_WINO;
            ch->wm = wm;
        }
    }
}

static void choice_format(const conv_choice *ch, char *buf, size_t size)
{
    switch (ch->algo) {
    case ALGO_DIRECT: snprintf(buf, size, "direct"); break;
    case ALGO_1X1: snprintf(buf, size, "1x1"); break;
    case ALGO_KVEC: snprintf(buf, size, "kvec %d %d", ch->px, ch->kv); break;
    case ALGO_WINO: snprintf(buf, size, "wino %d", ch->wm); break;
    case ALGO_LANES: snprintf(buf, size, "lanes"); break;
    case ALGO_PLANE: snprintf(buf, size, "plane"); break;
    }
}

/* A cached value, whole: anything after it (or missing) makes it no choice. */
static int choice_parse(const char *text, conv_choice *ch)
{
    memset(ch, 0, sizeof *ch);
    int end = -1;
    if (strcmp(text, "direct") == 0) ch->algo = ALGO_DIRECT;
    else if (strcmp(text, "1x1") == 0) ch->algo = ALGO_1X1;
    else if (strcmp(text, "lanes") == 0) ch->algo = ALGO_LANES;
    else if (strcmp(text, "plane") == 0) ch->algo = ALGO_PLANE;
    else if (sscanf(text, "kvec %d %d%n", &ch->px, &ch->kv, &end) == 2 && text[end] == '\0') ch->algo = ALGO_KVEC;
    else if (sscanf(text, "wino %d%n", &ch->wm, &end) == 1 && text[end] == '\0') ch->algo = ALGO_WINO;
    else return 0;
    return 1;
}

/* ---- Loop-trip limits (runtime/device/device_table.h) ------------------------- */

/* conv2d_kvec sums input channels in blocks of CBLK (cl/conv2d.cl; its descriptor's default). */
static int64_t kvec_channel_block(void)
{
    return clg_kernel_param_default(&clg_kernel_conv2d, "CBLK");
}

/*
 * An upper bound on the loop trips one conv2d_kvec work-item runs over
 * `channels` input channels, for a device that ends a work-item's loops after
 * a fixed number of trips (llvmpipe): counted as if no loop were unrolled,
 * both sides of every branch ran (a SIMD group whose lanes diverge runs both)
 * and each loop's exit test were a trip of its own. On rusticl/llvmpipe it
 * counts 224 trips per channel for 3x3 stride 1, PX 6, KV 2 and 46 for 1x1,
 * PX 12, KV 1, where outputs went wrong from 349 and about 2,512 input
 * channels: 188 and 26 trips per channel.
 * The other kernels that loop over input channels stay under 65,535 trips
 * for Inception-family shapes by the same count, so they run unsplit: conv2d
 * (non-constant weights, CLGOOGLENET_CONV=legacy) 122 per channel for 3x3
 * (537 channels; Inception v3's deepest 3x3 has 448), 322 for 5x5 (203; 48
 * at most), 114 for 7x1 (574; 192); conv1x1 10, plus 10 per pixel of a
 * partial vector (GoogLeNet's 14x14 at 528 channels: 26,400); wino_gemm 25
 * (2,621); conv_grouped over one group's channels. The SIMT family (only
 * with CLGOOGLENET_KERNELS=simt there) is not counted.
 */
static int64_t kvec_loop_trips(const conv_desc *d, int sw, int px, int kv, int64_t channels)
{
    const int64_t KH = d->KH, KW = d->KW, span = (int64_t)(px - 1) * sw + KW;
    /* Per kernel row: the input samples (bounds-checked or not; or a fused
       pool's column maxima and maxima), then the broadcasts. */
    const int64_t loads = d->pool3 ? (span + 3) + (span + 1) : 2 * (span + 1);
    const int64_t row = loads + (KW + 1) + KW * (kv + 1) + KW * kv * (px + 1);
    const int64_t per_channel = 1 + (KH + 1) + KH * row;
    const int64_t tile = (kv + 1) + kv * (px + 1); /* one pass over the KV x PX sums */
    const int64_t per_block = 2 + 2 * tile;       /* a block's sums zeroed, then added */
    /* The bias, the epilogue: stored sums read back (chunks), the stores (both paths). */
    const int64_t fixed = 2 * tile + 3 * 17 * (int64_t)kv * px;
    const int64_t block = kvec_channel_block();
    return channels * per_channel + (channels + block - 1) / block * per_block + fixed;
}

/*
 * Input channels per conv2d_kvec launch: C (one launch) unless the device
 * has a loop limit that kvec_loop_trips may pass; then the most channels
 * whose bound stays within 7/8 of the limit, in whole CBLK blocks where one
 * fits (each chunk then sums as the single launch does). 0: not even one
 * channel fits.
 */
static int64_t kvec_chunk_channels(const clg_plan *plan, const conv_desc *d, int sw, int px, int kv)
{
    const int64_t limit = plan->ctx->loop_iteration_limit, budget = limit - limit / 8;
    if (limit <= 0 || kvec_loop_trips(d, sw, px, kv, d->C) <= budget) return d->C;
    int64_t lo = 0, hi = d->C; /* trips(lo) fit, trips(hi) do not */
    while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (kvec_loop_trips(d, sw, px, kv, mid) <= budget) lo = mid;
        else hi = mid;
    }
    const int64_t block = kvec_channel_block();
    return lo >= block ? lo - lo % block : lo;
}

/* conv2d_kvec's tile: KV vectors of 16 output channels x PX pixels per work-item. */
typedef struct kvec_tile {
    int px, kv, pool_vec, pool_plane, sh, sw;
    int64_t kblocks;
} kvec_tile;

/* ch's px and kv where set, else picked from the shape. */
static kvec_tile kvec_pick(const conv_desc *d, const conv_choice *ch)
{
    kvec_tile t;
    /* A fused pool on planes of up to 16 pixels pools each whole plane as
       one vector; other rows under 6 columns pool faster scalar than with
       16-wide loads. */
    t.pool_plane = d->pool3 && d->in_slack && d->W < 6 && d->H * d->W <= 16;
    t.pool_vec = d->pool3 && d->in_slack && (d->W >= 6 || t.pool_plane);
    /* Pointwise convolutions and whole-plane pools run as one row of H*W pixels. */
    const int pw = d->pointwise || t.pool_plane;
    const int64_t oh = pw ? 1 : d->OH, ow = pw ? d->OH * d->OW : d->OW;
    /* A fused pool's vector path pools 16 columns once per channel and
       tile: tiles of twice the sums spread that cost over more outputs
       (24 sums still leave AVX-512 registers for the weights; with 4
       channel vectors, each channel's pool serves 64 outputs per pixel). */
    const int pool_wide = t.pool_vec && d->sums >= 12;
    t.kv = ch->kv ? ch->kv : pool_wide && d->K > 32 ? 4 : d->K > 16 ? 2 : 1;
    const int widest = d->sums / t.kv * (t.pool_vec && t.kv >= 2 ? 2 : 1);
    t.px = ch->px ? ch->px : pick_px(ow, widest);
    /* Strided windows of 7 columns and more (the stems): a row's
       (PX - 1) * SW + KW samples compete with the sums for registers; 4
       pixels ran faster than 6 (torchvision GoogLeNet, batch 32, PoCL: its
       7x7 stride-2 stem 35.5-37.3 -> 34.2-35.3 ms, 3 rounds). */
    if (!ch->px && !pw && d->win->stride[1] > 1 && d->KW >= 7 && t.px > 4) t.px = 4;
    /* Rows one pixel wider than the register budget (7x7 maps on AVX-512):
       the whole row as one tile, 14 sums, rather than two tiles of 4 with a
       pixel wasted (torchvision GoogLeNet at batch 1, PoCL: 5a and 5b's 3x3s
       0.28-0.31 / 0.39-0.42 ms -> 0.25-0.27 / 0.33-0.37). */
    if (!ch->px && !pw && !d->pool3 && t.kv == 2 && d->sums >= 12 && d->win->stride[1] == 1 &&
        d->KW <= 5 && ow == widest + 1)
        t.px = (int)ow;
    /* Rows too short for the register budget (d2l GoogLeNet's 3x3 maps, 3
       pixels): 4 channel vectors keep 12 sums, where 6 cannot cover the FMA
       latency (batch 32, PoCL: its 3x3 convolutions there 3.30 -> 2.83 ms).
       Small launches keep it: at batch 1 (4 queues) d2l's 5x5s there ran no
       slower with 6 work-items of 4 vectors than with 12 of 2. */
    if (!ch->kv && !d->pool3 && t.kv == 2 && d->sums >= 12 && t.px * 4 <= d->sums && d->K >= 64) t.kv = 4;
    t.kblocks = (d->K + 16 * t.kv - 1) / (16 * t.kv);
    /* One channel vector per work-item: for small launches, more work-items;
       for 1x1s over few input channels, measured (torchvision GoogLeNet's
       64 -> 64 at batch 32, PoCL: 10.0-11.2 ms with two, 7.5-8.5 with one;
       `bench --tune` picks the same). */
    const int small_launch = d->N * t.kblocks * oh * ((ow + t.px - 1) / t.px) < 8;
    const int narrow_1x1 = d->pointwise && !d->pool3 && d->C <= 64;
    if (!ch->kv && t.kv == 2 && (small_launch || narrow_1x1)) {
        t.kv = 1;
        t.px = ch->px ? ch->px : pick_px(ow, d->sums);
        t.kblocks = (d->K + 15) / 16;
    }
    /* A whole-plane pool's tiles must end inside its 16-lane vector. */
    while (t.pool_plane && t.px > 1 && (ow + t.px - 1) / t.px * t.px > 16) t.px--;
    t.sh = pw ? 1 : d->win->stride[0];
    t.sw = pw ? 1 : d->win->stride[1];
    return t;
}

/* A conv2d_kvec step for tile t (chunked: -DCHUNKED=1, two more arguments),
   its arguments not yet set. */
static clg_status kvec_kernel(clg_plan *plan, const conv_desc *d, const kvec_tile *t, int chunked,
                              clg_step *step)
{
    clg_options o = clg_options_begin(&clg_kernel_conv2d);
    clg_options_window(&o, (int)d->KH, (int)d->KW, t->sh, t->sw);
    clg_options_set(&o, "PX", t->px);
    clg_options_set(&o, "KV", t->kv);
    clg_options_epilogue(&o, d->has_bias, d->relu);
    clg_options_set(&o, "POOL3", d->pool3);
    if (t->pool_vec) clg_options_set(&o, "POOL3_VEC", 1);
    if (t->pool_plane) {
        clg_options_set(&o, "POOL3_PLANE_H", (int)d->H);
        clg_options_set(&o, "POOL3_PLANE_W", (int)d->W);
    }
    if (chunked) clg_options_set(&o, "CHUNKED", 1);
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, d->n, o.desc->file, o.text, "conv2d_kvec", step));
    snprintf(step->variant, sizeof step->variant, "conv2d_kvec_%s%s%dx%ds%dx%d_p%dk%d",
             chunked ? "chunked_" : "", t->pool_plane ? "pool3plane_" : d->pool3 ? "pool3_" : "", (int)d->KH,
             (int)d->KW, t->sh, t->sw, t->px, 16 * t->kv);
    return CLG_OK;
}

/* Sets a conv2d_kvec step's arguments (weights re-laid in relaid[1..2]; a
   chunk's channels c0.. c0 + count - 1 when count > 0) and its NDRange. */
static clg_status kvec_args(clg_plan *plan, const conv_desc *d, const kvec_tile *t, const cl_mem relaid[4],
                            int64_t c0, int64_t count, clg_step *step)
{
    /* Pointwise convolutions and whole-plane pools (the kernel knows the
       plane's shape) run as one row of H*W pixels. */
    const int pw = d->pointwise || t->pool_plane;
    const int64_t h = pw ? 1 : d->H, w = pw ? d->H * d->W : d->W;
    const int64_t oh = pw ? 1 : d->OH, ow = pw ? d->OH * d->OW : d->OW;
    const int ints[] = {(int)d->C, (int)h, (int)w, (int)d->K, (int)oh, (int)ow,
                        pw ? 0 : d->win->pads[0], pw ? 0 : d->win->pads[1],
                        (int)t->kblocks, (int)d->place->offset, (int)d->place->image_stride,
                        (int)c0, (int)count};
    CLG_TRY(set_args(step, relaid, ints, count > 0 ? 13 : 11));
    step->work_dim = 3;
    step->global[0] = (size_t)((ow + t->px - 1) / t->px);
    step->global[1] = (size_t)oh;
    step->global[2] = (size_t)(d->N * t->kblocks);
    clg_plan_row_groups(plan, step);
    return CLG_OK;
}

/* conv2d_kvec (re-laid weights, vectors of 16 output channels) in one launch. */
static clg_status kvec_step(clg_plan *plan, const conv_desc *d, const kvec_tile *t, const cl_mem mems[4],
                            clg_step *step)
{
    CLG_TRY(kvec_kernel(plan, d, t, 0, step));
    CLG_TRY(relayout_into_step(plan, d->n, d->wdata, d->bdata, d->K, d->C, d->KH, d->KW, 16 * t->kv, step));
    const cl_mem relaid[4] = {mems[0], step->owned[0], step->owned[1], mems[3]};
    const clg_status st = kvec_args(plan, d, t, relaid, 0, 0, step); /* on failure it released the kernel */
    if (st != CLG_OK) {
        clReleaseMemObject(step->owned[0]);
        clReleaseMemObject(step->owned[1]);
    }
    return st;
}

/*
 * conv2d_kvec in launches of `chunk` input channels each (-DCHUNKED=1), one
 * after another on the node's queue: the first adds the bias and stores, the
 * others add to the stored sums, only the last applies ReLU. The first step
 * owns the re-laid weights that all of them read.
 */
static clg_status kvec_chunks(clg_plan *plan, const conv_desc *d, const kvec_tile *t, cl_mem in, cl_mem out,
                              int64_t chunk)
{
    if (chunk < 1)
        return conv_fail(plan, d->n, CLG_ERR_UNSUPPORTED,
                         "kernel too large for this device's loop limit (even one input channel)");
    cl_mem weights[2] = {NULL, NULL};
    CLG_TRY(relayout_weights(plan, d->n, d->wdata, d->bdata, d->K, d->C, d->KH, d->KW, 16 * t->kv,
                             &weights[0], &weights[1]));
    int owned = 0; /* whether a step owns the weights yet */
    clg_status st = CLG_OK;
    for (int64_t c0 = 0; st == CLG_OK && c0 < d->C; c0 += chunk) {
        const int64_t count = c0 + chunk <= d->C ? chunk : d->C - c0;
        clg_step step;
        st = kvec_kernel(plan, d, t, 1, &step);
        if (st != CLG_OK) break;
        const cl_mem relaid[4] = {in, weights[0], weights[1], out};
        st = kvec_args(plan, d, t, relaid, c0, count, &step); /* on failure it released the kernel */
        if (st != CLG_OK) break;
        if (c0 == 0) step.owned[0] = weights[0], step.owned[1] = weights[1];
        step.flops = d->flops * (double)count / (double)d->C;
        step.bytes = d->bytes * (double)count / (double)d->C;
        st = clg_plan_add_step(plan, &step);
        owned = 1; /* added, or released with the step */
    }
    if (!owned)
        for (int i = 0; i < 2; i++) clReleaseMemObject(weights[i]);
    return st;
}

/*
 * Pass 3's fused launch (conv2d_kvec_split) has no chunks: on a device with a
 * loop limit, a 1x1 group whose input has more channels than its widest tiles
 * (PX 6, KV 2 or PX 12, KV 1) allow in one launch runs as single
 * convolutions, which split.
 */
static int group_over_loop_limit(const clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0);
    if (!plan->ctx->loop_iteration_limit || x->rank != 4) return 0;
    conv_desc d;
    memset(&d, 0, sizeof d);
    d.C = x->dims[1], d.KH = d.KW = 1, d.pointwise = 1;
    return kvec_chunk_channels(plan, &d, 1, 6, 2) < d.C || kvec_chunk_channels(plan, &d, 1, 12, 1) < d.C;
}


/* conv1x1: plain weights, pixels in vectors. */
static clg_status pointwise_step(clg_plan *plan, const conv_desc *d, const cl_mem mems[4], clg_step *step)
{
    const int n = d->n, has_bias = d->has_bias, relu = d->relu;
    const int64_t N = d->N, C = d->C, H = d->H, W = d->W, K = d->K;
    const clg_placement *place = d->place;
    /* PB pixels (one vector) x KB output channels per work-item. */
    const int64_t P = H * W;
    const int pb = clg_plan_vector_width(P, 16), kb = K <= 4 ? 4 : 8;
    clg_options o = clg_options_begin(&clg_kernel_conv1x1);
    clg_options_set(&o, "PB", pb);
    clg_options_set(&o, "KB", kb);
    clg_options_epilogue(&o, has_bias, relu);
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, n, o.desc->file, o.text, "conv1x1", step));
    snprintf(step->variant, sizeof step->variant, "conv1x1_p%dk%d", pb, kb);
    const int ints[] = {(int)C, (int)K, (int)P, (int)place->offset, (int)place->image_stride};
    CLG_TRY(set_args(step, mems, ints, 5));
    step->work_dim = 3;
    step->global[0] = (size_t)((P + pb - 1) / pb);
    step->global[1] = (size_t)((K + kb - 1) / kb);
    step->global[2] = (size_t)N;
    return CLG_OK;
}

/* conv2d: any window, plain weights, output columns in vectors. */
static clg_status direct_step(clg_plan *plan, const conv_desc *d, const cl_mem mems[4], clg_step *step)
{
    const int n = d->n, has_bias = d->has_bias, relu = d->relu;
    const int64_t N = d->N, C = d->C, H = d->H, W = d->W, K = d->K, KH = d->KH, KW = d->KW;
    const int64_t OH = d->OH, OW = d->OW;
    const clg_window *win = d->win;
    const clg_placement *place = d->place;
    /* XB output columns (one vector) x KB output channels per work-item. Stride 2
       loads 2*XB columns and keeps the even ones, so cap XB at 8 there. */
    const int xb = clg_plan_vector_width(OW, win->stride[1] == 2 ? 8 : 16), kb = K <= 4 ? 4 : 8;
    const int64_t kblocks = (K + kb - 1) / kb;
    clg_options o = clg_options_begin(&clg_kernel_conv2d);
    clg_options_window(&o, (int)KH, (int)KW, win->stride[0], win->stride[1]);
    clg_options_set(&o, "XB", xb);
    clg_options_set(&o, "KB", kb);
    clg_options_epilogue(&o, has_bias, relu);
    CLG_TRY(clg_options_end(&o));
    CLG_TRY(clg_plan_kernel_step(plan, n, o.desc->file, o.text, "conv2d", step));
    snprintf(step->variant, sizeof step->variant, "conv2d_%dx%ds%dx%d_x%dk%d", (int)KH, (int)KW,
             win->stride[0], win->stride[1], xb, kb);
    const int ints[] = {(int)C, (int)H, (int)W, (int)K, (int)OH, (int)OW,
                        win->pads[0], win->pads[1], (int)kblocks, (int)place->offset,
                        (int)place->image_stride};
    CLG_TRY(set_args(step, mems, ints, 11));
    step->work_dim = 3;
    step->global[0] = (size_t)((OW + xb - 1) / xb);
    step->global[1] = (size_t)OH;
    step->global[2] = (size_t)(N * kblocks);
    return CLG_OK;
}

/* ---- conv_lanes (cl/conv_lanes.cl) -------------------------------------- */

/* conv_lanes's blocking: kb output channels per work-item, the sub-group size
   asked of Intel's compiler (0: none). */
typedef struct lanes_tile {
    int kb, lanes;
    int64_t kblocks;
} lanes_tile;

static lanes_tile lanes_pick(const conv_desc *d, int64_t K)
{
    lanes_tile t;
    t.kb = K > 16 ? 32 : 16;
    t.lanes = d->wi_vectors ? (d->half_math ? 32 : 16) : 0;
    t.kblocks = (K + t.kb - 1) / t.kb;
    return t;
}

/* A conv_lanes step (`name`: conv_lanes or conv_lanes_split) with tile t,
   its arguments not yet set. */
static clg_status lanes_kernel(clg_plan *plan, const conv_desc *d, const lanes_tile *t, int has_bias,
                               const char *name, clg_step *step)
{
    clg_options o = clg_options_begin(&clg_kernel_conv_lanes);
    clg_options_set(&o, "KB", t->kb);
    if (t->lanes) clg_options_set(&o, "LANES", t->lanes);
    clg_options_epilogue(&o, has_bias, d->relu);
    CLG_TRY(clg_options_end(&o));
    return clg_plan_kernel_step(plan, d->n, o.desc->file, o.text, name, step);
}

/* Sets the first 10 arguments (weights re-laid in mems[1..2]) and the NDRange:
   pixels rounded up to whole work-groups of a multiple of the sub-group size. */
static void lanes_args(clg_plan *plan, const conv_desc *d, const lanes_tile *t, const cl_mem mems[4],
                       clg_args *kargs, clg_step *step)
{
    const int ints[] = {(int)d->C, (int)(d->H * d->W), (int)d->K, (int)t->kblocks, (int)d->place->offset,
                        (int)d->place->image_stride};
    *kargs = clg_args_begin(step->kernel);
    clg_args_mems(kargs, mems, 4);
    clg_args_ints(kargs, ints, 6);
    const size_t P = (size_t)(d->H * d->W), unit = t->lanes ? (size_t)t->lanes : 16;
    step->work_dim = 3;
    step->global[0] = (P + unit - 1) / unit * unit;
    step->global[1] = 1;
    step->global[2] = (size_t)(d->N * t->kblocks);
    /* Up to 128 work-items a group (four of Intel's half sub-groups; 32 to
       256 measured even). */
    clg_plan_row_groups_in_units(plan, step, unit, 128);
}

/* One conv_lanes launch for d. */
static clg_status lanes_conv(clg_plan *plan, const conv_desc *d, cl_mem in, cl_mem out)
{
    const lanes_tile t = lanes_pick(d, d->K);
    clg_step step;
    CLG_TRY(lanes_kernel(plan, d, &t, d->has_bias, "conv_lanes", &step));
    snprintf(step.variant, sizeof step.variant, "conv_lanes_1x1_k%d", t.kb);
    CLG_TRY(relayout_into_step(plan, d->n, d->wdata, d->bdata, d->K, d->C, d->KH, d->KW, t.kb, &step));
    const cl_mem mems[4] = {in, step.owned[0], step.owned[1], out};
    clg_args kargs;
    lanes_args(plan, d, &t, mems, &kargs, &step);
    step.flops = d->flops;
    step.bytes = d->bytes;
    return clg_plan_finish_step(plan, &step, clg_args_end(&kargs));
}

/* ---- conv_plane (cl/conv_plane.cl) -------------------------------------- */

/* conv_plane's channel vectors per work-item: as many as keep the plane's
   sums within conv2d_kvec's register budget (d->sums), at most 4, fewer
   where that leaves under 8 work-items. */
static int plane_kv(const conv_desc *d)
{
    const int64_t P = d->OH * d->OW;
    int kv = 4;
    while (kv > 1 && P * kv > d->sums) kv /= 2;
    while (kv > 1 && d->N * ((d->K + 16 * kv - 1) / (16 * kv)) < 8) kv /= 2;
    return kv;
}

/* One conv_plane launch for d. */
static clg_status plane_conv(clg_plan *plan, const conv_desc *d, cl_mem in, cl_mem out)
{
    const int kv = plane_kv(d);
    const int64_t kblocks = (d->K + 16 * kv - 1) / (16 * kv);
    clg_options o = clg_options_begin(&clg_kernel_conv_plane);
    clg_options_set(&o, "IH", (int)d->H);
    clg_options_set(&o, "IW", (int)d->W);
    clg_options_set(&o, "OHP", (int)d->OH);
    clg_options_set(&o, "OWP", (int)d->OW);
    clg_options_window(&o, (int)d->KH, (int)d->KW, d->win->stride[0], d->win->stride[1]);
    clg_options_set(&o, "PT", d->win->pads[0]);
    clg_options_set(&o, "PL", d->win->pads[1]);
    clg_options_set(&o, "KV", kv);
    clg_options_epilogue(&o, d->has_bias, d->relu);
    CLG_TRY(clg_options_end(&o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, d->n, o.desc->file, o.text, "conv_plane", &step));
    snprintf(step.variant, sizeof step.variant, "conv_plane_%dx%ds%dx%d_%dx%d_k%d", (int)d->KH, (int)d->KW,
             d->win->stride[0], d->win->stride[1], (int)d->OH, (int)d->OW, 16 * kv);
    CLG_TRY(relayout_into_step(plan, d->n, d->wdata, d->bdata, d->K, d->C, d->KH, d->KW, 16 * kv, &step));
    const cl_mem mems[4] = {in, step.owned[0], step.owned[1], out};
    const int ints[] = {(int)d->C, (int)d->K, (int)d->place->offset, (int)d->place->image_stride};
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mems(&kargs, mems, 4);
    clg_args_ints(&kargs, ints, 4);
    step.work_dim = 2;
    step.global[0] = (size_t)d->N;
    step.global[1] = (size_t)kblocks;
    clg_plan_row_groups(plan, &step);
    step.flops = d->flops;
    step.bytes = d->bytes;
    return clg_plan_finish_step(plan, &step, clg_args_end(&kargs));
}

/* Appends the steps of choice ch, reading `in` and writing `out` (with d's placement). */
static clg_status emit(clg_plan *plan, const conv_desc *d, const conv_choice *ch, cl_mem in,
                       cl_mem out)
{
    if (ch->algo == ALGO_WINO) return plan_winograd(plan, d, ch->wm, in, out);
    if (ch->algo == ALGO_LANES) return lanes_conv(plan, d, in, out);
    if (ch->algo == ALGO_PLANE) return plane_conv(plan, d, in, out);
    const cl_mem mems[4] = {in, d->w, d->b, out};
    clg_step step;
    if (ch->algo == ALGO_KVEC) {
        const kvec_tile t = kvec_pick(d, ch);
        const int64_t chunk = kvec_chunk_channels(plan, d, t.sw, t.px, t.kv);
        if (chunk < d->C) return kvec_chunks(plan, d, &t, in, out, chunk);
        CLG_TRY(kvec_step(plan, d, &t, mems, &step));
    } else if (ch->algo == ALGO_1X1) CLG_TRY(pointwise_step(plan, d, mems, &step));
    else CLG_TRY(direct_step(plan, d, mems, &step));
    step.flops = d->flops;
    step.bytes = d->bytes;
    return clg_plan_add_step(plan, &step);
}

/* ---- Tuning ------------------------------------------------------------ */

/* Removes the steps appended after `mark` (a candidate that was timed). */
static void rollback(clg_plan *plan, size_t mark, uint64_t bytes)
{
    while (plan->n_steps > mark) {
        clg_step *s = &plan->steps[--plan->n_steps];
        if (s->kernel) clReleaseKernel(s->kernel);
        for (int j = 0; j < 2; j++)
            if (s->owned[j]) clReleaseMemObject(s->owned[j]);
    }
    plan->buffer_bytes = bytes;
}

/* Enqueues steps [mark, n_steps) once and waits. */
static cl_int run_steps(clg_plan *plan, size_t mark)
{
    cl_command_queue q = plan->ctx->queue;
    for (size_t i = mark; i < plan->n_steps; i++) {
        const clg_step *s = &plan->steps[i];
        cl_int err = clEnqueueNDRangeKernel(q, s->kernel, s->work_dim, NULL, s->global,
                                            s->use_local ? s->local : NULL, 0, NULL, NULL);
        if (err != CL_SUCCESS) return err;
    }
    return clFinish(q);
}

/*
 * Emits candidate ch on scratch buffers, checks its output against `ref`
 * (when given) and times it after a warm-up (the first
 * launch compiles on PoCL). Returns the time in seconds (the fastest of 5
 * runs: the least disturbed by other load), or -1 when the
 * candidate failed or disagreed; with ref == NULL its output is copied out.
 */
static double time_candidate(clg_plan *plan, const conv_desc *d, const conv_choice *ch,
                             cl_mem in, cl_mem out, size_t out_count, const float *ref,
                             float *got)
{
    const size_t mark = plan->n_steps;
    const uint64_t bytes = plan->buffer_bytes;
    double result = -1.0;
    if (emit(plan, d, ch, in, out) != CLG_OK) {
        rollback(plan, mark, bytes);
        return -1.0;
    }
    const float zero = 0.0f;
    cl_command_queue q = plan->ctx->queue;
    if (clEnqueueFillBuffer(q, out, &zero, sizeof zero, 0, out_count * sizeof(float), 0, NULL,
                            NULL) != CL_SUCCESS ||
        run_steps(plan, mark) != CL_SUCCESS ||
        clEnqueueReadBuffer(q, out, CL_TRUE, 0, out_count * sizeof(float), got, 0, NULL, NULL) !=
            CL_SUCCESS)
        goto done;
    if (ref) {
        double scale = 1.0, worst = 0.0;
        for (size_t i = 0; i < out_count; i++)
            if (fabs(ref[i]) > scale) scale = fabs(ref[i]);
        for (size_t i = 0; i < out_count; i++) {
            double e = fabs((double)got[i] - ref[i]);
            if (!(e <= worst)) worst = isnan(e) ? INFINITY : e;
        }
        if (!(worst <= 1e-4 * scale)) goto done; /* a wrong variant is never chosen */
    }
    double t[5];
    for (int r = 0; r < 5; r++) {
        const double t0 = clg_cache_clock_s();
        if (run_steps(plan, mark) != CL_SUCCESS) goto done;
        t[r] = clg_cache_clock_s() - t0;
    }
    result = t[0];
    for (int r = 1; r < 5; r++)
        if (t[r] < result) result = t[r];
done:
    rollback(plan, mark, bytes);
    return result;
}

/* Candidate choices for d; returns how many (heuristic first). */
static int candidates(const conv_desc *d, conv_choice *out, int max)
{
    int count = 0;
#define ADD(a, p, k, m)                                                                           \
    do {                                                                                          \
        conv_choice c_ = {(a), (p), (k), (m)};                                                    \
        if (count < max && eligible(d, &c_)) out[count++] = c_;                                   \
    } while (0)
    heuristic(d, &out[0]);
    count = 1;
    ADD(ALGO_KVEC, 0, 0, 0);
    ADD(ALGO_KVEC, 0, 1, 0);
    if (d->K > 16) ADD(ALGO_KVEC, 0, 2, 0);
    ADD(ALGO_WINO, 0, 0, 4);
    ADD(ALGO_WINO, 0, 0, 2);
    ADD(ALGO_1X1, 0, 0, 0);
    ADD(ALGO_PLANE, 0, 0, 0);
#undef ADD
    /* Drop duplicates of the first entry. */
    int kept = 1;
    for (int i = 1; i < count; i++)
        if (memcmp(&out[i], &out[0], sizeof out[0]) != 0) out[kept++] = out[i];
    return kept;
}

/*
 * Times every candidate on scratch buffers holding random data, each checked
 * against the plain direct kernel (conv2d), and returns the fastest.
 */
static clg_status tune(clg_plan *plan, const conv_desc *d, conv_choice *best)
{
    const size_t in_count = (size_t)(d->N * d->C * d->H * d->W);
    const size_t out_count = d->place->offset + (size_t)d->N * d->place->image_stride;
    /* The input has the slack planned activations have. */
    float *host = calloc(1, in_count * sizeof(float) + CLG_BUFFER_SLACK);
    float *ref = malloc(out_count * sizeof(float));
    float *got = malloc(out_count * sizeof(float));
    cl_mem in = NULL, out = NULL;
    cl_int err = CL_OUT_OF_HOST_MEMORY;
    if (host && ref && got) {
        uint32_t r = 0x9E3779B9u;
        for (size_t i = 0; i < in_count; i++) {
            r ^= r << 13, r ^= r >> 17, r ^= r << 5;
            host[i] = (float)(r % 20001) / 10000.0f - 1.0f;
        }
        in = clCreateBuffer(plan->ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                            in_count * sizeof(float) + CLG_BUFFER_SLACK, host, &err);
        if (err == CL_SUCCESS)
            out = clCreateBuffer(plan->ctx->context, CL_MEM_READ_WRITE, out_count * sizeof(float),
                                 NULL, &err);
    }
    conv_choice list[8];
    const int count = candidates(d, list, 8);
    *best = list[0];
    if (err == CL_SUCCESS) {
        const conv_choice direct = {ALGO_DIRECT, 0, 0, 0};
        double best_t = time_candidate(plan, d, &direct, in, out, out_count, NULL, ref);
        if (best_t >= 0) {
            *best = direct;
            for (int i = 0; i < count; i++) {
                if (list[i].algo == ALGO_DIRECT) continue;
                double t = time_candidate(plan, d, &list[i], in, out, out_count, ref, got);
                if (t >= 0 && t < best_t) best_t = t, *best = list[i];
            }
        }
    }
    if (in) clReleaseMemObject(in);
    if (out) clReleaseMemObject(out);
    free(host);
    free(ref);
    free(got);
    return CLG_OK;
}

/* The choice for d: cached, tuned (CLGOOGLENET_TUNE) or heuristic. */
static clg_status choose(clg_plan *plan, const conv_desc *d, conv_choice *ch)
{
    heuristic(d, ch);
    const clg_tune_mode mode = clg_tune_mode_get(plan->ctx);
    /* A forced family (CLGOOGLENET_CONV) or non-constant weights: nothing to tune. */
    if (mode == CLG_TUNE_OFF || d->force || !d->relayable) return CLG_OK;
    char key[256], value[64];
    const clg_window *w = d->win;
    /* Deep networks choose among fewer candidates (deep_f4): their own entries. */
    snprintf(key, sizeof key, "conv n%lld c%lld h%lld w%lld k%lld %lldx%lld s%dx%d p%d,%d,%d,%d b%d r%d%s",
             (long long)d->N, (long long)d->C, (long long)d->H, (long long)d->W, (long long)d->K,
             (long long)d->KH, (long long)d->KW, w->stride[0], w->stride[1], w->pads[0],
             w->pads[1], w->pads[2], w->pads[3], d->has_bias, d->relu, deep_f4(d) ? " deep" : "");
    conv_choice cached;
    if (mode != CLG_TUNE_FORCE && clg_tune_lookup(plan->ctx, key, value, sizeof value) &&
        choice_parse(value, &cached) && eligible(d, &cached)) {
        *ch = cached;
        return CLG_OK;
    }
    /* A dry pass (plan.c) runs nothing: the real pass tunes. */
    if (mode == CLG_TUNE_CACHED || plan->dry) return CLG_OK;
    CLG_TRY(tune(plan, d, ch));
    choice_format(ch, value, sizeof value);
    clg_tune_store(plan->ctx, key, value);
    return CLG_OK;
}

/*
 * Checks node n's shapes against what the Conv kernels support. *empty is
 * set for an empty output: nothing to launch, and nothing else to check.
 */
static clg_status check_shapes(const clg_plan *plan, int n, int *empty)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *wt = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const clg_window *win = &plan->windows[n];

    if (x->rank != 4 || wt->rank != 4 || y->rank != 4)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "only 2-D NCHW convolution is supported");
    const int64_t N = x->dims[0], C = x->dims[1];
    const int64_t K = wt->dims[0], KH = wt->dims[2], KW = wt->dims[3];
    const int group = win->group; /* >= 1 in a resolved window (shape.c) */
    if (group < 1 || C % group || K % group || wt->dims[1] * group != C)
        return conv_fail(plan, n, CLG_ERR_SHAPE, "weight does not match the input channels and group");
    if (y->dims[0] != N || y->dims[1] != K || win->kernel[0] != KH || win->kernel[1] != KW)
        return conv_fail(plan, n, CLG_ERR_SHAPE, "output or window does not match the weights");
    if (CLG_HAS_INPUT(plan, n, 2)) {
        const clg_shape *b = CLG_IN_SHAPE(plan, n, 2);
        if (clg_shape_count(b) != (size_t)K)
            return conv_fail(plan, n, CLG_ERR_SHAPE, "bias must have one value per output channel");
    }
    if (win->stride[0] < 1 || win->stride[1] < 1 || win->pads[0] < 0 || win->pads[1] < 0)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "invalid stride or padding");
    /* The kernels index with int: every tensor must stay below INT_MAX elements. */
    if (clg_shape_count(x) == 0 || clg_shape_count(wt) == 0 || clg_shape_count(y) == 0) {
        *empty = clg_shape_count(y) == 0;
        if (*empty) return CLG_OK;
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "empty input or weight tensor");
    }
    if (clg_shape_count(x) > INT_MAX || clg_shape_count(wt) > INT_MAX ||
        clg_shape_count(y) > INT_MAX)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large (over 2^31 elements)");

    const clg_placement *place = &plan->placement[CLG_NODE(plan, n)->output];
    if (place->offset + (size_t)N * place->image_stride > INT_MAX)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large (over 2^31 elements)");
    if (KH > 64 || KW > 64)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "kernels larger than 64x64 are not supported");
    return CLG_OK;
}

/* Fills d from node n's checked shapes, attributes, constants and buffers. */
static void fill_desc(const clg_plan *plan, int n, conv_desc *d)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *wt = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const clg_window *win = &plan->windows[n];
    const int has_bias = CLG_HAS_INPUT(plan, n, 2);
    const int64_t C = x->dims[1], K = wt->dims[0], KH = wt->dims[2], KW = wt->dims[3];

    memset(d, 0, sizeof *d);
    d->n = n;
    d->N = x->dims[0], d->C = C, d->H = x->dims[2], d->W = x->dims[3];
    d->K = K, d->KH = KH, d->KW = KW, d->OH = y->dims[2], d->OW = y->dims[3];
    d->win = win;
    d->relu = CLG_NODE(plan, n)->attrs.fused_relu != 0;
    d->has_bias = has_bias;
    d->place = &plan->placement[CLG_NODE(plan, n)->output];
    d->pool3 = CLG_NODE(plan, n)->attrs.fused_pool != 0;
    d->force = clg_context_conv_algorithm(plan->ctx);
    d->conv_depth = plan->conv_depth;
    d->sums = kvec_sums(plan->ctx);
    d->half_math = clg_context_half_arithmetic(plan->ctx);
    d->wi_vectors = clg_device_traits_of(&plan->ctx->info)->work_item_vectors;
    d->loop_limited = plan->ctx->loop_iteration_limit > 0;
    /* A fused pool needs the 2-D layout: not the flattened pointwise paths. */
    d->plain = clg_window_is_plain(win);
    d->pointwise = !d->pool3 && d->plain && KH == 1 && KW == 1 && win->stride[0] == 1 && win->stride[1] == 1 &&
                   win->pads[0] == 0 && win->pads[1] == 0 && win->pads[2] == 0 && win->pads[3] == 0;
    /* Constant weights (and bias) have a host copy that can be re-laid. */
    const clg_graph *g = plan->graph;
    d->wdata = g->values[CLG_NODE(plan, n)->inputs[1]].data;
    d->bdata = has_bias ? g->values[CLG_NODE(plan, n)->inputs[2]].data : NULL;
    d->relayable = d->wdata && (!has_bias || d->bdata);
    d->in = CLG_IN_BUF(plan, n, 0);
    /* Planned activations and inputs have slack (memory_plan.c); constants do not. */
    d->in_slack = g->values[CLG_NODE(plan, n)->inputs[0]].data == NULL;
    d->w = CLG_IN_BUF(plan, n, 1);
    d->b = has_bias ? CLG_IN_BUF(plan, n, 2) : NULL;
    d->out = CLG_OUT_BUF(plan, n);
    d->flops = 2.0 * (double)clg_shape_count(y) * (double)(C / win->group * KH * KW);
    d->bytes = 4.0 * ((double)clg_shape_count(x) + (double)clg_shape_count(wt) +
                      (double)clg_shape_count(y) + (has_bias ? (double)K : 0.0));
}

/*
 * Checks node n's shapes and fills d. *empty is set (and nothing else) for
 * an empty output: nothing to launch.
 */
static clg_status describe(clg_plan *plan, int n, conv_desc *dp, int *empty)
{
    *empty = 0;
    CLG_TRY(check_shapes(plan, n, empty));
    if (*empty) return CLG_OK;
    conv_desc d;
    fill_desc(plan, n, &d);
    const clg_window *win = d.win;
    if (d.pool3 && (!d.relayable || d.KH != 1 || d.KW != 1 || win->stride[0] != 1 || win->stride[1] != 1))
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "a fused max-pool needs a 1x1 stride-1 convolution with constant weights");
    *dp = d;
    return CLG_OK;
}

/*
 * Pass 3 (runtime/passes/passes.h): the member of node n's group that runs the
 * whole group as one launch in this plan (the first in the plan's order), or
 * -1 when n runs alone: one queue only (the members' outputs are written
 * before their own turn), no forced kernel family but conv_lanes (whose
 * group launch it then forces), non-empty outputs.
 */
static int group_leader(const clg_plan *plan, int n)
{
    const clg_attrs *at = &CLG_NODE(plan, n)->attrs;
    const char *force = clg_context_conv_algorithm(plan->ctx);
    if (at->n_hgroup < 2 || plan->n_queues != 1 || (force && strcmp(force, "lanes") != 0) ||
        !clg_context_pass_enabled(plan->ctx, CLG_PASS_GROUP_POINTWISE) || group_over_loop_limit(plan, n))
        return -1;
    for (int m = 0; m < at->n_hgroup; m++)
        if (clg_shape_count(CLG_OUT_SHAPE(plan, at->hgroup[m])) == 0) return -1;
    for (size_t k = 0; k < plan->graph->n_nodes; k++)
        for (int m = 0; m < at->n_hgroup; m++)
            if (plan->order[k] == at->hgroup[m]) return at->hgroup[m];
    return -1;
}

/* Output channels member d of a 1x1 group takes in the concatenated weights:
   members before the last are padded with zero filters to whole weight
   blocks of kbv channels, so that no block straddles two outputs. */
static int64_t group_slot(const conv_desc *d, int last, int64_t kbv)
{
    return last ? d->K : (d->K + kbv - 1) / kbv * kbv;
}

/* The channels of a group's weights with blocks of kbv. */
static int64_t group_slots(const conv_desc *d, int count, int64_t kbv)
{
    int64_t slots = 0;
    for (int i = 0; i < count; i++) slots += group_slot(&d[i], i == count - 1, kbv);
    return slots;
}

/* A group's weights (and biases, zeros where a member has none) concatenated,
   each member in its slot (group_slot; the padding zeros). */
static clg_status concat_weights(clg_plan *plan, const conv_desc *d, int count, int64_t kbv, int64_t total,
                                 float **w, float **b)
{
    *w = calloc((size_t)(total * d[0].C), sizeof(float));
    *b = calloc((size_t)total, sizeof(float));
    if (!*w || !*b) {
        free(*w);
        free(*b);
        return conv_fail(plan, d[0].n, CLG_ERR_OUT_OF_MEMORY, "out of memory re-laying weights");
    }
    for (int i = 0, k0 = 0; i < count; k0 += (int)group_slot(&d[i], i == count - 1, kbv), i++) {
        memcpy(*w + (size_t)k0 * (size_t)d[0].C, d[i].wdata, (size_t)(d[i].K * d[i].C) * sizeof(float));
        if (d[i].bdata) memcpy(*b + k0, d[i].bdata, (size_t)d[i].K * sizeof(float));
    }
    return CLG_OK;
}

/* A group's weights concatenated and re-laid in blocks of kbv channels into
   step's owned buffers; on failure the step's kernel is released. */
static clg_status group_relayout(clg_plan *plan, int node, const conv_desc *d, int count, int64_t kbv,
                                 int64_t slots, clg_step *step)
{
    float *w, *b;
    clg_status st = concat_weights(plan, d, count, kbv, slots, &w, &b);
    if (st != CLG_OK) {
        clReleaseKernel(step->kernel);
        step->kernel = NULL;
        return st;
    }
    st = relayout_into_step(plan, node, w, b, slots, d[0].C, 1, 1, (int)kbv, step);
    free(w);
    free(b);
    return st;
}

/* What a 1x1 group's members add up to. */
typedef struct group_sum {
    int64_t total; /* output channels */
    int has_bias;  /* any member has a bias */
} group_sum;

/* Describes the count members of a 1x1 group (pass_group_pointwise.c) into
   d, checking that they fit one launch. */
static clg_status describe_group(clg_plan *plan, const clg_attrs *at, int count, conv_desc *d,
                                 group_sum *sum)
{
    int empty;
    *sum = (group_sum){.total = 0, .has_bias = 0};
    for (int i = 0; i < count; i++) {
        CLG_TRY(describe(plan, at->hgroup[i], &d[i], &empty));
        if (empty || !d[i].pointwise || !d[i].relayable || d[i].relu != d[0].relu || d[i].in != d[0].in ||
            (i < count - 1 && d[i].K % 16))
            return conv_fail(plan, at->hgroup[i], CLG_ERR_SHAPE, "does not fit its 1x1 group");
        sum->total += d[i].K;
        sum->has_bias |= d[i].has_bias;
    }
    return CLG_OK;
}

/* A group launch's work: its members', the shared input read once. */
static void group_cost(const conv_desc *d, int count, clg_step *step)
{
    const double input = 4.0 * (double)(d[0].N * d[0].C * d[0].H * d[0].W);
    for (int i = 0; i < count; i++) {
        step->flops += d[i].flops;
        step->bytes += d[i].bytes - (i ? input : 0.0);
    }
}

/* conv2d_kvec_split's and conv_lanes_split's outputs 2 and 3 (unused with two members: K3 = 0). */
static void group_route_args(clg_args *kargs, const conv_desc *d, int count)
{
    const conv_desc *d2 = &d[1], *d3 = count > 2 ? &d[2] : &d[1];
    clg_args_mem(kargs, d2->out);
    clg_args_int(kargs, (cl_int)d2->K);
    clg_args_int(kargs, (cl_int)d2->place->offset);
    clg_args_int(kargs, (cl_int)d2->place->image_stride);
    clg_args_mem(kargs, d3->out);
    clg_args_int(kargs, count > 2 ? (cl_int)d[2].K : 0);
    clg_args_int(kargs, (cl_int)d3->place->offset);
    clg_args_int(kargs, (cl_int)d3->place->image_stride);
}

/* The group of d[0..count) as one conv_lanes_split launch. */
static clg_status plan_group_lanes(clg_plan *plan, const conv_desc *d, int count, const group_sum *sum)
{
    const int64_t slots = group_slots(d, count, 32);
    const lanes_tile t = lanes_pick(&d[0], slots);
    clg_step step;
    CLG_TRY(lanes_kernel(plan, &d[0], &t, sum->has_bias, "conv_lanes_split", &step));
    snprintf(step.variant, sizeof step.variant, "conv_lanes_split%d_1x1_k%d", count, t.kb);
    CLG_TRY(group_relayout(plan, d[0].n, d, count, t.kb, slots, &step));
    const cl_mem mems[4] = {d[0].in, step.owned[0], step.owned[1], d[0].out};
    clg_args kargs;
    lanes_args(plan, &d[0], &t, mems, &kargs, &step);
    group_route_args(&kargs, d, count);
    group_cost(d, count, &step);
    return clg_plan_finish_step(plan, &step, clg_args_end(&kargs));
}

/* The whole group of `leader` as one conv2d_kvec_split (or conv_lanes_split) launch. */
static clg_status plan_group(clg_plan *plan, int leader)
{
    const clg_attrs *at = &CLG_NODE(plan, leader)->attrs;
    const int count = at->n_hgroup;
    conv_desc d[3] = {0}; /* count >= 2 (pass_group_pointwise.c); zeroed for the compiler */
    group_sum sum;
    CLG_TRY(describe_group(plan, at, count, d, &sum));
    if (lanes_chosen(&d[0])) return plan_group_lanes(plan, d, count, &sum);
    const int64_t total = sum.total;
    const int has_bias = sum.has_bias;
    const int64_t N = d[0].N, C = d[0].C, P = d[0].H * d[0].W;
    /* Two channel vectors per work-item, members padded to 32 channels where
       that wastes at most an eighth: the padded 1x1 groups of d2l GoogLeNet
       (members of 112 and 144 channels) ran 20-25% faster than with one. */
    int kv = total > 16 && group_slots(d, count, 32) * 8 <= total * 9 ? 2 : 1;
    const int sums = d[0].sums; /* the members share the input and the device */
    /* A whole small map in one tile of up to 1.5 times the sums beats two
       uneven tiles: 9-pixel maps (d2l GoogLeNet's last stage, batch 32,
       PoCL) ran 2.2-2.4 ms as p9k32 against 2.8-3.0 ms as p5k32. */
    int px = P > sums / kv && P * 2 <= sums / kv * 3 && P <= 16 ? (int)P : pick_px(P, sums / kv);
    int64_t slots = group_slots(d, count, 16 * kv);
    int64_t kblocks = (slots + 16 * kv - 1) / (16 * kv);
    if (kv == 2 && N * kblocks * ((P + px - 1) / px) < 8) { /* more work-items for small launches */
        kv = 1;
        px = pick_px(P, sums);
        slots = group_slots(d, count, 16);
        kblocks = (slots + 15) / 16;
    }
    clg_options o = clg_options_begin(&clg_kernel_conv2d);
    clg_options_window(&o, 1, 1, 1, 1);
    clg_options_set(&o, "PX", px);
    clg_options_set(&o, "KV", kv);
    clg_options_epilogue(&o, has_bias, d[0].relu);
    CLG_TRY(clg_options_end(&o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, leader, o.desc->file, o.text, "conv2d_kvec_split", &step));
    snprintf(step.variant, sizeof step.variant, "conv2d_kvec_split%d_1x1_p%dk%d", count, px, 16 * kv);
    CLG_TRY(group_relayout(plan, leader, d, count, 16 * kv, slots, &step));
    const cl_mem mems[4] = {d[0].in, step.owned[0], step.owned[1], d[0].out};
    const int ints[] = {(int)C, 1, (int)P, (int)d[0].K, 1, (int)P, 0, 0, (int)kblocks,
                        (int)d[0].place->offset, (int)d[0].place->image_stride};
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mems(&kargs, mems, 4);
    clg_args_ints(&kargs, ints, 11);
    group_route_args(&kargs, d, count);
    const clg_status st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = (size_t)((P + px - 1) / px);
    step.global[1] = 1;
    step.global[2] = (size_t)(N * kblocks);
    clg_plan_row_groups(plan, &step);
    group_cost(d, count, &step);
    return clg_plan_finish_step(plan, &step, st);
}

/* d as the SIMT planner's description. */
static void simt_conv_of(const conv_desc *d, clg_simt_conv *c)
{
    memset(c, 0, sizeof *c);
    c->node = d->n;
    c->N = d->N, c->C = d->C, c->H = d->H, c->W = d->W, c->K = d->K;
    c->KH = d->KH, c->KW = d->KW, c->OH = d->OH, c->OW = d->OW;
    c->stride[0] = d->win->stride[0], c->stride[1] = d->win->stride[1];
    c->pads[0] = d->win->pads[0], c->pads[1] = d->win->pads[1];
    c->relu = d->relu, c->has_bias = d->has_bias, c->pool3 = d->pool3, c->pointwise = d->pointwise;
    c->wdata = d->wdata, c->bdata = d->bdata;
    c->in = d->in, c->out = d->out;
    c->out_offset = d->place->offset, c->out_image_stride = d->place->image_stride;
    c->flops = d->flops, c->bytes = d->bytes;
}

/*
 * The SIMT family (runtime/ops/ops_conv_simt.c): node n alone, or its whole 1x1
 * group when n leads it. *done stays 0 for what only the CPU family runs
 * (weights without a host copy).
 */
static clg_status plan_conv_simt(clg_plan *plan, int n, int *done)
{
    *done = 1;
    const int leader = group_leader(plan, n);
    if (leader >= 0 && leader != n) return CLG_OK; /* the leader's launch computes n */
    const clg_attrs *at = &CLG_NODE(plan, n)->attrs;
    const int count = leader >= 0 ? at->n_hgroup : 1;
    conv_desc d[3];
    clg_simt_conv c[3];
    int empty;
    for (int i = 0; i < count; i++) {
        CLG_TRY(describe(plan, leader >= 0 ? at->hgroup[i] : n, &d[i], &empty));
        if (empty) return CLG_OK;
        if (!d[i].relayable) {
            if (count > 1) return conv_fail(plan, d[i].n, CLG_ERR_SHAPE, "does not fit its 1x1 group");
            *done = 0;
            return CLG_OK;
        }
        if (i > 0 && (!d[i].pointwise || !d[0].pointwise || d[i].relu != d[0].relu || d[i].in != d[0].in))
            return conv_fail(plan, d[i].n, CLG_ERR_SHAPE, "does not fit its 1x1 group");
        simt_conv_of(&d[i], &c[i]);
    }
    return clg_plan_conv_simt(plan, c, count);
}

/* A grouped or dilated convolution: its own kernels in either family. */
static clg_status plan_grouped(clg_plan *plan, int n, clg_kernel_family family)
{
    conv_desc d;
    int empty;
    CLG_TRY(describe(plan, n, &d, &empty));
    if (empty) return CLG_OK;
    if (d.pool3) return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "a fused max-pool needs an ungrouped convolution");
    const clg_window *win = d.win; /* resolved: group and dilations >= 1 */
    const clg_grouped_conv c = {
        .node = n, .N = d.N, .C = d.C, .H = d.H, .W = d.W, .M = d.K, .KH = d.KH, .KW = d.KW,
        .OH = d.OH, .OW = d.OW, .group = win->group, .stride = {win->stride[0], win->stride[1]},
        .dilation = {win->dilation[0], win->dilation[1]},
        .pads = {win->pads[0], win->pads[1]}, .relu = d.relu, .has_bias = d.has_bias,
        .in = d.in, .w = d.w, .b = d.b, .out = d.out, .out_offset = d.place->offset,
        .out_image_stride = d.place->image_stride, .flops = d.flops, .bytes = d.bytes};
    return clg_plan_conv_grouped(plan, &c, family);
}

clg_status clg_plan_conv(clg_plan *plan, int n)
{
    clg_kernel_family family;
    CLG_TRY(clg_kernel_family_get(plan->ctx, &family));
    /* Plain convolutions take the paths below, unchanged. */
    if (!clg_window_is_plain(&plan->windows[n])) return plan_grouped(plan, n, family);
    if (family == CLG_FAMILY_SIMT) {
        int done;
        CLG_TRY(plan_conv_simt(plan, n, &done));
        if (done) return CLG_OK;
    }
    const int leader = group_leader(plan, n);
    if (leader >= 0) return leader == n ? plan_group(plan, n) : CLG_OK; /* the leader's launch computes n */
    conv_desc d;
    int empty;
    CLG_TRY(describe(plan, n, &d, &empty));
    if (empty) return CLG_OK;
    conv_choice ch;
    if (d.pool3) {
        memset(&ch, 0, sizeof ch); /* only conv2d_kvec computes the pool on the fly */
        ch.algo = ALGO_KVEC;
    } else {
        CLG_TRY(choose(plan, &d, &ch));
    }
    return emit(plan, &d, &ch, d.in, d.out);
}

/* ---- Import and shapes -------------------------------------------------- */

/* Conv's group: >= 1; whether it divides the channels is checked with the shapes. */
static clg_status conv_group(const clg_onnx_node *n, clg_window *w)
{
    const Onnx__AttributeProto *g = clg_attr_find(n, "group");
    if (g && g->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && g->i <= 0)
        return clg_node_error(n, CLG_ERR_PARSE, "%s", "attribute 'group': group must be >= 1");
    return clg_attr_int(n, "group", 1, INT32_MAX, &w->group);
}

clg_status clg_parse_conv(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const conv_keys[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "group", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, conv_keys));
    CLG_TRY(conv_group(n, &a->win));
    return clg_window_attrs(n, &a->win, 0, 4096);
}

static clg_status infer_conv(const clg_node *nd, const clg_shape *x, const clg_shape *wt,
                             const clg_shape *bias, clg_shape *out, clg_window *win)
{
    char msg[384], xs[96], ws[96];
    if (x->rank != 4) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "only 2-D convolution (NCHW input) is supported");
    if (wt->rank != 4) return clg_shape_fail(nd, CLG_ERR_SHAPE, "weight must be rank 4 (KxCxKHxKW)");
    const int64_t group = nd->attrs.win.group > 0 ? nd->attrs.win.group : 1;
    if (nd->attrs.win.group < 0) return clg_shape_fail(nd, CLG_ERR_SHAPE, "group must be >= 1");
    clg_shape_text(x, xs, sizeof xs);
    clg_shape_text(wt, ws, sizeof ws);
    if (x->dims[1] % group || wt->dims[0] % group) {
        snprintf(msg, sizeof msg, "group %lld does not divide the input channels of %s or the output channels of weight %s",
                 (long long)group, xs, ws);
        return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
    }
    if (wt->dims[1] * group != x->dims[1]) {
        snprintf(msg, sizeof msg, "weight %s does not match input %s (channels: expected %lld per group of %lld)",
                 ws, xs, (long long)(x->dims[1] / group), (long long)group);
        return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
    }
    const clg_window *a = &nd->attrs.win;
    if ((a->kernel[0] && a->kernel[0] != wt->dims[2]) || (a->kernel[1] && a->kernel[1] != wt->dims[3]))
        return clg_shape_fail(nd, CLG_ERR_SHAPE, "kernel_shape does not match the weight shape");
    if (bias && (bias->rank != 1 || bias->dims[0] != wt->dims[0]))
        return clg_shape_fail(nd, CLG_ERR_SHAPE, "bias must have one value per output channel");
    if (wt->dims[2] > 4096 || wt->dims[3] > 4096) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "kernel too large");
    int64_t oh, ow;
    CLG_TRY(clg_shape_window(nd, x, (int)wt->dims[2], (int)wt->dims[3], win, &oh, &ow));
    *out = (clg_shape){4, {x->dims[0], wt->dims[0], oh, ow}};
    return CLG_OK;
}

clg_status clg_shape_conv(clg_shape_node *s)
{
    if (!s->in[1]) return clg_shape_fail(s->nd, CLG_ERR_PARSE, "missing weight input");
    return infer_conv(s->nd, s->in[0], s->in[1], s->in[2], s->out, s->win);
}
