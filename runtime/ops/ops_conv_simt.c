/*
 * SIMT convolution planner (cl/conv_simt.cl): convolution as an implicit GEMM
 * (M = output channels, N = batch * OH * OW, K = C * KH * KW) with __local
 * tiles and small register tiles, for GPUs and CPU drivers that vectorise
 * across work-items. The kernel family per device (device table,
 * CLGOOGLENET_KERNELS) is decided here too; runtime/ops/ops_conv.c calls in when
 * the family is simt.
 *
 * Choice of tile (simt_pick): every configuration of `configs` whose
 * work-group fits the device and the kernel built for it (pick_fitting: a
 * kernel may allow fewer work-items than its device; the device table's
 * simt_group_limit says so up front) is costed as padded multiply-adds times
 * a register-tile factor (local loads per FMA), plus the traffic of split-K;
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
#include "device_data.h"
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

/* A product to tile: M x N x Kt, batch of them (Winograd's transform points). */
typedef struct simt_product {
    int64_t M, N, Kt, batch;
} simt_product;

static int simt_pick(const simt_product *p, const simt_target *tg, simt_launch *best)
{
    return simt_pick_from(configs, sizeof configs / sizeof configs[0], p->M, p->N, p->Kt, p->batch, tg, best) ||
           simt_pick_from(fallback_configs, sizeof fallback_configs / sizeof fallback_configs[0], p->M, p->N,
                          p->Kt, p->batch, tg, best);
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
    *wt_out = clg_buffer_of_floats(plan->ctx, CL_MEM_READ_ONLY, wt, wcount, &err);
    if (err == CL_SUCCESS) *bias_out = clg_buffer_of_floats(plan->ctx, CL_MEM_READ_ONLY, bp, bcount, &err);
    free(wt);
    free(bp);
    if (err != CL_SUCCESS) {
        if (*wt_out) clReleaseMemObject(*wt_out);
        *wt_out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[cv[0].node].name);
    }
    plan->buffer_bytes += (wcount + bcount) * clg_context_element_bytes(plan->ctx);
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

/* Caps the work-group limits (total and per dimension) at `most` work-items. */
static void lower_group_limit(simt_target *tg, size_t most)
{
    for (int i = 0; i < 3; i++)
        if (tg->limits[i] > most) tg->limits[i] = most;
}

static void target_of(const clg_plan *plan, simt_target *tg)
{
    tg->cus = plan->ctx->info.compute_units ? plan->ctx->info.compute_units : 1;
    tg->min_items = clg_device_traits_of(&plan->ctx->info)->simt_split_k ? SIMT_MIN_ITEMS : 0;
    tg->min_groups = 2 * tg->cus;
    device_wg_limits(plan, tg->limits);
    if (plan->ctx->simt_group_limit > 0) lower_group_limit(tg, (size_t)plan->ctx->simt_group_limit);
}

static clg_status no_config(const clg_plan *plan, int node)
{
    return clg_plan_node_fail(plan, node, CLG_ERR_UNSUPPORTED,
                              "the device's work-groups are too small for the SIMT kernels (32 work-items needed)");
}

/* CL_KERNEL_WORK_GROUP_SIZE of a built kernel, or 0 when unknown. */
static size_t kernel_group_size(const clg_plan *plan, cl_kernel kernel)
{
    size_t limit = 0;
    if (!kernel || clGetKernelWorkGroupInfo(kernel, plan->ctx->device, CL_KERNEL_WORK_GROUP_SIZE,
                                            sizeof limit, &limit, NULL) != CL_SUCCESS)
        return 0;
    return limit;
}

/* Build options of a SIMT kernel for a chosen launch. */
typedef void (*simt_options_fn)(clg_options *o, const simt_launch *l, const void *arg);

/*
 * The cheapest launch for product p whose work-group fits the device and the
 * kernel built for it: a kernel's private and __local use can cap its groups
 * below the device's limit (rusticl on llvmpipe: 32 of 1,024), so the limit
 * comes down to the kernel's and the pick is made again. A dry pass builds
 * nothing and keeps the first pick.
 */
static clg_status pick_fitting(clg_plan *plan, int node, const simt_product *p, simt_target *tg,
                               const char *kernel, simt_options_fn options, const void *arg,
                               simt_launch *l)
{
    for (;;) {
        memset(l, 0, sizeof *l);
        if (!simt_pick(p, tg, l)) return no_config(plan, node);
        if (plan->dry) return CLG_OK;
        clg_options o = clg_options_begin(&clg_kernel_conv_simt);
        options(&o, l, arg);
        CLG_TRY(clg_options_end(&o));
        clg_step probe;
        CLG_TRY(clg_plan_kernel_step(plan, node, o.desc->file, o.text, kernel, &probe));
        const size_t limit = kernel_group_size(plan, probe.kernel);
        clReleaseKernel(probe.kernel);
        if (limit == 0 || limit >= (size_t)l->cfg.wgn * (size_t)l->cfg.wgm) return CLG_OK;
        lower_group_limit(tg, limit); /* below the group just picked: the loop ends */
    }
}

/* The tiled GEMM's NDRange (conv_simt, gemm_simt): {ntiles * WGN, mtiles *
   WGM, depth}, local {WGN, WGM, 1}; depth: splits, or transform points. */
static void tile_launch(clg_step *s, const simt_launch *l, size_t depth)
{
    s->work_dim = 3;
    s->global[0] = (size_t)(l->ntiles * l->cfg.wgn);
    s->global[1] = (size_t)(l->mtiles * l->cfg.wgm);
    s->global[2] = depth;
    s->use_local = 1;
    s->local[0] = (size_t)l->cfg.wgn;
    s->local[1] = (size_t)l->cfg.wgm;
    s->local[2] = 1;
}

/* Grows dimension 1 of a 2-D launch with local size {16, 2} (its kernel
   bounds-checks) until it has the device's minimum of work-items. */
static void pad_items(clg_step *s, const simt_target *tg)
{
    while ((int64_t)(s->global[0] * s->global[1]) < tg->min_items) s->global[1] += 2;
}

/* A Winograd transform's NDRange: {dim0 rounded up to 16, dim1 rounded up
   to 2, then padded to the device's minimum}, local {16, 2}. */
static void transform_launch(clg_step *s, int64_t dim0, int64_t dim1, const simt_target *tg)
{
    s->work_dim = 2;
    s->global[0] = (size_t)round_up(dim0, 16);
    s->global[1] = (size_t)round_up(dim1, 2);
    pad_items(s, tg);
    s->use_local = 1;
    s->local[0] = 16;
    s->local[1] = 2;
}

/* A new buffer of `count` elements: a copy of `data`, or uninitialised scratch (data NULL). */
static clg_status new_buffer(clg_plan *plan, int node, const float *data, size_t count, cl_mem *out)
{
    cl_int err = CL_SUCCESS;
    *out = clg_buffer_of_floats(plan->ctx, data ? CL_MEM_READ_ONLY : CL_MEM_READ_WRITE, data, count, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        return clg_cl_fail(err, "clCreateBuffer", plan->graph->nodes[node].name);
    }
    plan->buffer_bytes += (count ? count : 1) * clg_context_element_bytes(plan->ctx);
    return CLG_OK;
}

/* ---- Winograd ------------------------------------------------------------ */

/*
 * Winograd F(wm x wm, 3x3), stride 1, in the SIMT style: wino_simt_input,
 * gemm_simt per transform point, wino_simt_output (cl/conv_simt.cl).
 * The filter transform U = G g G^T runs here once, in double precision.
 */
typedef struct wino_geometry {
    int wm, A;                     /* output tile, transform tile (wm + 2) */
    int64_t TH, TW, T, Tp, ldu;    /* tiles down, across, in all; padded to the GEMM; U's row */
    size_t ucount, vcount, mcount; /* floats of U, V and the GEMM's product */
} wino_geometry;

static void gemm_options(clg_options *o, const simt_launch *l, const void *arg)
{
    (void)arg;
    tile_options(o, &l->cfg);
}

/* The GEMM's launch (tiles x output channels x input channels, batched over
   the A * A transform points) and the sizes that follow from it. */
static clg_status wino_pick(clg_plan *plan, const clg_simt_conv *c, int wm, simt_target *tg,
                            wino_geometry *g, simt_launch *l)
{
    g->wm = wm;
    g->A = wm + 2;
    g->TH = (c->OH + wm - 1) / wm;
    g->TW = (c->OW + wm - 1) / wm;
    g->T = c->N * g->TH * g->TW;
    const simt_product p = {g->T, c->K, c->C, (int64_t)g->A * g->A};
    CLG_TRY(pick_fitting(plan, c->node, &p, tg, "gemm_simt", gemm_options, NULL, l));
    g->Tp = l->mp;
    g->ldu = l->ntiles * l->tn;
    const size_t points = (size_t)(g->A * g->A);
    g->ucount = points * (size_t)c->C * (size_t)g->ldu;
    g->vcount = points * (size_t)c->C * (size_t)g->Tp;
    g->mcount = points * (size_t)g->Tp * (size_t)c->K;
    if (g->ucount > INT_MAX || g->vcount > INT_MAX || g->mcount > INT_MAX)
        return clg_plan_node_fail(plan, c->node, CLG_ERR_UNSUPPORTED, "tensor too large for Winograd");
    return CLG_OK;
}

/* U[xi][c][ldu] = G g G^T per (output channel, input channel), and the bias. */
static clg_status wino_filter_transform(const clg_plan *plan, const clg_simt_conv *c, const wino_geometry *g,
                                        float **U_out, float **bias_out)
{
    const int64_t K = c->K, C = c->C;
    float *U = calloc(g->ucount, sizeof(float)), *bp = calloc((size_t)K, sizeof(float));
    if (!U || !bp) {
        free(U);
        free(bp);
        return clg_plan_node_fail(plan, c->node, CLG_ERR_OUT_OF_MEMORY, "out of memory transforming weights");
    }
    for (int64_t k = 0; k < K; k++) {
        if (c->bdata) bp[k] = c->bdata[k];
        for (int64_t ch = 0; ch < C; ch++) {
            double u[36];
            clg_winograd_filter(g->wm, c->wdata + (k * C + ch) * 9, u);
            for (int xi = 0; xi < g->A * g->A; xi++)
                U[((size_t)xi * (size_t)C + (size_t)ch) * (size_t)g->ldu + (size_t)k] = (float)u[xi];
        }
    }
    *U_out = U;
    *bias_out = bp;
    return CLG_OK;
}

/* 1. Input transform: one work-item per (tile, channel); V, its output, is
   the step's own buffer (*vbuf). */
static clg_status plan_wino_input(clg_plan *plan, const clg_simt_conv *c, const wino_geometry *g,
                                  const simt_target *tg, cl_mem *vbuf)
{
    const int n = c->node;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    clg_options_set(&o, "WM", g->wm);
    clg_step s;
    clg_status st = clg_options_end(&o);
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "wino_simt_input", &s);
    if (st != CLG_OK) return st;
    snprintf(s.variant, sizeof s.variant, "wino%d_input", g->wm);
    st = new_buffer(plan, n, NULL, g->vcount, &s.owned[0]);
    const int ints[] = {(int)c->C, (int)c->H, (int)c->W, (int)g->TH, (int)g->TW, (int)g->T, (int)g->Tp,
                        c->pads[0], c->pads[1]};
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, c->in);
    clg_args_mem(&kargs, s.owned[0]);
    clg_args_ints(&kargs, ints, 9);
    if (st == CLG_OK) st = clg_args_end(&kargs);
    transform_launch(&s, g->Tp, c->C, tg);
    s.bytes = 4.0 * (double)((size_t)(c->N * c->C * c->H * c->W) + g->vcount);
    CLG_TRY(clg_plan_finish_step(plan, &s, st));
    *vbuf = plan->steps[plan->n_steps - 1].owned[0];
    return CLG_OK;
}

/* 2. One tiled GEMM per transform point: Mx[xi] = V[xi]^T U[xi]; the
   product is the step's second buffer (*mbuf). */
static clg_status plan_wino_gemm(clg_plan *plan, const clg_simt_conv *c, const wino_geometry *g,
                                 const simt_launch *l, const float *U, cl_mem vbuf, cl_mem *mbuf)
{
    const int n = c->node;
    const int64_t K = c->K, C = c->C, Tp = g->Tp, ldu = g->ldu;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    gemm_options(&o, l, NULL);
    clg_step s;
    clg_status st = clg_options_end(&o);
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "gemm_simt", &s);
    if (st != CLG_OK) return st;
    snprintf(s.variant, sizeof s.variant, "wino%d_gemm_simt_%dx%d", g->wm, (int)l->tm & 511,
             (int)l->tn & 511);
    st = new_buffer(plan, n, U, g->ucount, &s.owned[0]);
    if (st == CLG_OK) st = new_buffer(plan, n, NULL, g->mcount, &s.owned[1]);
    const int ints[] = {(int)Tp, (int)K, (int)C, (int)Tp, (int)ldu, (int)K,
                        (int)(C * Tp), (int)(C * ldu), (int)(Tp * K)};
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, vbuf);
    clg_args_mem(&kargs, s.owned[0]);
    clg_args_mem(&kargs, s.owned[1]);
    clg_args_ints(&kargs, ints, 9);
    if (st == CLG_OK) st = clg_args_end(&kargs);
    tile_launch(&s, l, (size_t)(g->A * g->A));
    s.flops = c->flops; /* the convolution's useful work is counted here */
    s.bytes = 4.0 * (double)(g->ucount + g->vcount + g->mcount);
    CLG_TRY(clg_plan_finish_step(plan, &s, st));
    *mbuf = plan->steps[plan->n_steps - 1].owned[1];
    return CLG_OK;
}

/* 3. Output transform, bias, ReLU, placement: one work-item per (channel, tile). */
static clg_status plan_wino_output(clg_plan *plan, const clg_simt_conv *c, const wino_geometry *g,
                                   const simt_target *tg, const float *bias, cl_mem mbuf)
{
    const int n = c->node;
    const int64_t K = c->K;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    clg_options_set(&o, "WM", g->wm);
    clg_options_epilogue(&o, c->has_bias, c->relu);
    clg_step s;
    clg_status st = clg_options_end(&o);
    if (st == CLG_OK) st = clg_plan_kernel_step(plan, n, o.desc->file, o.text, "wino_simt_output", &s);
    if (st != CLG_OK) return st;
    snprintf(s.variant, sizeof s.variant, "wino%d_simt_output", g->wm);
    st = new_buffer(plan, n, bias, (size_t)K, &s.owned[0]);
    const int ints[] = {(int)K, (int)c->OH, (int)c->OW, (int)g->TH, (int)g->TW, (int)g->T, (int)g->Tp,
                        (int)K, (int)c->out_offset, (int)c->out_image_stride};
    clg_args kargs = clg_args_begin(s.kernel);
    clg_args_mem(&kargs, mbuf);
    clg_args_mem(&kargs, s.owned[0]);
    clg_args_mem(&kargs, c->out);
    clg_args_ints(&kargs, ints, 10);
    if (st == CLG_OK) st = clg_args_end(&kargs);
    transform_launch(&s, K, g->T, tg);
    s.bytes = 4.0 * (double)(g->mcount + (size_t)(c->N * K * c->OH * c->OW));
    return clg_plan_finish_step(plan, &s, st);
}

static clg_status plan_winograd_simt(clg_plan *plan, const clg_simt_conv *c, int wm, simt_target *tg)
{
    wino_geometry g;
    simt_launch l;
    CLG_TRY(wino_pick(plan, c, wm, tg, &g, &l));
    float *U = NULL, *bias = NULL;
    CLG_TRY(wino_filter_transform(plan, c, &g, &U, &bias));
    cl_mem vbuf = NULL, mbuf = NULL;
    clg_status st = plan_wino_input(plan, c, &g, tg, &vbuf);
    if (st == CLG_OK) st = plan_wino_gemm(plan, c, &g, &l, U, vbuf, &mbuf);
    free(U);
    if (st == CLG_OK) st = plan_wino_output(plan, c, &g, tg, bias, mbuf);
    free(bias);
    return st;
}

/* ---- Implicit GEMM ------------------------------------------------------- */

/* 1 to 3 convolutions of one input as one GEMM (M = their output channels). */
typedef struct conv_gemm {
    const clg_simt_conv *cv;
    int count, group;      /* group: count > 1 (GROUP=1, outputs routed) */
    int pw, has_bias;      /* pw: pointwise or pool-into-1x1 (PW=1) */
    int64_t M, N, Kt;
} conv_gemm;

static void conv_gemm_of(const clg_simt_conv *cv, int count, conv_gemm *g)
{
    const clg_simt_conv *c0 = &cv[0];
    g->cv = cv;
    g->count = count;
    g->group = count > 1;
    g->pw = c0->pointwise || c0->pool3;
    g->M = 0;
    g->has_bias = 0;
    for (int i = 0; i < count; i++) g->M += cv[i].K, g->has_bias |= cv[i].has_bias;
    g->Kt = c0->C * c0->KH * c0->KW;
    g->N = c0->N * c0->OH * c0->OW;
}

/* conv_simt's -D values; with split-K the reduce step adds bias and ReLU. */
static void conv_options(clg_options *o, const simt_launch *l, const void *arg)
{
    const conv_gemm *g = arg;
    const clg_simt_conv *c0 = &g->cv[0];
    const int split = l->splits > 1;
    clg_options_window(o, (int)c0->KH, (int)c0->KW, g->pw ? 1 : c0->stride[0], g->pw ? 1 : c0->stride[1]);
    clg_options_set(o, "PW", g->pw);
    clg_options_set(o, "POOL3", c0->pool3);
    tile_options(o, &l->cfg);
    clg_options_set(o, "SPLIT", split);
    clg_options_set(o, "GROUP", g->group);
    clg_options_epilogue(o, split ? 0 : g->has_bias, split ? 0 : c0->relu);
}

/* The partial sums of split-K, part[splits][M][N] (NULL without split-K). */
static clg_status new_partials(clg_plan *plan, const conv_gemm *g, const simt_launch *l, cl_mem *part)
{
    *part = NULL;
    if (l->splits == 1) return CLG_OK;
    const size_t pcount = (size_t)l->splits * (size_t)g->M * (size_t)g->N;
    return new_buffer(plan, g->cv[0].node, NULL, pcount, part);
}

/* conv_simt's arguments: input, weights, bias, output (or partials), sizes,
   and the group's routing. */
static clg_status conv_args(const conv_gemm *g, const simt_launch *l, const clg_step *step, cl_mem bias_buf,
                            cl_mem part)
{
    const clg_simt_conv *c0 = &g->cv[0];
    const int ints[] = {(int)c0->C, (int)c0->H, (int)c0->W, (int)g->M, (int)c0->OH, (int)c0->OW,
                        (int)g->N, g->pw ? 0 : c0->pads[0], g->pw ? 0 : c0->pads[1], (int)l->mp, (int)l->kp,
                        l->k_chunk, (int)c0->out_offset, (int)c0->out_image_stride};
    clg_args kargs = clg_args_begin(step->kernel);
    clg_args_mem(&kargs, c0->in);
    clg_args_mem(&kargs, step->owned[0]);
    clg_args_mem(&kargs, bias_buf);
    clg_args_mem(&kargs, l->splits > 1 ? part : c0->out);
    clg_args_ints(&kargs, ints, 14);
    if (g->group) route_args(&kargs, g->cv, g->count);
    return clg_args_end(&kargs);
}

/*
 * The conv_simt step. Without split-K it owns the re-laid weights and the
 * bias; with it, the weights and the partials, and *bias_out is left to the
 * reduce step (released here on failure).
 */
static clg_status plan_conv_gemm(clg_plan *plan, const conv_gemm *g, const simt_launch *l, cl_mem *bias_out,
                                 cl_mem *part_out)
{
    const clg_simt_conv *c0 = &g->cv[0];
    const int split = l->splits > 1;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    conv_options(&o, l, g);
    CLG_TRY(clg_options_end(&o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, c0->node, o.desc->file, o.text, "conv_simt", &step));
    snprintf(step.variant, sizeof step.variant, "conv_simt%s_%dx%ds%d_%dx%d%s",
             g->group ? "_group" : c0->pool3 ? "_pool3" : "", (int)c0->KH & 127, (int)c0->KW & 127,
             (g->pw ? 1 : c0->stride[0]) & 127, (int)l->tm & 511, (int)l->tn & 511, split ? "_splitk" : "");
    cl_mem bias_buf = NULL, part = NULL;
    clg_status st = simt_relayout(plan, g->cv, g->count, l, g->Kt, &step.owned[0], &bias_buf);
    if (st == CLG_OK) st = new_partials(plan, g, l, &part);
    step.owned[1] = split ? part : bias_buf;
    clg_status args = conv_args(g, l, &step, bias_buf, part);
    if (st == CLG_OK) st = args;
    tile_launch(&step, l, (size_t)l->splits);
    for (int i = 0; i < g->count; i++) {
        step.flops += g->cv[i].flops;
        step.bytes += g->cv[i].bytes - (i ? 4.0 * (double)(c0->N * c0->C * c0->H * c0->W) : 0.0);
    }
    if (st != CLG_OK && split && bias_buf) clReleaseMemObject(bias_buf);
    CLG_TRY(clg_plan_finish_step(plan, &step, st));
    *bias_out = bias_buf;
    *part_out = part;
    return CLG_OK;
}

/* Local size of conv_simt_reduce: 256, or fewer where the device or the
   kernel allows fewer. */
static size_t reduce_group(const clg_plan *plan, cl_kernel kernel, const simt_target *tg)
{
    size_t rwg = tg->limits[1] < 256 ? tg->limits[1] : 256;
    const size_t limit = kernel_group_size(plan, kernel);
    return limit && limit < rwg ? limit : rwg;
}

/* Split-K's second step: sum the partials, bias, ReLU, placement. It owns the bias. */
static clg_status plan_split_reduce(clg_plan *plan, const conv_gemm *g, const simt_launch *l,
                                    const simt_target *tg, cl_mem bias_buf, cl_mem part)
{
    const clg_simt_conv *c0 = &g->cv[0];
    const int64_t M = g->M, N = g->N;
    clg_options o = clg_options_begin(&clg_kernel_conv_simt);
    clg_options_set(&o, "GROUP", g->group);
    clg_options_epilogue(&o, g->has_bias, c0->relu);
    clg_step step;
    clg_status st = clg_options_end(&o);
    if (st == CLG_OK)
        st = clg_plan_kernel_step(plan, c0->node, o.desc->file, o.text, "conv_simt_reduce", &step);
    if (st != CLG_OK) {
        clReleaseMemObject(bias_buf);
        return st;
    }
    snprintf(step.variant, sizeof step.variant, "conv_simt_reduce%d", l->splits);
    step.owned[0] = bias_buf;
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, part);
    clg_args_mem(&kargs, bias_buf);
    clg_args_mem(&kargs, c0->out);
    const int rints[] = {(int)M, (int)N, (int)(c0->OH * c0->OW), l->splits, (int)c0->out_offset,
                         (int)c0->out_image_stride};
    clg_args_ints(&kargs, rints, 6);
    if (g->group) route_args(&kargs, g->cv, g->count);
    st = clg_args_end(&kargs);
    const size_t rwg = reduce_group(plan, step.kernel, tg);
    size_t total = (size_t)(M * N);
    if (total < (size_t)tg->min_items) total = (size_t)tg->min_items;
    step.work_dim = 1;
    step.global[0] = (total + rwg - 1) / rwg * rwg;
    step.use_local = 1;
    step.local[0] = rwg;
    step.bytes = 4.0 * (double)((size_t)(l->splits + 1) * (size_t)(M * N));
    return clg_plan_finish_step(plan, &step, st);
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
    simt_target tg;
    target_of(plan, &tg);
    const int wm = count > 1 ? 0 : simt_wino_size(plan, &cv[0]);
    if (wm) return plan_winograd_simt(plan, &cv[0], wm, &tg);
    conv_gemm g;
    conv_gemm_of(cv, count, &g);
    const simt_product p = {g.M, g.N, g.Kt, 1};
    simt_launch l;
    CLG_TRY(pick_fitting(plan, cv[0].node, &p, &tg, "conv_simt", conv_options, &g, &l));
    if (l.kp * l.mp > INT_MAX || (double)l.splits * (double)g.M * (double)g.N > INT_MAX)
        return clg_plan_node_fail(plan, cv[0].node, CLG_ERR_UNSUPPORTED, "tensor too large for the SIMT kernels");
    cl_mem bias_buf = NULL, part = NULL;
    CLG_TRY(plan_conv_gemm(plan, &g, &l, &bias_buf, &part));
    if (l.splits == 1) return CLG_OK;
    return plan_split_reduce(plan, &g, &l, &tg, bias_buf, part);
}
