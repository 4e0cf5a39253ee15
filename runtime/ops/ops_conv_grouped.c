/*
 * Grouped, depthwise and dilated convolution planner (cl/conv_grouped.cl).
 * Weights stay in ONNX's layout, so constant and computed weights take the
 * same path. Kernels:
 *   conv_depthwise (CPU family) when every group has one input channel
 *       (group == C), any channel multiplier;
 *   conv_grouped   (CPU family) for any other group count or a dilated
 *       ungrouped convolution;
 *   conv_grouped_simt (SIMT family) for all of them.
 * The tile shapes follow the plain kernels': XB pixels of a row in one
 * vector (stride 2 capped at 8, it loads 2 * XB columns) x up to 8 output
 * channels of a group per CPU work-item, one pixel x up to 4 channels per
 * SIMT work-item.
 */
#include "ops_conv_grouped.h"

#include <stdio.h>

#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"

#define CPU_MAX_KB 8
#define DW_MAX_KB 4
/* Depthwise accumulator vectors (rows x channels) per work-item: on PoCL /
   AVX-512, 1x728x19x19 3x3 ran in 0.89 ms with 1 row, 0.41 ms with 8. */
#define DW_MAX_ACC 8
#define SIMT_MAX_RK 4
#define SIMT_MAX_GROUP 128 /* work-items per SIMT work-group, at most */

/* The node's arguments after the four buffers, in the kernels' order. */
static clg_status set_args(clg_step *step, const clg_grouped_conv *c, int64_t kblocks)
{
    const cl_mem mems[4] = {c->in, c->w, c->b, c->out};
    const int ints[] = {(int)c->C, (int)c->H, (int)c->W, (int)c->M, (int)(c->M / c->group),
                        (int)c->OH, (int)c->OW, c->pads[0], c->pads[1], (int)kblocks,
                        (int)c->out_offset, (int)c->out_image_stride};
    clg_args kargs = clg_args_begin(step->kernel);
    clg_args_mems(&kargs, mems, 4);
    clg_args_ints(&kargs, ints, 12);
    return clg_args_end(&kargs);
}

/* The -D values every kernel of the file reads; the caller adds the tile's. */
static clg_options build_options(const clg_grouped_conv *c)
{
    clg_options o = clg_options_begin(&clg_kernel_conv_grouped);
    clg_options_window(&o, (int)c->KH, (int)c->KW, c->stride[0], c->stride[1]);
    clg_options_set(&o, "DH", c->dilation[0]);
    clg_options_set(&o, "DW", c->dilation[1]);
    clg_options_epilogue(&o, c->has_bias, c->relu);
    return o;
}

static clg_status plan_cpu(clg_plan *plan, const clg_grouped_conv *c)
{
    const int64_t mg = c->M / c->group;
    const int depthwise = c->group == c->C;
    const int max_kb = depthwise ? DW_MAX_KB : CPU_MAX_KB;
    const int kb = mg < max_kb ? (int)mg : max_kb;
    /* Depthwise: RY x KB accumulator vectors, at most DW_MAX_ACC. */
    /* Rows spread evenly over the fewest tiles (19 rows: 7 + 7 + 5, not 8 + 8 + 3). */
    const int64_t ry_max = depthwise ? DW_MAX_ACC / kb : 1, row_tiles = (c->OH + ry_max - 1) / ry_max;
    const int ry = (int)((c->OH + row_tiles - 1) / row_tiles);
    const int xb = clg_plan_vector_width(c->OW, c->stride[1] == 2 ? 8 : 16);
    const int64_t kblocks = (mg + kb - 1) / kb;
    clg_options o = build_options(c);
    clg_options_set(&o, "XB", xb);
    clg_options_set(&o, "KB", kb);
    clg_options_set(&o, "RY", ry);
    CLG_TRY(clg_options_end(&o));
    const char *name = depthwise ? "conv_depthwise" : "conv_grouped";
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, c->node, o.desc->file, o.text, name, &step));
    snprintf(step.variant, sizeof step.variant, "%s_%dx%ds%dx%dd%dx%d_x%dy%dk%d", name, (int)c->KH & 127,
             (int)c->KW & 127, c->stride[0] & 127, c->stride[1] & 127, c->dilation[0] & 4095,
             c->dilation[1] & 4095, xb, ry, kb);
    const clg_status st = set_args(&step, c, kblocks);
    step.work_dim = 3;
    step.global[0] = (size_t)((c->OW + xb - 1) / xb);
    step.global[1] = (size_t)((c->OH + ry - 1) / ry);
    step.global[2] = (size_t)(c->N * c->group * kblocks);
    clg_plan_row_groups(plan, &step);
    step.flops = c->flops;
    step.bytes = c->bytes;
    return clg_plan_finish_step(plan, &step, st);
}

/* Work-items per SIMT group: a multiple of the kernel's preferred multiple
   (32 before the kernel exists, in a dry pass), no more than the plane needs. */
static size_t simt_group_size(const clg_plan *plan, cl_kernel kernel, int64_t plane)
{
    size_t sizes[3], multiple = 0;
    const size_t limit = clg_plan_group_limit(plan, kernel, sizes);
    if (!kernel || clGetKernelWorkGroupInfo(kernel, plan->ctx->device,
                                            CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                            sizeof multiple, &multiple, NULL) != CL_SUCCESS)
        multiple = 32;
    size_t cap = sizes[0] < limit ? sizes[0] : limit;
    if (cap > SIMT_MAX_GROUP) cap = SIMT_MAX_GROUP;
    if (multiple == 0 || multiple > cap) return cap;
    size_t lx = multiple;
    while (lx + multiple <= cap && (int64_t)lx < plane) lx += multiple;
    return lx;
}

static clg_status plan_simt(clg_plan *plan, const clg_grouped_conv *c)
{
    const int64_t mg = c->M / c->group, plane = c->OH * c->OW;
    const int rk = mg < SIMT_MAX_RK ? (int)mg : SIMT_MAX_RK;
    const int64_t kblocks = (mg + rk - 1) / rk;
    clg_options o = build_options(c);
    clg_options_set(&o, "RK", rk);
    CLG_TRY(clg_options_end(&o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, c->node, o.desc->file, o.text, "conv_grouped_simt", &step));
    snprintf(step.variant, sizeof step.variant, "conv_grouped_simt_%dx%ds%dx%dd%dx%d_r%d", (int)c->KH & 127,
             (int)c->KW & 127, c->stride[0] & 127, c->stride[1] & 127, c->dilation[0] & 4095,
             c->dilation[1] & 4095, rk);
    const clg_status st = set_args(&step, c, kblocks);
    const size_t lx = simt_group_size(plan, step.kernel, plane);
    step.work_dim = 2;
    step.global[0] = ((size_t)plane + lx - 1) / lx * lx;
    step.global[1] = (size_t)(c->N * c->group * kblocks);
    step.use_local = 1;
    step.local[0] = lx;
    step.local[1] = 1;
    step.flops = c->flops;
    step.bytes = c->bytes;
    return clg_plan_finish_step(plan, &step, st);
}

clg_status clg_plan_conv_grouped(clg_plan *plan, const clg_grouped_conv *c, clg_kernel_family family)
{
    if (c->group < 1 || c->C % c->group || c->M % c->group)
        return clg_plan_node_fail(plan, c->node, CLG_ERR_SHAPE, "group does not divide the channels");
    return family == CLG_FAMILY_SIMT ? plan_simt(plan, c) : plan_cpu(plan, c);
}
