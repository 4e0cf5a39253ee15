#include <stdlib.h>
#include <string.h>

#include "passes.h"

size_t clg_pass_fuse_conv_relu(clg_graph *g)
{
    size_t fused = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        clg_node *relu = &g->nodes[i];
        if (relu->op != CLG_OP_RELU || relu->n_inputs < 1 || relu->inputs[0] < 0) continue;
        int x = relu->inputs[0];
        int producer = g->values[x].producer;
        if (producer < 0) continue;
        clg_node *conv = &g->nodes[producer];
        /* The conv output must not be seen by anyone but this Relu. */
        if (conv->op != CLG_OP_CONV || conv->attrs.fused_relu || g->values[x].is_output ||
            clg_graph_reader_count(g, x) != 1)
            continue;
        conv->attrs.fused_relu = 1;
        relu->op = CLG_OP_IDENTITY; /* now a view of the conv output */
        fused++;
    }
    return fused;
}

int clg_passes_enabled(void)
{
    const char *off = getenv(CLG_NO_FUSION_ENV);
    return !(off && *off && strcmp(off, "0") != 0);
}

clg_status clg_passes_run(clg_graph *g)
{
    if (clg_passes_enabled()) clg_pass_fuse_conv_relu(g);
    return CLG_OK;
}
