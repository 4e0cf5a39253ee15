/* A model: a validated graph bound to a context, with its plans. */
#ifndef CLG_MODEL_H
#define CLG_MODEL_H

#include "graph.h"

/*
 * Binds a graph built in memory (tests, the ONNX importer) to a context.
 * Takes ownership of g on success and on failure.
 */
clg_status clg_model_from_graph(clg_context *ctx, clg_graph *g, clg_model **out);

const clg_graph *clg_model_graph(const clg_model *model);

#endif
