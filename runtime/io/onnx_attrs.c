#include "onnx_attrs.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "op_table.h"

clg_status clg_node_error(const clg_onnx_node *n, clg_status st, const char *fmt, const char *detail)
{
    char what[512];
    snprintf(what, sizeof what, fmt, detail);
    return clg_fail_node(st, n->name, n->op, "%s", what);
}

const Onnx__AttributeProto *clg_attr_find(const clg_onnx_node *n, const char *name)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++)
        if (n->proto->attribute[i]->name && strcmp(n->proto->attribute[i]->name, name) == 0)
            return n->proto->attribute[i];
    return NULL;
}

clg_status clg_attr_int(const clg_onnx_node *n, const char *name, int64_t lo, int64_t hi, int *value)
{
    const Onnx__AttributeProto *a = clg_attr_find(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be an int", name);
    if (a->i < lo || a->i > hi) {
        char msg[160];
        snprintf(msg, sizeof msg, "attribute '%s' = %lld is not supported (expected %lld..%lld)", name,
                 (long long)a->i, (long long)lo, (long long)hi);
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "%s", msg);
    }
    *value = (int)a->i;
    return CLG_OK;
}

clg_status clg_attr_float(const clg_onnx_node *n, const char *name, float *value)
{
    const Onnx__AttributeProto *a = clg_attr_find(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a float", name);
    *value = a->f;
    return CLG_OK;
}

clg_status clg_attr_ints(const clg_onnx_node *n, const char *name, size_t count, int64_t lo, int64_t hi,
                            int *values)
{
    const Onnx__AttributeProto *a = clg_attr_find(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", name);
    if (a->n_ints != count) {
        char msg[200];
        snprintf(msg, sizeof msg, "attribute '%s' has %zu values; only 2-D spatial ops (%zu values) are supported",
                 name, a->n_ints, count);
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "%s", msg);
    }
    for (size_t i = 0; i < count; i++) {
        if (a->ints[i] < lo || a->ints[i] > hi)
            return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has a value out of the supported range", name);
        values[i] = (int)a->ints[i];
    }
    return CLG_OK;
}

/* Unsqueeze / Squeeze axes, Transpose perm: up to CLG_MAX_RANK values in [-CLG_MAX_RANK, CLG_MAX_RANK]. */
clg_status clg_attr_axes(const clg_onnx_node *n, const char *name, clg_attrs *a)
{
    const Onnx__AttributeProto *at = clg_attr_find(n, name);
    if (!at) return CLG_OK;
    if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", name);
    if (at->n_ints > CLG_MAX_RANK)
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has more than 8 values", name);
    for (size_t i = 0; i < at->n_ints; i++) {
        if (at->ints[i] < -CLG_MAX_RANK || at->ints[i] > CLG_MAX_RANK)
            return clg_node_error(n, CLG_ERR_SHAPE, "attribute '%s' has a value out of range", name);
        a->axes[i] = (int)at->ints[i];
    }
    a->n_axes = (int)at->n_ints;
    return CLG_OK;
}

static clg_status attr_auto_pad(const clg_onnx_node *n, clg_auto_pad *pad)
{
    const Onnx__AttributeProto *a = clg_attr_find(n, "auto_pad");
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", "auto_pad");
    static const struct { const char *name; clg_auto_pad pad; } modes[] = {
        {"NOTSET", CLG_PAD_NOTSET}, {"VALID", CLG_PAD_VALID},
        {"SAME_UPPER", CLG_PAD_SAME_UPPER}, {"SAME_LOWER", CLG_PAD_SAME_LOWER}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (a->s.len == strlen(modes[i].name) && memcmp(a->s.data, modes[i].name, a->s.len) == 0) {
            *pad = modes[i].pad;
            return CLG_OK;
        }
    return clg_node_error(n, CLG_ERR_UNSUPPORTED, "auto_pad value is not one of %s",
                      "NOTSET, VALID, SAME_UPPER, SAME_LOWER");
}

clg_status clg_attr_word(const clg_onnx_node *n, const char *name, const char *const *words)
{
    const Onnx__AttributeProto *a = clg_attr_find(n, name);
    if (!a) return CLG_OK;
    if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", name);
    for (const char *const *w = words; *w; w++)
        if (a->s.len == strlen(*w) && memcmp(a->s.data, *w, a->s.len) == 0) return CLG_OK;
    return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has an unknown value", name);
}

clg_status clg_check_attrs(const clg_onnx_node *n, const char *const *known)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const char *name = n->proto->attribute[i]->name ? n->proto->attribute[i]->name : "";
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++) ok = strcmp(*k, name) == 0;
        if (!ok) return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' is not supported", name);
    }
    return CLG_OK;
}

clg_status clg_window_attrs(const clg_onnx_node *n, clg_window *w, int need_kernel, int max_dilation)
{
    const Onnx__AttributeProto *k = clg_attr_find(n, "kernel_shape");
    if (need_kernel && !k) return clg_node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "kernel_shape");
    CLG_TRY(clg_attr_ints(n, "kernel_shape", 2, 1, 4096, w->kernel));
    CLG_TRY(clg_attr_ints(n, "strides", 2, 1, 4096, w->stride));
    CLG_TRY(clg_attr_ints(n, "pads", 4, 0, 4096, w->pads));
    const Onnx__AttributeProto *d = clg_attr_find(n, "dilations");
    if (d && d->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        for (size_t i = 0; i < d->n_ints; i++)
            if (d->ints[i] <= 0) return clg_node_error(n, CLG_ERR_PARSE, "%s", "attribute 'dilations': dilations must be >= 1");
    CLG_TRY(clg_attr_ints(n, "dilations", 2, 1, max_dilation, w->dilation));
    CLG_TRY(attr_auto_pad(n, &w->auto_pad));
    return CLG_OK;
}

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

clg_status clg_optional_output_unread(const clg_onnx_node *n, size_t i, const char *what)
{
    const char *out = i < n->proto->n_output ? n->proto->output[i] : NULL;
    if (out && *out && value_is_read(n->graph, out))
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "the %s output is read, and it is not computed", what);
    return CLG_OK;
}

/* Ops without attributes; the elementwise ops' legacy broadcast, axis and
   consumed_inputs attributes are refused here too. */
clg_status clg_parse_no_attrs(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const none[] = {NULL};
    (void)op;
    (void)a;
    return clg_check_attrs(n, none);
}
