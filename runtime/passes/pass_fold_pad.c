/*
 * Pass 6, Pad folding (see passes.h). PyTorch exports padding that an op
 * cannot express itself (AveragePool before opset 7, asymmetric or
 * "same" padding, Inception-v3's pools) as a separate zero Pad; folding it
 * into the reader's own pads saves a full copy of the activation.
 *
 * Exact only when the padded zeros act as the reader's implicit padding:
 *   Conv        always (implicit padding is zero);
 *   AveragePool with count_include_pad=1 (zeros are counted either way), or
 *               count_include_pad=0 with no pads of its own (the explicit
 *               zeros were counted as input), becoming count_include_pad=1;
 *               not with ceil_mode, whose last window may start inside the
 *               explicit end pad but not inside an implicit one;
 *   MaxPool     only when the zeros cannot win: its input is a Relu's
 *               output (never negative) and every window keeps at least one
 *               real element (total pad below the kernel size).
 * Everything else keeps its Pad kernel.
 */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "passes.h"
#include "shape.h"

/* The Pad's spatial amounts (top, left, bottom, right) when they are constant,
   zero on N and C, not negative, and the padded value is +0; else 0. */
static int zero_spatial_pads(const clg_graph *g, const clg_node *pad, clg_host_ints *ints, int pads[4])
{
    if (pad->attrs.pad_mode != CLG_PADMODE_CONSTANT) return 0;
    float value = pad->attrs.pads_from_attr ? pad->attrs.pad_value : 0.0f;
    if (pad->n_inputs > 2 && pad->inputs[2] >= 0) {
        const clg_value *v = &g->values[pad->inputs[2]];
        size_t count;
        if (v->kind != CLG_VALUE_INITIALIZER || !v->data || !clg_dims_count(v->rank, v->dims, &count) || count != 1)
            return 0;
        value = v->data[0];
    }
    if (value != 0.0f || signbit(value)) return 0; /* -0 would change the sign of an all-zero sum */
    /* The inputs it reads on the host, from the initializers (the reader needs rank 4). */
    for (int i = 1; i < pad->n_inputs; i++) {
        const int v = pad->inputs[i];
        if (i == 2 || v < 0) continue;
        const clg_value *val = &g->values[v];
        if (val->kind != CLG_VALUE_INITIALIZER || !val->int_data || val->int_count > CLG_MAX_RANK) return 0;
        ints[v].valid = 1;
        ints[v].count = (int)val->int_count;
        for (size_t k = 0; k < val->int_count; k++) ints[v].v[k] = val->int_data[k];
    }
    int64_t begin[4], end[4];
    clg_status st = clg_pad_amounts(pad, ints, 4, begin, end);
    for (int i = 1; i < pad->n_inputs; i++)
        if (pad->inputs[i] >= 0) ints[pad->inputs[i]].valid = 0;
    if (st != CLG_OK) return 0; /* the Pad kernel reports it when the plan is made */
    if (begin[0] || begin[1] || end[0] || end[1]) return 0;
    for (int d = 2; d < 4; d++)
        if (begin[d] < 0 || end[d] < 0 || begin[d] > 4096 || end[d] > 4096) return 0;
    pads[0] = (int)begin[2];
    pads[1] = (int)begin[3];
    pads[2] = (int)end[2];
    pads[3] = (int)end[3];
    return 1;
}

/* 1 when every value of v is >= 0: a Relu's output. */
static int never_negative(const clg_graph *g, int v)
{
    const int p = g->values[v].producer;
    return p >= 0 && g->nodes[p].op == CLG_OP_RELU;
}

/* Whether reader can take the pads, and how its window changes. */
static int foldable(const clg_graph *g, const clg_node *pad, const clg_node *reader, const int pads[4],
                    clg_window *win)
{
    *win = reader->attrs.win;
    if (win->auto_pad != CLG_PAD_NOTSET && win->auto_pad != CLG_PAD_VALID) return 0; /* depends on the size */
    if (win->auto_pad == CLG_PAD_VALID)
        for (int i = 0; i < 4; i++) win->pads[i] = 0;
    win->auto_pad = CLG_PAD_NOTSET;
    switch (reader->op) {
    case CLG_OP_CONV: break;
    case CLG_OP_AVGPOOL:
        if (win->ceil_mode) return 0;
        if (!win->count_include_pad && (win->pads[0] || win->pads[1] || win->pads[2] || win->pads[3])) return 0;
        win->count_include_pad = 1;
        break;
    case CLG_OP_MAXPOOL:
        if (win->ceil_mode || !never_negative(g, pad->inputs[0])) return 0;
        if (win->pads[0] + pads[0] >= win->kernel[0] || win->pads[2] + pads[2] >= win->kernel[0] ||
            win->pads[1] + pads[1] >= win->kernel[1] || win->pads[3] + pads[3] >= win->kernel[1])
            return 0;
        break;
    default: return 0;
    }
    for (int i = 0; i < 4; i++) win->pads[i] += pads[i];
    return 1;
}

clg_status clg_pass_fold_pad(clg_graph *g, size_t *folded)
{
    size_t count = 0;
    clg_host_ints *ints = calloc(g->n_values ? g->n_values : 1, sizeof *ints);
    if (!ints) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory folding pads");
    for (size_t i = 0; i < g->n_nodes; i++) {
        clg_node *pad = &g->nodes[i];
        const int out = pad->output;
        int pads[4];
        if (pad->op != CLG_OP_PAD || pad->inputs[0] < 0 || g->values[out].is_output ||
            clg_graph_reader_count(g, out) != 1 || !zero_spatial_pads(g, pad, ints, pads))
            continue;
        clg_node *reader = NULL;
        for (size_t k = 0; k < g->n_nodes && !reader; k++)
            for (int j = 0; j < g->nodes[k].n_inputs; j++)
                if (g->nodes[k].inputs[j] == out) reader = j == 0 ? &g->nodes[k] : pad; /* pad: read as a weight */
        clg_window win;
        if (!reader || reader == pad || !foldable(g, pad, reader, pads, &win)) continue;
        reader->attrs.win = win;
        reader->inputs[0] = pad->inputs[0];
        pad->op = CLG_OP_IDENTITY; /* nothing reads it now */
        pad->n_inputs = 1;
        count++;
    }
    free(ints);
    if (folded) *folded = count;
    return CLG_OK;
}
