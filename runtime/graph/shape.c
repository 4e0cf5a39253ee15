#include "shape.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "op_table.h"

size_t clg_shape_count(const clg_shape *s)
{
    size_t n = 0;
    return clg_dims_count(s->rank, s->dims, &n) ? n : 0;
}

int clg_shape_equal(const clg_shape *a, const clg_shape *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

size_t clg_shape_product(const clg_shape *s, int begin, int end)
{
    size_t p = 1;
    for (int i = begin; i < end; i++) p *= (size_t)s->dims[i];
    return p;
}

void clg_shape_text(const clg_shape *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (s->rank == 0) snprintf(buf, size, "scalar");
    for (int i = 0; i < s->rank && used + 24 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "x" : "",
                                 (long long)s->dims[i]);
}

clg_status clg_shape_fail(const clg_node *nd, clg_status st, const char *what)
{
    return clg_fail_node(st, nd->name, clg_op_name(nd->op), "%s", what);
}

int clg_normalise_axis(int *axis, int rank, int extra)
{
    int a = *axis < 0 ? *axis + rank : *axis;
    if (a < 0 || a > rank - 1 + extra) return 0;
    *axis = a;
    return 1;
}

/* Output extent of one spatial axis; pads[0]/pads[1] are begin/end. */
static int64_t window_extent(int64_t in, int k, int stride, int *pad_begin, int *pad_end,
                             clg_auto_pad auto_pad, int ceil_mode)
{
    if (auto_pad == CLG_PAD_VALID) {
        *pad_begin = *pad_end = 0;
    } else if (auto_pad == CLG_PAD_SAME_UPPER || auto_pad == CLG_PAD_SAME_LOWER) {
        int64_t out = (in + stride - 1) / stride;
        int64_t total = (out - 1) * stride + k - in;
        if (total < 0) total = 0;
        int small = (int)(total / 2), large = (int)(total - total / 2);
        *pad_begin = auto_pad == CLG_PAD_SAME_UPPER ? small : large;
        *pad_end = auto_pad == CLG_PAD_SAME_UPPER ? large : small;
        return out;
    }
    int64_t span = in + *pad_begin + *pad_end - k;
    if (span < 0) return 0;
    int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    /* As PyTorch: the last window must start inside the input or its begin pad. */
    if (ceil_mode && (out - 1) * stride >= in + *pad_begin) out--;
    return out;
}

clg_status clg_shape_window(const clg_node *nd, const clg_shape *x, int kh, int kw,
                               clg_window *w, int64_t *oh, int64_t *ow)
{
    *w = nd->attrs.win;
    w->kernel[0] = kh;
    w->kernel[1] = kw;
    if (w->stride[0] < 1 || w->stride[1] < 1) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "strides must be >= 1");
    for (int i = 0; i < 4; i++)
        if (w->pads[i] < 0) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "negative pads are not supported");
    if (kh < 1 || kw < 1) return clg_shape_fail(nd, CLG_ERR_SHAPE, "kernel size must be >= 1");
    for (int i = 0; i < 2; i++) {
        if (w->dilation[i] == 0) w->dilation[i] = 1; /* unset */
        if (w->dilation[i] < 1 || w->dilation[i] > 4096)
            return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "dilations must be between 1 and 4096");
    }
    if (w->group == 0) w->group = 1;
    /* A dilated window spans (k - 1) * d + 1 samples, also for auto_pad SAME_* (as ONNX defines it). */
    const int eh = (kh - 1) * w->dilation[0] + 1, ew = (kw - 1) * w->dilation[1] + 1;
    *oh = window_extent(x->dims[2], eh, w->stride[0], &w->pads[0], &w->pads[2], w->auto_pad, w->ceil_mode);
    *ow = window_extent(x->dims[3], ew, w->stride[1], &w->pads[1], &w->pads[3], w->auto_pad, w->ceil_mode);
    if (*oh < 1 || *ow < 1) {
        char in[96], msg[256];
        clg_shape_text(x, in, sizeof in);
        snprintf(msg, sizeof msg, "window %dx%d does not fit input %s", eh, ew, in);
        return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
    }
    return CLG_OK;
}

clg_status clg_shape_broadcast(const clg_node *nd, const clg_shape *a, const clg_shape *b, clg_shape *out)
{
    int rank = a->rank > b->rank ? a->rank : b->rank;
    out->rank = rank;
    for (int i = 0; i < rank; i++) {
        int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char as[96], bs[96], msg[256];
            clg_shape_text(a, as, sizeof as);
            clg_shape_text(b, bs, sizeof bs);
            snprintf(msg, sizeof msg, "shapes %s and %s do not broadcast", as, bs);
            return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
        }
        out->dims[i] = da == 1 ? db : da;
    }
    return CLG_OK;
}

/* ---- Host int64 values (shape arithmetic) --------------------------------- */

int clg_host_is(const clg_host_ints *ints, int v)
{
    return v >= 0 && ints[v].valid;
}

clg_status clg_host_set(const clg_node *nd, clg_host_ints *h, clg_shape *out, int rank, const int64_t *v,
                        int count)
{
    if (count > CLG_MAX_RANK) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "int64 result longer than 8 values");
    h->valid = 1;
    h->count = count;
    for (int i = 0; i < count; i++) h->v[i] = v[i];
    *out = (clg_shape){rank, {count}};
    return CLG_OK;
}

clg_status clg_shape_check_param(const clg_node *nd, const clg_shape *p, int64_t count, const char *what)
{
    size_t n;
    if (!clg_dims_count(p->rank, p->dims, &n) || p->rank > 1 || (int64_t)n != count) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must have %lld value%s", what, (long long)count, count == 1 ? "" : "s");
        return clg_shape_fail(nd, CLG_ERR_SHAPE, msg);
    }
    return CLG_OK;
}

clg_status clg_shape_same(clg_shape_node *s)
{
    *s->out = *s->in[0];
    return CLG_OK;
}

/* The node's output shape through its op's shape function (op_table.c). */
static clg_status infer_node(const clg_graph *g, const clg_node *nd, const clg_shape *shapes,
                             const clg_host_ints *ints, int64_t declared_batch, clg_shape *out, clg_window *win,
                             clg_resolved *r, clg_host_ints *h)
{
    clg_shape_node s = {g, nd, shapes, ints, {NULL, NULL, NULL}, 0, declared_batch, out, win, r, h};
    for (int i = 0; i < nd->n_inputs && i < 3; i++)
        if (nd->inputs[i] >= 0) s.in[i] = &shapes[nd->inputs[i]];
    if (!s.in[0] && nd->op != CLG_OP_CONCAT) return clg_shape_fail(nd, CLG_ERR_PARSE, "missing input");
    s.host_in = nd->n_inputs > 0 && clg_host_is(ints, nd->inputs[0]);
    const clg_op_def *def = clg_op_def_of(nd->op);
    if (!def->shape) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "unknown op");
    return def->shape(&s);
}

static clg_status check_input(const clg_value *v, const clg_shape *given)
{
    char want[128], got[96];
    if (v->rank < 0) return CLG_OK;
    int ok = given->rank == v->rank;
    /* Dim 0 is the batch: a declared 1 or a symbolic dim accepts any size. */
    for (int i = 0; ok && i < v->rank; i++)
        if (v->dims[i] >= 0 && v->dims[i] != given->dims[i] && !(i == 0 && v->dims[0] == 1)) ok = 0;
    if (ok) return CLG_OK;
    size_t used = 0;
    for (int i = 0; i < v->rank && used + 24 < sizeof want; i++)
        used += (size_t)(v->dims[i] >= 0
                             ? snprintf(want + used, sizeof want - used, "%s%lld", i ? "x" : "", (long long)v->dims[i])
                             : snprintf(want + used, sizeof want - used, "%s?", i ? "x" : ""));
    if (v->rank == 0) snprintf(want, sizeof want, "scalar");
    clg_shape_text(given, got, sizeof got);
    return clg_fail(CLG_ERR_SHAPE, "input '%s': expected shape %s, got %s", v->name, want, got);
}

clg_status clg_shape_infer(const clg_graph *g, const clg_shape *input_shapes, const int *order,
                           clg_shape *shapes, clg_window *windows, clg_resolved *resolved, clg_host_ints *ints)
{
    for (size_t i = 0; i < g->n_values; i++) {
        const clg_value *v = &g->values[i];
        shapes[i].rank = v->kind == CLG_VALUE_INITIALIZER ? v->rank : -1;
        memset(&ints[i], 0, sizeof ints[i]);
        if (v->kind == CLG_VALUE_INITIALIZER) {
            memcpy(shapes[i].dims, v->dims, sizeof v->dims);
            if (v->int_data && v->int_count <= CLG_MAX_RANK) { /* longer ones stay unusable */
                ints[i].valid = 1;
                ints[i].count = (int)v->int_count;
                memcpy(ints[i].v, v->int_data, v->int_count * sizeof(int64_t));
            }
        }
    }
    int64_t declared_batch = -1;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const clg_value *v = &g->values[g->inputs[i]];
        CLG_TRY(check_input(v, &input_shapes[i]));
        shapes[g->inputs[i]] = input_shapes[i];
        if (i == 0 && v->rank > 0) declared_batch = v->dims[0];
    }
    if (declared_batch > 0 && g->n_inputs > 0 && input_shapes[0].dims[0] == declared_batch)
        declared_batch = -1; /* running at the declared batch: nothing to rescale */
    for (size_t k = 0; k < g->n_nodes; k++) {
        const clg_node *nd = &g->nodes[order[k]];
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i] >= 0 && shapes[nd->inputs[i]].rank < 0)
                return clg_fail_node(CLG_ERR_PARSE, nd->name, clg_op_name(nd->op),
                                     "input '%s' has no value (missing graph input?)", g->values[nd->inputs[i]].name);
        clg_window win;
        clg_resolved r;
        memset(&win, 0, sizeof win);
        memset(&r, 0, sizeof r);
        clg_shape out;
        CLG_TRY(infer_node(g, nd, shapes, ints, declared_batch, &out, &win, &r, &ints[nd->output]));
        size_t count;
        if (!clg_dims_count(out.rank, out.dims, &count))
            return clg_fail_node(CLG_ERR_SHAPE, nd->name, clg_op_name(nd->op), "output shape overflows");
        shapes[nd->output] = out;
        windows[order[k]] = win;
        if (resolved) resolved[order[k]] = r;
    }
    return CLG_OK;
}
