/*
 * Reading one ONNX node's attributes: the helpers every op's attribute
 * parser (ops_*.c, reached through op_table.h) shares. Errors name the node
 * and its ONNX op type.
 */
#ifndef CLG_ONNX_ATTRS_H
#define CLG_ONNX_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "onnx.pb-c.h"


/* The node being imported, and what its parser may look at around it. */
typedef struct clg_onnx_node {
    const Onnx__NodeProto *proto;
    const char *name;              /* the node's name, or "OP_index" when it has none */
    const char *op;                /* its ONNX op type */
    int64_t opset;                 /* the model's opset of the default domain */
    const Onnx__GraphProto *graph; /* the graph it is in */
    const clg_graph *g;            /* what was imported so far (initializers, graph inputs) */
} clg_onnx_node;

/* Sets "node 'NAME' (OP): " + fmt (with detail for its one %s) as the message; returns st. */
clg_status clg_node_error(const clg_onnx_node *n, clg_status st, const char *fmt, const char *detail);

/* The attribute called name, or NULL. */
const Onnx__AttributeProto *clg_attr_find(const clg_onnx_node *n, const char *name);

/* An int attribute in [lo, hi] into *value; absent leaves *value as it is. */
clg_status clg_attr_int(const clg_onnx_node *n, const char *name, int64_t lo, int64_t hi, int *value);

/* A float attribute into *value; absent leaves *value as it is. */
clg_status clg_attr_float(const clg_onnx_node *n, const char *name, float *value);

/* An ints attribute of exactly `count` values in [lo, hi]; absent is fine. */
clg_status clg_attr_ints(const clg_onnx_node *n, const char *name, size_t count, int64_t lo, int64_t hi,
                         int *values);

/* Unsqueeze / Squeeze axes, Transpose perm into a->axes and a->n_axes. */
clg_status clg_attr_axes(const clg_onnx_node *n, const char *name, clg_attrs *a);

/* A string attribute that must be one of words (NULL-terminated); absent is fine. */
clg_status clg_attr_word(const clg_onnx_node *n, const char *name, const char *const *words);

/* Every attribute must be one this op understands (NULL-terminated list). */
clg_status clg_check_attrs(const clg_onnx_node *n, const char *const *known);

/* Conv and pool window attributes; dilations above 1 only where max_dilation allows (Conv). */
clg_status clg_window_attrs(const clg_onnx_node *n, clg_window *w, int need_kernel, int max_dilation);

/* Optional output i (Dropout's mask, MaxPool's Indices) is not computed: an
   exporter may name it as long as nothing reads it. */
clg_status clg_optional_output_unread(const clg_onnx_node *n, size_t i, const char *what);

#endif
