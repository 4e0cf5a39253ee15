/*
 * Gemm and MatMul planners. Each product becomes a CLBlast SGEMM step (the
 * scheduler makes the call) or a gemm_rows kernel (cl/gemm.cl), both
 * row-major. Gemm's C input is first broadcast into Y by a small kernel so
 * that the product's beta applies it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

/* gemm_rows: the most rows it takes. */
#define GEMM_ROWS_MAX_M 64
#define GEMM_TINY_MACS 65536.0

/* Useful flops and bytes moved by one product, for traces. */
static void product_costs(clg_step *step, const clg_gemm_args *g)
{
    step->flops = 2.0 * (double)g->m * (double)g->n * (double)g->k;
    step->bytes = 4.0 * ((double)g->m * (double)g->k + (double)g->k * (double)g->n +
                         (double)g->m * (double)g->n * (g->beta != 0.0f ? 2.0 : 1.0));
}

/* Appends one CLBlast SGEMM step. */
static clg_status add_sgemm(clg_plan *plan, int n, const clg_gemm_args *args)
{
    clg_step step;
    memset(&step, 0, sizeof step);
    step.kind = CLG_STEP_SGEMM;
    step.node = n;
    snprintf(step.variant, sizeof step.variant, "sgemm%s%s", args->trans_a ? "_ta" : "",
             args->trans_b ? "_tb" : "");
    step.gemm = *args;
    product_costs(&step, args);
    return clg_plan_add_step(plan, &step);
}

/* gemm_rows' rows per work-item for m rows: the kernel's default, or 1 for a
   single row (batch 1), where the unused sums' tests cost time in the loop
   (torchvision GoogLeNet's 1024 -> 1000 head on PoCL: 0.38-0.42 -> 0.27-0.30 ms). */
static int gemm_rows_per_item(int64_t m)
{
    return m == 1 ? 1 : (int)clg_kernel_param_default(&clg_kernel_gemm, "ROWS");
}

/* Build options of cl/gemm.cl. The bias broadcast uses the product's, so that
   one Gemm builds one program. */
static clg_status gemm_options(int trans_a, int trans_b, int64_t m, clg_options *o)
{
    *o = clg_options_begin(&clg_kernel_gemm);
    clg_options_set(o, "TA", trans_a);
    clg_options_set(o, "TB", trans_b);
    clg_options_set(o, "ROWS", gemm_rows_per_item(m));
    return clg_options_end(o);
}

/* Appends one gemm_rows kernel step (cl/gemm.cl). */
static clg_status add_gemm_rows(clg_plan *plan, int n, const clg_gemm_args *g)
{
    clg_options o;
    CLG_TRY(gemm_options(g->trans_a, g->trans_b, (int64_t)g->m, &o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, o.desc->file, o.text, "gemm_rows", &step));
    snprintf(step.variant, sizeof step.variant, "gemm_rows%s%s", g->trans_a ? "_ta" : "",
             g->trans_b ? "_tb" : "");
    cl_kernel k = step.kernel;
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, g->a);
    clg_args_int(&kargs, g->a_offset);
    clg_args_int(&kargs, g->lda);
    clg_args_mem(&kargs, g->b);
    clg_args_int(&kargs, g->b_offset);
    clg_args_int(&kargs, g->ldb);
    clg_args_mem(&kargs, g->c);
    clg_args_int(&kargs, g->c_offset);
    clg_args_int(&kargs, g->ldc);
    clg_args_int(&kargs, g->m);
    clg_args_int(&kargs, g->n);
    clg_args_int(&kargs, g->k);
    clg_args_float(&kargs, g->alpha);
    clg_args_float(&kargs, g->beta);
    clg_status st = clg_args_end(&kargs);
    if (st != CLG_OK) {
        clReleaseKernel(k);
        return st;
    }
    step.work_dim = 2;
    step.global[0] = g->n;
    const size_t rows = (size_t)gemm_rows_per_item(g->m);
    step.global[1] = (g->m + rows - 1) / rows;
    product_costs(&step, g);
    return clg_plan_add_step(plan, &step);
}

/* Whether every element gemm_rows indexes fits its int offsets. */
static int fits_int_indexing(const clg_gemm_args *g)
{
    const double a_end = (double)g->a_offset + (double)g->lda * (double)(g->trans_a ? g->k : g->m);
    const double b_end = (double)g->b_offset + (double)g->ldb * (double)(g->trans_b ? g->n : g->k);
    const double c_end = (double)g->c_offset + (double)g->ldc * (double)g->m;
    return a_end <= INT_MAX && b_end <= INT_MAX && c_end <= INT_MAX;
}

/*
 * One matrix product: gemm_rows for classifier heads (few rows, B transposed
 * as torch's Linear exports it, so both operands run along K) and for tiny
 * products, where CLBlast's launches, padding copies and program build cost
 * more than they give; CLBlast's SGEMM for the rest. Measured on PoCL (CPU),
 * 1024 -> 1000 head: 0.9 ms vs 2.4 ms at batch 1, 7.4 vs 8.8 ms at batch 64;
 * CLBlast wins 3.6x on a 64x1024x1024 MatMul. CLGOOGLENET_GEMM=clblast or
 * =kernel forces one for A/B runs and tests.
 */
static clg_status add_product(clg_plan *plan, int n, const clg_gemm_args *g)
{
    const char *force = clg_context_gemm(plan->ctx);
    const double macs = (double)g->m * (double)g->n * (double)g->k;
    int use_clblast = !(g->m <= GEMM_ROWS_MAX_M && ((!g->trans_a && g->trans_b) || macs <= GEMM_TINY_MACS));
    if (force && strcmp(force, "clblast") == 0) use_clblast = 1;
    else if (force && strcmp(force, "kernel") == 0) use_clblast = 0;
    if (!fits_int_indexing(g)) use_clblast = 1;
    /* CLBlast's SGEMM reads float buffers: half contexts use the kernel. */
    if (clg_context_half(plan->ctx)) {
        if (!fits_int_indexing(g))
            return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "product too large for the fp16 kernel");
        use_clblast = 0;
    }
    return use_clblast ? add_sgemm(plan, n, g) : add_gemm_rows(plan, n, g);
}

/* Writes C broadcast to [m, n] into the node's output (Y). */
static clg_status add_bias_broadcast(clg_plan *plan, int n, size_t m, size_t cols)
{
    const clg_node *nd = CLG_NODE(plan, n);
    clg_options o;
    CLG_TRY(gemm_options(nd->attrs.trans_a != 0, nd->attrs.trans_b != 0, (int64_t)m, &o));
    const clg_shape *c = CLG_IN_SHAPE(plan, n, 2);
    /* Right-aligned dims of C; a missing or size-1 dim repeats (stride 0). */
    int64_t cm = c->rank >= 2 ? c->dims[c->rank - 2] : 1;
    int64_t cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    if (c->rank > 2 || (cm != 1 && cm != (int64_t)m) || (cn != 1 && cn != (int64_t)cols))
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "C does not broadcast to [M, N]");
    const int stride_m = cm == 1 ? 0 : (int)cn, stride_n = cn == 1 ? 0 : 1;

    clg_step step;
    cl_mem cbuf = CLG_IN_BUF(plan, n, 2), ybuf = CLG_OUT_BUF(plan, n);
    CLG_TRY(clg_plan_kernel_step(plan, n, o.desc->file, o.text, "gemm_bias_broadcast", &step));
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, cbuf);
    clg_args_mem(&kargs, ybuf);
    clg_args_int(&kargs, cols);
    clg_args_int(&kargs, stride_m);
    clg_args_int(&kargs, stride_n);
    clg_status st = clg_args_end(&kargs);
    if (st != CLG_OK) {
        clReleaseKernel(step.kernel);
        return st;
    }
    step.work_dim = 2;
    step.global[0] = cols;
    step.global[1] = m;
    step.bytes = 4.0 * (double)(m * cols + clg_shape_count(c));
    return clg_plan_add_step(plan, &step);
}

clg_status clg_plan_gemm(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *a = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *b = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int ta = nd->attrs.trans_a != 0, tb = nd->attrs.trans_b != 0;
    if (a->rank != 2 || b->rank != 2 || y->rank != 2)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "A, B and Y must be matrices");
    const int64_t m = ta ? a->dims[1] : a->dims[0], k = ta ? a->dims[0] : a->dims[1];
    const int64_t kb = tb ? b->dims[1] : b->dims[0], cols = tb ? b->dims[0] : b->dims[1];
    if (k != kb || y->dims[0] != m || y->dims[1] != cols)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "shapes of A, B and Y do not fit op(A)*op(B)");
    if (m == 0 || cols == 0) return CLG_OK; /* empty output */
    if (k == 0) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "inner dimension 0 is not supported");
    if (clg_shape_count(y) > INT_MAX)
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "output too large (over 2^31 elements)");

    /* With beta == 0, C contributes nothing: skip the copy. */
    const int use_c = CLG_HAS_INPUT(plan, n, 2) && nd->attrs.beta != 0.0f;
    if (use_c) CLG_TRY(add_bias_broadcast(plan, n, (size_t)m, (size_t)cols));

    clg_gemm_args g;
    memset(&g, 0, sizeof g);
    g.trans_a = ta;
    g.trans_b = tb;
    g.m = (size_t)m;
    g.n = (size_t)cols;
    g.k = (size_t)k;
    g.alpha = nd->attrs.alpha;
    g.beta = use_c ? nd->attrs.beta : 0.0f;
    g.a = CLG_IN_BUF(plan, n, 0);
    g.b = CLG_IN_BUF(plan, n, 1);
    g.c = CLG_OUT_BUF(plan, n);
    /* Row-major: the leading dimension is the stored row length, transposed or not. */
    g.lda = (size_t)a->dims[1];
    g.ldb = (size_t)b->dims[1];
    g.ldc = (size_t)cols;
    return add_product(plan, n, &g);
}

/* A MatMul's matrix sizes and how its batch dims walk A and B. */
typedef struct matmul_layout {
    int64_t m, k, cols;
    int a_batch_rank, b_batch_rank, batch_rank;
    int64_t a_stride[CLG_MAX_RANK], b_stride[CLG_MAX_RANK]; /* element strides per output batch dim, 0 = broadcast */
    size_t batch, a_batch, b_batch;                           /* matrices in Y, A and B */
} matmul_layout;

/* The matrix sizes of node n; fails unless they fit the output's shape. */
static clg_status matmul_sizes(clg_plan *plan, int n, matmul_layout *ml)
{
    const clg_shape *a = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *b = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    if (a->rank < 1 || b->rank < 1)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "operands must have rank >= 1");

    /* numpy: a 1-D A is a row [1, K], a 1-D B a column [K, 1]; both dims are dropped later. */
    const int a_vec = a->rank == 1, b_vec = b->rank == 1;
    ml->m = a_vec ? 1 : a->dims[a->rank - 2];
    ml->k = a->dims[a->rank - 1];
    const int64_t kb = b_vec ? b->dims[0] : b->dims[b->rank - 2];
    ml->cols = b_vec ? 1 : b->dims[b->rank - 1];
    ml->a_batch_rank = a_vec ? 0 : a->rank - 2;
    ml->b_batch_rank = b_vec ? 0 : b->rank - 2;
    ml->batch_rank = y->rank - !a_vec - !b_vec;
    const int batch_rank = ml->batch_rank;
    if (ml->k != kb || batch_rank < 0 || batch_rank < ml->a_batch_rank || batch_rank < ml->b_batch_rank ||
        (!a_vec && y->dims[batch_rank] != ml->m) || (!b_vec && y->dims[y->rank - 1] != ml->cols))
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape does not match the operands");
    return CLG_OK;
}

/* Per output batch dim: element strides of A's and B's matrices (0 = broadcast). */
static clg_status matmul_batch_strides(clg_plan *plan, int n, matmul_layout *ml)
{
    const clg_shape *a = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *b = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int batch_rank = ml->batch_rank;
    int64_t sa = ml->m * ml->k, sb = ml->k * ml->cols;
    ml->batch = ml->a_batch = ml->b_batch = 1;
    for (int i = batch_rank - 1; i >= 0; i--) {
        const int ia = i - (batch_rank - ml->a_batch_rank), ib = i - (batch_rank - ml->b_batch_rank);
        const int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        const int64_t d = y->dims[i];
        if ((da != d && da != 1) || (db != d && db != 1))
            return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "batch dimensions do not broadcast");
        ml->a_stride[i] = da == 1 ? 0 : sa;
        ml->b_stride[i] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
        ml->batch *= (size_t)d;
        ml->a_batch *= (size_t)da;
        ml->b_batch *= (size_t)db;
    }
    return CLG_OK;
}

/* Appends the products of node n: one stacked GEMM where it can, else one per batch matrix. */
static clg_status matmul_products(clg_plan *plan, int n, const matmul_layout *ml)
{
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int64_t m = ml->m, cols = ml->cols;
    clg_gemm_args g;
    memset(&g, 0, sizeof g);
    g.m = (size_t)m;
    g.n = (size_t)cols;
    g.k = (size_t)ml->k;
    g.alpha = 1.0f;
    g.beta = 0.0f;
    g.a = CLG_IN_BUF(plan, n, 0);
    g.b = CLG_IN_BUF(plan, n, 1);
    g.c = CLG_OUT_BUF(plan, n);
    g.lda = (size_t)ml->k;
    g.ldb = (size_t)cols;
    g.ldc = (size_t)cols;

    /* One shared B and an unbroadcast A: the batch stacks into the rows of one GEMM. */
    if (ml->b_batch == 1 && ml->a_batch == ml->batch) {
        g.m = ml->batch * (size_t)m;
        return add_product(plan, n, &g);
    }
    for (size_t i = 0; i < ml->batch; i++) {
        size_t rest = i;
        g.a_offset = g.b_offset = 0;
        for (int d = ml->batch_rank - 1; d >= 0; d--) {
            const size_t idx = rest % (size_t)y->dims[d];
            rest /= (size_t)y->dims[d];
            g.a_offset += idx * (size_t)ml->a_stride[d];
            g.b_offset += idx * (size_t)ml->b_stride[d];
        }
        g.c_offset = i * (size_t)(m * cols);
        CLG_TRY(add_product(plan, n, &g));
    }
    return CLG_OK;
}

clg_status clg_plan_matmul(clg_plan *plan, int n)
{
    matmul_layout ml = {0};
    CLG_TRY(matmul_sizes(plan, n, &ml));
    CLG_TRY(matmul_batch_strides(plan, n, &ml));
    if (clg_shape_count(CLG_OUT_SHAPE(plan, n)) == 0) return CLG_OK; /* empty output */
    if (ml.k == 0) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "inner dimension 0 is not supported");
    return matmul_products(plan, n, &ml);
}

/* ---- Import and shapes -------------------------------------------------- */

clg_status clg_parse_gemm(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const gemm_keys[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, gemm_keys));
    CLG_TRY(clg_attr_float(n, "alpha", &a->alpha));
    CLG_TRY(clg_attr_float(n, "beta", &a->beta));
    CLG_TRY(clg_attr_int(n, "transA", 0, 1, &a->trans_a));
    return clg_attr_int(n, "transB", 0, 1, &a->trans_b);
}

static clg_status infer_matmul(const clg_node *nd, const clg_shape *a0, const clg_shape *b0, clg_shape *out)
{
    clg_shape a = *a0, b = *b0;
    if (a.rank < 1 || b.rank < 1) return clg_shape_fail(nd, CLG_ERR_SHAPE, "operands must have rank >= 1");
    int a_vec = a.rank == 1, b_vec = b.rank == 1;
    if (a_vec) a = (clg_shape){2, {1, a0->dims[0]}};
    if (b_vec) b = (clg_shape){2, {b0->dims[0], 1}};
    if (a.dims[a.rank - 1] != b.dims[b.rank - 2]) return clg_shape_fail(nd, CLG_ERR_SHAPE, "inner dimensions differ");
    clg_shape ab = {a.rank - 2, {0}}, bb = {b.rank - 2, {0}}, batch;
    memcpy(ab.dims, a.dims, sizeof(int64_t) * (size_t)ab.rank);
    memcpy(bb.dims, b.dims, sizeof(int64_t) * (size_t)bb.rank);
    CLG_TRY(clg_shape_broadcast(nd, &ab, &bb, &batch));
    if (batch.rank + 2 > CLG_MAX_RANK) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "rank too large");
    *out = batch;
    if (!a_vec) out->dims[out->rank++] = a.dims[a.rank - 2];
    if (!b_vec) out->dims[out->rank++] = b.dims[b.rank - 1];
    return CLG_OK;
}

static clg_status infer_gemm(const clg_node *nd, const clg_shape *a, const clg_shape *b,
                             const clg_shape *c, clg_shape *out)
{
    if (a->rank != 2 || b->rank != 2) return clg_shape_fail(nd, CLG_ERR_SHAPE, "A and B must be matrices");
    int64_t m = nd->attrs.trans_a ? a->dims[1] : a->dims[0];
    int64_t k = nd->attrs.trans_a ? a->dims[0] : a->dims[1];
    int64_t kb = nd->attrs.trans_b ? b->dims[1] : b->dims[0];
    int64_t n = nd->attrs.trans_b ? b->dims[0] : b->dims[1];
    if (k != kb) {
        char msg[160];
        snprintf(msg, sizeof msg, "inner dimensions differ (%lld vs %lld)", (long long)k, (long long)kb);
        return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
    }
    *out = (clg_shape){2, {m, n}};
    if (c) {
        clg_shape y;
        if (c->rank > 2) return clg_shape_fail(nd, CLG_ERR_SHAPE, "C must have rank <= 2");
        CLG_TRY(clg_shape_broadcast(nd, out, c, &y));
        if (y.dims[0] != m || y.dims[1] != n) return clg_shape_fail(nd, CLG_ERR_SHAPE, "C does not broadcast to MxN");
    }
    return CLG_OK;
}

clg_status clg_shape_gemm(clg_shape_node *s)
{
    if (!s->in[1]) return clg_shape_fail(s->nd, CLG_ERR_PARSE, "missing input B");
    return infer_gemm(s->nd, s->in[0], s->in[1], s->in[2], s->out);
}

clg_status clg_shape_matmul(clg_shape_node *s)
{
    if (!s->in[1]) return clg_shape_fail(s->nd, CLG_ERR_PARSE, "missing input B");
    return infer_matmul(s->nd, s->in[0], s->in[1], s->out);
}
