/* Shape inference: concrete shapes for every value given the input shapes. */
#ifndef CLG_SHAPE_H
#define CLG_SHAPE_H

#include "graph.h"

typedef struct clg_shape {
    int rank;
    int64_t dims[CLG_MAX_RANK];
} clg_shape;

/*
 * Small int64 tensors (rank 0 or 1, at most CLG_MAX_RANK values) that are
 * known while planning: int64 initializers, Shape outputs and what Gather,
 * Unsqueeze, Squeeze, Concat, Cast, Identity, Reshape and the elementwise
 * ops make of them. Exporters build Reshape targets this way from the input
 * shape; evaluating them per plan makes such models run at any batch size.
 * These values never reach the device.
 */
typedef struct clg_host_ints {
    int valid;
    int count;
    int64_t v[CLG_MAX_RANK];
} clg_host_ints;

/*
 * Fills shapes[value] for every value and windows[node] for every Conv and
 * pool node (auto_pad resolved into explicit pads, kernel filled from the
 * weight shape). input_shapes follow g->inputs; order is a topological order
 * of the nodes; ints[value] gets the host int64 values (see above). Each
 * node's attrs.axis is set from attrs.axis_attr, resolved for this plan's
 * ranks (plans consume it when they are made). When the inputs' batch
 * differs from a declared batch of 1, a constant Reshape target that starts
 * with that 1 follows the new batch.
 */
clg_status clg_shape_infer(clg_graph *g, const clg_shape *input_shapes,
                           const int *order, clg_shape *shapes, clg_window *windows,
                           clg_host_ints *ints);

/*
 * Pad's amounts for a rank-`rank` input: begin[d] and end[d] per axis
 * (negative crops), from the attribute (opsets before 11) or the constant
 * pads and axes inputs (ints, see above); axes left out get 0.
 */
clg_status clg_pad_amounts(const clg_node *nd, const clg_host_ints *ints, int rank, int64_t *begin,
                           int64_t *end);

size_t clg_shape_count(const clg_shape *s);

/* 1 when both have the same rank and dims. */
int clg_shape_equal(const clg_shape *a, const clg_shape *b);

/* Product of dims[begin, end) (callers have checked the count fits). */
size_t clg_shape_product(const clg_shape *s, int begin, int end);

#endif
