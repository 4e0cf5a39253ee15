/*
 * Planner for Gather on float data with constant indices (cl/gather.cl).
 * Gathers on int64 shape data never get here: shape inference evaluates
 * them on the host.
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "plan.h"

clg_status clg_plan_gather(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    const clg_host_ints *idx = &plan->ints[nd->inputs[1]];
    const int axis = nd->attrs.axis;
    if (!idx->valid || idx->count > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "indices must be a constant int64 tensor");
    if (axis < 0 || axis >= x->rank) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "axis out of range");
    if (!clg_shape_fits_int(x) || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const int64_t extent = x->dims[axis];
    cl_int8 index = {{0}};
    for (int j = 0; j < idx->count; j++) {
        const int64_t v = idx->v[j] < 0 ? idx->v[j] + extent : idx->v[j];
        if (v < 0 || v >= extent) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "index out of range");
        index.s[j] = (cl_int)v;
    }
    const size_t outer = clg_shape_product(x, 0, axis), inner = clg_shape_product(x, axis + 1, x->rank);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "gather.cl", NULL, "gather", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, extent);
    clg_args_int(&kargs, inner);
    clg_args_raw(&kargs, sizeof index, &index);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = inner;
    step.global[1] = (size_t)idx->count;
    step.global[2] = outer;
    step.bytes = 2.0 * (double)clg_shape_count(y) * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}
