/*
 * IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed:
 * four magic bytes (0, 0, type, rank), rank big-endian uint32 dimensions,
 * then the data in C order. Only unsigned-byte data (type 0x08) is read.
 */
#ifndef CLG_IDX_H
#define CLG_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "clgooglenet.h"

#define CLG_IDX_MAX_RANK 4
/* Files declaring more data than this are refused before reading it. */
#define CLG_IDX_MAX_BYTES ((size_t)1 << 30)

typedef struct clg_idx {
    int rank;
    int64_t dims[CLG_IDX_MAX_RANK];
    size_t size;         /* bytes of data: the product of dims */
    unsigned char *data; /* size bytes */
} clg_idx;

/*
 * Reads an IDX file; gzip is recognised by zlib from the content. A
 * missing file is CLG_ERR_IO; a bad magic number, a zero or overflowing
 * dimension, truncated or trailing data and corrupt compression are
 * CLG_ERR_PARSE; another data type is CLG_ERR_UNSUPPORTED.
 */
clg_status clg_idx_load(const char *path, clg_idx **out);
void clg_idx_destroy(clg_idx *idx);

#endif
