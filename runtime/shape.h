/* Shape inference: concrete shapes for every value given the input shapes. */
#ifndef CLG_SHAPE_H
#define CLG_SHAPE_H

#include "graph.h"

typedef struct clg_shape {
    int rank;
    int64_t dims[CLG_MAX_RANK];
} clg_shape;

/*
 * Fills shapes[value] for every value and windows[node] for every Conv and
 * pool node (auto_pad resolved into explicit pads, kernel filled from the
 * weight shape). input_shapes follow g->inputs; order is a topological
 * order of the nodes. Each node's attrs.axis is set from attrs.axis_attr,
 * resolved for this plan's ranks (plans consume it when they are made). When the inputs' batch differs from a declared batch of 1, a
 * constant Reshape target that starts with that 1 follows the new batch.
 */
clg_status clg_shape_infer(clg_graph *g, const clg_shape *input_shapes,
                           const int *order, clg_shape *shapes, clg_window *windows);

size_t clg_shape_count(const clg_shape *s);

#endif
