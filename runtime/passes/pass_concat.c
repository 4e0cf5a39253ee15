/*
 * Pass 4, concat elimination (see passes.h). GoogLeNet ends every Inception
 * block with a channel Concat of four branches; letting each branch's last
 * Conv write into its slice removes a copy of every block's output.
 */
#include "passes.h"
#include "plan.h"

size_t clg_pass_place_concat_inputs(clg_plan *plan)
{
    const clg_graph *g = plan->graph;
    size_t placed = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const clg_node *cat = &g->nodes[i];
        const clg_shape *out = &plan->shapes[cat->output];
        /* Channel concat of NCHW tensors that is itself a plain tensor. */
        if (cat->op != CLG_OP_CONCAT || plan->resolved[i].axis != 1 || out->rank != 4 ||
            plan->placement[cat->output].into >= 0)
            continue;
        const size_t plane = (size_t)(out->dims[2] * out->dims[3]);
        size_t channel = 0;
        for (int k = 0; k < cat->n_inputs; k++) {
            int v = cat->inputs[k];
            const clg_shape *in = &plan->shapes[v];
            int twice = 0; /* the same value fed twice needs two copies */
            for (int j = 0; j < cat->n_inputs; j++) twice += j != k && cat->inputs[j] == v;
            /* Look through Identity views (a Relu fused by pass 1 is one) to the Conv. */
            int chain[8], depth = 0, ok = !twice;
            for (int cur = v; ok; ) {
                int producer = g->values[cur].producer;
                ok = depth < 8 && producer >= 0 && !g->values[cur].is_output && clg_graph_reader_count(g, cur) == 1 &&
                     plan->placement[cur].into < 0;
                if (!ok) break;
                chain[depth++] = cur;
                if (g->nodes[producer].op == CLG_OP_CONV) break;
                ok = g->nodes[producer].op == CLG_OP_IDENTITY;
                cur = g->nodes[producer].inputs[0];
            }
            for (int d = 0; ok && d < depth; d++) {
                plan->placement[chain[d]].into = cat->output;
                plan->placement[chain[d]].offset = channel * plane;
                plan->placement[chain[d]].image_stride = (size_t)out->dims[1] * plane;
            }
            placed += ok;
            channel += (size_t)in->dims[1];
        }
    }
    return placed;
}
