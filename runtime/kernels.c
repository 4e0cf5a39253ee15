#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "error.h"

struct clg_embedded_kernel {
    const char *name;
    const char *source;
};
extern const struct clg_embedded_kernel clg_embedded_kernels[];

/* Options every program gets: the device may flush denormals, which keeps
   CPU drivers off their slow paths; results stay within test tolerances. */
#define CLG_COMMON_BUILD_OPTIONS "-cl-std=CL1.2 -cl-denorms-are-zero"

typedef struct cached_program {
    char *file;
    char *options;
    cl_program program;
} cached_program;

struct clg_program_cache {
    cached_program *items;
    size_t count, cap;
};

struct clg_program_cache *clg_program_cache_create(void)
{
    return calloc(1, sizeof(struct clg_program_cache));
}

void clg_program_cache_destroy(struct clg_program_cache *cache)
{
    if (!cache) return;
    for (size_t i = 0; i < cache->count; i++) {
        free(cache->items[i].file);
        free(cache->items[i].options);
        clReleaseProgram(cache->items[i].program);
    }
    free(cache->items);
    free(cache);
}

/* Source text of a cl/ file: from $CLGOOGLENET_KERNEL_DIR, else embedded. */
static clg_status kernel_source(const char *file, char **out)
{
    const char *dir = getenv(CLG_KERNEL_DIR_ENV);
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        FILE *f = fopen(path, "rb");
        if (!f) return clg_fail(CLG_ERR_IO, "%s=%s: cannot open %s", CLG_KERNEL_DIR_ENV, dir, path);
        char *buf = NULL;
        size_t len = 0, cap = 0, n;
        char chunk[8192];
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + n + 1 > cap) {
                cap = (len + n + 1) * 2;
                char *p = realloc(buf, cap);
                if (!p) {
                    free(buf);
                    fclose(f);
                    return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading %s", path);
                }
                buf = p;
            }
            memcpy(buf + len, chunk, n);
            len += n;
        }
        fclose(f);
        if (!buf && !(buf = calloc(1, 1))) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        buf[len] = '\0';
        *out = buf;
        return CLG_OK;
    }
    for (const struct clg_embedded_kernel *k = clg_embedded_kernels; k->name; k++)
        if (strcmp(k->name, file) == 0) {
            *out = strdup(k->source);
            return *out ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        }
    return clg_fail(CLG_ERR_INVALID_ARGUMENT, "no kernel file named %s", file);
}

static clg_status build_program(clg_context *ctx, const char *file, const char *options,
                                cl_program *out)
{
    char *source = NULL;
    CLG_TRY(kernel_source(file, &source));
    cl_int err;
    const char *src = source;
    cl_program program = clCreateProgramWithSource(ctx->context, 1, &src, NULL, &err);
    free(source);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateProgramWithSource", file);
    char all_options[1024];
    snprintf(all_options, sizeof all_options, "%s %s", CLG_COMMON_BUILD_OPTIONS, options ? options : "");
    err = clBuildProgram(program, 1, &ctx->device, all_options, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[3000] = "";
        clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        clReleaseProgram(program);
        return clg_fail(CLG_ERR_KERNEL_BUILD, "building %s (%s) failed: %s\n%s", file, all_options,
                        clg_cl_error_name(err), log);
    }
    *out = program;
    return CLG_OK;
}

static clg_status cached_build(clg_context *ctx, const char *file, const char *options,
                               cl_program *out)
{
    struct clg_program_cache *cache = ctx->programs;
    const char *opts = options ? options : "";
    for (size_t i = 0; i < cache->count; i++)
        if (strcmp(cache->items[i].file, file) == 0 && strcmp(cache->items[i].options, opts) == 0) {
            *out = cache->items[i].program;
            return CLG_OK;
        }
    if (cache->count == cache->cap) {
        size_t ncap = cache->cap ? cache->cap * 2 : 16;
        cached_program *p = realloc(cache->items, ncap * sizeof *p);
        if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        cache->items = p;
        cache->cap = ncap;
    }
    cl_program program = NULL;
    CLG_TRY(build_program(ctx, file, opts, &program));
    cached_program *item = &cache->items[cache->count];
    item->file = strdup(file);
    item->options = strdup(opts);
    if (!item->file || !item->options) {
        free(item->file);
        free(item->options);
        clReleaseProgram(program);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    item->program = program;
    cache->count++;
    *out = program;
    return CLG_OK;
}

clg_status clg_kernel_create(clg_context *ctx, const char *file, const char *options,
                             const char *name, cl_kernel *out)
{
    cl_program program = NULL;
    CLG_TRY(cached_build(ctx, file, options, &program));
    cl_int err;
    *out = clCreateKernel(program, name, &err);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateKernel", name);
    return CLG_OK;
}

clg_status clg_kernel_arg(cl_kernel kernel, cl_uint index, size_t size, const void *value)
{
    cl_int err = clSetKernelArg(kernel, index, size, value);
    if (err != CL_SUCCESS) {
        char name[128] = "?";
        clGetKernelInfo(kernel, CL_KERNEL_FUNCTION_NAME, sizeof name - 1, name, NULL);
        return clg_fail(CLG_ERR_OPENCL, "clSetKernelArg(%s, arg %u) failed: %s", name, index,
                        clg_cl_error_name(err));
    }
    return CLG_OK;
}
