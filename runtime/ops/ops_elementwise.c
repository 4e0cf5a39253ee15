/*
 * Planners for the NumPy-broadcasting elementwise ops (cl/elementwise.cl:
 * Add, Sub, Mul, Div and the n-ary Sum, Max, Min) and Clip
 * (cl/activation.cl).
 */
#include <math.h>
#include <string.h>

#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

/*
 * Element strides of input x over the output's dims right-aligned into 8
 * slots (leading slots are size-1 dims); 0 where x is broadcast.
 */
static int broadcast_strides(const clg_shape *x, const clg_shape *y, cl_int8 *strides)
{
    const int lead = CLG_MAX_RANK - y->rank;
    int stride = 1;
    memset(strides, 0, sizeof *strides);
    for (int d = x->rank - 1; d >= 0; d--) {
        const int slot = d + (CLG_MAX_RANK - x->rank);
        if (slot < lead) return 0; /* x has more dims than the output */
        const int64_t xd = x->dims[d], yd = y->dims[slot - lead];
        if (xd != yd && xd != 1) return 0;
        strides->s[slot] = xd == 1 ? 0 : stride;
        stride *= (int)xd;
    }
    return 1;
}

static const char *binop_option(clg_op_type op)
{
    switch (op) {
    case CLG_OP_SUB: return "-D CLG_BINOP=SUB";
    case CLG_OP_MUL: return "-D CLG_BINOP=MUL";
    case CLG_OP_DIV: return "-D CLG_BINOP=DIV";
    case CLG_OP_MAX: return "-D CLG_BINOP=MAX";
    case CLG_OP_MIN: return "-D CLG_BINOP=MIN";
    default: return "-D CLG_BINOP=ADD"; /* Add, Sum */
    }
}

/* One step: out = a (op) b, a and b broadcasting to the output shape y. */
static clg_status binary_step(clg_plan *plan, int n, cl_mem ma, const clg_shape *a, cl_mem mb,
                              const clg_shape *b, cl_mem out, const clg_shape *y)
{
    const char *option = binop_option(CLG_NODE(plan, n)->op);
    const size_t count = clg_shape_count(y);
    clg_step step;
    clg_status st;
    if (clg_shape_equal(a, y) && clg_shape_equal(b, y)) {
        CLG_TRY(clg_plan_kernel_step(plan, n, "elementwise.cl", option, "binary_same", &step));
        clg_args kargs = clg_args_begin(step.kernel);
        clg_args_mem(&kargs, ma);
        clg_args_mem(&kargs, mb);
        clg_args_mem(&kargs, out);
        clg_args_int(&kargs, count);
        st = clg_args_end(&kargs);
        step.work_dim = 1;
        step.global[0] = (count + 3) / 4;
    } else {
        cl_int8 dims, sa, sb;
        for (int d = 0; d < CLG_MAX_RANK; d++) {
            const int src = d - (CLG_MAX_RANK - y->rank);
            dims.s[d] = src >= 0 ? (cl_int)y->dims[src] : 1;
        }
        if (!broadcast_strides(a, y, &sa) || !broadcast_strides(b, y, &sb))
            return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "input shapes do not broadcast to the output");
        CLG_TRY(clg_plan_kernel_step(plan, n, "elementwise.cl", option, "binary_broadcast", &step));
        clg_args kargs = clg_args_begin(step.kernel);
        clg_args_mem(&kargs, ma);
        clg_args_mem(&kargs, mb);
        clg_args_mem(&kargs, out);
        clg_args_raw(&kargs, sizeof dims, &dims);
        clg_args_raw(&kargs, sizeof sa, &sa);
        clg_args_raw(&kargs, sizeof sb, &sb);
        st = clg_args_end(&kargs);
        clg_plan_index_grid(&step, &dims, count);
    }
    step.flops = (double)count;
    step.bytes = ((double)clg_shape_count(a) + (double)clg_shape_count(b) + (double)count) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* Two inputs: one step. More (Sum, Max, Min): the output accumulates input by input. */
clg_status clg_plan_elementwise(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    if (nd->n_inputs < 2) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "needs two or more inputs");
    for (int i = 0; i < nd->n_inputs; i++) {
        if (!CLG_HAS_INPUT(plan, n, i)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "missing input");
        if (!clg_shape_fits_int(CLG_IN_SHAPE(plan, n, i)))
            return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    }
    if (y->rank > CLG_MAX_RANK || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "output too large");
    cl_mem out = CLG_OUT_BUF(plan, n);
    CLG_TRY(binary_step(plan, n, CLG_IN_BUF(plan, n, 0), CLG_IN_SHAPE(plan, n, 0), CLG_IN_BUF(plan, n, 1),
                        CLG_IN_SHAPE(plan, n, 1), out, y));
    for (int i = 2; i < nd->n_inputs; i++)
        CLG_TRY(binary_step(plan, n, out, y, CLG_IN_BUF(plan, n, i), CLG_IN_SHAPE(plan, n, i), out, y));
    return CLG_OK;
}

clg_status clg_plan_clip(clg_plan *plan, int n)
{
    const clg_attrs *at = &CLG_NODE(plan, n)->attrs;
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t count = clg_shape_count(y);
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    /* Absent bounds still need a valid buffer argument; the kernel ignores it. */
    const int has_lo = CLG_HAS_INPUT(plan, n, 1), has_hi = CLG_HAS_INPUT(plan, n, 2);
    cl_mem lo = has_lo ? CLG_IN_BUF(plan, n, 1) : in, hi = has_hi ? CLG_IN_BUF(plan, n, 2) : in;

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "activation.cl", NULL, "clip", &step));
    cl_kernel k = step.kernel;
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, count);
    clg_args_float(&kargs, at->clip_min);
    clg_args_float(&kargs, at->clip_max);
    clg_args_mem(&kargs, lo);
    clg_args_mem(&kargs, hi);
    clg_args_int(&kargs, has_lo);
    clg_args_int(&kargs, has_hi);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = (count + 3) / 4;
    step.flops = 2.0 * (double)count;
    step.bytes = 2.0 * (double)count * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

/* Elementwise arithmetic on host ints: equal lengths or one scalar. */
static clg_status host_arith(const clg_node *nd, const clg_host_ints *ints, const clg_shape *shapes,
                             clg_host_ints *h, clg_shape *out)
{
    clg_host_ints acc = ints[nd->inputs[0]];
    clg_shape shape = shapes[nd->inputs[0]];
    for (int i = 1; i < nd->n_inputs; i++) {
        const clg_host_ints *b = &ints[nd->inputs[i]];
        int n = acc.count > b->count ? acc.count : b->count;
        if (acc.count != b->count && acc.count != 1 && b->count != 1)
            return clg_shape_fail(nd, CLG_ERR_SHAPE, "int64 operands of different lengths");
        clg_host_ints r = {1, n, {0}};
        for (int k = 0; k < n; k++) {
            int64_t x = acc.v[acc.count == 1 ? 0 : k], y = b->v[b->count == 1 ? 0 : k];
            switch (nd->op) {
            case CLG_OP_ADD:
            case CLG_OP_SUM: r.v[k] = x + y; break;
            case CLG_OP_SUB: r.v[k] = x - y; break;
            case CLG_OP_MUL: r.v[k] = x * y; break;
            case CLG_OP_MAX: r.v[k] = x > y ? x : y; break;
            case CLG_OP_MIN: r.v[k] = x < y ? x : y; break;
            case CLG_OP_DIV:
                if (y == 0) return clg_shape_fail(nd, CLG_ERR_SHAPE, "int64 division by zero");
                r.v[k] = x / y;
                break;
            default: return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "op not defined on int64 data");
            }
        }
        if (shapes[nd->inputs[i]].rank > shape.rank) shape = shapes[nd->inputs[i]];
        acc = r;
    }
    CLG_TRY(clg_host_set(nd, h, out, shape.rank, acc.v, acc.count));
    return CLG_OK;
}

static clg_status infer_elementwise(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                                    clg_host_ints *h, clg_shape *out)
{
    int host = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        if (nd->inputs[i] < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "empty input name");
        host += clg_host_is(ints, nd->inputs[i]);
    }
    if (host == nd->n_inputs) return host_arith(nd, ints, shapes, h, out);
    if (host) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "mixes int64 and float inputs");
    *out = shapes[nd->inputs[0]];
    for (int i = 1; i < nd->n_inputs; i++) {
        clg_shape acc = *out;
        CLG_TRY(clg_shape_broadcast(nd, &acc, &shapes[nd->inputs[i]], out));
    }
    return CLG_OK;
}

clg_status clg_shape_elementwise(clg_shape_node *s)
{
    return infer_elementwise(s->nd, s->shapes, s->ints, s->h, s->out);
}

clg_status clg_parse_clip(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const none[] = {NULL};
    static const char *const clip_keys[] = {"min", "max", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, n->opset < 11 ? clip_keys : none));
    CLG_TRY(clg_attr_float(n, "min", &a->clip_min));
    return clg_attr_float(n, "max", &a->clip_max);
}

clg_status clg_shape_clip(clg_shape_node *s)
{
    if (s->in[1]) CLG_TRY(clg_shape_check_param(s->nd, s->in[1], 1, "min"));
    if (s->in[2]) CLG_TRY(clg_shape_check_param(s->nd, s->in[2], 1, "max"));
    *s->out = *s->in[0];
    return CLG_OK;
}
