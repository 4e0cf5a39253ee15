/*
 * Graph IR: values (tensors) and nodes (ops) in the order they were added.
 * The ONNX importer and the tests build graphs through this interface; the
 * planner turns a graph plus concrete input shapes into device work.
 */
#ifndef CLG_GRAPH_H
#define CLG_GRAPH_H

#include <stdint.h>
#include <stddef.h>

#include "clgooglenet.h"
#include "op_table.h"

typedef enum clg_value_kind {
    CLG_VALUE_INPUT,       /* fed by the caller at run time */
    CLG_VALUE_INITIALIZER, /* constant data from the model */
    CLG_VALUE_INTERMEDIATE /* produced by a node */
} clg_value_kind;

typedef struct clg_value {
    char *name;
    clg_value_kind kind;
    int rank;                   /* declared rank; -1 when unknown */
    int64_t dims[CLG_MAX_RANK]; /* declared dims; -1 symbolic */
    float *data;                /* initializer data (owned), else NULL */
    int64_t *int_data;          /* int64 initializer (Reshape shapes), owned */
    size_t int_count;
    int producer;               /* node index, -1 for inputs/initializers */
    int is_output;
    int elem_type;              /* graph inputs and outputs: the declared ONNX type; 0 unknown */
} clg_value;

typedef enum clg_auto_pad {
    CLG_PAD_NOTSET,
    CLG_PAD_VALID,
    CLG_PAD_SAME_UPPER,
    CLG_PAD_SAME_LOWER
} clg_auto_pad;

/* Window attributes shared by Conv and the pools (2-D spatial). */
typedef struct clg_window {
    int kernel[2];  /* kh, kw (Conv: from the weight shape when 0) */
    int stride[2];
    int pads[4];    /* top, left, bottom, right */
    clg_auto_pad auto_pad;
    int ceil_mode;
    int count_include_pad;
    int dilation[2]; /* Conv: dh, dw (pools: 1); 0 reads as 1 (windows not from clg_attrs_default) */
    int group;       /* Conv: input and output channels split into this many groups; 0 reads as 1 */
} clg_window;

/* Dilation 1 and one group (0 counts as unset): the plain convolution every
   pre-existing kernel and pass expects. */
static inline int clg_window_is_plain(const clg_window *w)
{
    return w->dilation[0] <= 1 && w->dilation[1] <= 1 && w->group <= 1;
}

/* Pad modes (Pad-19 added wrap). */
typedef enum clg_pad_mode {
    CLG_PADMODE_CONSTANT,
    CLG_PADMODE_REFLECT,
    CLG_PADMODE_EDGE,
    CLG_PADMODE_WRAP
} clg_pad_mode;

typedef struct clg_attrs {
    clg_window win;       /* Conv, MaxPool, AveragePool */
    int fused_relu;       /* Conv: ReLU folded into the epilogue */
    int fused_pool;       /* Conv 1x1: input max-pooled 3x3/1 pad 1 first (pass 2) */
    int n_hgroup;         /* Conv: 1x1 convolutions of the same input run as one (pass 3) */
    int hgroup[3];        /* their node indices, in output order (this node among them) */
    int axis;             /* Concat, Flatten, Softmax, Gather: as parsed (may be negative) */
    int axis_attr;        /* the same, kept by clg_graph_add_node; each plan resolves it (clg_resolved) */
    int softmax_legacy;   /* Softmax before opset 13: flatten at axis */
    float alpha, beta;    /* Gemm, LRN */
    int trans_a, trans_b; /* Gemm */
    float bias;           /* LRN */
    int size;             /* LRN */
    float clip_min, clip_max; /* Clip before opset 11 (later: inputs 1 and 2) */
    float epsilon;        /* BatchNormalization */
    int n_axes;           /* Unsqueeze/Squeeze axes, Transpose perm; -1: absent */
    int axes[CLG_MAX_RANK];
    int start, end;       /* Shape (opset 15): dims [start, end); end INT32_MAX = all */
    int cast_to;          /* Cast: ONNX TensorProto data type */
    int allowzero;        /* Reshape (opset 14): a 0 in the target is a 0, not a copy */
    clg_pad_mode pad_mode;    /* Pad */
    int pads_from_attr;       /* Pad before opset 11: amounts and value are attributes */
    int n_pads;               /* ... begins then ends, 2 x rank values */
    int pad_amounts[2 * CLG_MAX_RANK];
    float pad_value;
} clg_attrs;

#define CLG_MAX_NODE_INPUTS 64

typedef struct clg_node {
    char *name;
    clg_op_type op;
    int n_inputs;
    int *inputs; /* value indices; -1 for an omitted optional input */
    int output;  /* value index (every supported op has one output) */
    clg_attrs attrs;
} clg_node;

typedef struct clg_graph {
    clg_value *values;
    size_t n_values, cap_values;
    clg_node *nodes;
    size_t n_nodes, cap_nodes;
    int *inputs; /* graph inputs the caller feeds, in order */
    size_t n_inputs;
    int *outputs;
    size_t n_outputs;
    char **metadata; /* key, value, key, value, ... (ONNX metadata_props) */
    size_t n_metadata;
    struct clg_io_decl *decls; /* shapes the file declares for graph inputs and outputs */
    size_t n_decls;
} clg_graph;

/* A graph input's or output's shape as the file declares it. */
typedef struct clg_io_decl {
    int value;
    int rank;                        /* -1: no shape declared */
    int64_t dims[CLG_MAX_RANK];      /* -1: symbolic or unknown */
    char *dim_names[CLG_MAX_RANK];   /* symbolic dimension names (owned), or NULL */
} clg_io_decl;

/* Records a declared shape for value (names may be NULL; each entry may be NULL). */
clg_status clg_graph_declare_io(clg_graph *g, int value, int rank, const int64_t *dims,
                                const char *const *names);

/* The declaration recorded for value, or NULL. */
const clg_io_decl *clg_graph_io_decl(const clg_graph *g, int value);

clg_graph *clg_graph_create(void);
void clg_graph_destroy(clg_graph *g);

/* Finds a value by name; -1 when absent. */
int clg_graph_find_value(const clg_graph *g, const char *name);

/* Adds a value; dims may be NULL when rank is -1. Returns its index in *index. */
clg_status clg_graph_add_value(clg_graph *g, const char *name, clg_value_kind kind, int rank,
                               const int64_t *dims, int *index);

/* Adds an initializer, copying count floats. */
clg_status clg_graph_add_initializer(clg_graph *g, const char *name, int rank,
                                     const int64_t *dims, const float *data, int *index);

/* Adds a node; the output value is created here (it must not exist yet). */
clg_status clg_graph_add_node(clg_graph *g, const char *name, clg_op_type op,
                              const int *inputs, int n_inputs, const char *output,
                              const clg_attrs *attrs, int *index);

clg_status clg_graph_mark_input(clg_graph *g, int value);
clg_status clg_graph_mark_output(clg_graph *g, int value);

/* Adds a metadata entry (copies both strings). */
clg_status clg_graph_add_metadata(clg_graph *g, const char *key, const char *value);

/* Default attributes for an op (strides 1, Gemm alpha/beta 1, ...). */
clg_attrs clg_attrs_default(void);

/* Checks names resolve, outputs are produced and there is no cycle. */
clg_status clg_graph_validate(const clg_graph *g);

/*
 * Points every reader of an Identity of a constant (an initializer with data)
 * at the constant itself, so that the passes and planners see constant
 * weights. PyTorch's exporter writes such Identities for parameters it
 * deduplicated. Returns the number of Identities bypassed.
 */
size_t clg_graph_forward_constants(clg_graph *g);

/* How many node inputs read value (a node reading it twice counts twice). */
size_t clg_graph_reader_count(const clg_graph *g, int value);

/* Fills order[n_nodes] with a topological order; a cycle is CLG_ERR_PARSE. */
clg_status clg_graph_topo_order(const clg_graph *g, int *order);

/* The most Conv nodes on one path through the graph (order: topological);
   0 when there is none, or no memory to count. */
int clg_graph_conv_depth(const clg_graph *g, const int *order);

/* Overflow-checked element count; 0 on overflow or negative dims with ok=0. */
int clg_dims_count(int rank, const int64_t *dims, size_t *count);

#endif
