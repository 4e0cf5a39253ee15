/*
 * Opening files for reading without trusting them. Every reader of the
 * runtime opens through here: a FIFO would block the open (and every read)
 * forever, a device such as /dev/zero never ends, and a directory has no
 * bytes, so anything but a regular file is refused before a byte is read.
 * The size is checked against the caller's limit from fstat, before any
 * memory is allocated for the contents.
 */
#ifndef CLG_FILE_READ_H
#define CLG_FILE_READ_H

#include <stdint.h>
#include <stdio.h>

#include "clgooglenet.h"

/* protobuf cannot parse messages of 2 GiB or more: ONNX models and .pb tensors. */
#define CLG_PROTOBUF_MAX_BYTES ((uint64_t)2 << 30)

/*
 * Opens path (a regular file of at most max_bytes) for reading. `what`
 * names the file's kind in messages ("model", "cache file"). A missing or
 * unreadable file is CLG_ERR_IO with strerror; another kind of file is
 * CLG_ERR_IO saying which; a larger file is CLG_ERR_UNSUPPORTED with its
 * size and the limit.
 */
clg_status clg_open_read(const char *path, const char *what, uint64_t max_bytes, FILE **out,
                         size_t *size);

/* Like clg_open_read, but only the descriptor (for gzdopen and the like). */
clg_status clg_open_read_fd(const char *path, const char *what, uint64_t max_bytes, int *fd,
                            size_t *size);

/*
 * Reads a whole file of at most max_bytes through clg_open_read into *data
 * (malloc'd, at least one byte; release with free()) and *size.
 */
clg_status clg_read_file_limit(const char *path, const char *what, uint64_t max_bytes,
                               unsigned char **data, size_t *size);

/* "a FIFO", "a directory", ... for a st_mode. */
const char *clg_file_kind(unsigned mode);

#endif
