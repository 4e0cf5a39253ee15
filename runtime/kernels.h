/*
 * Kernel library: maps a cl/ file plus build options to a compiled program
 * (cached per context), and makes kernels from it. Sources come from the
 * copies embedded at build time, or from $CLGOOGLENET_KERNEL_DIR when set.
 */
#ifndef CLG_KERNELS_H
#define CLG_KERNELS_H

#include <CL/cl.h>

#include "clgooglenet.h"

#define CLG_KERNEL_DIR_ENV "CLGOOGLENET_KERNEL_DIR"

/*
 * Creates kernel `name` from cl file `file` (e.g. "conv2d.cl") built with
 * `options` (e.g. "-DKH=3"; may be NULL). A build failure returns
 * CLG_ERR_KERNEL_BUILD with the build log in the message.
 */
clg_status clg_kernel_create(clg_context *ctx, const char *file, const char *options,
                             const char *name, cl_kernel *out);

/* clSetKernelArg with a message naming the kernel and argument index. */
clg_status clg_kernel_arg(cl_kernel kernel, cl_uint index, size_t size, const void *value);

/* Convenience for the common argument kinds. */
#define CLG_ARG_MEM(k, i, m) clg_kernel_arg((k), (i), sizeof(cl_mem), &(m))
#define CLG_ARG_INT(k, i, v) clg_kernel_arg((k), (i), sizeof(cl_int), &(cl_int){(cl_int)(v)})
#define CLG_ARG_FLOAT(k, i, v) clg_kernel_arg((k), (i), sizeof(cl_float), &(cl_float){(cl_float)(v)})

struct clg_program_cache *clg_program_cache_create(void);
void clg_program_cache_destroy(struct clg_program_cache *cache);

#endif
