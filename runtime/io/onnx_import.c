#include "onnx_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "external_data.h"
#include "mem_budget.h"
#include "onnx.pb-c.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "protobuf_depth.h"
#include "tensor_io.h"

#define ONNX_FLOAT 1
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
static clg_status resolve_input(importer *im, const clg_onnx_node *n, const char *name, int *index)
{
    if (!name || !*name) {
        *index = -1;
        return CLG_OK;
    }
    /* Node outputs already have placeholders (see import_graph). */
    *index = clg_graph_find_value(im->g, name);
    if (*index >= 0) return CLG_OK;
    return clg_node_error(n, CLG_ERR_PARSE, "input '%s' is not defined by any initializer, graph input or node", name);
}

/* ---- nodes ----------------------------------------------------------------- */






/*
 * A Constant node becomes an initializer: its output value (a placeholder
 * made by import_graph) takes the data of the value / value_float(s) /
 * value_int(s) attribute.
 */
static clg_status add_constant(importer *im, const clg_onnx_node *n)
{
    static const char *const keys[] = {"value", "value_float", "value_floats", "value_int", "value_ints", NULL};
    const Onnx__NodeProto *p = n->proto;
    if (p->n_input != 0) return clg_node_error(n, CLG_ERR_PARSE, "%s", "a Constant has no inputs");
    if (p->n_output != 1 || !p->output[0] || !*p->output[0])
        return clg_node_error(n, CLG_ERR_PARSE, "%s", "a Constant has exactly one output");
    if (p->n_attribute != 1) return clg_node_error(n, CLG_ERR_PARSE, "%s", "a Constant has exactly one value attribute");
    CLG_TRY(clg_check_attrs(n, keys));
    const Onnx__AttributeProto *a = p->attribute[0];
    int idx = clg_graph_find_value(im->g, p->output[0]);
    clg_value *v = idx >= 0 ? &im->g->values[idx] : NULL;
    if (!v || v->kind != CLG_VALUE_INTERMEDIATE || v->producer >= 0 || v->data || v->int_data)
        return clg_node_error(n, CLG_ERR_PARSE, "output '%s' is defined twice", p->output[0]);
    char where[300];
    snprintf(where, sizeof where, "node '%.200s' (Constant)", n->name);
    switch (a->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR:
        if (!a->t) return clg_node_error(n, CLG_ERR_PARSE, "%s", "empty value");
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
            return clg_node_error(n, CLG_ERR_UNSUPPORTED, "%s", "INT64 data is only supported as a vector of at most 8 values");
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
        return clg_node_error(n, CLG_ERR_PARSE, "%s", "the value attribute has the wrong type");
    }
    v->kind = CLG_VALUE_INITIALIZER;
    return CLG_OK;
}

/* Parses the node's attributes through its op's table entry (op_table.c). */
static clg_status convert_attrs(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    const clg_op_def *def = clg_op_def_by_onnx(n->op);
    *a = clg_attrs_default();
    if (!def || !def->parse) return clg_node_error(n, CLG_ERR_UNSUPPORTED, "operator '%s' is not supported", n->op);
    *op = def->op;
    return def->parse(n, op, a);
}

static clg_status add_node(importer *im, const Onnx__NodeProto *p, size_t index)
{
    char fallback[64];
    clg_onnx_node n = {p, p->name, p->op_type ? p->op_type : "", im->opset, im->graph, im->g};
    if (!n.name || !*n.name) {
        snprintf(fallback, sizeof fallback, "%s_%zu", n.op, index);
        n.name = fallback;
    }
    if (p->domain && *p->domain && strcmp(p->domain, "ai.onnx") != 0)
        return clg_node_error(&n, CLG_ERR_UNSUPPORTED, "operator domain '%s' is not supported", p->domain);
    if (strcmp(n.op, "Constant") == 0) return add_constant(im, &n);
    clg_op_type op = CLG_OP_COUNT;
    clg_attrs attrs;
    CLG_TRY(convert_attrs(&n, &op, &attrs));
    /* Sum, Max and Min of one input are that input. */
    if ((op == CLG_OP_SUM || op == CLG_OP_MAX || op == CLG_OP_MIN) && p->n_input == 1) op = CLG_OP_IDENTITY;
    if (p->n_output < 1 || !p->output[0] || !*p->output[0])
        return clg_node_error(&n, CLG_ERR_PARSE, "%s", "node has no output");
    for (size_t i = 1; i < p->n_output; i++)
        if (p->output[i] && *p->output[i] && op != CLG_OP_IDENTITY && op != CLG_OP_MAXPOOL)
            return clg_node_error(&n, CLG_ERR_UNSUPPORTED, "%s", "extra outputs are not supported");
    if (p->n_input > CLG_MAX_NODE_INPUTS)
        return clg_node_error(&n, CLG_ERR_UNSUPPORTED, "%s", "too many inputs");
    /* Extra optional inputs, like Dropout's ratio, are not read. */
    const clg_op_def *def = clg_op_def_of(op);
    int count = (int)p->n_input;
    if (def->max_inputs != CLG_ANY_INPUTS && count > def->max_inputs) count = def->max_inputs;
    if (count < def->min_inputs)
        return clg_node_error(&n, CLG_ERR_PARSE, "%s", "missing required inputs");
    int inputs[CLG_MAX_NODE_INPUTS];
    for (int i = 0; i < count; i++) CLG_TRY(resolve_input(im, &n, p->input[i], &inputs[i]));
    if (inputs[0] < 0 && op != CLG_OP_CONCAT) return clg_node_error(&n, CLG_ERR_PARSE, "%s", "first input is empty");
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
