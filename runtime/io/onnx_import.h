/* ONNX import: a serialized ModelProto becomes a clg_graph. */
#ifndef CLG_ONNX_IMPORT_H
#define CLG_ONNX_IMPORT_H

#include <stddef.h>

#include "graph.h"

/* Opsets of the default domain this importer understands. Opsets 23 to 28
   changed the supported ops only by adding data types (float4, float8 e8m0,
   int2 / uint2) and Cast's round_mode (for float8 e8m0 only). */
#define CLG_ONNX_OPSET_MIN 1
#define CLG_ONNX_OPSET_MAX 28

/*
 * Parses and validates the model. Unsupported ops, attributes and data
 * types are CLG_ERR_UNSUPPORTED naming the node and op; a corrupt file is
 * CLG_ERR_PARSE.
 */
clg_status clg_onnx_import(const void *data, size_t size, clg_graph **out);

/*
 * The same for a model read from a file in base_dir, where tensors stored
 * as external data are found (external_data.h); NULL: such tensors are
 * refused, as by clg_onnx_import.
 */
clg_status clg_onnx_import_dir(const void *data, size_t size, const char *base_dir, clg_graph **out);

#endif
