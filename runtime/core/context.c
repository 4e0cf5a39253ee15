#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "device_table.h"
#include "env.h"
#include "error.h"
#include "program_cache.h"

clg_status clg_cl_fail(cl_int err, const char *call, const char *where)
{
    return clg_fail(CLG_ERR_OPENCL, "%s failed: %s%s%s%s", call, clg_cl_error_name(err),
                    where ? " (" : "", where ? where : "", where ? ")" : "");
}

/* The program_cache option (1 on, -1 off), else CLGOOGLENET_PROGRAM_CACHE: 0/off,
   1/on, or unset for the device table's choice. */
static int program_store_choice(const clg_device_info *info, int option)
{
    if (option) return option > 0;
    /* Checked with the other variables (env.c): "0" or "1" in any of its spellings. */
    const char *v = clg_env_word(CLG_PROGRAM_CACHE_ENV);
    return v ? strcmp(v, "1") == 0 : clg_device_traits_of(info)->program_store;
}

clg_status clg_context_create(const char *device_spec, clg_context **out)
{
    return clg_context_create_flags(device_spec, 0, out);
}

clg_status clg_context_create_flags(const char *device_spec, unsigned flags, clg_context **out)
{
    clg_context_options options;
    clg_context_options_init(&options);
    options.device = device_spec;
    options.flags = flags;
    return clg_context_create_with_options(&options, out);
}

/* Chooses the device (the options' spec, else CLGOOGLENET_DEVICE), opens it
   and creates ctx's OpenCL context on it. */
static clg_status open_device(clg_context *ctx)
{
    clg_device_info *devices = NULL;
    size_t count = 0, chosen = 0;
    clg_status st = clg_devices_list(&devices, &count);
    const char *spec = ctx->options.device ? ctx->options.device : clg_env_value(CLG_DEVICE_ENV);
    if (st == CLG_OK) st = clg_device_select(devices, count, spec, &chosen);
    if (st == CLG_OK) {
        ctx->info = devices[chosen];
        st = clg_device_open(&ctx->info, &ctx->platform, &ctx->device);
    }
    free(devices);
    if (st != CLG_OK) return st;
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)ctx->platform, 0};
    ctx->context = clCreateContext(props, 1, &ctx->device, NULL, NULL, &err);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateContext", ctx->info.device_name);
    cl_uint lanes = 0;
    err = clGetDeviceInfo(ctx->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof lanes, &lanes, NULL);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clGetDeviceInfo(CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT)", NULL);
    ctx->float_lanes = lanes > 0 ? (int)lanes : 1;
    return CLG_OK;
}

/* ctx's in-order queues: the options' count, else CLGOOGLENET_QUEUES, else
   the device table's count for batch-1 plans (at least one). */
static clg_status create_queues(clg_context *ctx)
{
    /* Profiling only when asked: it can cost time on some drivers. */
    cl_command_queue_properties props_queue = (ctx->flags & CLG_CONTEXT_PROFILING) ? CL_QUEUE_PROFILING_ENABLE : 0;
    /* Independent branches may run on several in-order queues: as many as
       asked, else where the device table measured them to win (batch 1). */
    const char *nq = ctx->options.queues ? NULL : clg_env_value(CLG_QUEUES_ENV);
    char *end = NULL;
    ctx->queues_asked = ctx->options.queues || (nq && *nq);
    const int batch1 = clg_device_traits_of(&ctx->info)->batch1_queues;
    long n_queues = ctx->options.queues ? ctx->options.queues
                    : nq && *nq     ? strtol(nq, &end, 10)
                    : batch1 > 1    ? batch1
                                    : 1;
    ctx->n_queues = (end && *end) || n_queues < 1 || n_queues > CLG_MAX_QUEUES ? 0 : (int)n_queues;
    if (ctx->n_queues == 0)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s=%s: expected a number from 1 to %d", CLG_QUEUES_ENV, nq,
                        CLG_MAX_QUEUES);
    for (int q = 0; q < ctx->n_queues; q++) {
        cl_int err;
        ctx->queues[q] = clCreateCommandQueue(ctx->context, ctx->device, props_queue, &err);
        if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateCommandQueue", NULL);
    }
    ctx->queue = ctx->queues[0];
    ctx->options.queues = ctx->queues_asked ? ctx->n_queues : 0; /* 0: chosen per plan */
    return CLG_OK;
}

int clg_context_simd_lanes(const clg_context *ctx)
{
    /* 1 says nothing either: rusticl's llvmpipe vectorises across work-items. */
    if (ctx->info.type != CLG_DEVICE_CPU || ctx->float_lanes >= 16 || ctx->float_lanes < 4) return 16;
    return ctx->float_lanes >= 8 ? 8 : 4;
}

clg_status clg_context_create_with_options(const clg_context_options *options, clg_context **out)
{
    if (!out) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_context_create: out is NULL");
    *out = NULL;
    CLG_TRY(clg_env_check()); /* a bad CLGOOGLENET_* value fails here, before any work */
    clg_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory creating a context");
    clg_status st = clg_context_options_adopt(ctx, options);
    if (st == CLG_OK) st = clg_context_settings_resolve(ctx);
    if (st == CLG_OK) st = open_device(ctx);
    if (st == CLG_OK && ctx->settings.precision == CLG_PRECISION_FP16 && !ctx->info.has_fp16)
        st = clg_fail(CLG_ERR_UNSUPPORTED,
                      "device '%s' (%s) has no cl_khr_fp16: precision fp16 needs half arithmetic; use fp32 "
                      "or a device with half support",
                      ctx->info.device_name, ctx->info.platform_name);
    if (st == CLG_OK) {
        ctx->flags = ctx->options.flags;
        st = create_queues(ctx);
    }
    if (st != CLG_OK) {
        clg_context_destroy(ctx);
        return st;
    }
    ctx->program_store = program_store_choice(&ctx->info, ctx->options.program_cache);
    ctx->loop_iteration_limit = clg_device_traits_of(&ctx->info)->loop_iteration_limit;
    ctx->simt_group_limit = clg_device_traits_of(&ctx->info)->simt_group_limit;
    ctx->prefetch_hints = clg_device_traits_of(&ctx->info)->prefetch_hints;
    ctx->programs = clg_program_cache_create();
    if (!ctx->programs) {
        clg_context_destroy(ctx);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory creating a context");
    }
    *out = ctx;
    return CLG_OK;
}

void clg_context_destroy(clg_context *ctx)
{
    if (!ctx) return;
    for (int q = 0; q < CLG_MAX_QUEUES; q++)
        if (ctx->queues[q]) {
            clFinish(ctx->queues[q]);
            clReleaseCommandQueue(ctx->queues[q]);
        }
    clg_program_cache_destroy(ctx->programs);
    if (ctx->context) clReleaseContext(ctx->context);
    free(ctx->option_strings);
    free(ctx->settings_strings);
    free(ctx);
}

const clg_device_info *clg_context_device(const clg_context *ctx) { return ctx ? &ctx->info : NULL; }
