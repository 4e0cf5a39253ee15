/*
 * Graph passes run once when a model is made, before any plan.
 *   1. conv+relu: a Relu that is the only reader of a Conv's output is folded
 *      into the convolution's epilogue and becomes a view.
 * CLGOOGLENET_NO_FUSION=1 switches the passes off (for A/B comparisons).
 */
#ifndef CLG_PASSES_H
#define CLG_PASSES_H

#include "graph.h"

#define CLG_NO_FUSION_ENV "CLGOOGLENET_NO_FUSION"

clg_status clg_passes_run(clg_graph *g);

/* Pass 1, exposed for tests. Returns the number of fused pairs. */
size_t clg_pass_fuse_conv_relu(clg_graph *g);

#endif
