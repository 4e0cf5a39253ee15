/* The device a context drives: OpenCL handles plus the program cache. */
#ifndef CLG_CONTEXT_H
#define CLG_CONTEXT_H

#include <CL/cl.h>

#include "clgooglenet.h"

struct clg_program_cache;

#define CLG_MAX_QUEUES 4

/*
 * Every setting the planners read, resolved once when the context is made
 * (options.c): the caller's option, else its environment variable, else the
 * default. A variable changed after clg_context_create returns does not
 * change this context; a bad value fails the creation (env.c), so these
 * hold only allowed values. Strings point into the context's settings_strings.
 */
typedef struct clg_context_settings {
    const char *conv_algorithm; /* NULL: not forced */
    const char *gemm;           /* NULL: not forced */
    const char *kernel_family;  /* "cpu", "simt"; NULL: the device decides */
    const char *kernel_dir;     /* NULL: the embedded sources */
    const char *passes_off;     /* "all", a list such as "0,3", or "" */
    clg_tuning_mode tuning;     /* never CLG_TUNING_DEFAULT */
    clg_precision precision;    /* never CLG_PRECISION_DEFAULT */
    const char *half_math;      /* "half", "float"; NULL: the device decides */
    const char *cache_dir;      /* $XDG_CACHE_HOME/clgooglenet, else ~/.cache/clgooglenet; NULL: none */
} clg_context_settings;

struct clg_context {
    clg_device_info info;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* queues[0]: transfers, single-queue work */
    cl_command_queue queues[CLG_MAX_QUEUES];
    int n_queues;           /* in-order queues made; a plan spreads branches over plan->n_queues */
    int queues_asked;       /* the count came from the options or CLGOOGLENET_QUEUES */
    struct clg_program_cache *programs;
    int program_store;      /* keep compiled programs on disk (program_store.h) */
    /* The device table's loop_iteration_limit (0: none); tests lower it to
       exercise the planners' splits on any device. */
    int loop_iteration_limit;
    /* The device table's simt_group_limit (0: none); tests lower it to run
       the SIMT family's small tiles on any device. */
    int simt_group_limit;
    /* The device table's prefetch_hints: programs get -DCLG_PREFETCH_HINTS=1. */
    int prefetch_hints;
    /* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT: the lanes of one SIMD register on
       CPU drivers (8 for AVX2, 16 for AVX-512). The CPU family sizes its
       register tiles with it (ops_conv.c); tests change it to run both
       tile sizes on any device. */
    int float_lanes;
    unsigned flags; /* CLG_CONTEXT_* */
    /* The caller's options (runtime/core/options.c), as clg_context_get_options
       shows them; strings point into option_strings. */
    clg_context_options options;
    char *option_strings;
    clg_context_settings settings; /* what the options and the environment resolve to */
    char *settings_strings;
};

/*
 * Configuration in one place: the environment is read in context.c,
 * options.c and env.c alone, once per context, when it is made (the device,
 * the queues and the program store in context.c, the rest into
 * ctx->settings). The rest of the library reads settings only through the
 * accessors below. ctx NULL (context-free callers: clg_passes_run, tests)
 * reads the environment at the call.
 */
const char *clg_context_conv_algorithm(const clg_context *ctx); /* NULL: not forced */
const char *clg_context_gemm(const clg_context *ctx);           /* NULL: not forced */
const char *clg_context_kernel_family(const clg_context *ctx);  /* "cpu", "simt"; NULL: the device decides */
const char *clg_context_kernel_dir(const clg_context *ctx);     /* NULL: embedded */
int clg_context_pass_enabled(const clg_context *ctx, int pass);
/* CLG_TUNING_OFF, _CACHED, _ON or _FORCE, never _DEFAULT. */
clg_tuning_mode clg_context_tuning(const clg_context *ctx);
/* 1 when the context keeps weights and activations in half (CLG_PRECISION_FP16). */
int clg_context_half(const clg_context *ctx);
/* The bytes of one weight or activation element on the device: 4, or 2 in half. */
size_t clg_context_element_bytes(const clg_context *ctx);
/* The bytes of one element of the kernels' compute type (cl/prelude.cl's
   real): 2 where half contexts compute in half (clg_context_half_arithmetic), else 4. */
size_t clg_context_compute_bytes(const clg_context *ctx);

/* The passes switched off, "all" or a list such as "0,3": the option when
   not NULL, else CLGOOGLENET_NO_FUSION=1 ("all"), else a well-formed
   CLGOOGLENET_PASSES_OFF, else "". */
const char *clg_passes_off_setting(const char *option);

/* A list of pass numbers ("0,3"), "all" or "" (NULL too): 1 when well formed. */
int clg_passes_off_valid(const char *passes_off);

/* 0 when a passes_off setting (NULL: the variables, read and checked at the
   call) switches pass `number` off. */
int clg_pass_enabled_by(const char *passes_off, int number);

/* The context's cache directory (clg_context_settings.cache_dir) into dir;
   0 when there is none or the path does not fit. */
int clg_cache_dir(const clg_context *ctx, char *dir, size_t size);

/* Resolves ctx->options and the environment into ctx->settings (called by
   context creation once the options are adopted). */
clg_status clg_context_settings_resolve(clg_context *ctx);

/* Checks options and copies them (strings included) into ctx->options. */
clg_status clg_context_options_adopt(clg_context *ctx, const clg_context_options *options);

/* Wraps a failed OpenCL call: CLG_ERR_OPENCL, "call failed: CL_NAME (where)". */
clg_status clg_cl_fail(cl_int err, const char *call, const char *where);

/* A CPU's SIMD width in floats, 4, 8 or 16 (float_lanes rounded down); 16 on
   other devices and CPU drivers that report fewer than 4 lanes, whose count
   says nothing of their registers (the CPU-shaped kernels' register tiles
   and the peak probe follow it). */
int clg_context_simd_lanes(const clg_context *ctx);

#define CLG_CL_TRY(call, where)                                                                   \
    do {                                                                                          \
        cl_int clg_cl_err_ = (call);                                                              \
        if (clg_cl_err_ != CL_SUCCESS) return clg_cl_fail(clg_cl_err_, #call, (where));           \
    } while (0)

#endif
