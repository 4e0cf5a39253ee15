/*
 * The op table: the one place an op is described. Each entry says which
 * ONNX op type it imports, how many inputs the op reads, which of them are
 * read on the host while planning, whether it is a view of its input, and
 * where its attribute parser, shape function and planner are (ops_*.c).
 * Adding an op touches this table (its enum value and functions here, its
 * entry in op_table.c), one planner file (ops_*.c: parser, shape function,
 * planner) and one kernel file (cl/).
 */
#ifndef CLG_OP_TABLE_H
#define CLG_OP_TABLE_H

#include "clgooglenet.h"

typedef enum clg_op_type {
    CLG_OP_CONV,
    CLG_OP_RELU,
    CLG_OP_MAXPOOL,
    CLG_OP_AVGPOOL,
    CLG_OP_GLOBAL_AVGPOOL,
    CLG_OP_CONCAT,
    CLG_OP_FLATTEN,
    CLG_OP_RESHAPE,
    CLG_OP_GEMM,
    CLG_OP_MATMUL,
    CLG_OP_ADD,
    CLG_OP_SOFTMAX,
    CLG_OP_LRN,
    CLG_OP_IDENTITY, /* Identity and Dropout in inference */
    /* NumPy-broadcasting elementwise ops; Sum, Max and Min take 2 or more inputs
       (the importer turns one into Identity). */
    CLG_OP_SUB,
    CLG_OP_MUL,
    CLG_OP_DIV,
    CLG_OP_SUM,
    CLG_OP_MAX,
    CLG_OP_MIN,
    CLG_OP_CLIP,      /* inputs: x, optional min, optional max (attributes before opset 11) */
    CLG_OP_BATCHNORM, /* inference form: x, scale, B, mean, var */
    CLG_OP_GATHER,    /* indices must be constant */
    CLG_OP_UNSQUEEZE, /* views; axes from the attribute or a constant input */
    CLG_OP_SQUEEZE,
    CLG_OP_SHAPE,     /* int64 result, computed on the host while planning */
    CLG_OP_CAST,      /* float to float (a view) or int64 to int64 on the host */
    CLG_OP_TRANSPOSE, /* perm in attrs.axes (n_axes -1: reversed) */
    CLG_OP_PAD,       /* inputs: x, pads, constant_value, axes (opset 11+); attributes before */
    CLG_OP_ROUND_FLOAT, /* Cast to FLOAT16 / BFLOAT16 (attrs.cast_to): float32 rounded to that precision */
    CLG_OP_LEAKY_RELU,  /* x < 0: attrs.alpha * x */
    CLG_OP_COUNT
} clg_op_type;

/* The op's name in messages: its ONNX op type. */
const char *clg_op_name(clg_op_type op);

struct clg_onnx_node;  /* onnx_attrs.h */
struct clg_attrs;      /* graph.h */
struct clg_shape_node; /* shape.h */
struct clg_plan;       /* plan.h */

/* Reads the node's attributes into *a (set to clg_attrs_default() first);
   may turn *op into another op (Cast to a reduced float: ROUND_FLOAT). */
typedef clg_status (*clg_attr_parser)(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);

/* Sets the node's output shape (and host int64 data, window) for one plan (shape.h). */
typedef clg_status (*clg_shape_fn)(struct clg_shape_node *s);

/* Appends the steps that compute node n (plan.h). */
typedef clg_status (*clg_planner)(struct clg_plan *plan, int n);

#define CLG_ANY_INPUTS (-1)
#define CLG_HOST_ALL (~0u)

typedef struct clg_op_def {
    const char *onnx;     /* the ONNX op type it imports; also the op's name in messages */
    clg_op_type op;
    const char *note;     /* opset differences the parser handles, or NULL */
    int min_inputs;       /* fewer is a parse error */
    int max_inputs;       /* inputs read (more, like Dropout's ratio, are ignored); CLG_ANY_INPUTS: all */
    unsigned host_inputs; /* bit i: input i is read while planning (shapes, indices), not on the device */
    int is_view;          /* output shares its input's buffer: no device work */
    clg_attr_parser parse;
    clg_shape_fn shape;
    clg_planner plan;     /* NULL: views and ops computed on the host */
} clg_op_def;

/* The entry that imports ONNX op type `onnx`, or NULL when it is not supported. */
const clg_op_def *clg_op_def_by_onnx(const char *onnx);

/* The entry of op (several ONNX types may share an op: its first entry); never NULL. */
const clg_op_def *clg_op_def_of(clg_op_type op);

/* Attribute parsers, shape functions and planners (ops_*.c). */
clg_status clg_parse_no_attrs(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_conv(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_maxpool(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_avgpool(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_dropout(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_axis(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_softmax(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_reshape(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_gemm(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_lrn(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_clip(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_batchnorm(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_gather(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_squeeze(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_shape(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_transpose(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_pad(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_cast(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);
clg_status clg_parse_leaky_relu(const struct clg_onnx_node *n, clg_op_type *op, struct clg_attrs *a);

clg_status clg_shape_conv(struct clg_shape_node *s);
clg_status clg_shape_pool(struct clg_shape_node *s);
clg_status clg_shape_global_pool(struct clg_shape_node *s);
clg_status clg_shape_identity(struct clg_shape_node *s);
/* The output is input 0's shape (Relu, ...; shape.c). */
clg_status clg_shape_same(struct clg_shape_node *s);
clg_status clg_shape_lrn(struct clg_shape_node *s);
clg_status clg_shape_softmax(struct clg_shape_node *s);
clg_status clg_shape_flatten(struct clg_shape_node *s);
clg_status clg_shape_reshape(struct clg_shape_node *s);
clg_status clg_shape_concat(struct clg_shape_node *s);
clg_status clg_shape_gemm(struct clg_shape_node *s);
clg_status clg_shape_matmul(struct clg_shape_node *s);
clg_status clg_shape_elementwise(struct clg_shape_node *s);
clg_status clg_shape_clip(struct clg_shape_node *s);
clg_status clg_shape_batchnorm(struct clg_shape_node *s);
clg_status clg_shape_gather(struct clg_shape_node *s);
clg_status clg_shape_unsqueeze(struct clg_shape_node *s);
clg_status clg_shape_squeeze(struct clg_shape_node *s);
clg_status clg_shape_shape(struct clg_shape_node *s);
clg_status clg_shape_cast(struct clg_shape_node *s);
clg_status clg_shape_round_float(struct clg_shape_node *s);
clg_status clg_shape_pad(struct clg_shape_node *s);
clg_status clg_shape_transpose(struct clg_shape_node *s);

clg_status clg_plan_conv(struct clg_plan *plan, int n);
clg_status clg_plan_relu(struct clg_plan *plan, int n);
clg_status clg_plan_maxpool(struct clg_plan *plan, int n);
clg_status clg_plan_avgpool(struct clg_plan *plan, int n);
clg_status clg_plan_global_avgpool(struct clg_plan *plan, int n);
clg_status clg_plan_concat(struct clg_plan *plan, int n);
clg_status clg_plan_gemm(struct clg_plan *plan, int n);
clg_status clg_plan_matmul(struct clg_plan *plan, int n);
clg_status clg_plan_elementwise(struct clg_plan *plan, int n);
clg_status clg_plan_clip(struct clg_plan *plan, int n);
clg_status clg_plan_batchnorm(struct clg_plan *plan, int n);
clg_status clg_plan_gather(struct clg_plan *plan, int n);
clg_status clg_plan_transpose(struct clg_plan *plan, int n);
clg_status clg_plan_pad(struct clg_plan *plan, int n);
clg_status clg_plan_round_float(struct clg_plan *plan, int n);
clg_status clg_plan_softmax(struct clg_plan *plan, int n);
clg_status clg_plan_lrn(struct clg_plan *plan, int n);
clg_status clg_plan_leaky_relu(struct clg_plan *plan, int n);

#endif
