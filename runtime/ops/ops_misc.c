/*
 * Planners for Concat (cl/concat.cl), Relu and LeakyRelu (cl/activation.cl),
 * Softmax (cl/softmax.cl) and LRN (cl/lrn.cl).
 */
#include <limits.h>
#include <string.h>

#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

/* ---- Concat ------------------------------------------------------------ */

static clg_status check_concat(const clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int axis = plan->resolved[n].axis;
    if (nd->n_inputs < 1) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "needs at least one input");
    if (axis < 0 || axis >= y->rank)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "axis out of range");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "output too large");
    int64_t total = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        if (!CLG_HAS_INPUT(plan, n, i)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "missing input");
        const clg_shape *x = CLG_IN_SHAPE(plan, n, i);
        if (x->rank != y->rank) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "inputs differ in rank");
        for (int d = 0; d < y->rank; d++)
            if (d != axis && x->dims[d] != y->dims[d])
                return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "inputs differ off the concat axis");
        total += x->dims[axis];
    }
    if (total != y->dims[axis])
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "inputs do not add up to the output");
    return CLG_OK;
}

clg_status clg_plan_concat(clg_plan *plan, int n)
{
    CLG_TRY(check_concat(plan, n));
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int axis = plan->resolved[n].axis;
    const size_t outer = clg_shape_product(y, 0, axis);
    const size_t inner = clg_shape_product(y, axis + 1, y->rank);
    const size_t out_chunk = (size_t)y->dims[axis] * inner;
    cl_mem out = CLG_OUT_BUF(plan, n);

    /* One copy per input into its column range of the [outer, out_chunk] output view. */
    size_t offset = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        const size_t chunk = (size_t)CLG_IN_SHAPE(plan, n, i)->dims[axis] * inner;
        if (plan->placement[nd->inputs[i]].into == nd->output) { /* written in place (pass 4) */
            offset += chunk;
            continue;
        }
        cl_mem in = CLG_IN_BUF(plan, n, i);
        clg_step step;
        CLG_TRY(clg_plan_kernel_step(plan, n, "concat.cl", NULL, "concat_copy", &step));
        cl_kernel k = step.kernel;
        clg_args kargs = clg_args_begin(k);
        clg_args_mem(&kargs, in);
        clg_args_mem(&kargs, out);
        clg_args_int(&kargs, chunk);
        clg_args_int(&kargs, out_chunk);
        clg_args_int(&kargs, offset);
        clg_status st = clg_args_end(&kargs);
        step.work_dim = 2;
        step.global[0] = (chunk + 3) / 4;
        step.global[1] = outer;
        step.bytes = 2.0 * (double)(chunk * outer) * (double)clg_context_element_bytes(plan->ctx);
        CLG_TRY(clg_plan_finish_step(plan, &step, st));
        offset += chunk;
    }
    return CLG_OK;
}

/* ---- Relu, LeakyRelu ---------------------------------------------------- */

/* One work-item per 4 floats; LeakyRelu's kernel takes alpha after Relu's arguments. */
static clg_status plan_activation(clg_plan *plan, int n, const char *kernel, const float *alpha)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "activation.cl", NULL, kernel, &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, count);
    if (alpha) clg_args_float(&kargs, *alpha);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = (count + 3) / 4;
    step.flops = (double)count;
    step.bytes = 2.0 * (double)count * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

clg_status clg_plan_relu(clg_plan *plan, int n)
{
    return plan_activation(plan, n, "relu", NULL);
}

clg_status clg_plan_leaky_relu(clg_plan *plan, int n)
{
    return plan_activation(plan, n, "leaky_relu", &CLG_NODE(plan, n)->attrs.alpha);
}

/* ---- Softmax ----------------------------------------------------------- */

clg_status clg_plan_softmax(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    const int axis = plan->resolved[n].axis;
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (axis < 0 || axis >= x->rank) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "axis out of range");
    if (!clg_shape_fits_int(x)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");

    /* View as [outer, axis_len, inner]; before opset 13 the input is flattened at axis. */
    const size_t outer = clg_shape_product(x, 0, axis);
    const size_t axis_len = nd->attrs.softmax_legacy ? clg_shape_product(x, axis, x->rank)
                                                     : (size_t)x->dims[axis];
    const size_t inner = nd->attrs.softmax_legacy ? 1 : clg_shape_product(x, axis + 1, x->rank);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "softmax.cl", NULL, "softmax", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, axis_len);
    clg_args_int(&kargs, inner);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 2;
    step.global[0] = inner;
    step.global[1] = axis_len ? outer : 0; /* an empty axis has nothing to normalise */
    step.flops = 4.0 * (double)clg_shape_count(x);
    step.bytes = 3.0 * (double)clg_shape_count(x) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- LRN --------------------------------------------------------------- */

clg_status clg_plan_lrn(clg_plan *plan, int n)
{
    const clg_attrs *at = &CLG_NODE(plan, n)->attrs;
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (x->rank < 2) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "input must be [N, C, ...]");
    if (at->size < 1) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "size must be >= 1");
    if (!clg_shape_fits_int(x)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t pixels = clg_shape_product(x, 2, x->rank);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "lrn.cl", NULL, "lrn", &step));
    cl_kernel k = step.kernel;
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, x->dims[1]);
    clg_args_int(&kargs, pixels);
    clg_args_int(&kargs, at->size);
    clg_args_float(&kargs, at->alpha / (float)at->size);
    clg_args_float(&kargs, at->beta);
    clg_args_float(&kargs, at->bias);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = (pixels + 3) / 4;
    step.global[1] = (size_t)x->dims[1];
    step.global[2] = (size_t)x->dims[0];
    step.flops = (2.0 * at->size + 4.0) * (double)clg_shape_count(x);
    step.bytes = 2.0 * (double)clg_shape_count(x) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

/* Concat and Flatten: an axis attribute (default 1). */
clg_status clg_parse_axis(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const axis_keys[] = {"axis", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, axis_keys));
    return clg_attr_int(n, "axis", -CLG_MAX_RANK, CLG_MAX_RANK, &a->axis);
}

static clg_status infer_concat(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                               clg_host_ints *h, clg_shape *out, int *axis)
{
    if (nd->n_inputs < 1 || nd->inputs[0] < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "no inputs");
    const clg_shape *first = &shapes[nd->inputs[0]];
    *axis = nd->attrs.axis_attr;
    if (!clg_normalise_axis(axis, first->rank, 0)) return clg_shape_fail(nd, CLG_ERR_SHAPE, "axis out of range");
    *out = *first;
    int host = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        if (nd->inputs[i] < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "empty input name");
        host += clg_host_is(ints, nd->inputs[i]);
        if (i == 0) continue;
        const clg_shape *s = &shapes[nd->inputs[i]];
        if (s->rank != first->rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "inputs differ in rank");
        for (int d = 0; d < s->rank; d++)
            if (d != *axis && s->dims[d] != first->dims[d])
                return clg_shape_fail(nd, CLG_ERR_SHAPE, "inputs differ outside the concat axis");
        out->dims[*axis] += s->dims[*axis];
    }
    if (host == 0) return CLG_OK;
    if (host != nd->n_inputs) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "mixes int64 and float inputs");
    int64_t v[CLG_MAX_RANK];
    int n = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        const clg_host_ints *src = &ints[nd->inputs[i]];
        if (n + src->count > CLG_MAX_RANK) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "int64 result longer than 8 values");
        for (int k = 0; k < src->count; k++) v[n++] = src->v[k];
    }
    return clg_host_set(nd, h, out, 1, v, n);
}

clg_status clg_shape_concat(clg_shape_node *s)
{
    return infer_concat(s->nd, s->shapes, s->ints, s->h, s->out, &s->r->axis);
}

/* Softmax: axis defaults to -1 and covers one axis from opset 13; before,
   it defaulted to 1 and flattened everything from the axis on. */
clg_status clg_parse_softmax(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    a->axis = n->opset >= 13 ? -1 : 1;
    a->softmax_legacy = n->opset < 13;
    return clg_parse_axis(n, op, a);
}

clg_status clg_shape_softmax(clg_shape_node *s)
{
    s->r->axis = s->nd->attrs.axis_attr;
    if (!clg_normalise_axis(&s->r->axis, s->in[0]->rank, 0)) return clg_shape_fail(s->nd, CLG_ERR_SHAPE, "axis out of range");
    *s->out = *s->in[0];
    return CLG_OK;
}

clg_status clg_parse_lrn(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const lrn_keys[] = {"size", "alpha", "beta", "bias", NULL};
    (void)op;
    a->alpha = 1e-4f;
    a->beta = 0.75f;
    a->bias = 1.0f;
    CLG_TRY(clg_check_attrs(n, lrn_keys));
    if (!clg_attr_find(n, "size")) return clg_node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "size");
    CLG_TRY(clg_attr_int(n, "size", 1, 4096, &a->size));
    CLG_TRY(clg_attr_float(n, "alpha", &a->alpha));
    CLG_TRY(clg_attr_float(n, "beta", &a->beta));
    return clg_attr_float(n, "bias", &a->bias);
}

/* LeakyRelu's slope for x < 0 goes in attrs.alpha. */
clg_status clg_parse_leaky_relu(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const alpha_keys[] = {"alpha", NULL};
    (void)op;
    a->alpha = 0.01f;
    CLG_TRY(clg_check_attrs(n, alpha_keys));
    return clg_attr_float(n, "alpha", &a->alpha);
}

clg_status clg_shape_lrn(clg_shape_node *s)
{
    if (s->in[0]->rank != 4) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "only NCHW input is supported");
    if (s->nd->attrs.size < 1) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "size must be >= 1");
    *s->out = *s->in[0];
    return CLG_OK;
}
