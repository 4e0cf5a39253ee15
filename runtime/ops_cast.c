/*
 * Planner for Cast to FLOAT16 / BFLOAT16 (cl/cast.cl). Values stay float32
 * on the device; the cast rounds them to the smaller type's precision.
 * Casts between float32 and the integer shape types need no device work
 * (a view, or host arithmetic in shape inference).
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "plan.h"

#define ONNX_FLOAT16 10

clg_status clg_plan_round_float(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t count = clg_shape_count(y);
    const char *kernel = CLG_NODE(plan, n)->attrs.cast_to == ONNX_FLOAT16 ? "round_to_half" : "round_to_bfloat16";

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "cast.cl", NULL, kernel, &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, count);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = count;
    step.bytes = 2.0 * (double)count * sizeof(float);
    return clg_plan_finish_step(plan, &step, st);
}
