/*
 * ONNX tensors whose bytes live in another file (data_location EXTERNAL, as
 * large exports are saved): external_data gives `location`, a path relative
 * to the model file's folder, and optionally `offset` and `length` in bytes.
 * The file is untrusted like the model: a path that leaves the folder
 * (absolute, "..", or a symbolic link pointing out) is refused, and the
 * file's size is checked against what the tensor needs before anything is
 * allocated. Any number of tensors may name the same bytes, so the importer
 * also keeps their total within the host's memory (mem_budget.h).
 */
#ifndef CLG_EXTERNAL_DATA_H
#define CLG_EXTERNAL_DATA_H

#include <stddef.h>

#include "clgooglenet.h"
#include "onnx.pb-c.h"

/* 1 when t's data is stored in another file. */
int clg_tensor_is_external(const Onnx__TensorProto *t);

/*
 * Reads exactly `need` bytes of t's external data into *data (malloc'd,
 * at least one byte). base_dir is the model file's folder; NULL (a model
 * given as bytes) is CLG_ERR_UNSUPPORTED. `where` ("initializer 'w'")
 * starts every message, which also names the file. A refused path or a
 * file that cannot be opened is CLG_ERR_IO; a file shorter than offset +
 * need, a `length` other than need, or (without a length) bytes past the
 * tensor's end is CLG_ERR_PARSE.
 */
clg_status clg_external_data_read(const Onnx__TensorProto *t, const char *base_dir, const char *where,
                                  size_t need, unsigned char **data);

#endif
