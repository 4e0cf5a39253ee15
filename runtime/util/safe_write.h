/*
 * Writes that cannot lose data. A file is written to a temporary file in the
 * same folder and renamed over the destination only once every byte is on
 * disk, so a full disk, a quota or a crash leaves any existing file as it
 * was, never truncated or removed. Destinations that are not regular files
 * (/dev/null, /dev/stdout, a FIFO with a reader) are written in place, as a
 * rename would replace the device node itself; a FIFO without a reader is
 * an error, not a hang.
 *
 *   clg_out_file o;
 *   CLG_TRY(clg_out_open(&o, path, "trace"));
 *   fprintf(o.f, ...);
 *   return clg_out_commit(&o);     (or clg_out_abort(&o) on an error)
 */
#ifndef CLG_SAFE_WRITE_H
#define CLG_SAFE_WRITE_H

#include <stdio.h>

#include "clgooglenet.h"

typedef struct clg_out_file {
    FILE *f;          /* write here */
    char *path;       /* destination (symbolic links resolved) */
    char *tmp;        /* temporary file, NULL when writing in place */
    const char *what; /* for messages: "trace", "output", ... */
} clg_out_file;

/* Starts writing path. Errors (CLG_ERR_IO) name the path and say why. */
clg_status clg_out_open(clg_out_file *o, const char *path, const char *what);

/* Flushes, syncs and renames into place; on any failure the temporary file
   is removed, the destination left untouched, and the message says why. */
clg_status clg_out_commit(clg_out_file *o);

/* Drops what was written; the destination is untouched. */
void clg_out_abort(clg_out_file *o);

/* Writes size bytes to path through clg_out_open / clg_out_commit. */
clg_status clg_write_file(const char *path, const char *what, const void *data, size_t size);

#endif
