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
 * What a plan resolves per node from the attributes for its own ranks
 * (the graph stays as the model gives it, so that plans of different
 * shapes may be made from it at once).
 */
typedef struct clg_resolved {
    int axis;               /* Concat, Flatten, Softmax, Gather: attrs.axis_attr made >= 0 */
    int perm[CLG_MAX_RANK]; /* Transpose: attrs.axes, or the reversed axes when perm is absent */
} clg_resolved;

/*
 * What an op's shape function (op_table.h) works on: one node, the shapes
 * and host data of every value before it, and where its results go.
 */
typedef struct clg_shape_node {
    const clg_graph *g;
    const clg_node *nd;
    const clg_shape *shapes;   /* per value */
    const clg_host_ints *ints; /* per value */
    const clg_shape *in[3];    /* the first three inputs' shapes; NULL where omitted */
    int host_in;               /* input 0 is host int64 data */
    int64_t declared_batch;    /* see clg_shape_infer; -1: none to follow */
    clg_shape *out;            /* the output's shape */
    clg_window *win;           /* Conv and pools: the resolved window */
    clg_resolved *r;           /* the node's other resolved values */
    clg_host_ints *h;          /* the output's host data (set when it has some) */
} clg_shape_node;

/* Shape functions' shared parts. Failures say "node 'NAME' (OP): what". */
clg_status clg_shape_fail(const clg_node *nd, clg_status st, const char *what);

/* "2x3x4" ("scalar" for rank 0) for messages. */
void clg_shape_text(const clg_shape *s, char *buf, size_t size);

/* Normalises an axis in [-rank, rank - 1 + extra]; returns 0 when out of range. */
int clg_normalise_axis(int *axis, int rank, int extra);

/* Conv and pool windows: w from the node's attrs with kernel kh x kw, auto_pad
   resolved into pads; *oh x *ow the output's spatial extent. */
clg_status clg_shape_window(const clg_node *nd, const clg_shape *x, int kh, int kw, clg_window *w,
                            int64_t *oh, int64_t *ow);

/* numpy broadcasting of two shapes. */
clg_status clg_shape_broadcast(const clg_node *nd, const clg_shape *a, const clg_shape *b, clg_shape *out);

/* Clip bounds and BatchNormalization parameters: one value, or `count` (one per channel). */
clg_status clg_shape_check_param(const clg_node *nd, const clg_shape *p, int64_t count, const char *what);

/* Whether value v has host int64 data. */
int clg_host_is(const clg_host_ints *ints, int v);

/* Sets a host value's data and its rank-0 or rank-1 shape. */
clg_status clg_host_set(const clg_node *nd, clg_host_ints *h, clg_shape *out, int rank, const int64_t *v,
                        int count);


/*
 * Fills shapes[value] for every value and windows[node] for every Conv and
 * pool node (auto_pad resolved into explicit pads, kernel filled from the
 * weight shape) and resolved[node] (may be NULL) for the ops that resolve
 * axes. input_shapes follow g->inputs; order is a topological order of the
 * nodes; ints[value] gets the host int64 values (see above). The graph is
 * only read. When the inputs' batch
 * differs from a declared batch of 1, a constant Reshape target that starts
 * with that 1 follows the new batch.
 */
clg_status clg_shape_infer(const clg_graph *g, const clg_shape *input_shapes,
                           const int *order, clg_shape *shapes, clg_window *windows,
                           clg_resolved *resolved, clg_host_ints *ints);

/*
 * Pad's amounts (ops_pad.c) for a rank-`rank` input: begin[d] and end[d] per axis
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
