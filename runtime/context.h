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
    unsigned flags; /* CLG_CONTEXT_* */
    /* The caller's options (runtime/options.c); strings point into option_strings. */
    clg_context_options options;
    char *option_strings;
};

/*
 * Settings a planner reads: the context's option when set, else its
 * environment variable read now, else NULL / the default (options.c). The
 * rest of the library reads settings only through these: the environment
 * is read in context.c, options.c and env.c alone. A variable is read at
 * its use, not copied at context creation, because callers (and the tests)
 * change it between models of one context; clg_context_get_options shows
 * only what the caller set.
 */
const char *clg_context_conv_algorithm(const clg_context *ctx); /* NULL: not forced */
const char *clg_context_gemm(const clg_context *ctx);           /* NULL: not forced */
const char *clg_context_kernel_family(const clg_context *ctx);  /* "cpu", "simt"; NULL: the device decides */
const char *clg_context_kernel_dir(const clg_context *ctx);     /* NULL: embedded */
int clg_context_pass_enabled(const clg_context *ctx, int pass);
/* CLG_TUNING_OFF, _CACHED, _ON or _FORCE, never _DEFAULT (ctx may be NULL). */
clg_tuning_mode clg_context_tuning(const clg_context *ctx);

/* The passes switched off, "all" or a list such as "0,3": the option when
   not NULL, else CLGOOGLENET_NO_FUSION=1 ("all"), else a well-formed
   CLGOOGLENET_PASSES_OFF, else "". */
const char *clg_passes_off_setting(const char *option);

/* The settings clg_context_check_settings checks. */
enum {
    CLG_SETTING_CONV = 1,    /* CLGOOGLENET_CONV */
    CLG_SETTING_TUNE = 2,    /* CLGOOGLENET_TUNE */
    CLG_SETTING_GEMM = 4,    /* CLGOOGLENET_GEMM */
    CLG_SETTING_KERNELS = 8, /* CLGOOGLENET_KERNELS */
    CLG_SETTING_PASSES = 16  /* CLGOOGLENET_NO_FUSION and CLGOOGLENET_PASSES_OFF */
};

/*
 * Checks the variables of the settings in `which` that the context's
 * options leave unset (ctx NULL: all of them; the passes' always), where
 * they are needed: a bad value set after the context was made fails the
 * model that would use it, with the message of runtime/env.h.
 */
clg_status clg_context_check_settings(const clg_context *ctx, unsigned which);

/* "$XDG_CACHE_HOME/clgooglenet", else "$HOME/.cache/clgooglenet", into dir;
   0 when neither variable is set or the path does not fit. Read at each
   call: the caches follow the variable. */
int clg_cache_dir(char *dir, size_t size);

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
