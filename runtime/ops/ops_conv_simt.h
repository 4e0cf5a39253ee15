/*
 * The SIMT convolution family (cl/conv_simt.cl, runtime/ops/ops_conv_simt.c) and
 * the choice of kernel family per device.
 */
#ifndef CLG_OPS_CONV_SIMT_H
#define CLG_OPS_CONV_SIMT_H

#include "device_table.h"
#include "plan.h"



/* The family for ctx: its kernel_family option, else CLGOOGLENET_KERNELS as
   it was when ctx was made (a bad value failed the creation), else the
   device table's. */
clg_status clg_kernel_family_get(const clg_context *ctx, clg_kernel_family *out);

/* "cpu" or "simt". */
const char *clg_kernel_family_name(clg_kernel_family f);

/* One convolution for the SIMT planner (constant weights: a host copy). */
typedef struct clg_simt_conv {
    int node;
    int64_t N, C, H, W, K, KH, KW, OH, OW;
    int stride[2], pads[2]; /* top, left */
    int relu, has_bias, pool3, pointwise;
    const float *wdata, *bdata; /* bdata NULL without a bias */
    cl_mem in, out;
    size_t out_offset, out_image_stride;
    double flops, bytes;
} clg_simt_conv;

/*
 * Appends the steps of `count` (1 to 3) convolutions of one input that run
 * as one GEMM (their weights concatenated along M, each output routed to its
 * own placement); with count > 1 all must be pointwise with the same ReLU.
 */
clg_status clg_plan_conv_simt(clg_plan *plan, const clg_simt_conv *convs, int count);

#endif
