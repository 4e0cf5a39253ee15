#include "shape.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

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

static void shape_text(const clg_shape *s, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (s->rank == 0) snprintf(buf, size, "scalar");
    for (int i = 0; i < s->rank && used + 24 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "x" : "",
                                 (long long)s->dims[i]);
}

static clg_status node_fail(const clg_node *nd, clg_status st, const char *what)
{
    return clg_fail_node(st, nd->name, clg_op_name(nd->op), "%s", what);
}

/* Normalises an axis in [-rank, rank - 1 + extra]; returns 0 when out of range. */
static int normalise_axis(int *axis, int rank, int extra)
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

static clg_status infer_window(const clg_node *nd, const clg_shape *x, int kh, int kw,
                               clg_window *w, int64_t *oh, int64_t *ow)
{
    *w = nd->attrs.win;
    w->kernel[0] = kh;
    w->kernel[1] = kw;
    if (w->stride[0] < 1 || w->stride[1] < 1) return node_fail(nd, CLG_ERR_UNSUPPORTED, "strides must be >= 1");
    for (int i = 0; i < 4; i++)
        if (w->pads[i] < 0) return node_fail(nd, CLG_ERR_UNSUPPORTED, "negative pads are not supported");
    if (kh < 1 || kw < 1) return node_fail(nd, CLG_ERR_SHAPE, "kernel size must be >= 1");
    for (int i = 0; i < 2; i++) {
        if (w->dilation[i] == 0) w->dilation[i] = 1; /* unset */
        if (w->dilation[i] < 1 || w->dilation[i] > 4096)
            return node_fail(nd, CLG_ERR_UNSUPPORTED, "dilations must be between 1 and 4096");
    }
    if (w->group == 0) w->group = 1;
    /* A dilated window spans (k - 1) * d + 1 samples, also for auto_pad SAME_* (as ONNX defines it). */
    const int eh = (kh - 1) * w->dilation[0] + 1, ew = (kw - 1) * w->dilation[1] + 1;
    *oh = window_extent(x->dims[2], eh, w->stride[0], &w->pads[0], &w->pads[2], w->auto_pad, w->ceil_mode);
    *ow = window_extent(x->dims[3], ew, w->stride[1], &w->pads[1], &w->pads[3], w->auto_pad, w->ceil_mode);
    if (*oh < 1 || *ow < 1) {
        char in[96], msg[256];
        shape_text(x, in, sizeof in);
        snprintf(msg, sizeof msg, "window %dx%d does not fit input %s", eh, ew, in);
        return node_fail(nd, CLG_ERR_SHAPE, msg);
    }
    return CLG_OK;
}

static clg_status infer_conv(const clg_node *nd, const clg_shape *x, const clg_shape *wt,
                             const clg_shape *bias, clg_shape *out, clg_window *win)
{
    char msg[384], xs[96], ws[96];
    if (x->rank != 4) return node_fail(nd, CLG_ERR_UNSUPPORTED, "only 2-D convolution (NCHW input) is supported");
    if (wt->rank != 4) return node_fail(nd, CLG_ERR_SHAPE, "weight must be rank 4 (KxCxKHxKW)");
    const int64_t group = nd->attrs.win.group > 0 ? nd->attrs.win.group : 1;
    if (nd->attrs.win.group < 0) return node_fail(nd, CLG_ERR_SHAPE, "group must be >= 1");
    shape_text(x, xs, sizeof xs);
    shape_text(wt, ws, sizeof ws);
    if (x->dims[1] % group || wt->dims[0] % group) {
        snprintf(msg, sizeof msg, "group %lld does not divide the input channels of %s or the output channels of weight %s",
                 (long long)group, xs, ws);
        return node_fail(nd, CLG_ERR_SHAPE, msg);
    }
    if (wt->dims[1] * group != x->dims[1]) {
        snprintf(msg, sizeof msg, "weight %s does not match input %s (channels: expected %lld per group of %lld)",
                 ws, xs, (long long)(x->dims[1] / group), (long long)group);
        return node_fail(nd, CLG_ERR_SHAPE, msg);
    }
    const clg_window *a = &nd->attrs.win;
    if ((a->kernel[0] && a->kernel[0] != wt->dims[2]) || (a->kernel[1] && a->kernel[1] != wt->dims[3]))
        return node_fail(nd, CLG_ERR_SHAPE, "kernel_shape does not match the weight shape");
    if (bias && (bias->rank != 1 || bias->dims[0] != wt->dims[0]))
        return node_fail(nd, CLG_ERR_SHAPE, "bias must have one value per output channel");
    if (wt->dims[2] > 4096 || wt->dims[3] > 4096) return node_fail(nd, CLG_ERR_UNSUPPORTED, "kernel too large");
    int64_t oh, ow;
    CLG_TRY(infer_window(nd, x, (int)wt->dims[2], (int)wt->dims[3], win, &oh, &ow));
    *out = (clg_shape){4, {x->dims[0], wt->dims[0], oh, ow}};
    return CLG_OK;
}

static clg_status infer_pool(const clg_node *nd, const clg_shape *x, clg_shape *out, clg_window *win)
{
    if (x->rank != 4) return node_fail(nd, CLG_ERR_UNSUPPORTED, "only 2-D pooling (NCHW input) is supported");
    int64_t oh, ow;
    CLG_TRY(infer_window(nd, x, nd->attrs.win.kernel[0], nd->attrs.win.kernel[1], win, &oh, &ow));
    *out = (clg_shape){4, {x->dims[0], x->dims[1], oh, ow}};
    return CLG_OK;
}

/* numpy broadcasting of two shapes. */
static clg_status broadcast(const clg_node *nd, const clg_shape *a, const clg_shape *b, clg_shape *out)
{
    int rank = a->rank > b->rank ? a->rank : b->rank;
    out->rank = rank;
    for (int i = 0; i < rank; i++) {
        int ia = i - (rank - a->rank), ib = i - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            char as[96], bs[96], msg[256];
            shape_text(a, as, sizeof as);
            shape_text(b, bs, sizeof bs);
            snprintf(msg, sizeof msg, "shapes %s and %s do not broadcast", as, bs);
            return node_fail(nd, CLG_ERR_SHAPE, msg);
        }
        out->dims[i] = da == 1 ? db : da;
    }
    return CLG_OK;
}

static clg_status infer_matmul(const clg_node *nd, const clg_shape *a0, const clg_shape *b0, clg_shape *out)
{
    clg_shape a = *a0, b = *b0;
    if (a.rank < 1 || b.rank < 1) return node_fail(nd, CLG_ERR_SHAPE, "operands must have rank >= 1");
    int a_vec = a.rank == 1, b_vec = b.rank == 1;
    if (a_vec) a = (clg_shape){2, {1, a0->dims[0]}};
    if (b_vec) b = (clg_shape){2, {b0->dims[0], 1}};
    if (a.dims[a.rank - 1] != b.dims[b.rank - 2]) return node_fail(nd, CLG_ERR_SHAPE, "inner dimensions differ");
    clg_shape ab = {a.rank - 2, {0}}, bb = {b.rank - 2, {0}}, batch;
    memcpy(ab.dims, a.dims, sizeof(int64_t) * (size_t)ab.rank);
    memcpy(bb.dims, b.dims, sizeof(int64_t) * (size_t)bb.rank);
    CLG_TRY(broadcast(nd, &ab, &bb, &batch));
    if (batch.rank + 2 > CLG_MAX_RANK) return node_fail(nd, CLG_ERR_UNSUPPORTED, "rank too large");
    *out = batch;
    if (!a_vec) out->dims[out->rank++] = a.dims[a.rank - 2];
    if (!b_vec) out->dims[out->rank++] = b.dims[b.rank - 1];
    return CLG_OK;
}

static clg_status infer_gemm(const clg_node *nd, const clg_shape *a, const clg_shape *b,
                             const clg_shape *c, clg_shape *out)
{
    if (a->rank != 2 || b->rank != 2) return node_fail(nd, CLG_ERR_SHAPE, "A and B must be matrices");
    int64_t m = nd->attrs.trans_a ? a->dims[1] : a->dims[0];
    int64_t k = nd->attrs.trans_a ? a->dims[0] : a->dims[1];
    int64_t kb = nd->attrs.trans_b ? b->dims[1] : b->dims[0];
    int64_t n = nd->attrs.trans_b ? b->dims[0] : b->dims[1];
    if (k != kb) {
        char msg[160];
        snprintf(msg, sizeof msg, "inner dimensions differ (%lld vs %lld)", (long long)k, (long long)kb);
        return node_fail(nd, CLG_ERR_SHAPE, msg);
    }
    *out = (clg_shape){2, {m, n}};
    if (c) {
        clg_shape y;
        if (c->rank > 2) return node_fail(nd, CLG_ERR_SHAPE, "C must have rank <= 2");
        CLG_TRY(broadcast(nd, out, c, &y));
        if (y.dims[0] != m || y.dims[1] != n) return node_fail(nd, CLG_ERR_SHAPE, "C does not broadcast to MxN");
    }
    return CLG_OK;
}

static clg_status infer_reshape(const clg_graph *g, const clg_node *nd, const clg_shape *x,
                                const clg_host_ints *ints, int64_t declared_batch, clg_shape *out)
{
    const int t = nd->n_inputs > 1 ? nd->inputs[1] : -1;
    if (t < 0 || !ints[t].valid)
        return node_fail(nd, CLG_ERR_UNSUPPORTED,
                         "the target shape must be constant (an int64 initializer, Constant or Shape chain)");
    const clg_host_ints *sv = &ints[t];
    /* Only a target written into the file carries the declared batch. */
    if (g->values[t].kind != CLG_VALUE_INITIALIZER) declared_batch = -1;
    size_t total;
    if (!clg_dims_count(x->rank, x->dims, &total)) return node_fail(nd, CLG_ERR_SHAPE, "input too large");
    out->rank = sv->count;
    int infer = -1;
    uint64_t known = 1;
    for (int i = 0; i < out->rank; i++) {
        int64_t d = sv->v[i];
        if (i == 0 && declared_batch > 0 && x->rank > 0 && d == declared_batch && x->dims[0] != declared_batch)
            d = x->dims[0]; /* the model runs at another batch size */
        if (d == 0 && nd->attrs.allowzero)
            return node_fail(nd, CLG_ERR_UNSUPPORTED, "allowzero=1 with a 0 in the target shape makes an empty "
                                                      "tensor, which is not supported");
        if (d == 0) {
            if (i >= x->rank) return node_fail(nd, CLG_ERR_SHAPE, "0 in the target refers to a missing input dim");
            d = x->dims[i];
        }
        if (d == -1) {
            if (infer >= 0) return node_fail(nd, CLG_ERR_SHAPE, "more than one -1 in the target shape");
            infer = i;
            d = 1;
        } else if (d < 0) {
            return node_fail(nd, CLG_ERR_SHAPE, "negative dimension in the target shape");
        }
        out->dims[i] = d;
        if (d != 0 && known > (UINT64_C(1) << 62) / (uint64_t)d) return node_fail(nd, CLG_ERR_SHAPE, "target too large");
        known *= (uint64_t)d;
    }
    if (infer >= 0) {
        if (known == 0 || total % known) return node_fail(nd, CLG_ERR_SHAPE, "cannot infer the -1 dimension");
        out->dims[infer] = (int64_t)(total / known);
        known = total;
    }
    if (known != total) return node_fail(nd, CLG_ERR_SHAPE, "target shape has a different element count");
    return CLG_OK;
}

/* ---- Host int64 values (shape arithmetic) --------------------------------- */

static int is_host(const clg_host_ints *ints, int v)
{
    return v >= 0 && ints[v].valid;
}

/* Sets a host value's data and its rank-0 or rank-1 shape. */
static clg_status set_host(const clg_node *nd, clg_host_ints *h, clg_shape *out, int rank,
                           const int64_t *v, int count)
{
    if (count > CLG_MAX_RANK) return node_fail(nd, CLG_ERR_UNSUPPORTED, "int64 result longer than 8 values");
    h->valid = 1;
    h->count = count;
    for (int i = 0; i < count; i++) h->v[i] = v[i];
    *out = (clg_shape){rank, {count}};
    return CLG_OK;
}

static clg_status infer_shape_op(const clg_node *nd, const clg_shape *x, clg_host_ints *h, clg_shape *out)
{
    int start = nd->attrs.start, end = nd->attrs.end;
    if (start < 0) start += x->rank;
    if (end < 0) end += x->rank;
    start = start < 0 ? 0 : start > x->rank ? x->rank : start;
    end = end < start ? start : end > x->rank ? x->rank : end;
    return set_host(nd, h, out, 1, x->dims + start, end - start);
}

/* Elementwise arithmetic on host ints: equal lengths or one scalar. */
static clg_status host_arith(const clg_node *nd, const clg_host_ints *ints, const clg_shape *shapes,
                             clg_host_ints *h, clg_shape *out)
{
    clg_host_ints acc = ints[nd->inputs[0]];
    clg_shape shape = shapes[nd->inputs[0]];
    for (int i = 1; i < nd->n_inputs; i++) {
        const clg_host_ints *b = &ints[nd->inputs[i]];
        int n = acc.count > b->count ? acc.count : b->count;
        if (acc.count != b->count && acc.count != 1 && b->count != 1)
            return node_fail(nd, CLG_ERR_SHAPE, "int64 operands of different lengths");
        clg_host_ints r = {1, n, {0}};
        for (int k = 0; k < n; k++) {
            int64_t x = acc.v[acc.count == 1 ? 0 : k], y = b->v[b->count == 1 ? 0 : k];
            switch (nd->op) {
            case CLG_OP_ADD:
            case CLG_OP_SUM: r.v[k] = x + y; break;
            case CLG_OP_SUB: r.v[k] = x - y; break;
            case CLG_OP_MUL: r.v[k] = x * y; break;
            case CLG_OP_MAX: r.v[k] = x > y ? x : y; break;
            case CLG_OP_MIN: r.v[k] = x < y ? x : y; break;
            case CLG_OP_DIV:
                if (y == 0) return node_fail(nd, CLG_ERR_SHAPE, "int64 division by zero");
                r.v[k] = x / y;
                break;
            default: return node_fail(nd, CLG_ERR_UNSUPPORTED, "op not defined on int64 data");
            }
        }
        if (shapes[nd->inputs[i]].rank > shape.rank) shape = shapes[nd->inputs[i]];
        acc = r;
    }
    CLG_TRY(set_host(nd, h, out, shape.rank, acc.v, acc.count));
    return CLG_OK;
}

static clg_status infer_gather(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                               clg_host_ints *h, clg_shape *out)
{
    if (nd->n_inputs < 2 || !is_host(ints, nd->inputs[1]))
        return node_fail(nd, CLG_ERR_UNSUPPORTED, "indices must be a constant int64 tensor");
    const clg_shape *x = &shapes[nd->inputs[0]], *ix = &shapes[nd->inputs[1]];
    const clg_host_ints *idx = &ints[nd->inputs[1]];
    clg_attrs *at = (clg_attrs *)&nd->attrs;
    at->axis = at->axis_attr;
    if (x->rank < 1 || !normalise_axis(&at->axis, x->rank, 0)) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
    const int64_t extent = x->dims[at->axis];
    for (int i = 0; i < idx->count; i++)
        if (idx->v[i] < -extent || idx->v[i] >= extent) return node_fail(nd, CLG_ERR_SHAPE, "index out of range");
    if (x->rank - 1 + ix->rank > CLG_MAX_RANK) return node_fail(nd, CLG_ERR_UNSUPPORTED, "output rank above 8");
    out->rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (d != at->axis) {
            out->dims[out->rank++] = x->dims[d];
            continue;
        }
        for (int k = 0; k < ix->rank; k++) out->dims[out->rank++] = ix->dims[k];
    }
    if (!is_host(ints, nd->inputs[0])) return CLG_OK;
    const clg_host_ints *data = &ints[nd->inputs[0]];
    int64_t v[CLG_MAX_RANK];
    for (int i = 0; i < idx->count; i++) v[i] = data->v[idx->v[i] < 0 ? idx->v[i] + extent : idx->v[i]];
    return set_host(nd, h, out, out->rank, v, idx->count);
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
    if (!is_host(ints, nd->inputs[1])) return node_fail(nd, CLG_ERR_UNSUPPORTED, "axes must be a constant int64 tensor");
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
    if (n_axes < 0) return node_fail(nd, CLG_ERR_PARSE, "missing axes");
    const int rank = x->rank + n_axes;
    if (rank > CLG_MAX_RANK) return node_fail(nd, CLG_ERR_UNSUPPORTED, "output rank above 8");
    int inserted[CLG_MAX_RANK] = {0};
    for (int i = 0; i < n_axes; i++) {
        int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
        if (a < 0 || a >= rank) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        if (inserted[a]) return node_fail(nd, CLG_ERR_SHAPE, "repeated axis");
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
        if (a < 0 || a >= x->rank) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        if (x->dims[a] != 1) return node_fail(nd, CLG_ERR_SHAPE, "squeezed dimension is not 1");
        drop[a] = 1;
    }
    out->rank = 0;
    for (int d = 0; d < x->rank; d++)
        if (!drop[d]) out->dims[out->rank++] = x->dims[d];
    return CLG_OK;
}

static clg_status infer_concat(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                               clg_host_ints *h, clg_shape *out)
{
    if (nd->n_inputs < 1 || nd->inputs[0] < 0) return node_fail(nd, CLG_ERR_PARSE, "no inputs");
    const clg_shape *first = &shapes[nd->inputs[0]];
    clg_attrs *at = (clg_attrs *)&nd->attrs;
    at->axis = at->axis_attr;
    if (!normalise_axis(&at->axis, first->rank, 0)) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
    *out = *first;
    int host = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        if (nd->inputs[i] < 0) return node_fail(nd, CLG_ERR_PARSE, "empty input name");
        host += is_host(ints, nd->inputs[i]);
        if (i == 0) continue;
        const clg_shape *s = &shapes[nd->inputs[i]];
        if (s->rank != first->rank) return node_fail(nd, CLG_ERR_SHAPE, "inputs differ in rank");
        for (int d = 0; d < s->rank; d++)
            if (d != at->axis && s->dims[d] != first->dims[d])
                return node_fail(nd, CLG_ERR_SHAPE, "inputs differ outside the concat axis");
        out->dims[at->axis] += s->dims[at->axis];
    }
    if (host == 0) return CLG_OK;
    if (host != nd->n_inputs) return node_fail(nd, CLG_ERR_UNSUPPORTED, "mixes int64 and float inputs");
    int64_t v[CLG_MAX_RANK];
    int n = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        const clg_host_ints *src = &ints[nd->inputs[i]];
        if (n + src->count > CLG_MAX_RANK) return node_fail(nd, CLG_ERR_UNSUPPORTED, "int64 result longer than 8 values");
        for (int k = 0; k < src->count; k++) v[n++] = src->v[k];
    }
    return set_host(nd, h, out, 1, v, n);
}

static clg_status infer_elementwise(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                                    clg_host_ints *h, clg_shape *out)
{
    int host = 0;
    for (int i = 0; i < nd->n_inputs; i++) {
        if (nd->inputs[i] < 0) return node_fail(nd, CLG_ERR_PARSE, "empty input name");
        host += is_host(ints, nd->inputs[i]);
    }
    if (host == nd->n_inputs) return host_arith(nd, ints, shapes, h, out);
    if (host) return node_fail(nd, CLG_ERR_UNSUPPORTED, "mixes int64 and float inputs");
    *out = shapes[nd->inputs[0]];
    for (int i = 1; i < nd->n_inputs; i++) {
        clg_shape acc = *out;
        CLG_TRY(broadcast(nd, &acc, &shapes[nd->inputs[i]], out));
    }
    return CLG_OK;
}

/* Output dims follow perm (default: reversed); perm must be a permutation. */
static clg_status infer_transpose(clg_node *nd, const clg_shape *x, clg_shape *out)
{
    clg_attrs *at = &nd->attrs;
    if (at->n_axes < 0) {
        for (int d = 0; d < x->rank; d++) at->axes[d] = x->rank - 1 - d;
        at->n_axes = -1; /* stays the default: ranks may differ per plan */
    } else if (at->n_axes != x->rank) {
        return node_fail(nd, CLG_ERR_SHAPE, "perm has a different length than the input rank");
    }
    int seen[CLG_MAX_RANK] = {0};
    out->rank = x->rank;
    for (int d = 0; d < x->rank; d++) {
        const int p = at->axes[d];
        if (p < 0 || p >= x->rank || seen[p]++) return node_fail(nd, CLG_ERR_SHAPE, "perm is not a permutation");
        out->dims[d] = x->dims[p];
    }
    return CLG_OK;
}

clg_status clg_pad_amounts(const clg_node *nd, const clg_host_ints *ints, int rank, int64_t *begin,
                           int64_t *end)
{
    const clg_attrs *at = &nd->attrs;
    for (int d = 0; d < rank; d++) begin[d] = end[d] = 0;
    if (at->pads_from_attr) {
        if (at->n_pads != 2 * rank) return node_fail(nd, CLG_ERR_SHAPE, "pads must have 2 values per input axis");
        for (int d = 0; d < rank; d++) {
            begin[d] = at->pad_amounts[d];
            end[d] = at->pad_amounts[rank + d];
        }
        return CLG_OK;
    }
    const int pads = nd->n_inputs > 1 ? nd->inputs[1] : -1, axes_in = nd->n_inputs > 3 ? nd->inputs[3] : -1;
    if (pads < 0) return node_fail(nd, CLG_ERR_PARSE, "missing pads input");
    if (!is_host(ints, pads))
        return node_fail(nd, CLG_ERR_UNSUPPORTED, "pads must be a constant int64 tensor of at most 8 values");
    int axes[CLG_MAX_RANK], n_axes = rank;
    for (int d = 0; d < rank; d++) axes[d] = d;
    if (axes_in >= 0) { /* opset 18 */
        if (!is_host(ints, axes_in)) return node_fail(nd, CLG_ERR_UNSUPPORTED, "axes must be a constant int64 tensor");
        n_axes = ints[axes_in].count;
        int seen[CLG_MAX_RANK] = {0};
        for (int i = 0; i < n_axes; i++) {
            int64_t a = ints[axes_in].v[i];
            if (a < -rank || a >= rank) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
            axes[i] = (int)(a < 0 ? a + rank : a);
            if (seen[axes[i]]++) return node_fail(nd, CLG_ERR_SHAPE, "repeated axis");
        }
    }
    if (ints[pads].count != 2 * n_axes)
        return node_fail(nd, CLG_ERR_SHAPE, "pads must have 2 values per padded axis");
    for (int i = 0; i < n_axes; i++) {
        const int64_t b = ints[pads].v[i], e = ints[pads].v[n_axes + i];
        if (b < -(INT64_C(1) << 30) || b > (INT64_C(1) << 30) || e < -(INT64_C(1) << 30) || e > (INT64_C(1) << 30))
            return node_fail(nd, CLG_ERR_UNSUPPORTED, "pads out of the supported range");
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
    if (x->rank < 1) return node_fail(nd, CLG_ERR_SHAPE, "input must have rank >= 1");
    const int cv = nd->n_inputs > 2 ? nd->inputs[2] : -1;
    if (cv >= 0) {
        size_t count;
        const clg_value *v = &g->values[cv];
        if (v->kind != CLG_VALUE_INITIALIZER || !v->data)
            return node_fail(nd, CLG_ERR_UNSUPPORTED, "constant_value must be a constant float");
        if (!clg_dims_count(v->rank, v->dims, &count) || count != 1 || v->rank > 1)
            return node_fail(nd, CLG_ERR_SHAPE, "constant_value must be a scalar");
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
            return node_fail(nd, CLG_ERR_SHAPE, msg);
        }
        if (nd->attrs.pad_mode == CLG_PADMODE_CONSTANT) continue;
        if (kept < 1) {
            snprintf(msg, sizeof msg, "axis %d has nothing left to pad from after cropping", d);
            return node_fail(nd, CLG_ERR_SHAPE, msg);
        }
    }
    return CLG_OK;
}

/* Clip bounds and BatchNormalization parameters: one value, or one per channel. */
static clg_status check_param(const clg_node *nd, const clg_shape *p, int64_t count, const char *what)
{
    size_t n;
    if (!clg_dims_count(p->rank, p->dims, &n) || p->rank > 1 || (int64_t)n != count) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s must have %lld value%s", what, (long long)count, count == 1 ? "" : "s");
        return node_fail(nd, CLG_ERR_SHAPE, msg);
    }
    return CLG_OK;
}

static clg_status infer_node(clg_graph *g, clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                             int64_t declared_batch, clg_shape *out, clg_window *win, clg_host_ints *h)
{
    const clg_shape *in[3] = {NULL, NULL, NULL};
    for (int i = 0; i < nd->n_inputs && i < 3; i++)
        if (nd->inputs[i] >= 0) in[i] = &shapes[nd->inputs[i]];
    if (!in[0] && nd->op != CLG_OP_CONCAT) return node_fail(nd, CLG_ERR_PARSE, "missing input");
    clg_attrs *at = &nd->attrs;
    const int host_in = nd->n_inputs > 0 && is_host(ints, nd->inputs[0]);
    switch (nd->op) {
    case CLG_OP_CONV:
        if (!in[1]) return node_fail(nd, CLG_ERR_PARSE, "missing weight input");
        return infer_conv(nd, in[0], in[1], in[2], out, win);
    case CLG_OP_MAXPOOL:
    case CLG_OP_AVGPOOL:
        return infer_pool(nd, in[0], out, win);
    case CLG_OP_GLOBAL_AVGPOOL:
        if (in[0]->rank != 4) return node_fail(nd, CLG_ERR_UNSUPPORTED, "only NCHW input is supported");
        *out = (clg_shape){4, {in[0]->dims[0], in[0]->dims[1], 1, 1}};
        return CLG_OK;
    case CLG_OP_IDENTITY:
        if (host_in) *h = ints[nd->inputs[0]];
        /* fall through */
    case CLG_OP_RELU:
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_CAST:
        if (host_in != (at->cast_to != 1))
            return node_fail(nd, CLG_ERR_UNSUPPORTED, "only float to float and int64 to int64/int32 casts are supported");
        if (host_in) *h = ints[nd->inputs[0]];
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_LRN:
        if (in[0]->rank != 4) return node_fail(nd, CLG_ERR_UNSUPPORTED, "only NCHW input is supported");
        if (at->size < 1) return node_fail(nd, CLG_ERR_UNSUPPORTED, "size must be >= 1");
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_SOFTMAX:
        at->axis = at->axis_attr;
        if (!normalise_axis(&at->axis, in[0]->rank, 0)) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_FLATTEN: {
        at->axis = at->axis_attr;
        if (!normalise_axis(&at->axis, in[0]->rank, 1)) return node_fail(nd, CLG_ERR_SHAPE, "axis out of range");
        size_t outer, inner;
        if (!clg_dims_count(at->axis, in[0]->dims, &outer) ||
            !clg_dims_count(in[0]->rank - at->axis, in[0]->dims + at->axis, &inner))
            return node_fail(nd, CLG_ERR_SHAPE, "input too large");
        *out = (clg_shape){2, {(int64_t)outer, (int64_t)inner}};
        return CLG_OK;
    }
    case CLG_OP_RESHAPE:
        CLG_TRY(infer_reshape(g, nd, in[0], ints, declared_batch, out));
        if (host_in) CLG_TRY(set_host(nd, h, out, out->rank, ints[nd->inputs[0]].v, ints[nd->inputs[0]].count));
        if (host_in && out->rank > 1) return node_fail(nd, CLG_ERR_UNSUPPORTED, "int64 data of rank above 1");
        return CLG_OK;
    case CLG_OP_CONCAT:
        return infer_concat(nd, shapes, ints, h, out);
    case CLG_OP_GEMM:
        if (!in[1]) return node_fail(nd, CLG_ERR_PARSE, "missing input B");
        return infer_gemm(nd, in[0], in[1], in[2], out);
    case CLG_OP_MATMUL:
        if (!in[1]) return node_fail(nd, CLG_ERR_PARSE, "missing input B");
        return infer_matmul(nd, in[0], in[1], out);
    case CLG_OP_ADD:
    case CLG_OP_SUB:
    case CLG_OP_MUL:
    case CLG_OP_DIV:
    case CLG_OP_SUM:
    case CLG_OP_MAX:
    case CLG_OP_MIN:
        return infer_elementwise(nd, shapes, ints, h, out);
    case CLG_OP_CLIP:
        if (in[1]) CLG_TRY(check_param(nd, in[1], 1, "min"));
        if (in[2]) CLG_TRY(check_param(nd, in[2], 1, "max"));
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_BATCHNORM: {
        static const char *const names[] = {"", "scale", "B", "mean", "var"};
        if (in[0]->rank < 2) return node_fail(nd, CLG_ERR_SHAPE, "input must be [N, C, ...]");
        if (nd->n_inputs != 5) return node_fail(nd, CLG_ERR_PARSE, "needs 5 inputs");
        for (int i = 1; i < 5; i++) {
            if (nd->inputs[i] < 0) return node_fail(nd, CLG_ERR_PARSE, "missing input");
            CLG_TRY(check_param(nd, &shapes[nd->inputs[i]], in[0]->dims[1], names[i]));
        }
        *out = *in[0];
        return CLG_OK;
    }
    case CLG_OP_GATHER:
        return infer_gather(nd, shapes, ints, h, out);
    case CLG_OP_UNSQUEEZE:
    case CLG_OP_SQUEEZE:
        CLG_TRY(nd->op == CLG_OP_UNSQUEEZE ? infer_unsqueeze(nd, in[0], ints, out)
                                           : infer_squeeze(nd, in[0], ints, out));
        if (host_in && out->rank > 1) return node_fail(nd, CLG_ERR_UNSUPPORTED, "int64 data of rank above 1");
        if (host_in) CLG_TRY(set_host(nd, h, out, out->rank, ints[nd->inputs[0]].v, ints[nd->inputs[0]].count));
        return CLG_OK;
    case CLG_OP_SHAPE:
        return infer_shape_op(nd, in[0], h, out);
    case CLG_OP_ROUND_FLOAT:
        if (host_in) return node_fail(nd, CLG_ERR_UNSUPPORTED, "casting int64 data to a float type is not supported");
        *out = *in[0];
        return CLG_OK;
    case CLG_OP_PAD:
        if (host_in) return node_fail(nd, CLG_ERR_UNSUPPORTED, "padding int64 data is not supported");
        return infer_pad(g, nd, in[0], ints, out);
    case CLG_OP_TRANSPOSE:
        if (host_in) return node_fail(nd, CLG_ERR_UNSUPPORTED, "transposing int64 data is not supported");
        return infer_transpose(nd, in[0], out);
    case CLG_OP_COUNT:
        break;
    }
    return node_fail(nd, CLG_ERR_UNSUPPORTED, "unknown op");
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
    shape_text(given, got, sizeof got);
    return clg_fail(CLG_ERR_SHAPE, "input '%s': expected shape %s, got %s", v->name, want, got);
}

clg_status clg_shape_infer(clg_graph *g, const clg_shape *input_shapes, const int *order,
                           clg_shape *shapes, clg_window *windows, clg_host_ints *ints)
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
        clg_node *nd = &g->nodes[order[k]];
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i] >= 0 && shapes[nd->inputs[i]].rank < 0)
                return clg_fail_node(CLG_ERR_PARSE, nd->name, clg_op_name(nd->op),
                                     "input '%s' has no value (missing graph input?)", g->values[nd->inputs[i]].name);
        clg_window win;
        memset(&win, 0, sizeof win);
        clg_shape out;
        CLG_TRY(infer_node(g, nd, shapes, ints, declared_batch, &out, &win, &ints[nd->output]));
        size_t count;
        if (!clg_dims_count(out.rank, out.dims, &count))
            return clg_fail_node(CLG_ERR_SHAPE, nd->name, clg_op_name(nd->op), "output shape overflows");
        shapes[nd->output] = out;
        windows[order[k]] = win;
    }
    return CLG_OK;
}
