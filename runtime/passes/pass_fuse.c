#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "env.h"
#include "error.h"
#include "passes.h"

size_t clg_pass_fuse_conv_relu(clg_graph *g)
{
    size_t fused = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        clg_node *relu = &g->nodes[i];
        if (relu->op != CLG_OP_RELU || relu->n_inputs < 1 || relu->inputs[0] < 0) continue;
        /* Walk back through views (a folded batch norm is one) to a Conv;
           nothing but this chain may see the values on the way. */
        int cur = relu->inputs[0], producer = -1;
        for (int depth = 0; depth < 8; depth++) {
            if (g->values[cur].is_output || clg_graph_reader_count(g, cur) != 1) break;
            int p = g->values[cur].producer;
            if (p < 0) break;
            if (g->nodes[p].op == CLG_OP_CONV) {
                producer = p;
                break;
            }
            if (g->nodes[p].op != CLG_OP_IDENTITY || g->nodes[p].inputs[0] < 0) break;
            cur = g->nodes[p].inputs[0];
        }
        if (producer < 0) continue;
        clg_node *conv = &g->nodes[producer];
        if (conv->attrs.fused_relu) continue;
        conv->attrs.fused_relu = 1;
        relu->op = CLG_OP_IDENTITY; /* now a view of the conv output */
        fused++;
    }
    return fused;
}

/* A 3x3, stride-1 MaxPool padded by 1 on every side (the output keeps the input's size). */
static int pool3_same(const clg_node *nd)
{
    const clg_window *w = &nd->attrs.win;
    return nd->op == CLG_OP_MAXPOOL && nd->n_inputs >= 1 && nd->inputs[0] >= 0 && w->kernel[0] == 3 &&
           w->kernel[1] == 3 && w->stride[0] == 1 && w->stride[1] == 1 && w->auto_pad == CLG_PAD_NOTSET &&
           w->pads[0] == 1 && w->pads[1] == 1 && w->pads[2] == 1 && w->pads[3] == 1;
}

static int constant(const clg_graph *g, int v)
{
    return g->values[v].kind == CLG_VALUE_INITIALIZER && g->values[v].data;
}

/* A 1x1, stride-1, unpadded, ungrouped Conv with constant weights and bias
   (the fused kernel needs them re-laid on the host). */
static int conv_1x1(const clg_graph *g, const clg_node *nd)
{
    const clg_window *w = &nd->attrs.win;
    if (nd->op != CLG_OP_CONV || nd->n_inputs < 2 || nd->inputs[1] < 0 || nd->attrs.fused_pool ||
        !clg_window_is_plain(w))
        return 0;
    if (nd->n_inputs > 2 && nd->inputs[2] >= 0 && !constant(g, nd->inputs[2])) return 0;
    const clg_value *wt = &g->values[nd->inputs[1]];
    return constant(g, nd->inputs[1]) && wt->rank == 4 && wt->dims[2] == 1 &&
           wt->dims[3] == 1 && w->stride[0] == 1 && w->stride[1] == 1 && !w->pads[0] && !w->pads[1] &&
           !w->pads[2] && !w->pads[3] && w->auto_pad == CLG_PAD_NOTSET;
}

size_t clg_pass_fuse_pool_pointwise(clg_graph *g)
{
    size_t fused = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        clg_node *conv = &g->nodes[i];
        if (!conv_1x1(g, conv) || conv->inputs[0] < 0) continue;
        const int pooled = conv->inputs[0], p = g->values[pooled].producer;
        if (p < 0 || !pool3_same(&g->nodes[p]) || g->values[pooled].is_output ||
            clg_graph_reader_count(g, pooled) != 1)
            continue;
        conv->attrs.fused_pool = 1;
        conv->inputs[0] = g->nodes[p].inputs[0];
        g->nodes[p].op = CLG_OP_IDENTITY; /* nothing reads it any more */
        fused++;
    }
    return fused;
}

int clg_pass_enabled(int number) { return clg_pass_enabled_by(NULL, number); }

clg_status clg_passes_run_with(clg_graph *g, const char *passes_off)
{
    size_t folded;
    if (!passes_off) { /* the environment's: a context checked its own when it was made */
        CLG_TRY(clg_env_check_one(CLG_NO_FUSION_ENV));
        CLG_TRY(clg_env_check_one(CLG_PASSES_OFF_ENV));
    }
    if (clg_pass_enabled_by(passes_off, CLG_PASS_FOLD_PAD)) CLG_TRY(clg_pass_fold_pad(g, NULL));
    clg_graph_forward_constants(g);
    if (clg_pass_enabled_by(passes_off, CLG_PASS_FOLD_BATCHNORM)) CLG_TRY(clg_pass_fold_batchnorm(g, &folded));
    if (clg_pass_enabled_by(passes_off, CLG_PASS_FUSE_CONV_RELU)) clg_pass_fuse_conv_relu(g);
    if (clg_pass_enabled_by(passes_off, CLG_PASS_FUSE_POOL_POINTWISE)) clg_pass_fuse_pool_pointwise(g);
    if (clg_pass_enabled_by(passes_off, CLG_PASS_GROUP_POINTWISE)) clg_pass_group_pointwise(g);
    return CLG_OK;
}

clg_status clg_passes_run(clg_graph *g) { return clg_passes_run_with(g, NULL); }
