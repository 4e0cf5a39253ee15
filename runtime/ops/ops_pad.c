/*
 * Planner for Pad (cl/pad.cl). PyTorch exports a Pad before pools and
 * convolutions whose padding the op itself cannot express; a zero Pad of
 * the spatial axes before a Conv is usually folded away first
 * (pass_fold_pad.c), so what reaches this planner is the general case.
 */
#include <string.h>

#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

clg_status clg_plan_pad(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (x->rank != y->rank || x->rank < 1 || x->rank > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output rank differs from input");
    if (!clg_shape_fits_int(x) || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    int64_t begin[CLG_MAX_RANK], end[CLG_MAX_RANK];
    CLG_TRY(clg_pad_amounts(nd, plan->ints, x->rank, begin, end));
    /* The kernel's input coordinates run from -|begin| to extent + |end| in int. */
    for (int d = 0; d < x->rank; d++)
        if (x->dims[d] + (begin[d] < 0 ? -begin[d] : begin[d]) + (end[d] < 0 ? -end[d] : end[d]) >= INT32_MAX)
            return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "pads too large");
    float value = nd->attrs.pads_from_attr ? nd->attrs.pad_value : 0.0f;
    if (CLG_HAS_INPUT(plan, n, 2)) value = plan->graph->values[nd->inputs[2]].data[0]; /* checked by shape inference */

    cl_int8 dims, sx, b, lo, hi;
    const int lead = CLG_MAX_RANK - y->rank;
    int stride = 1;
    for (int d = CLG_MAX_RANK - 1; d >= 0; d--) {
        const int k = d - lead;
        dims.s[d] = k < 0 ? 1 : (cl_int)y->dims[k];
        b.s[d] = k < 0 ? 0 : (cl_int)begin[k];
        lo.s[d] = k < 0 || begin[k] >= 0 ? 0 : (cl_int)-begin[k];
        hi.s[d] = k < 0 ? 1 : (cl_int)(x->dims[k] - (end[k] < 0 ? -end[k] : 0));
        sx.s[d] = k < 0 ? 0 : stride;
        if (k >= 0) stride *= (int)x->dims[k];
    }
    const cl_int mode = (cl_int)nd->attrs.pad_mode;
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "pad.cl", NULL, "pad", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_raw(&kargs, sizeof dims, &dims);
    clg_args_raw(&kargs, sizeof sx, &sx);
    clg_args_raw(&kargs, sizeof b, &b);
    clg_args_raw(&kargs, sizeof lo, &lo);
    clg_args_raw(&kargs, sizeof hi, &hi);
    clg_args_raw(&kargs, sizeof value, &value);
    clg_args_raw(&kargs, sizeof mode, &mode);
    clg_status st = clg_args_end(&kargs);
    clg_plan_index_grid(&step, &dims, count);
    step.bytes = (double)(clg_shape_count(x) + count) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

/*
 * Pad: opset 1 names the amounts "paddings", 2 to 10 "pads" (attributes,
 * with the constant as attribute "value"); from 11 they are inputs (pads,
 * constant_value, and from 18 axes); 19 adds the wrap mode.
 */
clg_status clg_parse_pad(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const old_keys[] = {"mode", "pads", "paddings", "value", NULL};
    static const char *const new_keys[] = {"mode", NULL};
    static const struct { const char *name; clg_pad_mode mode; int since; } modes[] = {
        {"constant", CLG_PADMODE_CONSTANT, 1}, {"reflect", CLG_PADMODE_REFLECT, 1},
        {"edge", CLG_PADMODE_EDGE, 1}, {"wrap", CLG_PADMODE_WRAP, 19}};
    (void)op;
    CLG_TRY(clg_check_attrs(n, n->opset < 11 ? old_keys : new_keys));
    const Onnx__AttributeProto *m = clg_attr_find(n, "mode");
    a->pad_mode = CLG_PADMODE_CONSTANT;
    if (m) {
        if (m->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING)
            return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a string", "mode");
        size_t i = 0;
        while (i < sizeof modes / sizeof modes[0] &&
               !(m->s.len == strlen(modes[i].name) && memcmp(m->s.data, modes[i].name, m->s.len) == 0))
            i++;
        if (i == sizeof modes / sizeof modes[0] || n->opset < modes[i].since)
            return clg_node_error(n, CLG_ERR_UNSUPPORTED, "mode is not one of %s",
                              n->opset < 19 ? "constant, reflect, edge" : "constant, reflect, edge, wrap");
        a->pad_mode = modes[i].mode;
    }
    if (n->opset >= 11) {
        if (n->proto->n_input < 2 || !n->proto->input[1] || !*n->proto->input[1])
            return clg_node_error(n, CLG_ERR_PARSE, "missing input '%s'", "pads");
        return CLG_OK;
    }
    const char *key = n->opset < 2 ? "paddings" : "pads";
    const Onnx__AttributeProto *p = clg_attr_find(n, key);
    if (!p) return clg_node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", key);
    if (p->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
        return clg_node_error(n, CLG_ERR_PARSE, "attribute '%s' must be a list of ints", key);
    if (p->n_ints > 2 * CLG_MAX_RANK || p->n_ints % 2)
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' must have 2 values per axis (rank <= 8)", key);
    for (size_t i = 0; i < p->n_ints; i++) {
        if (p->ints[i] < -(INT64_C(1) << 30) || p->ints[i] > (INT64_C(1) << 30))
            return clg_node_error(n, CLG_ERR_UNSUPPORTED, "attribute '%s' has a value out of the supported range", key);
        a->pad_amounts[i] = (int)p->ints[i];
    }
    a->n_pads = (int)p->n_ints;
    a->pads_from_attr = 1;
    return clg_attr_float(n, "value", &a->pad_value);
}

clg_status clg_pad_amounts(const clg_node *nd, const clg_host_ints *ints, int rank, int64_t *begin,
                           int64_t *end)
{
    const clg_attrs *at = &nd->attrs;
    for (int d = 0; d < rank; d++) begin[d] = end[d] = 0;
    if (at->pads_from_attr) {
        if (at->n_pads != 2 * rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "pads must have 2 values per input axis");
        for (int d = 0; d < rank; d++) {
            begin[d] = at->pad_amounts[d];
            end[d] = at->pad_amounts[rank + d];
        }
        return CLG_OK;
    }
    const int pads = nd->n_inputs > 1 ? nd->inputs[1] : -1, axes_in = nd->n_inputs > 3 ? nd->inputs[3] : -1;
    if (pads < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "missing pads input");
    if (!clg_host_is(ints, pads))
        return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "pads must be a constant int64 tensor of at most 8 values");
    int axes[CLG_MAX_RANK], n_axes = rank;
    for (int d = 0; d < rank; d++) axes[d] = d;
    if (axes_in >= 0) { /* opset 18 */
        if (!clg_host_is(ints, axes_in)) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "axes must be a constant int64 tensor");
        n_axes = ints[axes_in].count;
        int seen[CLG_MAX_RANK] = {0};
        for (int i = 0; i < n_axes; i++) {
            int64_t a = ints[axes_in].v[i];
            if (a < -rank || a >= rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "axis out of range");
            axes[i] = (int)(a < 0 ? a + rank : a);
            if (seen[axes[i]]++) return clg_shape_fail(nd, CLG_ERR_SHAPE, "repeated axis");
        }
    }
    if (ints[pads].count != 2 * n_axes)
        return clg_shape_fail(nd, CLG_ERR_SHAPE, "pads must have 2 values per padded axis");
    for (int i = 0; i < n_axes; i++) {
        const int64_t b = ints[pads].v[i], e = ints[pads].v[n_axes + i];
        if (b < -(INT64_C(1) << 30) || b > (INT64_C(1) << 30) || e < -(INT64_C(1) << 30) || e > (INT64_C(1) << 30))
            return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "pads out of the supported range");
        begin[axes[i]] = b;
        end[axes[i]] = e;
    }
    return CLG_OK;
}

/*
 * Pad: each axis grows by begin + end (negative amounts crop first, then
 * the modes pad the cropped extent as numpy.pad does, so it must not be
 * empty unless the mode is constant).
 */
static clg_status infer_pad(const clg_graph *g, const clg_node *nd, const clg_shape *x,
                            const clg_host_ints *ints, clg_shape *out)
{
    if (x->rank < 1) return clg_shape_fail(nd, CLG_ERR_SHAPE, "input must have rank >= 1");
    const int cv = nd->n_inputs > 2 ? nd->inputs[2] : -1;
    if (cv >= 0) {
        size_t count;
        const clg_value *v = &g->values[cv];
        if (v->kind != CLG_VALUE_INITIALIZER || !v->data)
            return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "constant_value must be a constant float");
        if (!clg_dims_count(v->rank, v->dims, &count) || count != 1 || v->rank > 1)
            return clg_shape_fail(nd, CLG_ERR_SHAPE, "constant_value must be a scalar");
    }
    int64_t begin[CLG_MAX_RANK], end[CLG_MAX_RANK];
    CLG_TRY(clg_pad_amounts(nd, ints, x->rank, begin, end));
    out->rank = x->rank;
    for (int d = 0; d < x->rank; d++) {
        char msg[200];
        const int64_t kept = x->dims[d] - (begin[d] < 0 ? -begin[d] : 0) - (end[d] < 0 ? -end[d] : 0);
        out->dims[d] = x->dims[d] + begin[d] + end[d];
        if (out->dims[d] < 1) {
            snprintf(msg, sizeof msg, "pads leave axis %d empty (an empty tensor is not supported)", d);
            return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
        }
        if (nd->attrs.pad_mode == CLG_PADMODE_CONSTANT) continue;
        if (kept < 1) {
            snprintf(msg, sizeof msg, "axis %d has nothing left to pad from after cropping", d);
            return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
        }
    }
    return CLG_OK;
}

clg_status clg_shape_pad(clg_shape_node *s)
{
    if (s->host_in) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "padding int64 data is not supported");
    return infer_pad(s->g, s->nd, s->in[0], s->ints, s->out);
}
