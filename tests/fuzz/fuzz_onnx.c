/*
 * Fuzz target: the ONNX loader as clg_model_load runs it on the host --
 * import, validation, topological order, the graph passes -- then shape
 * inference with input shapes taken from the declared input dims (1 for a
 * symbolic or unknown dim). No OpenCL device is involved.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "onnx_import.h"
#include "passes.h"
#include "shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clg_graph *g = NULL;
    if (clg_onnx_import(data, size, &g) != CLG_OK) return 0;
    int *order = NULL;
    clg_shape *inputs = NULL, *shapes = NULL;
    clg_window *windows = NULL;
    clg_host_ints *ints = NULL;
    if (clg_graph_validate(g) != CLG_OK) goto done;
    order = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *order);
    if (!order || clg_graph_topo_order(g, order) != CLG_OK) goto done;
    if (clg_passes_run(g) != CLG_OK) goto done; /* as clg_model_load (pass 6 included) */
    /* Sized after the passes: batch-norm folding may add values (a bias). */
    size_t nn = g->n_nodes ? g->n_nodes : 1, nv = g->n_values ? g->n_values : 1;
    inputs = calloc(g->n_inputs ? g->n_inputs : 1, sizeof *inputs);
    shapes = calloc(nv, sizeof *shapes);
    windows = calloc(nn, sizeof *windows);
    ints = calloc(nv, sizeof *ints);
    if (!inputs || !shapes || !windows || !ints) goto done;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const clg_value *v = &g->values[g->inputs[i]];
        inputs[i].rank = v->rank < 0 ? 0 : v->rank;
        for (int d = 0; d < inputs[i].rank; d++) inputs[i].dims[d] = v->dims[d] < 0 ? 1 : v->dims[d];
    }
    if (clg_shape_infer(g, inputs, order, shapes, windows, NULL, ints) == CLG_OK) {
        /* Touch every inferred size the planner would use. */
        volatile size_t total = 0;
        for (size_t v = 0; v < g->n_values; v++) total += clg_shape_count(&shapes[v]);
        (void)total;
    }
done:
    free(order);
    free(inputs);
    free(shapes);
    free(windows);
    free(ints);
    clg_graph_destroy(g);
    return 0;
}
