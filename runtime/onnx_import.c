#include "onnx_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "external_data.h"
#include "mem_budget.h"
#include "onnx.pb-c.h"
#include "protobuf_depth.h"
#include "tensor_io.h"

#define ONNX_FLOAT 1
#define ONNX_INT32 6
#define ONNX_INT64 7
#define ONNX_BOOL 9
#define ONNX_FLOAT16 10
#define ONNX_BFLOAT16 16

typedef struct importer {
    clg_graph *g;
    const Onnx__GraphProto *graph;
    int64_t opset;
    const char *base_dir; /* the model file's folder, for external data; may be NULL */
    uint64_t external_bytes; /* host memory that external data has taken so far */
    uint64_t external_limit; /* the host budget when the first external tensor was met; 0 before */
    char external_source[160];
} importer;

typedef struct node_ctx {
    const Onnx__NodeProto *proto;
    const char *name;
    const char *op;
} node_ctx;

static clg_status node_error(const node_ctx *n, clg_status st, const char *fmt, const char *detail)
{
    char what[512];
    snprintf(what, sizeof what, fmt, detail);
    return clg_fail_node(st, n->name, n->op, "%s", what);
}

/* ---- attributes --------------------------------------------------------- */

static const Onnx__AttributeProto *find_attr(const node_ctx *n, const char *name)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++)
        if (n->proto->attribute[i]->name && strcmp(n->proto->attribute[i]->name, name) == 0)
            return n->proto->attribute[i];
    return NULL;
}

static clg_status attr_int(const node_ctx *n, const char *name, int64_t lo, int64_t hi, int *value)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be an int", name);
    if (a->i < lo || a->i > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "attribute '%s' = %lld is not supported (expected %lld..%lld)", name,
                 (long long)a->i, (long long)lo, (long long)hi);
        return node_error(n, CLG_ERR_UNSUPPORTED, "%s", msg);
    }
    *value = (int)a->i;
    return CLG_OK;
}

static clg_status attr_float(const node_ctx *n, const char *name, float *value)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a float", name);
    *value = a->f;
    return CLG_OK;
}

/* Reads an ints attribute of exactly `count` values in [lo, hi]; absent is fine. */
static clg_status attr_ints(const node_ctx *n, const char *name, size_t count, int64_t lo, int64_t hi,
                            int *values)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", name);
    if (a->n_ints != count) {
        char msg[200];
        snprintf(msg, sizeof msg, "attribute '%s' has %zu values; only 2-D spatial ops (%zu values) are supported",
                 name, a->n_ints, count);
        return node_error(n, CLG_ERR_UNSUPPORTED, "%s", msg);
    }
    for (size_t i = 0; i < count; i++) {
        if (a->ints[i] < lo || a->ints[i] > hi)
            return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has a value out of the supported range", name);
        values[i] = (int)a->ints[i];
    }
    return CLG_OK;
}

/* Unsqueeze / Squeeze axes, Transpose perm: up to CLG_MAX_RANK values in [-CLG_MAX_RANK, CLG_MAX_RANK]. */
static clg_status attr_axes(const node_ctx *n, const char *name, clg_attrs *a)
{
    const Onnx__AttributeProto *at = find_attr(n, name);
    if (!at) return CLG_OK;
    if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", name);
    if (at->n_ints > CLG_MAX_RANK)
        return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has more than 8 values", name);
    for (size_t i = 0; i < at->n_ints; i++) {
        if (at->ints[i] < -CLG_MAX_RANK || at->ints[i] > CLG_MAX_RANK)
            return node_error(n, CLG_ERR_SHAPE, "attribute '%s' has a value out of range", name);
        a->axes[i] = (int)at->ints[i];
    }
    a->n_axes = (int)at->n_ints;
    return CLG_OK;
}

static clg_status attr_auto_pad(const node_ctx *n, clg_auto_pad *pad)
{
    const Onnx__AttributeProto *a = find_attr(n, "auto_pad");
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", "auto_pad");
    static const struct { const char *name; clg_auto_pad pad; } modes[] = {
        {"NOTSET", CLG_PAD_NOTSET}, {"VALID", CLG_PAD_VALID},
        {"SAME_UPPER", CLG_PAD_SAME_UPPER}, {"SAME_LOWER", CLG_PAD_SAME_LOWER}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (a->s.len == strlen(modes[i].name) && memcmp(a->s.data, modes[i].name, a->s.len) == 0) {
            *pad = modes[i].pad;
            return CLG_OK;
        }
    return node_error(n, CLG_ERR_UNSUPPORTED, "auto_pad value is not one of %s",
                      "NOTSET, VALID, SAME_UPPER, SAME_LOWER");
}

/* A string attribute that must be one of words (NULL-terminated); absent is fine. */
static clg_status attr_word(const node_ctx *n, const char *name, const char *const *words)
{
    const Onnx__AttributeProto *a = find_attr(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", name);
    for (const char *const *w = words; *w; w++)
        if (a->s.len == strlen(*w) && memcmp(a->s.data, *w, a->s.len) == 0) return CLG_OK;
    return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has an unknown value", name);
}

/* Every attribute must be one this op understands (NULL-terminated list). */
static clg_status check_attrs(const node_ctx *n, const char *const *known)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const char *name = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++) ok = strcmp(*k, name) == 0;
        if (!ok) return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' is not supported", name);
    }
    return CLG_OK;
}

/* Conv and pool window attributes; dilations above 1 only where max_dilation allows (Conv). */
static clg_status window_attrs(const node_ctx *n, clg_window *w, int need_kernel, int max_dilation)
{
    const Onnx__AttributeProto *k = find_attr(n, "kernel_shape");
    if (need_kernel && !k) return node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "kernel_shape");
    CLG_TRY(attr_ints(n, "kernel_shape", 2, 1, 4096, w->kernel));
    CLG_TRY(attr_ints(n, "strides", 2, 1, 4096, w->stride));
    CLG_TRY(attr_ints(n, "pads", 4, 0, 4096, w->pads));
    const Onnx__AttributeProto *d = find_attr(n, "dilations");
    if (d && d->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        for (size_t i = 0; i < d->n_ints; i++)
            if (d->ints[i] <= 0) return node_error(n, CLG_ERR_PARSE, "%s", "attribute 'dilations': dilations must be >= 1");
    CLG_TRY(attr_ints(n, "dilations", 2, 1, max_dilation, w->dilation));
    CLG_TRY(attr_auto_pad(n, &w->auto_pad));
    return CLG_OK;
}

/* Conv's group: >= 1; whether it divides the channels is checked with the shapes (shape.c). */
static clg_status conv_group(const node_ctx *n, clg_window *w)
{
    const Onnx__AttributeProto *g = find_attr(n, "group");
    if (g && g->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT && g->i <= 0)
        return node_error(n, CLG_ERR_PARSE, "%s", "attribute 'group': group must be >= 1");
    return attr_int(n, "group", 1, INT32_MAX, &w->group);
}

/* ---- values --------------------------------------------------------------- */

/* Reads an INT64 tensor of at most CLG_MAX_RANK values (shapes, indices, axes). */
static clg_status read_int64_tensor(const Onnx__TensorProto *t, const char *name, int *rank, int64_t *dims,
                                    int64_t **data, size_t *count)
{
    if (t->n_dims > 1) /* only short vectors are needed as int64 data */
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: INT64 tensors of rank > 1 are not supported", name);
    for (size_t i = 0; i < t->n_dims; i++) dims[i] = t->dims[i];
    *rank = (int)t->n_dims;
    if (!clg_dims_count(*rank, dims, count) || *count > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: INT64 data is only supported as a vector of at most %d values",
                        name, CLG_MAX_RANK);
    *data = calloc(CLG_MAX_RANK, sizeof(int64_t));
    if (!*data) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    if (t->has_raw_data && t->raw_data.len == *count * sizeof(int64_t)) {
        for (size_t i = 0; i < *count; i++) {
            uint64_t u = 0;
            for (int b = 7; b >= 0; b--) u = (u << 8) | t->raw_data.data[i * 8 + (size_t)b];
            (*data)[i] = (int64_t)u;
        }
    } else if (!t->has_raw_data && t->n_int64_data == *count) {
        memcpy(*data, t->int64_data, *count * sizeof(int64_t));
    } else {
        free(*data);
        *data = NULL;
        return clg_fail(CLG_ERR_PARSE, "%s: INT64 data does not match its shape", name);
    }
    return CLG_OK;
}

/* A short BOOL tensor (Dropout's training_mode) as 0/1 int64 data. */
static clg_status read_bool_tensor(const Onnx__TensorProto *t, const char *name, int *rank, int64_t *dims,
                                   int64_t **data, size_t *count)
{
    if (t->n_dims > 1) return clg_fail(CLG_ERR_UNSUPPORTED, "%s: BOOL tensors of rank > 1 are not supported", name);
    for (size_t i = 0; i < t->n_dims; i++) dims[i] = t->dims[i];
    *rank = (int)t->n_dims;
    if (!clg_dims_count(*rank, dims, count) || *count > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: BOOL data is only supported as a vector of at most %d values",
                        name, CLG_MAX_RANK);
    const int raw = t->has_raw_data && t->raw_data.len == *count;
    if (!raw && (t->has_raw_data || t->n_int32_data != *count))
        return clg_fail(CLG_ERR_PARSE, "%s: BOOL data does not match its shape", name);
    *data = calloc(CLG_MAX_RANK, sizeof(int64_t));
    if (!*data) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < *count; i++) (*data)[i] = (raw ? t->raw_data.data[i] : t->int32_data[i]) != 0;
    return CLG_OK;
}

/* Bytes per element of the types that can be read (0: another type). */
static size_t element_size(int32_t type)
{
    switch (type) {
    case ONNX_FLOAT: return 4;
    case ONNX_FLOAT16:
    case ONNX_BFLOAT16: return 2;
    case ONNX_INT64: return 8;
    case ONNX_BOOL: return 1;
    default: return 0;
    }
}

/*
 * A copy of t whose data is raw_data read from its external file (*bytes,
 * for the caller to free), so that the usual converters read it.
 */
static clg_status external_as_raw(importer *im, const Onnx__TensorProto *t, const char *where,
                                  Onnx__TensorProto *local, unsigned char **bytes)
{
    const size_t elem = t->has_data_type ? element_size(t->data_type) : 0;
    if (!elem)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: tensor data type %s is not supported", where,
                        clg_onnx_type_name(t->has_data_type ? t->data_type : 0));
    if (t->n_dims > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_UNSUPPORTED, "%s: tensor rank %zu exceeds the limit of %d", where, t->n_dims,
                        CLG_MAX_RANK);
    size_t count;
    if (!clg_dims_count((int)t->n_dims, t->dims, &count) || count > SIZE_MAX / elem)
        return clg_fail(CLG_ERR_PARSE, "%s: tensor shape is negative or too large", where);
    /* Tensors may all name the same bytes of one file: the total read, and what
       it becomes (float32, or int64), must fit the host before anything is read. */
    if (!im->external_limit) { /* measured once: what is read later shows in it */
        clg_memory_budget budget;
        clg_memory_budget_host(&budget);
        im->external_limit = budget.limit ? budget.limit : 1;
        snprintf(im->external_source, sizeof im->external_source, "%s", budget.source);
    }
    const uint64_t raw = (uint64_t)count * elem, kept = (uint64_t)count * (elem == 1 ? 8 : elem < 4 ? 4 : elem);
    if (im->external_bytes + raw + kept > im->external_limit) /* the raw bytes live until converted */
        return clg_fail(CLG_ERR_OUT_OF_MEMORY,
                        "%s: external data would take %llu bytes of host memory in all, more than the %llu "
                        "available (%s, less 1/8); nothing more was read", where,
                        (unsigned long long)(im->external_bytes + raw + kept),
                        (unsigned long long)im->external_limit, im->external_source);
    im->external_bytes += kept;
    CLG_TRY(clg_external_data_read(t, im->base_dir, where, count * elem, bytes));
    *local = *t;
    local->has_data_location = 0;
    local->n_external_data = 0;
    local->external_data = NULL;
    local->has_raw_data = 1;
    local->raw_data.len = count * elem;
    local->raw_data.data = *bytes;
    return CLG_OK;
}

/* Converts a tensor held in the model into value v's data. */
static clg_status set_value_data_inline(clg_value *v, const Onnx__TensorProto *t, const char *where)
{
    if (t->has_data_type && t->data_type == ONNX_INT64)
        CLG_TRY(read_int64_tensor(t, where, &v->rank, v->dims, &v->int_data, &v->int_count));
    else if (t->has_data_type && t->data_type == ONNX_BOOL)
        CLG_TRY(read_bool_tensor(t, where, &v->rank, v->dims, &v->int_data, &v->int_count));
    else
        CLG_TRY(clg_tensor_from_proto(t, where, &v->rank, v->dims, &v->data));
    v->kind = CLG_VALUE_INITIALIZER;
    return CLG_OK;
}

/* Gives value idx (new, or a Constant's output) the tensor's data, held in the
   model or in an external file; `where` names it in errors. */
static clg_status set_value_data(importer *im, int idx, const Onnx__TensorProto *t, const char *where)
{
    Onnx__TensorProto local;
    unsigned char *bytes = NULL;
    if (clg_tensor_is_external(t)) {
        CLG_TRY(external_as_raw(im, t, where, &local, &bytes));
        t = &local;
    }
    clg_status st = set_value_data_inline(&im->g->values[idx], t, where);
    free(bytes);
    return st;
}

static clg_status add_initializer(importer *im, const Onnx__TensorProto *t)
{
    if (!t->name || !*t->name) return clg_fail(CLG_ERR_PARSE, "an initializer has no name");
    int idx;
    CLG_TRY(clg_graph_add_value(im->g, t->name, CLG_VALUE_INITIALIZER, -1, NULL, &idx));
    char where[300];
    snprintf(where, sizeof where, "initializer '%.200s'", t->name);
    return set_value_data(im, idx, t, where);
}

static clg_status add_input(importer *im, const Onnx__ValueInfoProto *vi)
{
    if (!vi->name || !*vi->name) return clg_fail(CLG_ERR_PARSE, "a graph input has no name");
    int existing = clg_graph_find_value(im->g, vi->name);
    if (existing >= 0 && im->g->values[existing].kind == CLG_VALUE_INITIALIZER)
        return CLG_OK; /* older exporters list initializers as inputs too */
    int rank = -1;
    int64_t dims[CLG_MAX_RANK];
    const char *names[CLG_MAX_RANK] = {NULL};
    const Onnx__TypeProto *tp = vi->type;
    if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type) {
        const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
        /* FLOAT16 and BFLOAT16 models are fed, and computed, in float32. */
        if (tt->has_elem_type && tt->elem_type != ONNX_FLOAT && tt->elem_type != ONNX_FLOAT16 &&
            tt->elem_type != ONNX_BFLOAT16)
            return clg_fail(CLG_ERR_UNSUPPORTED,
                            "graph input '%s' has type %s; only float32, float16 and bfloat16 inputs are supported",
                            vi->name, clg_onnx_type_name(tt->elem_type));
        if (tt->shape) {
            if (tt->shape->n_dim > CLG_MAX_RANK)
                return clg_fail(CLG_ERR_UNSUPPORTED, "graph input '%s' has rank %zu (at most %d)", vi->name,
                                tt->shape->n_dim, CLG_MAX_RANK);
            rank = (int)tt->shape->n_dim;
            for (int i = 0; i < rank; i++) {
                const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
                dims[i] = d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? d->dim_value : -1;
                if (dims[i] < -1) dims[i] = -1;
                if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) names[i] = d->dim_param;
            }
        }
    } else if (tp && tp->value_case != ONNX__TYPE_PROTO__VALUE__NOT_SET) {
        return clg_fail(CLG_ERR_UNSUPPORTED, "graph input '%s' is not a tensor", vi->name);
    }
    int idx;
    CLG_TRY(clg_graph_add_value(im->g, vi->name, CLG_VALUE_INPUT, rank, rank > 0 ? dims : NULL, &idx));
    if (tp && tp->tensor_type && tp->tensor_type->has_elem_type) im->g->values[idx].elem_type = tp->tensor_type->elem_type;
    CLG_TRY(clg_graph_declare_io(im->g, idx, rank, dims, names));
    return clg_graph_mark_input(im->g, idx);
}

/* Records the shape a graph output's ValueInfo declares (type checked at plan time). */
static clg_status declare_output(importer *im, const Onnx__ValueInfoProto *vi, int v)
{
    const Onnx__TypeProto *tp = vi->type;
    if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type &&
        tp->tensor_type->has_elem_type)
        im->g->values[v].elem_type = tp->tensor_type->elem_type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type ||
        !tp->tensor_type->shape || tp->tensor_type->shape->n_dim > CLG_MAX_RANK)
        return CLG_OK;
    const Onnx__TensorShapeProto *sh = tp->tensor_type->shape;
    int64_t dims[CLG_MAX_RANK];
    const char *names[CLG_MAX_RANK] = {NULL};
    for (size_t i = 0; i < sh->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = sh->dim[i];
        dims[i] = d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ? d->dim_value : -1;
        if (dims[i] < -1) dims[i] = -1;
        if (d && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM) names[i] = d->dim_param;
    }
    return clg_graph_declare_io(im->g, v, (int)sh->n_dim, dims, names);
}

/* Value index for a node input name; "" is an omitted optional input (-1). */
static clg_status resolve_input(importer *im, const node_ctx *n, const char *name, int *index)
{
    if (!name || !*name) {
        *index = -1;
        return CLG_OK;
    }
    /* Node outputs already have placeholders (see import_graph). */
    *index = clg_graph_find_value(im->g, name);
    if (*index >= 0) return CLG_OK;
    return node_error(n, CLG_ERR_PARSE, "input '%s' is not defined by any initializer, graph input or node", name);
}

/* ---- nodes ----------------------------------------------------------------- */

/* Whether a node or a graph output reads the value called name. */
static int value_is_read(const Onnx__GraphProto *g, const char *name)
{
    for (size_t i = 0; i < g->n_node; i++)
        for (size_t k = 0; k < g->node[i]->n_input; k++)
            if (g->node[i]->input[k] && strcmp(g->node[i]->input[k], name) == 0) return 1;
    for (size_t i = 0; i < g->n_output; i++)
        if (g->output[i]->name && strcmp(g->output[i]->name, name) == 0) return 1;
    return 0;
}

/* Optional output i (Dropout's mask, MaxPool's Indices) is not computed: an
   exporter may name it as long as nothing reads it. */
static clg_status optional_output_unread(const importer *im, const node_ctx *n, size_t i, const char *what)
{
    const char *out = i < n->proto->n_output ? n->proto->output[i] : NULL;
    if (out && *out && value_is_read(im->graph, out))
        return node_error(n, CLG_ERR_UNSUPPORTED, "the %s output is read, and it is not computed", what);
    return CLG_OK;
}

/*
 * Pad: opset 1 names the amounts "paddings", 2 to 10 "pads" (attributes,
 * with the constant as attribute "value"); from 11 they are inputs (pads,
 * constant_value, and from 18 axes); 19 adds the wrap mode.
 */
static clg_status pad_attrs(const importer *im, const node_ctx *n, clg_attrs *a)
{
    static const char *const old_keys[] = {"mode", "pads", "paddings", "value", NULL};
    static const char *const new_keys[] = {"mode", NULL};
    static const struct { const char *name; clg_pad_mode mode; int since; } modes[] = {
        {"constant", CLG_PADMODE_CONSTANT, 1}, {"reflect", CLG_PADMODE_REFLECT, 1},
        {"edge", CLG_PADMODE_EDGE, 1}, {"wrap", CLG_PADMODE_WRAP, 19}};
    CLG_TRY(check_attrs(n, im->opset < 11 ? old_keys : new_keys));
    const Onnx__AttributeProto *m = find_attr(n, "mode");
    a->pad_mode = CLG_PADMODE_CONSTANT;
    if (m) {
        if (m->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
            return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", "mode");
        size_t i = 0;
        while (i < sizeof modes / sizeof modes[0] &&
               !(m->s.len == strlen(modes[i].name) && memcmp(m->s.data, modes[i].name, m->s.len) == 0))
            i++;
        if (i == sizeof modes / sizeof modes[0] || im->opset < modes[i].since)
            return node_error(n, CLG_ERR_UNSUPPORTED, "mode is not one of %s",
                              im->opset < 19 ? "constant, reflect, edge" : "constant, reflect, edge, wrap");
        a->pad_mode = modes[i].mode;
    }
    if (im->opset >= 11) {
        if (n->proto->n_input < 2 || !n->proto->input[1] || !*n->proto->input[1])
            return node_error(n, CLG_ERR_PARSE, "missing input '%s'", "pads");
        return CLG_OK;
    }
    const char *key = im->opset < 2 ? "paddings" : "pads";
    const Onnx__AttributeProto *p = find_attr(n, key);
    if (!p) return node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", key);
    if (p->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", key);
    if (p->n_ints > 2 * CLG_MAX_RANK || p->n_ints % 2)
        return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' must have 2 values per axis (rank <= 8)", key);
    for (size_t i = 0; i < p->n_ints; i++) {
        if (p->ints[i] < -(INT64_C(1) << 30) || p->ints[i] > (INT64_C(1) << 30))
            return node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has a value out of the supported range", key);
        a->pad_amounts[i] = (int)p->ints[i];
    }
    a->n_pads = (int)p->n_ints;
    a->pads_from_attr = 1;
    return attr_float(n, "value", &a->pad_value);
}

/* Dropout from opset 12 takes training_mode as input 2: only a constant
   false (inference) gives the identity this runtime computes. */
static clg_status dropout_inference_only(const importer *im, const node_ctx *n)
{
    const char *name = n->proto->n_input > 2 ? n->proto->input[2] : NULL;
    if (!name || !*name) return CLG_OK;
    const int v = clg_graph_find_value(im->g, name);
    const clg_value *val = v >= 0 ? &im->g->values[v] : NULL;
    if (!val || val->kind != CLG_VALUE_INITIALIZER || !val->int_data || val->int_count != 1)
        return node_error(n, CLG_ERR_UNSUPPORTED, "training_mode '%s' must be a constant (training is not supported)",
                          name);
    if (val->int_data[0] != 0)
        return node_error(n, CLG_ERR_UNSUPPORTED, "training_mode '%s' is true: training-mode Dropout is not supported",
                          name);
    return CLG_OK;
}

static clg_status convert_attrs(importer *im, const node_ctx *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const none[] = {NULL};
    static const char *const conv_keys[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad", "group", NULL};
    static const char *const maxpool_keys[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad",
                                               "ceil_mode", "storage_order", NULL};
    /* dilations from opset 19 (only 1 is supported, as for MaxPool) */
    static const char *const avgpool_keys[] = {"kernel_shape", "strides", "pads", "auto_pad", "ceil_mode",
                                               "count_include_pad", "dilations", NULL};
    static const char *const axis_keys[] = {"axis", NULL};
    static const char *const gemm_keys[] = {"alpha", "beta", "transA", "transB", "broadcast", NULL};
    static const char *const lrn_keys[] = {"size", "alpha", "beta", "bias", NULL};
    static const char *const dropout_keys[] = {"ratio", "is_test", "seed", NULL};
    static const char *const reshape_keys[] = {"allowzero", "shape", NULL};
    const char *t = n->op;
    int zero = 0;
    *a = clg_attrs_default();
    if (strcmp(t, "Conv") == 0) {
        *op = CLG_OP_CONV;
        CLG_TRY(check_attrs(n, conv_keys));
        CLG_TRY(conv_group(n, &a->win));
        return window_attrs(n, &a->win, 0, 4096);
    }
    if (strcmp(t, "MaxPool") == 0) {
        *op = CLG_OP_MAXPOOL;
        CLG_TRY(check_attrs(n, maxpool_keys));
        CLG_TRY(attr_int(n, "ceil_mode", 0, 1, &a->win.ceil_mode));
        CLG_TRY(attr_int(n, "storage_order", 0, 0, &zero));
        CLG_TRY(optional_output_unread(im, n, 1, "Indices"));
        return window_attrs(n, &a->win, 1, 1);
    }
    if (strcmp(t, "AveragePool") == 0) {
        *op = CLG_OP_AVGPOOL;
        CLG_TRY(check_attrs(n, avgpool_keys));
        CLG_TRY(attr_int(n, "ceil_mode", 0, 1, &a->win.ceil_mode));
        CLG_TRY(attr_int(n, "count_include_pad", 0, 1, &a->win.count_include_pad));
        return window_attrs(n, &a->win, 1, 1);
    }
    if (strcmp(t, "GlobalAveragePool") == 0) {
        *op = CLG_OP_GLOBAL_AVGPOOL;
        return check_attrs(n, none);
    }
    if (strcmp(t, "Relu") == 0) {
        *op = CLG_OP_RELU;
        return check_attrs(n, none);
    }
    if (strcmp(t, "Identity") == 0) {
        *op = CLG_OP_IDENTITY;
        return check_attrs(n, none);
    }
    if (strcmp(t, "Dropout") == 0) {
        *op = CLG_OP_IDENTITY;
        CLG_TRY(optional_output_unread(im, n, 1, "mask"));
        CLG_TRY(dropout_inference_only(im, n));
        return check_attrs(n, dropout_keys);
    }
    if (strcmp(t, "Concat") == 0 || strcmp(t, "Flatten") == 0 || strcmp(t, "Softmax") == 0) {
        *op = t[0] == 'C' ? CLG_OP_CONCAT : t[0] == 'F' ? CLG_OP_FLATTEN : CLG_OP_SOFTMAX;
        /* Softmax: axis defaults to -1 and covers one axis from opset 13; before,
           it defaulted to 1 and flattened everything from the axis on. */
        a->axis = (*op == CLG_OP_SOFTMAX && im->opset >= 13) ? -1 : 1;
        a->softmax_legacy = *op == CLG_OP_SOFTMAX && im->opset < 13;
        CLG_TRY(check_attrs(n, axis_keys));
        return attr_int(n, "axis", -CLG_MAX_RANK, CLG_MAX_RANK, &a->axis);
    }
    if (strcmp(t, "Reshape") == 0) {
        *op = CLG_OP_RESHAPE;
        CLG_TRY(check_attrs(n, reshape_keys));
        CLG_TRY(attr_int(n, "allowzero", 0, 1, &a->allowzero)); /* opset 14 */
        if (find_attr(n, "shape")) /* opsets before 5 */
            return node_error(n, CLG_ERR_UNSUPPORTED, "the %s attribute (opset < 5) is not supported", "shape");
        return CLG_OK;
    }
    if (strcmp(t, "Gemm") == 0) {
        *op = CLG_OP_GEMM;
        CLG_TRY(check_attrs(n, gemm_keys));
        CLG_TRY(attr_float(n, "alpha", &a->alpha));
        CLG_TRY(attr_float(n, "beta", &a->beta));
        CLG_TRY(attr_int(n, "transA", 0, 1, &a->trans_a));
        return attr_int(n, "transB", 0, 1, &a->trans_b);
    }
    if (strcmp(t, "MatMul") == 0) {
        *op = CLG_OP_MATMUL;
        return check_attrs(n, none);
    }
    if (strcmp(t, "Add") == 0) {
        *op = CLG_OP_ADD;
        return check_attrs(n, none); /* legacy broadcast/axis attributes are refused */
    }
    if (strcmp(t, "LRN") == 0) {
        *op = CLG_OP_LRN;
        a->alpha = 1e-4f;
        a->beta = 0.75f;
        a->bias = 1.0f;
        CLG_TRY(check_attrs(n, lrn_keys));
        if (!find_attr(n, "size")) return node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "size");
        CLG_TRY(attr_int(n, "size", 1, 4096, &a->size));
        CLG_TRY(attr_float(n, "alpha", &a->alpha));
        CLG_TRY(attr_float(n, "beta", &a->beta));
        return attr_float(n, "bias", &a->bias);
    }
    if (strcmp(t, "Sub") == 0 || strcmp(t, "Mul") == 0 || strcmp(t, "Div") == 0 ||
        strcmp(t, "Sum") == 0 || strcmp(t, "Max") == 0 || strcmp(t, "Min") == 0) {
        static const struct { const char *name; clg_op_type op; } ops[] = {
            {"Sub", CLG_OP_SUB}, {"Mul", CLG_OP_MUL}, {"Div", CLG_OP_DIV},
            {"Sum", CLG_OP_SUM}, {"Max", CLG_OP_MAX}, {"Min", CLG_OP_MIN}};
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (strcmp(t, ops[i].name) == 0) *op = ops[i].op;
        return check_attrs(n, none); /* legacy broadcast/axis/consumed_inputs are refused */
    }
    if (strcmp(t, "Clip") == 0) {
        static const char *const clip_keys[] = {"min", "max", NULL};
        *op = CLG_OP_CLIP;
        CLG_TRY(check_attrs(n, im->opset < 11 ? clip_keys : none));
        CLG_TRY(attr_float(n, "min", &a->clip_min));
        return attr_float(n, "max", &a->clip_max);
    }
    if (strcmp(t, "BatchNormalization") == 0) {
        static const char *const bn_keys[] = {"epsilon", "momentum", "spatial", "is_test",
                                              "training_mode", "consumed_inputs", NULL};
        int one = 1;
        *op = CLG_OP_BATCHNORM;
        CLG_TRY(check_attrs(n, bn_keys));
        CLG_TRY(attr_int(n, "spatial", 1, 1, &one));
        CLG_TRY(attr_int(n, "training_mode", 0, 0, &zero));
        return attr_float(n, "epsilon", &a->epsilon);
    }
    if (strcmp(t, "Gather") == 0) {
        *op = CLG_OP_GATHER;
        a->axis = 0;
        CLG_TRY(check_attrs(n, axis_keys));
        return attr_int(n, "axis", -CLG_MAX_RANK, CLG_MAX_RANK, &a->axis);
    }
    if (strcmp(t, "Unsqueeze") == 0 || strcmp(t, "Squeeze") == 0) {
        static const char *const axes_keys[] = {"axes", NULL};
        *op = t[0] == 'U' ? CLG_OP_UNSQUEEZE : CLG_OP_SQUEEZE;
        CLG_TRY(check_attrs(n, axes_keys));
        return attr_axes(n, "axes", a);
    }
    if (strcmp(t, "Shape") == 0) {
        static const char *const shape_keys[] = {"start", "end", NULL};
        *op = CLG_OP_SHAPE;
        CLG_TRY(check_attrs(n, shape_keys));
        CLG_TRY(attr_int(n, "start", INT32_MIN, INT32_MAX, &a->start));
        return attr_int(n, "end", INT32_MIN, INT32_MAX, &a->end);
    }
    if (strcmp(t, "Transpose") == 0) {
        static const char *const perm_keys[] = {"perm", NULL};
        *op = CLG_OP_TRANSPOSE;
        CLG_TRY(check_attrs(n, perm_keys));
        return attr_axes(n, "perm", a);
    }
    if (strcmp(t, "Pad") == 0) {
        *op = CLG_OP_PAD;
        return pad_attrs(im, n, a);
    }
    if (strcmp(t, "Cast") == 0) {
        /* round_mode (opset 24) applies to float8 e8m0 targets only; checked, then unused */
        static const char *const cast_keys[] = {"to", "saturate", "round_mode", NULL};
        static const char *const round_modes[] = {"up", "down", "nearest", NULL};
        *op = CLG_OP_CAST;
        CLG_TRY(check_attrs(n, cast_keys));
        CLG_TRY(attr_word(n, "round_mode", round_modes));
        if (!find_attr(n, "to")) return node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "to");
        CLG_TRY(attr_int(n, "to", 0, 64, &a->cast_to));
        if (a->cast_to != ONNX_FLOAT && a->cast_to != ONNX_INT64 && a->cast_to != ONNX_INT32 &&
            a->cast_to != ONNX_FLOAT16 && a->cast_to != ONNX_BFLOAT16)
            return node_error(n, CLG_ERR_UNSUPPORTED, "casting to %s is not supported", clg_onnx_type_name(a->cast_to));
        /* Reduced-precision values are held in float32, rounded to the type's precision. */
        if (a->cast_to == ONNX_FLOAT16 || a->cast_to == ONNX_BFLOAT16) *op = CLG_OP_ROUND_FLOAT;
        return CLG_OK;
    }
    return node_error(n, CLG_ERR_UNSUPPORTED, "operator '%s' is not supported", t);
}

/* How many inputs an op reads (extra optional ones, like Dropout's ratio, are ignored). */
static int used_inputs(clg_op_type op, int given)
{
    switch (op) {
    case CLG_OP_CONV:
    case CLG_OP_GEMM:
    case CLG_OP_CLIP: return given < 3 ? given : 3;
    case CLG_OP_BATCHNORM: return given < 5 ? given : 5;
    case CLG_OP_PAD: return given < 4 ? given : 4;
    case CLG_OP_SHAPE:
    case CLG_OP_CAST:
    case CLG_OP_ROUND_FLOAT:
    case CLG_OP_TRANSPOSE:
    case CLG_OP_IDENTITY:
    case CLG_OP_RELU:
    case CLG_OP_MAXPOOL:
    case CLG_OP_AVGPOOL:
    case CLG_OP_GLOBAL_AVGPOOL:
    case CLG_OP_FLATTEN:
    case CLG_OP_SOFTMAX:
    case CLG_OP_LRN: return given < 1 ? given : 1;
    case CLG_OP_RESHAPE:
    case CLG_OP_MATMUL:
    case CLG_OP_GATHER:
    case CLG_OP_UNSQUEEZE:
    case CLG_OP_SQUEEZE:
    case CLG_OP_SUB:
    case CLG_OP_MUL:
    case CLG_OP_DIV:
    case CLG_OP_ADD: return given < 2 ? given : 2;
    default: return given; /* Concat, Sum, Max, Min */
    }
}

static int required_inputs(clg_op_type op)
{
    switch (op) {
    case CLG_OP_CONV:
    case CLG_OP_GEMM:
    case CLG_OP_RESHAPE:
    case CLG_OP_MATMUL:
    case CLG_OP_GATHER:
    case CLG_OP_SUB:
    case CLG_OP_MUL:
    case CLG_OP_DIV:
    case CLG_OP_ADD: return 2;
    case CLG_OP_BATCHNORM: return 5;
    default: return 1;
    }
}

/*
 * A Constant node becomes an initializer: its output value (a placeholder
 * made by import_graph) takes the data of the value / value_float(s) /
 * value_int(s) attribute.
 */
static clg_status add_constant(importer *im, const node_ctx *n)
{
    static const char *const keys[] = {"value", "value_float", "value_floats", "value_int", "value_ints", NULL};
    const Onnx__NodeProto *p = n->proto;
    if (p->n_input != 0) return node_error(n, CLG_ERR_PARSE, "%s", "a Constant has no inputs");
    if (p->n_output != 1 || !p->output[0] || !*p->output[0])
        return node_error(n, CLG_ERR_PARSE, "%s", "a Constant has exactly one output");
    if (p->n_attribute != 1) return node_error(n, CLG_ERR_PARSE, "%s", "a Constant has exactly one value attribute");
    CLG_TRY(check_attrs(n, keys));
    const Onnx__AttributeProto *a = p->attribute[0];
    int idx = clg_graph_find_value(im->g, p->output[0]);
    clg_value *v = idx >= 0 ? &im->g->values[idx] : NULL;
    if (!v || v->kind != CLG_VALUE_INTERMEDIATE || v->producer >= 0 || v->data || v->int_data)
        return node_error(n, CLG_ERR_PARSE, "output '%s' is defined twice", p->output[0]);
    char where[300];
    snprintf(where, sizeof where, "node '%.200s' (Constant)", n->name);
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        if (!a->t) return node_error(n, CLG_ERR_PARSE, "%s", "empty value");
        return set_value_data(im, idx, a->t, where);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS: {
        const int scalar = a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
        const size_t count = scalar ? 1 : a->n_floats;
        v->data = malloc((count ? count : 1) * sizeof(float));
        if (!v->data) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        if (scalar) v->data[0] = a->f;
        else if (count) memcpy(v->data, a->floats, count * sizeof(float));
        v->rank = scalar ? 0 : 1;
        v->dims[0] = (int64_t)count;
        break;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS: {
        const int scalar = a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
        const size_t count = scalar ? 1 : a->n_ints;
        if (count > CLG_MAX_RANK)
            return node_error(n, CLG_ERR_UNSUPPORTED, "%s", "INT64 data is only supported as a vector of at most 8 values");
        v->int_data = calloc(CLG_MAX_RANK, sizeof(int64_t));
        if (!v->int_data) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        if (scalar) v->int_data[0] = a->i;
        else if (count) memcpy(v->int_data, a->ints, count * sizeof(int64_t));
        v->int_count = count;
        v->rank = scalar ? 0 : 1;
        v->dims[0] = (int64_t)count;
        break;
    }
    default:
        return node_error(n, CLG_ERR_PARSE, "%s", "the value attribute has the wrong type");
    }
    v->kind = CLG_VALUE_INITIALIZER;
    return CLG_OK;
}

static clg_status add_node(importer *im, const Onnx__NodeProto *p, size_t index)
{
    char fallback[64];
    node_ctx n = {p, p->name, p->op_type ? p->op_type : ""};
    if (!n.name || !*n.name) {
        snprintf(fallback, sizeof fallback, "%s_%zu", n.op, index);
        n.name = fallback;
    }
    if (p->domain && *p->domain && strcmp(p->domain, "ai.onnx") != 0)
        return node_error(&n, CLG_ERR_UNSUPPORTED, "operator domain '%s' is not supported", p->domain);
    if (strcmp(n.op, "Constant") == 0) return add_constant(im, &n);
    clg_op_type op = CLG_OP_COUNT;
    clg_attrs attrs;
    CLG_TRY(convert_attrs(im, &n, &op, &attrs));
    /* Sum, Max and Min of one input are that input. */
    if ((op == CLG_OP_SUM || op == CLG_OP_MAX || op == CLG_OP_MIN) && p->n_input == 1) op = CLG_OP_IDENTITY;
    if (p->n_output < 1 || !p->output[0] || !*p->output[0])
        return node_error(&n, CLG_ERR_PARSE, "%s", "node has no output");
    for (size_t i = 1; i < p->n_output; i++)
        if (p->output[i] && *p->output[i] && op != CLG_OP_IDENTITY && op != CLG_OP_MAXPOOL)
            return node_error(&n, CLG_ERR_UNSUPPORTED, "%s", "extra outputs are not supported");
    if (p->n_input > CLG_MAX_NODE_INPUTS)
        return node_error(&n, CLG_ERR_UNSUPPORTED, "%s", "too many inputs");
    int count = used_inputs(op, (int)p->n_input);
    if (count < required_inputs(op))
        return node_error(&n, CLG_ERR_PARSE, "%s", "missing required inputs");
    int inputs[CLG_MAX_NODE_INPUTS];
    for (int i = 0; i < count; i++) CLG_TRY(resolve_input(im, &n, p->input[i], &inputs[i]));
    if (inputs[0] < 0 && op != CLG_OP_CONCAT) return node_error(&n, CLG_ERR_PARSE, "%s", "first input is empty");
    clg_status st = clg_graph_add_node(im->g, n.name, op, inputs, count, p->output[0], &attrs, NULL);
    return st == CLG_OK ? CLG_OK : clg_fail_node_context(st, n.name, n.op);
}

static int64_t default_opset(const Onnx__ModelProto *m)
{
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0) return o->has_version ? o->version : 0;
    }
    return m->n_opset_import ? -1 : 1; /* IR version 1 files predate opset_import */
}

static clg_status import_graph(importer *im)
{
    const Onnx__GraphProto *gp = im->graph;
    for (size_t i = 0; i < gp->n_initializer; i++) CLG_TRY(add_initializer(im, gp->initializer[i]));
    if (gp->n_sparse_initializer) return clg_fail(CLG_ERR_UNSUPPORTED, "sparse initializers are not supported");
    for (size_t i = 0; i < gp->n_input; i++) CLG_TRY(add_input(im, gp->input[i]));
    /* A placeholder for each node's output first, so that a node may read a value
       made later in the file (unsorted graphs); clg_graph_add_node adopts it. */
    for (size_t i = 0; i < gp->n_node; i++) {
        const char *out = gp->node[i]->n_output > 0 ? gp->node[i]->output[0] : NULL;
        if (out && *out && clg_graph_find_value(im->g, out) < 0)
            CLG_TRY(clg_graph_add_value(im->g, out, CLG_VALUE_INTERMEDIATE, -1, NULL, NULL));
    }
    for (size_t i = 0; i < gp->n_node; i++) CLG_TRY(add_node(im, gp->node[i], i));
    if (gp->n_output == 0) return clg_fail(CLG_ERR_PARSE, "the graph has no outputs");
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name ? gp->output[i]->name : "";
        int v = clg_graph_find_value(im->g, name);
        if (v < 0) return clg_fail(CLG_ERR_PARSE, "graph output '%s' is not produced by any node", name);
        CLG_TRY(clg_graph_mark_output(im->g, v));
        CLG_TRY(declare_output(im, gp->output[i], v));
    }
    return clg_graph_validate(im->g);
}

clg_status clg_onnx_import(const void *data, size_t size, clg_graph **out)
{
    return clg_onnx_import_dir(data, size, NULL, out);
}

clg_status clg_onnx_import_dir(const void *data, size_t size, const char *base_dir, clg_graph **out)
{
    *out = NULL;
    if (size == 0) return clg_fail(CLG_ERR_PARSE, "empty file: not an ONNX model");
    if (!clg_protobuf_depth_within(data, size, &onnx__model_proto__descriptor, CLG_PROTOBUF_MAX_DEPTH))
        return clg_fail(CLG_ERR_PARSE, "the model nests messages more than %d levels deep "
                                       "(graphs inside attributes inside graphs ...)", CLG_PROTOBUF_MAX_DEPTH);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, size, data);
    if (!m) return clg_fail(CLG_ERR_PARSE, "not a valid ONNX model (protobuf parsing failed; truncated or corrupt?)");
    clg_status st = CLG_OK;
    importer im = {NULL, m->graph, default_opset(m), base_dir, 0, 0, ""};
    if (!m->graph || (m->graph->n_node == 0 && m->graph->n_output == 0))
        st = clg_fail(CLG_ERR_PARSE, "not an ONNX model: it has no graph");
    else if (im.opset == -1)
        st = clg_fail(CLG_ERR_UNSUPPORTED, "the model imports no opset of the default ONNX domain "
                                           "(only other domains, such as '%s')",
                      m->opset_import[0]->domain ? m->opset_import[0]->domain : "");
    else if (im.opset < CLG_ONNX_OPSET_MIN || im.opset > CLG_ONNX_OPSET_MAX)
        st = clg_fail(CLG_ERR_UNSUPPORTED, "opset %lld of the default domain is not supported (%d to %d)",
                      (long long)im.opset, CLG_ONNX_OPSET_MIN, CLG_ONNX_OPSET_MAX);
    else if (!(im.g = clg_graph_create()))
        st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    if (st == CLG_OK) st = import_graph(&im);
    for (size_t i = 0; st == CLG_OK && i < m->n_metadata_props; i++)
        st = clg_graph_add_metadata(im.g, m->metadata_props[i]->key, m->metadata_props[i]->value);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != CLG_OK) {
        clg_graph_destroy(im.g);
        return st;
    }
    *out = im.g;
    return CLG_OK;
}
