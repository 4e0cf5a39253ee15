/*
 * Grouped, depthwise and dilated convolutions (cl/conv_grouped.cl): the Conv
 * nodes with group > 1 or dilations > 1. runtime/ops/ops_conv.c describes the
 * node and calls in; plain convolutions never come here.
 */
#ifndef CLG_OPS_CONV_GROUPED_H
#define CLG_OPS_CONV_GROUPED_H

#include "device_table.h"
#include "plan.h"

typedef struct clg_grouped_conv {
    int node;
    int64_t N, C, H, W, M, KH, KW, OH, OW;
    int group, stride[2], dilation[2], pads[2]; /* pads: top, left */
    int relu, has_bias;
    cl_mem in, w, b, out; /* w in ONNX's layout [M][C / group][KH][KW]; b NULL without a bias */
    size_t out_offset, out_image_stride;
    double flops, bytes;
} clg_grouped_conv;

/* Appends the one step computing c with the kernel of `family`. */
clg_status clg_plan_conv_grouped(clg_plan *plan, const clg_grouped_conv *c, clg_kernel_family family);

#endif
