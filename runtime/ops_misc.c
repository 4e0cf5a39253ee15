/*
 * Planners for Concat (cl/concat.cl), Relu (cl/activation.cl), Softmax
 * (cl/softmax.cl) and LRN (cl/lrn.cl).
 */
#include <limits.h>
#include <string.h>

#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "plan.h"

/* ---- Concat ------------------------------------------------------------ */

static clg_status check_concat(const clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const int axis = nd->attrs.axis;
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
    const int axis = nd->attrs.axis;
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
        step.bytes = 2.0 * (double)(chunk * outer) * sizeof(float);
        CLG_TRY(clg_plan_finish_step(plan, &step, st));
        offset += chunk;
    }
    return CLG_OK;
}

/* ---- Relu -------------------------------------------------------------- */

clg_status clg_plan_relu(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "activation.cl", NULL, "relu", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, count);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = (count + 3) / 4;
    step.flops = (double)count;
    step.bytes = 2.0 * (double)count * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Softmax ----------------------------------------------------------- */

clg_status clg_plan_softmax(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    const int axis = nd->attrs.axis;
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
    step.bytes = 3.0 * (double)clg_shape_count(x) * sizeof(float);
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
    step.bytes = 2.0 * (double)clg_shape_count(x) * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}
