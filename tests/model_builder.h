/*
 * ONNX models built in memory with protobuf-c for the tests (test_graph.c,
 * test_onnx_versions.c, ...): a builder (mb_*), import and load helpers,
 * and running a loaded one-input model. The context comes from
 * context_fixture.h, the comparisons from compare.h, fill from rng.h.
 */
#ifndef CLG_TEST_MODEL_BUILDER_H
#define CLG_TEST_MODEL_BUILDER_H

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgooglenet.h"
#include "compare.h"
#include "context_fixture.h"
#include "graph.h"
#include "model.h"
#include "onnx.pb-c.h"
#include "onnx_import.h"
#include "rng.h"

/* ---- Model builder ------------------------------------------------------ */

/* A ModelProto under construction. Every allocation is owned by the builder. */
typedef struct mb {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
    void **allocs; /* freed by mb_free */
    size_t n_allocs, cap_allocs;
} mb;

enum { MB_MAX_ATTRS = 8 };

/* Check logs every passing assertion (a write per call), so hot helpers only
   call into Check when something is wrong. */
static inline void *need(void *p)
{
    if (!p) ck_abort_msg("out of memory");
    return p;
}

static inline void *mb_alloc(mb *b, size_t size)
{
    if (b->n_allocs == b->cap_allocs) {
        b->cap_allocs = b->cap_allocs ? 2 * b->cap_allocs : 256;
        b->allocs = need(realloc(b->allocs, b->cap_allocs * sizeof *b->allocs));
    }
    void *p = need(calloc(1, size ? size : 1));
    b->allocs[b->n_allocs++] = p;
    return p;
}

static inline char *mb_str(mb *b, const char *s)
{
    char *p = mb_alloc(b, strlen(s) + 1);
    memcpy(p, s, strlen(s) + 1);
    return p;
}

/* Appends item to a realloc'd array of pointers (the graph's lists). */
#define MB_PUSH(array, count, item)                                                               \
    do {                                                                                          \
        (array) = need(realloc((array), ((count) + 1) * sizeof *(array)));                        \
        (array)[(count)++] = (item);                                                              \
    } while (0)

/* A model importing the default domain at `opset`, with an empty graph. */
static inline mb *mb_new(int64_t opset)
{
    mb *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    b->model = (Onnx__ModelProto)ONNX__MODEL_PROTO__INIT;
    b->graph = (Onnx__GraphProto)ONNX__GRAPH_PROTO__INIT;
    b->opset = (Onnx__OperatorSetIdProto)ONNX__OPERATOR_SET_ID_PROTO__INIT;
    b->opset.domain = mb_str(b, "");
    b->opset.has_version = 1;
    b->opset.version = opset;
    b->opsets[0] = &b->opset;
    b->model.has_ir_version = 1;
    b->model.ir_version = 8;
    b->model.n_opset_import = 1;
    b->model.opset_import = b->opsets;
    b->model.graph = &b->graph;
    b->graph.name = mb_str(b, "test");
    return b;
}

static inline void mb_free(mb *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n_allocs; i++) free(b->allocs[i]);
    free(b->allocs);
    free(b->graph.node);
    free(b->graph.initializer);
    free(b->graph.input);
    free(b->graph.output);
    free(b);
}

/* Splits "a,b,,c" into strings ("" stays, as ONNX's omitted inputs). */
static inline char **mb_split(mb *b, const char *list, size_t *count)
{
    *count = 0;
    if (!*list) return NULL;
    size_t n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    char **out = mb_alloc(b, n * sizeof *out);
    const char *start = list;
    for (size_t i = 0; i < n; i++) {
        const char *end = strchr(start, ',');
        size_t len = end ? (size_t)(end - start) : strlen(start);
        out[i] = mb_alloc(b, len + 1);
        memcpy(out[i], start, len);
        start += len + 1;
    }
    *count = n;
    return out;
}

/* A FLOAT initializer holding n floats from data (n may disagree with dims). */
static inline Onnx__TensorProto *mb_init_n(mb *b, const char *name, int rank, const int64_t *dims,
                                    const float *data, size_t n)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    *t = (Onnx__TensorProto)ONNX__TENSOR_PROTO__INIT;
    t->name = mb_str(b, name);
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t->n_dims = (size_t)rank;
    t->dims = mb_alloc(b, (size_t)rank * sizeof(int64_t));
    memcpy(t->dims, dims, (size_t)rank * sizeof(int64_t));
    t->n_float_data = n;
    t->float_data = mb_alloc(b, n * sizeof(float));
    if (n) memcpy(t->float_data, data, n * sizeof(float));
    MB_PUSH(b->graph.initializer, b->graph.n_initializer, t);
    return t;
}

static inline Onnx__TensorProto *mb_init(mb *b, const char *name, int rank, const int64_t *dims,
                                  const float *data)
{
    return mb_init_n(b, name, rank, dims, data, dims_product(rank, dims));
}

/* A 1-D INT64 tensor, named when name is not NULL, in no list yet. */
static inline Onnx__TensorProto *mb_tensor_i64(mb *b, const char *name, size_t n, const int64_t *values)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    *t = (Onnx__TensorProto)ONNX__TENSOR_PROTO__INIT;
    if (name) t->name = mb_str(b, name);
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
    t->n_dims = 1;
    t->dims = mb_alloc(b, sizeof(int64_t));
    t->dims[0] = (int64_t)n;
    t->n_int64_data = n;
    t->int64_data = mb_alloc(b, n * sizeof(int64_t));
    memcpy(t->int64_data, values, n * sizeof(int64_t));
    return t;
}

/* A 1-D INT64 initializer (Reshape's target shape). */
static inline void mb_init_i64(mb *b, const char *name, size_t n, const int64_t *values)
{
    Onnx__TensorProto *t = mb_tensor_i64(b, name, n, values);
    MB_PUSH(b->graph.initializer, b->graph.n_initializer, t);
}

/* A graph input of element type elem; rank -1 leaves the shape out, a
 * negative dim is symbolic ("N"). */
static inline void mb_input_typed(mb *b, const char *name, int32_t elem, int rank, const int64_t *dims)
{
    Onnx__ValueInfoProto *vi = mb_alloc(b, sizeof *vi);
    *vi = (Onnx__ValueInfoProto)ONNX__VALUE_INFO_PROTO__INIT;
    vi->name = mb_str(b, name);
    Onnx__TypeProto *tp = mb_alloc(b, sizeof *tp);
    *tp = (Onnx__TypeProto)ONNX__TYPE_PROTO__INIT;
    Onnx__TypeProto__Tensor *tt = mb_alloc(b, sizeof *tt);
    *tt = (Onnx__TypeProto__Tensor)ONNX__TYPE_PROTO__TENSOR__INIT;
    tt->has_elem_type = 1;
    tt->elem_type = elem;
    if (rank >= 0) {
        Onnx__TensorShapeProto *sp = mb_alloc(b, sizeof *sp);
        *sp = (Onnx__TensorShapeProto)ONNX__TENSOR_SHAPE_PROTO__INIT;
        sp->n_dim = (size_t)rank;
        sp->dim = mb_alloc(b, (size_t)rank * sizeof *sp->dim);
        for (int i = 0; i < rank; i++) {
            Onnx__TensorShapeProto__Dimension *d = mb_alloc(b, sizeof *d);
            *d = (Onnx__TensorShapeProto__Dimension)ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
            if (dims[i] >= 0) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = dims[i];
            } else {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = mb_str(b, "N");
            }
            sp->dim[i] = d;
        }
        tt->shape = sp;
    }
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    vi->type = tp;
    MB_PUSH(b->graph.input, b->graph.n_input, vi);
}

static inline void mb_input(mb *b, const char *name, int rank, const int64_t *dims)
{
    mb_input_typed(b, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, rank, dims);
}

static inline void mb_output(mb *b, const char *name)
{
    Onnx__ValueInfoProto *vi = mb_alloc(b, sizeof *vi);
    *vi = (Onnx__ValueInfoProto)ONNX__VALUE_INFO_PROTO__INIT;
    vi->name = mb_str(b, name);
    MB_PUSH(b->graph.output, b->graph.n_output, vi);
}

/* A node; inputs and outputs are comma-separated names ("X,W,B"). */
static inline Onnx__NodeProto *mb_node(mb *b, const char *op, const char *name, const char *inputs,
                                const char *outputs)
{
    Onnx__NodeProto *n = mb_alloc(b, sizeof *n);
    *n = (Onnx__NodeProto)ONNX__NODE_PROTO__INIT;
    n->op_type = mb_str(b, op);
    if (name) n->name = mb_str(b, name);
    n->input = mb_split(b, inputs, &n->n_input);
    n->output = mb_split(b, outputs, &n->n_output);
    n->attribute = mb_alloc(b, MB_MAX_ATTRS * sizeof *n->attribute);
    MB_PUSH(b->graph.node, b->graph.n_node, n);
    return n;
}

static inline Onnx__AttributeProto *mb_attr(mb *b, Onnx__NodeProto *n, const char *name,
                                     Onnx__AttributeProto__AttributeType type)
{
    if (n->n_attribute >= MB_MAX_ATTRS) ck_abort_msg("more than %d attributes", MB_MAX_ATTRS);
    Onnx__AttributeProto *a = mb_alloc(b, sizeof *a);
    *a = (Onnx__AttributeProto)ONNX__ATTRIBUTE_PROTO__INIT;
    a->name = mb_str(b, name);
    a->has_type = 1;
    a->type = type;
    n->attribute[n->n_attribute++] = a;
    return a;
}

static inline void mb_attr_i(mb *b, Onnx__NodeProto *n, const char *name, int64_t value)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = value;
}

static inline void mb_attr_f(mb *b, Onnx__NodeProto *n, const char *name, float value)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = value;
}

static inline void mb_attr_s(mb *b, Onnx__NodeProto *n, const char *name, const char *value)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.len = strlen(value);
    a->s.data = (uint8_t *)mb_str(b, value);
}

/* An INTS attribute with count values given as ints. */
static inline void mb_attr_ints(mb *b, Onnx__NodeProto *n, const char *name, int count, ...)
{
    Onnx__AttributeProto *a = mb_attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)count;
    a->ints = mb_alloc(b, (size_t)count * sizeof(int64_t));
    va_list ap;
    va_start(ap, count);
    for (int i = 0; i < count; i++) a->ints[i] = va_arg(ap, int);
    va_end(ap);
}

/* The packed model (malloc'd); the builder is freed. */
static inline uint8_t *mb_pack_free(mb *b, size_t *len)
{
    *len = onnx__model_proto__get_packed_size(&b->model);
    uint8_t *buf = malloc(*len ? *len : 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(onnx__model_proto__pack(&b->model, buf), *len);
    mb_free(b);
    return buf;
}

/* Imports the packed builder (freed); asserts success. */
static inline clg_graph *import_ok(mb *b)
{
    size_t len;
    uint8_t *buf = mb_pack_free(b, &len);
    clg_graph *g = NULL;
    clg_status st = clg_onnx_import(buf, len, &g);
    free(buf);
    ck_assert_msg(st == CLG_OK, "import: %s: %s", clg_status_to_string(st), clg_last_error());
    ck_assert_ptr_nonnull(g);
    return g;
}

/* Asserts an exact status and a substring of the message. */
static inline void check_error(clg_status st, clg_status want, const char *substr, int line)
{
    ck_assert_msg(st == want, "line %d: got %s (\"%s\"), want %s", line, clg_status_to_string(st),
                  clg_last_error(), clg_status_to_string(want));
    ck_assert_msg(strstr(clg_last_error(), substr) != NULL, "line %d: message \"%s\" lacks \"%s\"",
                  line, clg_last_error(), substr);
}

static inline void import_error_at(mb *b, clg_status want, const char *substr, int line)
{
    size_t len;
    uint8_t *buf = mb_pack_free(b, &len);
    clg_graph *g = NULL;
    clg_status st = clg_onnx_import(buf, len, &g);
    free(buf);
    if (st == CLG_OK) clg_graph_destroy(g);
    else ck_assert_ptr_null(g);
    check_error(st, want, substr, line);
}
#define IMPORT_ERROR(b, want, substr) import_error_at((b), (want), (substr), __LINE__)

/* ---- Loading and running ------------------------------------------------ */

/* Packs the builder (freed) and loads it; returns the status. */
static inline clg_status load(clg_context *ctx, mb *b, clg_model **m)
{
    size_t len;
    uint8_t *buf = mb_pack_free(b, &len);
    *m = NULL;
    clg_status st = clg_model_load_memory(ctx, buf, len, m);
    free(buf);
    if (st != CLG_OK) ck_assert_ptr_null(*m);
    return st;
}

static inline clg_model *load_ok(clg_context *ctx, mb *b)
{
    clg_model *m;
    clg_status st = load(ctx, b, &m);
    ck_assert_msg(st == CLG_OK, "load: %s: %s", clg_status_to_string(st), clg_last_error());
    return m;
}

/* Runs a one-input, one-output model; *y is NULL on failure. */
static inline clg_status run1(clg_model *m, const clg_tensor *x, clg_tensor **y)
{
    *y = NULL;
    const clg_tensor *in[1] = {x};
    return clg_model_run(m, in, 1, y, 1);
}

static inline clg_tensor *run1_ok(clg_model *m, const clg_tensor *x)
{
    clg_tensor *y;
    clg_status st = run1(m, x, &y);
    ck_assert_msg(st == CLG_OK, "run: %s: %s", clg_status_to_string(st), clg_last_error());
    return y;
}

/* Runs m on x (shape rank, dims) and expects want (shape out_rank, out_dims)
   within tol, as expect_close. */
static inline void expect_run1(clg_model *m, int rank, const int64_t *dims, const float *x, int out_rank,
                               const int64_t *out_dims, const float *want, float tol)
{
    clg_tensor *xt = tensor_of(rank, dims, x), *y = run1_ok(m, xt);
    expect_close(y, out_rank, out_dims, want, tol);
    clg_tensor_destroy(y);
    clg_tensor_destroy(xt);
}

#endif
