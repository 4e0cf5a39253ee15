/*
 * Kernel library: maps a cl/ file plus build options to a compiled program
 * (cached per context), and makes kernels from it. Sources come from the
 * copies embedded at build time, or from $CLGOOGLENET_KERNEL_DIR when set.
 */
#ifndef CLG_KERNELS_H
#define CLG_KERNELS_H

#include <CL/cl.h>

#include "clgooglenet.h"


/*
 * Creates kernel `name` from cl file `file` (e.g. "conv2d.cl") built with
 * `options` (e.g. "-DKH=3"; may be NULL). A build failure returns
 * CLG_ERR_KERNEL_BUILD with the build log in the message.
 */
clg_status clg_kernel_create(clg_context *ctx, const char *file, const char *options,
                             const char *name, cl_kernel *out);

/*
 * Program batching. On PoCL every clBuildProgram costs about 20 ms even when
 * its kernel cache hits (the source is preprocessed to find the cache entry),
 * so the kernel variants a plan needs are built as one program: each
 * variant's -D values become #defines around a copy of its cl file whose
 * functions are renamed (name__vN) and whose macros are #undef'd after it.
 * A cl file therefore keeps its file scope to functions and macros. A plan
 * lists its variants in a dry pass (plan.c) for clg_programs_prebuild.
 */
typedef struct clg_program_list {
    struct clg_program_wish {
        char *file, *options;
        char *user; /* who asked first, for errors: "node 'x' (Conv)" */
    } *items;
    size_t count, cap;
} clg_program_list;

clg_status clg_program_list_add(clg_program_list *list, const char *file, const char *options,
                                const char *user);
void clg_program_list_free(clg_program_list *list);

/* Builds the variants in list that the context's cache lacks as one program
   (a single one is left to clg_kernel_create). */
clg_status clg_programs_prebuild(clg_context *ctx, const clg_program_list *list);

/* Programs the context has built so far, from source or from the program
   store (a batched build counts once), and how many of them the store gave. */
size_t clg_program_cache_builds(const clg_context *ctx);
size_t clg_program_store_loads(const clg_context *ctx);


#endif
