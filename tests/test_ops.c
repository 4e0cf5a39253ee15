/*
 * Tests for pooling, Concat, Relu, Add, Softmax and LRN (runtime/ops_pool.c,
 * runtime/ops_misc.c and their cl/ kernels): each op runs as a one-node
 * graph through the public model API and is compared with the plain C
 * references in reference_misc.c, on seeded random shapes and on hand-picked
 * edge cases.
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

#include "clgooglenet.h"
#include "graph.h"
#include "model.h"
#include "reference_misc.h"

/* ---- Helpers ----------------------------------------------------------- */

/* xorshift32: the same sequence on every platform, unlike rand(). */
static uint32_t rng_state;

static void rng_seed(uint32_t seed) { rng_state = seed ? seed : 1; }

static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Uniform integer in [lo, hi]. */
static int rng_int(int lo, int hi) { return lo + (int)(rng_next() % (uint32_t)(hi - lo + 1)); }

static int rng_pick(const int *values, int n) { return values[rng_int(0, n - 1)]; }

/* count floats uniform in [lo, hi]; the caller frees them. */
static float *random_floats(size_t count, float lo, float hi)
{
    float *p = malloc((count ? count : 1) * sizeof(float));
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < count; i++) p[i] = lo + (hi - lo) * (float)(rng_next() % 100001) / 1e5f;
    return p;
}

static size_t dims_count(int rank, const int64_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    return n;
}

static void shape_text(int rank, const int64_t *dims, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

/* The context for this test, or NULL (test skipped) when there is no device. */
static clg_context *open_context(void)
{
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    if (st == CLG_ERR_DEVICE_NOT_FOUND) {
        printf("SKIP: no OpenCL device: %s\n", clg_last_error());
        return NULL;
    }
    ck_assert_msg(st == CLG_OK, "clg_context_create: %s: %s", clg_status_to_string(st),
                  clg_last_error());
    return ctx;
}

/* One input of the node under test. */
typedef struct op_input {
    int rank;
    int64_t dims[CLG_MAX_RANK];
    const float *data;
    int constant; /* a named initializer instead of a graph input */
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
        snprintf(name, sizeof name, "%s%d", in[i].constant ? "w" : "x", i);
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
        memcpy(t->data, in[i].data, dims_count(in[i].rank, in[i].dims) * sizeof(float));
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

/* Shape must match; max abs error <= 1e-4 * max(1, max|ref|) (infinities must match). */
static void expect_close(const clg_tensor *got, const float *ref, int rank, const int64_t *dims,
                         const char *what)
{
    char want[128], have[128];
    shape_text(rank, dims, want, sizeof want);
    shape_text(got->rank, got->dims, have, sizeof have);
    ck_assert_msg(strcmp(want, have) == 0, "%s: output shape %s, expected %s", what, have, want);
    size_t count = dims_count(rank, dims);
    double max_ref = 1.0, max_err = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < count; i++) {
        if (isinf(ref[i])) {
            ck_assert_msg(got->data[i] == ref[i], "%s: [%zu] = %g, expected %g", what, i,
                          (double)got->data[i], (double)ref[i]);
            continue;
        }
        if (fabs(ref[i]) > max_ref) max_ref = fabs(ref[i]);
        double err = fabs((double)got->data[i] - ref[i]);
        if (!(err <= max_err)) { /* also catches NaN */
            max_err = err;
            worst = i;
        }
    }
    ck_assert_msg(max_err <= 1e-4 * max_ref, "%s: max error %g at [%zu] (got %g, expected %g)",
                  what, max_err, worst, (double)got->data[worst], (double)ref[worst]);
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
    float *own = x ? NULL : random_floats(dims_count(4, xd), -1.0f, 1.0f);
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
    float *ref = malloc(dims_count(4, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    if (op == CLG_OP_MAXPOOL)
        ref_maxpool2d(in.data, p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pads, oh,
                      ow, ref);
    else
        ref_avgpool2d(in.data, p->n, p->c, p->h, p->w, p->kh, p->kw, p->sh, p->sw, p->pads,
                      p->count_include_pad, oh, ow, ref);
    expect_close(y, ref, 4, yd, what);
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
    for (size_t i = 0; i < dims_count(y->rank, y->dims); i++)
        ck_assert_msg(y->data[i] < 0.0f, "maxpool of negatives gave %g at %zu", (double)y->data[i], i);
    clg_tensor_destroy(y);
    pool_case neg_wide = {1, 3, 5, 6, 5, 5, 2, 2, {2, 4, 3, 1}, 1, 0};
    y = check_pool(ctx, CLG_OP_MAXPOOL, &neg_wide, x);
    for (size_t i = 0; i < dims_count(y->rank, y->dims); i++)
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
        float *x = random_floats(dims_count(4, xd), -2.0f, 3.0f);
        float *ref = malloc(dims_count(4, yd) * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        char what[64];
        snprintf(what, sizeof what, "global_avgpool %dx%dx%dx%d", s[0], s[1], s[2], s[3]);
        op_input in = input_of(4, xd, x);
        clg_attrs a = clg_attrs_default();
        clg_tensor *y = run_op(ctx, CLG_OP_GLOBAL_AVGPOOL, &a, &in, 1, what);
        ref_global_avgpool(x, s[0], s[1], s[2], s[3], ref);
        expect_close(y, ref, 4, yd, what);
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
        data[i] = random_floats(dims_count(rank, dims[i]), -1.0f, 1.0f);
        in[i] = input_of(rank, dims[i], data[i]);
    }
    char what[256], shape[128];
    shape_text(rank, yd, shape, sizeof shape);
    snprintf(what, sizeof what, "concat of %d into %s at axis %d", n_in, shape, axis);
    clg_attrs a = clg_attrs_default();
    a.axis = axis;
    clg_tensor *y = run_op(ctx, CLG_OP_CONCAT, &a, in, n_in, what);
    float *ref = malloc(dims_count(rank, yd) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    ref_concat((const float *const *)data, (const int64_t(*)[8])dims, n_in, rank, axis, ref);
    expect_close(y, ref, rank, yd, what);
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

/* ---- Relu -------------------------------------------------------------- */

START_TEST(relu)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(606);
    static const struct {
        int rank;
        int64_t dims[5];
    } shapes[] = {{1, {1}},       {1, {3}},          {1, {5}},           {2, {2, 3}},
                  {2, {4, 4}},    {4, {3, 17, 5, 7}}, {5, {2, 3, 4, 5, 6}}, {4, {1, 64, 12, 12}}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const int rank = shapes[i].rank;
        const int64_t *dims = shapes[i].dims;
        const size_t count = dims_count(rank, dims);
        float *x = random_floats(count, -1.0f, 1.0f);
        float *ref = malloc(count * sizeof(float));
        ck_assert_ptr_nonnull(ref);
        char what[256], shape[128];
        shape_text(rank, dims, shape, sizeof shape);
        snprintf(what, sizeof what, "relu %s", shape);
        op_input in = input_of(rank, dims, x);
        clg_attrs a = clg_attrs_default();
        clg_tensor *y = run_op(ctx, CLG_OP_RELU, &a, &in, 1, what);
        ref_relu(x, count, ref);
        expect_close(y, ref, rank, dims, what);
        clg_tensor_destroy(y);
        free(ref);
        free(x);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Add --------------------------------------------------------------- */

static void check_add(clg_context *ctx, int ra, const int64_t *ad, int rb, const int64_t *bd,
                      int b_constant)
{
    int ry;
    int64_t yd[8];
    ck_assert(ref_add(NULL, ra, ad, NULL, rb, bd, NULL, &ry, yd));
    float *a = random_floats(dims_count(ra, ad), -1.0f, 1.0f);
    float *b = random_floats(dims_count(rb, bd), -1.0f, 1.0f);
    float *ref = malloc((dims_count(ry, yd) ? dims_count(ry, yd) : 1) * sizeof(float));
    ck_assert_ptr_nonnull(ref);
    ref_add(a, ra, ad, b, rb, bd, ref, &ry, yd);

    char what[256], as[96], bs[96];
    shape_text(ra, ad, as, sizeof as);
    shape_text(rb, bd, bs, sizeof bs);
    snprintf(what, sizeof what, "add %s + %s%s", as, bs, b_constant ? " (initializer)" : "");
    op_input in[2] = {input_of(ra, ad, a), input_of(rb, bd, b)};
    in[1].constant = b_constant;
    clg_attrs attrs = clg_attrs_default();
    clg_tensor *y = run_op(ctx, CLG_OP_ADD, &attrs, in, 2, what);
    expect_close(y, ref, ry, yd, what);
    clg_tensor_destroy(y);
    free(ref);
    free(b);
    free(a);
}

START_TEST(add_broadcast)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    rng_seed(707);
    const int64_t s2345[4] = {2, 3, 4, 5}, s5[1] = {5}, s311[3] = {3, 1, 1}, s1[1] = {1};
    const int64_t s23[2] = {2, 3}, s315[3] = {3, 1, 5}, s41[2] = {4, 1}, s10[2] = {1, 10};
    const int64_t s10v[1] = {10}, s1x[4] = {1, 17, 1, 1}, s3x[4] = {3, 17, 6, 7};
    check_add(ctx, 4, s2345, 1, s5, 0);
    check_add(ctx, 4, s2345, 3, s311, 0);
    check_add(ctx, 1, s1, 2, s23, 0);
    check_add(ctx, 4, s2345, 4, s2345, 0); /* equal shapes: the fast path */
    check_add(ctx, 4, s3x, 4, s3x, 0);
    check_add(ctx, 3, s315, 2, s41, 0);    /* both inputs broadcast */
    check_add(ctx, 0, NULL, 2, s23, 0);    /* a scalar */
    check_add(ctx, 2, s10, 1, s10v, 1);    /* Gemm-style bias from an initializer */
    check_add(ctx, 4, s3x, 4, s1x, 1);     /* per-channel bias */
    check_add(ctx, 1, s5, 4, s2345, 0);    /* the smaller input first */

    /* Random broadcastable pairs, rank up to 8. */
    for (int i = 0; i < 20; i++) {
        const int ry = i == 19 ? 8 : rng_int(1, 5);
        int64_t yd[8], ad[8], bd[8];
        for (int d = 0; d < ry; d++) yd[d] = rng_int(1, ry > 5 ? 2 : 5);
        const int ra = rng_int(0, 2) ? ry : rng_int(0, ry), rb = ra == ry ? rng_int(0, ry) : ry;
        for (int d = 0; d < ra; d++) ad[d] = rng_int(0, 2) ? yd[ry - ra + d] : 1;
        for (int d = 0; d < rb; d++) bd[d] = rng_int(0, 2) ? yd[ry - rb + d] : 1;
        check_add(ctx, ra, ad, rb, bd, rng_int(0, 3) == 0);
    }
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
        const size_t count = dims_count(rank, dims);
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
                expect_close(y, ref, rank, dims, what);
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
        const size_t count = dims_count(4, dims);
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
        expect_close(y, ref, 4, dims, what);
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
    float data[64] = {0};
    const int64_t s23[2] = {2, 3}, s24[2] = {2, 4}, s4[1] = {4}, s33[2] = {3, 3};
    clg_attrs a = clg_attrs_default();
    clg_tensor *y = NULL;

    op_input add_in[2] = {input_of(2, s23, data), input_of(1, s4, data)};
    clg_status st = try_op(ctx, CLG_OP_ADD, &a, add_in, 2, &y);
    ck_assert_int_eq(st, CLG_ERR_SHAPE);
    ck_assert_ptr_null(y);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "node_under_test"));

    a.axis = 1; /* [2,3] and [3,3] differ off the axis */
    op_input cat_in[2] = {input_of(2, s23, data), input_of(2, s33, data)};
    st = try_op(ctx, CLG_OP_CONCAT, &a, cat_in, 2, &y);
    ck_assert_int_eq(st, CLG_ERR_SHAPE);
    ck_assert_ptr_null(y);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "node_under_test"));

    a.axis = 0; /* fine along axis 0 only when the other dims agree: [2,3] + [2,4] is not */
    op_input cat_in2[2] = {input_of(2, s23, data), input_of(2, s24, data)};
    st = try_op(ctx, CLG_OP_CONCAT, &a, cat_in2, 2, &y);
    ck_assert_int_eq(st, CLG_ERR_SHAPE);
    ck_assert_ptr_null(y);
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Runner ------------------------------------------------------------ */

static Suite *ops_suite(void)
{
    Suite *s = suite_create("ops");
    /* Not static: Check's test handles are not constant expressions. */
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"ops:maxpool_random", maxpool_random}, {"ops:avgpool_random", avgpool_random},
        {"ops:pool_edge_cases", pool_edge_cases}, {"ops:global_avgpool", global_avgpool},
        {"ops:concat_axes", concat_axes},       {"ops:relu", relu},
        {"ops:add_broadcast", add_broadcast},   {"ops:softmax", softmax},
        {"ops:lrn", lrn},                       {"ops:bad_shapes", bad_shapes},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, 120); /* PoCL compiles each kernel on first use */
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ops_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
