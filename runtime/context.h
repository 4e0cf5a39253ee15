/* The device a context drives: OpenCL handles plus the program cache. */
#ifndef CLG_CONTEXT_H
#define CLG_CONTEXT_H

#include <CL/cl.h>

#include "clgooglenet.h"

struct clg_program_cache;

#define CLG_MAX_QUEUES 4
#define CLG_QUEUES_ENV "CLGOOGLENET_QUEUES"

struct clg_context {
    clg_device_info info;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* queues[0]: transfers, single-queue work */
    cl_command_queue queues[CLG_MAX_QUEUES];
    int n_queues;           /* in-order queues the scheduler spreads branches over */
    struct clg_program_cache *programs;
    int program_store;      /* keep compiled programs on disk (program_store.h) */
    /* The device table's loop_iteration_limit (0: none); tests lower it to
       exercise the planners' splits on any device. */
    int loop_iteration_limit;
    unsigned flags; /* CLG_CONTEXT_* */
    /* The caller's options (runtime/options.c); strings point into option_strings. */
    clg_context_options options;
    char *option_strings;
};

/*
 * Settings a planner reads: the context's option when set, else its
 * environment variable read now, else NULL / the default (options.c).
 */
const char *clg_context_conv_algorithm(const clg_context *ctx); /* NULL: not forced */
const char *clg_context_gemm(const clg_context *ctx);           /* NULL: not forced */
const char *clg_context_kernel_family(const clg_context *ctx);  /* "cpu", "simt"; NULL: the device decides */
const char *clg_context_kernel_dir(const clg_context *ctx);     /* NULL: embedded */
int clg_context_pass_enabled(const clg_context *ctx, int pass);

/* Checks options and copies them (strings included) into ctx->options. */
clg_status clg_context_options_adopt(clg_context *ctx, const clg_context_options *options);

/* Wraps a failed OpenCL call: CLG_ERR_OPENCL, "call failed: CL_NAME (where)". */
clg_status clg_cl_fail(cl_int err, const char *call, const char *where);

#define CLG_CL_TRY(call, where)                                                                   \
    do {                                                                                          \
        cl_int clg_cl_err_ = (call);                                                              \
        if (clg_cl_err_ != CL_SUCCESS) return clg_cl_fail(clg_cl_err_, #call, (where));           \
    } while (0)

#endif
