/*
 * The op table (op_table.h). One entry per ONNX op type; ops several ONNX
 * types share (Identity and Dropout) list their own entry first, which is
 * the one clg_op_def_of and clg_op_name give. ROUND_FLOAT is reached only
 * through Cast's parser: its entry, after Cast's, is never found by name.
 */
#include "op_table.h"

#include <stddef.h>
#include <string.h>


/* Inputs read while planning: bit i is input i. */
#define HOST_INPUT(i) (1u << (i))
#define HOST_ALL_BUT_FIRST (~1u)

static const clg_op_def table[] = {
    /* onnx, op, note,
       min_inputs, max_inputs, host_inputs, is_view, parse, shape, plan */
    {"Conv", CLG_OP_CONV, NULL,
     2, 3, 0, 0, clg_parse_conv, clg_shape_conv, clg_plan_conv},
    {"Relu", CLG_OP_RELU, NULL,
     1, 1, 0, 0, clg_parse_no_attrs, clg_shape_same, clg_plan_relu},
    {"MaxPool", CLG_OP_MAXPOOL, "the Indices output may be named, not read",
     1, 1, 0, 0, clg_parse_maxpool, clg_shape_pool, clg_plan_maxpool},
    {"AveragePool", CLG_OP_AVGPOOL, "dilations (opset 19) of 1 only",
     1, 1, 0, 0, clg_parse_avgpool, clg_shape_pool, clg_plan_avgpool},
    {"GlobalAveragePool", CLG_OP_GLOBAL_AVGPOOL, NULL,
     1, 1, 0, 0, clg_parse_no_attrs, clg_shape_global_pool, clg_plan_global_avgpool},
    {"Concat", CLG_OP_CONCAT, NULL,
     1, CLG_ANY_INPUTS, 0, 0, clg_parse_axis, clg_shape_concat, clg_plan_concat},
    {"Flatten", CLG_OP_FLATTEN, NULL,
     1, 1, 0, 1, clg_parse_axis, clg_shape_flatten, NULL},
    {"Reshape", CLG_OP_RESHAPE, "the shape attribute (opsets before 5) is refused; allowzero from 14",
     2, 2, HOST_INPUT(1), 1, clg_parse_reshape, clg_shape_reshape, NULL},
    {"Gemm", CLG_OP_GEMM, NULL,
     2, 3, 0, 0, clg_parse_gemm, clg_shape_gemm, clg_plan_gemm},
    {"MatMul", CLG_OP_MATMUL, NULL,
     2, 2, 0, 0, clg_parse_no_attrs, clg_shape_matmul, clg_plan_matmul},
    /* The elementwise ops refuse the legacy broadcast / axis / consumed_inputs attributes. */
    {"Add", CLG_OP_ADD, NULL,
     2, 2, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Softmax", CLG_OP_SOFTMAX, "opset 13: one axis, default -1; before: flattened from axis 1",
     1, 1, 0, 0, clg_parse_softmax, clg_shape_softmax, clg_plan_softmax},
    {"LRN", CLG_OP_LRN, NULL,
     1, 1, 0, 0, clg_parse_lrn, clg_shape_lrn, clg_plan_lrn},
    {"Identity", CLG_OP_IDENTITY, NULL,
     1, 1, 0, 1, clg_parse_no_attrs, clg_shape_identity, NULL},
    {"Dropout", CLG_OP_IDENTITY, "inference only: training_mode (opset 12) a constant false",
     1, 1, 0, 1, clg_parse_dropout, clg_shape_identity, NULL},
    {"Sub", CLG_OP_SUB, NULL,
     2, 2, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Mul", CLG_OP_MUL, NULL,
     2, 2, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Div", CLG_OP_DIV, NULL,
     2, 2, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    /* Sum, Max and Min of one input are Identity (onnx_import.c). */
    {"Sum", CLG_OP_SUM, NULL,
     1, CLG_ANY_INPUTS, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Max", CLG_OP_MAX, NULL,
     1, CLG_ANY_INPUTS, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Min", CLG_OP_MIN, NULL,
     1, CLG_ANY_INPUTS, 0, 0, clg_parse_no_attrs, clg_shape_elementwise, clg_plan_elementwise},
    {"Clip", CLG_OP_CLIP, "bounds are attributes before opset 11, optional inputs 1 and 2 from 11",
     1, 3, 0, 0, clg_parse_clip, clg_shape_clip, clg_plan_clip},
    {"BatchNormalization", CLG_OP_BATCHNORM, "inference form only (training_mode 0, spatial 1)",
     5, 5, 0, 0, clg_parse_batchnorm, clg_shape_batchnorm, clg_plan_batchnorm},
    {"Gather", CLG_OP_GATHER, "indices must be constant",
     2, 2, HOST_INPUT(1), 0, clg_parse_gather, clg_shape_gather, clg_plan_gather},
    {"Unsqueeze", CLG_OP_UNSQUEEZE, "axes an attribute before opset 13, a constant input from 13",
     1, 2, HOST_INPUT(1), 1, clg_parse_squeeze, clg_shape_unsqueeze, NULL},
    {"Squeeze", CLG_OP_SQUEEZE, "axes an attribute before opset 13, a constant input from 13",
     1, 2, HOST_INPUT(1), 1, clg_parse_squeeze, clg_shape_squeeze, NULL},
    {"Shape", CLG_OP_SHAPE, "start and end from opset 15; computed on the host while planning",
     1, 1, CLG_HOST_ALL, 0, clg_parse_shape, clg_shape_shape, NULL},
    {"Cast", CLG_OP_CAST, "float to float is a view, int64 to int64 / int32 host data",
     1, 1, 0, 1, clg_parse_cast, clg_shape_cast, NULL},
    {"Transpose", CLG_OP_TRANSPOSE, NULL,
     1, 1, 0, 0, clg_parse_transpose, clg_shape_transpose, clg_plan_transpose},
    {"Pad", CLG_OP_PAD, "amounts are attributes before opset 11, inputs from 11; axes from 18; wrap from 19",
     1, 4, HOST_ALL_BUT_FIRST, 0, clg_parse_pad, clg_shape_pad, clg_plan_pad},
    {"Cast", CLG_OP_ROUND_FLOAT, "Cast to FLOAT16 / BFLOAT16: float32 rounded to that precision",
     1, 1, 0, 0, NULL, clg_shape_round_float, clg_plan_round_float},
    {"LeakyRelu", CLG_OP_LEAKY_RELU, "alpha (default 0.01) in attrs.alpha",
     1, 1, 0, 0, clg_parse_leaky_relu, clg_shape_same, clg_plan_leaky_relu},
};

#define TABLE_SIZE (sizeof table / sizeof table[0])

const clg_op_def *clg_op_def_by_onnx(const char *onnx)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (strcmp(table[i].onnx, onnx) == 0) return &table[i];
    return NULL;
}

/* What an op outside the table (CLG_OP_COUNT, a corrupt graph) reads as. */
static const clg_op_def unknown = {"?", CLG_OP_COUNT, NULL, 0, CLG_ANY_INPUTS, 0, 0, NULL, NULL, NULL};

const clg_op_def *clg_op_def_of(clg_op_type op)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (table[i].op == op) return &table[i];
    return &unknown;
}

const char *clg_op_name(clg_op_type op)
{
    return clg_op_def_of(op)->onnx;
}
