/*
 * Optimisation passes, numbered in the order they run.
 * On the graph, once when a model is made, after Identities of constants are
 * bypassed (clg_graph_forward_constants, always on):
 *   0. batch-norm folding: a BatchNormalization after a Conv whose output
 *      nothing else reads, all parameters constant, is folded into the
 *      convolution's weights and bias and becomes a view (pass_fold_bn.c).
 *   1. conv+relu: a Relu that is the only reader of a Conv's output (directly
 *      or through views such as a folded batch norm) is folded into the
 *      convolution's epilogue and becomes a view.
 *   2. max-pool into 1x1: a 3x3 stride-1 MaxPool with pads 1 whose only
 *      reader is a 1x1 stride-1 Conv with constant weights (path 4 of an
 *      Inception block) is computed inside that convolution, which reads
 *      the pool's input; the pool becomes a view (pass_fuse.c).
 *   3. horizontal 1x1 fusion: up to three 1x1 stride-1 convolutions with
 *      constant weights that read the same input (p1_1, p2_1, p3_1 of an
 *      Inception block) form a group; the planner runs a group as one
 *      launch with the weights concatenated, each member writing its own
 *      output (pass_group_pointwise.c; one queue only).
 * On each plan, after shape inference and before buffers are made:
 *   4. concat elimination: a Conv whose output is read only by a channel
 *      Concat writes straight into its slice of the concat output, at any
 *      batch size; the Concat then copies only its other inputs.
 *   5. memory planning: intermediate tensors whose lifetimes do not overlap
 *      share device buffers (runtime/plan/memory_plan.c).
 * Before them, once when a model is made:
 *   6. Pad folding: a constant-zero Pad of the two spatial axes read only
 *      by a Conv, an AveragePool or a MaxPool becomes part of that op's own
 *      pads where the result is exactly the same (pass_fold_pad.c says
 *      when); the Pad becomes a view nothing reads. Numbered last because
 *      it came last; it runs first, in clg_passes_run_with.
 * CLGOOGLENET_NO_FUSION=1 switches all passes off, CLGOOGLENET_PASSES_OFF
 * a comma-separated list of pass numbers ("0,3"), for A/B comparisons.
 */
#ifndef CLG_PASSES_H
#define CLG_PASSES_H

#include "env.h"
#include "graph.h"


enum {
    CLG_PASS_FOLD_BATCHNORM = 0,
    CLG_PASS_FUSE_CONV_RELU = 1,
    CLG_PASS_FUSE_POOL_POINTWISE = 2,
    CLG_PASS_GROUP_POINTWISE = 3,
    CLG_PASS_PLACE_CONCAT = 4,
    CLG_PASS_MEMORY_PLAN = 5,
    CLG_PASS_FOLD_PAD = 6,
    CLG_PASS_LAST = CLG_PASS_FOLD_PAD /* the highest number CLGOOGLENET_PASSES_OFF takes */
};
_Static_assert(CLG_PASS_LAST == CLG_PASS_NUMBER_LAST, "env.h names the last pass number");

clg_status clg_passes_run(clg_graph *g);

/* 0 when CLGOOGLENET_NO_FUSION or CLGOOGLENET_PASSES_OFF switches pass `number` off. */
int clg_pass_enabled(int number);

/* The graph passes with a context's passes_off setting (context.h). */
clg_status clg_passes_run_with(clg_graph *g, const char *passes_off);

/* Pass 6, exposed for tests: *folded (may be NULL) gets the number of Pads folded. */
clg_status clg_pass_fold_pad(clg_graph *g, size_t *folded);

/* Pass 0, exposed for tests: *folded gets the number of folded nodes. */
clg_status clg_pass_fold_batchnorm(clg_graph *g, size_t *folded);

/* Pass 1, exposed for tests. Returns the number of fused pairs. */
size_t clg_pass_fuse_conv_relu(clg_graph *g);

/* Pass 2, exposed for tests. Returns the number of fused pairs. */
size_t clg_pass_fuse_pool_pointwise(clg_graph *g);

/* Pass 3, exposed for tests. Returns the number of groups made. */
size_t clg_pass_group_pointwise(clg_graph *g);

struct clg_plan;
/* Pass 4: sets plan->placement for concat inputs; returns how many were placed. */
size_t clg_pass_place_concat_inputs(struct clg_plan *plan);

#endif
