/*
 * Pass 3, horizontal 1x1 fusion (see passes.h). Every Inception block opens
 * with up to three 1x1 convolutions of the block input (p1_1, p2_1, p3_1);
 * run as one launch, the input is read once and two launches go away, which
 * counts most at batch 1. Here the groups are only recorded; the planner
 * (ops_conv.c) decides per plan whether a group runs fused.
 *
 * A group's weights are concatenated in member order and split into 16- or
 * 32-channel blocks on the device, so every member but the last must have a
 * multiple of 16 output channels (no block may straddle two outputs).
 */
#include <stdlib.h>

#include "passes.h"

typedef struct candidate {
    int node, input;
} candidate;

static int by_input(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->input != y->input) return x->input < y->input ? -1 : 1;
    return (x->node > y->node) - (x->node < y->node);
}

static int constant(const clg_graph *g, int v)
{
    return v >= 0 && g->values[v].kind == CLG_VALUE_INITIALIZER && g->values[v].data;
}

/* A 1x1, stride-1, unpadded, ungrouped Conv with constant weights (and bias). */
static int pointwise(const clg_graph *g, const clg_node *nd)
{
    if (nd->op != CLG_OP_CONV || nd->n_inputs < 2 || nd->inputs[0] < 0 || nd->attrs.n_hgroup ||
        nd->attrs.fused_pool)
        return 0;
    const clg_window *w = &nd->attrs.win;
    if (!clg_window_is_plain(w)) return 0; /* the group's kernel has one input-channel range */
    const clg_value *wt = nd->inputs[1] >= 0 ? &g->values[nd->inputs[1]] : NULL;
    if (!wt || !constant(g, nd->inputs[1]) || wt->rank != 4 || wt->dims[2] != 1 || wt->dims[3] != 1) return 0;
    if (nd->n_inputs > 2 && nd->inputs[2] >= 0 && !constant(g, nd->inputs[2])) return 0;
    if (w->stride[0] != 1 || w->stride[1] != 1 || w->pads[0] || w->pads[1] || w->pads[2] || w->pads[3]) return 0;
    return w->auto_pad == CLG_PAD_NOTSET || w->auto_pad == CLG_PAD_VALID;
}

static int64_t out_channels(const clg_graph *g, int node)
{
    return g->values[g->nodes[node].inputs[1]].dims[0];
}

/* Records one group from the candidates [first, last) of one input. */
static int make_group(clg_graph *g, const candidate *c, size_t first, size_t last)
{
    int members[3], n = 0, tail = -1;
    const int relu = g->nodes[c[first].node].attrs.fused_relu;
    for (size_t i = first; i < last && n < 3; i++) {
        const int node = c[i].node;
        if (g->nodes[node].attrs.fused_relu != relu) continue;
        if (out_channels(g, node) % 16 == 0) members[n++] = node;
        else if (tail < 0) tail = node; /* at most one, placed last */
    }
    if (tail >= 0 && n == 3) n = 2;
    if (tail >= 0) members[n++] = tail;
    if (n < 2) return 0;
    for (int i = 0; i < n; i++) {
        clg_node *nd = &g->nodes[members[i]];
        nd->attrs.n_hgroup = n;
        for (int j = 0; j < n; j++) nd->attrs.hgroup[j] = members[j];
    }
    return 1;
}

size_t clg_pass_group_pointwise(clg_graph *g)
{
    candidate *c = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *c);
    if (!c) return 0; /* an optimisation: without memory, nothing is grouped */
    size_t n = 0, groups = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        if (pointwise(g, &g->nodes[i])) c[n++] = (candidate){(int)i, g->nodes[i].inputs[0]};
    qsort(c, n, sizeof *c, by_input);
    for (size_t first = 0; first < n;) {
        size_t last = first + 1;
        while (last < n && c[last].input == c[first].input) last++;
        groups += (size_t)make_group(g, c, first, last);
        first = last;
    }
    free(c);
    return groups;
}
