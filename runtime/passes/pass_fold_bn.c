/*
 * Pass 0, batch-norm folding (see passes.h). A BatchNormalization whose
 * input is a Conv output read by nothing else, with every parameter a
 * model constant, is the convolution with rescaled weights and a new bias:
 *   k = scale / sqrt(var + eps),  W' = W * k (per output channel),
 *   b' = (b - mean) * k + B.
 * Computed in double once at load; the normalisation then costs nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "passes.h"

/* Float initializer data of `count` values, or NULL. */
static float *constant_data(const clg_graph *g, int v, size_t count)
{
    size_t n;
    if (v < 0 || g->values[v].kind != CLG_VALUE_INITIALIZER || !g->values[v].data) return NULL;
    if (!clg_dims_count(g->values[v].rank, g->values[v].dims, &n) || n != count) return NULL;
    return g->values[v].data;
}

/* The Conv node a BatchNormalization can be folded into, or -1. */
static int foldable_conv(const clg_graph *g, const clg_node *bn)
{
    int x = bn->inputs[0];
    if (bn->n_inputs != 5 || x < 0 || g->values[x].is_output || clg_graph_reader_count(g, x) != 1) return -1;
    int p = g->values[x].producer;
    if (p < 0 || g->nodes[p].op != CLG_OP_CONV || g->nodes[p].attrs.fused_relu) return -1;
    const clg_node *conv = &g->nodes[p];
    const int w = conv->n_inputs > 1 ? conv->inputs[1] : -1;
    if (w < 0 || g->values[w].rank != 4 || !g->values[w].data || clg_graph_reader_count(g, w) != 1) return -1;
    const size_t k = (size_t)g->values[w].dims[0];
    for (int i = 1; i < 5; i++)
        if (!constant_data(g, bn->inputs[i], k)) return -1;
    const int b = conv->n_inputs > 2 ? conv->inputs[2] : -1;
    if (b >= 0 && (!constant_data(g, b, k) || clg_graph_reader_count(g, b) != 1)) return -1;
    return p;
}

/* Gives the convolution a zero bias of k values (a new initializer). */
static clg_status add_zero_bias(clg_graph *g, int conv, int bn, size_t k)
{
    char name[512];
    float *zeros = calloc(k ? k : 1, sizeof(float));
    int *inputs = realloc(g->nodes[conv].inputs, 3 * sizeof(int));
    if (!zeros || !inputs) {
        free(zeros);
        if (inputs) g->nodes[conv].inputs = inputs;
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory folding batch norms");
    }
    g->nodes[conv].inputs = inputs;
    int idx = -1;
    const int64_t dims[1] = {(int64_t)k};
    clg_status st = CLG_ERR_PARSE;
    for (int attempt = 0; attempt < 100 && st != CLG_OK; attempt++) { /* a free name */
        snprintf(name, sizeof name, "%.400s.folded_bias%s%.0d", g->nodes[bn].name, attempt ? "_" : "", attempt);
        if (clg_graph_find_value(g, name) < 0) st = clg_graph_add_initializer(g, name, 1, dims, zeros, &idx);
    }
    free(zeros);
    if (st != CLG_OK) return st;
    g->nodes[conv].inputs[2] = idx;
    if (g->nodes[conv].n_inputs < 3) g->nodes[conv].n_inputs = 3;
    return CLG_OK;
}

clg_status clg_pass_fold_batchnorm(clg_graph *g, size_t *folded)
{
    *folded = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].op != CLG_OP_BATCHNORM) continue;
        const int conv = foldable_conv(g, &g->nodes[i]);
        if (conv < 0) continue;
        const int w = g->nodes[conv].inputs[1];
        const size_t k = (size_t)g->values[w].dims[0];
        if (g->nodes[conv].n_inputs < 3 || g->nodes[conv].inputs[2] < 0)
            CLG_TRY(add_zero_bias(g, conv, (int)i, k)); /* may move g->values */
        const clg_node *bn = &g->nodes[i];
        const float *scale = g->values[bn->inputs[1]].data, *shift = g->values[bn->inputs[2]].data;
        const float *mean = g->values[bn->inputs[3]].data, *var = g->values[bn->inputs[4]].data;
        float *weight = g->values[w].data, *bias = g->values[g->nodes[conv].inputs[2]].data;
        size_t total = 0;
        clg_dims_count(4, g->values[w].dims, &total);
        const size_t per_channel = k ? total / k : 0;
        for (size_t c = 0; c < k; c++) {
            const double f = (double)scale[c] / sqrt((double)var[c] + (double)bn->attrs.epsilon);
            for (size_t j = 0; j < per_channel; j++)
                weight[c * per_channel + j] = (float)((double)weight[c * per_channel + j] * f);
            bias[c] = (float)(((double)bias[c] - (double)mean[c]) * f + (double)shift[c]);
        }
        g->nodes[i].op = CLG_OP_IDENTITY; /* now a view of the conv output */
        g->nodes[i].n_inputs = 1;
        (*folded)++;
    }
    return CLG_OK;
}
