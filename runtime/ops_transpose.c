/*
 * Planner for Transpose (cl/transpose.cl). PyTorch exports a Linear layer
 * without bias as Transpose of the weight followed by MatMul.
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "plan.h"

clg_status clg_plan_transpose(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (x->rank != y->rank || x->rank > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output rank differs from input");
    if (!clg_shape_fits_int(x)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    int in_stride[CLG_MAX_RANK];
    for (int d = x->rank - 1, s = 1; d >= 0; d--) {
        in_stride[d] = s;
        s *= (int)x->dims[d];
    }
    cl_int8 dims, sx;
    const int lead = CLG_MAX_RANK - y->rank;
    for (int d = 0; d < CLG_MAX_RANK; d++) {
        dims.s[d] = d < lead ? 1 : (cl_int)y->dims[d - lead];
        sx.s[d] = d < lead ? 0 : in_stride[nd->attrs.axes[d - lead]];
    }
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "transpose.cl", NULL, "transpose", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_raw(&kargs, sizeof dims, &dims);
    clg_args_raw(&kargs, sizeof sx, &sx);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 2;
    step.global[0] = (size_t)dims.s[CLG_MAX_RANK - 1];
    step.global[1] = step.global[0] ? count / step.global[0] : 0;
    step.bytes = 2.0 * (double)count * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}
