/*
 * Planner for Pad (cl/pad.cl). PyTorch exports a Pad before pools and
 * convolutions whose padding the op itself cannot express; a zero Pad of
 * the spatial axes before a Conv is usually folded away first
 * (pass_fold_pad.c), so what reaches this planner is the general case.
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "plan.h"

clg_status clg_plan_pad(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (x->rank != y->rank || x->rank < 1 || x->rank > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output rank differs from input");
    if (!clg_shape_fits_int(x) || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    int64_t begin[CLG_MAX_RANK], end[CLG_MAX_RANK];
    CLG_TRY(clg_pad_amounts(nd, plan->ints, x->rank, begin, end));
    /* The kernel's input coordinates run from -|begin| to extent + |end| in int. */
    for (int d = 0; d < x->rank; d++)
        if (x->dims[d] + (begin[d] < 0 ? -begin[d] : begin[d]) + (end[d] < 0 ? -end[d] : end[d]) >= INT32_MAX)
            return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "pads too large");
    float value = nd->attrs.pads_from_attr ? nd->attrs.pad_value : 0.0f;
    if (CLG_HAS_INPUT(plan, n, 2)) value = plan->graph->values[nd->inputs[2]].data[0]; /* checked by shape inference */

    cl_int8 dims, sx, b, lo, hi;
    const int lead = CLG_MAX_RANK - y->rank;
    int stride = 1;
    for (int d = CLG_MAX_RANK - 1; d >= 0; d--) {
        const int k = d - lead;
        dims.s[d] = k < 0 ? 1 : (cl_int)y->dims[k];
        b.s[d] = k < 0 ? 0 : (cl_int)begin[k];
        lo.s[d] = k < 0 || begin[k] >= 0 ? 0 : (cl_int)-begin[k];
        hi.s[d] = k < 0 ? 1 : (cl_int)(x->dims[k] - (end[k] < 0 ? -end[k] : 0));
        sx.s[d] = k < 0 ? 0 : stride;
        if (k >= 0) stride *= (int)x->dims[k];
    }
    const cl_int mode = (cl_int)nd->attrs.pad_mode;
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "pad.cl", NULL, "pad", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_raw(&kargs, sizeof dims, &dims);
    clg_args_raw(&kargs, sizeof sx, &sx);
    clg_args_raw(&kargs, sizeof b, &b);
    clg_args_raw(&kargs, sizeof lo, &lo);
    clg_args_raw(&kargs, sizeof hi, &hi);
    clg_args_raw(&kargs, sizeof value, &value);
    clg_args_raw(&kargs, sizeof mode, &mode);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 2;
    step.global[0] = (size_t)dims.s[CLG_MAX_RANK - 1];
    step.global[1] = step.global[0] ? count / step.global[0] : 0;
    step.bytes = (double)(clg_shape_count(x) + count) * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}
