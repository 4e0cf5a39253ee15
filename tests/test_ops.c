/*
 * Tests for pooling, Concat, Relu, LeakyRelu, the broadcasting elementwise ops (Add,
 * Sub, Mul, Div and the n-ary Sum, Max, Min), Clip, BatchNormalization,
 * Gather, Softmax, LRN and Pad (runtime/ops/ops_pool.c, ops_misc.c,
 * ops_elementwise.c, ops_batchnorm.c, ops_gather.c, ops_pad.c and their cl/ kernels):
 * each op runs as a one-node graph through the public model API and is
 * compared with the plain C references in reference_misc.c, on seeded random
 * shapes and on hand-picked edge cases (broadcasting up to rank 8, odd sizes
 * for the float4 tails, batch > 1, 1x1 spatial, NaN and infinities), plus
 * the shape errors each op must report.
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

#include "check_main.h"
#include "clgooglenet.h"
#include "graph.h"
#include "model.h"
#include "model_builder.h"
#include "reference_misc.h"
#include "rng.h"

/* ---- Helpers ----------------------------------------------------------- */

/* Room for count floats (at least one); the caller frees it. */
static float *alloc_floats(size_t count)
{
    float *p = malloc((count ? count : 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    return p;
}

/* count floats uniform in [lo, hi]; the caller frees them. */
static float *random_floats(size_t count, float lo, float hi)
{
    float *p = alloc_floats(count);
    for (size_t i = 0; i < count; i++) p[i] = lo + (hi - lo) * (float)(rng_next() % 100001) / 1e5f;
    return p;
}

/* Makes about a quarter of p NaN, +inf or -inf. */
static void sprinkle_specials(float *p, size_t count)
{
    static const float specials[] = {NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < count; i++)
        if (rng_int(0, 3) == 0) p[i] = specials[rng_int(0, 2)];
}

/* One input of the node under test. */
typedef struct op_input {
    int rank;
    int64_t dims[CLG_MAX_RANK];
    const float *data;
    int constant;        /* a named initializer instead of a graph input */
    const int64_t *ints; /* an int64 initializer (at most 8 values) instead of data */
    int omitted;         /* an absent optional input: -1 in the node */
} op_input;

enum { MAX_OP_INPUTS = 8 };

static op_input input_of(int rank, const int64_t *dims, const float *data)
{
    op_input in;
    memset(&in, 0, sizeof in);
    in.rank = rank;
    for (int i = 0; i < rank; i++) in.dims[i] = dims[i];
    in.data = data;
    return in;
}

/* Input shapes for tables: a graph input or an initializer (IN(0, 0): a scalar). */
#define IN(r, ...) {.rank = (r), .dims = {__VA_ARGS__}}
#define INIT(r, ...) {.rank = (r), .dims = {__VA_ARGS__}, .constant = 1}

/* Adds in as an int64 initializer the way the ONNX importer does (room for 8 values). */
static int add_int64_initializer(clg_graph *g, const char *name, const op_input *in)
{
    const size_t count = dims_product(in->rank, in->dims);
    ck_assert_uint_le(count, CLG_MAX_RANK);
    int id;
    ck_assert_int_eq(clg_graph_add_value(g, name, CLG_VALUE_INITIALIZER, in->rank, in->dims, &id),
                     CLG_OK);
    clg_value *v = &g->values[id];
    v->int_data = calloc(CLG_MAX_RANK, sizeof(int64_t));
    ck_assert_ptr_nonnull(v->int_data);
    memcpy(v->int_data, in->ints, count * sizeof(int64_t));
    v->int_count = count;
    return id;
}

/* Builds a one-node graph "node_under_test" and runs it; returns the status. */
static clg_status try_op(clg_context *ctx, clg_op_type op, const clg_attrs *attrs,
                         const op_input *in, int n_in, clg_tensor **out)
{
    clg_graph *g = clg_graph_create();
    ck_assert_ptr_nonnull(g);
    int ids[MAX_OP_INPUTS];
    clg_tensor *feeds[MAX_OP_INPUTS];
    size_t n_feeds = 0;
    ck_assert_int_le(n_in, MAX_OP_INPUTS);
    for (int i = 0; i < n_in; i++) {
        char name[16];
        snprintf(name, sizeof name, "%s%d", in[i].constant || in[i].ints ? "w" : "x", i);
        if (in[i].omitted) {
            ids[i] = -1;
            continue;
        }
        if (in[i].ints) {
            ids[i] = add_int64_initializer(g, name, &in[i]);
            continue;
        }
        if (in[i].constant) {
            clg_status st = clg_graph_add_initializer(g, name, in[i].rank, in[i].dims, in[i].data,
                                                      &ids[i]);
            ck_assert_msg(st == CLG_OK, "initializer %s: %s", name, clg_last_error());
            continue;
        }
        ck_assert_int_eq(clg_graph_add_value(g, name, CLG_VALUE_INPUT, in[i].rank, in[i].dims,
                                             &ids[i]), CLG_OK);
        ck_assert_int_eq(clg_graph_mark_input(g, ids[i]), CLG_OK);
        clg_tensor *t = NULL;
        ck_assert_int_eq(clg_tensor_create(in[i].rank, in[i].dims, &t), CLG_OK);
        memcpy(t->data, in[i].data, dims_product(in[i].rank, in[i].dims) * sizeof(float));
        feeds[n_feeds++] = t;
    }
    int node;
    ck_assert_int_eq(clg_graph_add_node(g, "node_under_test", op, ids, n_in, "y", attrs, &node),
                     CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);

    clg_model *model = NULL;
    *out = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &model);
    if (st == CLG_OK)
        st = clg_model_run(model, (const clg_tensor *const *)feeds, n_feeds, out, 1);
    clg_model_destroy(model);
    for (size_t i = 0; i < n_feeds; i++) clg_tensor_destroy(feeds[i]);
    return st;
}

/* Runs the op, which must succeed; the caller destroys the output. */
static clg_tensor *run_op(clg_context *ctx, clg_op_type op, const clg_attrs *attrs,
                          const op_input *in, int n_in, const char *what)
{
    clg_tensor *out = NULL;
    clg_status st = try_op(ctx, op, attrs, in, n_in, &out);
    ck_assert_msg(st == CLG_OK, "%s: %s: %s", what, clg_status_to_string(st), clg_last_error());
    ck_assert_ptr_nonnull(out);
    return out;
}

/* A run that must have failed shape checks: CLG_ERR_SHAPE, no output, the node named. */
static void expect_shape_status(clg_status st, const clg_tensor *y, const char *what)
{
    ck_assert_msg(st == CLG_ERR_SHAPE, "%s: got %s (%s), expected CLG_ERR_SHAPE", what,
                  clg_status_to_string(st), clg_last_error());
    ck_assert_ptr_null(y);
    ck_assert_msg(strstr(clg_last_error(), "node_under_test"), "%s: message '%s' names no node",
                  what, clg_last_error());
}

static void expect_shape_error(clg_context *ctx, clg_op_type op, const clg_attrs *attrs,
                               const op_input *in, int n_in, const char *what)
{
    clg_tensor *y = NULL;
    clg_status st = try_op(ctx, op, attrs, in, n_in, &y);
    expect_shape_status(st, y, what);
}

/* ---- Pooling ----------------------------------------------------------- */

typedef struct pool_case {
    int n, c, h, w;
    int kh, kw, sh, sw;
    int pads[4]; /* top, left, bottom, right */
    int ceil_mode, count_include_pad;
} pool_case;

static void pool_text(const char *op, const pool_case *p, char *buf, size_t size)
{
    snprintf(buf, size, "%s x=%dx%dx%dx%d k=%dx%d s=%dx%d pads=%d,%d,%d,%d ceil=%d cip=%d", op,
             p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pads[0], p->pads[1],
             p->pads[2], p->pads[3], p->ceil_mode, p->count_include_pad);
}

/*
 * Runs a max or average pool on x (random in [-1, 1] when NULL), checks the
 * output size against ref_pool_out_size and the values against the
 * reference; returns the output for further checks.
 */
static clg_tensor *check_pool(clg_context *ctx, clg_op_type op, const pool_case *p,
                              const float *x)
{
    char what[256];
    pool_text(op == CLG_OP_MAXPOOL ? "maxpool" : "avgpool", p, what, sizeof what);
    const int64_t xd[4] = {p->n, p->c, p->h, p->w};
    float *own = x ? NULL : random_floats(dims_product(4, xd), -1.0f, 1.0f);
    clg_attrs a = clg_attrs_default();
    a.win.kernel[0] = p->kh;
    a.win.kernel[1] = p->kw;
    a.win.stride[0] = p->sh;
    a.win.stride[1] = p->sw;
    memcpy(a.win.pads, p->pads, sizeof a.win.pads);
    a.win.ceil_mode = p->ceil_mode;
    a.win.count_include_pad = p->count_include_pad;
    op_input in = input_of(4, xd, x ? x : own);
    clg_tensor *y = run_op(ctx, op, &a, &in, 1, what);

    const int oh = ref_pool_out_size(p->h, p->kh, p->sh, p->pads[0], p->pads[2], p->ceil_mode);
    const int ow = ref_pool_out_size(p->w, p->kw, p->sw, p->pads[1], p->pads[3], p->ceil_mode);
    const int64_t yd[4] = {p->n, p->c, oh, ow};
    float *ref = malloc(dims_product(4, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    if (op == CLG_OP_MAXPOOL)
        ref_maxpool2d(in.data, p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pads, oh,
                      ow, ref);
    else
        ref_avgpool2d(in.data, p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pads,
                      p->count_include_pad, oh, ow, ref);
    expect_reference(y, ref, 4, yd, what);
    free(ref);
    free(own);
    return y;
}

/* A random pool: kernels 2/3/5/7, strides 1/2, pads mostly within k/2. */
static pool_case random_pool(void)
{
    static const int ks[] = {2, 3, 5, 7}, cs[] = {1, 3, 5, 16, 17};
    pool_case p;
    memset(&p, 0, sizeof p);
    p.n = rng_int(1, 3);
    p.c = rng_pick(cs, 5);
    p.kh = rng_pick(ks, 4);
    p.kw = rng_int(0, 2) ? p.kh : rng_pick(ks, 4);
    p.sh = rng_int(1, 2);
    p.sw = rng_int(0, 2) ? p.sh : rng_int(1, 2);
    const int wide = rng_int(0, 4) == 0; /* sometimes pads up to k - 1, as ONNX allows */
    for (int i = 0; i < 4; i++) {
        const int k = i % 2 ? p.kw : p.kh;
        p.pads[i] = rng_int(0, wide ? k - 1 : k / 2);
    }
    p.h = rng_int(1, 15);
    p.w = rng_int(1, 15);
    if (p.h + p.pads[0] + p.pads[2] < p.kh) p.h = p.kh - p.pads[0] - p.pads[2];
    if (p.w + p.pads[1] + p.pads[3] < p.kw) p.w = p.kw - p.pads[1] - p.pads[3];
    p.ceil_mode = rng_int(0, 1);
    p.count_include_pad = rng_int(0, 1);
    return p;
}

START_TEST(maxpool_random)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(101);
    for (int i = 0; i < 20; i++) {
        pool_case p = random_pool();
        clg_tensor_destroy(check_pool(ctx, CLG_OP_MAXPOOL, &p, NULL));
    }
    clg_context_destroy(ctx);
}
END_TEST

/*
 * Wide rows for maxpool2d_rows (random_pool's rows are at most 15 wide): 8
 * outputs at a time from a padded private row, at stride 1 and 2, with
 * partial last blocks, ceil mode, batch 2 and 1x1 outputs, the row widths of
 * the pools of d2l's GoogLeNet, and its limits (rows of 256 columns, windows
 * and pads of 8): the largest row buffer, and just past each limit (the
 * general kernel).
 */
START_TEST(maxpool_wide_rows)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    static const pool_case cases[] = {
        {2, 3, 9, 48, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},  /* GoogLeNet's stem pool */
        {1, 5, 7, 41, 3, 3, 2, 2, {0, 0, 0, 0}, 1, 0},  /* ceil mode, odd width */
        {2, 4, 6, 33, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0},  /* Inception path 4 */
        {1, 3, 5, 70, 5, 5, 1, 2, {2, 2, 2, 2}, 0, 0},
        {1, 2, 4, 57, 2, 2, 2, 2, {0, 0, 0, 0}, 0, 0},
        {1, 2, 3, 64, 7, 7, 1, 1, {3, 3, 3, 3}, 0, 0},
        {3, 2, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0},   /* 1x1 */
        {1, 2, 3, 3, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},
        {1, 3, 5, 24, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},  /* rows of d2l GoogLeNet's second pool (24 wide) */
        {2, 3, 6, 12, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},  /* rows of its third pool (12 wide) */
        {1, 2, 4, 13, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0},  /* stride 1, a vector and a tail */
        {1, 2, 4, 7, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0},   /* stride 1, narrower than a vector */
        {1, 2, 3, 16, 2, 2, 2, 2, {0, 0, 0, 0}, 0, 0},  /* 2x2, the row's last column read */
        {2, 3, 2, 6, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},   /* rows of its last pool (6 wide) */
        {1, 2, 3, 256, 8, 8, 2, 2, {7, 7, 7, 7}, 1, 0}, /* the widest row, window, pads; ceil */
        {1, 2, 3, 257, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0}, /* one column too wide */
        {1, 2, 9, 20, 9, 9, 1, 1, {4, 4, 4, 4}, 0, 0},  /* window too wide */
    };
    rng_seed(103);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        clg_tensor_destroy(check_pool(ctx, CLG_OP_MAXPOOL, &cases[i], NULL));
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(avgpool_random)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(202);
    for (int i = 0; i < 20; i++) {
        pool_case p = random_pool();
        clg_tensor_destroy(check_pool(ctx, CLG_OP_AVGPOOL, &p, NULL));
    }
    clg_context_destroy(ctx);
}
END_TEST

/* Runs a case as max pool and as average pool with both divisor modes. */
static void check_all_pools(clg_context *ctx, pool_case p)
{
    clg_tensor_destroy(check_pool(ctx, CLG_OP_MAXPOOL, &p, NULL));
    for (int cip = 0; cip < 2; cip++) {
        p.count_include_pad = cip;
        clg_tensor_destroy(check_pool(ctx, CLG_OP_AVGPOOL, &p, NULL));
    }
}

START_TEST(pool_edge_cases)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(303);

    /* GoogLeNet's stem pool: 3x3/2 pad 1 halves 24x24 to 12x12. */
    pool_case stem = {1, 3, 24, 24, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0};
    clg_tensor *y = check_pool(ctx, CLG_OP_MAXPOOL, &stem, NULL);
    ck_assert_int_eq(y->dims[2], 12);
    ck_assert_int_eq(y->dims[3], 12);
    clg_tensor_destroy(y);

    /* ceil_mode: 5x5, k2 s2 gives 3x3; the last window holds one row/column. */
    pool_case ceil5 = {1, 2, 5, 5, 2, 2, 2, 2, {0, 0, 0, 0}, 1, 0};
    y = check_pool(ctx, CLG_OP_MAXPOOL, &ceil5, NULL);
    ck_assert_int_eq(y->dims[2], 3);
    ck_assert_int_eq(y->dims[3], 3);
    clg_tensor_destroy(y);
    check_all_pools(ctx, ceil5);

    /* ceil_mode with padding: the last window reaches past the end pad, which the
     * count_include_pad divisor must not count. 6x6 k3 s2 p1 -> 4x4. */
    pool_case ceil_pad = {2, 3, 6, 6, 3, 3, 2, 2, {1, 1, 1, 1}, 1, 1};
    y = check_pool(ctx, CLG_OP_AVGPOOL, &ceil_pad, NULL);
    ck_assert_int_eq(y->dims[2], 4);
    ck_assert_int_eq(y->dims[3], 4);
    clg_tensor_destroy(y);
    check_all_pools(ctx, ceil_pad);

    /* Padding must never win a max: an all-negative input stays negative. */
    pool_case neg = {2, 5, 7, 9, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0};
    float *x = random_floats(2 * 5 * 7 * 9, -5.0f, -1.0f);
    y = check_pool(ctx, CLG_OP_MAXPOOL, &neg, x);
    for (size_t i = 0; i < dims_product(y->rank, y->dims); i++)
        ck_assert_msg(y->data[i] < 0.0f, "maxpool of negatives gave %g at %zu", (double)y->data[i], i);
    clg_tensor_destroy(y);
    pool_case neg_wide = {1, 3, 5, 6, 5, 5, 2, 2, {2, 4, 3, 1}, 1, 0};
    y = check_pool(ctx, CLG_OP_MAXPOOL, &neg_wide, x);
    for (size_t i = 0; i < dims_product(y->rank, y->dims); i++)
        ck_assert_msg(y->data[i] < 0.0f, "maxpool of negatives gave %g at %zu", (double)y->data[i], i);
    clg_tensor_destroy(y);
    free(x);

    const pool_case cases[] = {
        {3, 17, 1, 1, 1, 1, 1, 1, {0, 0, 0, 0}, 0, 0},  /* 1x1 spatial, batch 3 */
        {3, 5, 1, 1, 3, 3, 2, 2, {1, 1, 1, 1}, 0, 0},   /* 1x1 spatial, all else padding */
        {3, 5, 11, 10, 3, 3, 2, 2, {0, 1, 2, 0}, 0, 0}, /* asymmetric pads */
        {1, 17, 9, 13, 5, 5, 1, 1, {2, 0, 1, 1}, 0, 0}, /* asymmetric pads, k5 */
        {1, 16, 7, 7, 7, 7, 1, 1, {0, 0, 0, 0}, 0, 0},  /* GoogLeNet's final 7x7 average */
        {2, 1, 5, 21, 2, 2, 1, 1, {0, 0, 0, 0}, 0, 0},  /* output row of 20 (full float4s) */
        {1, 3, 3, 22, 2, 2, 1, 1, {0, 0, 0, 0}, 0, 0},  /* output row of 21 (tail of 1) */
        {1, 3, 13, 15, 3, 2, 2, 1, {1, 0, 1, 1}, 1, 0}, /* odd sizes, mixed strides, ceil */
        {3, 17, 12, 12, 3, 3, 1, 1, {1, 1, 1, 1}, 0, 0}, /* inception branch pool 3x3/1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_all_pools(ctx, cases[i]);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(global_avgpool)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(404);
    /* Planes below, at and above the kernel's 16-wide loads, and odd ones. */
    static const int shapes[][4] = {{1, 1, 1, 1},  {3, 17, 7, 7}, {2, 5, 4, 4},  {1, 3, 5, 7},
                                    {1, 64, 3, 3}, {1, 2, 24, 24}, {3, 5, 17, 1}, {2, 7, 1, 33}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int *s = shapes[i];
        const int64_t xd[4] = {s[0], s[1], s[2], s[3]}, yd[4] = {s[0], s[1], 1, 1};
        float *x = random_floats(dims_product(4, xd), -2.0f, 3.0f);
        float *ref = malloc(dims_product(4, yd) * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        char what[64];
        snprintf(what, sizeof what, "global_avgpool %dx%dx%dx%d", s[0], s[1], s[2], s[3]);
        op_input in = input_of(4, xd, x);
        clg_attrs a = clg_attrs_default();
        clg_tensor *y = run_op(ctx, CLG_OP_GLOBAL_AVGPOOL, &a, &in, 1, what);
        ref_global_avgpool(x, s[0], s[1], s[2], s[3], ref);
        expect_reference(y, ref, 4, yd, what);
        clg_tensor_destroy(y);
        free(ref);
        free(x);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Concat ------------------------------------------------------------ */

/* Concatenates n_in random tensors of shape base, with axis length axis_len[i]. */
static void check_concat(clg_context *ctx, int rank, const int64_t *base, int axis, int n_in,
                         const int *axis_len)
{
    int64_t dims[MAX_OP_INPUTS][8];
    float *data[MAX_OP_INPUTS];
    op_input in[MAX_OP_INPUTS];
    int64_t yd[8];
    memcpy(yd, base, (size_t)rank * sizeof(int64_t));
    yd[axis] = 0;
    for (int i = 0; i < n_in; i++) {
        memcpy(dims[i], base, (size_t)rank * sizeof(int64_t));
        dims[i][axis] = axis_len[i];
        yd[axis] += axis_len[i];
        data[i] = random_floats(dims_product(rank, dims[i]), -1.0f, 1.0f);
        in[i] = input_of(rank, dims[i], data[i]);
    }
    char what[256], shape[128];
    shape_text(rank, yd, shape, sizeof shape);
    snprintf(what, sizeof what, "concat of %d into %s at axis %d", n_in, shape, axis);
    clg_attrs a = clg_attrs_default();
    a.axis = axis;
    clg_tensor *y = run_op(ctx, CLG_OP_CONCAT, &a, in, n_in, what);
    float *ref = malloc(dims_product(rank, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    ref_concat((const float *const *)data, (const int64_t(*)[8])dims, n_in, rank, axis, ref);
    expect_reference(y, ref, rank, yd, what);
    clg_tensor_destroy(y);
    free(ref);
    for (int i = 0; i < n_in; i++) free(data[i]);
}

START_TEST(concat_axes)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(505);
    for (int axis = 0; axis < 4; axis++)
        for (int n_in = 2; n_in <= 4; n_in++) {
            const int64_t base[4] = {rng_int(1, 3), rng_int(1, 6), rng_int(1, 5), rng_int(1, 7)};
            int len[4];
            for (int i = 0; i < n_in; i++) len[i] = rng_int(1, 5);
            check_concat(ctx, 4, base, axis, n_in, len);
        }
    /* Other ranks, a single input, and GoogLeNet-like channel concats. */
    const int64_t r1[1] = {1}, r2[2] = {3, 1}, r5[5] = {2, 3, 2, 3, 2}, inc[4] = {1, 1, 6, 6};
    check_concat(ctx, 1, r1, 0, 3, (const int[]){5, 1, 7});
    check_concat(ctx, 2, r2, 1, 2, (const int[]){10, 3});
    check_concat(ctx, 5, r5, 2, 3, (const int[]){1, 2, 3});
    check_concat(ctx, 4, inc, 1, 1, (const int[]){5});
    check_concat(ctx, 4, inc, 1, 4, (const int[]){17, 13, 6, 5});
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Relu, LeakyRelu ---------------------------------------------------- */

/* Relu, or LeakyRelu with alpha, over shapes of every rank against the reference. */
static void check_activation(clg_context *ctx, clg_op_type op, float alpha, const char *name)
{
    static const struct {
        int rank;
        int64_t dims[5];
    } shapes[] = {{1, {1}},       {1, {3}},          {1, {5}},           {2, {2, 3}},
                  {2, {4, 4}},    {4, {3, 17, 5, 7}}, {5, {2, 3, 4, 5, 6}}, {4, {1, 64, 12, 12}}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int rank = shapes[i].rank;
        const int64_t *dims = shapes[i].dims;
        const size_t count = dims_product(rank, dims);
        float *x = random_floats(count, -1.0f, 1.0f);
        float *ref = malloc(count * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        char what[256], shape[128];
        shape_text(rank, dims, shape, sizeof shape);
        snprintf(what, sizeof what, "%s %s", name, shape);
        op_input in = input_of(rank, dims, x);
        clg_attrs a = clg_attrs_default();
        if (op == CLG_OP_LEAKY_RELU) a.alpha = alpha;
        clg_tensor *y = run_op(ctx, op, &a, &in, 1, what);
        if (op == CLG_OP_LEAKY_RELU) ref_leaky_relu(x, count, alpha, ref);
        else ref_relu(x, count, ref);
        expect_reference(y, ref, rank, dims, what);
        clg_tensor_destroy(y);
        free(ref);
        free(x);
    }
}

START_TEST(relu)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(606);
    check_activation(ctx, CLG_OP_RELU, 0.0f, "relu");
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(leaky_relu)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(607);
    check_activation(ctx, CLG_OP_LEAKY_RELU, 0.01f, "leaky_relu alpha 0.01"); /* ONNX's default */
    check_activation(ctx, CLG_OP_LEAKY_RELU, 0.1f, "leaky_relu alpha 0.1");
    check_activation(ctx, CLG_OP_LEAKY_RELU, -2.5f, "leaky_relu alpha -2.5");
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Elementwise: Add, Sub, Mul, Div, Sum, Max, Min --------------------- */

static ref_binop ref_op_of(clg_op_type op)
{
    switch (op) {
    case CLG_OP_SUB: return REF_SUB;
    case CLG_OP_MUL: return REF_MUL;
    case CLG_OP_DIV: return REF_DIV;
    case CLG_OP_MAX: return REF_MAX;
    case CLG_OP_MIN: return REF_MIN;
    default: return REF_ADD; /* Add, Sum */
    }
}

/* "Max [2,3], [3] (initializer)", for messages. */
static void inputs_text(clg_op_type op, const op_input *in, int n_in, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s", clg_op_name(op));
    for (int i = 0; i < n_in && used < size; i++) {
        char shape[96];
        shape_text(in[i].rank, in[i].dims, shape, sizeof shape);
        used += (size_t)snprintf(buf + used, size - used, "%s %s%s", i ? "," : "", shape,
                                 in[i].constant ? " (initializer)" : "");
    }
}

/* count divisors, their magnitudes in [0.25, 2], either sign. */
static float *random_divisors(size_t count)
{
    float *p = random_floats(count, 0.25f, 2.0f);
    for (size_t i = 0; i < count; i++)
        if (rng_int(0, 1)) p[i] = -p[i];
    return p;
}

/*
 * Runs op on inputs of the given shapes and constant flags, filled with
 * random values (NaN and infinities sprinkled in when specials), and
 * compares with the reference folded left over the inputs, which is how
 * ONNX defines the n-ary Sum, Max and Min.
 */
static void check_elementwise(clg_context *ctx, clg_op_type op, const op_input *shapes, int n_in,
                              int specials)
{
    op_input in[MAX_OP_INPUTS];
    float *data[MAX_OP_INPUTS];
    ck_assert_int_le(n_in, MAX_OP_INPUTS);
    for (int i = 0; i < n_in; i++) {
        in[i] = shapes[i];
        const size_t count = dims_product(in[i].rank, in[i].dims);
        data[i] = op == CLG_OP_DIV && i > 0 ? random_divisors(count)
                                            : random_floats(count, -1.0f, 1.0f);
        if (specials) sprinkle_specials(data[i], count);
        in[i].data = data[i];
    }
    char what[512];
    inputs_text(op, in, n_in, what, sizeof what);
    if (specials && strlen(what) + 16 < sizeof what) strcat(what, " with NaN/inf");

    int rank = in[0].rank;
    int64_t dims[8];
    memcpy(dims, in[0].dims, sizeof dims);
    float *ref = alloc_floats(dims_product(rank, dims));
    memcpy(ref, data[0], dims_product(rank, dims) * sizeof(float));
    for (int i = 1; i < n_in; i++) {
        int yr;
        int64_t yd[8];
        ck_assert_msg(ref_binary(ref_op_of(op), NULL, rank, dims, NULL, in[i].rank, in[i].dims,
                                 NULL, &yr, yd), "%s: the shapes do not broadcast", what);
        float *next = alloc_floats(dims_product(yr, yd));
        ref_binary(ref_op_of(op), ref, rank, dims, data[i], in[i].rank, in[i].dims, next, &yr, yd);
        free(ref);
        ref = next;
        rank = yr;
        memcpy(dims, yd, sizeof dims);
    }

    clg_attrs attrs = clg_attrs_default();
    clg_tensor *y = run_op(ctx, op, &attrs, in, n_in, what);
    expect_reference(y, ref, rank, dims, what);
    clg_tensor_destroy(y);
    free(ref);
    for (int i = 0; i < n_in; i++) free(data[i]);
}

/*
 * n random inputs that broadcast together: an output shape of rank 1..5
 * with dims 1..5 (rank8: rank 8, dims 1..2); one input of the full rank,
 * the others sometimes of lower rank down to scalars; each dim the
 * output's or 1. Inputs after the first are sometimes initializers.
 */
static void random_broadcast_inputs(op_input *in, int n, int rank8)
{
    const int ry = rank8 ? 8 : rng_int(1, 5);
    int64_t yd[8];
    for (int d = 0; d < ry; d++) yd[d] = rng_int(1, rank8 ? 2 : 5);
    const int full = rng_int(0, n - 1);
    for (int i = 0; i < n; i++) {
        const int r = i == full || rng_int(0, 2) ? ry : rng_int(0, ry);
        memset(&in[i], 0, sizeof in[i]);
        in[i].rank = r;
        for (int d = 0; d < r; d++) in[i].dims[d] = rng_int(0, 2) ? yd[ry - r + d] : 1;
        in[i].constant = i > 0 && rng_int(0, 3) == 0;
    }
}

/* Pairs worth naming, run for every binary op. */
static const op_input broadcast_pairs[][2] = {
    {IN(4, 2, 3, 4, 5), IN(1, 5)},
    {IN(4, 2, 3, 4, 5), IN(3, 3, 1, 1)},
    {IN(1, 1), IN(2, 2, 3)},
    {IN(4, 2, 3, 4, 5), IN(4, 2, 3, 4, 5)},    /* equal shapes: the float4 path */
    {IN(4, 3, 17, 6, 7), IN(4, 3, 17, 6, 7)},  /* equal, 2142: a tail of 2 */
    {IN(1, 7), INIT(1, 7)},                    /* equal, 7: a tail of 3 */
    {IN(3, 3, 1, 5), IN(2, 4, 1)},             /* both inputs broadcast */
    {IN(0, 0), IN(2, 2, 3)},                   /* a scalar */
    {IN(4, 2, 1, 3, 1), INIT(0, 0)},           /* a scalar initializer */
    {IN(0, 0), IN(0, 0)},                      /* two scalars */
    {IN(2, 1, 10), INIT(1, 10)},               /* Gemm-style bias from an initializer */
    {IN(4, 3, 17, 6, 7), INIT(4, 1, 17, 1, 1)}, /* per-channel bias */
    {INIT(1, 5), IN(4, 2, 3, 4, 5)},           /* the smaller input first, an initializer */
    {IN(8, 2, 1, 3, 1, 2, 1, 3, 2), IN(8, 1, 2, 3, 2, 1, 3, 1, 2)}, /* rank 8, both broadcast */
    {IN(8, 1, 2, 1, 2, 3, 1, 2, 3), INIT(2, 2, 1)},                  /* rank 8 and rank 2 */
};

/* Runs op on the named pairs, then on n_random random pairs (the last of rank 8). */
static void check_broadcast_pairs(clg_context *ctx, clg_op_type op, int n_random)
{
    for (size_t i = 0; i < sizeof broadcast_pairs / sizeof broadcast_pairs[0]; i++)
        check_elementwise(ctx, op, broadcast_pairs[i], 2, 0);
    for (int i = 0; i < n_random; i++) {
        op_input in[2];
        random_broadcast_inputs(in, 2, i == n_random - 1);
        check_elementwise(ctx, op, in, 2, 0);
    }
}

START_TEST(add_broadcast)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(707);
    check_broadcast_pairs(ctx, CLG_OP_ADD, 20);
    clg_context_destroy(ctx);
}
END_TEST

/* Shapes for NaN and infinities: equal (float4 path and tail), broadcast, scalar. */
static const op_input special_pairs[][2] = {
    {IN(3, 3, 5, 3), IN(3, 3, 5, 3)},
    {IN(1, 37), INIT(1, 37)},
    {IN(3, 3, 1, 5), IN(2, 4, 1)},
    {IN(2, 3, 3), IN(0, 0)},
};

/* Sum, Max and Min over 3 and 4 inputs. */
static const struct {
    int n;
    op_input in[4];
} nary_cases[] = {
    {3, {IN(3, 2, 3, 5), IN(3, 2, 3, 5), IN(3, 2, 3, 5)}}, /* equal: each step the float4 path */
    {4, {IN(1, 9), INIT(1, 9), IN(1, 9), IN(1, 9)}},       /* equal, tails of 1 */
    {4, {IN(2, 3, 1), IN(1, 1), IN(3, 2, 3, 4), INIT(1, 4)}}, /* the output grows at input 2 */
    {3, {IN(0, 0), INIT(2, 3, 1), IN(4, 2, 1, 1, 5)}},
    {3, {IN(4, 2, 3, 4, 5), IN(4, 2, 3, 4, 5), IN(0, 0)}}, /* equal shapes, then a scalar */
};

START_TEST(elementwise_ops)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1010);
    static const clg_op_type binary[] = {CLG_OP_ADD, CLG_OP_SUB, CLG_OP_MUL,
                                         CLG_OP_DIV, CLG_OP_MAX, CLG_OP_MIN};
    for (size_t o = 0; o < sizeof binary / sizeof binary[0]; o++) {
        /* Add's own test runs the pairs with more random ones. */
        if (binary[o] != CLG_OP_ADD) check_broadcast_pairs(ctx, binary[o], 4);
        for (size_t i = 0; i < sizeof special_pairs / sizeof special_pairs[0]; i++)
            check_elementwise(ctx, binary[o], special_pairs[i], 2, 1);
    }
    static const clg_op_type nary[] = {CLG_OP_SUM, CLG_OP_MAX, CLG_OP_MIN};
    for (size_t o = 0; o < sizeof nary / sizeof nary[0]; o++) {
        for (size_t i = 0; i < sizeof nary_cases / sizeof nary_cases[0]; i++)
            check_elementwise(ctx, nary[o], nary_cases[i].in, nary_cases[i].n, 0);
        for (int n = 3; n <= 4; n++)
            for (int specials = 0; specials < 2; specials++) {
                op_input in[4];
                random_broadcast_inputs(in, n, 0);
                check_elementwise(ctx, nary[o], in, n, specials);
            }
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Clip -------------------------------------------------------------- */

/* How a Clip bound is given: not at all, as an attribute, or as a rank-0 input. */
typedef enum bound_form { BOUND_NONE, BOUND_ATTR, BOUND_INPUT, BOUND_INITIALIZER } bound_form;

static const char *const bound_names[] = {"none", "attribute", "graph input", "initializer"};

typedef struct clip_case {
    bound_form lo_form, hi_form;
    float lo, hi;
} clip_case;

/*
 * Clips random x (rank, dims) with about a quarter NaN or infinite: NaN
 * must pass through, infinities be clipped. A max given without a min
 * leaves the min input omitted.
 */
static void check_clip(clg_context *ctx, int rank, const int64_t *dims, const clip_case *c)
{
    const size_t count = dims_product(rank, dims);
    float *x = random_floats(count, -2.0f, 2.0f);
    sprinkle_specials(x, count);
    float *ref = alloc_floats(count);
    ref_clip(x, count, c->lo_form == BOUND_NONE ? -INFINITY : c->lo,
             c->hi_form == BOUND_NONE ? INFINITY : c->hi, ref);

    clg_attrs a = clg_attrs_default();
    if (c->lo_form == BOUND_ATTR) a.clip_min = c->lo;
    if (c->hi_form == BOUND_ATTR) a.clip_max = c->hi;
    op_input in[3] = {input_of(rank, dims, x), input_of(0, NULL, &c->lo), input_of(0, NULL, &c->hi)};
    in[1].omitted = c->lo_form < BOUND_INPUT;
    in[1].constant = c->lo_form == BOUND_INITIALIZER;
    in[2].constant = c->hi_form == BOUND_INITIALIZER;
    const int n_in = c->hi_form >= BOUND_INPUT ? 3 : c->lo_form >= BOUND_INPUT ? 2 : 1;

    char what[256], shape[128];
    shape_text(rank, dims, shape, sizeof shape);
    snprintf(what, sizeof what, "clip %s min %g (%s) max %g (%s)", shape, (double)c->lo,
             bound_names[c->lo_form], (double)c->hi, bound_names[c->hi_form]);
    clg_tensor *y = run_op(ctx, CLG_OP_CLIP, &a, in, n_in, what);
    expect_reference(y, ref, rank, dims, what);
    clg_tensor_destroy(y);
    free(ref);
    free(x);
}

START_TEST(clip)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1111);
    static const clip_case cases[] = {
        {BOUND_ATTR, BOUND_ATTR, -0.5f, 0.75f},
        {BOUND_ATTR, BOUND_NONE, 0.0f, 0.0f},  /* min only */
        {BOUND_NONE, BOUND_ATTR, 0.0f, 1.0f},  /* max only */
        {BOUND_NONE, BOUND_NONE, 0.0f, 0.0f},  /* no bounds: a copy */
        {BOUND_INPUT, BOUND_INPUT, -1.0f, 0.25f},
        {BOUND_INITIALIZER, BOUND_INITIALIZER, 0.0f, 6.0f}, /* Relu6 as exported */
        {BOUND_INPUT, BOUND_INITIALIZER, -0.25f, 0.5f},
        {BOUND_INPUT, BOUND_NONE, 0.3f, 0.0f},       /* min only: two inputs */
        {BOUND_INITIALIZER, BOUND_NONE, -1.5f, 0.0f},
        {BOUND_NONE, BOUND_INPUT, 0.0f, -0.3f},      /* max only: the min input omitted */
        {BOUND_NONE, BOUND_INITIALIZER, 0.0f, 1.25f},
        {BOUND_INITIALIZER, BOUND_INITIALIZER, 0.5f, -0.5f}, /* min > max: everything max */
        {BOUND_ATTR, BOUND_ATTR, 0.5f, -0.5f},
    };
    static const struct {
        int rank;
        int64_t dims[4];
    } shapes[] = {{0, {0}},       {1, {1}},          {1, {3}},       {1, {4}},
                  {1, {5}},       {2, {3, 3}},       {3, {3, 17, 5}}, {4, {2, 3, 5, 7}},
                  {4, {1, 64, 3, 3}}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            check_clip(ctx, shapes[s].rank, shapes[s].dims, &cases[c]);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- BatchNormalization ------------------------------------------------ */

/* Normalises random x [N, C, ...]; scale, B, mean and var ([C]) are graph inputs or initializers. */
static void check_batchnorm(clg_context *ctx, int rank, const int64_t *dims, float eps,
                            int params_constant)
{
    const int n = (int)dims[0], c = (int)dims[1];
    const size_t count = dims_product(rank, dims);
    float *x = random_floats(count, -3.0f, 3.0f);
    /* scale, B, mean, var; var down to 0, where eps alone keeps the root positive */
    static const float lo[4] = {-2.0f, -1.0f, -1.0f, 0.0f}, hi[4] = {2.0f, 1.0f, 1.0f, 2.0f};
    float *params[4];
    const int64_t pd[1] = {c};
    op_input in[5] = {input_of(rank, dims, x)};
    for (int i = 0; i < 4; i++) {
        params[i] = random_floats((size_t)c, lo[i], hi[i]);
        in[i + 1] = input_of(1, pd, params[i]);
        in[i + 1].constant = params_constant;
    }
    params[3][0] = 0.0f;
    float *ref = alloc_floats(count);
    ref_batchnorm(x, n, c, count / ((size_t)n * c), params[0], params[1], params[2], params[3],
                  eps, ref);

    char what[256], shape[128];
    shape_text(rank, dims, shape, sizeof shape);
    snprintf(what, sizeof what, "batchnorm %s eps %g, parameters as %s", shape, (double)eps,
             params_constant ? "initializers" : "graph inputs");
    clg_attrs a = clg_attrs_default();
    a.epsilon = eps;
    clg_tensor *y = run_op(ctx, CLG_OP_BATCHNORM, &a, in, 5, what);
    expect_reference(y, ref, rank, dims, what);
    clg_tensor_destroy(y);
    free(ref);
    for (int i = 0; i < 4; i++) free(params[i]);
    free(x);
}

START_TEST(batchnorm)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1212);
    static const struct {
        int rank;
        int64_t dims[5];
    } shapes[] = {
        {2, {1, 1}},        {2, {4, 3}},        {2, {3, 1}},          {3, {2, 1, 7}},
        {3, {1, 5, 9}},     {4, {1, 1, 1, 1}},  {4, {3, 17, 1, 1}},   {4, {2, 5, 7, 9}},
        {4, {1, 64, 12, 12}}, {5, {2, 3, 2, 3, 5}},
    };
    static const int channels[] = {1, 2, 3, 16, 17};
    const int n_random = 8, n_fixed = (int)(sizeof shapes / sizeof shapes[0]);
    for (int i = 0; i < n_fixed + n_random; i++) {
        int rank;
        int64_t dims[5];
        if (i < n_fixed) {
            rank = shapes[i].rank;
            memcpy(dims, shapes[i].dims, sizeof dims);
        } else {
            rank = rng_int(2, 5);
            dims[0] = rng_int(1, 3);
            dims[1] = rng_pick(channels, 5);
            for (int d = 2; d < rank; d++) dims[d] = rng_int(1, 7);
        }
        const float eps = i % 2 ? 1e-3f : 1e-5f;
        for (int constant = 0; constant < 2; constant++)
            check_batchnorm(ctx, rank, dims, eps, constant);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Gather ------------------------------------------------------------ */

/* The output shape of Gather: dims with dims[axis] replaced by the index shape. */
static int gather_shape(int rank, const int64_t *dims, int axis, int idx_rank,
                        const int64_t *idx_dims, int64_t *y_dims)
{
    int yr = 0;
    for (int d = 0; d < rank; d++) {
        if (d != axis) {
            y_dims[yr++] = dims[d];
            continue;
        }
        for (int k = 0; k < idx_rank; k++) y_dims[yr++] = idx_dims[k];
    }
    return yr;
}

/* Runs Gather of random x (rank, dims) along axis (may be negative) with constant int64
   indices idx of shape idx_dims (rank 0: one index, the axis dropped); returns the status. */
static clg_status try_gather(clg_context *ctx, int rank, const int64_t *dims, int axis,
                             int idx_rank, const int64_t *idx_dims, const int64_t *idx,
                             clg_tensor **out, float **x)
{
    *x = random_floats(dims_product(rank, dims), -1.0f, 1.0f);
    op_input in[2] = {input_of(rank, dims, *x), input_of(idx_rank, idx_dims, NULL)};
    in[1].ints = idx;
    clg_attrs a = clg_attrs_default();
    a.axis = axis;
    return try_op(ctx, CLG_OP_GATHER, &a, in, 2, out);
}

static void gather_text(int rank, const int64_t *dims, int axis, int idx_rank,
                        const int64_t *idx_dims, const int64_t *idx, char *buf, size_t size)
{
    char shape[128], ishape[64], values[160];
    shape_text(rank, dims, shape, sizeof shape);
    shape_text(idx_rank, idx_dims, ishape, sizeof ishape);
    const size_t n = dims_product(idx_rank, idx_dims);
    size_t used = 0;
    values[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof values; i++)
        used += (size_t)snprintf(values + used, sizeof values - used, "%s%lld", i ? "," : "",
                                 (long long)idx[i]);
    snprintf(buf, size, "gather %s axis %d indices %s = {%s}", shape, axis, ishape, values);
}

static void check_gather(clg_context *ctx, int rank, const int64_t *dims, int axis, int idx_rank,
                         const int64_t *idx_dims, const int64_t *idx)
{
    char what[384];
    gather_text(rank, dims, axis, idx_rank, idx_dims, idx, what, sizeof what);
    clg_tensor *y = NULL;
    float *x = NULL;
    clg_status st = try_gather(ctx, rank, dims, axis, idx_rank, idx_dims, idx, &y, &x);
    ck_assert_msg(st == CLG_OK, "%s: %s: %s", what, clg_status_to_string(st), clg_last_error());
    const int ax = axis < 0 ? axis + rank : axis;
    int64_t yd[CLG_MAX_RANK];
    const int yr = gather_shape(rank, dims, ax, idx_rank, idx_dims, yd);
    float *ref = alloc_floats(dims_product(yr, yd));
    ref_gather(x, rank, dims, ax, idx, dims_product(idx_rank, idx_dims), ref);
    expect_reference(y, ref, yr, yd, what);
    clg_tensor_destroy(y);
    free(ref);
    free(x);
}

/* Gather must refuse an index or axis out of range with CLG_ERR_SHAPE naming the node. */
static void check_gather_error(clg_context *ctx, int rank, const int64_t *dims, int axis,
                               int64_t index)
{
    char what[384];
    const int64_t one[1] = {1};
    gather_text(rank, dims, axis, 1, one, &index, what, sizeof what);
    clg_tensor *y = NULL;
    float *x = NULL;
    clg_status st = try_gather(ctx, rank, dims, axis, 1, one, &index, &y, &x);
    expect_shape_status(st, y, what);
    free(x);
}

START_TEST(gather)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1313);
    static const struct {
        int rank;
        int64_t dims[4];
    } shapes[] = {{1, {5}},       {2, {3, 4}},       {3, {2, 3, 5}},
                  {4, {2, 3, 1, 1}}, {4, {1, 3, 7, 5}}, {4, {3, 1, 2, 9}}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int rank = shapes[s].rank;
        const int64_t *dims = shapes[s].dims;
        /* Every axis, counted from the front and from the back. */
        for (int axis = -rank; axis < rank; axis++) {
            const int64_t extent = dims[axis < 0 ? axis + rank : axis];
            int64_t idx[8], count[1] = {rng_int(1, 8)};
            for (int i = 0; i < count[0]; i++) idx[i] = rng_int((int)-extent, (int)extent - 1);
            check_gather(ctx, rank, dims, axis, 1, count, idx);
            check_gather(ctx, rank, dims, axis, 0, NULL, idx); /* a scalar index */
        }
    }
    /* Repeated and negative indices, eight of them, a 2-D index, a rank-0 result. */
    const int64_t x423[3] = {4, 3, 2}, x3[1] = {3}, x2366[4] = {2, 3, 6, 6};
    const int64_t six[1] = {6}, eight[1] = {8}, i23[2] = {2, 3};
    check_gather(ctx, 3, x423, 0, 1, six, (const int64_t[]){0, 0, -1, -1, 3, -4});
    check_gather(ctx, 3, x423, 1, 1, eight, (const int64_t[]){2, 1, 0, -1, -2, -3, 2, 2});
    check_gather(ctx, 3, x423, -2, 2, i23, (const int64_t[]){0, -1, 1, 2, 2, 0});
    check_gather(ctx, 1, x3, 0, 0, NULL, (const int64_t[]){-1});
    for (int c = 0; c < 3; c++) /* torchvision's transform_input takes one channel each */
        check_gather(ctx, 4, x2366, 1, 1, (const int64_t[]){1}, (const int64_t[]){c});

    check_gather_error(ctx, 3, x423, 1, 3);   /* one past the end */
    check_gather_error(ctx, 3, x423, 1, -4);  /* one before the start */
    check_gather_error(ctx, 3, x423, 0, 100);
    check_gather_error(ctx, 3, x423, 3, 0);   /* axis out of range */
    check_gather_error(ctx, 3, x423, -4, 0);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Pad --------------------------------------------------------------- */

static const char *const pad_mode_names[] = {"constant", "reflect", "edge", "wrap"};

/* How the node gets its amounts: inputs over all axes (opset 11+), inputs
   with an axes input (18+), or the attribute (before 11). */
enum { PAD_INPUTS, PAD_AXES, PAD_ATTR };

typedef struct pad_case {
    int rank;
    int64_t dims[CLG_MAX_RANK];
    int64_t begin[CLG_MAX_RANK], end[CLG_MAX_RANK];
    int mode;
    float value;
    int form;
} pad_case;

static void pad_text(const pad_case *p, char *buf, size_t size)
{
    char shape[128], pads[256];
    shape_text(p->rank, p->dims, shape, sizeof shape);
    size_t used = 0;
    for (int d = 0; d < p->rank && used < sizeof pads; d++)
        used += (size_t)snprintf(pads + used, sizeof pads - used, "%s%lld/%lld", d ? "," : "",
                                 (long long)p->begin[d], (long long)p->end[d]);
    snprintf(buf, size, "pad %s [%s] %s value %g form %d", shape, pads, pad_mode_names[p->mode],
             (double)p->value, p->form);
}

static clg_status try_pad(clg_context *ctx, const pad_case *p, const float *x, clg_tensor **y)
{
    clg_attrs a = clg_attrs_default();
    a.pad_mode = (clg_pad_mode)p->mode;
    op_input in[4];
    int n_in = 1;
    in[0] = input_of(p->rank, p->dims, x);
    int64_t pads[2 * CLG_MAX_RANK], axes[CLG_MAX_RANK];
    int n_axes = 0;
    for (int d = 0; d < p->rank; d++) /* the axes input names only the padded ones, last first */
        if (p->form != PAD_AXES || p->begin[d] || p->end[d]) axes[n_axes++] = p->form == PAD_AXES ? d - p->rank : d;
    for (int i = 0; i < n_axes; i++) {
        const int d = (int)(axes[i] < 0 ? axes[i] + p->rank : axes[i]);
        pads[i] = p->begin[d];
        pads[n_axes + i] = p->end[d];
    }
    const float value = p->value;
    if (p->form == PAD_ATTR) {
        a.pads_from_attr = 1;
        a.n_pads = 2 * n_axes;
        for (int i = 0; i < 2 * n_axes; i++) a.pad_amounts[i] = (int)pads[i];
        a.pad_value = value;
    } else {
        const int64_t pads_dims[1] = {2 * n_axes}, axes_dims[1] = {n_axes};
        in[1] = input_of(1, pads_dims, NULL);
        in[1].ints = pads;
        const int64_t none[1] = {0};
        in[2] = input_of(0, none, &value);
        in[2].constant = 1;
        n_in = 3;
        if (p->form == PAD_AXES) {
            in[3] = input_of(1, axes_dims, NULL);
            in[3].ints = axes;
            n_in = 4;
        }
    }
    return try_op(ctx, CLG_OP_PAD, &a, in, n_in, y);
}

static void check_pad(clg_context *ctx, const pad_case *p)
{
    char what[512];
    pad_text(p, what, sizeof what);
    float *x = random_floats(dims_product(p->rank, p->dims), -1.0f, 1.0f);
    round_like_device(x, dims_product(p->rank, p->dims));
    int64_t yd[CLG_MAX_RANK];
    for (int d = 0; d < p->rank; d++) yd[d] = p->dims[d] + p->begin[d] + p->end[d];
    float *ref = alloc_floats(dims_product(p->rank, yd));
    ck_assert_msg(ref_pad(x, p->rank, p->dims, p->begin, p->end, p->mode, p->value, ref), "%s: bad case", what);
    clg_tensor *y = NULL;
    clg_status st = try_pad(ctx, p, x, &y);
    ck_assert_msg(st == CLG_OK, "%s: %s: %s", what, clg_status_to_string(st), clg_last_error());
    expect_reference(y, ref, p->rank, yd, what);
    /* Pad only moves values: they must be bit-exact. */
    ck_assert_msg(memcmp(y->data, ref, dims_product(p->rank, yd) * sizeof(float)) == 0, "%s: not bit-exact", what);
    clg_tensor_destroy(y);
    free(ref);
    free(x);
}

/* Random shapes of rank 1 to 5 (pads inputs hold 8 values: 4 axes, or fewer
   named by axes), random pads in [-2, 4] that leave every axis non-empty. */
START_TEST(pad_random)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1717);
    for (int iter = 0; iter < 48; iter++) {
        pad_case p;
        memset(&p, 0, sizeof p);
        p.mode = iter % 4;
        p.form = (iter / 4) % 3;
        p.rank = rng_int(1, p.form == PAD_INPUTS ? 4 : 5);
        p.value = (float)rng_int(-3, 3) * 0.5f;
        int padded = 0;
        for (int d = 0; d < p.rank; d++) {
            p.dims[d] = rng_int(1, 7);
            if (p.form == PAD_AXES && padded == 4) continue; /* 8 pads at most */
            if (p.form == PAD_AXES && rng_int(0, 2) == 0) continue;
            p.begin[d] = rng_int(-2, 4);
            p.end[d] = rng_int(-2, 4);
            /* keep at least one element of the axis after cropping */
            while (p.dims[d] + (p.begin[d] < 0 ? p.begin[d] : 0) + (p.end[d] < 0 ? p.end[d] : 0) < 1) {
                if (p.begin[d] < 0) p.begin[d]++;
                else p.end[d]++;
            }
            padded += p.begin[d] || p.end[d];
        }
        check_pad(ctx, &p);
    }
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(pad_edge_cases)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(1919);
    for (int mode = 0; mode < 4; mode++) {
        const int form = mode == 3 ? PAD_INPUTS : mode % 3;
        /* PyTorch's Pad before an AveragePool: zero, spatial only, batch > 1. */
        pad_case spatial = {4, {3, 5, 6, 7}, {0, 0, 1, 2}, {0, 0, 2, 1}, mode, 0.0f, form};
        check_pad(ctx, &spatial);
        /* 1x1 spatial: reflect and wrap of one element repeat it. */
        pad_case one = {4, {2, 3, 1, 1}, {0, 0, 2, 1}, {0, 0, 1, 3}, mode, -1.5f, PAD_AXES};
        check_pad(ctx, &one);
        /* Negative pads only: a crop. */
        pad_case crop = {4, {2, 3, 6, 5}, {0, -1, -2, 0}, {-1, 0, -1, -3}, mode, 2.0f, form};
        check_pad(ctx, &crop);
        /* Crop one side, pad the other, on one axis. */
        pad_case mixed = {2, {4, 9}, {1, -3}, {-2, 5}, mode, 7.0f, form};
        check_pad(ctx, &mixed);
        /* Pads longer than the axis (numpy repeats reflect and wrap). */
        pad_case longer = {3, {2, 3, 2}, {0, 7, 5}, {0, 4, 6}, mode, 0.25f, form};
        check_pad(ctx, &longer);
        /* No padding at all. */
        pad_case none = {3, {2, 3, 4}, {0}, {0}, mode, 1.0f, PAD_INPUTS};
        check_pad(ctx, &none);
    }
    /* Constant mode may crop an axis away entirely and refill it. */
    pad_case refill = {2, {3, 4}, {0, -4}, {0, 2}, 0, 9.0f, PAD_INPUTS};
    check_pad(ctx, &refill);

    /* Errors: an empty result, nothing left to reflect, pads that do not fit the rank. */
    const float x[24] = {0};
    clg_tensor *y = NULL;
    pad_case empty = {2, {3, 4}, {0, -3}, {0, -1}, 0, 0.0f, PAD_INPUTS};
    expect_shape_status(try_pad(ctx, &empty, x, &y), y, "pad leaving an axis empty");
    pad_case gone = {2, {3, 4}, {0, -4}, {0, 2}, 1, 0.0f, PAD_INPUTS};
    expect_shape_status(try_pad(ctx, &gone, x, &y), y, "reflect of a cropped-away axis");
    clg_attrs a = clg_attrs_default();
    a.pads_from_attr = 1;
    a.n_pads = 4; /* 2 axes' worth for a rank-3 input */
    const int64_t d3[3] = {2, 3, 4};
    op_input in = input_of(3, d3, x);
    expect_shape_status(try_op(ctx, CLG_OP_PAD, &a, &in, 1, &y), y, "pads of the wrong length");
    /* Pads of 2^30 on each side: refused before any buffer of that size is made. */
    pad_case huge = {1, {3}, {1 << 30}, {1 << 30}, 0, 0.0f, PAD_INPUTS};
    clg_status st = try_pad(ctx, &huge, x, &y);
    ck_assert_msg(st == CLG_ERR_UNSUPPORTED || st == CLG_ERR_SHAPE || st == CLG_ERR_OUT_OF_MEMORY, "huge pads: %s (%s)",
                  clg_status_to_string(st), clg_last_error());
    ck_assert_ptr_null(y);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Softmax ----------------------------------------------------------- */

START_TEST(softmax)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(808);
    static const struct {
        int rank;
        int64_t dims[4];
    } shapes[] = {{1, {7}}, {2, {3, 10}}, {2, {1, 1000}}, {3, {2, 1, 5}}, {4, {2, 3, 4, 5}},
                  {4, {3, 1, 5, 2}}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int rank = shapes[i].rank;
        const int64_t *dims = shapes[i].dims;
        const size_t count = dims_product(rank, dims);
        /* Logits up to +-100: exp() overflows float unless the max is subtracted. */
        float *x = random_floats(count, -100.0f, 100.0f);
        float *ref = malloc(count * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        for (int axis = 0; axis < rank; axis++)
            for (int legacy = 0; legacy < 2; legacy++) {
                char what[256], shape[128];
                shape_text(rank, dims, shape, sizeof shape);
                snprintf(what, sizeof what, "softmax %s axis %d %s", shape, axis,
                         legacy ? "(opset < 13)" : "(opset 13)");
                op_input in = input_of(rank, dims, x);
                clg_attrs a = clg_attrs_default();
                a.axis = axis;
                a.softmax_legacy = legacy;
                clg_tensor *y = run_op(ctx, CLG_OP_SOFTMAX, &a, &in, 1, what);
                ref_softmax(x, rank, dims, axis, legacy, ref);
                expect_reference(y, ref, rank, dims, what);
                clg_tensor_destroy(y);
            }
        free(ref);
        free(x);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- LRN --------------------------------------------------------------- */

START_TEST(lrn)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(909);
    static const struct {
        int n, c, h, w, size;
        float alpha, beta, bias;
    } cases[] = {
        {1, 5, 4, 4, 3, 0.5f, 0.75f, 1.0f},   {2, 7, 3, 5, 5, 0.5f, 0.75f, 2.0f},
        {3, 17, 2, 3, 3, 1.0f, 0.5f, 1.0f},   {1, 1, 5, 5, 5, 0.3f, 0.75f, 1.0f},
        {1, 3, 1, 1, 5, 0.8f, 1.0f, 0.5f},    {2, 9, 6, 7, 4, 0.4f, 0.75f, 1.0f},
        {1, 6, 3, 3, 1, 0.2f, 0.75f, 1.0f},   {1, 64, 7, 7, 5, 1e-4f, 0.75f, 1.0f}, /* model zoo */
        {1, 17, 4, 5, 2, 0.6f, 0.6f, 1.5f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int64_t dims[4] = {cases[i].n, cases[i].c, cases[i].h, cases[i].w};
        const size_t count = dims_product(4, dims);
        float *x = random_floats(count, -2.0f, 2.0f);
        float *ref = malloc(count * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        char what[256];
        snprintf(what, sizeof what, "lrn %dx%dx%dx%d size %d", cases[i].n, cases[i].c,
                 cases[i].h, cases[i].w, cases[i].size);
        op_input in = input_of(4, dims, x);
        clg_attrs a = clg_attrs_default();
        a.size = cases[i].size;
        a.alpha = cases[i].alpha;
        a.beta = cases[i].beta;
        a.bias = cases[i].bias;
        clg_tensor *y = run_op(ctx, CLG_OP_LRN, &a, &in, 1, what);
        ref_lrn(x, cases[i].n, cases[i].c, cases[i].h * cases[i].w, cases[i].size,
                cases[i].alpha, cases[i].beta, cases[i].bias, ref);
        expect_reference(y, ref, 4, dims, what);
        clg_tensor_destroy(y);
        free(ref);
        free(x);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Errors ------------------------------------------------------------ */

/* Shapes that do not fit fail cleanly with a message naming the node. */
START_TEST(bad_shapes)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    static const float zeros[64];
    const struct {
        const char *what;
        clg_op_type op;
        int axis;
        int n_in;
        op_input in[5];
    } cases[] = {
        {"Add [2,3] + [4]", CLG_OP_ADD, 1, 2, {IN(2, 2, 3), IN(1, 4)}},
        {"Concat at 1 of [2,3] and [3,3]", CLG_OP_CONCAT, 1, 2, {IN(2, 2, 3), IN(2, 3, 3)}},
        {"Concat at 0 of [2,3] and [2,4]", CLG_OP_CONCAT, 0, 2, {IN(2, 2, 3), IN(2, 2, 4)}},
        {"Mul [2,3] * [4]", CLG_OP_MUL, 1, 2, {IN(2, 2, 3), IN(1, 4)}},
        {"Sub [2,3] - [3,2] (initializer)", CLG_OP_SUB, 1, 2, {IN(2, 2, 3), INIT(2, 3, 2)}},
        {"Div [5] / [2,3]", CLG_OP_DIV, 1, 2, {IN(1, 5), IN(2, 2, 3)}},
        {"Max of [2,3], [3], [2]", CLG_OP_MAX, 1, 3, {IN(2, 2, 3), IN(1, 3), IN(1, 2)}},
        {"Sum of [4,1], [3], [5]", CLG_OP_SUM, 1, 3, {IN(2, 4, 1), IN(1, 3), IN(1, 5)}},
        {"Min of [2,3], [2,3], [2,3], [3,3]", CLG_OP_MIN, 1, 4,
         {IN(2, 2, 3), IN(2, 2, 3), IN(2, 2, 3), INIT(2, 3, 3)}},
        {"Clip with a min of 2 values", CLG_OP_CLIP, 1, 2, {IN(2, 2, 3), IN(1, 2)}},
        {"Clip with a max of shape [1,1]", CLG_OP_CLIP, 1, 3, {IN(2, 2, 3), IN(0, 0), INIT(2, 1, 1)}},
        {"BatchNormalization of [2,3,4] with scale [4]", CLG_OP_BATCHNORM, 1, 5,
         {IN(3, 2, 3, 4), IN(1, 4), IN(1, 3), IN(1, 3), IN(1, 3)}},
        {"BatchNormalization of [2,3,4] with var [2] (initializer)", CLG_OP_BATCHNORM, 1, 5,
         {IN(3, 2, 3, 4), IN(1, 3), IN(1, 3), IN(1, 3), INIT(1, 2)}},
        {"BatchNormalization of [2,3,4] with mean [1,3]", CLG_OP_BATCHNORM, 1, 5,
         {IN(3, 2, 3, 4), IN(1, 3), IN(1, 3), IN(2, 1, 3), IN(1, 3)}},
        {"BatchNormalization of [3]", CLG_OP_BATCHNORM, 1, 5,
         {IN(1, 3), IN(1, 3), IN(1, 3), IN(1, 3), IN(1, 3)}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        op_input in[5];
        for (int k = 0; k < cases[i].n_in; k++) {
            in[k] = cases[i].in[k];
            in[k].data = zeros;
        }
        clg_attrs a = clg_attrs_default();
        a.axis = cases[i].axis;
        expect_shape_error(ctx, cases[i].op, &a, in, cases[i].n_in, cases[i].what);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Runner ------------------------------------------------------------ */

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"ops:maxpool_random", maxpool_random},
        {"ops:maxpool_wide_rows", maxpool_wide_rows},
        {"ops:avgpool_random", avgpool_random},
        {"ops:pool_edge_cases", pool_edge_cases},
        {"ops:global_avgpool", global_avgpool},
        {"ops:concat_axes", concat_axes},
        {"ops:relu", relu},
        {"ops:leaky_relu", leaky_relu},
        {"ops:add_broadcast", add_broadcast},
        {"ops:elementwise_ops", elementwise_ops},
        {"ops:clip", clip},
        {"ops:batchnorm", batchnorm},
        {"ops:gather", gather},
        {"ops:softmax", softmax},
        {"ops:lrn", lrn},
        {"ops:bad_shapes", bad_shapes},
        {"ops:pad_random", pad_random},
        {"ops:pad_edge_cases", pad_edge_cases},
    };
    /* 120 s: PoCL compiles each kernel on first use. */
    return clg_run_cases("ops", cases, sizeof cases / sizeof cases[0], 120, NULL, NULL);
}
