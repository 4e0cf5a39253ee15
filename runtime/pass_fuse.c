#include <stdlib.h>
#include <string.h>

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

int clg_pass_enabled(int number)
{
    const char *all_off = getenv(CLG_NO_FUSION_ENV);
    if (all_off && *all_off && strcmp(all_off, "0") != 0) return 0;
    const char *list = getenv(CLG_PASSES_OFF_ENV);
    for (const char *p = list ? list : ""; *p;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end != p && n == number && (*end == ',' || *end == '\0')) return 0;
        p = *end ? end + 1 : end; /* anything malformed is skipped, never fatal */
    }
    return 1;
}

clg_status clg_passes_run(clg_graph *g)
{
    size_t folded;
    if (clg_pass_enabled(CLG_PASS_FOLD_BATCHNORM)) CLG_TRY(clg_pass_fold_batchnorm(g, &folded));
    if (clg_pass_enabled(CLG_PASS_FUSE_CONV_RELU)) clg_pass_fuse_conv_relu(g);
    if (clg_pass_enabled(CLG_PASS_GROUP_POINTWISE)) clg_pass_group_pointwise(g);
    return CLG_OK;
}
