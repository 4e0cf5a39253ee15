/*
 * Ops without device work: views of their input's buffer (Identity and
 * Dropout, Flatten, Reshape, Squeeze, Unsqueeze) and Shape, whose int64
 * result is computed while planning. Their attribute parsers and shape
 * functions; the same shape functions carry host int64 data through
 * (shape.h, clg_host_ints).
 */
#include <stdint.h>

#include "error.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "shape.h"

/* ---- Identity, Dropout --------------------------------------------------- */

clg_status clg_shape_identity(clg_shape_node *s)
{
    if (s->host_in) *s->h = s->ints[s->nd->inputs[0]];
    *s->out = *s->in[0];
    return CLG_OK;
}

/* Dropout from opset 12 takes training_mode as input 2: only a constant
   false (inference) gives the identity this runtime computes. */
static clg_status dropout_inference_only(const clg_onnx_node *n)
{
    const char *name = n->proto->n_input > 2 ? n->proto->input[2] : NULL;
    if (!name || !*name) return CLG_OK;
    const int v = clg_graph_find_value(n->g, name);
    const clg_value *val = v >= 0 ? &n->g->values[v] : NULL;
    if (!val || val->kind != CLG_VALUE_INITIALIZER || !val->int_data || val->int_count != 1)
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "training_mode '%s' must be a constant (training is not supported)",
                          name);
    if (val->int_data[0] != 0)
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "training_mode '%s' is true: training-mode Dropout is not supported",
                          name);
    return CLG_OK;
}

clg_status clg_parse_dropout(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const dropout_keys[] = {"ratio", "is_test", "seed", NULL};
    (void)op;
    (void)a;
    CLG_TRY(clg_optional_output_unread(n, 1, "mask"));
    CLG_TRY(dropout_inference_only(n));
    return clg_check_attrs(n, dropout_keys);
}

/* ---- Flatten ------------------------------------------------------------- */

clg_status clg_shape_flatten(clg_shape_node *s)
{
    const clg_shape *x = s->in[0];
    int axis = s->nd->attrs.axis_attr;
    if (!clg_normalise_axis(&axis, x->rank, 1)) return clg_shape_fail(s->nd, CLG_ERR_SHAPE, "axis out of range");
    s->r->axis = axis;
    size_t outer, inner;
    if (!clg_dims_count(axis, x->dims, &outer) || !clg_dims_count(x->rank - axis, x->dims + axis, &inner))
        return clg_shape_fail(s->nd, CLG_ERR_SHAPE, "input too large");
    *s->out = (clg_shape){2, {(int64_t)outer, (int64_t)inner}};
    return CLG_OK;
}

/* ---- Reshape ------------------------------------------------------------- */

clg_status clg_parse_reshape(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const reshape_keys[] = {"allowzero", "shape", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, reshape_keys));
    CLG_TRY(clg_attr_int(n, "allowzero", 0, 1, &a->allowzero)); /* opset 14 */
    if (clg_attr_find(n, "shape")) /* opsets before 5 */
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "the %s attribute (opset < 5) is not supported", "shape");
    return CLG_OK;
}

static clg_status infer_reshape(const clg_graph *g, const clg_node *nd, const clg_shape *x,
                                const clg_host_ints *ints, int64_t declared_batch, clg_shape *out)
{
    const int t = nd->n_inputs > 1 ? nd->inputs[1] : -1;
    if (t < 0 || !ints[t].valid)
        return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED,
                         "the target shape must be constant (an int64 initializer, Constant or Shape chain)");
    const clg_host_ints *sv = &ints[t];
    /* Only a target written into the file carries the declared batch. */
    if (g->values[t].kind != CLG_VALUE_INITIALIZER) declared_batch = -1;
    size_t total;
    if (!clg_dims_count(x->rank, x->dims, &total)) return clg_shape_fail(nd, CLG_ERR_SHAPE, "input too large");
    out->rank = sv->count;
    int infer = -1;
    uint64_t known = 1;
    for (int i = 0; i < out->rank; i++) {
        int64_t d = sv->v[i];
        if (i == 0 && declared_batch > 0 && x->rank > 0 && d == declared_batch && x->dims[0] != declared_batch)
            d = x->dims[0]; /* the model runs at another batch size */
        if (d == 0 && nd->attrs.allowzero)
            return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "allowzero=1 with a 0 in the target shape makes an empty "
                                                      "tensor, which is not supported");
        if (d == 0) {
            if (i >= x->rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "0 in the target refers to a missing input dim");
            d = x->dims[i];
        }
        if (d == -1) {
            if (infer >= 0) return clg_shape_fail(nd, CLG_ERR_SHAPE, "more than one -1 in the target shape");
            infer = i;
            d = 1;
        } else if (d < 0) {
            return clg_shape_fail(nd, CLG_ERR_SHAPE, "negative dimension in the target shape");
        }
        out->dims[i] = d;
        if (d != 0 && known > (UINT64_C(1) << 62) / (uint64_t)d) return clg_shape_fail(nd, CLG_ERR_SHAPE, "target too large");
        known *= (uint64_t)d;
    }
    if (infer >= 0) {
        if (known == 0 || total % known) return clg_shape_fail(nd, CLG_ERR_SHAPE, "cannot infer the -1 dimension");
        out->dims[infer] = (int64_t)(total / known);
        known = total;
    }
    if (known != total) return clg_shape_fail(nd, CLG_ERR_SHAPE, "target shape has a different element count");
    return CLG_OK;
}

clg_status clg_shape_reshape(clg_shape_node *s)
{
    const clg_node *nd = s->nd;
    CLG_TRY(infer_reshape(s->g, nd, s->in[0], s->ints, s->declared_batch, s->out));
    const clg_host_ints *x = &s->ints[nd->inputs[0]];
    if (s->host_in) CLG_TRY(clg_host_set(nd, s->h, s->out, s->out->rank, x->v, x->count));
    if (s->host_in && s->out->rank > 1) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "int64 data of rank above 1");
    return CLG_OK;
}

/* ---- Unsqueeze, Squeeze -------------------------------------------------- */

clg_status clg_parse_squeeze(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const axes_keys[] = {"axes", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, axes_keys));
    return clg_attr_axes(n, "axes", a);
}

/* Unsqueeze / Squeeze axes: the attribute (older opsets) or a constant input 1. */
static clg_status axes_of(const clg_node *nd, const clg_host_ints *ints, int *n_axes, int64_t *axes)
{
    if (nd->attrs.n_axes >= 0) {
        *n_axes = nd->attrs.n_axes;
        for (int i = 0; i < *n_axes; i++) axes[i] = nd->attrs.axes[i];
        return CLG_OK;
    }
    *n_axes = -1;
    if (nd->n_inputs < 2 || nd->inputs[1] < 0) return CLG_OK;
    if (!clg_host_is(ints, nd->inputs[1])) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "axes must be a constant int64 tensor");
    *n_axes = ints[nd->inputs[1]].count;
    for (int i = 0; i < *n_axes; i++) axes[i] = ints[nd->inputs[1]].v[i];
    return CLG_OK;
}

static clg_status infer_unsqueeze(const clg_node *nd, const clg_shape *x, const clg_host_ints *ints,
                                  clg_shape *out)
{
    int n_axes;
    int64_t axes[CLG_MAX_RANK];
    CLG_TRY(axes_of(nd, ints, &n_axes, axes));
    if (n_axes < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "missing axes");
    const int rank = x->rank + n_axes;
    if (rank > CLG_MAX_RANK) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "output rank above 8");
    int inserted[CLG_MAX_RANK] = {0};
    for (int i = 0; i < n_axes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (a < 0 || a >= rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        if (inserted[a]) return clg_shape_fail(nd, CLG_ERR_SHAPE, "repeated axis");
        inserted[a] = 1;
    }
    out->rank = rank;
    for (int d = 0, src = 0; d < rank; d++) out->dims[d] = inserted[d] ? 1 : x->dims[src++];
    return CLG_OK;
}

static clg_status infer_squeeze(const clg_node *nd, const clg_shape *x, const clg_host_ints *ints,
                                clg_shape *out)
{
    int n_axes;
    int64_t axes[CLG_MAX_RANK];
    CLG_TRY(axes_of(nd, ints, &n_axes, axes));
    int drop[CLG_MAX_RANK] = {0};
    for (int d = 0; n_axes < 0 && d < x->rank; d++) drop[d] = x->dims[d] == 1;
    for (int i = 0; i < n_axes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + x->rank : axes[i];
        if (a < 0 || a >= x->rank) return clg_shape_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        if (x->dims[a] != 1) return clg_shape_fail(nd, CLG_ERR_SHAPE, "squeezed dimension is not 1");
        drop[a] = 1;
    }
    out->rank = 0;
    for (int d = 0; d < x->rank; d++)
        if (!drop[d]) out->dims[out->rank++] = x->dims[d];
    return CLG_OK;
}

/* Host int64 data keeps its values through either (rank 0 or 1 only). */
static clg_status carry_host(clg_shape_node *s)
{
    const clg_host_ints *x = &s->ints[s->nd->inputs[0]];
    if (s->host_in && s->out->rank > 1) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "int64 data of rank above 1");
    if (s->host_in) CLG_TRY(clg_host_set(s->nd, s->h, s->out, s->out->rank, x->v, x->count));
    return CLG_OK;
}

clg_status clg_shape_unsqueeze(clg_shape_node *s)
{
    CLG_TRY(infer_unsqueeze(s->nd, s->in[0], s->ints, s->out));
    return carry_host(s);
}

clg_status clg_shape_squeeze(clg_shape_node *s)
{
    CLG_TRY(infer_squeeze(s->nd, s->in[0], s->ints, s->out));
    return carry_host(s);
}

/* ---- Shape --------------------------------------------------------------- */

clg_status clg_parse_shape(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const shape_keys[] = {"start", "end", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, shape_keys));
    CLG_TRY(clg_attr_int(n, "start", INT32_MIN, INT32_MAX, &a->start));
    return clg_attr_int(n, "end", INT32_MIN, INT32_MAX, &a->end);
}

static clg_status infer_shape_op(const clg_node *nd, const clg_shape *x, clg_host_ints *h, clg_shape *out)
{
    int start = nd->attrs.start, end = nd->attrs.end;
    if (start < 0) start += x->rank;
    if (end < 0) end += x->rank;
    start = start < 0 ? 0 : start > x->rank ? x->rank : start;
    end = end < start ? start : end > x->rank ? x->rank : end;
    return clg_host_set(nd, h, out, 1, x->dims + start, end - start);
}

clg_status clg_shape_shape(clg_shape_node *s)
{
    return infer_shape_op(s->nd, s->in[0], s->h, s->out);
}
