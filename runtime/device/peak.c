/*
 * Device FMA peak: measured once per device and driver by cl/peak.cl, and
 * cached in $XDG_CACHE_HOME/clgooglenet/peak.txt (or ~/.cache/...), one
 * "gflops<TAB>platform|device|driver" line per device.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_cache.h"
#include "context.h"
#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"

#define PEAK_ITERS 4096
#define PEAK_ACCUMULATORS 8
/* Cache lines of the probe before its accumulators followed the SIMD width
   (it measured half of an AVX2 CPU's peak) have no such suffix. */
#define PEAK_KEY_SUFFIX "|probe 2"

/* A measured peak outside this range is not a measurement (1e-300 printed a
   300-digit share of peak): such a cache line is ignored, with a warning. */
#define PEAK_MIN_GFLOPS 1e-3
#define PEAK_MAX_GFLOPS 1e7

static int cached_peak(const clg_context *ctx, const char *key, double *gflops)
{
    char path[4096];
    if (!clg_cache_path(ctx, "peak.txt", path, sizeof path)) return 0;
    char *text = clg_cache_read(path), *cursor = text, *line;
    int found = 0;
    while (!found && (line = clg_cache_next_line(&cursor))) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        tab[strcspn(tab, "\r")] = '\0';
        if (strcmp(tab + 1, key) != 0) continue;
        char *end;
        double v = strtod(line, &end);
        if (end == line || end != tab || !isfinite(v) || v < PEAK_MIN_GFLOPS || v > PEAK_MAX_GFLOPS) {
            clg_warn("%s: ignoring the peak '%.*s' for this device: expected GFLOP/s from %g to %g", path,
                     (int)(tab - line > 64 ? 64 : tab - line), line, PEAK_MIN_GFLOPS, PEAK_MAX_GFLOPS);
            continue;
        }
        *gflops = v;
        found = 1;
    }
    free(text);
    return found;
}

static clg_status measure(clg_context *ctx, double *gflops)
{
    clg_options o = clg_options_begin(&clg_kernel_peak);
    clg_options_set(&o, "ITERS", PEAK_ITERS);
    const int lanes = clg_context_simd_lanes(ctx);
    clg_options_set(&o, "VW", lanes);
    CLG_TRY(clg_options_end(&o));
    cl_kernel k;
    CLG_TRY(clg_kernel_create(ctx, o.desc->file, o.text, "fma_peak", &k));
    /* ~0.1 s a launch on a CPU core: with an eighth of that, PoCL's thread
       start-up showed and it measured 118 of its 187 GFLOP/s on AVX2. */
    size_t global = (size_t)(ctx->info.compute_units ? ctx->info.compute_units : 1) * 16384;
    cl_int err;
    cl_mem out = clCreateBuffer(ctx->context, CL_MEM_WRITE_ONLY, global * sizeof(float), NULL, &err);
    clg_status st = err == CL_SUCCESS ? CLG_OK : clg_cl_fail(err, "clCreateBuffer", "peak probe");
    if (st == CLG_OK) {
        clg_args kargs = clg_args_begin(k);
        clg_args_mem(&kargs, out);
        /* a * x + b with a just below 1 keeps values finite and normal. */
        clg_args_float(&kargs, 0.999f);
        clg_args_float(&kargs, 0.001f);
        st = clg_args_end(&kargs);
    }
    double best = 0;
    /* The first launch compiles; the best of the rest is the peak. */
    for (int rep = 0; st == CLG_OK && rep < 4; rep++) {
        double t0 = clg_cache_clock_s();
        err = clEnqueueNDRangeKernel(ctx->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL);
        if (err == CL_SUCCESS) err = clFinish(ctx->queue);
        if (err != CL_SUCCESS) st = clg_cl_fail(err, "clEnqueueNDRangeKernel", "fma_peak");
        double rate = (double)global * PEAK_ITERS * PEAK_ACCUMULATORS * lanes * 2 / (clg_cache_clock_s() - t0) / 1e9;
        if (rep > 0 && rate > best) best = rate;
    }
    if (out) clReleaseMemObject(out);
    clReleaseKernel(k);
    *gflops = best;
    return st;
}

clg_status clg_context_peak_gflops(clg_context *ctx, double *gflops)
{
    if (!ctx || !gflops) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_context_peak_gflops: NULL argument");
    char key[512], path[4096];
    clg_cache_device_key(ctx, key, sizeof key - strlen(PEAK_KEY_SUFFIX));
    strcat(key, PEAK_KEY_SUFFIX);
    if (cached_peak(ctx, key, gflops)) return CLG_OK;
    CLG_TRY(measure(ctx, gflops));
    /* A cache that cannot be written is not an error (a warning). */
    if (clg_cache_path(ctx, "peak.txt", path, sizeof path)) {
        char line[600];
        snprintf(line, sizeof line, "%.3f\t%s", *gflops, key);
        clg_cache_append(path, line);
    }
    return CLG_OK;
}
