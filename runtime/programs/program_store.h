/*
 * On-disk store of compiled OpenCL programs, for drivers that keep no kernel
 * cache of their own (device_table.h says which).
 *
 * Entries live in $XDG_CACHE_HOME/clgooglenet/programs/ (else
 * ~/.cache/clgooglenet/programs/), one file per program, named by a hash of
 * the key: platform, device, driver version, build options and source. Each
 * file repeats its key and carries a checksum of the binary; an entry that is
 * truncated, corrupt, foreign or refused by the driver is removed and the
 * program rebuilt from source, never trusted. Entries are written to a
 * temporary file and renamed into place, so a reader never sees half of one.
 */
#ifndef CLG_PROGRAM_STORE_H
#define CLG_PROGRAM_STORE_H

#include <CL/cl.h>

#include "clgooglenet.h"


/* The context's store folder ("" when neither XDG_CACHE_HOME nor HOME was
   set when it was made; ctx NULL: the environment now). */
const char *clg_program_store_dir(const clg_context *ctx);

/*
 * A program built for ctx's device from the entry for (source, options), or
 * NULL when there is none or it cannot be used (the entry is then removed).
 */
cl_program clg_program_store_load(clg_context *ctx, const char *source, const char *options);

/* Keeps program's binary for (source, options). Failing to write is not an
   error: the next process compiles again. */
void clg_program_store_save(clg_context *ctx, const char *source, const char *options,
                            cl_program program);

#endif
