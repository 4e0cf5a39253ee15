/*
 * Tests for the convolution and matrix-product ops (runtime/ops/ops_conv.c,
 * runtime/ops/ops_gemm.c, cl/conv2d.cl, cl/conv1x1.cl, cl/winograd.cl, cl/gemm.cl):
 * each op runs as a one-node graph through the public model API and is
 * compared with the plain C references in reference_conv.c, on seeded random
 * shapes and on hand-picked edge cases. Every convolution kernel variant
 * (conv1x1, conv2d, conv2d_kvec, Winograd F(2x2) and F(4x4)) is forced in
 * turn through CLGOOGLENET_CONV, alone and writing into a concat slice; the
 * SIMT family (cl/conv_simt.cl) through CLGOOGLENET_KERNELS=simt, on the
 * random, edge-case and variant tests and an Inception block's 1x1 part.
 * conv2d_kvec's input-channel chunks (drivers that limit loop trips) are
 * forced by lowering the context's limit.
 *
 * OpenCL objects are only created inside tests: Check forks each test and
 * the ICD and PoCL's threads do not survive a fork.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clgooglenet.h"
#include "compare.h"
#include "context.h"
#include "context_fixture.h"
#include "graph.h"
#include "kernel_options.h"
#include "kernels.h"
#include "model.h"
#include "reference_conv.h"
#include "rng.h"

/* ---- Helpers ----------------------------------------------------------- */

static float *random_floats(size_t count)
{
    float *p = malloc((count ? count : 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < count; i++) p[i] = (float)(rng_next() % 20001) / 10000.0f - 1.0f;
    return p;
}

/* Adds input value `name` with the given shape and marks it as a graph input. */
static int add_input(clg_graph *g, const char *name, int rank, const int64_t *dims)
{
    int v;
    ck_assert_int_eq(clg_graph_add_value(g, name, CLG_VALUE_INPUT, rank, dims, &v), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_input(g, v), CLG_OK);
    return v;
}

static int add_weight(clg_graph *g, const char *name, int rank, const int64_t *dims,
                      const float *data)
{
    int v;
    clg_status st = clg_graph_add_initializer(g, name, rank, dims, data, &v);
    ck_assert_msg(st == CLG_OK, "initializer %s: %s", name, clg_last_error());
    return v;
}

/* Adds the node, marks its output and runs the graph on `inputs`; returns the output. */
static clg_tensor *run_node(clg_context *ctx, clg_graph *g, clg_op_type op, const int *in,
                            int n_in, const clg_attrs *attrs, const clg_tensor *const *inputs,
                            size_t n_inputs, const char *what)
{
    int node;
    ck_assert_int_eq(clg_graph_add_node(g, "node0", op, in, n_in, "y", attrs, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    ck_assert_msg(st == CLG_OK, "%s: model: %s", what, clg_last_error());
    clg_tensor *out = NULL;
    st = clg_model_run(model, inputs, n_inputs, &out, 1);
    ck_assert_msg(st == CLG_OK, "%s: run: %s: %s", what, clg_status_to_string(st),
                  clg_last_error());
    clg_model_destroy(model);
    return out;
}

/* Loop index 0: the device's own kernel family; 1: the SIMT family forced
   (CLGOOGLENET_KERNELS=simt), whatever the device. */
static void use_family(int i)
{
    unsetenv("CLGOOGLENET_CONV");
    if (i) setenv("CLGOOGLENET_KERNELS", "simt", 1);
    else unsetenv("CLGOOGLENET_KERNELS");
}

/* ---- Conv -------------------------------------------------------------- */

typedef struct conv_case {
    int n, c, h, w, k, kh, kw, sh, sw;
    int pads[4]; /* top, left, bottom, right */
    int bias, relu;
} conv_case;

/* ONNX Conv's group and dilations (cl/conv_grouped.cl for anything but 1, 1, 1). */
typedef struct grouping {
    int group, dh, dw;
} grouping;

static const grouping ungrouped = {1, 1, 1};

typedef struct grouped_case {
    conv_case t;
    grouping gr;
} grouped_case;

static void describe_conv_grouped(const conv_case *t, const grouping *gr, char *buf, size_t size)
{
    snprintf(buf, size,
             "conv x=%dx%dx%dx%d k=%d %dx%d stride %dx%d pads %d,%d,%d,%d bias=%d relu=%d group=%d "
             "dilation %dx%d", t->n, t->c, t->h, t->w, t->k, t->kh, t->kw, t->sh, t->sw, t->pads[0],
             t->pads[1], t->pads[2], t->pads[3], t->bias, t->relu, gr->group, gr->dh, gr->dw);
}

/* Output height and width of case t. */
static void conv_out_size(const conv_case *t, const grouping *gr, int *oh, int *ow)
{
    *oh = ref_conv_out_size(t->h, (t->kh - 1) * gr->dh + 1, t->sh, t->pads[0], t->pads[2]);
    *ow = ref_conv_out_size(t->w, (t->kw - 1) * gr->dw + 1, t->sw, t->pads[1], t->pads[3]);
}

/* The node attributes of case t. */
static clg_attrs conv_attrs(const conv_case *t, const grouping *gr)
{
    clg_attrs at = clg_attrs_default();
    at.win.kernel[0] = t->kh;
    at.win.kernel[1] = t->kw;
    at.win.stride[0] = t->sh;
    at.win.stride[1] = t->sw;
    at.win.dilation[0] = gr->dh;
    at.win.dilation[1] = gr->dw;
    at.win.group = gr->group;
    memcpy(at.win.pads, t->pads, sizeof at.win.pads);
    at.fused_relu = t->relu;
    return at;
}

/* The reference output of case t for weights w[K][C / group][KH][KW] (and bias b). */
static void conv_reference(const conv_case *t, const grouping *gr, const float *x, const float *w,
                           const float *b, float *y)
{
    ref_conv2d_grouped(x, t->n, t->c, t->h, t->w, w, t->k, t->kh, t->kw, b, t->sh, t->sw, gr->dh,
                       gr->dw, gr->group, t->pads, t->relu, y);
}

/* Case t against the reference; with auto_pad set, the node has it instead of
   t's pads (which must be what ONNX computes for it). */
static void check_conv_auto_pad(clg_context *ctx, const conv_case *t, const grouping *gr, clg_auto_pad auto_pad)
{
    char what[300];
    describe_conv_grouped(t, gr, what, sizeof what);
    if (auto_pad != CLG_PAD_NOTSET)
        strncat(what, auto_pad == CLG_PAD_SAME_UPPER ? " from SAME_UPPER" : " from SAME_LOWER",
                sizeof what - strlen(what) - 1);
    int oh, ow;
    conv_out_size(t, gr, &oh, &ow);
    ck_assert_msg(oh >= 1 && ow >= 1, "%s: bad test case", what);

    const int64_t xd[4] = {t->n, t->c, t->h, t->w}, wd[4] = {t->k, t->c / gr->group, t->kh, t->kw};
    const int64_t bd[1] = {t->k}, yd[4] = {t->n, t->k, oh, ow};
    float *x = random_floats(dims_product(4, xd)), *w = random_floats(dims_product(4, wd));
    float *b = t->bias ? random_floats((size_t)t->k) : NULL;
    float *ref = malloc(dims_product(4, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    conv_reference(t, gr, x, w, b, ref);

    clg_graph *g = clg_graph_create();
    ck_assert_ptr_nonnull(g);
    int in[3] = {add_input(g, "x", 4, xd), add_weight(g, "w", 4, wd, w), -1};
    if (b) in[2] = add_weight(g, "b", 1, bd, b);
    clg_attrs at = conv_attrs(t, gr);
    if (auto_pad != CLG_PAD_NOTSET) {
        at.win.auto_pad = auto_pad;
        memset(at.win.pads, 0, sizeof at.win.pads);
    }
    clg_tensor *xt = tensor_of(4, xd, x);
    const clg_tensor *inputs[1] = {xt};
    clg_tensor *y = run_node(ctx, g, CLG_OP_CONV, in, b ? 3 : 2, &at, inputs, 1, what);
    expect_reference(y, ref, 4, yd, what);

    clg_tensor_destroy(y);
    clg_tensor_destroy(xt);
    free(x);
    free(w);
    free(b);
    free(ref);
}

static void check_conv_grouped(clg_context *ctx, const conv_case *t, const grouping *gr)
{
    check_conv_auto_pad(ctx, t, gr, CLG_PAD_NOTSET);
}

static void check_conv(clg_context *ctx, const conv_case *t)
{
    check_conv_grouped(ctx, t, &ungrouped);
}

/* A random kernel (1, 3, 5 or 7, mostly square), stride (1 or 2) and padding. */
static void random_window(conv_case *t)
{
    static const int sizes[] = {1, 3, 5, 7};
    t->kh = rng_pick(sizes, 4);
    t->kw = rng_int(0, 3) ? t->kh : rng_pick(sizes, 4);
    t->sh = rng_int(1, 2);
    t->sw = rng_int(0, 3) ? t->sh : 3 - t->sh;
    for (int p = 0; p < 4; p++) t->pads[p] = rng_int(0, (p % 2 ? t->kw : t->kh) / 2 + 1);
}

/* A random input height and width that holds at least one (dilated) window. */
static void random_input_size(conv_case *t, const grouping *gr)
{
    const int eh = (t->kh - 1) * gr->dh + 1, ew = (t->kw - 1) * gr->dw + 1;
    t->h = rng_int(1, 20);
    t->w = rng_int(1, 30);
    if (t->h + t->pads[0] + t->pads[2] < eh) t->h = eh;
    if (t->w + t->pads[1] + t->pads[3] < ew) t->w = ew;
}

START_TEST(conv_direct_random)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xC0417u);
    static const int chans[] = {1, 3, 5, 17, 33};
    for (int i = 0; i < 20; i++) {
        conv_case t;
        random_window(&t);
        t.n = rng_int(1, 3);
        t.c = rng_pick(chans, 5);
        t.k = rng_int(1, 20);
        random_input_size(&t, &ungrouped);
        t.bias = rng_int(0, 1);
        t.relu = rng_int(0, 1);
        check_conv(ctx, &t);
    }
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(conv_pointwise_random)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x1A1u);
    for (int i = 0; i < 20; i++) {
        conv_case t = {0};
        t.kh = t.kw = t.sh = t.sw = 1;
        t.n = rng_int(1, 3);
        t.c = rng_int(1, 70);
        t.k = rng_int(1, 40);
        t.h = rng_int(1, 20);
        t.w = rng_int(1, 20);
        t.bias = rng_int(0, 1);
        t.relu = rng_int(0, 1);
        check_conv(ctx, &t);
    }
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(conv_edge_cases)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xED6Eu);
    static const conv_case cases[] = {
        /*  n  c   h   w   k kh kw sh sw  pads          bias relu */
        {1, 3, 1, 1, 5, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0},     /* 1x1 spatial, padded 3x3 */
        {1, 5, 1, 1, 7, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},     /* 1x1 spatial, pointwise */
        {3, 17, 9, 11, 9, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 1},   /* batch 3, stride 2, odd */
        {1, 3, 8, 9, 6, 3, 3, 1, 1, {0, 2, 1, 0}, 1, 0},     /* asymmetric pads */
        {2, 1, 13, 13, 3, 5, 5, 2, 2, {2, 1, 0, 2}, 0, 1},   /* asymmetric, stride 2 */
        {1, 1, 48, 48, 8, 7, 7, 2, 2, {3, 3, 3, 3}, 1, 1},   /* stem: 7x7/2 on 48x48 */
        {1, 1, 25, 25, 5, 7, 7, 2, 2, {3, 3, 3, 3}, 1, 1},   /* stem, odd size */
        {1, 9, 24, 24, 12, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},  /* 24x24 inception 3x3 */
        {1, 6, 40, 40, 9, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0},   /* wide rows: 16-wide vectors */
        {1, 4, 12, 12, 5, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 1},   /* 12x12 inception 5x5 */
        {1, 6, 3, 3, 10, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 1},    /* 5x5 on 3x3 maps */
        {1, 2, 2, 2, 3, 5, 5, 1, 1, {2, 2, 2, 2}, 0, 0},     /* kernel larger than input */
        {1, 3, 7, 8, 4, 1, 1, 2, 2, {0, 0, 0, 0}, 1, 0},     /* 1x1 stride 2: direct path */
        {1, 3, 5, 6, 4, 1, 1, 1, 1, {1, 0, 0, 1}, 1, 0},     /* 1x1 padded: direct path */
        {2, 5, 9, 10, 3, 1, 7, 1, 1, {0, 3, 0, 3}, 1, 0},    /* 1x7 */
        {1, 5, 10, 9, 3, 7, 1, 1, 1, {3, 0, 3, 0}, 1, 0},    /* 7x1 */
        {1, 3, 17, 19, 4, 3, 3, 3, 3, {1, 1, 1, 1}, 1, 0},   /* stride 3: gathered loads */
        {1, 2, 11, 40, 3, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 0},   /* stride 2, wide rows */
        {1, 3, 9, 35, 2, 3, 3, 1, 2, {0, 1, 0, 1}, 1, 0},    /* mixed strides */
        {1, 33, 3, 3, 37, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},   /* 9 pixels, K % 8 != 0 */
        {1, 20, 6, 6, 21, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},   /* 36 pixels */
        {1, 16, 12, 12, 19, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 1}, /* 144 pixels, no bias */
        {3, 7, 17, 17, 3, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},   /* 289 pixels, K < 4 */
        {1, 1, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0},     /* smallest */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    clg_context_destroy(ctx);
}
END_TEST

/* A d2l GoogLeNet-sized layer with real channel counts (b3: 256 -> 128 at 12x12). */
START_TEST(conv_large_channels)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xB16u);
    static const conv_case cases[] = {
        {1, 256, 12, 12, 128, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
        {1, 128, 12, 12, 192, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {1, 160, 3, 3, 320, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        /* The default's Winograd choices: F(2x2) where F(4x4) has too few
           tiles (14x14, batch 1), F(4x4) on 7x7 maps with a batch's tiles,
           direct with few channels; 7-wide rows as one tile of 7 pixels. */
        {1, 96, 14, 14, 112, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {6, 64, 7, 7, 80, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {2, 16, 28, 28, 32, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {2, 48, 7, 7, 72, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 1},
        {1, 24, 7, 7, 40, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 0},
        {2, 64, 19, 19, 64, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    clg_context_destroy(ctx);
}
END_TEST

/* Builds and runs a one-Conv graph (node `name`, zero input and weights, no
   bias, default attributes) that must fail: no output; returns the status. */
static clg_status failing_conv(clg_context *ctx, const char *name, const int64_t xd[4], const int64_t wd[4])
{
    float *w = calloc(dims_product(4, wd), sizeof(float)), *x = calloc(dims_product(4, xd), sizeof(float));
    ck_assert(w && x);
    clg_graph *g = clg_graph_create();
    int in[2] = {add_input(g, "x", 4, xd), add_weight(g, "w", 4, wd, w)};
    int node;
    ck_assert_int_eq(clg_graph_add_node(g, name, CLG_OP_CONV, in, 2, "y", NULL, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    if (st == CLG_OK) {
        clg_tensor *xt = tensor_of(4, xd, x), *y = NULL;
        const clg_tensor *inputs[1] = {xt};
        st = clg_model_run(model, inputs, 1, &y, 1);
        ck_assert_ptr_null(y);
        clg_tensor_destroy(xt);
        clg_model_destroy(model);
    }
    free(w);
    free(x);
    return st;
}

/* Shape errors are reported with the node's name, not a crash. */
START_TEST(conv_bad_channels)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    const int64_t xd[4] = {1, 3, 5, 5}, wd[4] = {2, 4, 3, 3};
    const clg_status st = failing_conv(ctx, "conv_bad", xd, wd);
    ck_assert_int_eq(st, CLG_ERR_SHAPE);
    ck_assert_msg(strstr(clg_last_error(), "conv_bad") != NULL, "message: %s", clg_last_error());
    clg_context_destroy(ctx);
}
END_TEST

/* An Inception block's usual members: the last 1x1 member has K % 16 != 0. */
static const int inception_ks[4] = {32, 16, 5, 7};

/*
 * An Inception block's 1x1 part: three 1x1 convolutions of one input (pass 3
 * runs them as one launch, its outputs routed to three concat slices) and a
 * 3x3 stride-1 max-pool into a 1x1 convolution (pass 2 fuses the pool into
 * the convolution's input), all concatenated. Batch 2 on 7x7 maps, and batch
 * 1 on 3x3 maps with 70 input channels (the SIMT family splits K there);
 * ks: the four convolutions' output channels.
 */
static void check_inception(clg_context *ctx, int n, int c, int h, int w, const int ks[4])
{
    char what[160];
    snprintf(what, sizeof what, "inception 1x1 part x=%dx%dx%dx%d k=%d,%d,%d,%d", n, c, h, w, ks[0], ks[1], ks[2],
             ks[3]);
    const int64_t xd[4] = {n, c, h, w};
    const size_t plane = (size_t)h * w, xcount = (size_t)n * c * plane;
    float *x = random_floats(xcount), *pooled = malloc(xcount * sizeof(float));
    ck_assert_ptr_nonnull(pooled);
    for (size_t p = 0; p < (size_t)n * c; p++)
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++) {
                float m = -INFINITY;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                        if (y + dy >= 0 && y + dy < h && xx + dx >= 0 && xx + dx < w)
                            m = fmaxf(m, x[p * plane + (size_t)(y + dy) * w + xx + dx]);
                pooled[p * plane + (size_t)y * w + xx] = m;
            }
    const int ktotal = ks[0] + ks[1] + ks[2] + ks[3];
    const int64_t yd[4] = {n, ktotal, h, w};
    float *ref = malloc(dims_product(4, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    clg_graph *g = clg_graph_create();
    ck_assert_ptr_nonnull(g);
    const int xv = add_input(g, "x", 4, xd);
    int pool_node, outs[4], k0 = 0;
    clg_attrs ap = clg_attrs_default();
    ap.win.kernel[0] = ap.win.kernel[1] = 3;
    ap.win.stride[0] = ap.win.stride[1] = 1;
    ap.win.pads[0] = ap.win.pads[1] = ap.win.pads[2] = ap.win.pads[3] = 1;
    ck_assert_int_eq(clg_graph_add_node(g, "pool", CLG_OP_MAXPOOL, &xv, 1, "pooled", &ap, &pool_node), CLG_OK);
    static const int no_pads[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        char wn[8], bn[8], yn[8], nn[8];
        snprintf(wn, sizeof wn, "w%d", i), snprintf(bn, sizeof bn, "b%d", i);
        snprintf(yn, sizeof yn, "y%d", i), snprintf(nn, sizeof nn, "conv%d", i);
        const int64_t wd[4] = {ks[i], c, 1, 1}, bd[1] = {ks[i]};
        float *wt = random_floats((size_t)ks[i] * c), *b = random_floats((size_t)ks[i]);
        const int src = i == 3 ? g->nodes[pool_node].output : xv;
        int in[3] = {src, add_weight(g, wn, 4, wd, wt), add_weight(g, bn, 1, bd, b)};
        clg_attrs a = clg_attrs_default();
        a.win.kernel[0] = a.win.kernel[1] = 1;
        a.fused_relu = 1;
        int node;
        ck_assert_int_eq(clg_graph_add_node(g, nn, CLG_OP_CONV, in, 3, yn, &a, &node), CLG_OK);
        outs[i] = g->nodes[node].output;
        float *r = malloc((size_t)n * ks[i] * plane * sizeof(float));
        ck_assert_ptr_nonnull(r);
        ref_conv2d(i == 3 ? pooled : x, n, c, h, w, wt, ks[i], 1, 1, b, 1, 1, no_pads, 1, r);
        for (int b_ = 0; b_ < n; b_++)
            memcpy(ref + ((size_t)b_ * ktotal + k0) * plane, r + (size_t)b_ * ks[i] * plane,
                   (size_t)ks[i] * plane * sizeof(float));
        k0 += ks[i];
        free(wt), free(b), free(r);
    }
    clg_attrs ac = clg_attrs_default();
    ac.axis = ac.axis_attr = 1;
    int nc;
    ck_assert_int_eq(clg_graph_add_node(g, "cat", CLG_OP_CONCAT, outs, 4, "y", &ac, &nc), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[nc].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    ck_assert_msg(st == CLG_OK, "%s: model: %s", what, clg_last_error());
    clg_tensor *xt = tensor_of(4, xd, x), *y = NULL;
    const clg_tensor *inputs[1] = {xt};
    st = clg_model_run(model, inputs, 1, &y, 1);
    ck_assert_msg(st == CLG_OK, "%s: run: %s", what, clg_last_error());
    expect_reference(y, ref, 4, yd, what);
    clg_tensor_destroy(y);
    clg_tensor_destroy(xt);
    clg_model_destroy(model);
    free(x), free(pooled), free(ref);
}

START_TEST(conv_inception_block)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x1CE9u);
    /* Members of 112 and 144 channels: the CPU family pads them to 128 and
       160 for two channel vectors per work-item (runtime/ops/ops_conv.c,
       plan_group). */
    static const int padded[4] = {112, 144, 24, 32};
    check_inception(ctx, 2, 19, 7, 7, inception_ks);
    check_inception(ctx, 1, 70, 3, 3, inception_ks);
    check_inception(ctx, 2, 21, 6, 6, padded);
    /* Fused pools on whole planes of up to 16 pixels (one row, one column,
       16 pixels, a single pixel), and 4 channel vectors per work-item with
       a partial last block (80 pooled outputs), on rows and on a plane. */
    static const int wide_pool[4] = {16, 16, 5, 80};
    check_inception(ctx, 3, 37, 4, 4, inception_ks);
    check_inception(ctx, 2, 18, 2, 5, inception_ks);
    check_inception(ctx, 2, 33, 5, 3, inception_ks);
    check_inception(ctx, 2, 20, 1, 1, inception_ks);
    check_inception(ctx, 1, 15, 1, 4, inception_ks);
    check_inception(ctx, 2, 40, 6, 9, wide_pool);
    check_inception(ctx, 2, 40, 3, 3, wide_pool);
    /* A 1x1 group of two channel vectors on a 9-pixel map: one tile of 9. */
    static const int whole_map[4] = {64, 32, 32, 8};
    check_inception(ctx, 2, 24, 3, 3, whole_map);
    clg_context_destroy(ctx);
}
END_TEST

/* conv_lanes and conv_lanes_split (cl/conv_lanes.cl), forced on any device:
   planes of 1 to 144 pixels (work-items past the plane), K under one block
   of 16, across 32-channel blocks and one past them, batches up to 3; 1x1
   groups with members padded to 32-channel blocks. */
START_TEST(conv_lanes_cases)
{
    setenv("CLGOOGLENET_CONV", "lanes", 1);
    clg_context *ctx = open_context();
    if (ctx) {
        rng_seed(0x1A9Eu);
        static const conv_case cases[] = {
            /*  n  c   h   w   k kh kw sh sw  pads          bias relu */
            {1, 1, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0},
            {3, 7, 17, 17, 3, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},
            {2, 40, 6, 6, 50, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
            {1, 33, 3, 3, 33, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 1},
            {2, 70, 12, 12, 64, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
        static const int padded[4] = {112, 144, 24, 32}, small[4] = {5, 17, 33, 8};
        check_inception(ctx, 2, 21, 6, 6, padded);
        check_inception(ctx, 3, 37, 7, 9, small);
        check_inception(ctx, 1, 40, 1, 1, small);
        check_inception(ctx, 2, 19, 12, 12, inception_ks);
        clg_context_destroy(ctx);
    }
    unsetenv("CLGOOGLENET_CONV");
}
END_TEST

/* conv_plane (cl/conv_plane.cl), forced on any device: planes of 1 to 16
   pixels, 3x3 and 5x5 windows wider than the map, stride 2, asymmetric
   pads, non-square kernels, 1, 2 and 4 channel vectors per work-item, K off
   the 16-channel blocks, channel counts across 32-channel blocks, batches
   up to 8. */
START_TEST(conv_plane_cases)
{
    setenv("CLGOOGLENET_CONV", "plane", 1);
    clg_context *ctx = open_context();
    if (ctx) {
        rng_seed(0x91A4Eu);
        static const conv_case cases[] = {
            /*  n  c   h  w   k kh kw sh sw  pads          bias relu */
            {1, 33, 3, 3, 50, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
            {2, 20, 3, 3, 17, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 0},
            {3, 7, 1, 1, 5, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 1},
            {1, 9, 4, 4, 40, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 1},
            {2, 5, 4, 3, 70, 3, 3, 1, 1, {1, 0, 1, 2}, 1, 0},
            {1, 65, 2, 2, 16, 1, 3, 1, 1, {0, 1, 0, 1}, 0, 0},
            {4, 3, 3, 3, 1, 3, 3, 1, 1, {0, 0, 0, 0}, 1, 1},
            {1, 40, 5, 3, 33, 7, 7, 1, 1, {3, 3, 3, 3}, 1, 1},
            {2, 11, 2, 8, 20, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
            {8, 6, 1, 3, 70, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0},
            {4, 10, 2, 3, 40, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 1},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
        clg_context_destroy(ctx);
    }
    unsetenv("CLGOOGLENET_CONV");
}
END_TEST

/*
 * The SIMT family within small work-groups (the context's simt_group_limit,
 * from the device table: rusticl's kernels take 32 work-items), on any
 * device: the 64- and 32-item tiles through the implicit GEMM (7x7 stride 2,
 * 1x1, a 3x3 on a small map with many channels: split-K on devices that
 * split), Winograd and an Inception block (the 1x1 group, the pooled 1x1).
 */
START_TEST(conv_simt_small_groups)
{
    use_family(1);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x5A11u);
    static const conv_case cases[] = {
        /* n  c   h   w   k  kh kw sh sw  pads          bias relu */
        {1, 3, 19, 17, 24, 7, 7, 2, 2, {3, 3, 2, 3}, 1, 1},
        {2, 37, 9, 11, 45, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},
        {1, 160, 3, 3, 70, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 1},
        {1, 21, 12, 13, 19, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
    };
    static const int limits[] = {64, 32};
    for (size_t l = 0; l < 2; l++) {
        ctx->simt_group_limit = limits[l];
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
        check_inception(ctx, 1, 19, 7, 7, inception_ks);
    }
    clg_context_destroy(ctx);
    unsetenv("CLGOOGLENET_KERNELS");
}
END_TEST

/* CLGOOGLENET_KERNELS: a bad value is an error naming the variable and what it
   takes, when a context is made; set later, it does not change a context. */
START_TEST(conv_kernels_env)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    setenv("CLGOOGLENET_KERNELS", "gpu", 1);
    const int64_t xd[4] = {1, 2, 3, 3}, wd[4] = {2, 2, 1, 1};
    float w[4] = {1, 2, 3, 4};
    clg_graph *g = clg_graph_create();
    int in[2] = {add_input(g, "x", 4, xd), add_weight(g, "w", 4, wd, w)};
    int node;
    ck_assert_int_eq(clg_graph_add_node(g, "conv_env", CLG_OP_CONV, in, 2, "y", NULL, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    if (st == CLG_OK) {
        float x[18] = {0};
        clg_tensor *xt = tensor_of(4, xd, x), *y = NULL;
        const clg_tensor *inputs[1] = {xt};
        st = clg_model_run(model, inputs, 1, &y, 1);
        clg_tensor_destroy(y);
        clg_tensor_destroy(xt);
        clg_model_destroy(model);
    }
    ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
    clg_context_destroy(ctx);
    ctx = NULL;
    ck_assert_int_eq(clg_context_create(NULL, &ctx), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(strstr(clg_last_error(), "CLGOOGLENET_KERNELS=gpu: expected 'cpu' or 'simt'") != NULL,
                  "message: %s", clg_last_error());
    unsetenv("CLGOOGLENET_KERNELS");
}
END_TEST

/* ---- Every kernel variant ----------------------------------------------- */

/* CLGOOGLENET_CONV values: each forces one kernel of the CPU family
   (runtime/ops/ops_conv.c; "lanes", cl/conv_lanes.cl, takes the pointwise
   ones and leaves the rest to conv2d_kvec; "plane", cl/conv_plane.cl, those
   on planes of up to 16 pixels, the rest likewise); "simt" forces the SIMT family (CLGOOGLENET_KERNELS=simt,
   cl/conv_simt.cl: implicit GEMM, Winograd for 3x3 stride 1 on 6x6 maps and
   up), "simt_gemm" the SIMT family's implicit GEMM for every convolution
   (with CLGOOGLENET_CONV=kvec), on any device. */
static const char *const conv_variants[] = {"kvec", "wino", "wino2", "lanes", "plane", "legacy", "simt", "simt_gemm", "default"};
#define N_CONV_VARIANTS (int)(sizeof conv_variants / sizeof conv_variants[0])

static void use_variant(const char *v)
{
    unsetenv("CLGOOGLENET_CONV");
    unsetenv("CLGOOGLENET_KERNELS");
    if (strncmp(v, "simt", 4) == 0) setenv("CLGOOGLENET_KERNELS", "simt", 1);
    if (strcmp(v, "simt_gemm") == 0) setenv("CLGOOGLENET_CONV", "kvec", 1);
    else if (strcmp(v, "default") != 0 && strcmp(v, "simt") != 0) setenv("CLGOOGLENET_CONV", v, 1);
}

/* Rows longer than the work-group limit (PoCL: 4096 work-items): Winograd's
   tile rows at batch 5 on 128x128 maps, through every variant. */
START_TEST(conv_long_rows)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x10E6u);
    static const conv_case t = {5, 2, 128, 128, 4, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1};
    for (int v = 0; v < N_CONV_VARIANTS; v++) {
        use_variant(conv_variants[v]);
        ctx = reopen_context(ctx);
        check_conv(ctx, &t);
    }
    unsetenv("CLGOOGLENET_CONV");
    clg_context_destroy(ctx);
}
END_TEST

/* Winograd runs a batch in chunks of tiles whose transformed input and
   products fit WINO_CHUNK_BYTES (runtime/ops/ops_conv.c): here 3 chunks of F(4x4)
   tiles and 5 of F(2x2) that cross image boundaries, 1 and 2 chunks with odd
   sizes, and the default choice for each. */
START_TEST(conv_winograd_chunks)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xC4u);
    static const conv_case cases[] = {
        {5, 8, 40, 40, 64, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {3, 40, 22, 21, 33, 3, 3, 1, 1, {1, 0, 1, 1}, 0, 1},
    };
    for (int v = 0; v < 3; v++) {
        use_variant(conv_variants[v == 0 ? 1 : v == 1 ? 2 : N_CONV_VARIANTS - 1]);
        ctx = reopen_context(ctx);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    }
    unsetenv("CLGOOGLENET_CONV");
    clg_context_destroy(ctx);
}
END_TEST

/* The direct kernel's stride-2 vector loads read one column past the last
   sample they keep; a work-item whose window ends at the row's last column
   must take the checked path, or the last row of the last plane reads past
   the buffer. Results cannot show it: this case fails under the Oclgrind
   setup (tests/oclgrind.sh) without the fix. Every variant, for the others. */
START_TEST(conv_stride2_row_end)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x5721u);
    static const conv_case cases[] = {
        {2, 33, 18, 19, 17, 5, 5, 2, 2, {1, 0, 1, 0}, 1, 1},
        {1, 3, 7, 11, 4, 3, 3, 2, 2, {0, 0, 0, 0}, 0, 1}, /* XB 4: vload8 */
    };
    for (int v = 0; v < N_CONV_VARIANTS; v++) {
        use_variant(conv_variants[v]);
        ctx = reopen_context(ctx);
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    }
    unsetenv("CLGOOGLENET_CONV");
    clg_context_destroy(ctx);
}
END_TEST

/* Random shapes through every variant: stride 2, asymmetric pads, odd sizes,
   batch up to 3, channel counts off multiples of 4 and 16. */
START_TEST(conv_variants_random)
{
    use_variant(conv_variants[_i]);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x7A21u + (uint32_t)_i);
    static const int chans[] = {1, 3, 5, 16, 17, 33, 40}, ks[] = {1, 5, 16, 17, 31, 32, 33, 48, 50};
    for (int i = 0; i < 6; i++) {
        conv_case t = {0};
        const int kind = i % 3; /* 0: 3x3 stride 1 (Winograd-eligible), 1: 1x1, 2: anything */
        t.kh = t.kw = kind == 0 ? 3 : kind == 1 ? 1 : rng_pick((const int[]){1, 3, 5, 7}, 4);
        t.sh = t.sw = kind == 2 ? rng_int(1, 2) : 1;
        if (kind == 2 && rng_int(0, 3) == 0) t.sw = 3 - t.sh;
        for (int p = 0; p < 4; p++)
            t.pads[p] = kind == 1 ? 0 : rng_int(0, (p % 2 ? t.kw : t.kh) / 2 + (kind == 0));
        if (kind == 0 && rng_int(0, 1)) t.pads[0] = t.pads[1] = t.pads[2] = t.pads[3] = 1;
        t.n = rng_int(1, 3);
        t.c = rng_pick(chans, 7);
        t.k = rng_pick(ks, 9);
        t.h = rng_int(1, 26);
        t.w = rng_int(1, 26);
        if (t.h + t.pads[0] + t.pads[2] < t.kh) t.h = t.kh;
        if (t.w + t.pads[1] + t.pads[3] < t.kw) t.w = t.kw;
        t.bias = rng_int(0, 1);
        t.relu = rng_int(0, 1);
        check_conv(ctx, &t);
    }
    /* Hand-picked: 1x1 spatial, sizes at the tile and block edges, GoogLeNet 3x3 shapes. */
    static const conv_case cases[] = {
        /*  n  c   h   w   k kh kw sh sw  pads          bias relu */
        {1, 3, 1, 1, 5, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},     /* 1x1 spatial */
        {3, 17, 13, 11, 19, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, /* batch 3, odd, partial tiles */
        {1, 7, 6, 6, 48, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},    /* 6x6 map, K % 32 == 16 */
        {1, 9, 7, 9, 20, 3, 3, 1, 1, {0, 2, 1, 0}, 1, 1},    /* asymmetric pads */
        {1, 4, 25, 24, 16, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},  /* many tiles */
        {1, 2, 2, 2, 3, 3, 3, 1, 1, {2, 2, 2, 2}, 1, 1},     /* pad larger than the input */
        {3, 17, 9, 11, 9, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 1},   /* stride 2 */
        {2, 33, 3, 3, 37, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},   /* 1x1 on 3x3 maps */
        /* Rows of 3 outputs: 4 channel vectors per work-item on AVX-512 */
        {2, 24, 3, 3, 80, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},   /* a partial last block */
        {1, 9, 3, 3, 64, 5, 5, 1, 1, {2, 2, 2, 2}, 0, 1},    /* 5x5, one block */
        {2, 5, 6, 5, 70, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 0},    /* stride 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    clg_context_destroy(ctx);
}
END_TEST

/*
 * Two convolutions and the input concatenated on channels, at batch 3: the
 * convolutions write straight into their slices of the concat output (pass 4),
 * which exercises out_offset / out_image_stride of every kernel.
 */
static void check_conv_concat(clg_context *ctx, const conv_case *t, const grouping *gr, int k2)
{
    char what[300];
    describe_conv_grouped(t, gr, what, sizeof what);
    strncat(what, " into a concat", sizeof what - strlen(what) - 1);
    int oh, ow;
    conv_out_size(t, gr, &oh, &ow);
    ck_assert_msg(oh == t->h && ow == t->w, "%s: bad test case", what);
    const int64_t xd[4] = {t->n, t->c, t->h, t->w}, w1d[4] = {t->k, t->c / gr->group, t->kh, t->kw};
    const int64_t w2d[4] = {k2, t->c, 1, 1}, b1d[1] = {t->k}, b2d[1] = {k2};
    const int64_t yd[4] = {t->n, t->k + t->c + k2, oh, ow};
    float *x = random_floats(dims_product(4, xd)), *w1 = random_floats(dims_product(4, w1d));
    float *w2 = random_floats(dims_product(4, w2d));
    float *b1 = random_floats((size_t)t->k), *b2 = random_floats((size_t)k2);
    const size_t plane = (size_t)oh * ow;
    float *r1 = malloc((size_t)t->n * t->k * plane * sizeof(float));
    float *r2 = malloc((size_t)t->n * k2 * plane * sizeof(float));
    float *ref = malloc(dims_product(4, yd) * sizeof(float));
    ck_assert(r1 && r2 && ref);
    conv_reference(t, gr, x, w1, b1, r1);
    static const int no_pads[4] = {0, 0, 0, 0};
    ref_conv2d(x, t->n, t->c, t->h, t->w, w2, k2, 1, 1, b2, 1, 1, no_pads, 1, r2);
    const size_t ystride = (size_t)yd[1] * plane;
    for (int n = 0; n < t->n; n++) {
        float *y = ref + n * ystride;
        memcpy(y, r1 + (size_t)n * t->k * plane, (size_t)t->k * plane * sizeof(float));
        memcpy(y + (size_t)t->k * plane, x + (size_t)n * t->c * plane,
               (size_t)t->c * plane * sizeof(float));
        memcpy(y + (size_t)(t->k + t->c) * plane, r2 + (size_t)n * k2 * plane,
               (size_t)k2 * plane * sizeof(float));
    }

    clg_graph *g = clg_graph_create();
    ck_assert_ptr_nonnull(g);
    const int xv = add_input(g, "x", 4, xd);
    int in1[3] = {xv, add_weight(g, "w1", 4, w1d, w1), add_weight(g, "b1", 1, b1d, b1)};
    int in2[3] = {xv, add_weight(g, "w2", 4, w2d, w2), add_weight(g, "b2", 1, b2d, b2)};
    const clg_attrs a1 = conv_attrs(t, gr);
    clg_attrs a2 = clg_attrs_default(), ac = clg_attrs_default();
    a2.win.kernel[0] = a2.win.kernel[1] = 1;
    a2.fused_relu = 1;
    ac.axis = ac.axis_attr = 1;
    int n1, n2, nc;
    ck_assert_int_eq(clg_graph_add_node(g, "conv1", CLG_OP_CONV, in1, 3, "y1", &a1, &n1), CLG_OK);
    ck_assert_int_eq(clg_graph_add_node(g, "conv2", CLG_OP_CONV, in2, 3, "y2", &a2, &n2), CLG_OK);
    const int cin[3] = {g->nodes[n1].output, xv, g->nodes[n2].output};
    ck_assert_int_eq(clg_graph_add_node(g, "cat", CLG_OP_CONCAT, cin, 3, "y", &ac, &nc), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[nc].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    ck_assert_msg(st == CLG_OK, "%s: model: %s", what, clg_last_error());
    clg_tensor *xt = tensor_of(4, xd, x), *y = NULL;
    const clg_tensor *inputs[1] = {xt};
    st = clg_model_run(model, inputs, 1, &y, 1);
    ck_assert_msg(st == CLG_OK, "%s: run: %s", what, clg_last_error());
    expect_reference(y, ref, 4, yd, what);
    clg_tensor_destroy(y);
    clg_tensor_destroy(xt);
    clg_model_destroy(model);
    free(x), free(w1), free(w2), free(b1), free(b2), free(r1), free(r2), free(ref);
}

START_TEST(conv_variants_concat)
{
    use_variant(conv_variants[_i]);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xCA7u + (uint32_t)_i);
    static const conv_case cases[] = {
        /*  n  c   h   w   k kh kw sh sw  pads          bias relu */
        {3, 5, 12, 12, 19, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {3, 6, 6, 7, 33, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0},
        {2, 4, 3, 3, 17, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {3, 3, 9, 10, 21, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 1},
        {3, 7, 5, 5, 40, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
        {2, 3, 13, 13, 8, 3, 3, 1, 1, {0, 2, 2, 0}, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_conv_concat(ctx, &cases[i], &ungrouped, 5 + (int)i * 7);
    clg_context_destroy(ctx);
}
END_TEST

/*
 * The CPU family's register tiles follow the device's SIMD width (the
 * context's float_lanes, runtime/ops/ops_conv.c kvec_sums): AVX-512's 16
 * lanes, AVX2's 8 and SSE's 4, on any CPU device. Direct convolutions (7x7
 * stride 2, 5x5, rows that leave a partial tile, batch 2), Winograd F(4x4) and
 * F(2x2), a 1x1 row, an Inception block's 1x1 group and its fused pool, each
 * against the C reference at every width.
 */
START_TEST(conv_simd_width_tiles)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x51D0u);
    static const conv_case cases[] = {
        /* n  c   h   w   k  kh kw sh sw  pads          bias relu */
        {1, 3, 23, 29, 40, 7, 7, 2, 2, {3, 3, 3, 3}, 1, 1},
        {2, 9, 13, 11, 35, 5, 5, 1, 1, {2, 2, 2, 2}, 1, 0},
        {1, 20, 24, 24, 48, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, /* Winograd F(4x4) */
        {2, 17, 7, 9, 33, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 1},   /* F(2x2) */
        {1, 19, 3, 3, 21, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},   /* direct, 3x3 map */
        {3, 24, 5, 7, 50, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1},
        {1, 5, 1, 1, 17, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},    /* 1x1 spatial */
    };
    static const int lanes[] = {16, 8, 4};
    for (size_t l = 0; l < sizeof lanes / sizeof lanes[0]; l++) {
        ctx->float_lanes = lanes[l];
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
        check_inception(ctx, 2, 40, 12, 12, inception_ks);
        check_inception(ctx, 1, 24, 7, 7, inception_ks);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Loop-trip limits (runtime/device/device_table.h) ---------------------------- */

/*
 * conv2d_kvec in launches over input-channel chunks (runtime/ops/ops_conv.c),
 * forced on any device by lowering the context's loop limit: the bias added
 * once and ReLU applied last, batch 2, stride 2, 1x1 with many channels (whole
 * 32-channel blocks per chunk), a concat slice, and an Inception block whose
 * 1x1 group then runs unfused and whose fused pool is chunked too.
 */
START_TEST(conv_loop_limit_chunks)
{
    setenv("CLGOOGLENET_CONV", "kvec", 1); /* read when the context is made */
    clg_context *ctx = open_context();
    unsetenv("CLGOOGLENET_CONV");
    if (!ctx) return;
    rng_seed(0x100Bu);
    static const struct {
        int limit;
        conv_case t;
    } cases[] = {
        /*        n  c    h   w   k kh kw sh sw  pads          bias relu */
        {3000, {2, 40, 12, 12, 40, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}},  /* chunks of a few channels */
        {3000, {1, 37, 11, 13, 19, 5, 5, 2, 2, {2, 1, 2, 2}, 1, 0}},  /* stride 2, K % 16 != 0 */
        {3000, {2, 33, 9, 10, 17, 3, 3, 1, 1, {0, 1, 1, 0}, 0, 1}},   /* no bias, ReLU */
        {20000, {1, 600, 7, 7, 20, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1}},  /* 1x1, large C */
        {20000, {2, 300, 5, 5, 48, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1}},  /* 1x1, batch 2 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ctx->loop_iteration_limit = cases[i].limit;
        check_conv(ctx, &cases[i].t);
    }
    ctx->loop_iteration_limit = 3000;
    const conv_case sliced = {2, 45, 9, 9, 21, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1};
    check_conv_concat(ctx, &sliced, &ungrouped, 19);
    ctx = reopen_context(ctx); /* the default algorithms for the Inception blocks */
    ctx->loop_iteration_limit = 3000;
    check_inception(ctx, 2, 90, 7, 7, inception_ks);
    check_inception(ctx, 1, 70, 3, 3, inception_ks); /* rows under 6 columns: the scalar pool */
    clg_context_destroy(ctx);
}
END_TEST

/* A kernel whose single input channel passes the loop limit is an error that
   names the node, not a wrong result. */
START_TEST(conv_loop_limit_too_low)
{
    setenv("CLGOOGLENET_CONV", "kvec", 1); /* read when the context is made */
    clg_context *ctx = open_context();
    unsetenv("CLGOOGLENET_CONV");
    if (!ctx) return;
    ctx->loop_iteration_limit = 100;
    const int64_t xd[4] = {1, 2, 5, 5}, wd[4] = {2, 2, 3, 3};
    const clg_status st = failing_conv(ctx, "conv_deep", xd, wd);
    ck_assert_int_eq(st, CLG_ERR_UNSUPPORTED);
    const char *msg = clg_last_error();
    ck_assert_msg(strstr(msg, "conv_deep") && strstr(msg, "loop limit"), "message: %s", msg);
    clg_context_destroy(ctx);
}
END_TEST

/* With the device's own limit: the layer that went wrong on rusticl
   (conv2d_kvec, 3x3, 400 channels, 12x12) and a 1x1 past 2,600 channels. */
START_TEST(conv_loop_limit_device)
{
    setenv("CLGOOGLENET_CONV", "kvec", 1); /* read when the context is made */
    clg_context *ctx = open_context();
    unsetenv("CLGOOGLENET_CONV");
    if (!ctx) return;
    rng_seed(0xDEE9u);
    static const conv_case cases[] = {
        {1, 400, 12, 12, 32, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {1, 2600, 6, 6, 16, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv(ctx, &cases[i]);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Grouped, depthwise and dilated (cl/conv_grouped.cl) ------------------ */

START_TEST(conv_grouped_edge_cases)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x6E0Bu);
    static const grouped_case cases[] = {
        /*   n  c   h   w   k kh kw sh sw  pads          bias relu  group dh dw */
        {{1, 8, 9, 11, 8, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, {8, 1, 1}},     /* depthwise, multiplier 1 */
        {{2, 6, 7, 10, 12, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0}, {6, 1, 1}},    /* depthwise, multiplier 2 */
        {{1, 3, 8, 9, 30, 3, 3, 1, 1, {1, 0, 1, 2}, 0, 1}, {3, 1, 1}},     /* multiplier 10: two channel blocks */
        {{1, 5, 13, 13, 5, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 1}, {5, 1, 1}},    /* depthwise, stride 2 */
        {{1, 64, 19, 19, 64, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, {64, 1, 1}}, /* Xception's 19x19 maps */
        {{1, 4, 11, 11, 4, 5, 5, 1, 1, {4, 4, 4, 4}, 1, 0}, {4, 2, 2}},    /* depthwise 5x5, dilation 2 */
        {{1, 4, 6, 40, 4, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0}, {4, 1, 1}},     /* wide rows: 16-wide loads */
        {{1, 4, 6, 41, 8, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 0}, {4, 1, 1}},     /* stride 2, wide rows */
        {{1, 8, 9, 9, 6, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0}, {2, 1, 1}},      /* group 2 */
        {{3, 8, 6, 7, 12, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 1}, {4, 1, 1}},     /* group 4, 1x1, batch 3 */
        {{1, 64, 5, 5, 64, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, {32, 1, 1}},   /* group 32, 2 in / 2 out each */
        {{2, 32, 4, 6, 96, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 0}, {32, 1, 1}},   /* group 32, 1 in / 3 out each */
        {{1, 6, 7, 7, 40, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, {2, 1, 1}},     /* 20 channels a group: 3 blocks */
        {{1, 3, 12, 12, 4, 3, 3, 1, 1, {2, 2, 2, 2}, 1, 0}, {1, 2, 2}},    /* dilation 2, ungrouped */
        {{2, 4, 17, 15, 5, 3, 3, 2, 2, {3, 3, 3, 3}, 1, 1}, {1, 3, 3}},    /* dilation 3, stride 2 */
        {{1, 4, 16, 9, 4, 7, 1, 1, 1, {3, 0, 3, 0}, 1, 0}, {2, 2, 1}},     /* 7x1, dilation 2x1, group 2 */
        {{1, 6, 9, 16, 6, 1, 7, 1, 1, {0, 6, 0, 6}, 1, 1}, {3, 1, 2}},     /* 1x7, dilation 1x2 */
        {{1, 4, 5, 5, 4, 3, 3, 1, 1, {0, 0, 0, 0}, 1, 1}, {4, 2, 2}},      /* 1x1 output of a dilated window */
        {{1, 2, 3, 3, 2, 3, 3, 1, 1, {2, 2, 2, 2}, 1, 0}, {2, 2, 2}},      /* window mostly padding */
        {{1, 3, 17, 19, 6, 3, 3, 3, 3, {2, 1, 0, 2}, 1, 0}, {3, 2, 3}},    /* stride 3, asymmetric dilation */
        {{2, 9, 13, 11, 9, 5, 5, 2, 1, {2, 2, 2, 2}, 0, 1}, {9, 1, 1}},    /* depthwise 5x5, mixed strides */
        {{1, 6, 15, 14, 6, 3, 3, 2, 2, {2, 2, 2, 2}, 1, 1}, {6, 2, 2}},    /* depthwise, stride 2, dilation 2 */
        {{2, 5, 23, 6, 10, 7, 1, 1, 1, {9, 0, 9, 0}, 1, 0}, {5, 3, 1}},    /* depthwise 7x1, dilation 3, x2 */
        {{1, 7, 3, 5, 7, 3, 3, 3, 1, {1, 1, 1, 1}, 1, 1}, {7, 1, 1}},      /* depthwise, stride 3, 1 row */
        {{1, 1, 1, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0}, {1, 2, 2}},      /* smallest, dilated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_conv_grouped(ctx, &cases[i].t, &cases[i].gr);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(conv_grouped_random)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x9A0Du);
    static const int groups[] = {1, 2, 3, 4, 8};
    for (int i = 0; i < 24; i++) {
        conv_case t;
        grouping gr;
        random_window(&t);
        gr.dh = rng_int(1, 3);
        gr.dw = rng_int(0, 3) ? gr.dh : rng_int(1, 3);
        gr.group = rng_pick(groups, 5);
        if (gr.group == 1 && gr.dh == 1 && gr.dw == 1) gr.group = 2; /* always off the plain paths */
        const int depthwise = rng_int(0, 2) == 0;
        t.c = gr.group * (depthwise ? 1 : rng_int(1, 5));
        t.k = gr.group * rng_int(1, 10);
        t.n = rng_int(1, 3);
        random_input_size(&t, &gr);
        t.bias = rng_int(0, 1);
        t.relu = rng_int(0, 1);
        check_conv_grouped(ctx, &t, &gr);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ONNX's SAME_* pads of one axis: the output is ceil(in / stride) and the
   dilated kernel (k - 1) * d + 1 is what the pads make room for. */
static void same_pads(int in, int k, int stride, int d, int upper, int *begin, int *end)
{
    const int out = (in + stride - 1) / stride;
    int total = (out - 1) * stride + (k - 1) * d + 1 - in;
    if (total < 0) total = 0;
    *begin = upper ? total / 2 : total - total / 2;
    *end = total - *begin;
}

/* auto_pad SAME_UPPER / SAME_LOWER with dilations (and groups), odd and even sizes. */
START_TEST(conv_grouped_same_pads)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x5A3Eu);
    for (int upper = 0; upper < 2; upper++)
        for (int stride = 1; stride <= 2; stride++)
            for (int d = 2; d <= 3; d++) {
                conv_case t = {2, 4, 9 + d, 10, 6, 3, 3, stride, stride, {0, 0, 0, 0}, 1, 1};
                const grouping gr = {2, d, d - 1};
                same_pads(t.h, t.kh, t.sh, gr.dh, upper, &t.pads[0], &t.pads[2]);
                same_pads(t.w, t.kw, t.sw, gr.dw, upper, &t.pads[1], &t.pads[3]);
                check_conv_auto_pad(ctx, &t, &gr, upper ? CLG_PAD_SAME_UPPER : CLG_PAD_SAME_LOWER);
            }
    clg_context_destroy(ctx);
}
END_TEST

/* Grouped and dilated convolutions writing into a concat slice (pass 4), batch 2 and 3. */
START_TEST(conv_grouped_concat)
{
    use_family(_i);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0xCA76u);
    static const grouped_case cases[] = {
        /*   n  c   h   w   k kh kw sh sw  pads          bias relu  group dh dw */
        {{3, 6, 9, 10, 12, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1}, {6, 1, 1}},
        {{2, 8, 7, 7, 8, 3, 3, 1, 1, {2, 2, 2, 2}, 1, 0}, {2, 2, 2}},
        {{3, 4, 12, 12, 4, 3, 3, 1, 1, {3, 3, 3, 3}, 1, 1}, {1, 3, 3}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_conv_concat(ctx, &cases[i].t, &cases[i].gr, 5);
    clg_context_destroy(ctx);
}
END_TEST

/* Builds x -> Conv(w) with the given attributes; returns the load (or run) status. */
static clg_status try_conv(clg_context *ctx, const int64_t *xd, const int64_t *wd, const clg_attrs *at)
{
    float w[512] = {0}, x[512] = {0};
    ck_assert_uint_le(dims_product(4, wd), 512);
    ck_assert_uint_le(dims_product(4, xd), 512);
    clg_graph *g = clg_graph_create();
    int in[2] = {add_input(g, "x", 4, xd), add_weight(g, "w", 4, wd, w)};
    int node;
    ck_assert_int_eq(clg_graph_add_node(g, "conv_bad", CLG_OP_CONV, in, 2, "y", at, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *model = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    if (st == CLG_OK) {
        clg_tensor *xt = tensor_of(4, xd, x), *y = NULL;
        const clg_tensor *inputs[1] = {xt};
        st = clg_model_run(model, inputs, 1, &y, 1);
        ck_assert_ptr_null(y);
        clg_tensor_destroy(xt);
        clg_model_destroy(model);
    }
    return st;
}

/* A group that does not divide the channels, a weight of the wrong shape, a bad
   dilation: a shape error naming the node and what is wrong, no crash. */
START_TEST(conv_grouped_bad)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    static const struct {
        int64_t x[4], w[4];
        int group, dilation;
        const char *message;
    } cases[] = {
        {{1, 6, 5, 5}, {4, 2, 3, 3}, 4, 1, "group 4 does not divide the input channels"},
        {{1, 8, 5, 5}, {6, 2, 3, 3}, 4, 1, "does not divide"},           /* 6 output channels */
        {{1, 8, 5, 5}, {8, 4, 3, 3}, 4, 1, "expected 2 per group of 4"}, /* [M, C, kh, kw] */
        {{1, 8, 5, 5}, {8, 1, 3, 3}, 4, 1, "expected 2 per group of 4"},
        {{1, 4, 5, 5}, {4, 1, 3, 3}, -2, 1, "group must be >= 1"},
        {{1, 4, 5, 5}, {4, 1, 3, 3}, 4, -1, "dilations must be between 1 and 4096"},
        {{1, 4, 5, 5}, {4, 1, 3, 3}, 4, 3, "window 7x7 does not fit input"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clg_attrs at = clg_attrs_default();
        at.win.group = cases[i].group;
        at.win.dilation[0] = at.win.dilation[1] = cases[i].dilation;
        const clg_status st = try_conv(ctx, cases[i].x, cases[i].w, &at);
        ck_assert_msg(st == CLG_ERR_SHAPE || st == CLG_ERR_UNSUPPORTED, "case %zu: status %s", i,
                      clg_status_to_string(st));
        ck_assert_msg(strstr(clg_last_error(), "conv_bad") && strstr(clg_last_error(), cases[i].message),
                      "case %zu: message: %s", i, clg_last_error());
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Tuning (runtime/device/tuning.c) ------------------------------------------- */

/* Reads a whole small text file into buf; returns its length or -1. */
static long read_text(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

/*
 * CLGOOGLENET_TUNE=1 times the candidates of each new shape and stores the
 * winner under $XDG_CACHE_HOME/clgooglenet/; later plans read it back. Cache
 * entries that do not fit the shape or do not parse are ignored.
 */
START_TEST(conv_tuning_cache)
{
    if (test_half()) { /* half contexts never tune (runtime/device/tuning.c): nothing to check */
        printf("conv:tuning_cache: skipped in fp16 (half contexts take the heuristics)\n");
        return;
    }
    char dir[] = "/tmp/clg-tune-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* PoCL keeps its kernel cache under XDG_CACHE_HOME too: pin it where it was. */
    if (!getenv("POCL_CACHE_DIR")) {
        char pocl[1024];
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg) snprintf(pocl, sizeof pocl, "%s/pocl/kcache", xdg);
        else snprintf(pocl, sizeof pocl, "%s/.cache/pocl/kcache", home ? home : "/tmp");
        setenv("POCL_CACHE_DIR", pocl, 1);
    }
    setenv("XDG_CACHE_HOME", dir, 1);
    unsetenv("CLGOOGLENET_CONV");
    setenv("CLGOOGLENET_KERNELS", "cpu", 1); /* the CPU family's choices are what is tuned */
    setenv("CLGOOGLENET_TUNE", "1", 1);
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(0x7E57u);
    static const conv_case cases[] = {
        /*  n  c   h   w   k kh kw sh sw  pads          bias relu */
        {1, 5, 12, 12, 20, 3, 3, 1, 1, {1, 1, 1, 1}, 1, 1},
        {2, 7, 5, 5, 18, 1, 1, 1, 1, {0, 0, 0, 0}, 1, 0},
    };
    for (int i = 0; i < 2; i++) check_conv(ctx, &cases[i]);

    char path[256], text[4096];
    snprintf(path, sizeof path, "%s/clgooglenet/tuning.txt", dir);
    ck_assert_msg(read_text(path, text, sizeof text) > 0, "no tuning cache at %s", path);
    ck_assert_msg(strstr(text, "conv n1 c5 h12 w12 k20 3x3 s1x1 p1,1,1,1 b1 r1 ") != NULL,
                  "cache: %s", text);
    ck_assert_msg(strstr(text, "conv n2 c7 h5 w5 k18 1x1 s1x1 p0,0,0,0 b1 r0 ") != NULL,
                  "cache: %s", text);

    /* Cached mode reads the winners back. */
    unsetenv("CLGOOGLENET_TUNE");
    ctx = reopen_context(ctx);
    for (int i = 0; i < 2; i++) check_conv(ctx, &cases[i]);

    /* Entries that do not apply (Winograd for a 1x1, nonsense) fall back to the heuristics. */
    const char *conv = strstr(text, "conv n");
    ck_assert_ptr_nonnull(conv);
    FILE *f = fopen(path, "a");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*sconv n2 c7 h5 w5 k18 1x1 s1x1 p0,0,0,0 b1 r0 wino 4\n", (int)(conv - text), text);
    fprintf(f, "%.*sconv n1 c5 h12 w12 k20 3x3 s1x1 p1,1,1,1 b1 r1 kvec 99 7\n", (int)(conv - text), text);
    fprintf(f, "garbage line without separators\n");
    fclose(f);
    for (int i = 0; i < 2; i++) check_conv(ctx, &cases[i]);
    setenv("CLGOOGLENET_TUNE", "0", 1);
    ctx = reopen_context(ctx);
    for (int i = 0; i < 2; i++) check_conv(ctx, &cases[i]);
    clg_context_destroy(ctx);
    unlink(path);
    snprintf(path, sizeof path, "%s/clgooglenet", dir);
    rmdir(path);
    rmdir(dir);
}
END_TEST

/* ---- Program batching ---------------------------------------------------- */

/* Variants listed together build as one program; kernels come from it under
   their own names; a variant with options other than -D builds on its own. */
START_TEST(conv_program_batching)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    const size_t before = clg_program_cache_builds(ctx);
    static const char *const wishes[][3] = {
        {"gemm.cl", "-DTA=0 -DTB=1", "gemm_rows"},
        {"gemm.cl", "-DTA=1 -DTB=0", "gemm_rows"},
        {"conv2d.cl", "-DKH=3 -DKW=3 -DPX=4 -DKV=1", "conv2d_kvec"},
        {"conv2d.cl", "-DKH=5 -DKW=5 -DPX=6 -DKV=2 -DRELU=1", "conv2d_kvec"},
        {"pool.cl", "", "maxpool2d"},
        {"elementwise.cl", "-D CLG_BINOP=SUB", "binary_same"},
        {"gemm.cl", "-cl-mad-enable", "gemm_rows"},
    };
    const size_t n = sizeof wishes / sizeof wishes[0];
    clg_program_list list = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(clg_program_list_add(&list, wishes[i][0], wishes[i][1], "test"), CLG_OK);
    ck_assert_int_eq(clg_program_list_add(&list, "gemm.cl", "-DTA=0 -DTB=1", "again"), CLG_OK);
    ck_assert_uint_eq(list.count, n);
    ck_assert_int_eq(clg_programs_prebuild(ctx, &list), CLG_OK);
    ck_assert_uint_eq(clg_program_cache_builds(ctx), before + 1);
    for (size_t i = 0; i < n; i++) {
        cl_kernel k = NULL;
        ck_assert_msg(clg_kernel_create(ctx, wishes[i][0], wishes[i][1], wishes[i][2], &k) == CLG_OK,
                      "%s %s: %s", wishes[i][0], wishes[i][1], clg_last_error());
        clReleaseKernel(k);
    }
    ck_assert_uint_eq(clg_program_cache_builds(ctx), before + 2); /* the -cl-mad-enable one */
    ck_assert_int_eq(clg_programs_prebuild(ctx, &list), CLG_OK);  /* all cached: nothing to build */
    ck_assert_uint_eq(clg_program_cache_builds(ctx), before + 2);
    clg_program_list_free(&list);
    clg_context_destroy(ctx);
}
END_TEST

/* Every cl file, default options, in one program: no file's functions or
   macros collide with another's (program batching relies on it). */
START_TEST(conv_program_batching_all_files)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    static const char *const files[][2] = {
        {"activation.cl", "relu"},     {"batchnorm.cl", "batchnorm"},
        {"concat.cl", "concat_copy"},  {"conv1x1.cl", "conv1x1"},
        {"conv2d.cl", "conv2d_kvec"},  {"elementwise.cl", "binary_broadcast"},
        {"gather.cl", "gather"},       {"gemm.cl", "gemm_rows"},
        {"lrn.cl", "lrn"},             {"peak.cl", "fma_peak"},
        {"pool.cl", "global_avgpool"}, {"softmax.cl", "softmax"},
        {"transpose.cl", "transpose"}, {"winograd.cl", "wino_output"},
        {"pad.cl", "pad"},             {"cast.cl", "round_to_half"},
        {"conv_grouped.cl", "conv_depthwise"},
    };
    const size_t n = sizeof files / sizeof files[0], before = clg_program_cache_builds(ctx);
    clg_program_list list = {NULL, 0, 0};
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(clg_program_list_add(&list, files[i][0], "", "test"), CLG_OK);
    ck_assert_msg(clg_programs_prebuild(ctx, &list) == CLG_OK, "%s", clg_last_error());
    for (size_t i = 0; i < n; i++) {
        cl_kernel k = NULL;
        ck_assert_msg(clg_kernel_create(ctx, files[i][0], "", files[i][1], &k) == CLG_OK, "%s: %s",
                      files[i][0], clg_last_error());
        clReleaseKernel(k);
    }
    ck_assert_uint_eq(clg_program_cache_builds(ctx), before + 1);
    clg_program_list_free(&list);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Gemm -------------------------------------------------------------- */

/* C forms: rank and dims in terms of M and N (-1 = M, -2 = N). */
typedef struct c_form {
    const char *name;
    int rank;
    int dims[2];
} c_form;

static const c_form c_forms[] = {
    {"none", -1, {0, 0}},  {"scalar", 0, {0, 0}}, {"[1]", 1, {1, 0}},
    {"[N]", 1, {-2, 0}},   {"[1,1]", 2, {1, 1}},  {"[M,1]", 2, {-1, 1}},
    {"[1,N]", 2, {1, -2}}, {"[M,N]", 2, {-1, -2}},
};

static void check_gemm(clg_context *ctx, int m, int n, int k, int ta, int tb, float alpha,
                       float beta, const c_form *cf)
{
    char what[160];
    snprintf(what, sizeof what, "gemm M=%d N=%d K=%d ta=%d tb=%d alpha=%g beta=%g C=%s", m, n, k,
             ta, tb, alpha, beta, cf->name);
    const int64_t ad[2] = {ta ? k : m, ta ? m : k}, bd[2] = {tb ? n : k, tb ? k : n};
    const int64_t yd[2] = {m, n};
    int64_t cd[2] = {1, 1};
    for (int i = 0; i < cf->rank; i++) cd[i] = cf->dims[i] == -1 ? m : cf->dims[i] == -2 ? n : 1;
    float *a = random_floats(dims_product(2, ad)), *b = random_floats(dims_product(2, bd));
    float *c = cf->rank >= 0 ? random_floats(dims_product(cf->rank, cd)) : NULL;
    float *ref = malloc((size_t)m * n * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    ref_gemm(a, b, c, cf->rank, cd, m, n, k, ta, tb, alpha, beta, ref);

    clg_graph *g = clg_graph_create();
    int in[3] = {add_input(g, "a", 2, ad), add_weight(g, "b", 2, bd, b), -1};
    if (c) in[2] = add_weight(g, "c", cf->rank, cd, c);
    clg_attrs at = clg_attrs_default();
    at.alpha = alpha;
    at.beta = beta;
    at.trans_a = ta;
    at.trans_b = tb;
    clg_tensor *at_in = tensor_of(2, ad, a);
    const clg_tensor *inputs[1] = {at_in};
    clg_tensor *y = run_node(ctx, g, CLG_OP_GEMM, in, c ? 3 : 2, &at, inputs, 1, what);
    expect_reference(y, ref, 2, yd, what);

    clg_tensor_destroy(y);
    clg_tensor_destroy(at_in);
    free(a);
    free(b);
    free(c);
    free(ref);
}

/* The two products ops_gemm.c chooses between, each forced in turn. */
static const char *const gemm_engines[] = {"kernel", "clblast"};

/* The cl/ sources as embedded at build time (tools/embed-kernels.py). */
struct clg_embedded_kernel {
    const char *name;
    const char *source;
};
extern const struct clg_embedded_kernel clg_embedded_kernels[];

/* Each descriptor's defaults and ranges agree with its file: every value the
   file defaults (#ifndef NAME / #define NAME value) is described, with that
   default, and nothing else is. */
START_TEST(conv_kernel_descriptors)
{
    for (const clg_kernel_desc *const *d = clg_kernel_descs; *d; d++) {
        const char *source = NULL;
        for (const struct clg_embedded_kernel *k = clg_embedded_kernels; k->name; k++)
            if (strcmp(k->name, (*d)->file) == 0) source = k->source;
        ck_assert_msg(source, "%s is not a kernel file", (*d)->file);
        size_t found = 0;
        for (const char *p = strstr(source, "#ifndef "); p; p = strstr(p + 1, "#ifndef ")) {
            char name[64], again[64];
            int value;
            if (sscanf(p, "#ifndef %63s #define %63s %d", name, again, &value) != 3) continue;
            ck_assert_str_eq(name, again);
            const clg_kernel_param *param = clg_kernel_param_find(*d, name);
            ck_assert_msg(param, "%s: -D%s is not in its descriptor", (*d)->file, name);
            ck_assert_msg(param->fallback == value, "%s: -D%s defaults to %d, its descriptor says %d",
                          (*d)->file, name, value, param->fallback);
            found++;
        }
        ck_assert_msg(found == (*d)->count, "%s: %zu of %zu described values have a default in the file",
                      (*d)->file, found, (*d)->count);
        for (size_t i = 0; i < (*d)->count; i++) {
            const clg_kernel_param *param = &(*d)->params[i];
            ck_assert(param->min <= param->fallback && param->fallback <= param->max);
        }
    }
    /* Options keep the order they are set in; a value outside its range fails, naming it. */
    clg_options o = clg_options_begin(&clg_kernel_gemm);
    clg_options_set(&o, "TA", 0);
    clg_options_set(&o, "TB", 1);
    ck_assert_int_eq(clg_options_end(&o), CLG_OK);
    ck_assert_str_eq(o.text, "-DTA=0 -DTB=1");
    clg_options_set(&o, "TB", 2);
    ck_assert_int_eq(clg_options_end(&o), CLG_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "gemm.cl: -DTB=2 is outside 0..1"));
    o = clg_options_begin(&clg_kernel_gemm);
    clg_options_set(&o, "PX", 4);
    ck_assert_int_eq(clg_options_end(&o), CLG_ERR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "gemm.cl takes no -DPX"));
}
END_TEST

START_TEST(conv_gemm)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    const int n_forms = (int)(sizeof c_forms / sizeof c_forms[0]);
    for (int e = 0; e < 2; e++) {
        setenv("CLGOOGLENET_GEMM", gemm_engines[e], 1);
        ctx = reopen_context(ctx);
        rng_seed(0x6E33u);
        /* Every transpose pair with every C form. */
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int f = 0; f < n_forms; f++) {
                    float alpha = rng_int(0, 1) ? 1.0f : (float)rng_int(-20, 20) / 8.0f;
                    float beta = rng_int(0, 1) ? 1.0f : (float)rng_int(-20, 20) / 8.0f;
                    check_gemm(ctx, rng_int(1, 17), rng_int(1, 19), rng_int(1, 40), ta, tb, alpha,
                               beta, &c_forms[f]);
                }
        /* beta = 0 ignores C; classifier shapes (1024 -> 10, K with a float4 tail; batch 1:
           one row per work-item); 1x1. */
        check_gemm(ctx, 5, 6, 7, 0, 1, 1.0f, 0.0f, &c_forms[7]);
        check_gemm(ctx, 3, 10, 1024, 0, 1, 1.0f, 1.0f, &c_forms[3]);
        check_gemm(ctx, 1, 10, 1030, 0, 1, 1.0f, 1.0f, &c_forms[3]);
        check_gemm(ctx, 65, 13, 1027, 0, 1, 1.0f, 1.0f, &c_forms[3]);
        check_gemm(ctx, 1, 1, 1, 1, 1, 0.5f, 2.0f, &c_forms[1]);
    }
    /* A value that names neither product is an error when a context is made,
       naming the variable. */
    setenv("CLGOOGLENET_GEMM", "cublas", 1);
    clg_context *refused = NULL;
    ck_assert_int_eq(clg_context_create(NULL, &refused), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(refused);
    ck_assert_msg(strstr(clg_last_error(), "CLGOOGLENET_GEMM=cublas: expected 'clblast' or 'kernel'"), "%s",
                  clg_last_error());
    unsetenv("CLGOOGLENET_GEMM");
    ctx = reopen_context(ctx);
    /* The default choice on both sides of its limits (rows, layout, size). */
    check_gemm(ctx, 64, 9, 70, 0, 1, 1.0f, 1.0f, &c_forms[3]);
    check_gemm(ctx, 65, 9, 70, 0, 1, 1.0f, 1.0f, &c_forms[3]);
    check_gemm(ctx, 30, 31, 70, 1, 0, 1.0f, 1.0f, &c_forms[3]);
    check_gemm(ctx, 30, 32, 70, 1, 0, 1.0f, 1.0f, &c_forms[3]);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- MatMul ------------------------------------------------------------ */

static void check_matmul(clg_context *ctx, int ra, const int64_t *a_dims, int rb,
                         const int64_t *b_dims, int b_is_input)
{
    char what[256];
    int used = snprintf(what, sizeof what, "matmul a=");
    for (int i = 0; i < ra; i++)
        used += snprintf(what + used, sizeof what - (size_t)used, "%s%lld", i ? "x" : "",
                         (long long)a_dims[i]);
    used += snprintf(what + used, sizeof what - (size_t)used, " b=");
    for (int i = 0; i < rb; i++)
        used += snprintf(what + used, sizeof what - (size_t)used, "%s%lld", i ? "x" : "",
                         (long long)b_dims[i]);
    float *a = random_floats(dims_product(ra, a_dims)), *b = random_floats(dims_product(rb, b_dims));
    int yr;
    int64_t yd[8];
    ref_matmul(a, ra, a_dims, b, rb, b_dims, NULL, &yr, yd);
    float *ref = malloc(dims_product(yr, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    ref_matmul(a, ra, a_dims, b, rb, b_dims, ref, &yr, yd);

    clg_graph *g = clg_graph_create();
    int in[2] = {add_input(g, "a", ra, a_dims),
                 b_is_input ? add_input(g, "b", rb, b_dims) : add_weight(g, "b", rb, b_dims, b)};
    clg_tensor *ta = tensor_of(ra, a_dims, a), *tb = tensor_of(rb, b_dims, b);
    const clg_tensor *inputs[2] = {ta, tb};
    clg_attrs at = clg_attrs_default();
    clg_tensor *y =
        run_node(ctx, g, CLG_OP_MATMUL, in, 2, &at, inputs, b_is_input ? 2 : 1, what);
    expect_reference(y, ref, yr, yd, what);

    clg_tensor_destroy(y);
    clg_tensor_destroy(ta);
    clg_tensor_destroy(tb);
    free(a);
    free(b);
    free(ref);
}

/* The fixed and random MatMul cases, with whichever product is forced. */
static void matmul_cases(clg_context *ctx)
{
    rng_seed(0x3A7u);
#define MM(ra, rb, bin, ...)                                                                      \
    do {                                                                                          \
        const int64_t d[] = {__VA_ARGS__};                                                        \
        check_matmul(ctx, ra, d, rb, d + ra, bin);                                                \
    } while (0)
    MM(2, 2, 0, 5, 7, 7, 3);                   /* 2-D */
    MM(2, 2, 1, 1, 33, 33, 10);                /* 2-D, both inputs fed */
    MM(1, 2, 0, 6, 6, 4);                      /* vector x matrix */
    MM(2, 1, 1, 4, 6, 6);                      /* matrix x vector */
    MM(1, 1, 1, 9, 9);                         /* dot product: a scalar */
    MM(3, 3, 1, 4, 5, 6, 4, 6, 3);             /* batched */
    MM(3, 2, 0, 3, 5, 6, 6, 2);                /* batched A, shared B: one stacked GEMM */
    MM(2, 3, 1, 5, 6, 3, 6, 2);                /* shared A, batched B */
    MM(4, 3, 1, 2, 1, 3, 4, 3, 4, 5);          /* broadcast batch dims 2x1 with 3 */
    MM(3, 4, 1, 1, 3, 4, 2, 3, 4, 5);          /* broadcast A's 1 against B's 2x3 */
    MM(1, 3, 1, 4, 2, 4, 3);                   /* vector x batched matrices */
    MM(3, 1, 1, 2, 3, 4, 4);                   /* batched matrices x vector */
#undef MM
    /* Random batched shapes with broadcasting. */
    for (int i = 0; i < 10; i++) {
        int64_t ad[4], bd[4];
        int ra = rng_int(1, 4), rb = rng_int(1, 4);
        int m = rng_int(1, 9), k = rng_int(1, 12), n = rng_int(1, 9);
        for (int j = 0; j < 4; j++) ad[j] = bd[j] = rng_int(1, 3);
        /* Some batch dims become 1 on one side to broadcast. */
        for (int j = 0; j < 2; j++)
            if (rng_int(0, 1)) ad[j] = 1;
            else if (rng_int(0, 1)) bd[j] = 1;
        int64_t a_dims[4], b_dims[4];
        for (int j = 0; j < ra - 2; j++) a_dims[j] = ad[j + 4 - ra];
        for (int j = 0; j < rb - 2; j++) b_dims[j] = bd[j + 4 - rb];
        if (ra == 1) a_dims[0] = k;
        else a_dims[ra - 2] = m, a_dims[ra - 1] = k;
        if (rb == 1) b_dims[0] = k;
        else b_dims[rb - 2] = k, b_dims[rb - 1] = n;
        check_matmul(ctx, ra, a_dims, rb, b_dims, rng_int(0, 1));
    }
}

START_TEST(conv_matmul)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    for (int e = 0; e < 2; e++) {
        setenv("CLGOOGLENET_GEMM", gemm_engines[e], 1);
        ctx = reopen_context(ctx);
        matmul_cases(ctx);
    }
    unsetenv("CLGOOGLENET_GEMM");
    clg_context_destroy(ctx);
}
END_TEST

static Suite *conv_suite(void)
{
    Suite *s = suite_create("conv");
    /* families 2: once with the device's kernel family, once with SIMT forced. */
    struct {
        const char *name;
        const TTest *test;
        int families;
    } cases[] = {
        {"conv:direct_random", conv_direct_random, 2},
        {"conv:pointwise_random", conv_pointwise_random, 2},
        {"conv:edge_cases", conv_edge_cases, 2},
        {"conv:long_rows", conv_long_rows, 1},
        {"conv:stride2_row_end", conv_stride2_row_end, 1},
        {"conv:large_channels", conv_large_channels, 2},
        {"conv:inception_block", conv_inception_block, 2},
        {"conv:simt_small_groups", conv_simt_small_groups, 1},
        {"conv:kernels_env", conv_kernels_env, 1},
        {"conv:bad_channels", conv_bad_channels, 1},
        {"conv:grouped_edge_cases", conv_grouped_edge_cases, 2},
        {"conv:grouped_random", conv_grouped_random, 2},
        {"conv:grouped_concat", conv_grouped_concat, 2},
        {"conv:grouped_same_pads", conv_grouped_same_pads, 2},
        {"conv:grouped_bad", conv_grouped_bad, 1},
        {"conv:tuning_cache", conv_tuning_cache, 1},
        {"conv:program_batching", conv_program_batching, 1},
        {"conv:program_batching_all_files", conv_program_batching_all_files, 1},
        {"conv:kernel_descriptors", conv_kernel_descriptors, 1},
        {"conv:gemm", conv_gemm, 1},
        {"conv:winograd_chunks", conv_winograd_chunks, 1},
        {"conv:matmul", conv_matmul, 1},
        {"conv:simd_width_tiles", conv_simd_width_tiles, 1},
        {"conv:loop_limit_chunks", conv_loop_limit_chunks, 1},
        {"conv:loop_limit_too_low", conv_loop_limit_too_low, 1},
        {"conv:loop_limit_device", conv_loop_limit_device, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 120 * cases[i].families); /* PoCL compiles each kernel variant on first use */
        tcase_add_loop_test(tc, cases[i].test, 0, cases[i].families);
        suite_add_tcase(s, tc);
    }
    /* One run per kernel variant (the loop index picks it). */
    TCase *tc = tcase_create("conv:variants_random");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, conv_lanes_cases);
    tcase_add_test(tc, conv_plane_cases);
    tcase_add_loop_test(tc, conv_variants_random, 0, N_CONV_VARIANTS - 1); /* default: the tests above */
    suite_add_tcase(s, tc);
    tc = tcase_create("conv:variants_concat");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, conv_variants_concat, 0, N_CONV_VARIANTS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(conv_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
