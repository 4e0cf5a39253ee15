/*
 * SIMT convolution planner (cl/conv_simt.cl): convolution as an implicit GEMM
 * (M = output channels, N = batch * OH * OW, K = C * KH * KW) with __local
 * tiles and small register tiles, for GPUs and CPU drivers that vectorise
 * across work-items. The kernel family per device (device table,
 * CLGOOGLENET_KERNELS) is decided here too; runtime/ops/ops_conv.c calls in when
 * the family is simt.
 *
 * Choice of tile (simt_pick): every configuration of `configs` whose
 * work-group fits the device is costed as padded multiply-adds times a
 * register-tile factor (local loads per FMA), plus the traffic of split-K;
 * on devices whose table row asks for it (GPUs), launches with fewer
 * work-groups than the device wants (4,096 work-items and two groups per
 * compute unit) split K into up to 64 slices, finished by conv_simt_reduce.
 * 3x3 stride-1 convolutions on maps of 6x6 and up run as Winograd F(4x4) or
 * F(2x2) (plan_winograd_simt); everything else, the 1x1 group of pass 3 and
 * the pool-into-1x1 of pass 2 included, as one implicit GEMM. Weights without
 * a host copy are left to the CPU family (ops_conv.c).
 */
#include "ops_conv_simt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "device_table.h"
#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"
#include "winograd_points.h"

clg_status clg_kernel_family_get(const clg_context *ctx, clg_kernel_family *out)
{
    const char *force = clg_context_kernel_family(ctx);
    if (force) {
        *out = strcmp(force, "simt") == 0 ? CLG_FAMILY_SIMT : CLG_FAMILY_CPU;
        return CLG_OK;
    }
    const clg_kernel_family f = clg_device_traits_of(&ctx->info)->kernel_family;
    *out = f != CLG_FAMILY_BY_TYPE ? f : ctx->info.type == CLG_DEVICE_GPU ? CLG_FAMILY_SIMT : CLG_FAMILY_CPU;
    return CLG_OK;
}

const char *clg_kernel_family_name(clg_kernel_family f)
{
    return f == CLG_FAMILY_SIMT ? "simt" : "cpu";
}

/* Tunables of conv_simt.cl, by the kernel's own names. */
typedef struct simt_cfg {
    int wgn, wgm; /* work-group: pixels x channels */
    int rn, rm;   /* register tile: pixels x channels */
    int tk;       /* reduction depth of a local slice */
} simt_cfg;

/* Each satisfies the kernel's constraints: WGM % RN == 0, TK * TN and TK * TM
   multiples of WGN * WGM. The first group has 256 work-items and 16 or more
   along dimension 0 (a 16-lane vector on Intel's CPU runtime: groups of 8
   along dimension 0 ran at a tenth of the speed there); the fallbacks serve
   devices whose work-groups are smaller (rusticl: 32 work-items). */
static const simt_cfg configs[] = {
    {16, 16, 4, 8, 16}, /* 64 pixels x 128 channels: the fewest local loads per FMA */
    {16, 16, 4, 4, 16}, /* 64 pixels x 64 channels */
    {32, 8, 4, 4, 16},  /* 128 x 32 */
    {64, 4, 4, 4, 16},  /* 256 x 16: few channels, many pixels */
    {16, 16, 2, 4, 16}, /* 32 x 64 */
    {16, 16, 1, 4, 16}, /* 16 x 64: small maps */
    {16, 16, 4, 1, 16}, /* 64 x 16: few channels (Winograd: few tiles) */
};
/* -DWGN -DWGM -DRN -DRM -DTK. */
static void tile_options(clg_options *o, const simt_cfg *c)
{
    clg_options_set(o, "WGN", c->wgn);
    clg_options_set(o, "WGM", c->wgm);
    clg_options_set(o, "RN", c->rn);
    clg_options_set(o, "RM", c->rm);
    clg_options_set(o, "TK", c->tk);
}

static const simt_cfg fallback_configs[] = {
    {8, 8, 4, 4, 16}, /* 32 x 32, 64 work-items */
    {8, 4, 4, 4, 16}, /* 32 x 16, 32 work-items */
};

#define SIMT_MIN_ITEMS 4096 /* no GPU launch of fewer work-items at batch 1 */
#define SIMT_MAX_SPLITS 64

/* What the device wants of a launch. */
typedef struct simt_target {
    int64_t cus;       /* compute units */
    int64_t min_items; /* split K (or pad) up to this many work-items; 0: never split */
    int64_t min_groups; /* fewer work-groups than this cost in proportion */
    size_t limits[3];  /* work-group limits: total, dimension 0, dimension 1 */
} simt_target;

typedef struct simt_launch {
    simt_cfg cfg;
    int64_t tm, tn, mtiles, ntiles, kp, mp;
    int splits, k_chunk; /* k_chunk: a multiple of tk */
    double cost;
} simt_launch;

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

/* The cheapest configuration for an M x N x Kt product on a device with
   `cus` compute units and the work-group limits of device_wg_limits. */
static int simt_pick_from(const simt_cfg *list, size_t count, int64_t M, int64_t N, int64_t Kt,
                          int64_t batch, const simt_target *tg, simt_launch *best)
{
    const size_t *limits = tg->limits;
    int found = 0;
    for (size_t i = 0; i < count; i++) {
        const simt_cfg *c = &list[i];
        const int64_t wg = (int64_t)c->wgn * c->wgm;
        if ((size_t)wg > limits[0] || (size_t)c->wgn > limits[1] || (size_t)c->wgm > limits[2]) continue;
        simt_launch l;
        l.cfg = *c;
        l.tm = (int64_t)c->wgm * c->rm;
        l.tn = (int64_t)c->wgn * c->rn;
        l.mtiles = (M + l.tm - 1) / l.tm;
        l.ntiles = (N + l.tn - 1) / l.tn;
        l.mp = l.mtiles * l.tm;
        l.kp = round_up(Kt, c->tk);
        const int64_t ktiles = l.kp / c->tk, groups = l.mtiles * l.ntiles * batch;
        /* Enough groups for the device: min_items work-items and two per compute unit;
           batched products (Winograd) have their batch instead. */
        int64_t want = (tg->min_items + wg - 1) / wg;
        if (want < 2 * tg->cus) want = 2 * tg->cus;
        int64_t splits = groups >= want || batch > 1 || tg->min_items == 0 ? 1 : (want + groups - 1) / groups;
        if (splits > ktiles / 2) splits = ktiles / 2; /* two slices at least per split */
        if (splits > SIMT_MAX_SPLITS) splits = SIMT_MAX_SPLITS;
        if (splits < 1) splits = 1;
        /* Slices per split rounded down, so there are at least as many splits as
           wanted (and none empty). */
        int64_t chunk_tiles = ktiles / splits > 0 ? ktiles / splits : 1;
        if ((ktiles + chunk_tiles - 1) / chunk_tiles > SIMT_MAX_SPLITS)
            chunk_tiles = (ktiles + SIMT_MAX_SPLITS - 1) / SIMT_MAX_SPLITS;
        splits = (ktiles + chunk_tiles - 1) / chunk_tiles;
        l.splits = (int)splits;
        l.k_chunk = (int)(chunk_tiles * c->tk);
        /* Multiply-adds issued, weighted by local loads per FMA ((RM + RN) / (RM * RN)),
           plus the partial sums written and read back. */
        const double macs = (double)l.mp * (double)(l.ntiles * l.tn) * (double)l.kp * (double)batch;
        l.cost = macs * (1.0 + (double)(c->rm + c->rn) / (double)(c->rm * c->rn));
        if (splits > 1) l.cost += 16.0 * (double)splits * (double)M * (double)N;
        /* A launch short of work-items leaves the device idle: any configuration
           that reaches the minimum wins over those that do not. */
        const int64_t items = groups * splits * wg;
        if (items < tg->min_items) l.cost *= 4.0 * (double)tg->min_items / (double)items;
        if (groups * splits < tg->min_groups) l.cost *= (double)tg->min_groups / (double)(groups * splits);
        if (!found || l.cost < best->cost) *best = l, found = 1;
    }
    return found;
}

static int simt_pick(int64_t M, int64_t N, int64_t Kt, int64_t batch, const simt_target *tg,
                     simt_launch *best)
{
    return simt_pick_from(configs, sizeof configs / sizeof configs[0], M, N, Kt, batch, tg, best) ||
           simt_pick_from(fallback_configs, sizeof fallback_configs / sizeof fallback_configs[0], M, N,
                          Kt, batch, tg, best);
}

/* wt[Kp][Mp] (k-major, zero-padded) from the members' w[M][Kt], and bias[Mp]. */
static clg_status simt_relayout(clg_plan *plan, const clg_simt_conv *cv, int count,
                                const simt_launch *l, int64_t Kt, cl_mem *wt_out, cl_mem *bias_out)
{
    const size_t wcount = (size_t)(l->kp * l->mp), bcount = (size_t)l->mp;
    float *wt = calloc(wcount, sizeof(float)), *bp = calloc(bcount, sizeof(float));
    if (!wt || !bp) {
        free(wt);
        free(bp);
        return clg_plan_node_fail(plan, cv[0].node, CLG_ERR_OUT_OF_MEMORY, "out of memory re-laying weights");
    }
    for (int i = 0, m0 = 0; i < count; m0 += (int)cv[i].K, i++)
        for (int64_t m = 0; m < cv[i].K; m++) {
            const float *row = cv[i].wdata + m * Kt;
            for (int64_t k = 0; k < Kt; k++) wt[k * l->mp + m0 + m] = row[k];
            if (cv[i].bdata) bp[m0 + m] = cv[i].bdata[m];
        }
    cl_int err = CL_SUCCESS;
    cl_context cx = plan->ctx->context;
    *wt_out = clCreateBuffer(cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, wcount * sizeof(float), wt, &err);
    if (err == CL_SUCCESS)
        *bias_out = clCreateBuffer(cx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bcount * sizeof(float), bp, &err);
    free(wt);
    free(bp);
    if (err != CL_SUCCESS) {
        if (*wt_out) clReleaseMemObject(*wt_out);
        *wt_out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[cv[0].node].name);
    }
    plan->buffer_bytes += (wcount + bcount) * sizeof(float);
    return CLG_OK;
}

/* Output routing arguments of a group (GROUP=1), after the kernel's own. */
static void route_args(clg_args *kargs, const clg_simt_conv *cv, int count)
{
    /* Output 2 starts at channel K1, output 3 at K1 + K2; absent ones start past M. */
    const int64_t total = cv[0].K + (count > 1 ? cv[1].K : 0) + (count > 2 ? cv[2].K : 0);
    for (int o = 1; o <= 2; o++) {
        const clg_simt_conv *c = count > o ? &cv[o] : &cv[0];
        const int64_t start = count > o ? (o == 1 ? cv[0].K : cv[0].K + cv[1].K) : total;
        clg_args_mem(kargs, c->out);
        clg_args_int(kargs, (cl_int)start);
        clg_args_int(kargs, (cl_int)c->out_offset);
        clg_args_int(kargs, (cl_int)c->out_image_stride);
    }
}

/* The device's work-group limits: the total and per dimension (0 and 1). */
static void device_wg_limits(const clg_plan *plan, size_t *limits)
{
    size_t total = 0, sizes[3] = {0, 0, 0};
    if (clGetDeviceInfo(plan->ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof total, &total,
                        NULL) != CL_SUCCESS || total == 0)
        total = 64; /* every device supports this many */
    if (clGetDeviceInfo(plan->ctx->device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof sizes, sizes,
                        NULL) != CL_SUCCESS || sizes[0] == 0 || sizes[1] == 0)
        sizes[0] = sizes[1] = total;
    limits[0] = total;
    limits[1] = sizes[0] < total ? sizes[0] : total;
    limits[2] = sizes[1] < total ? sizes[1] : total;
}

static void target_of(const clg_plan *plan, simt_target *tg)
{
    tg->cus = plan->ctx->info.compute_units ? plan->ctx->info.compute_units : 1;
    tg->min_items = clg_device_traits_of(&plan->ctx->info)->simt_split_k ? SIMT_MIN_ITEMS : 0;
    tg->min_groups = 2 * tg->cus;
    device_wg_limits(plan, tg->limits);
}

static clg_status no_config(const clg_plan *plan, int node)
{
    return clg_plan_node_fail(plan, node, CLG_ERR_UNSUPPORTED,
                              "the device's work-groups are too small for the SIMT kernels (32 work-items needed)");
}

/* Grows dimension 1 of a 2-D launch with local size {16, 2} (its kernel
   bounds-checks) until it has the device's minimum of work-items. */
static void pad_items(clg_step *s, const simt_target *tg)
{
    while ((int64_t)(s->global[0] * s->global[1]) < tg->min_items) s->global[1] += 2;
}

/* A new buffer of `count` floats: a copy of `data`, or uninitialised scratch (data NULL). */
static clg_status new_buffer(clg_plan *plan, int node, const float *data, size_t count, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = clCreateBuffer(plan->ctx->context, data ? CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR : CL_MEM_READ_WRITE,
                          (count ? count : 1) * sizeof(float), (void *)data, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[node].name);
    }
    plan->buffer_bytes += (count ? count : 1) * sizeof(float);
    return CLG_OK;
}

/*
 * Winograd F(wm x wm, 3x3), stride 1, in the SIMT style: wino_simt_input,
 * gemm_simt per transform point, wino_simt_output (cl/conv_simt.cl).
 * The filter transform U = G g G^T runs here once, in double precision.
 */
static clg_status plan_winograd_simt(clg_plan *plan, const clg_simt_conv *c, int wm, const simt_target *tg)
{
    const int A = wm + 2, n = c->node;
    const int64_t K = c->K, C = c->C;
    const int64_t TH = (c->OH + wm - 1) / wm, TW = (c->OW + wm - 1) / wm, T = c->N * TH * TW;
    simt_launch l;
    memset(&l, 0, sizeof l);
    if (!simt_pick(T, K, C, (int64_t)A * A, tg, &l)) return no_config(plan, n);
    const int64_t Tp = l.mp, ldu = l.ntiles * l.tn;
    const size_t ucount = (size_t)(A * A) * (size_t)C * (size_t)ldu;
    const size_t vcount = (size_t)(A * A) * (size_t)C * (size_t)Tp;
    const size_t mcount = (size_t)(A * A) * (size_t)Tp * (size_t)K;
    if (ucount > INT_MAX || vcount > INT_MAX || mcount > INT_MAX)
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large for Winograd");
    float *U = calloc(ucount, sizeof(float)), *bp = calloc((size_t)K, sizeof(float));
    if (!U || !bp) {
        free(U);
        free(bp);
        return clg_plan_node_fail(plan, n, CLG_ERR_OUT_OF_MEMORY, "out of memory transforming weights");
    }
    for (int64_t k = 0; k < K; k++) {
        if (c->bdata) bp[k] = c->bdata[k];
        for (int64_t ch = 0; ch < C; ch++) {
            double u[36];
            clg_winograd_filter(wm, c->wdata + (k * C + ch) * 9, u);
            for (int xi = 0; xi < A * A; xi++)
                U[((size_t)xi * (size_t)C + (size_t)ch) * (size_t)ldu + (size_t)k] = (float)u[xi];
        }
    }
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    clg_step s_in, s_gemm, s_out;
    clg_status st;

    /* 1. input transform: one work-item per (tile, channel) */
    clg_options_set(&o, "WM", wm);
    st = clg_options_end(&o);
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "wino_simt_input", &s_in);
    if (st == CLG_OK) {
        snprintf(s_in.variant, sizeof s_in.variant, "wino%d_input", wm);
        st = new_buffer(plan, n, NULL, vcount, &s_in.owned[0]);
        const int ints[] = {(int)C, (int)c->H, (int)c->W, (int)TH, (int)TW, (int)T, (int)Tp,
                            c->pads[0], c->pads[1]};
        clg_args kargs = clg_args_begin(s_in.kernel);
        clg_args_mem(&kargs, c->in);
        clg_args_mem(&kargs, s_in.owned[0]);
        clg_args_ints(&kargs, ints, 9);
        if (st == CLG_OK) st = clg_args_end(&kargs);
        s_in.work_dim = 2;
        s_in.global[0] = (size_t)round_up(Tp, 16);
        s_in.global[1] = (size_t)round_up(C, 2);
        pad_items(&s_in, tg);
        s_in.use_local = 1;
        s_in.local[0] = 16;
        s_in.local[1] = 2;
        s_in.bytes = 4.0 * (double)((size_t)(c->N * C * c->H * c->W) + vcount);
        st = clg_plan_finish_step(plan, &s_in, st);
    }
    cl_mem vbuf = st == CLG_OK ? plan->steps[plan->n_steps - 1].owned[0] : NULL;

    /* 2. one tiled GEMM per transform point */
    if (st == CLG_OK) {
        o = clg_options_begin(&clg_kernel_conv_simt);
        tile_options(&o, &l.cfg);
        st = clg_options_end(&o);
    }
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "gemm_simt", &s_gemm);
    if (st == CLG_OK) {
        snprintf(s_gemm.variant, sizeof s_gemm.variant, "wino%d_gemm_simt_%dx%d", wm, (int)l.tm & 511,
                 (int)l.tn & 511);
        st = new_buffer(plan, n, U, ucount, &s_gemm.owned[0]);
        if (st == CLG_OK) st = new_buffer(plan, n, NULL, mcount, &s_gemm.owned[1]);
        const int ints[] = {(int)Tp, (int)K, (int)C, (int)Tp, (int)ldu, (int)K,
                            (int)(C * Tp), (int)(C * ldu), (int)(Tp * K)};
        clg_args kargs = clg_args_begin(s_gemm.kernel);
        clg_args_mem(&kargs, vbuf);
        clg_args_mem(&kargs, s_gemm.owned[0]);
        clg_args_mem(&kargs, s_gemm.owned[1]);
        clg_args_ints(&kargs, ints, 9);
        if (st == CLG_OK) st = clg_args_end(&kargs);
        s_gemm.work_dim = 3;
        s_gemm.global[0] = (size_t)(l.ntiles * l.cfg.wgn);
        s_gemm.global[1] = (size_t)(l.mtiles * l.cfg.wgm);
        s_gemm.global[2] = (size_t)(A * A);
        s_gemm.use_local = 1;
        s_gemm.local[0] = (size_t)l.cfg.wgn;
        s_gemm.local[1] = (size_t)l.cfg.wgm;
        s_gemm.local[2] = 1;
        s_gemm.flops = c->flops; /* the convolution's useful work is counted here */
        s_gemm.bytes = 4.0 * (double)(ucount + vcount + mcount);
        st = clg_plan_finish_step(plan, &s_gemm, st);
    }
    cl_mem mbuf = st == CLG_OK ? plan->steps[plan->n_steps - 1].owned[1] : NULL;
    free(U);

    /* 3. output transform, bias, ReLU, placement: one work-item per (channel, tile) */
    if (st == CLG_OK) {
        o = clg_options_begin(&clg_kernel_conv_simt);
        clg_options_set(&o, "WM", wm);
        clg_options_epilogue(&o, c->has_bias, c->relu);
        st = clg_options_end(&o);
    }
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "wino_simt_output", &s_out);
    if (st == CLG_OK) {
        snprintf(s_out.variant, sizeof s_out.variant, "wino%d_simt_output", wm);
        st = new_buffer(plan, n, bp, (size_t)K, &s_out.owned[0]);
        const int ints[] = {(int)K, (int)c->OH, (int)c->OW, (int)TH, (int)TW, (int)T, (int)Tp, (int)K,
                            (int)c->out_offset, (int)c->out_image_stride};
        clg_args kargs = clg_args_begin(s_out.kernel);
        clg_args_mem(&kargs, mbuf);
        clg_args_mem(&kargs, s_out.owned[0]);
        clg_args_mem(&kargs, c->out);
        clg_args_ints(&kargs, ints, 10);
        if (st == CLG_OK) st = clg_args_end(&kargs);
        s_out.work_dim = 2;
        s_out.global[0] = (size_t)round_up(K, 16);
        s_out.global[1] = (size_t)round_up(T, 2);
        s_out.use_local = 1;
        s_out.local[0] = 16;
        s_out.local[1] = 2;
        pad_items(&s_out, tg);
        s_out.bytes = 4.0 * (double)(mcount + (size_t)(c->N * K * c->OH * c->OW));
        st = clg_plan_finish_step(plan, &s_out, st);
    }
    free(bp);
    return st;
}

/* Winograd's tile size for c in the SIMT family, or 0 (implicit GEMM): a
   forced family (the context's conv_algorithm, else CLGOOGLENET_CONV) wino /
   wino2 gives F(4x4) / F(2x2) where it applies, legacy / kvec none; else
   clg_winograd_default_tile. */
static int simt_wino_size(const clg_plan *plan, const clg_simt_conv *c)
{
    if (c->KH != 3 || c->KW != 3 || c->stride[0] != 1 || c->stride[1] != 1 || c->pool3 || !c->wdata)
        return 0;
    const char *force = clg_context_conv_algorithm(plan->ctx);
    if (force && *force) return strcmp(force, "wino") == 0 ? 4 : strcmp(force, "wino2") == 0 ? 2 : 0;
    return clg_winograd_default_tile(c->OH, c->OW, plan->conv_depth);
}

clg_status clg_plan_conv_simt(clg_plan *plan, const clg_simt_conv *cv, int count)
{
    const clg_simt_conv *c0 = &cv[0];
    const int group = count > 1;
    simt_target tg;
    target_of(plan, &tg);
    const int wm = group ? 0 : simt_wino_size(plan, c0);
    if (wm) return plan_winograd_simt(plan, c0, wm, &tg);
    int64_t M = 0;
    int has_bias = 0;
    for (int i = 0; i < count; i++) M += cv[i].K, has_bias |= cv[i].has_bias;
    const int64_t Kt = c0->C * c0->KH * c0->KW, N = c0->N * c0->OH * c0->OW;
    simt_launch l;
    memset(&l, 0, sizeof l);
    if (!simt_pick(M, N, Kt, 1, &tg, &l)) return no_config(plan, c0->node);
    if (l.kp * l.mp > INT_MAX || (double)l.splits * (double)M * (double)N > INT_MAX)
        return clg_plan_node_fail(plan, c0->node, CLG_ERR_UNSUPPORTED, "tensor too large for the SIMT kernels");
    const int split = l.splits > 1;
    const int pw = c0->pointwise || c0->pool3;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    clg_options_window(&o, (int)c0->KH, (int)c0->KW, pw ? 1 : c0->stride[0], pw ? 1 : c0->stride[1]);
    clg_options_set(&o, "PW", pw);
    clg_options_set(&o, "POOL3", c0->pool3);
    tile_options(&o, &l.cfg);
    clg_options_set(&o, "SPLIT", split);
    clg_options_set(&o, "GROUP", group);
    clg_options_epilogue(&o, split ? 0 : has_bias, split ? 0 : c0->relu);
    CLG_TRY(clg_options_end(&o));

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, c0->node, o.desc->file, o.text, "conv_simt", &step));
    snprintf(step.variant, sizeof step.variant, "conv_simt%s_%dx%ds%d_%dx%d%s",
             group ? "_group" : c0->pool3 ? "_pool3" : "", (int)c0->KH & 127, (int)c0->KW & 127,
             (pw ? 1 : c0->stride[0]) & 127, (int)l.tm & 511, (int)l.tn & 511, split ? "_splitk" : "");
    if (step.kernel) {
        size_t limit = 0;
        if (clGetKernelWorkGroupInfo(step.kernel, plan->ctx->device, CL_KERNEL_WORK_GROUP_SIZE,
                                     sizeof limit, &limit, NULL) == CL_SUCCESS &&
            limit < (size_t)(l.cfg.wgn * l.cfg.wgm)) {
            clReleaseKernel(step.kernel);
            return clg_plan_node_fail(plan, c0->node, CLG_ERR_UNSUPPORTED,
                                      "the SIMT kernel's work-group does not fit the device");
        }
    }
    cl_mem bias_buf = NULL;
    clg_status st = simt_relayout(plan, cv, count, &l, Kt, &step.owned[0], &bias_buf);
    cl_mem part = NULL;
    if (st == CLG_OK && split) {
        cl_int err = CL_SUCCESS;
        const size_t pcount = (size_t)l.splits * (size_t)M * (size_t)N;
        part = clCreateBuffer(plan->ctx->context, CL_MEM_READ_WRITE, pcount * sizeof(float), NULL, &err);
        if (err != CL_SUCCESS) {
            part = NULL;
            st = clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[c0->node].name);
        } else {
            plan->buffer_bytes += pcount * sizeof(float);
        }
    }
    /* Without split-K the GEMM step owns the bias; with it, the reduce step does. */
    step.owned[1] = split ? part : bias_buf;
    const int ints[] = {(int)c0->C, (int)c0->H, (int)c0->W, (int)M, (int)c0->OH, (int)c0->OW,
                        (int)N, pw ? 0 : c0->pads[0], pw ? 0 : c0->pads[1], (int)l.mp, (int)l.kp,
                        l.k_chunk, (int)c0->out_offset, (int)c0->out_image_stride};
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, c0->in);
    clg_args_mem(&kargs, step.owned[0]);
    clg_args_mem(&kargs, bias_buf);
    clg_args_mem(&kargs, split ? part : c0->out);
    clg_args_ints(&kargs, ints, 14);
    if (group) route_args(&kargs, cv, count);
    if (st == CLG_OK) st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = (size_t)(l.ntiles * l.cfg.wgn);
    step.global[1] = (size_t)(l.mtiles * l.cfg.wgm);
    step.global[2] = (size_t)l.splits;
    step.use_local = 1;
    step.local[0] = (size_t)l.cfg.wgn;
    step.local[1] = (size_t)l.cfg.wgm;
    step.local[2] = 1;
    for (int i = 0; i < count; i++) {
        step.flops += cv[i].flops;
        step.bytes += cv[i].bytes - (i ? 4.0 * (double)(c0->N * c0->C * c0->H * c0->W) : 0.0);
    }
    if (st != CLG_OK && split && bias_buf) clReleaseMemObject(bias_buf);
    CLG_TRY(clg_plan_finish_step(plan, &step, st));
    if (!split) return CLG_OK;

    /* Split-K: sum the partials, bias, ReLU, placement. */
    o = clg_options_begin(&clg_kernel_conv_simt);
    clg_options_set(&o, "GROUP", group);
    clg_options_epilogue(&o, has_bias, c0->relu);
    st = clg_options_end(&o);
    if (st == CLG_OK)
        st = clg_plan_kernel_step(plan, c0->node, o.desc->file, o.text, "conv_simt_reduce", &step);
    if (st != CLG_OK) {
        clReleaseMemObject(bias_buf);
        return st;
    }
    snprintf(step.variant, sizeof step.variant, "conv_simt_reduce%d", l.splits);
    step.owned[0] = bias_buf;
    kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, part);
    clg_args_mem(&kargs, bias_buf);
    clg_args_mem(&kargs, c0->out);
    const int rints[] = {(int)M, (int)N, (int)(c0->OH * c0->OW), l.splits, (int)c0->out_offset,
                         (int)c0->out_image_stride};
    clg_args_ints(&kargs, rints, 6);
    if (group) route_args(&kargs, cv, count);
    st = clg_args_end(&kargs);
    const size_t rwg = tg.limits[1] < 256 ? tg.limits[1] : 256;
    size_t total = (size_t)(M * N);
    if (total < (size_t)tg.min_items) total = (size_t)tg.min_items;
    step.work_dim = 1;
    step.global[0] = (total + rwg - 1) / rwg * rwg;
    step.use_local = 1;
    step.local[0] = rwg;
    step.bytes = 4.0 * (double)((size_t)(l.splits + 1) * (size_t)(M * N));
    return clg_plan_finish_step(plan, &step, st);
}
