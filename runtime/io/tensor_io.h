/*
 * Tensor I/O shared with the model loader: whole-file reads and the
 * conversion of a parsed ONNX TensorProto into float32 data.
 */
#ifndef CLG_TENSOR_IO_H
#define CLG_TENSOR_IO_H

#include <stddef.h>
#include <stdint.h>

#include "clgooglenet.h"
#include "onnx.pb-c.h"

/*
 * Reads a whole regular file (at most 2 GiB, protobuf's limit) into *data (malloc'd, release with free()).
 * An empty file gives *size 0 and a 1-byte buffer, so *data is never NULL
 * on success. Failure to open or read is CLG_ERR_IO naming the path.
 */
clg_status clg_read_file(const char *path, unsigned char **data, size_t *size);
/* (clg_read_file_limit, in file_read.h, takes a size limit.) */

/*
 * Converts a FLOAT TensorProto (raw_data or float_data), or a FLOAT16 or
 * BFLOAT16 one (raw_data or int32_data, converted exactly), into *rank, dims
 * (room for CLG_MAX_RANK) and *data (malloc'd, at least one float; release
 * with free()). `where` starts every error message, e.g.
 * "initializer conv1.weight". Another data type, external data or rank
 * above CLG_MAX_RANK is CLG_ERR_UNSUPPORTED; negative or overflowing dims
 * and data of the wrong length are CLG_ERR_PARSE. Outputs are untouched on
 * failure.
 */
clg_status clg_tensor_from_proto(const Onnx__TensorProto *p, const char *where, int *rank,
                                 int64_t *dims, float **data);

/*
 * The .npy and .pb readers on bytes in memory (clg_tensor_load_npy and
 * clg_tensor_load_pb read the file and parse it with these, so messages
 * match). `name` (NULL: "<memory>") starts error messages.
 */
clg_status clg_tensor_parse_npy(const void *data, size_t size, const char *name, clg_tensor **out);
clg_status clg_tensor_parse_pb(const void *data, size_t size, const char *name, clg_tensor **out);

/* The ONNX name of a TensorProto data type ("FLOAT", "INT64", ...). */
const char *clg_onnx_type_name(int32_t data_type);

#endif
