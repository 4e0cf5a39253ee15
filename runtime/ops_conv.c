/*
 * Conv planner. Two kernels:
 *   conv1x1 (cl/conv1x1.cl): 1x1 kernel, stride 1, no padding; a GEMM per image.
 *   conv2d  (cl/conv2d.cl):  direct convolution for everything else.
 * Both add the optional bias and the fused ReLU in their epilogue. The
 * register-block sizes are picked here from the output shape.
 */
#include <limits.h>
#include <stdio.h>

#include "error.h"
#include "kernels.h"
#include "plan.h"

static clg_status conv_fail(const clg_plan *plan, int n, clg_status st, const char *what)
{
    return clg_fail(st, "node '%s' (Conv): %s", plan->graph->nodes[n].name, what);
}

/*
 * Vector width (4, 8 or 16) for `len` outputs along the unit-stride axis: the
 * widest one that wastes at most a quarter of the lanes on the last block.
 */
static int pick_width(int64_t len, int widest)
{
    for (int v = widest; v > 4; v /= 2) {
        int64_t padded = (len + v - 1) / v * v;
        if (padded * 4 <= len * 5) return v;
    }
    return 4;
}

/* Sets the kernel's args; on failure the kernel is released. */
static clg_status set_args(clg_step *step, const cl_mem *mems, const int *ints, int n_ints)
{
    clg_status st = CLG_OK;
    for (cl_uint i = 0; st == CLG_OK && i < 4; i++) st = CLG_ARG_MEM(step->kernel, i, mems[i]);
    for (int i = 0; st == CLG_OK && i < n_ints; i++)
        st = CLG_ARG_INT(step->kernel, 4 + (cl_uint)i, ints[i]);
    if (st != CLG_OK) {
        clReleaseKernel(step->kernel);
        step->kernel = NULL;
    }
    return st;
}

clg_status clg_plan_conv(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0);
    const clg_shape *wt = CLG_IN_SHAPE(plan, n, 1);
    const clg_shape *y = CLG_OUT_SHAPE(plan, n);
    const clg_window *win = &plan->windows[n];
    const int has_bias = CLG_HAS_INPUT(plan, n, 2);
    const int relu = CLG_NODE(plan, n)->attrs.fused_relu != 0;

    if (x->rank != 4 || wt->rank != 4 || y->rank != 4)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "only 2-D NCHW convolution is supported");
    const int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
    const int64_t K = wt->dims[0], KH = wt->dims[2], KW = wt->dims[3];
    const int64_t OH = y->dims[2], OW = y->dims[3];
    if (wt->dims[1] != C)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "grouped convolution is not supported");
    if (y->dims[0] != N || y->dims[1] != K || win->kernel[0] != KH || win->kernel[1] != KW)
        return conv_fail(plan, n, CLG_ERR_SHAPE, "output or window does not match the weights");
    if (has_bias) {
        const clg_shape *b = CLG_IN_SHAPE(plan, n, 2);
        if (clg_shape_count(b) != (size_t)K)
            return conv_fail(plan, n, CLG_ERR_SHAPE, "bias must have one value per output channel");
    }
    if (win->stride[0] < 1 || win->stride[1] < 1 || win->pads[0] < 0 || win->pads[1] < 0)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "invalid stride or padding");
    /* The kernels index with int: every tensor must stay below INT_MAX elements. */
    if (clg_shape_count(x) == 0 || clg_shape_count(wt) == 0 || clg_shape_count(y) == 0) {
        if (clg_shape_count(y) == 0) return CLG_OK; /* empty output: nothing to do */
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "empty input or weight tensor");
    }
    if (clg_shape_count(x) > INT_MAX || clg_shape_count(wt) > INT_MAX ||
        clg_shape_count(y) > INT_MAX)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large (over 2^31 elements)");

    const clg_placement *place = &plan->placement[CLG_NODE(plan, n)->output];
    if (place->offset + (size_t)N * place->image_stride > INT_MAX)
        return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large (over 2^31 elements)");
    cl_mem mems[4] = {CLG_IN_BUF(plan, n, 0), CLG_IN_BUF(plan, n, 1),
                      has_bias ? CLG_IN_BUF(plan, n, 2) : NULL, CLG_OUT_BUF(plan, n)};
    char options[160];
    clg_step step;
    const int pointwise = KH == 1 && KW == 1 && win->stride[0] == 1 && win->stride[1] == 1 &&
                          win->pads[0] == 0 && win->pads[1] == 0 && win->pads[2] == 0 &&
                          win->pads[3] == 0;

    if (pointwise) {
        /* PB pixels (one vector) x KB output channels per work-item. */
        const int64_t P = H * W;
        const int pb = pick_width(P, 16), kb = K <= 4 ? 4 : 8;
        snprintf(options, sizeof options, "-DPB=%d -DKB=%d -DHAS_BIAS=%d -DRELU=%d", pb, kb,
                 has_bias, relu);
        CLG_TRY(clg_plan_kernel_step(plan, n, "conv1x1.cl", options, "conv1x1", &step));
        snprintf(step.variant, sizeof step.variant, "conv1x1_p%dk%d", pb, kb);
        const int ints[] = {(int)C, (int)K, (int)P, (int)place->offset, (int)place->image_stride};
        CLG_TRY(set_args(&step, mems, ints, 5));
        step.work_dim = 3;
        step.global[0] = (size_t)((P + pb - 1) / pb);
        step.global[1] = (size_t)((K + kb - 1) / kb);
        step.global[2] = (size_t)N;
    } else {
        /* XB output columns (one vector) x KB output channels per work-item. Stride 2
           loads 2*XB columns and keeps the even ones, so cap XB at 8 there. */
        const int xb = pick_width(OW, win->stride[1] == 2 ? 8 : 16), kb = K <= 4 ? 4 : 8;
        const int64_t kblocks = (K + kb - 1) / kb;
        if (KH > 64 || KW > 64)
            return conv_fail(plan, n, CLG_ERR_UNSUPPORTED, "kernels larger than 64x64 are not supported");
        snprintf(options, sizeof options,
                 "-DKH=%d -DKW=%d -DSH=%d -DSW=%d -DXB=%d -DKB=%d -DHAS_BIAS=%d -DRELU=%d",
                 (int)KH, (int)KW, win->stride[0], win->stride[1], xb, kb, has_bias, relu);
        CLG_TRY(clg_plan_kernel_step(plan, n, "conv2d.cl", options, "conv2d", &step));
        snprintf(step.variant, sizeof step.variant, "conv2d_%dx%ds%dx%d_x%dk%d", (int)KH, (int)KW,
                 win->stride[0], win->stride[1], xb, kb);
        const int ints[] = {(int)C, (int)H, (int)W, (int)K, (int)OH, (int)OW,
                            win->pads[0], win->pads[1], (int)kblocks, (int)place->offset,
                            (int)place->image_stride};
        CLG_TRY(set_args(&step, mems, ints, 11));
        step.work_dim = 3;
        step.global[0] = (size_t)((OW + xb - 1) / xb);
        step.global[1] = (size_t)OH;
        step.global[2] = (size_t)(N * kblocks);
    }
    step.flops = 2.0 * (double)clg_shape_count(y) * (double)(C * KH * KW);
    step.bytes = 4.0 * ((double)clg_shape_count(x) + (double)clg_shape_count(wt) +
                        (double)clg_shape_count(y) + (has_bias ? (double)K : 0.0));
    return clg_plan_add_step(plan, &step);
}
